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
# The kind of answer a question asks for, and how to see it in a sentence.
_QUESTION_TYPES = [
    ("person", re.compile(r"^\s*who\b|\bwho (is|was|chairs|chaired|leads|presented|spoke|said)\b|\bname of the\b|"
                          r"\bwhich (officer|councillor|person|member|director)\b", re.I)),
    ("date", re.compile(r"\bwhen\b|\b(what|which) (date|day|time|year|month)\b|\bon what (exact )?date\b|\bhow soon\b",
                        re.I)),
    ("quantity", re.compile(r"\bhow (much|many|large|big|long|often)\b|\bwhat (percentage|proportion|number|amount|"
                            r"share|rate)\b|\b(budget|cost|costs|salary|deficit|population|percentage|per cent)\b|%", re.I)),
]
_MONEY_OR_SHARE = re.compile(r"[£$€]\s?\d|\b\d+(\.\d+)?\s?(%|per ?cent|percent)|\b\d+(\.\d+)?\s?(m|bn|k|million|billion)\b",
                             re.I)
_COUNT = re.compile(r"\b\d{1,3}(,\d{3})+\b|\b(?!(19|20)\d{2}\b)\d+(\.\d+)?\s+[a-z]|\b(one|two|three|four|five|six|"
                    r"seven|eight|nine|ten|eleven|twelve|fifteen|twenty|fifty|hundred|thousand)\b", re.I)
_DAY_MONTH = re.compile(r"\b\d{1,2}(st|nd|rd|th)?\s+(of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
                        r"\b(january|february|march|april|may|june|july|august|september|october|november|december)"
                        r"\s+\d{1,2}(st|nd|rd|th)?\b|\b\d{1,2}[.:]\d{2}\s*(am|pm)\b", re.I)
_MONTH_OR_YEAR = re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|"
                            r"december|spring|summer|autumn|winter)\b|\b(19|20)\d{2}\b", re.I)
_PERSON = re.compile(r"\b(Cllr|Councillor|Dr|Professor|Mr|Mrs|Ms|Miss|Lord|Lady|Sir|Dame)\.? [A-Z]|"
                     r"\b[A-Z][a-z]+ [A-Z][a-z]+(?= from\b| of the\b| said\b| presented\b| \()")


_DEFINITION = re.compile(r"^\s*what\s+(?:is|are|was|were)\s+(?:the|a|an|its|their|our)?\s*([a-z][a-z'-]+)", re.I)


def definition_focus(question: str) -> str:
    """The noun a "What is the X ...?" question asks to define ("vision"), stemmed."""
    match = _DEFINITION.match(question)
    found = terms(match.group(1)) if match else []
    return found[0] if found and match.group(1).lower() not in STOP_WORDS else ""


def defines(text: str, focus: str) -> bool:
    """Whether a sentence states what ``focus`` is: "Our vision is to make Barnet ..."."""
    words = re.findall(r"[a-z']+", text.lower())
    stems = terms(" ".join(words))
    return any(stem == focus and words[i + 1:i + 4] and words[i + 1] in ("is", "are", "was", "were", "will")
               for i, stem in enumerate(stems[:-1]))


def answer_type(question: str) -> str:
    """"person", "date", "quantity", or "" when the question asks for no particular kind."""
    for kind, pattern in _QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return ""


def has_answer_type(text: str, kind: str, exact_date: bool = False) -> bool:
    if kind == "quantity":
        return bool(_MONEY_OR_SHARE.search(text) or _COUNT.search(text))
    if kind == "date":
        return bool(_DAY_MONTH.search(text) or (not exact_date and _MONTH_OR_YEAR.search(text)))
    if kind == "person":
        return bool(_PERSON.search(text))
    return True


def content_terms(text: str) -> list[str]:
    """Stemmed terms of ``text`` without stop words, in order, repeats kept."""
    raw = re.findall(TOKEN_PATTERN, text.lower())
    kept = [w for w in raw if w not in STOP_WORDS]
    return terms(" ".join(kept))


@dataclass(frozen=True)
class QueryTerms:
    """A question's content terms with their weights (IDF from the keyword index)."""

    weights: dict[str, float]
    answer_type: str = ""
    exact_date: bool = False
    unknown_share: float = 0.0  # share of the question's weight on words no chunk contains
    focus: str = ""  # what a "What is the X?" question asks to define

    @classmethod
    def of(cls, question: str, keyword: KeywordIndex) -> "QueryTerms":
        # Words no chunk contains cannot be matched; they count in unknown_share only.
        known = keyword.document_frequencies
        weights = {t: max(keyword.idf(t), 0.1) for t in dict.fromkeys(content_terms(question))
                   if not known or t in known}
        unknown = [t for t in dict.fromkeys(content_terms(question)) if known and t not in known]
        exact = bool(re.search(r"\b(exact|what|which) (date|day)\b|\bon what date\b", question, re.I))
        missing = sum(keyword.idf(t) for t in unknown)
        share = missing / (missing + sum(weights.values())) if missing else 0.0
        return cls(weights, answer_type(question), exact, share, definition_focus(question))

    @property
    def total(self) -> float:
        return sum(self.weights.values())

    def coverage(self, text_terms: set[str]) -> float:
        """Share of the question's weight that ``text_terms`` contain (0-1)."""
        total = self.total
        if not total:
            return 0.0
        return sum(w for t, w in self.weights.items() if t in text_terms) / total

    def fits(self, text: str) -> bool:
        """Whether ``text`` holds the kind of answer asked for (a number for "how much")."""
        return has_answer_type(text, self.answer_type, self.exact_date)

    def answer_shape_bonus(self, text: str) -> float:
        """+1 when a sentence holds the kind of answer asked for (a definition of the thing
        asked about counts), -1 when it cannot answer (no number for "how much")."""
        if not self.answer_type:
            return 1.0 if self.focus and defines(text, self.focus) else 0.0
        return 1.0 if self.fits(text) else -1.0


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
