"""Which written commitments the board has reported on, and which have gone quiet.

For each commitment of each indexed strategy, meeting papers (minutes, agendas,
reports, summaries) are searched with the commitment's own words and those of its
implementation plan. Every agenda item found is compared, clause by clause, with
every commitment. Health papers all sound alike to an embedding model, so what
counts is contrast: how much closer an item is to this commitment than to the
others, and than the other items are to it. Two thresholds on that relevance give
``reported`` (the item is about the commitment: progress, a decision, a plan) and
``mentioned`` (the topic comes up); they are fitted on labelled pairs
(``council-qa commitments --calibrate PAIRS``), never set by hand. An item on a forward
plan, an agenda or a work programme only says the matter is coming: ``scheduled``.
Evidence comes only from the strategy's own council (and configured partners).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from llama_index.core.schema import TextNode

from council_qa.config import DOC_TYPES
from index import CouncilIndex
from ingest import sentence_spans
from ingest.commitments import Commitment
from ingest.metadata import council_key, names_a_plan
from rag.engine import AnswerEngine, make_citation
from rag.export import csv_text
from rag.evidence import SentenceVectors, source_sentences
from rag.retrieval import chunks_under, nodes_of
from rag.types import Citation, Filters, Sentence, Source

MEETING_TYPES = tuple(t for t in DOC_TYPES if t != "strategy")
THRESHOLDS_FILE = Path(__file__).with_name("commitment_thresholds.json")
STATUSES = ("reported", "scheduled", "mentioned", "no_evidence")
# What each status means, for the people reading them (the tab, the CSV, the docs).
STATUS_MEANINGS = {
    "reported": "a meeting paper reports progress, a decision or spending on it",
    "scheduled": "it is only on a forward plan, an agenda or a work programme: due to come, not yet reported",
    "mentioned": "its topic comes up in a meeting paper, but nothing is reported on it",
    "no_evidence": "no meeting paper in the index discusses it",
}
SCHEDULING_TYPES = ("plan", "agenda")  # papers that list business to come
LABELS = ("reported", "mentioned", "none")
CANDIDATES = 12  # chunks retrieved per query

Item = tuple[str, str]  # (doc_id, heading path of the agenda item)


@dataclass(frozen=True)
class EvidenceThresholds:
    mention: float  # relevance for the topic to count as mentioned
    report: float  # relevance for the item to count as a report on the commitment

    @classmethod
    def load(cls, path: Path = THRESHOLDS_FILE) -> "EvidenceThresholds":
        if path.exists():
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(raw["mention"], raw["report"])
        return cls(mention=1.5, report=2.5)

    def classify(self, relevance: float) -> str:
        if relevance >= self.report:
            return "reported"
        if relevance >= self.mention:
            return "mentioned"
        return "none"


@dataclass
class ItemEvidence:
    """One agenda item scored against one commitment."""

    item: Item
    meeting_date: str
    best: float  # cosine of the item's closest clause to the commitment (or its plan)
    relevance: float  # contrast of ``best`` against other commitments and other items
    node: TextNode
    quote: str
    label: str = "none"


@dataclass
class CommitmentStatus:
    commitment: Commitment
    strategy: str
    status: str
    last_discussed: str
    evidence: list[Citation] = field(default_factory=list)

    def to_dict(self) -> dict:
        c = self.commitment
        return {
            "key_area": c.key_area,
            "title": c.title,
            "statement": c.statement,
            "done": [vars(i) for i in c.done],
            "next": [vars(i) for i in c.next],
            "measures": [vars(i) for i in c.measures],
            "status": self.status,
            "last_discussed": self.last_discussed,
            "evidence": [e.to_dict() for e in self.evidence],
            "strategy": self.strategy,
            "provenance": {"char_start": c.char_start, "char_end": c.char_end},
        }


class CommitmentTracker:
    def __init__(self, engine: AnswerEngine, thresholds: EvidenceThresholds | None = None) -> None:
        self.engine = engine
        self.index: CouncilIndex = engine.index
        self.thresholds = thresholds or EvidenceThresholds.load()
        self.vectors: SentenceVectors = engine.sentence_vectors

    def strategies(self) -> list[tuple[str, str, list[Commitment]]]:
        """Each indexed strategy's title, council and commitments, as ingest recorded them."""
        strategies = [d for d, e in self.index.manifest.ready().items() if e.doc_type == "strategy"]
        return [(r.metadata.title, r.metadata.council, list(r.commitments))
                for r in self.index.records.records(strategies)]

    def councils(self) -> dict[str, str]:
        """doc_id -> the council each indexed paper is by ("" where none is named)."""
        ready = list(self.index.manifest.ready())
        return {r.doc_id: council_key(r.metadata.council) for r in self.index.records.records(ready)}

    def track(self) -> list[CommitmentStatus]:
        self.index.refresh()
        statuses = []
        councils = self.councils()
        partners = {council_key(p) for p in self.engine.settings.partner_councils.split(",") if p.strip()}
        for strategy, council, commitments in self.strategies():
            # Evidence only from the strategy's own council and its partners: a paper that
            # names another council is never evidence (one naming none may be).
            allowed = {"", council_key(council)} | partners if council else None
            candidates = {c.title: {item for item in self._candidate_items(c)
                                    if allowed is None or councils.get(item[0], "") in allowed}
                          for c in commitments}
            items = sorted({item for found in candidates.values() for item in found})
            evidence = self.score(commitments, items, candidates)
            statuses += [self._status(c, strategy, evidence[c.title]) for c in commitments]
        return statuses

    def score(self, commitments: list[Commitment], items: list[Item],
              candidates: dict[str, set[Item]] | None = None) -> dict[str, list[ItemEvidence]]:
        """Every commitment against every item; each commitment keeps its candidate items."""
        clauses = {item: self._clauses(item) for item in items}
        scored = [[self._closest(c, clauses[item]) for item in items] for c in commitments]
        best = np.array([[s[0] if s else np.nan for s in row] for row in scored])
        relevance = _contrast(best)
        result: dict[str, list[ItemEvidence]] = {}
        for i, commitment in enumerate(commitments):
            keep = candidates.get(commitment.title, set()) if candidates is not None else set(items)
            result[commitment.title] = []
            for j, item in enumerate(items):
                if item not in keep or scored[i][j] is None:
                    continue
                cosine, node, quote = scored[i][j]
                evidence = ItemEvidence(item, node.metadata.get("meeting_date", ""), cosine,
                                        float(relevance[i, j]), node, quote)
                evidence.label = self.thresholds.classify(evidence.relevance)
                result[commitment.title].append(evidence)
        return result

    def _status(self, commitment: Commitment, strategy: str, evidence: list[ItemEvidence]) -> CommitmentStatus:
        for e in evidence:
            # An item about the commitment on a forward plan, an agenda or a work programme
            # says it is coming, not that it was reported.
            if e.label == "reported" and (e.node.metadata.get("doc_type") in SCHEDULING_TYPES
                                          or names_a_plan(e.item[1])):
                e.label = "scheduled"
        found = sorted((e for e in evidence if e.label != "none"),
                       key=lambda e: (STATUSES.index(e.label), -e.relevance))
        status = found[0].label if found else "no_evidence"
        citations = [make_citation(n, e.node, e.quote, e.relevance) for n, e in enumerate(found, start=1)]
        last = max((e.meeting_date for e in found if e.meeting_date), default="")
        return CommitmentStatus(commitment, strategy, status, last, citations)

    def _candidate_items(self, commitment: Commitment) -> set[Item]:
        """Agenda items of meeting papers that a search with the commitment's words finds."""
        facets = _facets(commitment)
        filters = Filters(doc_type=",".join(MEETING_TYPES))
        found: set[Item] = set()
        for query in (facets[0], " ".join([commitment.title, *facets[1:6]])):
            retrieved = self.engine.retriever.retrieve(query, filters, mode=self.engine.settings.retrieval,
                                                       top_k=CANDIDATES)
            found |= {(h.node.metadata["doc_id"], h.node.metadata.get("section", "")) for h in retrieved.nodes}
        return found

    def _clauses(self, item: Item) -> list[tuple[Sentence, str]]:
        """Every clause of an agenda item, with the sentence it belongs to."""
        nodes = nodes_of(self.index, chunks_under(self.index, *item))
        sentences = source_sentences([Source(i + 1, n, 0.0) for i, n in enumerate(nodes)], None, None, None)
        return [(s, c) for s in sentences for c in clauses_of(s.text)]

    def _closest(self, commitment: Commitment, clauses: list[tuple[Sentence, str]]) -> tuple[float, TextNode, str] | None:
        """The item's clause closest to the commitment or an item of its plan."""
        if not clauses:
            return None
        embed = self.index.embedder.embed_texts
        targets = np.array(self.vectors.get(_facets(commitment), embed))
        vectors = np.array(self.vectors.get([c for _, c in clauses], embed))
        per_clause = (vectors @ targets.T).max(axis=1)
        k = int(np.argmax(per_clause))
        return float(per_clause[k]), clauses[k][0].source.node, clauses[k][0].text


