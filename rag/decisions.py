"""The decisions register: every decision the indexed minutes and decision notices record.

Read from the records ingest kept (``ingest.decisions``): nothing is parsed at query time,
and a document's decisions come and go with it. No model is loaded, so listing is quick.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache

from council_qa.config import DECISION_OUTCOMES as OUTCOMES, AnswerThresholds, Settings
from index import CouncilIndex, Manifest, RecordStore
from ingest.decisions import KINDS, Decision
from ingest.metadata import page_url, parse_date
from rag.export import csv_text
from rag.lexical import QueryTerms, content_terms, has_answer_type, months_named


@dataclass(frozen=True)
class RegisterEntry:
    """A decision with the meeting and paper it belongs to."""

    decision: Decision
    doc_id: str
    title: str
    body: str
    meeting_date: str
    source: str
    url: str = ""  # the published paper at the decision's page, when fetched from a council site

    def to_dict(self) -> dict:
        return {"meeting_date": self.meeting_date, "body": self.body, "title": self.title, "source": self.source,
                "url": self.url, "doc_id": self.doc_id, **self.decision.to_dict()}

    @property
    def voters(self) -> list[tuple[str, tuple[str, ...]]]:
        """The members a roll call names, side by side ("for", names), sides it names only."""
        d = self.decision
        return [(side, names) for side, names in (("for", d.voted_for), ("against", d.voted_against),
                                                  ("abstaining", d.voted_abstain), ("absent", d.absent)) if names]

    @property
    def item_text(self) -> str:
        """The item as a sentence names it: "item 10, Bristol Resident Parking Scheme"."""
        d = self.decision
        return ", ".join(part for part in (f"item {d.item_number}" if d.item_number else "", d.item_title) if part) \
            or "this item"

    @property
    def counts_text(self) -> str:
        """"5 for, 4 against": the counts the paper prints, in words; "" when none."""
        d = self.decision
        return ", ".join(f"{count} {side}" for count, side in ((d.votes_for, "for"), (d.votes_against, "against"),
                                                               (d.votes_abstain, "abstaining")) if count is not None)

    @property
    def votes(self) -> str:
        """"6-0-3" (for, against, abstaining), "-" for a figure not printed, "" for none."""
        counts = (self.decision.votes_for, self.decision.votes_against, self.decision.votes_abstain)
        if all(c is None for c in counts):
            return ""
        return "-".join("?" if c is None else str(c) for c in counts)


@dataclass(frozen=True)
class DecisionFilter:
    """Which decisions to list; every field optional. Dates are YYYY-MM-DD."""

    body: str | None = None
    since: str | None = None
    until: str | None = None
    outcome: str | None = None
    search: str | None = None

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value and parse_date(value) != value:
                raise ValueError(f"--{name} must be a date written YYYY-MM-DD, not {value!r}")
        if self.outcome and self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {self.outcome!r}")

    def admits(self, entry: RegisterEntry) -> bool:
        if self.body and self.body.lower() not in entry.body.lower():
            return False
        if self.since and (not entry.meeting_date or entry.meeting_date < self.since):
            return False
        if self.until and (not entry.meeting_date or entry.meeting_date > self.until):
            return False
        if self.outcome and entry.decision.outcome != self.outcome:
            return False
        if self.search:
            haystack = " ".join([entry.decision.item_title, entry.decision.passage, entry.title]).lower()
            return all(word in haystack for word in re.findall(r"\w+", self.search.lower()))
        return True


def decisions_register(settings: Settings, filters: DecisionFilter = DecisionFilter()) -> list[RegisterEntry]:
    """The register's entries that pass ``filters``, by meeting date, paper and position."""
    entries = _entries(Manifest.load(settings.manifest_path).ready(), RecordStore(settings.records_path))
    return [e for e in entries if filters.admits(e)]


def _entries(ready: dict, records: RecordStore) -> list[RegisterEntry]:
    entries = []
    for record in records.records(list(ready)):
        source = ready[record.doc_id].sources[0] if ready[record.doc_id].sources else ""
        meta = record.metadata
        entries += [RegisterEntry(d, record.doc_id, meta.title, meta.body, meta.meeting_date, source,
                                  page_url(meta.source_url, d.page))
                    for d in record.decisions]
    entries.sort(key=lambda e: (e.meeting_date, e.source, e.decision.start))
    return entries


# -- answering from the register ------------------------------------------------------

# A question about a decision or a vote ("How did the committee vote on ...?", "Who
# seconded ...?", "Was the amendment carried?", "What did the board decide about ...?").
DECISION_QUESTION = re.compile(
    r"\b(?:vot(?:e|ed|es|ing)|carried|passed|lost|fell|failed|propos(?:e|ed)|moved|second(?:ed)?|decid(?:e|ed)|"
    r"decisions?|resolv(?:e|ed)|approv(?:e|ed|al)|agreed|amendments?|motions?|recommendations?|abstain\w*|"
    r"in favour|against)\b", re.I)

_PUT_TO_THE_MEETING = ("carried", "lost", "fell", "approved", "agreed")  # not noted, deferred or withdrawn
_ADOPTED = ("carried", "approved", "agreed")
# "What did the board decide about ...?": what it resolved, not a motion it turned down;
# unless the question asks about an outcome or the vote itself.
_DECIDED_ASKED = re.compile(r"\bdecid(?:e|ed)\b|\bdecisions?\b", re.I)
_OUTCOME_ASKED = re.compile(r"\b(?:carried|passed|lost|fell|failed|rejected|defeated|withdrawn|deferred|vot\w*)\b", re.I)
_VOTE_ASKED = re.compile(r"\bvot(?:e|ed|es|ing)\b|\bhow many\b.*\b(?:for|against|favour)\b", re.I)
# "Which councillors voted against ...?", "Who abstained?", "Which members were absent?":
# members by name, which only a roll call gives. The words between name who is asked about
# ("Norwalk Housing Authority commissioners"), never another act ("Who proposed the motion
# that members voted for?").
_NAMES_ASKED = re.compile(r"\b(?:who|which)\b(?:\s+(?!that\b|which\b|whom\b)[\w'’&-]+(?<!ed)){0,6}?\s+"
                          r"(?:vot(?:ed|ing)\s+(?:for|against|in\s+favou?r)|abstained"
                          r"|(?:was|were)\s+(?P<absent>absent))\b", re.I)


