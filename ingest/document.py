"""What a loader hands on: the extracted text and the structure it could see."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def printable(text: str) -> str:
    """Control characters escaped ("\\n"), so a file named with a newline cannot forge a
    second line of an error report."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class LoadError(Exception):
    """A file that cannot be ingested; ``str()`` is the one-line reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(reason)
        self.path = str(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{printable(self.path)}: {printable(self.reason)}"


@dataclass(frozen=True)
class PageSpan:
    """Characters ``[start, end)`` of the extracted text come from page ``number`` (1-based)."""

    number: int
    start: int
    end: int


@dataclass(frozen=True)
class HeadingMark:
    """A heading the source format declared (Word style, HTML ``<h2>``, Markdown ``##``)."""

    start: int
    end: int
    level: int
    title: str
    in_body_type: bool = False  # an item line set like the body ("I. ROLL CALL"): never a title


@dataclass(frozen=True)
class TableMark:
    """A table the loader saw, printed at characters ``[start, end)``: its column headings
    (the first names the row labels) and its rows, each a label and one value per column."""

    start: int
    end: int
    page: int
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass
class ExtractedDocument:
    """A document's text as extracted, with offsets every later stage refers to.

    ``headings`` is ``None`` when the format carries no heading markup (plain text,
    PDF); the outline is then recovered from the text itself.
    """

    source: Path
    text: str
    format: str
    pages: list[PageSpan] = field(default_factory=list)
    headings: list[HeadingMark] | None = None
    title_hint: str = ""
    date_hint: str = ""
    # Characters (white space aside) a loader left out on purpose, by kind ("running header").
    removed: dict[str, int] = field(default_factory=dict)
    # The running headers and footers removed, one copy of each: where a paper prints its
    # own name and date on every page ("MAY 2024 PART 4.2: ACCESS TO INFORMATION ...").
    running: tuple[str, ...] = ()
    tables: list[TableMark] = field(default_factory=list)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def doc_id(self) -> str:
        """Identity of the text, not the file: two files with the same text share it."""
        return self.sha256[:16]

    def pages_for(self, start: int, end: int) -> tuple[int, int]:
        """First and last page holding characters ``[start, end)``; ``(0, 0)`` if unpaged."""
        hit = [p.number for p in self.pages if p.start < end and start < p.end]
        if not hit:
            return (0, 0)
        return (min(hit), max(hit))
