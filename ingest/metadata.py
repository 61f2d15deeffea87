"""Document metadata: what the text itself states, then a sidecar file, then the caller."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from pathlib import Path

from council_qa.config import DOC_TYPES
from ingest.document import ExtractedDocument, LoadError
from ingest.furniture import is_furniture
from ingest.structure import Outline

SIDECAR_SUFFIX = ".meta.json"
CHUNK_FIELDS = ("title", "doc_type", "body", "meeting_date", "issued", "source_url")

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
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\.?,?\s+(\d{{4}})\b", re.I)
_ISSUED = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")

_BODY_WORDS = r"(?:Board|Committee|Sub-Committee|Cabinet|Panel|Forum|Partnership|Commission|Assembly|Authority|Council)"
_BODY = re.compile(
    rf"((?:[A-Z][\w\u2019'-]*(?:\s+(?:and|&|of|for)\s+|\s+)){{1,6}}{_BODY_WORDS})\b"
)


@dataclass(frozen=True)
class DocumentMetadata:
    title: str
    doc_type: str
    body: str = ""
    meeting_date: str = ""  # ISO yyyy-mm-dd, "" when not a meeting paper
    source_url: str = ""  # where the paper is published, when it was fetched from there
    council: str = ""  # the council (or authority) whose paper it is: "Barnet", "Bristol"; "" unknown
    issued: str = ""  # yyyy-mm or yyyy-mm-dd a paper that is not of a meeting is dated on its front page

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
        if self.issued and not _ISSUED.match(self.issued):
            raise ValueError(f"issued must be YYYY-MM or YYYY-MM-DD, not {self.issued!r}")
        if self.source_url and not re.match(r"https?://\S+$", self.source_url):
            raise ValueError(f"source_url must be an http(s) URL, not {self.source_url!r}")

    def as_dict(self) -> dict[str, str]:
        data = asdict(self)
        for optional in ("source_url", "council", "issued"):  # so records written before they existed read the same
            if not data[optional]:
                del data[optional]
        return data

    def chunk_fields(self) -> dict[str, str]:
        """What every chunk of the document carries: a change means its chunks change."""
        return {k: v for k, v in self.as_dict().items() if k in CHUNK_FIELDS}

    @property
    def meeting_day(self) -> int:
        """The meeting date as a number (20260122), so a date range filters with < and >."""
        return int(self.meeting_date.replace("-", "")) if self.meeting_date else 0


# Kinds of paper, by the words their front page uses for itself. Where several appear,
# the earliest wins (a title comes before the body text that mentions other papers);
# at one place, the longer phrase wins ("annual report" over "report").
_KIND_WORDS = [
    ("decision", r"decision (recording form|notice|record|sheet)|record of (the )?decisions?|decisions? (taken|made) by"),
    ("questions", r"public questions|questions (and|&) (answers|responses)|questions to the"),
    ("plan", r"forward plan|work ?programme|schedule of meetings|meeting schedule|development scheme"),
    ("strategy", r"strategy|local plan|planning document|annual report|impact report|evidence[- ]based review|"
                 r"needs? assessment|policy statement"),
    ("minutes", r"minutes of|minutes$|^minutes|meeting minutes|regular meeting minutes"),
    ("agenda", r"agenda|notice of (a )?(special |regular )?meeting|meeting (is )?cancell?ed"),
    ("report", r"report to:|report of|committee report|report title|purpose of (the |this )?report|"
               r"impact assessment|\breport\b"),
]
_KIND = [(kind, re.compile(rf"(?:{words})", re.I | re.M)) for kind, words in _KIND_WORDS]
_PLAN = dict(_KIND)["plan"]


def names_a_plan(text: str) -> bool:
    """Whether a title or heading names a plan of future business ("Forward Work Programme")."""
    return bool(_PLAN.search(text))


_KIND_WORD = re.compile(r"\s+(agenda|minutes|meeting|report|notice|papers?)$", re.I)
_FRONT_CHARS = 1500
_KIND_LINES = 15  # a paper says what it is near its top
_LABELLED = {
    "title": re.compile(r"^(?:report )?(?:title|subject)\s*:\s*(.+)$", re.I | re.M),
    "body": re.compile(r"^(?:committee|report to|board)\s*:\s*(.+)$", re.I | re.M),
}
_BODY_OF = re.compile(
    rf"\b(?i:minutes|meeting|agenda|decisions?|report|notice) (?i:of|to) (?:the |a |an )?"
    rf"((?:[A-Z][\w\u2019'&-]*\s+(?:(?:and|&|of|for|on)\s+)?){{0,6}}{_BODY_WORDS})\b"
)
_BODY_NAMED_OF = re.compile(r"\b((?:Board|Commission|Committee|Council) of (?:[A-Z][\w-]*[ \t]*(?:and |& )?){1,4})")
_NOT_A_MEETING = ("strategy", "other")
_ROLE = re.compile(r"\s+(officer|clerk|secretary|manager|services|support)s?\b", re.I)
_SHORT_KIND_LINE = 4  # "Regular Meeting Agenda": too short to be a title without its body


@dataclass(frozen=True)
class FrontPage:
    """The words a paper prints about itself: its first page, site chrome left out."""

    lines: tuple[str, ...]
    headings: tuple[str, ...]  # the first page's headings in its largest type

    @classmethod
    def of(cls, document: ExtractedDocument) -> "FrontPage":
        end = document.pages[0].end if document.pages and document.pages[0].end > 200 else _FRONT_CHARS
        end = min(end, _FRONT_CHARS * 2)
        lines = tuple(" ".join(ln.split()) for ln in document.text[:end].splitlines())
        marks = [h for h in document.headings or [] if h.start < end and not h.in_body_type]
        top = min((h.level for h in marks), default=0)
        return cls(tuple(ln for ln in lines if not is_furniture(ln)),
                   tuple(_clean(h.title) for h in marks if h.level == top))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def names(self) -> str:
        """Capitals in title case and a name's wrapped last word ("... Authority" /
        "COMMITTEE") joined back, so a body's name reads as one name."""
        out: list[str] = []
        for line in self.lines:
            if out and out[-1] and line and (len(line.split()) <= 2 and line[0].isupper() or line[0].islower()) \
                    and not out[-1].endswith((".", ":", ";")):
                out[-1] = f"{out[-1]} {line}"
            else:
                out.append(line)
        return "\n".join(_unshout(ln) for ln in out)


