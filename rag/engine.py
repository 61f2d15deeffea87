"""The one code path from a question to a cited answer, shared by CLI, web chat and eval.

question -> (follow-up rewritten) -> hybrid retrieval -> rerank -> evidence check ->
backend writes with [n] markers -> markers checked and renumbered -> quotes verified.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from council_qa.config import AnswerThresholds, Settings
from index import CouncilIndex
from ingest import sentence_spans
from ingest.decisions import is_decision_statement
from rag.backends import AnswerBackend, AnswerContext, QuestionPart, Source, Turn, create_backend
from rag.decisions import DecisionFilter, RegisterEntry, matching_decision, names_asked, names_held, register_of
from rag.citations import MARKER, best_quote, claim_spans, claims_by_marker, normalise, quote_occurs, renumber
from rag.evidence import (SentenceVectors, evidence_features, has_typed_answer, naming_sources,
                          source_sentences, terms_of)
from rag.facts import SourceFacts
from rag.lexical import QueryTerms, content_terms, has_answer_type, surface_names
from rag.meetings import other_meetings
from rag.parts import part_queries
from rag.rerank import create_reranker
from rag.retrieval import HybridRetriever, OutlineItem, Retrieved
from rag.spelling import speller_for
from rag.types import REFUSAL, Answer, Citation, Filters

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
RELATED = 3
TOO_LONG = "Please ask in fewer words: a question may be up to {limit:,} characters."
NO_MATCH = "The filters leave nothing to search: {reason}. Clear or widen that filter and ask again."
NOT_NAMED = {"voters": "The papers record the vote on {item}{counts}, but not who voted which way.",
             "absent": "The papers record the vote on {item}{counts}, but not who was absent."}
NOT_MENTIONED = "The passages I found do not mention {names}, so the papers I have cannot answer this question."


@dataclass(frozen=True)
class Calibration:
    """The refusal model: a logistic regression over evidence features and the cut below
    which the papers are taken not to answer. Fitted on labelled questions
    (``eval/calibrate.py``), never set by hand: the package ships one fitted on the
    development parts of every evaluation set, and ``council-qa eval --calibrate`` fits
    one for an index home, which then takes precedence there."""

    weights: dict[str, float]
    bias: float
    threshold: float

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> "Calibration":
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(raw["weights"], raw["bias"], raw["threshold"])

    @classmethod
    def for_settings(cls, settings: Settings) -> "Calibration":
        """The index home's own fit where it has one, else the packaged one."""
        own = settings.calibration_path
        return cls.load(own if own.exists() else CALIBRATION_FILE)

    def save(self, path: Path, note: str = "") -> None:
        payload = {"weights": self.weights, "bias": self.bias, "threshold": self.threshold, "fitted_on": note}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(w * features.get(k, 0.0) for k, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-z))


