"""How much of a document's extracted text reached a chunk.

Ingest must lose nothing a question could ask about. Every non-space character of the
extracted text is either inside a chunk's span, in a heading that a chunk carries as
its section path, or in furniture that was removed on purpose (named and counted).
Anything else is reported as missing, with the first missing passages as examples.
"""

from __future__ import annotations

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
    in_text = sum(1 for i, ch in enumerate(text) if state[i] == 2 and not ch.isspace())
    if in_text:
        furniture["page furniture"] = furniture.get("page furniture", 0) + in_text
    total = sum(1 for ch in text if not ch.isspace()) + sum(document.removed.values())
    covered = sum(1 for i, ch in enumerate(text) if state[i] == 1 and not ch.isspace())
    return Coverage(total, covered, furniture, _examples(text, state))


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