def detect_metadata(document: ExtractedDocument, outline: Outline) -> DocumentMetadata:
    """What the paper says about itself on its front page: title, kind, body, meeting date."""
    front = FrontPage.of(document)
    doc_type, kind_line = _kind_of(front)
    if doc_type == "other":
        doc_type = _kind_by_record(document.text)
    body = "" if doc_type in _NOT_A_MEETING else detect_body(front, kind_line, document.text)
    title = detect_title(document, outline, front, kind_line, body)
    meeting_date = ""
    if doc_type not in _NOT_A_MEETING and doc_type != "plan":
        meeting_date = parse_date(front.text) or parse_date(document.date_hint)
    # A paper not of a meeting is dated by its cover, else by the running lines on its pages;
    # a web page has no cover (its first lines are prose about past events), only its markup's date.
    if meeting_date:
        issued = ""
    elif document.format == "html":
        issued = parse_date(document.date_hint)
    else:
        issued = issued_date(front.text) or issued_date("\n".join(document.running))
    return DocumentMetadata(title=title, doc_type=doc_type, body=body, meeting_date=meeting_date,
                            council=detect_council(front.text, document.text[:_COUNCIL_CHARS]), issued=issued)


# A council as papers name it: "London Borough of Barnet", "Bristol City Council",
# "West of England Combined Authority", "City of East Palo Alto".
_PLACE = r"[A-Z][a-z]+(?:(?:[ -]upon[ -]| on | of | and | & |[ -])[A-Z][a-z]+){0,3}"
_COUNCIL_NAMES = [re.compile(p) for p in (
    rf"\b(?:London|Royal) Borough of ({_PLACE})",
    rf"\b({_PLACE}) (?:(?:City|County|Borough|District|Metropolitan Borough|Town) )?Council\b",
    rf"\b({_PLACE}) (?:Mayoral )?Combined Authority\b",
    rf"\bCity of ({_PLACE})\b",
)]
# Words a council's name is wrapped in that are not the place ("The", "Full Council").
_NOT_PLACE = {"The", "This", "Full", "Our", "Each", "Every", "Local", "Unitary", "Combined", "Regional", "Principal",
              "Parish", "Town", "City", "County", "Borough", "District", "Metropolitan", "Mayoral", "Authority"}
_COUNCIL_CHARS = 20_000


def detect_council(front: str, opening: str) -> str:
    """The council a paper is by: the one its front page names most, or else the one its
    opening pages name most (at least twice); "" when none stands out."""
    for text, least in ((front, 1), (opening, 2)):
        counts = Counter(name for pattern in _COUNCIL_NAMES for m in pattern.finditer(text)
                         if (name := _place_of(m.group(1))))
        ranked = counts.most_common(2)
        if ranked and ranked[0][1] >= least and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            return ranked[0][0]
    return ""


