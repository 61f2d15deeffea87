"""Plain text and Markdown."""

from __future__ import annotations

import bisect
import codecs
import re
from pathlib import Path

from ingest.document import ExtractedDocument, HeadingMark, LoadError

_ATX_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"^(```|~~~)", re.MULTILINE)


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def unicode_encoding(data: bytes) -> str:
    """UTF-8, or the UTF-16/32 a byte-order mark or the pattern of zero bytes shows (Windows
    tools save "Unicode" text as UTF-16). Legacy 8-bit encodings are never guessed:
    a wrong guess silently corrupts names and £ amounts."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    sample = data[:4096 - 4096 % 2]
    even, odd = sample[0::2], sample[1::2]
    if len(sample) >= 4:
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"  # ASCII-range text: every second byte zero
        if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    return "utf-8-sig"


def read_text_file(path: Path) -> str:
    """Decode strictly as Unicode text (see :func:`unicode_encoding`)."""
    data = path.read_bytes()
    codec = unicode_encoding(data)
    if codec == "utf-8-sig" and b"\x00" in data[:4096]:
        raise LoadError(path, "binary data, not text")
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        name = codec.removesuffix("-sig").upper()
        raise LoadError(
            path,
            f"not {name} text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_text(path: Path) -> ExtractedDocument:
    return ExtractedDocument(source=path, text=read_text_file(path), format="text")


def load_markdown(path: Path) -> ExtractedDocument:
    text = read_text_file(path)
    fences = [m.start() for m in _FENCE.finditer(text)]  # found once: no rescan per heading
    headings = [
        HeadingMark(start=m.start(), end=m.end(), level=len(m.group(1)), title=m.group(2).strip())
        for m in _ATX_HEADING.finditer(text)
        if bisect.bisect_left(fences, m.start()) % 2 == 0  # not inside a fenced code block
    ]
    title = next((h.title for h in headings if h.level == 1), "")
    return ExtractedDocument(source=path, text=text, format="markdown", headings=headings, title_hint=title)

