"""Word-level evidence: how much of a question's rare vocabulary a passage contains."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from council_qa.config import AnswerThresholds
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
    anything something does did whats there any being per""".split()
)
# The kind of answer a question asks for, and how to see it in a sentence. First match wins.
_QUESTION_TYPES = [
    ("person", re.compile(r"\bwho (chairs|chaired|leads|led|presented|spoke|said|introduced)\b|"
                          r"\bwho (is|was|are|were)\b[^?]*\b(director|chair|chairman|chairwoman|chairperson|chief|"
                          r"head|leader|officer|manager|mayor|councillor|commissioner|secretary|president|"
                          r"executive)s?\b|"
                          r"\bname of the (chair|leader|officer|director|person|councillor|member)\b|"
                          r"\bwhich (officer|councillor|person|member|director|speaker)\b", re.I)),
    # "How did the committee vote on ...?", "By what vote was it carried?": the vote's outcome or counts.
    ("vote", re.compile(r"\bhow did\b[^?]*\bvote\b|\b(result|outcome) of the vote\b|\bby what (vote|majority)\b|"
                        r"\bhow many\b[^?]*\bvot(es|ed|ing)\b|\bhow was the vote\b", re.I)),
    # "Which company runs the leisure centres?", "the name of the GP federation": a name, not a description.
    ("organisation", re.compile(r"\b(which|what) (company|companies|firm|organi[sz]ations?|providers?|charity|"
                                r"charities|contractors?|suppliers?|operators?)\b|\bname of the\b", re.I)),
    ("money", re.compile(r"(?=.*\b(how (much|large|big)|what (is|was|does|did|will)\b.*\b(cost|budget|salary|price|"
                         r"deficit)|in pounds)\b).*\b(in pounds|budget|cost|costs|costing|salary|salaries|deficit|"
                         r"overspend|price|spend|spends|spending|spent|funding|money|grant|invested|investment|pay|"
                         r"pays|paid|paying|contribute|contributes|contributed|contribution)\b", re.I)),
    ("percentage", re.compile(r"\bwhat (percentage|proportion|share)\b|\bper ?cent\b|%", re.I)),
    ("duration", re.compile(r"\bhow long\b|\b(waiting|wait|response) times?\b|"
                            r"\bhow many (minutes|hours|days|weeks|months|years)\b", re.I)),
    ("rating", re.compile(r"\b(what|which) (rating|grade|judgement)\b|\bhow (was|were|is|are) .* (rated|judged)\b",
                          re.I)),
    ("time", re.compile(r"\bwhat time\b(?! ?(period|frame|scale))|\b(opening|closing) (hours|times)\b|\bwhat hours\b",
                        re.I)),
    ("count", re.compile(r"\bhow many\b|\bwhat number\b|\bnumber of\b|\bpopulation\b", re.I)),
    ("quantity", re.compile(r"\bhow (much|large|big|often)\b|\bwhat (amount|rate)\b|\brate\b", re.I)),
    ("date", re.compile(r"^\s*when\b|[,;]\s*(and )?when\b|\band when\b|\b(what|which) (date|day|time|year|month)\b|"
                        r"\bon what (exact )?date\b|\bhow soon\b|\bby when\b", re.I)),
]
_NUMBER_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
                 r"hundred|thousand|dozen|half|a third|a quarter")
_MONEY = re.compile(r"[£$€]\s?\d|\b\d+(\.\d+)?\s?(m|bn|k|million|billion)\b|\bpounds\b", re.I)
_SHARE = re.compile(r"\b\d+(\.\d+)?\s?(%|per ?cent|percent)|\b(one|two|three) in (\d+|" + _NUMBER_WORDS + r")\b", re.I)
_DURATION = re.compile(r"\b(\d+(\.\d+)?|" + _NUMBER_WORDS + r"|several|many)[\s-]+"
                       r"(hours?|days?|weeks?|months?|years?)\b", re.I)
