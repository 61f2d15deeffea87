"""Builds extracted text block by block, so loaders know the offsets of what they add."""

from __future__ import annotations


class TextBuilder:
    """Appends paragraphs separated by one blank line and reports their character spans.

    The text never starts with white space, so offsets handed out stay valid.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._pending_break = ""

    def __len__(self) -> int:
        return self._length

    def _append(self, piece: str) -> None:
        self._parts.append(piece)
        self._length += len(piece)

    def _ends_open(self) -> bool:
        return bool(self._parts) and not self._pending_break and not self._parts[-1].endswith((" ", "\n"))

    def _drop_trailing_space(self) -> None:
        while self._parts and self._parts[-1].endswith(" "):
            stripped = self._parts[-1].rstrip(" ")
            self._length -= len(self._parts[-1]) - len(stripped)
            self._parts[-1] = stripped
            if not stripped:
                self._parts.pop()

    def inline(self, text: str) -> None:
        """Running text: white space folded, joined to what came before by one space."""
        words = " ".join(text.split())
        if text[:1].isspace() and self._ends_open():
            self._append(" ")
        if not words:
            return
        if self._pending_break and self._length:
            self._drop_trailing_space()
            self._append(self._pending_break)
        self._pending_break = ""
        self._append(words)
        if text[-1:].isspace():
            self._append(" ")

    def line_break(self) -> None:
        if self._length and not self._pending_break:
            self._pending_break = "\n"

    def paragraph_break(self) -> None:
        if self._length:
            self._pending_break = "\n\n"

    def block(self, text: str) -> tuple[int, int]:
        """A whole paragraph of its own; returns its ``(start, end)`` span."""
        self.paragraph_break()
        self._drop_trailing_space()
        if self._length:
            self._append(self._pending_break or "\n\n")
        self._pending_break = ""
        start = self._length
        self._append(text)
        self.paragraph_break()
        return start, start + len(text)

    def text(self) -> str:
        self._drop_trailing_space()
        return "".join(self._parts)