def _place_of(name: str) -> str:
    name = re.sub(rf"^.*\b{_BODY_WORDS} of ", "", name)  # "Health and Wellbeing Board of Barnet"
    words = name.split()
    while words and words[0] in _NOT_PLACE:
        words = words[1:]
    while words and words[-1] in _NOT_PLACE:
        words = words[:-1]
    return " ".join(words)


def council_key(name: str) -> str:
    """A council's name compared loosely: "Barnet", "barnet", "Barnet Council", "London
    Borough of Barnet" and "City of Bristol" / "Bristol City Council" give one key each."""
    place = re.sub(r"^(?:(?:London|Royal) Borough of|City and County of|City of|County of)\s+", "", name.strip(), flags=re.I)
    place = re.sub(r"\s+(?:(?:City|County|Borough|District|Metropolitan Borough|Town)\s+)?Council$|"
                   r"\s+(?:Mayoral\s+)?Combined Authority$", "", place, flags=re.I)
    return re.sub(r"[^a-z0-9]+", "-", place.replace("&", " and ").lower()).strip("-")


_SHOUTED = re.compile(r"\b[A-Z][A-Z'\u2019&-]{2,}(?:\s+[A-Z][A-Z'\u2019&-]+)*\b")
_SMALL_WORDS = {"Of", "And", "The", "For", "On", "To", "In"}


def _unshout(line: str) -> str:
    """Words in capitals, in title case, so the names among them read as names."""
    def title_case(match: re.Match[str]) -> str:
        words = [w.capitalize() for w in match.group(0).split()]
        return " ".join(w.lower() if i and w in _SMALL_WORDS else w for i, w in enumerate(words))

    return _SHOUTED.sub(title_case, line)


def _kind_by_record(text: str) -> str:
    """A paper whose front names no kind: minutes by what a record of a meeting says."""
    low = text[:20000].lower()
    record = sum(low.count(p) for p in ("resolved", " met on ", "the board noted", "the committee noted",
                                          "the board received", "the board heard", "apologies for absence"))
    if record >= 2:
        return "minutes"
    if low.count("we will ") >= 5 and ("strategy" in low or "our vision" in low):
        return "strategy"
    return "other"


def _kind_of(front: FrontPage) -> tuple[str, str]:
    """The kind of paper and the line that names it: the first heading (largest type first)
    or title-like line near the top (short, capitalised) that holds a kind word. Prose
    that mentions other papers does not count."""
    headings = [(h, 25) for h in front.headings]  # set in the title's type: a title however long
    for line, most_words in [*headings, *[(ln, 14) for ln in front.lines if ln][:_KIND_LINES]]:
        if not (line[0].isupper() or line[0].isdigit()) or len(line.split()) > most_words or "...." in line:
            continue
        found = [(m.start(), -len(m.group(0)), kind) for kind, pattern in _KIND for m in [pattern.search(line)] if m]
        if found:
            return min(found)[2], line
    return "other", ""


def detect_title(
    document: ExtractedDocument, outline: Outline, front: FrontPage, kind_line: str = "", body: str = ""
) -> str:
    """A labelled title ("Title: ..."), else the line that names the kind of paper (with its
    body in front when it is only a few words: "Planning Commission Regular Meeting Agenda"),
    else the front page's largest heading that is more than a date, else the file's own title."""
    labelled = _LABELLED["title"].search(front.text)
    if labelled:
        return _clean(labelled.group(1))
    kind_line = _undated(kind_line)
    if _titled(kind_line) and len(kind_line) <= 200:
        whole = " ".join(outline.title.split())
        if whole.startswith(_clean(kind_line)):
            return whole
        named = body and len(kind_line.split()) <= _SHORT_KIND_LINE and _key(body) not in _key(kind_line)
        return _clean(f"{body} {kind_line}" if named else kind_line)
    heading = next((h for h in front.headings if _titled(h)), "")
    return _clean(heading or outline.title or document.title_hint or _first_line(document.text)
                  or document.source.stem)


def _undated(line: str) -> str:
    """A title line without the meeting date it prints ("AGENDA ... NOVEMBER 15, 2022"):
    the date is a field of its own."""
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        line = pattern.sub("", line)
    return _clean(line.strip(" -\u2013,"))


def _key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold().replace("&", " and ")))


