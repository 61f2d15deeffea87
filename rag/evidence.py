"""Sentence-level evidence for a question: computed once, used to decide whether to
answer at all and, by the extractive backend, to choose what to say."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

import numpy as np

from council_qa.config import SentenceWeights
from ingest import long_date, sentence_spans, spoken_issued
from rag.lexical import QueryTerms, content_terms, numbers_in
from rag.types import Sentence, Source

Embed = Callable[[list[str]], list[list[float]]]
DEFAULT_WEIGHTS = SentenceWeights()
FEATURES = ("top_cosine", "sentence_cosine", "sentence_coverage", "chunk_coverage", "unknown_terms", "typed_support",
            "answer_score", "typed_answer", "names_found", "numbers_found")
# More of each feature must mean more (+1) or less (-1) evidence, whatever a small set suggests.
FEATURE_SIGNS = {"top_cosine": 1, "sentence_cosine": 1, "sentence_coverage": 1, "chunk_coverage": 1,
                 "unknown_terms": -1, "typed_support": 1, "answer_score": 1, "typed_answer": 1, "names_found": 1,
                 "numbers_found": 1}


class SentenceVectors:
    """Embeddings of sentences already seen, so repeated sources cost nothing."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, texts: list[str], embed: Embed) -> list[list[float]]:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vectors = embed(missing)
            with self._lock:
                for text, vector in zip(missing, vectors):
                    self._cache[text] = vector
                while len(self._cache) > self._capacity:
                    self._cache.popitem(last=False)
        with self._lock:
            found = []
            for text in texts:
                vector = self._cache.get(text)
                if vector is None:  # evicted meanwhile by another thread
                    vector = embed([text])[0]
                found.append(vector)
            return found


def source_sentences(sources: list[Source], query_embedding: list[float] | None,
                     vectors: SentenceVectors | None, embed: Embed | None, neighbours: int = 1) -> list[Sentence]:
    """Every sentence (of three words or more) of the sources, with its cosine to the question."""
    sentences: list[Sentence] = []
    for source in sources:
        text = source.node.get_content()
        found = []
        for position, (start, end) in enumerate(sentence_spans(text)):
            sentence = " ".join(text[start:end].split())
            if len(sentence.split()) >= 3:
                found.append(Sentence(source, position, sentence, set(content_terms(sentence))))
        for i, sentence in enumerate(found):
            sentence.context = set().union(*(s.terms for s in found[max(0, i - neighbours):i + neighbours + 1]))
        frame_rows(found)
        sentences += found
    if sentences and query_embedding is not None and vectors is not None and embed is not None:
        matrix = np.array(vectors.get([s.text for s in sentences], embed))
        for sentence, cosine in zip(sentences, matrix @ np.array(query_embedding)):
            sentence.cosine = float(cosine)
    return sentences


def frame_rows(sentences: list[Sentence], lines: int = 2) -> None:
    """Each table row ("Parking Income | Value £: 10,896,732.60") framed by the prose lines
    just before its table ("The income and expenditure for ... 2023/2024 was as follows:"):
    a row says nothing alone that its caption does not name."""
    prose: list[Sentence] = []
    for sentence in sentences:
        if " | " in sentence.text:
            sentence.frame = set().union(*(s.terms for s in prose[-lines:]))
        else:
            prose.append(sentence)


def word_credit(cosine: float, weights: SentenceWeights = DEFAULT_WEIGHTS) -> float:
    """The share of its word-match score a sentence of this cosine to the question keeps:
    a question's words count in full only in a sentence near it in meaning ("taking" in
    "taking forward staff wellbeing" is no answer to "people taking their own lives")."""
    low, high = weights.meaning_low, weights.meaning_high
    return min(1.0, max(weights.words_without_meaning, (cosine - low) / (high - low)))


def sentence_score(sentence: Sentence, terms: QueryTerms, weights: SentenceWeights = DEFAULT_WEIGHTS) -> float:
    """How well one sentence answers the question: its rare words, its neighbours' and
    its heading's, its meaning, whether it holds the kind of answer asked for, and its
    source's rank."""
    section_terms = set(content_terms(" ".join(sentence.source.heading_path)))
    words = len(sentence.text.split())
    word_matches = (weights.own_words * terms.coverage(sentence.terms | sentence.frame)
                    + weights.heading_words * terms.coverage(sentence.terms | section_terms)
                    + weights.neighbour_words * terms.coverage(sentence.context | sentence.terms | section_terms))
    return (
        word_credit(sentence.cosine, weights) * word_matches
        + weights.meaning * sentence.cosine
        + weights.answer_shape * terms.answer_shape_bonus(sentence.text, sentence.source.topic)
        + weights.source_rank / sentence.source.n
        - weights.length_penalty * max(0, words - weights.long_after)
    )


def terms_of(source: Source) -> list[str]:
    return content_terms(source.node.get_content() + " " + " ".join(source.heading_path))


@lru_cache(maxsize=4096)
def _paper_numbers(title: str, body: str, meeting_date: str, issued: str) -> frozenset[str]:
    try:
        spoken = long_date(meeting_date) if meeting_date else spoken_issued(issued) if issued else ""
    except ValueError:
        spoken = meeting_date or issued
    return numbers_in(" ".join((title, body, spoken)))