def label_passages(tracker: CommitmentTracker, commitments: list[str], passages: list[str],
                   pairs: list[tuple[int, int]], scheduling: list[bool], allowed: list[bool]) -> list[str]:
    """Label (commitment, passage) pairs of free text as ``track`` labels agenda items: each
    commitment against every passage (contrast over that matrix), the tracker's thresholds,
    "scheduled" for a passage from a forward plan or agenda, and "none" for a passage whose
    paper names another council. For measuring the tracker on papers it was not built on."""
    embed = tracker.index.embedder.embed_texts
    clause_vectors = []
    for passage in passages:
        clauses = [c for start, end in sentence_spans(passage) for c in clauses_of(" ".join(passage[start:end].split()))]
        clause_vectors.append(np.array(tracker.vectors.get(clauses or [passage], embed)))
    targets = np.array(tracker.vectors.get(commitments, embed))
    best = np.array([[float((vectors @ target).max()) for vectors in clause_vectors] for target in targets])
    relevance = _contrast(best)
    labels = []
    for (i, j), plan, ok in zip(pairs, scheduling, allowed):
        label = tracker.thresholds.classify(float(relevance[i, j])) if ok else "none"
        labels.append("scheduled" if label == "reported" and plan else label)
    return labels


def _contrast(best: np.ndarray) -> np.ndarray:
    """How far each cosine stands out in its column (against the other commitments) plus
    in its row (against the other items), in standard deviations."""
    with np.errstate(invalid="ignore", divide="ignore"):
        by_item = (best - np.nanmean(best, axis=0)) / np.nanstd(best, axis=0)
        by_commitment = (best - np.nanmean(best, axis=1, keepdims=True)) / np.nanstd(best, axis=1, keepdims=True)
    return np.nan_to_num(by_item) + np.nan_to_num(by_commitment)


