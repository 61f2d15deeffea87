"""Plain text and Markdown."""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from ingest.document import ExtractedDocument, HeadingMark, LoadError

_ATX_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"^(```|~~~)", re.MULTILINE)


def read_utf8(path: Path) -> str:
    """Decode strictly: guessing an encoding silently corrupts names and £ amounts."""
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise LoadError(path, "binary data, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        byte = data[exc.start]
        raise LoadError(
            path,
            f"not UTF-8 text (byte 0x{byte:02x} at offset {exc.start}); save it as UTF-8",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_text(path: Path) -> ExtractedDocument:
    return ExtractedDocument(source=path, text=read_utf8(path), format="text")


def load_markdown(path: Path) -> ExtractedDocument:
    text = read_utf8(path)
    fences = [m.start() for m in _FENCE.finditer(text)]  # found once: no rescan per heading
    headings = [
        HeadingMark(start=m.start(), end=m.end(), level=len(m.group(1)), title=m.group(2).strip())
        for m in _ATX_HEADING.finditer(text)
        if bisect.bisect_left(fences, m.start()) % 2 == 0  # not inside a fenced code block
    ]
    title = next((h.title for h in headings if h.level == 1), "")
    return ExtractedDocument(source=path, text=text, format="markdown", headings=headings, title_hint=title)

