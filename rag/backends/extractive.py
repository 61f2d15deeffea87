"""The default backend: an answer made of the sources' own best-supported sentences.

No model writes anything, so nothing can be invented: each sentence is copied from a
source and followed by that source's [n]. Sentences are scored on their meaning
(cosine to the question with the same embedding model), on the question's rare words
they contain (IDF-weighted), on the shape of answer asked for (a number for "how
much", a date for "when") and on their source's rank. Near-repeats are dropped, and
when the sentences come from different sections each is labelled with its heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from council_qa.config import AnswerShape, AnswerThresholds, Settings
from ingest import sentence_spans
from rag.backends.base import AnswerContext, Turn
from rag.conversation import condense_by_rule
from rag.evidence import sentence_score
from rag.lexical import QueryTerms, asks_for_list, content_terms, jaccard
from rag.types import Sentence, Source


@dataclass
class ScoredSentence:
    sentence: Sentence
    score: float

    @property
    def source(self) -> Source:
        return self.sentence.source

    @property
    def text(self) -> str:
        return self.sentence.text


class ExtractiveBackend:
    name = "extractive"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.shape: AnswerShape = settings.answer_shape
        self.thresholds: AnswerThresholds = settings.answer_thresholds

    def condense(self, question: str, history: list[Turn]) -> str:
        return condense_by_rule(question, history)


    def select(self, scored: list[ScoredSentence], wants_list: bool, terms: QueryTerms,
               focused: bool = False) -> list[ScoredSentence]:
        """The best sentences, best first. A sentence from another source than the best
        one must itself hold the kind of answer asked for (a date for "when"): otherwise
        it is a neighbour on the topic, and its citation would not support the answer.
        Other sentences of the best source ("... scheduled between 2026 and spring
        2027") cost no citation and are let in at a lower score. A document's preamble
        (text before its first heading: a summary, a title line) is cited only as the
        best source: it restates the sections, so as a further source it supports nothing.
        For one fact asked in plain words, another source must also add to the answer
        (:func:`adds_to_best`)."""
        ranked = sorted(scored, key=lambda s: s.score, reverse=True)
        if not ranked:
            return []
        best = ranked[0].score
        shape, cut = self.shape, self.thresholds
        if focused:
            limit, share = shape.section_items, cut.focus_share
        elif wants_list:
            limit, share = shape.list_items, cut.list_share
        else:
            limit, share = shape.sentences, cut.sentence_share
        chosen: list[ScoredSentence] = []
        words = 0
        for candidate in ranked:
            same_source = candidate.source.n == ranked[0].source.n
            if len(chosen) == limit or candidate.score < min(share, cut.same_source_share) * best:
                break
            if not same_source and (candidate.score < share * best or not candidate.source.heading_path
                                    or not terms.fits(candidate.text, candidate.source.topic)):
                continue
            if any(jaccard(candidate.sentence.terms, c.sentence.terms) > 0.5 for c in chosen):
                continue
            length = len(candidate.text.split())
            if chosen and words + length > shape.words * (2 if wants_list else 1):
                continue
            chosen.append(candidate)
            words += length
        if not (wants_list or focused or terms.answer_type):
            chosen = adds_to_best(chosen, terms)
        # Best first; sentences of one source keep the source's own order.
        first_rank: dict[int, int] = {}
        for i, c in enumerate(chosen):
            first_rank.setdefault(c.source.n, i)
        return sorted(chosen, key=lambda c: (first_rank[c.source.n], c.sentence.position))

    def choose(self, question: str, sources: list[Source], terms: QueryTerms,
               sentences: list[Sentence]) -> list[ScoredSentence]:
        """What to say for one question: its best sentences, or for a question that names
        a heading ("How was the strategy developed?"), that section's."""
        wants_list = asks_for_list(question)
        weights = self.settings.sentence_weights
        scored = [ScoredSentence(sentence, sentence_score(sentence, terms, weights)) for sentence in sentences]
        focus = named_sections(sources, terms, self.thresholds)
        if focus:
            scored = [s for s in scored if s.source.n in focus]
        return self.select(scored, wants_list, terms, focused=bool(focus))

    def generate(self, question: str, sources: list[Source], context: AnswerContext) -> Iterator[str]:
        if context.item is not None and sources:
            yield item_answer(sources[0], context)
            return
        wants_list = asks_for_list(question)
        if context.parts:  # each part of a compound question answered in turn
            chosen: list[ScoredSentence] = []
            for part in context.parts:
                said = {c.text for c in chosen}
                fresh = [c for c in self.choose(part.text, sources, part.terms, part.sentences) if c.text not in said]
                chosen += fresh[:self.shape.part_sentences]
        else:
            chosen = self.choose(question, sources, context.terms, context.sentences)
        chosen = whole_records(chosen, self.shape.record_words)
        labelled = len({heading_label(c.source) for c in chosen}) > 1
        previous_label = ""
        for i, sentence in enumerate(chosen):
            context.quotes.setdefault(sentence.source.n, sentence.text)
            text = _LIST_JOIN.sub(r"\1", sentence.text)  # a list item's "; and" joins nothing when quoted alone
            text = text if text[-1] in ".!?:;" else text + "."  # ":" leads in: no ":."
            label = heading_label(sentence.source) if labelled else ""
            if label and label != previous_label and label.lower() not in text.lower():
                text = f"{label}: {text}"
            previous_label = label
            separator = "" if i == 0 else ("\n" if wants_list else " ")
            yield f"{separator}{'- ' if wants_list else ''}{text} [{sentence.source.n}]"


def whole_records(chosen: list[ScoredSentence], record_words: int) -> list[ScoredSentence]:
    """Each sentence widened to its whole paragraph when that is short: a motion, its
    vote and its outcome, or a table row with its heading line, read as one record."""
    out: list[ScoredSentence] = []
    seen: set[tuple[int, str]] = set()
    for candidate in chosen:
        paragraph = paragraph_of(candidate.source.node.get_content(), candidate.text)
        if not paragraph or len(paragraph.split()) > record_words:
            out.append(candidate)
            continue
        if (candidate.source.n, paragraph) in seen:
            continue
        seen.add((candidate.source.n, paragraph))
        sentence = candidate.sentence
        widened = Sentence(sentence.source, sentence.position, paragraph, sentence.terms, sentence.cosine)
        out.append(ScoredSentence(widened, candidate.score))
    return out


def paragraph_of(text: str, sentence: str) -> str:
    """The paragraph of ``text`` (blank-line separated) that holds ``sentence``: its
    sentences folded into one line, without their numbers or bullets ("53. Major changes
    ...", "Council:\n1. Award ..."), which inline would read as sentences of their own."""
    folded = " ".join(sentence.split())
    for paragraph in re.split(r"\n\s*\n", text):
        if folded in " ".join(paragraph.split()):
            return " ".join(" ".join(paragraph[start:end].split()) for start, end in sentence_spans(paragraph))
    return ""


def adds_to_best(chosen: list[ScoredSentence], terms: QueryTerms) -> list[ScoredSentence]:
    """Chosen sentences (best first) less those of another source that add nothing the
    question asks about: none of its words that the sentences before lack, and from the
    best source's own document. Such a sentence is a neighbour on the topic the best
    source already answers ("... scheduled between 2026 and spring 2027" after "Which
    inspectorates will carry out the SEND inspection?"), so its citation would support
    nothing asked. Another document's sentence stays: it is that document's side."""
    if not chosen:
        return chosen
    best = chosen[0].source
    asked = set(terms.weights)
    said = set().union(*(c.sentence.terms & asked for c in chosen if c.source.n == best.n))
    kept = []
    for candidate in chosen:
        if candidate.source.n != best.n:
            new = (candidate.sentence.terms & asked) - said
            if not new and candidate.source.doc_id == best.doc_id:
                continue
            said |= new
        kept.append(candidate)
    return kept


_LIST_JOIN = re.compile(r"([;,])\s+(?:and|or)$")
_ENUMERATOR = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}[.)])\s+(?=\S)")  # "1. ", "2.1 ", "3) "


