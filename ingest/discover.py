"""Finds the files to ingest under the paths a user names."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ingest.metadata import SIDECAR_SUFFIX


OnError = Callable[[Path, str], None]


def discover_files(paths: Iterable[Path | str], on_error: OnError | None = None) -> Iterator[Path]:
    """Every file named, and every file under every folder named (hidden ones skipped).

    Unsupported types are yielded too, so they are reported rather than silently ignored;
    metadata sidecars are not documents and are skipped. A folder that cannot be read is
    passed to ``on_error`` with the reason, so it is reported as a failure, not skipped.
    """
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates = sorted(_walk(path, on_error))
        else:
            candidates = [path]
        for candidate in candidates:
            if candidate.name.endswith(SIDECAR_SUFFIX):
                continue
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                yield candidate


def _walk(root: Path, on_error: OnError | None) -> Iterator[Path]:
    def unreadable(error: OSError) -> None:
        if on_error is not None:
            reason = error.strerror or type(error).__name__
            on_error(Path(error.filename or root), f"folder cannot be read ({reason.lower()}); its files were not ingested")

    for folder, folders, files in os.walk(root, onerror=unreadable):
        here = Path(folder)
        folders[:] = [f for f in folders if not f.startswith(".")]
        yield from (here / name for name in files if not name.startswith("."))  # pipes too: reported