class AnswerEngine:
    """Holds the models and indexes for a process; safe to share between threads."""

    def __init__(self, settings: Settings, index: CouncilIndex | None = None,
                 calibration: Calibration | None = None) -> None:
        self.settings = settings
        self.index = index or CouncilIndex(settings)
        self.retriever = HybridRetriever(self.index, settings)
        self.reranker = create_reranker(settings.reranker, self.index)
        self.calibration = calibration or Calibration.for_settings(settings)
        self.sentence_vectors = SentenceVectors()
        self._backends: dict[str, AnswerBackend] = {}
        self._lock = threading.Lock()

    # -- parts -----------------------------------------------------------------

    def backend(self, name: str | None = None) -> AnswerBackend:
        name = name or self.settings.backend
        with self._lock:
            if name not in self._backends:
                self._backends[name] = create_backend(name, self.settings)
            return self._backends[name]

    def threshold(self) -> float:
        if self.settings.abstain_threshold is not None:
            return self.settings.abstain_threshold
        return self.calibration.threshold

    def retrieve(self, question: str, filters: Filters | None = None,
                 timings: dict[str, float] | None = None) -> tuple[list[NodeWithScore], Retrieved]:
        """Ranked candidates after fusion and reranking, exactly as answers see them."""
        timings = timings if timings is not None else {}
        started = time.perf_counter()
        others = other_meetings(question, filters, (e.meeting_date for e in self.index.manifest.ready().values())) \
            if self.settings.meeting_scope else None
        retrieved = self.retriever.retrieve(question, filters, mode=self.settings.retrieval, also=others)
        timings["retrieve"] = timings.get("retrieve", 0.0) + _ms(started)
        started = time.perf_counter()
        nodes = retrieved.nodes
        if self.reranker is not None:
            bundle = QueryBundle(query_str=question, embedding=retrieved.query_embedding)
            nodes = self.reranker.postprocess_nodes(nodes, query_bundle=bundle)
        timings["rerank"] = timings.get("rerank", 0.0) + _ms(started)
        return nodes, retrieved

    # -- answering -------------------------------------------------------------

    def ask(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None,
            backend: str | None = None) -> Answer:
        answer = None
        for event in self.stream(question, history, filters, backend):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None,
               backend: str | None = None) -> Iterator[str | Answer]:
        """Yields text as it is written, then the finished :class:`Answer`. While a model
        writes what is not shown yet, it yields empty strings, one a token: closing the
        stream there ends the model's work."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        writer = self.backend(backend)
        question = question.strip()
        limit = self.settings.max_question_chars
        if len(question) > limit:  # bounded work per request: nothing retrieved or embedded
            yield Answer(question=question[:limit], answer=TOO_LONG.format(limit=limit), abstained=True,
                         backend=writer.name, timings_ms={"total": _ms(started)})
            return
        self.index.refresh()
        shut_out = filters.why_nothing((e.doc_type, e.body, e.meeting_date) for e in self.index.manifest.ready().values()) \
            if filters and not filters.empty else None
        if shut_out:  # say which filter, rather than "the papers do not answer" (and ask no model)
            yield Answer(question=question, answer=NO_MATCH.format(reason=shut_out), abstained=True,
                         standalone_question=question, backend=writer.name, timings_ms={"total": _ms(started)})
            return
        standalone = writer.condense(question, history or []) if history else question
        standalone = speller_for(self.index.keyword, self.index.embedder.whole_words).correct(standalone)
        thresholds = self.settings.answer_thresholds
        terms = QueryTerms.of(standalone, self.index.keyword, thresholds)
        decided = self._decision_answer(question, standalone, terms, filters, writer.name)
        if decided is not None:  # a vote or decision the register holds: answered from its passage
            # What retrieval finds, as for any question, then the decision's own passages.
            nodes, _ = self.retrieve(standalone, filters, timings)
            found = {hit.node.node_id for hit in nodes}
            decided.retrieved = nodes + [hit for hit in decided.retrieved if hit.node.node_id not in found]
            decided.timings_ms = {**timings, "total": _ms(started)}
            yield decided.answer
            yield decided
            return
        nodes, retrieved = self.retrieve(standalone, filters, timings)
        # A compound question: each part retrieved too, their best chunks taken in turn.
        queries = part_queries(standalone, thresholds, self.settings.answer_shape.parts)
        parts = [(query, *self.retrieve(query, filters, timings)) for query in queries] if len(queries) > 1 else []
        limit = self.settings.answer_sources
        if parts:
            nodes = interleave([nodes] + [part_nodes for _, part_nodes, _ in parts])
            limit += len(parts)
        sources = [
            Source(n=i + 1, node=hit.node, score=hit.score or 0.0,
                   cosine=retrieved.dense_cosine.get(hit.node.node_id, 0.0))
            for i, hit in enumerate(nodes[:limit])
        ]
        # Only sources that name the place or body asked about can answer for it.
        part_terms = {query: QueryTerms.of(query, self.index.keyword, thresholds) for query, _, _ in parts}
        asked = [t.proper_names for t in part_terms.values()] or [terms.proper_names]
        sources, unnamed_stems = naming_sources(sources, asked)
        unnamed = terms.unmentioned + surface_names(standalone, unnamed_stems)
        scoring_started = time.perf_counter()
        embed = self.index.embedder.embed_texts
        weights = self.settings.sentence_weights
        sentences = source_sentences(sources, retrieved.query_embedding, self.sentence_vectors, embed,
                                     weights.neighbours)
        context = AnswerContext(terms=terms, sentences=sentences)
        if parts:
            context.parts = [
                QuestionPart(query, part_terms[query],
                             source_sentences(sources, part.query_embedding, self.sentence_vectors, embed,
                                              weights.neighbours))
                for query, _, part in parts
            ]
        timings["rerank"] += _ms(scoring_started)  # sentence scoring is part of the second stage
        features = evidence_features(sources, sentences, terms, retrieved.top_cosine, weights)
        if context.parts:
            # "How many ..., and which ...?": a part that asks for no sum or date, or finds
            # one, is answerable; the first part's type does not decide for the whole.
            features["typed_answer"] = float(features["typed_answer"] or any(
                has_typed_answer(sources, part.sentences, part.terms, weights) for part in context.parts))
        # One calibrated decision over every signal (a sum asked for that no close sentence
        # holds, a named place no source mentions, meaning, word coverage): do the papers say?
        evidence = self.calibration.probability(features)
        answer = Answer(question=question, answer=REFUSAL, abstained=True, standalone_question=standalone,
                        backend=writer.name, evidence=evidence, features=features, timings_ms=timings,
                        retrieved=nodes)
        raw = ""
        gen_started = time.perf_counter()
        if sources and evidence >= self.threshold() and not unnamed:
            if not parts and retrieved.item is not None:
                sources = self._item_sources(retrieved.item, sources, context)
            shown, finished = "", 0
            for delta in writer.generate(standalone, sources, context):
                raw += delta
                # Only checked text reaches the screen: the claims finished so far, grounded
                # each time one more is finished (the last may still be growing).
                new = ""
                spans = claim_spans(raw)
                if len(spans) >= 2 and spans[-2][1] > finished:
                    finished = spans[-2][1]
                    checked = ground(raw[:finished], sources, thresholds)
                    if checked.startswith(shown) and len(checked) > len(shown):
                        new, shown = checked[len(shown):], checked
                # Every token yields, shown or not (a claim the check drops shows nothing),
                # so that a consumer that stops ends the model's work at the next token.
                yield new
        timings["generate"] = _ms(gen_started)
        self._finish(answer, raw, sources, context, nodes)
        if unnamed:
            answer.answer = NOT_MENTIONED.format(names=" or ".join(unnamed))
        timings["total"] = _ms(started)
        yield answer

    def _decision_answer(self, question: str, standalone: str, terms: QueryTerms, filters: Filters | None,
                         backend: str) -> Answer | None:
        """For "How did the committee vote on ...?" and the like: the decision in the register
        that the question names, answered with its passage's own statements (who moved it,
        the vote, the resolution), each cited to the chunk that holds it."""
        if filters and filters.doc_type and filters.doc_type not in ("minutes", "decision"):
            return None
        chosen = DecisionFilter(body=filters.body, since=filters.date_from, until=filters.date_to) if filters \
            else DecisionFilter()
        entries = [e for e in register_of(self.index) if chosen.admits(e)]
        entry = matching_decision(standalone, terms, entries, self.settings.answer_thresholds)
        if entry is None:
            return None
        nodes, ordered = self._decision_sentences(entry)
        asked = names_asked(standalone)
        if asked and not names_held(entry, asked):
            return self._names_not_recorded(question, standalone, entry, asked, nodes, ordered, backend)
        # Who moved it, the vote and the resolution, then those of the resolution's points
        # (all of a decision notice's form) that hold most of the question's words.
        stated = [i for i, (sentence, _) in enumerate(ordered) if is_decision_statement(sentence)]
        points = range(stated[-1] + 1 if stated else 0, len(ordered))
        ranked = sorted(points, key=lambda i: -terms.coverage(set(content_terms(ordered[i][0]))))
        claims = [ordered[i] for i in sorted(stated + ranked[:self.settings.answer_thresholds.decision_claims])]
        if not any(has_answer_type(claim, terms.answer_type, terms.exact_date) for claim, _ in claims):
            return None  # "How long will the engagement run, as agreed ...?": not in the decision's record
        numbers: dict[str, int] = {}
        for _, node in claims:
            numbers.setdefault(node.node_id, len(numbers) + 1)
        answer = Answer(question=question, answer=" ".join(f"{claim} [{numbers[node.node_id]}]" for claim, node in claims),
                        abstained=False, standalone_question=standalone, backend=backend, evidence=1.0,
                        retrieved=[NodeWithScore(node=n, score=1.0) for n in nodes])
        firsts = {}
        for claim, node in claims:
            firsts.setdefault(node.node_id, (node, claim))
        answer.citations = [make_citation(numbers[node_id], node, claim, 1.0) for node_id, (node, claim) in firsts.items()]
        return answer

    @staticmethod
    def _names_not_recorded(question: str, standalone: str, entry: RegisterEntry, asked: str,
                            nodes: list[TextNode], ordered: list[tuple[str, TextNode]], backend: str) -> Answer:
        """"Which councillors voted against ...?" of a vote the paper records by its counts
        alone: say so, and point to the vote, rather than answer with other things."""
        counts = f" ({entry.counts_text})" if entry.counts_text else ""
        answer = Answer(question=question, answer=NOT_NAMED[asked].format(item=entry.item_text, counts=counts),
                        abstained=True, standalone_question=standalone, backend=backend,
                        retrieved=[NodeWithScore(node=n, score=1.0) for n in nodes])
        stated = [(sentence, node) for sentence, node in ordered if is_decision_statement(sentence)]
        stated = [(s, n) for s, n in stated if has_answer_type(s, "vote")] or stated  # the vote itself first
        pointed = list({node.node_id: node for _, node in stated + ordered}.values()) or nodes
        quotes = [sentence for sentence, _ in stated] or [standalone]
        answer.related = [make_citation(i + 1, node, best_quote(node.get_content(), quotes), 1.0)
                          for i, node in enumerate(pointed[:RELATED])]
        return answer

    def _decision_sentences(self, entry: RegisterEntry) -> tuple[list[TextNode], list[tuple[str, TextNode]]]:
        """The chunks holding a decision's passage, and its sentences in the paper's order,
        each with the chunk it is quoted from."""
        record = self.index.records.load(entry.doc_id)
        decision = entry.decision
        ids = [c for s in (record.sections if record else ()) if s.start < decision.end and decision.start < s.end
               for c in s.chunk_ids]
        nodes = sorted(self.index.store.get_nodes(ids), key=lambda n: n.metadata.get("char_start", 0))
        sentences: dict[int, tuple[str, TextNode]] = {}  # by place in the paper: chunks may overlap
        for node in nodes:
            offset, text = int(node.metadata.get("char_start", 0)), node.get_content()
            for start, end in sentence_spans(text):
                if decision.start <= offset + start < decision.end:
                    sentences.setdefault(offset + start, (" ".join(text[start:end].split()), node))
        return nodes, [sentences[k] for k in sorted(sentences)]

    @staticmethod
    def _item_sources(item: OutlineItem, sources: list[Source], context: AnswerContext) -> list[Source]:
        """For "What is item L.5?": the item's own title and opening, from its first chunk
        (retrieval put it first)."""
        if not sources or sources[0].node.node_id != item.entries[0]["node_id"]:
            return sources
        context.item = item
        return sources[:1]

    def _finish(self, answer: Answer, raw: str, sources: list[Source], context: AnswerContext,
                nodes: list[NodeWithScore]) -> None:
        text = raw.strip()
        if text and not _is_refusal(text):
            grounded = ground(text, sources, self.settings.answer_thresholds)
            renumbered, order = renumber(grounded, len(sources))
            if order:
                answer.answer = renumbered
                answer.abstained = False
                claims = claims_by_marker(renumbered)
                for new, original in enumerate(order, start=1):
                    source = sources[original - 1]
                    quote = context.quotes.get(original, "")
                    if not quote_occurs(quote, source.node.get_content()):
                        quote = best_quote(source.node.get_content(), claims.get(new, [renumbered]))
                    answer.citations.append(make_citation(new, source.node, quote, source.score))
                return
        answer.answer = REFUSAL
        answer.abstained = True
        answer.related = [
            make_citation(i + 1, hit.node, best_quote(hit.node.get_content(), [answer.standalone_question]),
                      hit.score or 0.0)
            for i, hit in enumerate(nodes[:RELATED])
        ]


def ground(text: str, sources: list[Source], thresholds: AnswerThresholds = AnswerThresholds()) -> str:
    """Keep only sentences a source supports: each needs a cited source holding most of
    its words and every number, name and negation it states. A sentence citing the wrong
    source (or none) is given the one that holds it; a sentence no source supports, a
    fragment or a repeat is dropped. Layout (lines, list dashes) is kept."""
    source_terms = {s.n: set(terms_of(s)) for s in sources}
    source_facts = {s.n: SourceFacts(s.node.get_content() + "\n" + " ".join(s.heading_path)) for s in sources}
    by_number = {s.n: s for s in sources}
    pieces, cursor = [], 0
    seen: set[str] = set()
    for start, end in claim_spans(text):
        sentence = text[start:end]
        pieces.append(text[cursor:start])
        cursor = end
        claim = normalise(MARKER.sub("", sentence))
        bare = claim.lower()
        words = set(content_terms(bare))
        cited = [int(n) for m in MARKER.finditer(sentence) for n in re.findall(r"\d+", m.group(1))]
        # Fragments and repeats say nothing new; a one-word heading of its source ("- Housing.") does.
        heading = bool(words) and any(names_heading(bare, by_number.get(n)) for n in cited)
        if bare in seen or (len(words) < 2 and not heading):
            if pieces:
                pieces[-1] = pieces[-1].rstrip(" -")
            continue
        seen.add(bare)
        shares = {n: len(words & terms) / len(words) for n, terms in source_terms.items()}

        def holds(n: int) -> bool:
            return shares.get(n, 0.0) >= thresholds.claim_support and not source_facts[n].missing(claim)

        if any(holds(n) for n in cited if n in source_facts):
            pieces.append(sentence)
            continue
        best = max((n for n in shares if holds(n)), key=shares.__getitem__, default=None)
        if best is not None:
            pieces.append(f"{MARKER.sub('', sentence).rstrip()} [{best}]")
        elif pieces:
            pieces[-1] = pieces[-1].rstrip(" -")
    pieces.append(text[cursor:])
    return re.sub(r"\n{2,}", "\n", "".join(pieces)).strip()


def names_heading(claim: str, source: Source | None) -> bool:
    """Whether a claim is one of its source's headings ("- Housing." under "Priority 1 > Housing")."""
    if source is None:
        return False
    text = claim.strip(" -.").lower()
    return any(text == normalise(part).lower() for part in source.heading_path)


