"""A strategy's written commitments, as records with provenance.

A commitment is a "We will ..." statement. Where the strategy groups them under
enumerated headings ("Key Area 2", "Priority 3", ...), each heading's sections give
one commitment each: the section heading is its title, its "We will" text the
statement. An implementation plan (an appendix repeating the titles with "done so
far / next / progress" columns) adds what was done, what is next and how progress is
measured, item by item. A strategy laid out any other way still yields every
"We will ..." sentence, titled by the heading it sits under.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field

from ingest.document import ExtractedDocument
from ingest.sentences import sentence_spans
from ingest.structure import Outline, Section

DONE, NEXT, MEASURES = "done", "next", "measures"
# An implementation plan's column headings say what their cells are.
_KIND_OF_COLUMN = [
    (MEASURES, re.compile(r"\b(show|measure|indicator|success|kpi|target|evidence|know)\w*", re.I)),
    (DONE, re.compile(r"\b(done|so far|achieved|to date|completed|have we|delivered)\b", re.I)),
    (NEXT, re.compile(r"\b(next|going to|will we|will do|planned|future|actions?)\b", re.I)),
]
_PLEDGE = re.compile(r"^(we will|we shall|we are committed to|we commit to|we pledge to)\b", re.IGNORECASE)
_GROUP = re.compile(
    r"^(key area|priority|theme|objective|outcome|ambition|pillar|workstream|goal)\s+([0-9]+|[ivxlc]+)\b",
    re.IGNORECASE,
)
_APPENDIX = re.compile(r"^(appendix|annex|annexe|schedule)\b", re.IGNORECASE)
_CONTINUES_ITEM = re.compile(r"^(this|these|it|its|they|their|as one|as a|as part|which|the aim|once)\b", re.IGNORECASE)


@dataclass
class Item:
    """One action, achievement or measure, with where it sits in the extracted text."""

    text: str
    char_start: int
    char_end: int


@dataclass
class Commitment:
    key_area: str
    title: str
    statement: str
    char_start: int
    char_end: int
    done: list[Item] = field(default_factory=list)
    next: list[Item] = field(default_factory=list)
    measures: list[Item] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict) -> "Commitment":
        items = {kind: [Item(**i) for i in raw.get(kind, [])] for kind in (DONE, NEXT, MEASURES)}
        plain = {k: v for k, v in raw.items() if k not in items}
        return cls(**plain, **items)


def extract_commitments(document: ExtractedDocument, outline: Outline) -> list[Commitment]:
    body = [s for s in outline.sections if not (s.path and _APPENDIX.match(s.path[0]))]
    plan = [s for s in outline.sections if s.path and _APPENDIX.match(s.path[0])]
    grouped = any(_group_of(s.path) for s in body)
    commitments: list[Commitment] = []
    for section in body:
        key_area = _group_of(section.path)
        if grouped and not key_area:
            continue  # principles, context: pledges outside the key areas are not commitments
        pledges = [(a, b) for a, b in sentence_spans(document.text, section.start, section.end)
                   if _PLEDGE.match(document.text[a:b])]
        if not pledges:
            continue
        if grouped and section.path[-1] != key_area:
            start, end = pledges[0][0], section.end
            commitments.append(Commitment(key_area, section.path[-1], _clean(document.text[start:end]), start, end))
        else:
            for start, end in pledges:
                title = section.path[-1] if section.path else outline.title
                commitments.append(Commitment(key_area or (section.path[0] if section.path else outline.title),
                                              title, _clean(document.text[start:end]), start, end))
    _attach_plan(document, plan, commitments)
    return commitments


def _attach_plan(document: ExtractedDocument, plan: list[Section], commitments: list[Commitment]) -> None:
    by_title = {_key(c.title): c for c in commitments}
    for section in plan:
        if len(section.path) < 2:
            continue
        kind = column_kind(section.path[-1])
        owner = by_title.get(_key(section.path[-2])) if kind else None
        if owner is None:
            continue
        items: list[Item] = []
        for a, b in sentence_spans(document.text, section.start, section.end):
            text = _clean(document.text[a:b])
            if items and _CONTINUES_ITEM.match(text):  # "This work is intended to ..." explains the last item
                items[-1] = Item(_clean(document.text[items[-1].char_start:b]), items[-1].char_start, b)
            else:
                items.append(Item(text, a, b))
        {DONE: owner.done, NEXT: owner.next, MEASURES: owner.measures}[kind].extend(items)


def column_kind(title: str) -> str | None:
    """``done``, ``next`` or ``measures`` for a plan's column heading; None when unclear."""
    for kind, pattern in _KIND_OF_COLUMN:
        if pattern.search(title):
            return kind
    return None


def _group_of(path: tuple[str, ...]) -> str:
    return next((part for part in path if _GROUP.match(part)), "")


def _key(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).replace("\u2019", "'").casefold()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _clean(text: str) -> str:
    return " ".join(text.split())