def numbers_held(numbers: frozenset[str], source: Source) -> float:
    """The share of the question's numbers (a year, a date, an item or a sum, each whole:
    "2026/27" is not held by "27" on some page) that one source or its paper's own title,
    body and date (meeting or issue) hold. A question one detail off what the papers say ("in
    2026/27", "at the 15 July meeting") matches a passage as closely as an answerable one
    in every other word."""
    if not numbers:
        return 1.0
    meta = source.node.metadata
    held = numbers_in(source.node.get_content() + " " + " ".join(source.heading_path)) | _paper_numbers(
        str(meta.get("title", "")), str(meta.get("body", "")), str(meta.get("meeting_date", "")),
        str(meta.get("issued", "")))
    return len(numbers & held) / len(numbers)


def naming_terms(source: Source) -> frozenset[str]:
    """The terms a source names things with: its text and headings, and its paper's title
    and body (a passage of "Procedure Rules" need not repeat the rules' name)."""
    meta = source.node.metadata
    return _naming_terms(source.node.get_content(), tuple(source.heading_path), str(meta.get("title", "")),
                         str(meta.get("body", "")))


@lru_cache(maxsize=4096)  # asked of each source when sources are kept for a name, then again for the signal
def _naming_terms(text: str, headings: tuple[str, ...], title: str, body: str) -> frozenset[str]:
    return frozenset(content_terms(" ".join([text, *headings, title, body])))


def naming_sources(sources: list[Source], asked: list[frozenset[str]]) -> tuple[list[Source], frozenset[str]]:
    """The sources that mention every rare proper name a question (or one part of a
    compound question) asks about, renumbered, and the names no source mentions: "EHCPs
    in Enfield" or "Camden" asked of Barnet's papers, where each name is in a chunk or two.
    An answer from a source that does not name the place or body asked about would be
    about another's. ``asked``: each part's rare proper names (``QueryTerms.proper_names``)."""
    wanted = frozenset().union(*asked)
    if not wanted:
        return sources, frozenset()
    held = {s.n: wanted & naming_terms(s) for s in sources}
    kept = [s for s in sources if any(names <= held[s.n] for names in asked)]
    return [replace(s, n=i + 1) for i, s in enumerate(kept)], wanted - set().union(set(), *held.values())


def typed_answer_found(terms: QueryTerms, scores: list[float], fitting_scores: list[float],
                       near_best: float) -> bool:
    """Whether a sentence holding the kind of answer asked for scores near the best one."""
    best = max(scores, default=0.0)
    return not terms.answer_type or any(score >= near_best * best for score in fitting_scores)


def _leading_sentences(sources: list[Source], sentences: list[Sentence], terms: QueryTerms,
                       weights: SentenceWeights) -> tuple[list[Sentence], list[float]]:
    """The sentences of the four best sources, with their scores."""
    leading = {s.n for s in sources[:4]}
    near = [s for s in sentences if s.source.n in leading]
    return near, [sentence_score(s, terms, weights) for s in near]


def has_typed_answer(sources: list[Source], sentences: list[Sentence], terms: QueryTerms,
                     weights: SentenceWeights = DEFAULT_WEIGHTS) -> bool:
    """Whether one part of a compound question finds the kind of answer it asks for."""
    near, scores = _leading_sentences(sources, sentences, terms, weights)
    fitting = [score for s, score in zip(near, scores) if terms.fits(s.text, s.source.topic)]
    return typed_answer_found(terms, scores, fitting, weights.typed_near_best)


def evidence_features(sources: list[Source], sentences: list[Sentence], terms: QueryTerms,
                      top_cosine: float, weights: SentenceWeights = DEFAULT_WEIGHTS) -> dict[str, float]:
    """How well the best sources match the question, by meaning and by rare words.

    Coverage counts the question's words that no chunk contains as missing ("council
    tax" is not half-covered because "council" is everywhere)."""
    known = 1.0 - terms.unknown_share
    near, scores = _leading_sentences(sources, sentences, terms, weights)
    chunk_coverage = max(
        (terms.coverage(set(terms_of(s))) for s in sources[:3]),
        default=0.0,
    )
    best = max(scores, default=0.0)
    fitting = [(s, score) for s, score in zip(near, scores) if terms.fits(s.text, s.source.topic)]
    typed_answer = typed_answer_found(terms, scores, [score for _, score in fitting], weights.typed_near_best)
    named = set().union(*(naming_terms(s) for s in sources)) if sources else set()
    return {
        "typed_answer": float(typed_answer),
        # A rare name the question asks about ("Enfield") that none of the sources mentions.
        "names_found": float(terms.names <= named),
        "numbers_found": max((numbers_held(terms.numbers, s) for s in sources[:3]), default=0.0),
        "top_cosine": top_cosine,
        "sentence_cosine": max((s.cosine for s in near), default=0.0),
        "sentence_coverage": known * max((terms.coverage(s.terms) for s in near), default=0.0),
        "chunk_coverage": known * chunk_coverage,
        "unknown_terms": terms.unknown_share,
        # The best sentence that also holds the kind of answer asked for (a sum, a date, a name).
        "typed_support": max(
            (0.5 * known * terms.coverage(s.terms) + 0.5 * s.cosine for s, _ in fitting),
            default=0.0),
        "answer_score": best,
    }