def interleave(rankings: list[list[NodeWithScore]]) -> list[NodeWithScore]:
    """Several rankings merged by taking each one's next best in turn, each chunk once."""
    merged: dict[str, NodeWithScore] = {}
    for rank in range(max(map(len, rankings), default=0)):
        for ranking in rankings:
            if rank < len(ranking):
                merged.setdefault(ranking[rank].node.node_id, ranking[rank])
    return list(merged.values())


def _is_refusal(text: str) -> bool:
    refusal = normalise(REFUSAL).lower().rstrip(".")
    return normalise(text).lower().startswith(refusal[:30]) or refusal in normalise(text).lower()


def make_citation(n: int, node, quote: str, score: float) -> Citation:
    meta = node.metadata
    return Citation(
        n=n,
        node_id=node.node_id,
        doc_id=meta.get("doc_id", ""),
        title=meta.get("title", ""),
        doc_type=meta.get("doc_type", ""),
        section=meta.get("section", ""),
        page=int(meta.get("page_start", 0) or 0),
        page_end=int(meta.get("page_end", 0) or 0),
        meeting_date=meta.get("meeting_date", ""),
        source=meta.get("source", ""),
        quote=quote,
        text=node.get_content(),
        score=round(float(score), 6),
        char_start=int(meta.get("char_start", 0) or 0),
        char_end=int(meta.get("char_end", 0) or 0),
        url=meta.get("url", "") or "",
    )


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
