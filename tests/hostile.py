"""Hostile and careless files a council's users and the web send: decompression bombs,
huge and deep documents, lying headers, encrypted and circular PDFs, XML entity tricks,
pipes, wrong encodings. Each maker writes one file; ``make_all`` writes them all.

Used by ``tests/ingest/test_hostile_files.py`` and ``bench/hostile_files.py``.
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

Maker = Callable[[Path], None]
MAKERS: dict[str, Maker] = {}


def maker(name: str) -> Callable[[Maker], Maker]:
    def register(function: Maker) -> Maker:
        MAKERS[name] = function
        return function
    return register


# -- text and Markdown ---------------------------------------------------------------

PARAGRAPH = "The board noted the report on adult social care and agreed the plan for 2026. "


@maker("empty.txt")
def _(path): path.write_bytes(b"")


@maker("binary-nul.txt")
def _(path): path.write_bytes(os.urandom(4096) + b"\x00" * 64)


@maker("cp1252.txt")
def _(path): path.write_bytes("Costs rose to £80,000 per child – a rise of 5%.".encode("cp1252"))


@maker("utf16-no-bom.txt")
def _(path): path.write_bytes(("Minutes\n\n" + PARAGRAPH * 50).encode("utf-16-le"))


@maker("over-text-limit-25mb.txt")
def _(path): path.write_bytes(PARAGRAPH.encode() * (25_000_000 // len(PARAGRAPH)))


@maker("one-line-15mb.txt")
def _(path): path.write_bytes(PARAGRAPH.replace(". ", ", ").encode() * (15_000_000 // len(PARAGRAPH)))


@maker("one-word-5mb.txt")
def _(path): path.write_bytes(b"a" * 5_000_000)


@maker("newlines-only.txt")
def _(path): path.write_bytes(b"\n" * 5_000_000)


@maker("control-characters.txt")
def _(path): path.write_bytes(bytes(range(1, 32)).replace(b"\x00", b"") * 20_000 + PARAGRAPH.encode())


@maker("zero-width-and-rtl.txt")
def _(path): path.write_text(("\u200b\u202e\u2066" + PARAGRAPH) * 20_000, encoding="utf-8")


@maker("name\nerror: forged.txt")
def _(path): path.write_text(PARAGRAPH, encoding="utf-8")


@maker("8000-headings.md")
def _(path): path.write_text("".join(f"## Item {i}\n\n{PARAGRAPH}\n\n" for i in range(8_000)), encoding="utf-8")


@maker("200000-headings.md")
def _(path): path.write_text("".join(f"# H{i}\n" for i in range(200_000)), encoding="utf-8")


@maker("nested-quotes.md")
def _(path): path.write_text(">" * 100_000 + " deep\n" + ("- " * 20_000 + "item\n") * 50, encoding="utf-8")


@maker("unclosed-fences.md")
def _(path): path.write_text("```\n# not a heading\n" * 50_000, encoding="utf-8")


# -- HTML -----------------------------------------------------------------------------

@maker("nested-divs.html")
def _(path): path.write_text("<div>" * 300_000 + "deep text" + "</div>" * 300_000, encoding="utf-8")


@maker("unclosed-tags.html")
def _(path): path.write_text("<p><b><i><span>" * 200_000 + PARAGRAPH, encoding="utf-8")


@maker("100000-tables.html")
def _(path): path.write_text("<table><tr><td>a</td><td>1</td></tr></table>" * 100_000, encoding="utf-8")


@maker("script-only.html")
def _(path): path.write_text("<html><script>" + "var a=1;" * 100_000 + "</script><style>p{}</style></html>",
                             encoding="utf-8")


@maker("entity-expansion.html")
def _(path):
    path.write_text('<!DOCTYPE html [<!ENTITY a "' + "x" * 1000 + '">]><html><body><p>'
                    + "&a;" * 100_000 + "</p><p>" + PARAGRAPH + "</p></body></html>", encoding="utf-8")


@maker("huge-attributes.html")
def _(path): path.write_text('<p title="' + "x" * 10_000_000 + '">' + PARAGRAPH + "</p>", encoding="utf-8")


@maker("menu-of-20000-items.html")
def _(path):  # each item's class names a menu: the page's text is weighed once, not once per item
    path.write_text("<html><body><main><ul>" + '<li class="menu-item"><a href="/x">Service</a></li>' * 20_000
                    + "</ul><p>" + PARAGRAPH + "</p></main></body></html>", encoding="utf-8")


@maker("data-uri-image.html")
def _(path): path.write_text('<p><img src="data:image/png;base64,' + "iVBORw0KGgo" * 1_000_000 + '">' + PARAGRAPH
                             + "</p>", encoding="utf-8")


# -- DOCX -----------------------------------------------------------------------------

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
                 '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
                 'document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(path: Path, body: str, doctype: str = "") -> None:
    xml = f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", xml)


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


@maker("zip-bomb-400mb.docx")
def _(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(f'<w:document xmlns:w="{W}"><w:body>'.encode())
            block = paragraph("x" * 1000).encode() * 1000
            for _ in range(400_000_000 // len(block)):
                part.write(block)
            part.write(b"</w:body></w:document>")


@maker("lying-sizes.docx")
def _(path):
    docx(path, paragraph(PARAGRAPH) * 2000)
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")  # the last entry's declared size says 10 bytes
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))


@maker("not-a-zip.docx")
def _(path): path.write_bytes(b"PK\x03\x04" + os.urandom(2000))


@maker("no-document-part.docx")
def _(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)


@maker("billion-laughs.docx")
def _(path):
    entities = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    docx(path, paragraph("&l9;") + paragraph(PARAGRAPH), f"<!DOCTYPE w:document [{entities}]>")


@maker("external-entity.docx")
def _(path):
    docx(path, paragraph("&xxe;") + paragraph(PARAGRAPH), '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')


@maker("60000-paragraphs.docx")
def _(path): docx(path, "".join(paragraph(f"{i}. {PARAGRAPH}") for i in range(60_000)))


@maker("deep-tables.docx")
def _(path):
    cell = paragraph(PARAGRAPH)
    for _ in range(60):
        cell = f"<w:tbl><w:tr><w:tc>{cell}</w:tc></w:tr></w:tbl><w:p/>"
    docx(path, cell)


# -- PDF ------------------------------------------------------------------------------

def raw_pdf(path: Path, objects: list[bytes]) -> None:
    """A PDF from object bodies (object 1 is the catalog), with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    path.write_bytes(out.getvalue())