# Any amount that is not a year: "4,000", "15 link workers", "seven", "60,000 people".
# Not a label's number: "PCN 2", "Key Area 3", "Phase 1", "Appendix One", "Section 19", "Year 6".
# Nor an ordinal or a day of a month ("1st April", "22 January"), nor part of a name or a
# span ("COVID-19", the "26" of "2025-26").
_LABEL = (r"(?<!area )(?<!phase )(?<!stage )(?<!appendix )(?<!annex )(?<!part )(?<!item )(?<!section )(?<!schedule )"
          r"(?<!paragraph )(?<!table )(?<!figure )(?<!chapter )(?<!article )(?<!clause )(?<!tier )(?<!level )"
          r"(?<!year )(?<!priority )(?<!theme )")
_COUNT = re.compile(r"(?<![£$€])\b\d{1,3}(,\d{3})+\b|"
                    r"(?<![£$€.,])(?<![a-z]-)(?<!\d{4}[-–/])(?-i:(?<![A-Z]{2} )(?<![A-Z]{3} ))" + _LABEL +
                    r"\b(?!(19|20)\d{2}\b)\d+(\.\d+)?(?!st\b|nd\b|rd\b|th\b)"
                    r"(?!\s*(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)\s*[a-z%]|"
                    + _LABEL + r"\b(" + _NUMBER_WORDS + r")\b", re.I)
_COMPOUND = re.compile(r"[-–]([a-z]+)", re.I)  # "three-tiered": a number that counts its own noun
_DAY_MONTH = re.compile(r"\b\d{1,2}(st|nd|rd|th)?\s+(of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
                        r"\b(january|february|march|april|may|june|july|august|september|october|november|december)"
                        r"\s+\d{1,2}(st|nd|rd|th)?\b|\b\d{1,2}[.:]\d{2}\s*(am|pm)\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b", re.I)
# A month a question names ("may" the verb is not May).
_MONTH = re.compile(r"\b(?i:january|february|march|april|june|july|august|september|october|november|december)\b|"
                    r"\bMay\b")
_MONTH_NAME = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)
_MONTH_OR_YEAR = re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|"
                            r"december|spring|summer|autumn|winter)\b|\b(19|20)\d{2}\b", re.I)
_RATING = re.compile(r"\b(outstanding|requires improvement|inadequate|(rated|judged|graded|found to be) (as )?good)\b|"
                     r"\b\d( out of \d| stars?)\b", re.I)
_CLOCK = re.compile(r"\b\d{1,2}([.:]\d{2})?\s*(am|pm)\b|\b\d{1,2}[.:]\d{2}\b|\bnoon\b|\bmidday\b", re.I)
_PERSON = re.compile(r"\b(Cllr|Councillor|Dr|Professor|Mr|Mrs|Ms|Miss|Lord|Lady|Sir|Dame)\.? [A-Z]|"
                     r"\b[A-Z][a-z]+ [A-Z][a-z]+(?= from\b| of the\b| said\b| presented\b)")
# An organisation or a person: two capitalised words together, not at the start of the sentence.
_AGENT = re.compile(r"(?<=\S )(?:[A-Z][\w&'-]+ )+(?:(?:of|and|for|&) )?[A-Z][\w'-]+|\b[A-Z]{2,}\b")
# A vote's outcome or its record: "CARRIED (5 voting FOR, 4 AGAINST)", "Motion passed. Ayes: ...".
_VOTE = re.compile(r"\b(carried|lost|fell|defeated|passed|rejected|unanimous(ly)?|in favou?r|against|abstain\w*|"
                   r"abstentions?|ayes?|noes|nays?|roll call)\b", re.I)
_KIND_PATTERNS = {"rating": [_RATING], "vote": [_VOTE], "time": [_CLOCK], "money": [_MONEY], "percentage": [_SHARE],
                  "duration": [_DURATION], "person": [_PERSON],
                  "organisation": [_AGENT], "count": [_COUNT],
                  "quantity": [_MONEY, _SHARE, _COUNT]}
_TYPED = frozenset(_KIND_PATTERNS) | {"date"}
_NAME_KINDS = frozenset({"person", "organisation"})


# Names a question asks about: capitalised words after its first, and acronyms ("Enfield's", "CQC").
_NAME = re.compile(r"(?<=[\w,;:'’)] )([A-Z][\w'’&-]*)|\b([A-Z]{2,}\w*)\b")
_CALENDAR = frozenset(terms("january february march april may june july august september october november december "
                            "monday tuesday wednesday thursday friday saturday sunday"))


