"""Finds the files to ingest under the paths a user names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ingest.metadata import SIDECAR_SUFFIX


def discover_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Every file named, and every file under every folder named (hidden ones skipped).

    Unsupported types are yielded too, so they are reported rather than silently ignored;
    metadata sidecars are not documents and are skipped.
    """
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path)))
        else:
            candidates = [path]
        for candidate in candidates:
            if candidate.name.endswith(SIDECAR_SUFFIX):
                continue
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                yield candidate


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
