"""How much of a document's extracted text reached a chunk.

Ingest must lose nothing a question could ask about. Every non-space character of the
extracted text is either inside a chunk's span, in a heading that a chunk carries as
its section path, or in furniture that was removed on purpose (named and counted).
Anything else is reported as missing, with the first missing passages as examples.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby

from ingest.document import ExtractedDocument
from ingest.structure import Outline

_EXAMPLES = 3


@dataclass(frozen=True)
class Coverage:
    """Characters are counted without white space, so layout changes do not move the figure."""

    total: int
    covered: int
    furniture: dict[str, int] = field(default_factory=dict)
    missing_examples: tuple[str, ...] = ()

    @property
    def content(self) -> int:
        return self.total - sum(self.furniture.values())

    @property
    def missing(self) -> int:
        return self.content - self.covered

    @property
    def ratio(self) -> float:
        return 1.0 if self.content <= 0 else self.covered / self.content

    def to_dict(self) -> dict:
        return {
            "ratio": round(self.ratio, 4),
            "content_chars": self.content,
            "covered_chars": self.covered,
            "furniture_chars": dict(sorted(self.furniture.items())),
            "missing_examples": list(self.missing_examples),
        }


def measure_coverage(
    document: ExtractedDocument, outline: Outline, spans: Iterable[tuple[int, int]], headings: Iterable[str]
) -> Coverage:
    """``spans`` are the chunks' ``[start, end)`` offsets; ``headings`` their section path parts."""
    text = document.text
    state = bytearray(len(text))  # 0 uncovered, 1 covered, 2 furniture
    for start, end in outline.furniture_spans:
        state[start:end] = b"\x02" * (end - start)
    for start, end in spans:
        state[start:end] = b"\x01" * (end - start)
    carried = {" ".join(h.split()) for h in headings}
    for heading in outline.headings:
        if " ".join(heading.title.split()) in carried:
            for i in range(heading.start, heading.end):
                if state[i] == 0:
                    state[i] = 1
    furniture = dict(document.removed)
    ink = {0: 0, 1: 0, 2: 0}
    for value, start, end in _runs(state):
        ink[value] += _ink(text[start:end])
    if ink[2]:
        furniture["page furniture"] = furniture.get("page furniture", 0) + ink[2]
    total = sum(ink.values()) + sum(document.removed.values())
    return Coverage(total, ink[1], furniture, _examples(text, state))


def _ink(text: str) -> int:
    return len(text) - sum(map(text.count, " \n\t\r\f\v\xa0"))


def _runs(state: bytearray) -> list[tuple[int, int, int]]:
    """(value, start, end) for each run of one value."""
    runs, start = [], 0
    for value, group in groupby(state):
        length = sum(1 for _ in group)
        runs.append((value, start, start + length))
        start += length
    return runs


def _examples(text: str, state: bytearray) -> tuple[str, ...]:
    examples: list[str] = []
    i = 0
    while i < len(text) and len(examples) < _EXAMPLES:
        if state[i] == 0 and not text[i].isspace():
            j = i
            while j < len(text) and state[j] == 0:
                j += 1
            examples.append(" ".join(text[i:j].split())[:120])
            i = j
        else:
            i += 1
    return tuple(examples)