def names_asked(question: str) -> str | None:
    """"voters" for a question asking who voted a way or abstained, "absent" for one asking
    who was absent, None for any other."""
    asked = _NAMES_ASKED.search(question)
    return None if asked is None else "absent" if asked.group("absent") else "voters"


def names_held(entry: RegisterEntry, asked: str) -> bool:
    """Whether the entry's paper names the members ``names_asked`` found asked for."""
    return bool(entry.decision.absent) if asked == "absent" else entry.decision.named_voters


def register_of(index: CouncilIndex) -> list[RegisterEntry]:
    """The whole register of an open index, read once per index generation."""
    cached = index.derived.get("decisions")
    if cached is None:
        cached = index.derived["decisions"] = _entries(index.manifest.ready(), index.records)
    return cached


@lru_cache(maxsize=100_000)  # read once per entry, not once per question
def _entry_terms(entry: RegisterEntry) -> frozenset[str]:
    month = ""
    if entry.meeting_date:
        year, number = entry.meeting_date[:4], int(entry.meeting_date[5:7])
        month = f"{calendar.month_name[number]} {year}"
    return frozenset(content_terms(" ".join([entry.decision.item_title, entry.decision.passage, entry.body,
                                             entry.title, month])))


@lru_cache(maxsize=100_000)
def _passage_terms(entry: RegisterEntry) -> frozenset[str]:
    return frozenset(content_terms(entry.decision.passage))


def matching_decision(question: str, terms: QueryTerms, entries: list[RegisterEntry],
                      thresholds: AnswerThresholds = AnswerThresholds()) -> RegisterEntry | None:
    """The one register entry a decision question asks about, or None.

    It must be of the meeting month and year the question names, if any, and hold most of
    the question's words, more of them than any other item's decision (a neighbouring
    item's vote is never taken for it). Within an item ("Recommendation 2A", "2B", an
    amendment) the decision of the kind the question names, then, for a question about the
    vote, one that records the counts, then, for "what did they decide", one that was
    adopted (not a motion turned down), then the one whose own passage holds most of its
    words, wins; the minutes and the decision notice of one meeting record the same item,
    and the one with the vote wins. A question about the vote takes only a record of one."""
    if not entries or not DECISION_QUESTION.search(question):
        return None
    months = months_named(question)
    years = set(re.findall(r"\b(?:19|20)\d\d\b", question))
    dated = [e for e in entries if _on(e, months, years)]
    asked_kinds = {kind for kind in KINDS if kind in question.lower()}  # "the amendment", "the recommendations"
    items: dict[tuple[str, str], set[str]] = {}  # an item's words: all its decisions' passages
    for e in dated:
        items.setdefault((e.source, e.decision.item_number), set()).update(_entry_terms(e))
    counts_asked = bool(_VOTE_ASKED.search(question))  # "What was the vote?": the record with the counts
    adopted_asked = bool(_DECIDED_ASKED.search(question)) and not _OUTCOME_ASKED.search(question)
    scored = sorted(((terms.coverage(items[e.source, e.decision.item_number]), e.decision.kind in asked_kinds,
                      counts_asked and e.votes != "", adopted_asked and e.decision.outcome in _ADOPTED,
                      terms.coverage(_passage_terms(e)), e.votes != "",
                      bool(e.decision.proposer), -i) for i, e in enumerate(dated)), reverse=True)
    if not scored or scored[0][0] < thresholds.decision_match:
        return None
    best = dated[-scored[0][-1]]
    if any(_item_of(dated[-row[-1]]) != _item_of(best) for row in scored[1:] if row[0] >= scored[0][0]):
        return None
    if terms.answer_type == "vote" and not (best.votes or best.decision.outcome in _PUT_TO_THE_MEETING
                                            or has_answer_type(best.decision.passage, "vote")):
        return None  # "How did they vote?" of an item the meeting only noted or deferred
    return best


def _on(entry: RegisterEntry, months: set[str], years: set[str]) -> bool:
    """Whether the entry's meeting is in the months and years a question names (if any)."""
    if not entry.meeting_date or not (months or years):
        return True
    month = calendar.month_abbr[int(entry.meeting_date[5:7])].lower()
    return (not months or month in months) and (not years or entry.meeting_date[:4] in years)


def _item_of(entry: RegisterEntry) -> tuple[str, str, str]:
    return entry.body, entry.meeting_date, entry.decision.item_number


CSV_COLUMNS = ("meeting_date", "body", "item_number", "item_title", "kind", "outcome", "votes_for",
               "votes_against", "votes_abstain", "proposer", "seconder", "voted_for", "voted_against",
               "voted_abstain", "absent", "page", "title", "source", "url", "passage")


def to_csv(entries: list[RegisterEntry]) -> str:
    """The entries as CSV; a roll call's names in one cell per side, "; " between them."""
    def cell(value: object) -> object:
        return "; ".join(value) if isinstance(value, tuple) else value
    return csv_text(CSV_COLUMNS, ([cell(entry.to_dict()[c]) for c in CSV_COLUMNS] for entry in entries))
