"""The decisions register: every decision the indexed minutes and decision notices record.

Read from the records ingest kept (``ingest.decisions``): nothing is parsed at query time,
and a document's decisions come and go with it. No model is loaded, so listing is quick.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from council_qa.config import DECISION_OUTCOMES as OUTCOMES, Settings
from index import Manifest, RecordStore
from ingest.decisions import Decision
from ingest.metadata import parse_date


@dataclass(frozen=True)
class RegisterEntry:
    """A decision with the meeting and paper it belongs to."""

    decision: Decision
    doc_id: str
    title: str
    body: str
    meeting_date: str
    source: str

    def to_dict(self) -> dict:
        return {"meeting_date": self.meeting_date, "body": self.body, "title": self.title, "source": self.source,
                "doc_id": self.doc_id, **self.decision.to_dict()}

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
    ready = Manifest.load(settings.manifest_path).ready()
    entries = []
    for record in RecordStore(settings.records_path).records(list(ready)):
        source = ready[record.doc_id].sources[0] if ready[record.doc_id].sources else ""
        meta = record.metadata
        entries += [RegisterEntry(d, record.doc_id, meta.title, meta.body, meta.meeting_date, source)
                    for d in record.decisions]
    entries.sort(key=lambda e: (e.meeting_date, e.source, e.decision.start))
    return [e for e in entries if filters.admits(e)]


CSV_COLUMNS = ("meeting_date", "body", "item_number", "item_title", "kind", "outcome", "votes_for",
               "votes_against", "votes_abstain", "proposer", "seconder", "page", "title", "source", "passage")


def to_csv(entries: list[RegisterEntry]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        row = entry.to_dict()
        writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
    return buffer.getvalue()