def _facets(commitment: Commitment) -> list[str]:
    """The commitment in its own words, then every item of its implementation plan."""
    items = commitment.done + commitment.next + commitment.measures
    return [f"{commitment.title}. {commitment.statement}"] + [i.text for i in items if len(i.text.split()) >= 3]


_CLAUSE_BREAK = re.compile(r",\s+(?:including|and|as well as|with|while|such as)\s+|;\s+|:\s+|,\s+(?=a |an |the )")


def clauses_of(sentence: str) -> list[str]:
    """A sentence and its clauses of four words or more ("..., including a deep dive into
    physical activity and the Fit and Active Barnet framework, a biannual report, ...")."""
    parts = [p.strip(" ,.") for p in _CLAUSE_BREAK.split(sentence)]
    return [sentence] + [p for p in parts if len(p.split()) >= 4 and p != sentence]


def fit_thresholds(relevance: list[float], labels: list[str]) -> EvidenceThresholds:
    """The pair of cuts with the best macro-F1 over the three labels (the many "none"
    pairs cannot win by themselves); ties go to the higher, more cautious cuts."""
    values = sorted(set(round(r, 4) for r in relevance))
    cuts = [values[0] - 1.0] + [(a + b) / 2 for a, b in zip(values, values[1:])] + [values[-1] + 1.0]
    best_fit, best_score = EvidenceThresholds(cuts[-1], cuts[-1]), -1.0
    for i, mention in enumerate(cuts):
        for report in cuts[i:]:
            candidate = EvidenceThresholds(round(mention, 4), round(report, 4))
            guesses = [candidate.classify(r) for r in relevance]
            score = float(np.mean([_f1(guesses, labels, label) for label in LABELS]))
            if score >= best_score:
                best_fit, best_score = candidate, score
    return best_fit


