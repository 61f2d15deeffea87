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
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from council_qa.config import Settings
from ingest import SECTION_SEPARATOR, sentence_spans
from rag.backends.base import AnswerContext, Source, Turn
from rag.conversation import condense_by_rule
from rag.lexical import QueryTerms, content_terms, jaccard

MAX_SENTENCES = 3
MAX_LIST_ITEMS = 6
MAX_WORDS = 110
_LIST_QUESTION = re.compile(
    r"\b(what are|which are|list|name the|what (were|have|has) (been )?(done|achieved|planned)|what will|what is planned|"
    r"commitments|principles|priorities|key areas|areas of focus|themes|measures|actions|items|steps)\b",
    re.IGNORECASE,
)


@dataclass
class ScoredSentence:
    source: Source
    text: str
    position: int
    terms: set[str]
    score: float


class SentenceVectors:
    """Embeddings of sentences already seen, so repeated sources cost nothing."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, texts: list[str], embed) -> list[list[float]]:
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
            for text in texts:
                self._cache.move_to_end(text)
            return [self._cache[t] for t in texts]


class ExtractiveBackend:
    name = "extractive"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.vectors = SentenceVectors()

    def condense(self, question: str, history: list[Turn]) -> str:
        return condense_by_rule(question, history)

    def score_sentences(self, sources: list[Source], context: AnswerContext) -> list[ScoredSentence]:
        terms: QueryTerms = context.terms
        candidates: list[tuple[Source, int, str]] = []
        for source in sources:
            text = source.node.get_content()
            for position, (start, end) in enumerate(sentence_spans(text)):
                sentence = " ".join(text[start:end].split())
                if len(sentence.split()) >= 3:
                    candidates.append((source, position, sentence))
        similarities = self._similarities([c[2] for c in candidates], context)
        scored = []
        for (source, position, sentence), similarity in zip(candidates, similarities):
            rank = source.n - 1
            section_terms = set(content_terms(str(source.node.metadata.get("section", ""))))
            sentence_terms = set(content_terms(sentence))
            words = len(sentence.split())
            score = (
                0.8 * terms.coverage(sentence_terms)
                + 0.3 * terms.coverage(sentence_terms | section_terms)
                + 1.0 * similarity
                + 0.2 * terms.answer_shape_bonus(sentence)
                + 0.15 / (1 + rank)
                - 0.004 * max(0, words - 45)
            )
            scored.append(ScoredSentence(source, sentence, position, sentence_terms, score))
        return scored

    def _similarities(self, sentences: list[str], context: AnswerContext) -> list[float]:
        if not sentences or context.query_embedding is None or context.embed_texts is None:
            return [0.0] * len(sentences)
        import numpy as np

        vectors = np.array(self.vectors.get(sentences, context.embed_texts))
        return [float(x) for x in vectors @ np.array(context.query_embedding)]

    def select(self, scored: list[ScoredSentence], wants_list: bool) -> list[ScoredSentence]:
        ranked = sorted(scored, key=lambda s: s.score, reverse=True)
        if not ranked:
            return []
        limit = MAX_LIST_ITEMS if wants_list else MAX_SENTENCES
        floor = (0.55 if wants_list else 0.7) * ranked[0].score
        chosen: list[ScoredSentence] = []
        words = 0
        for candidate in ranked:
            if len(chosen) == limit or candidate.score < floor:
                break
            if any(jaccard(candidate.terms, c.terms) > 0.5 for c in chosen):
                continue
            length = len(candidate.text.split())
            if chosen and words + length > MAX_WORDS * (2 if wants_list else 1):
                continue
            chosen.append(candidate)
            words += length
        # Best first; sentences of one source keep the source's own order.
        first_rank: dict[int, int] = {}
        for i, c in enumerate(chosen):
            first_rank.setdefault(c.source.n, i)
        return sorted(chosen, key=lambda c: (first_rank[c.source.n], c.position))

    def generate(self, question: str, sources: list[Source], context: AnswerContext) -> Iterator[str]:
        wants_list = bool(_LIST_QUESTION.search(question))
        chosen = self.select(self.score_sentences(sources, context), wants_list)
        labelled = len({heading_label(c.source) for c in chosen}) > 1
        for i, sentence in enumerate(chosen):
            context.quotes.setdefault(sentence.source.n, sentence.text)
            text = sentence.text if sentence.text[-1] in ".!?" else sentence.text + "."
            label = heading_label(sentence.source) if labelled else ""
            if label and label.lower() not in text.lower():
                text = f"{label}: {text}"
            separator = "" if i == 0 else ("\n" if wants_list else " ")
            yield f"{separator}{'- ' if wants_list else ''}{text} [{sentence.source.n}]"


def heading_label(source: Source) -> str:
    """The heading that names what a sentence is about (a column heading names its parent)."""
    path = [p for p in str(source.node.metadata.get("section", "")).split(SECTION_SEPARATOR) if p]
    if not path:
        return ""
    if path[-1].endswith("?") and len(path) > 1:
        return f"{path[-2]} ({path[-1].rstrip('?').lower()})"
    return path[-1]