def named_terms(question: str, acronyms: bool = True) -> list[str]:
    """Stemmed terms of the names in a question (not dates); with ``acronyms=False``, only
    of its capitalised words ("Enfield", not "EHCPs", which papers often spell out)."""
    names = [re.sub(r"['’]s$", "", m.group(1) or m.group(2)) for m in _NAME.finditer(question)]
    if not acronyms:
        names = [n for n in names if sum(c.isupper() for c in n) == 1]
    return [t for t in dict.fromkeys(terms(" ".join(names))) if t not in STOP_WORDS and t not in _CALENDAR]


def unmentioned_names(question: str, known: Mapping[str, int]) -> tuple[str, ...]:
    """Names in a question (runs of capitalised words after its first; not acronyms) with
    a word no chunk holds: a place, council or body the papers never mention ("Hendon
    Library" asked of Barnet's papers), for which any passage would be about another."""
    if not known:
        return ()
    runs: list[list[str]] = []
    last_end = -2
    for match in _NAME.finditer(question):
        word = re.sub(r"['’]s$", "", match.group(1) or "")
        if not word or sum(c.isupper() for c in word) > 1:  # "ADHD", "STIs": often spelt out in papers
            last_end = -2
            continue
        if match.start() == last_end + 1 and runs:
            runs[-1].append(word)
        else:
            runs.append([word])
        last_end = match.end()
    found = []
    for run in runs:
        for word in run:
            stems = [t for t in terms(word) if t not in STOP_WORDS and t not in _CALENDAR]
            if stems and not any(t in known for t in stems):
                found.append(" ".join(run))
                break
    return tuple(dict.fromkeys(found))


_FULL_MONTH = re.compile(r"\b(january|february|march|april|may|june|july|august|september|sept|october|november"
                         r"|december)\b", re.I)


def months_named(text: str) -> set[str]:
    """The months a text names in full ("in September 2024"), as three-letter abbreviations;
    "may" counts only capitalised (not "the committee may ...")."""
    return {m.group(1)[:3].lower() for m in _FULL_MONTH.finditer(text) if m.group(1) != "may"}


def surface_names(question: str, stems: Iterable[str]) -> tuple[str, ...]:
    """The words of the question's names whose stems are ``stems``, as the question spells them."""
    wanted = set(stems)
    found = [re.sub(r"['’]s$", "", m.group(1) or m.group(2)) for m in _NAME.finditer(question)]
    return tuple(dict.fromkeys(w for w in found if set(terms(w)) & wanted))


def answer_type(question: str) -> str:
    """"person", "vote", "organisation", "money", "percentage", "duration", "rating", "time",
    "count", "quantity", "date", or "" when the question asks for no particular kind of answer."""
    for kind, pattern in _QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return ""


def answer_spans(text: str, kind: str, exact_date: bool = False) -> list[tuple[int, int]]:
    """Where ``text`` holds an answer of ``kind``: a sum for "how much did it cost", a day
    and month for "on what date", a name for "who"."""
    if kind == "date":
        patterns = [_DAY_MONTH] if exact_date else [_DAY_MONTH, _MONTH_OR_YEAR]
    else:
        patterns = _KIND_PATTERNS.get(kind, [])
    return [m.span() for p in patterns for m in p.finditer(text)]


def has_answer_type(text: str, kind: str, exact_date: bool = False) -> bool:
    return kind not in _TYPED or bool(answer_spans(text, kind, exact_date))


_LIST_QUESTION = re.compile(
    r"\b(what are|which are|list|name the|what (were|have|has) (been )?(done|achieved|planned)|what will|what is planned|"
    r"commitments|principles|priorities|key areas|areas of focus|themes|measures|actions|items|steps)\b",
    re.IGNORECASE,
)


def asks_for_list(question: str) -> bool:
    """Whether a question asks for several things ("What are the commitments ...?")."""
    return bool(_LIST_QUESTION.search(question))


_NUMBER = re.compile(r"\d+(?:[.,/\u2013-]\d+)*")


