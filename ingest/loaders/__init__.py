"""Loaders turn one file into an :class:`~ingest.document.ExtractedDocument`.

A small registry keyed by file extension: ``register_loader(".rtf", load_rtf)`` adds
a format without touching the rest of the pipeline.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

from council_qa.config import InputLimits
from ingest.document import ExtractedDocument, LoadError
from ingest.loaders.docx import load_docx
from ingest.loaders.html import load_html
from ingest.loaders.pdf import load_pdf, pdf_page_count
from ingest.loaders.text import load_markdown, load_text

Loader = Callable[[Path], ExtractedDocument]

_LOADERS: dict[str, Loader] = {}


def register_loader(extension: str, loader: Loader) -> None:
    _LOADERS[extension.lower()] = loader


def supported_extensions() -> list[str]:
    return sorted(_LOADERS)


TEXT_TYPES = (".txt", ".md", ".markdown", ".html", ".htm")


def loader_for(path: Path) -> Loader:
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        kinds = ", ".join(supported_extensions())
        raise LoadError(path, f"unsupported file type '{path.suffix or '(none)'}' (supported: {kinds})")
    return loader


def load_document(path: Path | str, limits: InputLimits = InputLimits(), loader: Loader | None = None
                  ) -> ExtractedDocument:
    """Load any supported file; every failure is a :class:`LoadError` with one-line reason."""
    path = Path(path)
    loader = loader or loader_for(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise LoadError(path, "not a regular file (a folder, pipe or device cannot be read as a document)")
        size = info.st_size
        if size == 0:
            raise LoadError(path, "empty file")
        check_limits(path, size, limits)
        document = loader(path)
    except (LoadError, MemoryError):
        raise  # a MemoryError is the caller's to report: IsolatedLoader names the limit
    except OSError as exc:
        raise LoadError(path, f"cannot read file ({exc.strerror or exc})") from exc
    except Exception as exc:  # a parser's own error: report it, never a traceback
        raise LoadError(path, f"cannot parse {path.suffix.lstrip('.').upper()} ({_one_line(exc)})") from exc
    if not document.text.strip():
        raise LoadError(path, "no text found in the file")
    return document


def check_limits(path: Path, size: int, limits: InputLimits) -> None:
    """Refuse a file whose parsing would cost more than the limits allow, from what can be
    known without parsing it: its size, a zip's declared contents, a PDF's page count."""
    mb = size / 1e6
    kind = path.suffix.lower()
    if mb > limits.file_mb:
        raise LoadError(path, f"{mb:.0f} MB is over the {limits.file_mb:g} MB limit for a file")
    if kind in TEXT_TYPES and mb > limits.text_mb:
        raise LoadError(path, f"{mb:.0f} MB of text is over the {limits.text_mb:g} MB limit")
    if kind == ".docx":
        try:
            with zipfile.ZipFile(path) as archive:
                unzipped = sum(info.file_size for info in archive.infolist()) / 1e6
        except zipfile.BadZipFile:
            return  # the loader reports why it cannot be parsed
        if unzipped > limits.unzipped_mb:
            raise LoadError(path, f"it unzips to {unzipped:.0f} MB, over the {limits.unzipped_mb:g} MB limit")
    if kind == ".pdf":
        pages = pdf_page_count(path)
        if pages > limits.pdf_pages:
            raise LoadError(path, f"{pages} pages is over the {limits.pdf_pages} page limit")


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


for _ext, _loader in {
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".html": load_html,
    ".htm": load_html,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
}.items():
    register_loader(_ext, _loader)

__all__ = ["Loader", "load_document", "loader_for", "register_loader", "supported_extensions"]