def item_answer(source: Source, context: AnswerContext) -> str:
    """The item's title and, when its first chunk sits right under it, that chunk's
    opening sentence (what the item is)."""
    item = context.item
    heading = item.heading.strip()
    line = _ENUMERATOR.sub("", heading) or heading
    opening = opening_sentence(source.node.get_content()) if item.leaf else ""
    if opening:
        context.quotes.setdefault(source.n, opening)
        line = opening if line.lower() in opening.lower() else f"{line}: {opening}"
    if line and line[-1] not in ".!?":
        line += "."
    return f"{line} [{source.n}]" if line else ""


def opening_sentence(text: str) -> str:
    """The first sentence of three words or more."""
    for start, end in sentence_spans(text):
        sentence = " ".join(text[start:end].split())
        if len(sentence.split()) >= 3:
            return sentence
    return ""


def heading_label(source: Source) -> str:
    """The heading that names what a sentence is about (a column heading names its parent)."""
    path, topic = source.heading_path, source.topic
    return f"{topic} ({path[-1].rstrip('?').lower()})" if path and topic != path[-1] else topic


def named_sections(sources: list[Source], terms: QueryTerms, thresholds: AnswerThresholds) -> set[int]:
    """The sources under the heading a question names ("what has been done so far to
    support a healthier workforce"), when most of its words are that heading path's.
    The shallowest heading that holds nearly all of them is the one named, so a stray
    word matching one sub-heading ("health") does not narrow "the five principles"."""
    paths = {s.n: s.heading_path for s in sources}
    covered: dict[tuple[str, ...], float] = {}
    for path in paths.values():
        for depth in range(1, len(path) + 1):
            prefix = tuple(path[:depth])
            if prefix not in covered:
                # Words no chunk holds count as missing: "EHC plan rn" does not name "... plan".
                known = 1.0 - terms.unknown_share
                covered[prefix] = known * terms.coverage(set(content_terms(" ".join(prefix))))
    best = max(covered.values(), default=0.0)
    if best < thresholds.section_focus:
        return set()
    near = [p for p, c in covered.items() if c >= best - thresholds.heading_tolerance]
    depth = min(len(p) for p in near)
    named = {p for p in near if len(p) == depth}
    return {n for n, path in paths.items() if tuple(path[:depth]) in named}
