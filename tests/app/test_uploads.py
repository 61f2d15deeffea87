"""Uploads: a file of the same name never replaces another user's document."""

from __future__ import annotations

import os
from pathlib import Path

import app as web
from index import Indexer, Manifest

FIRST = "Minutes of the Libraries Committee.\n\nThe committee agreed to extend opening hours at Hendon Library.\n"
SECOND = "Minutes of the Parks Committee.\n\nThe committee agreed to plant 300 trees in Victoria Park.\n"


def upload(tmp_path: Path, name: str, text: str, uploads: Path) -> Path:
    incoming = tmp_path / f"incoming-{len(list(tmp_path.iterdir()))}" / name
    incoming.parent.mkdir()
    incoming.write_text(text, encoding="utf-8")
    return web.store_upload(incoming, name, uploads)


def test_same_name_other_content_is_a_new_document_and_same_content_changes_nothing(settings, tmp_path) -> None:
    uploads = settings.uploads_path
    first = upload(tmp_path, "minutes.txt", FIRST, uploads)
    second = upload(tmp_path, "minutes.txt", SECOND, uploads)
    assert first != second and first.name == second.name == "minutes.txt"
    assert first.read_text(encoding="utf-8") == FIRST  # the first user's file is untouched
    indexer = Indexer(settings)
    report = indexer.ingest([first])
    report = indexer.ingest([second])
    assert (report.added, report.updated) == (1, 0)
    again = upload(tmp_path, "minutes.txt", FIRST, uploads)
    assert again == first
    assert indexer.ingest([again]).unchanged == 1
    assert len(Manifest.load(settings.manifest_path).ready()) == 2
    assert not [p for p in uploads.rglob("*") if p.name.endswith(".partial")]


def test_an_unreadable_folder_is_a_failure_not_a_silent_skip(settings, tmp_path, monkeypatch) -> None:
    folder = tmp_path / "papers"
    (folder / "locked").mkdir(parents=True)
    (folder / "minutes.txt").write_text(FIRST, encoding="utf-8")
    (folder / "locked" / "agenda.txt").write_text(SECOND, encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == folder / "locked":  # as chmod 000 would for any user but root
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = Indexer(settings).ingest([folder])
    assert report.added == 1
    assert [(Path(f["path"]).name, f["error"]) for f in report.failed] == [
        ("locked", "folder cannot be read (permission denied); its files were not ingested")]
