"""Word-level evidence: how much of a question's rare vocabulary a passage contains."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index import KeywordIndex, terms
from index.keyword import TOKEN_PATTERN

# Function words and question scaffolding carry no evidence.
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves tell said say says please give list explain describe much many
    anything something does did whats there any being""".split()
)
_QUANTITY_QUESTION = re.compile(r"\b(how (much|many|long|often)|what (percentage|proportion|number|amount)|cost|budget|£)\b", re.I)
_TIME_QUESTION = re.compile(r"\b(when|what (date|day|time|year|month))\b", re.I)
_NUMBER = re.compile(r"[£$]?\d[\d,.]*(%|m\b|k\b)?")
_DATE_WORD = re.compile(r"\b(\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|"
                        r"(january|february|march|april|may|june|july|august|september|october|november|december)\b|"
                        r"\d{1,2}[.:]\d{2}\s*(am|pm)|\b(19|20)\d{2}\b)", re.I)


def content_terms(text: str) -> list[str]:
    """Stemmed terms of ``text`` without stop words, in order, repeats kept."""
    raw = re.findall(TOKEN_PATTERN, text.lower())
    kept = [w for w in raw if w not in STOP_WORDS]
    return terms(" ".join(kept))


@dataclass(frozen=True)
class QueryTerms:
    """A question's content terms with their weights (IDF from the keyword index)."""

    weights: dict[str, float]
    wants_quantity: bool
    wants_time: bool

    @classmethod
    def of(cls, question: str, keyword: KeywordIndex) -> "QueryTerms":
        weights = {t: max(keyword.idf(t), 0.1) for t in dict.fromkeys(content_terms(question))}
        return cls(weights, bool(_QUANTITY_QUESTION.search(question)), bool(_TIME_QUESTION.search(question)))

    @property
    def total(self) -> float:
        return sum(self.weights.values())

    def coverage(self, text_terms: set[str]) -> float:
        """Share of the question's weight that ``text_terms`` contain (0-1)."""
        total = self.total
        if not total:
            return 0.0
        return sum(w for t, w in self.weights.items() if t in text_terms) / total

    def answer_shape_bonus(self, text: str) -> float:
        """Numbers for "how much", dates and times for "when"."""
        bonus = 0.0
        if self.wants_quantity and _NUMBER.search(text):
            bonus += 1.0
        if self.wants_time and _DATE_WORD.search(text):
            bonus += 1.0
        return bonus


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
