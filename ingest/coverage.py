"""How much of a document's extracted text reached a chunk.

Ingest must lose nothing a question could ask about. Every non-space character of the
extracted text is either inside a chunk's span, in a heading that a chunk carries as
its section path, or in furniture that was removed on purpose (named and counted).
Anything else is reported as missing, with the first missing passages as examples.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

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
    runs = _runs(state)
    for value, start, end in runs:
        ink[value] += _ink(text[start:end])
    if ink[2]:
        furniture["page furniture"] = furniture.get("page furniture", 0) + ink[2]
    total = sum(ink.values()) + sum(document.removed.values())
    return Coverage(total, ink[1], furniture, _examples(text, runs) if ink[0] else ())


def _ink(text: str) -> int:
    return len(text) - sum(map(text.count, " \n\t\r\f\v\xa0"))


_RUN = re.compile(rb"\x00+|\x01+|\x02+")


def _runs(state: bytearray) -> list[tuple[int, int, int]]:
    """(value, start, end) for each run of one value."""
    return [(state[m.start()], m.start(), m.end()) for m in _RUN.finditer(state)]


def _examples(text: str, runs: list[tuple[int, int, int]]) -> tuple[str, ...]:
    examples: list[str] = []
    for value, start, end in runs:
        if value == 0 and text[start:end].strip():
            examples.append(" ".join(text[start:end].split())[:120])
            if len(examples) == _EXAMPLES:
                break
    return tuple(examples)