def content_page(stream: bytes, compressed: bool = True) -> list[bytes]:
    data = zlib.compress(stream, 9) if compressed else stream
    flate = b" /Filter /FlateDecode" if compressed else b""
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(data), flate) + data + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def reportlab_pdf(path: Path, pages: int, lines: int = 30, **canvas_options) -> None:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), **canvas_options)
    for page in range(pages):
        for line in range(lines):
            pdf.drawString(60, 780 - 24 * line, f"{page + 1}.{line} {PARAGRAPH[:80]}")
        pdf.showPage()
    pdf.save()


@maker("garbage.pdf")
def _(path): path.write_bytes(b"%PDF-1.7\n" + os.urandom(20_000))


@maker("truncated.pdf")
def _(path):
    reportlab_pdf(path, 3)
    path.write_bytes(path.read_bytes()[:1500])


@maker("2000-pages.pdf")
def _(path): reportlab_pdf(path, 2000, lines=1)


@maker("1400-pages.pdf")
def _(path): reportlab_pdf(path, 1400, lines=10)


@maker("encrypted.pdf")
def _(path): reportlab_pdf(path, 2, encrypt="secret")


@maker("circular-page-tree.pdf")
def _(path):
    raw_pdf(path, [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                   b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"])


@maker("content-bomb.pdf")
def _(path):  # 3 MB on disk, 400 MB of drawing operators once inflated
    raw_pdf(path, content_page(b"BT /F1 1 Tf 10 10 Td (x) Tj ET\n" * 13_000_000))


@maker("200000-characters-one-page.pdf")
def _(path):
    ops = b"BT /F1 2 Tf " + b"".join(b"1 0 0 1 %d %d Tm (ab) Tj " % (i % 590, (i // 590) % 840)
                                     for i in range(100_000)) + b"ET"
    raw_pdf(path, content_page(ops))


@maker("huge-mediabox.pdf")
def _(path):
    objects = content_page(b"BT /F1 12 Tf 72 72 Td (" + PARAGRAPH.encode() + b") Tj ET", compressed=False)
    objects[2] = objects[2].replace(b"[0 0 595 842]", b"[0 0 14400000 14400000]")
    raw_pdf(path, objects)


@maker("javascript.pdf")
def _(path):
    objects = content_page(b"BT /F1 12 Tf 72 720 Td (" + PARAGRAPH.encode() + b") Tj ET")
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    raw_pdf(path, objects)


# -- other ----------------------------------------------------------------------------

@maker("spreadsheet.xlsx")
def _(path): path.write_bytes(b"PK\x03\x04")


@maker("sparse-150mb.pdf")
def _(path):
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(150_000_000)


@maker("pipe.txt")
def _(path): os.mkfifo(path)


@maker("folder.pdf")
def _(path): path.mkdir()


def make_all(folder: Path, only: str = "") -> list[str]:
    """Write every hostile file (or those whose names contain ``only``) into ``folder``."""
    names = [name for name in MAKERS if only in name]
    for name in names:
        MAKERS[name](folder / name)
    return names