def _titled(text: str) -> bool:
    words = text.split()
    return (2 <= len(words) <= 25 and not parse_date(text) and not _LABELLED["body"].match(text)
            and "...." not in text)


def _clean(text: str) -> str:
    return " ".join(text.split())[:200]


def detect_body(front: FrontPage, kind_line: str, text: str) -> str:
    """The board or committee the paper is for: a labelled one ("Committee: ..."), else the
    one whose minutes, agenda or meeting the title says it is, else the first body named
    on the front page."""
    names = front.names
    labelled = _LABELLED["body"].search(names)
    if labelled:
        match = _BODY.search(labelled.group(1))
        body = normalise_body(match.group(1), text) if match else ""
        if body:
            return body
    for match in _BODY_OF.finditer("\n".join(_unshout(t) for t in (*front.headings, kind_line))):
        body = normalise_body(_KIND_WORD.sub("", match.group(1)), text)
        if body:
            return body
    candidates = []
    for rank, pattern in enumerate((_BODY_NAMED_OF, _BODY)):  # at one place, the more specific form
        for match in pattern.finditer(names):
            if _ROLE.match(names, match.end(1)):
                continue  # "Policy Committee Officer": a person's role, not the body
            name = _KIND_WORD.sub("", match.group(1).strip())
            if pattern is _BODY_NAMED_OF:
                body = "" if name.split()[-1] == "Council" else _clean(name)  # "Board of Barnet Council"
            else:
                body = normalise_body(name, text)
            if body:
                candidates.append((names.rfind("\n", 0, match.start(1)), rank, body))
    return min(candidates)[2] if candidates else ""


def normalise_body(name: str, text: str = "") -> str:
    """One spelling per body, so filters match: "and" becomes "&", and the place or council
    name in front is dropped ("East Palo Alto Planning Commission" -> "Planning Commission")."""
    words = name.split()
    if "The" in words[1:]:  # "Introduction The Council": a heading ran into the name
        words = words[words.index("The", 1) + 1:]
    while words and words[0] in {"The", "the", "A", "An", "Our", "At", "To", "For", "Of", "By", "On", "In"}:
        words = words[1:]
    for k in range(len(words) - 2, 0, -1):
        place = re.escape(" ".join(words[:k]))
        if text and re.search(rf"\b(City|Town|County|Borough|Village|District) of {place}\b|"
                              rf"\b{place} (City|County|Borough|District|Town)?\s*Council\b", text):
            words = words[k:]
            break
    result = re.sub(r"\s+and\s+", " & ", " ".join(words))
    return result if len(words) >= 2 and re.search(_BODY_WORDS + r"$", result) else ""


def parse_date(text: str) -> str:
    """The first date written in any common UK form, as ISO; "" when there is none."""
    found = dates_in(text)
    return found[0].isoformat() if found else ""


def issued_date(text: str) -> str:
    """The first date ``text`` prints, a day ("4 March 2025", as ISO) or a month ("MARCH
    2025", as yyyy-mm): a plan or report is named by it ("Fenland's March 2025 Local
    Development Scheme"). "" when there is none."""
    found = [(m.start(), f"{int(m.group(2)):04d}-{_month(m.group(1)):02d}") for m in _MONTH_YEAR.finditer(text)]
    days = [(m.start(), value.isoformat()) for m, value in dates_at(text)]
    first = min(days + found, default=None)  # at one place the day wins: it is the longer match
    return first[1] if first else ""


def spoken_issued(issued: str) -> str:
    """An issued date as papers print it: "2025-03" is "March 2025"."""
    if len(issued) == len("2025-03"):
        return f"{date.fromisoformat(issued + '-01'):%B %Y}"
    return long_date(issued)


def long_date(iso: str) -> str:
    """An ISO date as papers print it: "2025-05-15" is "15 May 2025"."""
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def dates_in(text: str) -> list[date]:
    """Every date written in any common UK form ("15 May 2025", "May 15, 2025",
    "2025-05-15", "15/05/2025"), in the order the text gives them."""
    return [value for _, value in sorted((m.start(), value) for m, value in dates_at(text))]


def dates_at(text: str) -> Iterator[tuple[re.Match, date]]:
    """Each date ``text`` writes, with where it is written (not in text order)."""
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
            yield m, value


def _month(name: str) -> int:
    key = name.lower().rstrip(".")
    return _MONTHS.get(key) or _MONTHS[key[:3]]


def page_url(url: str, page: int) -> str:
    """A published paper's URL at a page (PDF viewers open ``#page=N``); "" when unpublished."""
    if not url or not page or "#" in url:
        return url
    return f"{url}#page={page}"


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