def numbers_in(text: str) -> frozenset[str]:
    """The numbers ``text`` writes, each whole ("2026/27", "2,467,388", "5.5"), with
    thousands commas dropped and a span's separator made one ("2026/27" is "2026-27")."""
    return frozenset(re.sub(r"[/\u2013]", "-", n.replace(",", "")) for n in _NUMBER.findall(text))


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
    names: frozenset[str] = frozenset()  # rare names the papers hold that an answer must be about
    proper_names: frozenset[str] = frozenset()  # those of them that are words, not acronyms
    anchors: frozenset[str] = frozenset()  # the question's specific words, to tie a typed answer to it
    months: frozenset[str] = frozenset()  # "on what date in March": the day asked for is in March
    unmentioned: tuple[str, ...] = ()  # names no chunk holds a word of (see unmentioned_names)
    anchor_window: int = AnswerThresholds.anchor_window
    numbers: frozenset[str] = frozenset()  # the question's numbers as written ("2026-27", "15"): see numbers_in

    @classmethod
    def of(cls, question: str, keyword: KeywordIndex,
           thresholds: AnswerThresholds = AnswerThresholds()) -> "QueryTerms":
        # Words no chunk contains cannot be matched; they count in unknown_share only.
        known = keyword.document_frequencies
        weights = {t: max(keyword.idf(t), 0.1) for t in dict.fromkeys(content_terms(question))
                   if not known or t in known}
        unknown = [t for t in dict.fromkeys(content_terms(question)) if known and t not in known]
        exact = bool(re.search(r"\b(exact|what|which) (date|day)\b|\bon what date\b", question, re.I))
        missing = sum(keyword.idf(t) for t in unknown)
        share = missing / (missing + sum(weights.values())) if missing else 0.0
        rare = max(1, int(thresholds.rare_name_share * keyword.size))
        names = frozenset(t for t in named_terms(question) if 0 < known.get(t, 0) <= rare)
        # Not a number: "100,000" in "rate per 100,000 people" ties nothing to the question.
        anchors = frozenset(t for t in weights if known.get(t, 0) <= thresholds.anchor_share * keyword.size
                            and not t.isdigit())
        months = frozenset(m.group(0).lower()[:3] for m in _MONTH.finditer(question)) if exact else frozenset()
        proper = names & frozenset(named_terms(question, acronyms=False))
        return cls(weights, answer_type(question), exact, share, names, proper, anchors, months,
                   unmentioned_names(question, known), thresholds.anchor_window, numbers_in(question))

    @property
    def total(self) -> float:
        return sum(self.weights.values())

    def coverage(self, text_terms: set[str]) -> float:
        """Share of the question's weight that ``text_terms`` contain (0-1)."""
        total = self.total
        if not total:
            return 0.0
        return sum(w for t, w in self.weights.items() if t in text_terms) / total

    def fits(self, text: str, topic: str = "") -> bool:
        """Whether ``text`` holds the kind of answer asked for (a number for "how much"),
        next to one of the question's own specific words ("£80,000 ... per child") or
        under a heading that holds one ("seven PCNs have been formed" under "Primary Care
        Networks" answers "how many GP networks")."""
        if self.answer_type not in _TYPED:
            return True
        topic_terms = set(content_terms(topic)) if topic else set()
        asked = self.weights.keys()
        for start, end in answer_spans(text, self.answer_type, self.exact_date):
            named = {m.group(1).lower() for m in _MONTH_NAME.finditer(text, start, end)}
            if self.months and named and not named & self.months:  # "12/03/2026" names none: it may fit
                continue
            if self.answer_type in _NAME_KINDS and set(content_terms(text[start:end])) <= asked:
                continue  # "the GP federation" names nothing the question did not
            compound = _COMPOUND.match(text, end)
            if compound and not set(content_terms(compound.group(1))) <= asked:
                continue  # "three-tiered" answers "how many tiers", not "how many children"
            window = text[max(0, start - self.anchor_window):end + self.anchor_window]
            if not self.anchors or self.anchors & (set(content_terms(window)) | topic_terms):
                return True
        return False

    def answer_shape_bonus(self, text: str, topic: str = "") -> float:
        """+1 when a sentence holds the kind of answer asked for, -1 when it cannot answer
        (no number for "how much"); 0 when the question asks for no particular kind."""
        if not self.answer_type:
            return 0.0
        return 1.0 if self.fits(text, topic) else -1.0


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
