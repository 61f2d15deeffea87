"""Recovers a document's outline: its title and every section with its heading path.

Formats with heading markup (Word styles, HTML, Markdown) give the headings directly.
Plain text and PDF text do not, so headings are recognised line by line: short lines
that stand apart from the prose around them, enumerated headings ("Key Area 2: ...",
"Appendix I"), numbered headings, and the column headings of a flattened table
(short lines that recur as a group, such as "What have we done so far?").
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.document import ExtractedDocument
from ingest.furniture import is_furniture
from ingest.numbering import item_numbers
from ingest.sentences import CLAUSE_START

SECTION_SEPARATOR = " > "

# Heading ranks for text without markup: a heading closes every open heading of
# the same or a higher rank number.
RANK_TITLE = 0
RANK_APPENDIX = 1
RANK_ENUMERATED = 2
RANK_PLAIN = 3
RANK_NUMBERED = 4
RANK_COLUMN = 5

_APPENDIX = re.compile(r"^(appendix|annex|annexe|schedule)\b[\s\w.:-]{0,100}$", re.IGNORECASE)
_ENUMERATED = re.compile(
    r"^(key area|part|chapter|section|priority|theme|objective|outcome|ambition|pillar|"
    r"workstream|item|agenda item)\s+([0-9]+|[ivxlc]+)\b",
    re.IGNORECASE,
)
_NUMBER_PREFIX = re.compile(r"^\d{1,2}(\.\d{1,2})*[.)]?\s+")
_NUMBERED = re.compile(r"^\d{1,2}(\.\d{1,2})*[.)]?\s+\S")
_ENDS_CLAUSE = re.compile(r"[.,;:\u2013\u2014-]$")
_MAX_HEADING_WORDS = 16


@dataclass(frozen=True)
class Section:
    """Characters ``[start, end)`` of the text sit under the heading ``path``."""

    path: tuple[str, ...]
    start: int
    end: int

    @property
    def heading(self) -> str:
        return SECTION_SEPARATOR.join(self.path)


@dataclass(frozen=True)
class HeadingSpan:
    """A heading recognised in the text: its title and the characters it occupies."""

    title: str
    start: int
    end: int


@dataclass(frozen=True)
class Outline:
    title: str
    sections: list[Section]
    headings: tuple[HeadingSpan, ...] = ()
    furniture_spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    raw: str

    @property
    def text(self) -> str:
        return " ".join(self.raw.split())

    @property
    def blank(self) -> bool:
        return not self.raw.strip()


@dataclass
class _Heading:
    first: int  # line indexes, inclusive
    last: int
    rank: int
    title: str


def split_lines(text: str) -> list[_Line]:
    lines, offset = [], 0
    for raw in text.split("\n"):
        lines.append(_Line(offset, offset + len(raw), raw))
        offset += len(raw) + 1
    return lines


def outline(document: ExtractedDocument) -> Outline:
    lines = split_lines(document.text)
    furniture = [not ln.blank and is_furniture(ln.raw) for ln in lines]
    if document.headings is not None:
        headings = _without_field_labels(_marked_headings(document, lines), lines)
    else:
        headings = _detected_headings(lines, furniture)
    if document.headings is not None and headings:
        _mark_title_block(headings, lines, furniture)
    headings = _without_contents_listings(headings, lines)
    title = headings[0].title if headings and headings[0].rank == RANK_TITLE else ""
    sections = _sections(lines, furniture, headings)
    spans = tuple(HeadingSpan(h.title, lines[h.first].start, lines[h.last].end) for h in headings)
    furniture_spans = tuple((ln.start, ln.end) for ln, is_f in zip(lines, furniture) if is_f)
    return Outline(title=title or document.title_hint, sections=sections, headings=spans,
                   furniture_spans=furniture_spans)


# A "heading" that reads as a label ("For (9)", "Seconder:") over a few lines, beside
# others like it, labels a field of one record.
FIELD_TITLE_WORDS, FIELD_LINES, FIELD_WORDS = 4, 6, 20


def _without_field_labels(headings: list[_Heading], lines: list[_Line]) -> list[_Heading]:
    """Drop runs of two or more sibling "headings" inside a section, each over a line or two
    of text: they label the fields of one record ("For (9)" / names / "Against (41)" /
    names), which must stay together as text under the heading that holds them."""
    def is_field(k: int) -> bool:
        title = headings[k].title.strip()
        if len(title.split()) > FIELD_TITLE_WORDS or not title.endswith((":", ")")):
            return False  # a label reads "Proposer:", "For (9)"
        end = headings[k + 1].first if k + 1 < len(headings) else len(lines)
        body = [lines[i].raw for i in range(headings[k].last + 1, end) if lines[i].raw.strip()]
        return len(body) <= FIELD_LINES or sum(len(line.split()) for line in body) <= FIELD_WORDS

    short = [is_field(k) for k in range(len(headings))]
    # The highest rank before each heading, kept as we go: a heading has a parent when one
    # of higher rank comes before it (one pass, not a rescan per heading).
    top_before, top = [], float("inf")
    for heading in headings:
        top_before.append(top)
        top = min(top, heading.rank)
    dropped: set[int] = set()
    k = 0
    while k < len(headings):
        j = k
        while j + 1 < len(headings) and short[j] and headings[j + 1].rank == headings[k].rank:
            j += 1
        end = j if short[j] else j - 1  # the run may end on an ordinary heading
        if end > k and top_before[k] < headings[k].rank:  # fields sit inside a section
            dropped.update(range(k, end + 1))
        k = j + 1
    return [h for k, h in enumerate(headings) if k not in dropped]


# A contents line less its numbering, dot leaders and page number: "2. Overview ..... 4".
_LISTED = re.compile(r"^[\d.\s]*(.*?)[\s.\u2026\u00b7]*\d*$")
CONTENTS_ENTRIES = 3  # named sections a listing must hold, and half its lines


def _listed_title(title: str) -> str:
    return " ".join(_LISTED.match(title.lower()).group(1).split())


def _without_contents_listings(headings: list[_Heading], lines: list[_Line]) -> list[_Heading]:
    """A contents page is a listing, not sections: its heading holds the listing and
    nothing else (a "Contents" in large type no longer holds the whole report), and
    listing lines read as headings are text of it."""
    deepest = max((h.rank for h in headings), default=0)
    dropped: set[int] = set()
    for head, listing in [*_heading_listings(headings, lines), *_led_listings(headings, lines)]:
        headings[head].rank = deepest  # any heading after the listing closes it
        dropped.update(listing)
    return [h for i, h in enumerate(headings) if i not in dropped]


def _heading_listings(headings: list[_Heading], lines: list[_Line]) -> Iterator[tuple[int, range]]:
    """Listings read as headings. In a run of "headings" with nothing but page numbers
    between them, the lines that each name one heading further on, in order, with text
    between the headings they name, and borne by no heading before (a table's repeated
    column headings are structure, not a listing), are entries when there are three or
    more and they are at least half of the run up to the last of them; the listing is
    under the shallowest heading before them."""
    titles = [_listed_title(h.title) for h in headings]
    places: dict[str, list[int]] = {}
    for index, title in enumerate(titles):
        places.setdefault(title, []).append(index)
    start = 0
    while start < len(headings):
        end = start + 1
        while end < len(headings) and _only_numbers_between(lines, headings[end - 1].last + 1, headings[end].first):
            end += 1
        named: list[int] = []  # the run's lines that name a heading further on
        last_target = -1
        for i in range(start + 1, end):
            found = places[titles[i]]
            if found[0] != i or len(found) != 2 or found[1] <= last_target:
                continue
            if last_target >= 0 and _only_numbers_between(lines, headings[last_target].last + 1,
                                                          headings[found[1]].first):
                continue
            named.append(i)
            last_target = found[1]
        heads = [h for h in range(start, named[0]) if headings[h].rank != RANK_TITLE] if named else []
        if len(named) >= CONTENTS_ENTRIES and heads:
            head = min(heads, key=lambda h: headings[h].rank)
            listing = range(head + 1, named[-1] + 1)
            if len(named) >= len(listing) / 2:
                yield head, listing
        start = end


_LED_ENTRY = re.compile(r"\u2026\s*\d{1,4}$")  # "Introduction … 3", as layout reads a dot leader


def _led_listings(headings: list[_Heading], lines: list[_Line]) -> Iterator[tuple[int, range]]:
    """Listings printed as text with dot leaders: the lines right under a heading that run
    to page numbers ("Introduction … 3"), with any such line read as a heading, when three
    or more of them, at least half, name headings that come after them."""
    k = 0
    while k < len(headings):
        entries: list[str] = []
        j, line = k + 1, headings[k].last + 1
        while True:
            stop = headings[j].first if j < len(headings) else len(lines)
            body = [lines[i].text for i in range(line, stop) if not lines[i].blank]
            led = list(itertools.takewhile(_LED_ENTRY.search, body))
            entries += map(_listed_title, led)
            if len(led) < len(body) or j == len(headings) or not _LED_ENTRY.search(headings[j].title):
                break
            entries.append(_listed_title(headings[j].title))
            line, j = headings[j].last + 1, j + 1
        if headings[k].rank != RANK_TITLE and len(entries) >= CONTENTS_ENTRIES:
            later = {_listed_title(h.title) for h in headings[j:]}
            named = [title for title in entries if title in later]
            if len(set(named)) >= CONTENTS_ENTRIES and len(named) >= len(entries) / 2:
                yield k, range(k + 1, j)
                k = j
                continue
        k += 1


def _only_numbers_between(lines: list[_Line], start: int, end: int) -> bool:
    return all(lines[i].blank or lines[i].text.replace(".", "").isdigit() for i in range(start, end))


def _mark_title_block(headings: list[_Heading], lines: list[_Line], furniture: list[bool]) -> None:
    """Headings in the largest type that all stand together at the start ("Minutes of the
    ... Committee", "12 September 2024") are the title, not sections of the paper: nothing
    but blank lines, furniture and the headings before precede each (one pass over the lines)."""
    top = min(h.rank for h in headings)
    covered: set[int] = set()
    checked = leading = 0  # lines [0, checked) are known to hold nothing but those
    while leading < len(headings) and headings[leading].rank == top:
        heading = headings[leading]
        while checked < heading.first and (lines[checked].blank or furniture[checked] or checked in covered):
            checked += 1
        if checked < heading.first:
            break
        covered.update(range(heading.first, heading.last + 1))
        leading += 1
    if leading and leading == sum(h.rank == top for h in headings):
        for heading in headings[:leading]:
            heading.rank = RANK_TITLE


def _marked_headings(document: ExtractedDocument, lines: list[_Line]) -> list[_Heading]:
    starts = {ln.start: i for i, ln in enumerate(lines)}
    headings = []
    for mark in document.headings or []:
        first = starts.get(mark.start)
        if first is None:  # heading not at a line start: find its line
            first = max(i for i, ln in enumerate(lines) if ln.start <= mark.start)
        last = first
        while last + 1 < len(lines) and lines[last + 1].start < mark.end:
            last += 1
        headings.append(_Heading(first, last, mark.level, mark.title))
    return headings


# ---------------------------------------------------------------- detection


def _detected_headings(lines: list[_Line], furniture: list[bool]) -> list[_Heading]:
    content = [i for i, ln in enumerate(lines) if not ln.blank and not furniture[i]]
    position = {line_index: k for k, line_index in enumerate(content)}
    columns = _column_headings(lines, content)
    headings: list[_Heading] = []
    in_table = False
    k = 0
    while k < len(content):
        i = content[k]
        span = _column_span(lines, content, k, columns)
        if span:
            headings.append(_Heading(i, content[k + span - 1], RANK_COLUMN, _joined(lines, content[k : k + span])))
            in_table = True
            k += span
            continue
        previous_is_heading = bool(headings) and k > 0 and headings[-1].last == content[k - 1]
        found = _heading_at(
            lines, content, k, columns, in_table,
            first=not headings and k == 0, previous_is_heading=previous_is_heading,
        )
        if found:
            if found.rank == RANK_APPENDIX:
                in_table = False
            headings.append(found)
            k = position[found.last] + 1
            continue
        k += 1
    return headings


def _column_headings(lines: list[_Line], content: list[int]) -> set[str]:
    """Short lines that recur, and recur next to each other: a flattened table's header."""
    counts = Counter(lines[i].text.lower() for i in content if _short_title_like(lines[i].text))
    recurring = {text for text, n in counts.items() if n >= 2}
    pairs: Counter[tuple[str, str]] = Counter()
    for a, b in zip(content, content[1:]):
        ta, tb = lines[a].text.lower(), lines[b].text.lower()
        if ta in recurring and tb in recurring and ta != tb:
            pairs[(ta, tb)] += 1
    grouped = {t for pair, n in pairs.items() if n >= 2 for t in pair}
    return grouped


def _column_span(lines: list[_Line], content: list[int], k: int, columns: set[str]) -> int:
    """1 or 2 when the column heading starts at content line ``k`` (it may wrap)."""
    if not columns:
        return 0
    if lines[content[k]].text.lower() in columns:
        return 1
    if k + 1 < len(content) and content[k + 1] == content[k] + 1:
        if _joined(lines, content[k : k + 2]).lower() in columns:
            return 2
    return 0


def _heading_at(
    lines: list[_Line],
    content: list[int],
    k: int,
    columns: set[str],
    in_table: bool,
    first: bool,
    previous_is_heading: bool = False,
) -> _Heading | None:
    i = content[k]
    # A heading may wrap onto lines that continue it in lower case.
    last_k = k
    while (
        last_k + 1 < len(content)
        and content[last_k + 1] == content[last_k] + 1
        and last_k - k < 2
        and lines[content[last_k + 1]].text[:1].islower()
        and not _ENDS_CLAUSE.search(lines[content[last_k]].text)
    ):
        last_k += 1
    title = _joined(lines, content[k : last_k + 1])
    if not _short_title_like(title) or (last_k > k and not first and not _is_enumerated(title)):
        return None
    rank = _rank(title, lines, content, k, last_k)
    if rank is None:
        return None
    nxt = last_k + 1
    next_text = lines[content[nxt]].text if nxt < len(content) else ""
    gap_after = nxt < len(content) and content[nxt] > content[last_k] + 1
    if not next_text or next_text[:1].islower():
        return None
    if first and rank == RANK_PLAIN and (last_k > k or len(title.split()) >= 3):
        return _Heading(i, content[last_k], RANK_TITLE, title)
    if rank == RANK_PLAIN:
        if title.endswith("!") or not _stands_apart(lines, content, k, i, previous_is_heading):
            return None
        if in_table and not _column_heading_follows(lines, content, nxt, columns):
            return None
        if not (gap_after or _body_or_heading_follows(lines, content, nxt, columns)):
            return None
    return _Heading(i, content[last_k], rank, title)


def _body_or_heading_follows(lines: list[_Line], content: list[int], k: int, columns: set[str]) -> bool:
    """Prose, a recognised heading, or a short line that is itself followed by prose."""
    text = lines[content[k]].text
    if len(text.split()) >= 7 or _column_span(lines, content, k, columns) or _looks_like_heading(text):
        return True
    if re.search(r"[.!?][\"\u201d\u2019)]?$", text) and len(text.split()) >= 3:
        return True  # a short finished sentence is prose
    if not _short_title_like(text) or k + 1 >= len(content):
        return False
    after = lines[content[k + 1]].text
    gap = content[k + 1] > content[k] + 1
    return gap or len(after.split()) >= 7


def _rank(title: str, lines: list[_Line], content: list[int], k: int, last_k: int) -> int | None:
    if _APPENDIX.match(title):
        return RANK_APPENDIX
    if _is_enumerated(title):
        return RANK_ENUMERATED
    if _NUMBERED.match(title):
        neighbours = [content[j] for j in (k - 1, last_k + 1) if 0 <= j < len(content)]
        adjacent_items = [
            j for j in neighbours
            if abs(j - content[k]) <= 1 or abs(j - content[last_k]) <= 1
        ]
        if any(_NUMBERED.match(lines[j].text) for j in adjacent_items):
            return None  # a numbered list, not a heading
        return RANK_NUMBERED
    if CLAUSE_START.match(title):
        return None
    return RANK_PLAIN


def _is_enumerated(title: str) -> bool:
    return bool(_ENUMERATED.match(title))


def _stands_apart(lines: list[_Line], content: list[int], k: int, i: int, previous_is_heading: bool) -> bool:
    """After a heading, a blank line or a finished sentence, or indented like PDF headings.

    Never straight after a line ending in a colon: that introduces a list.
    """
    if k == 0:
        return True
    prev_text = lines[content[k - 1]].text
    if prev_text.endswith(":"):
        return False
    if previous_is_heading or lines[i].raw[:1] in (" ", "\t") or content[k - 1] < i - 1:
        return True
    return bool(re.search(r"[.!?;\"\u201d]$", prev_text))


def _column_heading_follows(lines: list[_Line], content: list[int], k: int, columns: set[str]) -> bool:
    return k < len(content) and _column_span(lines, content, k, columns) > 0


def _short_title_like(text: str) -> bool:
    words = text.split()
    if not words or len(words) > _MAX_HEADING_WORDS or len(text) > 140:
        return False
    if _ENDS_CLAUSE.search(text) or ". " in _NUMBER_PREFIX.sub("", text):
        return False
    if not any(ch.isalpha() for ch in text):
        return False
    first = text[0]
    return first.isupper() or first.isdigit() or first in "\u2018'\"\u201c("


def _looks_like_heading(text: str) -> bool:
    return bool(_APPENDIX.match(text) or _is_enumerated(text))


def _joined(lines: list[_Line], indexes: list[int]) -> str:
    return " ".join(lines[i].text for i in indexes)


# ---------------------------------------------------------------- sections

_Body = tuple[tuple[str, ...], list[list[int]]]  # heading path, blocks of line indexes


def _sections(lines: list[_Line], furniture: list[bool], headings: list[_Heading]) -> list[Section]:
    """Body text between headings, with stacked empty headings given their content."""
    heading_at = {h.first: h for h in headings}
    stack: list[tuple[int, str]] = []
    current: list[list[int]] = []
    bodies: list[_Body] = [((), current)]
    own_lines: dict[int, list[int]] = {}  # body index -> its heading's lines
    i = 0
    while i < len(lines):
        heading = heading_at.get(i)
        if heading and heading.rank == RANK_TITLE:
            # The title line stays in the text: it often states the meeting and its date.
            current.append(list(range(heading.first, heading.last + 1)))
            current.append([])
            i = heading.last + 1
            continue
        if heading:
            while stack and stack[-1][0] >= heading.rank:
                stack.pop()
            stack.append((heading.rank, heading.title))
            current = []
            bodies.append((tuple(t for _, t in stack), current))
            own_lines[len(bodies) - 1] = list(range(heading.first, heading.last + 1))
            i = heading.last + 1
            continue
        if lines[i].blank or furniture[i]:
            if current and current[-1]:
                current.append([])
        else:
            if not current:
                current.append([])
            current[-1].append(i)
        i += 1
    bodies = [(path, [b for b in blocks if b]) for path, blocks in bodies]
    rank_of = {h.title: h.rank for h in headings}
    bodies = _unstack(bodies, rank_of)
    _keep_empty_headings(bodies, own_lines)
    sections = [
        Section(path, lines[block[0]].start, lines[block[-1]].end)
        for path, blocks in bodies
        for block in blocks
    ]
    sections.sort(key=lambda s: s.start)
    return _merge_adjacent(sections, lines)


def _keep_empty_headings(bodies: list[_Body], own_lines: dict[int, list[int]]) -> None:
    """A heading with neither text nor sub-headings under it would lose its words: they
    open the next section's text instead (the last section's, at the end). A numbered
    item keeps them as its own section: an agenda item with nothing printed under it
    ("XIII. PUBLIC HEARINGS") is still that item."""
    parents = {body[0][:n] for body in bodies if body[1] for n in range(1, len(body[0]))}
    for index, (path, blocks) in enumerate(bodies):
        if blocks or not path or path in parents or index not in own_lines:
            continue
        if item_numbers(path[-1]):
            blocks.append(own_lines[index])
            continue
        later = next((b for b in bodies[index + 1:] if b[1]), None)
        if later is not None:
            later[1].insert(0, own_lines[index])
        else:
            earlier = next((b for b in reversed(bodies[:index]) if b[1]), None)
            (earlier[1] if earlier is not None else blocks).append(own_lines[index])


def _unstack(bodies: list[_Body], rank_of: dict[str, int]) -> list[_Body]:
    """Sibling headings printed one after another, then their texts one after another.

    A table or a multi-column page flattened to text does this: the blocks under the
    last heading of such a run are shared out among the run's headings in order (the
    text carries nothing else to go by; a PDF's layout keeps its tables whole). Numbered
    items are left alone: an agenda prints them one under another with nothing under
    each, and the text after the last is that item's.
    """
    out = list(bodies)
    k = 0
    while k < len(out):
        path, blocks = out[k]
        if blocks or not path:
            k += 1
            continue
        run = [k]
        j = k + 1
        while (
            j < len(out)
            and len(out[j][0]) == len(path)
            and out[j][0][:-1] == path[:-1]
            and rank_of.get(out[j][0][-1]) == rank_of.get(path[-1])
        ):
            run.append(j)
            if out[j][1]:
                break
            j += 1
        shared = out[run[-1]][1]
        numbered = all(item_numbers(out[r][0][-1]) for r in run)
        if len(run) < 2 or not shared or numbered:
            k += 1
            continue
        if len(shared) < len(run):
            # Fewer texts than headings: the first headings introduce the rest.
            offset = len(run) - len(shared)
            owners = [offset + n for n in range(len(shared))]
        else:
            owners = [min(n, len(run) - 1) for n in range(len(shared))]
        for r in run:
            out[r] = (out[r][0], [])
        for block, owner in zip(shared, owners):
            out[run[owner]][1].append(block)
        k = run[-1] + 1
    return out


def _merge_adjacent(sections: list[Section], lines: list[_Line]) -> list[Section]:
    """Join consecutive blocks of one section when only blank lines lie between."""
    occupied = [ln.start for ln in lines if not ln.blank]
    merged: list[Section] = []
    for section in sections:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.path == section.path
            and bisect.bisect_right(occupied, previous.end) == bisect.bisect_left(occupied, section.start)
        ):
            merged[-1] = Section(section.path, previous.start, section.end)
        else:
            merged.append(section)
    return merged
