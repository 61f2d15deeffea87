"""Document metadata: what the text itself states, then a sidecar file, then the caller."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from pathlib import Path

from ingest.document import ExtractedDocument, LoadError
from ingest.structure import Outline

DOC_TYPES = ("strategy", "minutes", "agenda", "report", "other")
SIDECAR_SUFFIX = ".meta.json"

_MONTHS = {
    m: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for m in names
}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+(\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SLASHED = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")

_BODY_WORDS = r"(?:Board|Committee|Sub-Committee|Cabinet|Panel|Forum|Partnership|Commission|Assembly)"
_BODY = re.compile(
    rf"((?:[A-Z][\w\u2019'-]*(?:\s+(?:and|&|of|for)\s+|\s+)){{1,6}}{_BODY_WORDS})\b"
)
_FULL_COUNCIL = re.compile(r"\b(Full|County|City|Borough|District) Council (meeting|minutes)\b", re.I)


@dataclass(frozen=True)
class DocumentMetadata:
    title: str
    doc_type: str
    body: str = ""
    meeting_date: str = ""  # ISO yyyy-mm-dd, "" when not a meeting paper

    def merged(self, values: dict) -> "DocumentMetadata":
        known = {f.name for f in fields(self)}
        clean = {k: str(v).strip() for k, v in values.items() if k in known and v is not None}
        updated = replace(self, **clean)
        updated.validate()
        return updated

    def validate(self) -> None:
        if self.doc_type not in DOC_TYPES:
            raise ValueError(f"doc_type must be one of {', '.join(DOC_TYPES)}, not {self.doc_type!r}")
        if self.meeting_date:
            try:
                date.fromisoformat(self.meeting_date)
            except ValueError:
                raise ValueError(f"meeting_date must be YYYY-MM-DD, not {self.meeting_date!r}") from None

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def detect_metadata(document: ExtractedDocument, outline: Outline) -> DocumentMetadata:
    """What the document says about itself: its title, kind, board and meeting date."""
    text = document.text
    head = text[:3000]
    title = " ".join((outline.title or document.title_hint or _first_line(text) or document.source.stem).split())
    doc_type = detect_doc_type(title, text)
    body = detect_body(title, head, text)
    meeting_date = ""
    if doc_type != "strategy":
        meeting_date = parse_date(title) or parse_date(head) or parse_date(document.date_hint)
    return DocumentMetadata(title=title, doc_type=doc_type, body=body, meeting_date=meeting_date)


def detect_doc_type(title: str, text: str) -> str:
    low_title = title.lower()
    for word, kind in (("minutes", "minutes"), ("agenda", "agenda"), ("strategy", "strategy"),
                       ("action plan", "strategy"), ("report", "report")):
        if word in low_title:
            return kind
    low = text[:20000].lower()
    record = sum(low.count(p) for p in ("resolved", " met on ", "the board noted", "the committee noted",
                                          "the board received", "the board heard", "apologies for absence"))
    if record >= 2:
        return "minutes"
    if "agenda item" in low and "to note" in low:
        return "agenda"
    if low.count("we will ") >= 5 and ("strategy" in low or "our vision" in low):
        return "strategy"
    if re.search(r"\b(recommendations?|purpose of (the|this) report)\b", low):
        return "report"
    return "other"


def detect_body(title: str, head: str, text: str) -> str:
    """The board or committee: from the title, else the one the text names most."""
    for candidate in (title, head):
        match = _BODY.search(candidate)
        if match and candidate is title:
            return normalise_body(match.group(1), text)
    if _FULL_COUNCIL.search(title):
        return "Council"
    mentions = Counter(normalise_body(m.group(1), text) for m in _BODY.finditer(text[:50000]))
    mentions.pop("", None)
    if mentions:
        body, count = mentions.most_common(1)[0]
        if count >= 2:
            return body
    return ""


def normalise_body(name: str, text: str = "") -> str:
    """One spelling per body, so filters match: "and" becomes "&", leading council name dropped."""
    words = name.split()
    while words and (words[0] in {"The", "the", "A", "An", "Our"} or (
        text and re.search(rf"\b{re.escape(words[0])} (Council|Borough|City Council|County Council)\b", text)
    )):
        words = words[1:]
    result = " ".join(words)
    result = re.sub(r"\s+and\s+", " & ", result)
    return result if re.search(_BODY_WORDS + r"$", result) else ""


def parse_date(text: str) -> str:
    """The first date written in any common UK form, as ISO; "" when there is none."""
    if not text:
        return ""
    found: list[tuple[int, date]] = []
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy"), (_ISO, "iso"), (_SLASHED, "slash")):
        for m in pattern.finditer(text):
            try:
                if order == "dmy":
                    value = date(int(m.group(3)), _month(m.group(2)), int(m.group(1)))
                elif order == "mdy":
                    value = date(int(m.group(3)), _month(m.group(1)), int(m.group(2)))
                elif order == "iso":
                    value = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                else:
                    value = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except (ValueError, KeyError):
                continue
            found.append((m.start(), value))
    return min(found)[1].isoformat() if found else ""


def _month(name: str) -> int:
    key = name.lower().rstrip(".")
    return _MONTHS.get(key) or _MONTHS[key[:3]]


def read_sidecar(path: Path) -> dict:
    """``<file>.meta.json`` beside a document sets metadata the text does not state."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        values = json.loads(sidecar.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LoadError(sidecar, f"invalid metadata sidecar ({exc})") from None
    if not isinstance(values, dict):
        raise LoadError(sidecar, "invalid metadata sidecar (expected a JSON object)")
    return values


def _first_line(text: str) -> str:
    return next((ln.strip() for ln in text.splitlines() if ln.strip()), "")[:200]