def _f1(guesses: list[str], truth: list[str], label: str) -> float:
    hit = sum(g == label and t == label for g, t in zip(guesses, truth))
    wrong = sum(g == label and t != label for g, t in zip(guesses, truth))
    missed = sum(g != label and t == label for g, t in zip(guesses, truth))
    return 2 * hit / (2 * hit + wrong + missed) if hit else 0.0


def labelled_relevance(tracker: CommitmentTracker, pairs_path: Path) -> tuple[list[float], list[str]]:
    """Relevance of each labelled (commitment, agenda item) pair, scored as ``track`` does."""
    pairs = [json.loads(line) for line in pairs_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    commitments = {c.title: c for _, _, found in tracker.strategies() for c in found}
    meetings = [d for d, e in tracker.index.manifest.ready().items() if e.doc_type in MEETING_TYPES]
    missing = {p["commitment"] for p in pairs} - set(commitments)
    if missing:
        raise ValueError(f"{pairs_path}: no indexed strategy has the commitments {sorted(missing)}")
    items = sorted({(d, p["agenda_item"]) for d in meetings for p in pairs
                    if chunks_under(tracker.index, d, p["agenda_item"])})
    evidence = tracker.score(list(commitments.values()), items)
    by_pair = {(title, e.item[1]): e for title, found in evidence.items() for e in found}
    relevance, labels = [], []
    for pair in pairs:
        scored = by_pair.get((pair["commitment"], pair["agenda_item"]))
        if scored is None:
            raise ValueError(f"{pairs_path}: no indexed meeting has the agenda item {pair['agenda_item']!r}")
        relevance.append(scored.relevance)
        labels.append(pair["label"])
    return relevance, labels


def calibrate_on_pairs(tracker: CommitmentTracker, pairs_path: Path) -> tuple[EvidenceThresholds, float]:
    """Fit thresholds on labelled pairs; returns them and the share of pairs they get right."""
    relevance, labels = labelled_relevance(tracker, pairs_path)
    thresholds = fit_thresholds(relevance, labels)
    right = sum(thresholds.classify(r) == label for r, label in zip(relevance, labels))
    return thresholds, right / len(labels)


def save_thresholds(thresholds: EvidenceThresholds, note: str, path: Path = THRESHOLDS_FILE) -> None:
    payload = {"mention": thresholds.mention, "report": thresholds.report, "fitted_on": note}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def to_csv(statuses: list[CommitmentStatus]) -> str:
    return csv_text(
        ["strategy", "key_area", "title", "status", "status_means", "last_discussed", "statement", "evidence"],
        ([s.strategy, s.commitment.key_area, s.commitment.title, s.status, STATUS_MEANINGS[s.status],
          s.last_discussed, s.commitment.statement,
          "; ".join(f"{c.title} > {c.section} ({c.meeting_date}): {c.quote}" for c in s.evidence)]
         for s in statuses))
