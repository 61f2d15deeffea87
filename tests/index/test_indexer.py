from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from council_qa.config import InputLimits, Settings
from index import CouncilIndex, EmbeddingModelMismatch, Indexer, Manifest
from index.manifest import ADDING
from tests.conftest import MEETING
from tests.files import make_docx, make_pdf

MINUTES = "Cabinet - 4 March 2025\n\nHousing\n\nCabinet approved the housing plan for 2025.\n"
REPORT = "Libraries report\n\nOpening hours\n\nThe library opening hours consultation closes in April.\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def chunk_ids(settings: Settings) -> list[str]:
    return sorted(n.node_id for n in Indexer(settings).store.iter_nodes())


def test_reingest_adds_nothing(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "minutes.txt", MINUTES)
    write(docs, "report.txt", REPORT)
    first = Indexer(settings).ingest([docs])
    assert (first.added, first.unchanged, first.failed) == (2, 0, [])
    before = chunk_ids(settings)
    second = Indexer(settings).ingest([docs])
    assert (second.added, second.updated, second.unchanged, second.chunks_embedded) == (0, 0, 2, 0)
    assert chunk_ids(settings) == before
    assert second.chunks_total == len(before)


def test_changed_document_replaces_its_chunks(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    path = write(docs, "minutes.txt", MINUTES)
    Indexer(settings).ingest([docs])
    old = chunk_ids(settings)
    path.write_text(MINUTES.replace("housing plan", "revised housing plan"), encoding="utf-8")
    report = Indexer(settings).ingest([docs])
    assert (report.added, report.updated) == (0, 1)
    new = chunk_ids(settings)
    assert len(new) == len(old) and not set(new) & set(old)
    texts = [n.text for n in Indexer(settings).store.iter_nodes()]
    assert any("revised housing plan" in t for t in texts)
    assert not any("approved the housing plan" in t for t in texts)
    assert len(Manifest.load(settings.manifest_path).documents) == 1


def test_prune_removes_documents_whose_files_are_gone(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "minutes.txt", MINUTES)
    gone = write(docs, "report.txt", REPORT)
    other = write(tmp_path / "elsewhere", "other.txt", REPORT.replace("April", "May"))
    Indexer(settings).ingest([docs, other])
    gone.unlink()
    kept = Indexer(settings).ingest([docs])
    assert kept.removed == 0, "without --prune nothing is removed"
    pruned = Indexer(settings).ingest([docs], prune=True)
    assert pruned.removed == 1
    titles = sorted(e.title for e in Manifest.load(settings.manifest_path).ready().values())
    assert titles == ["Cabinet - 4 March 2025", "Libraries report"]  # other folder untouched
    assert not any("closes in April" in n.text for n in Indexer(settings).store.iter_nodes())


def test_same_text_in_two_files_is_indexed_once(settings: Settings, tmp_path: Path) -> None:
    a = write(tmp_path / "a", "minutes.txt", MINUTES)
    b = write(tmp_path / "b", "copy-of-minutes.txt", MINUTES)
    report = Indexer(settings).ingest([a, b])
    assert report.added == 1 and report.unchanged == 1
    assert report.duplicates == [{"path": str(b), "same_as": str(a.resolve())}]
    manifest = Manifest.load(settings.manifest_path)
    (entry,) = manifest.documents.values()
    assert sorted(entry.sources) == sorted([str(a.resolve()), str(b.resolve())])
    assert report.chunks_total == entry.chunks
    # Removing one copy keeps the document; removing both removes it.
    a.unlink()
    assert Indexer(settings).ingest([tmp_path / "a", tmp_path / "b"], prune=True).removed == 0
    b.unlink()
    assert Indexer(settings).ingest([tmp_path / "a", tmp_path / "b"], prune=True).removed == 1
    assert Indexer(settings).store.count() == 0


def test_bad_files_fail_alone_and_lose_nothing(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    good = write(docs, "minutes.txt", MINUTES)
    Indexer(settings).ingest([docs])
    before = chunk_ids(settings)
    (docs / "empty.txt").write_bytes(b"")
    (docs / "garbage.pdf").write_bytes(b"\x00\xff" * 300)
    (docs / "notes.xlsx").write_bytes(b"PK")
    (docs / "latin.txt").write_bytes("£5".encode("cp1252"))
    make_pdf(docs / "new.pdf", [["Scrutiny committee", "The committee reviewed waiting times."]])
    # The good file turns into garbage: its indexed version must survive.
    good.write_bytes(b"\x00\x01\x02bad")
    report = Indexer(settings).ingest([docs])
    failed = {Path(f["path"]).name: f["error"] for f in report.failed}
    assert set(failed) == {"empty.txt", "garbage.pdf", "notes.xlsx", "latin.txt", "minutes.txt"}
    assert failed["garbage.pdf"].startswith("not a PDF")
    assert report.added == 1  # new.pdf still went in
    after = chunk_ids(settings)
    assert set(before) <= set(after)
    again = Indexer(settings).ingest([docs])
    assert again.added == 0 and chunk_ids(settings) == after


def test_a_file_past_the_parse_limits_fails_alone(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "minutes.txt", MINUTES)
    (docs / "deep.html").write_text("<div>" * 300_000 + "text" + "</div>" * 300_000, encoding="utf-8")
    write(docs, "report.txt", REPORT)
    limited = settings.replace(input_limits=InputLimits(parse_seconds=2))
    report = Indexer(limited).ingest([docs])
    assert [(Path(f["path"]).name, f["error"]) for f in report.failed] == [
        ("deep.html", "parsing took longer than the 2 s limit")]
    assert report.added == 2


def load_after_a_pause(path: Path):
    """A slow parse (a big PDF): the text after eight seconds."""
    import time

    from ingest.loaders import load_text

    time.sleep(8)
    return load_text(path)


def test_a_small_upload_does_not_wait_for_a_heavy_one(settings: Settings, tmp_path: Path, monkeypatch) -> None:
    import threading
    import time

    from council_qa.config import PROJECT_ROOT
    from ingest import loaders

    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))  # the parsing child imports the loader from here
    monkeypatch.setitem(loaders._LOADERS, ".slow", load_after_a_pause)
    heavy = write(tmp_path / "a", "budget.slow", "Budget report\n\nSpending\n\nThe budget rose by 4%.\n")
    small = write(tmp_path / "b", "minutes.txt", MINUTES)
    indexer = Indexer(settings)  # one process, as the web chat has
    finished: dict[str, float] = {}

    def ingest(path: Path, name: str) -> None:
        indexer.ingest([path])
        finished[name] = time.monotonic()

    started = time.monotonic()
    first = threading.Thread(target=ingest, args=(heavy, "heavy"))
    first.start()
    time.sleep(1.5)  # the heavy file is being parsed
    ingest(small, "small")
    first.join()
    assert finished["small"] - started < 7 < finished["heavy"] - started
    assert {e.title for e in Manifest.load(settings.manifest_path).ready().values()} >= {"Budget report"}
    assert len(Manifest.load(settings.manifest_path).ready()) == 2


def test_interrupted_ingest_is_finished_by_the_next_run(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "minutes.txt", MINUTES)
    indexer = Indexer(settings)
    indexer.ingest([docs])
    complete = chunk_ids(settings)
    # Simulate a kill after chunks went in but before the manifest said "ready",
    # with half the chunks written.
    manifest = Manifest.load(settings.manifest_path)
    (doc_id,) = manifest.documents
    manifest.documents[doc_id].state = ADDING
    manifest.save()
    indexer.store.delete_document(doc_id)
    indexer.store.add(list(indexer.store.get_nodes(complete[:1])) or [])
    report = Indexer(settings).ingest([docs])
    assert report.added == 1
    assert chunk_ids(settings) == complete


def test_reader_rebuilds_a_stale_keyword_index(settings: Settings, tmp_path: Path) -> None:
    write(tmp_path / "docs", "minutes.txt", MINUTES)
    Indexer(settings).ingest([tmp_path / "docs"])
    shutil.rmtree(settings.keyword_index_path)  # as if killed before the rebuild
    index = CouncilIndex(settings)
    hits = index.keyword.search("housing plan", top_k=3)
    assert hits and "housing plan" in index.store.get_nodes([hits[0][0]])[0].text


def test_pdf_and_docx_chunks_carry_pages(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    make_pdf(docs / "paper.pdf", [["# Public health report", "Smoking rates fell in 2024."],
                                  ["# Next steps", "A vaping campaign starts in schools."]])
    make_docx(docs / "plan.docx", [("title", "Carers plan"), ("h1", "Respite"), ("p", "Respite breaks double."),
                                   ("pagebreak", None), ("h1", "Funding"), ("p", "The budget is £2m.")])
    assert Indexer(settings).ingest([docs]).added == 2
    pages = {n.text: (n.metadata["page_start"], n.metadata["page_end"], n.metadata["section"])
             for n in Indexer(settings).store.iter_nodes()}
    assert pages["A vaping campaign starts in schools."] == (2, 2, "Next steps")
    assert pages["The budget is £2m."] == (2, 2, "Funding")
    assert pages["Respite breaks double."] == (1, 1, "Respite")


def test_sidecar_and_overrides_set_metadata(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    path = write(docs, "paper.txt", REPORT)
    (docs / "paper.txt.meta.json").write_text('{"doc_type": "report", "body": "Cabinet"}', encoding="utf-8")
    Indexer(settings).ingest([docs], overrides={"meeting_date": "2025-03-04"})
    (entry,) = Manifest.load(settings.manifest_path).documents.values()
    assert (entry.doc_type, entry.body, entry.meeting_date) == ("report", "Cabinet", "2025-03-04")
    (docs / "paper.txt.meta.json").write_text('{"doc_type": "budget"}', encoding="utf-8")
    report = Indexer(settings).ingest([path])
    assert report.failed and "doc_type must be one of" in report.failed[0]["error"]


def test_opening_with_another_embedding_model_is_an_error(settings: Settings, tmp_path: Path) -> None:
    write(tmp_path / "docs", "minutes.txt", MINUTES)
    Indexer(settings).ingest([tmp_path / "docs"])
    from index.store import ChromaChunkStore

    with pytest.raises(EmbeddingModelMismatch, match="was built with embedding model"):
        ChromaChunkStore(settings, "other/model", 384)


def test_the_store_searches_with_the_configured_candidate_count(settings: Settings) -> None:
    from index.store import ChromaChunkStore

    assert ChromaChunkStore(settings, settings.embed_model, 384).ef_search == settings.dense_ef_search
    reopened = ChromaChunkStore(settings.replace(dense_ef_search=350), settings.embed_model, 384)
    assert reopened.ef_search == 350


def test_opening_an_index_leaves_its_vector_files_alone(corpus_settings: Settings) -> None:
    """A reader that rewrote them could hand another one opening at once a half-written
    file, whose searches then miss chunks (seen with two evaluations started together)."""
    from index.store import ChromaChunkStore

    def files() -> dict[str, tuple[int, int]]:
        return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in corpus_settings.chroma_path.glob("*/*")}

    before = files()
    assert "index_metadata.pickle" in before  # saved with its log position, so nothing is left to replay
    for _ in range(2):
        store = ChromaChunkStore(corpus_settings, corpus_settings.embed_model_name, 384)
        assert len(store.vector_store.query(_everything(store.count())).ids) == store.count()
    assert files() == before


def test_opening_waits_while_another_process_holds_the_vector_files(settings: Settings) -> None:
    import threading

    from index.store import ChromaChunkStore, store_lock

    settings.chroma_path.mkdir(parents=True)
    opened: list[ChromaChunkStore] = []
    opener = threading.Thread(target=lambda: opened.append(ChromaChunkStore(settings, settings.embed_model, 384)))
    with store_lock(settings.chroma_path):
        opener.start()
        opener.join(1.0)
        assert opener.is_alive() and not opened
    opener.join(60)
    assert len(opened) == 1 and opened[0].count() == 0


def test_a_search_finds_what_another_process_ingested_after_it_opened(settings: Settings) -> None:
    import subprocess
    import sys

    from tests.conftest import STRATEGY

    index = CouncilIndex(settings)
    Indexer(settings, store=index.store).ingest([MEETING])  # as the chat's upload does
    index.refresh()
    loaded = index.store.vector_store
    before = index.store.count()
    assert len(loaded.query(_everything(before)).ids) == before
    assert index.store.vector_store is loaded  # its own writes are in its copy: nothing reloaded
    subprocess.run([str(Path(sys.executable).with_name("council-qa")), "--home", str(settings.home), "ingest",
                    str(STRATEGY)], check=True, capture_output=True)
    index.refresh()  # as before every question
    after = index.store.count()
    assert after > before
    assert len(index.store.vector_store.query(_everything(after)).ids) == after


def _everything(count: int):
    from llama_index.core.vector_stores.types import VectorStoreQuery

    return VectorStoreQuery(query_embedding=[1.0] + [0.0] * 383, similarity_top_k=count)


def test_bundled_meeting_ingests_with_detected_metadata(settings: Settings) -> None:
    report = Indexer(settings).ingest([MEETING])
    assert report.added == 1
    (entry,) = Manifest.load(settings.manifest_path).documents.values()
    assert (entry.doc_type, entry.body, entry.meeting_date) == ("minutes", "Health & Wellbeing Board", "2026-01-22")


def test_each_document_keeps_its_record_beside_its_chunks(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "minutes.txt", MINUTES)
    write(docs, "report.txt", REPORT)
    Indexer(settings).ingest([docs])
    index = CouncilIndex(settings)
    records = {r.doc_id: r for r in index.records.records(list(index.manifest.ready()))}
    assert len(records) == 2
    for record in records.values():
        in_sections = [i for s in record.sections for i in s.chunk_ids]
        assert sorted(in_sections) == sorted(n.node_id for n in index.store.iter_nodes()
                                             if n.metadata["doc_id"] == record.doc_id)
    report_record = next(r for r in records.values() if r.metadata.title == "Libraries report")
    assert any(s.path == ("Opening hours",) for s in report_record.sections)
    (docs / "report.txt").unlink()
    Indexer(settings).ingest([docs], prune=True)
    assert not (settings.records_path / f"{report_record.doc_id}.json").exists()
    assert len(list(settings.records_path.glob("*.json"))) == 1


def test_missing_or_older_records_are_written_again_without_embedding(settings: Settings, tmp_path: Path) -> None:
    import json

    docs = tmp_path / "docs"
    write(docs, "minutes.txt", MINUTES)
    Indexer(settings).ingest([docs])
    before = chunk_ids(settings)
    shutil.rmtree(settings.records_path)  # as an index built before records were kept
    report = Indexer(settings).ingest([docs])
    assert (report.updated, report.chunks_embedded) == (1, 0)
    (record,) = settings.records_path.glob("*.json")
    older = json.loads(record.read_text(encoding="utf-8"))
    older["format"] = 1  # as a version before the decisions register
    del older["decisions"]
    record.write_text(json.dumps(older), encoding="utf-8")
    report = Indexer(settings).ingest([docs])
    assert (report.updated, report.chunks_embedded) == (1, 0)
    assert "decisions" in json.loads(record.read_text(encoding="utf-8"))
    assert chunk_ids(settings) == before


def half_add(settings: Settings, doc_id: str) -> None:
    """As if the process was killed after a document's chunks went in, before it was ready."""
    manifest = Manifest.load(settings.manifest_path)
    manifest.documents[doc_id].state = ADDING
    manifest.save()


def test_a_half_added_upload_is_added_again_by_the_next_ingest_of_anything(settings: Settings, tmp_path: Path) -> None:
    uploads, other = tmp_path / "uploads", tmp_path / "other"
    write(uploads, "minutes.txt", MINUTES)
    write(other, "agenda.txt", "Agenda of the Parks Committee.\n\nItem 1: tree planting in Victoria Park.\n")
    indexer = Indexer(settings)
    indexer.ingest([uploads / "minutes.txt"])
    complete = chunk_ids(settings)
    (doc_id,) = Manifest.load(settings.manifest_path).documents
    half_add(settings, doc_id)
    report = Indexer(settings).ingest([other / "agenda.txt"])  # the next user's upload, not the first file
    assert report.added == 2 and report.failed == []
    assert set(complete) <= set(chunk_ids(settings))
    # Its file gone too: reported, never dropped in silence.
    half_add(settings, doc_id)
    (uploads / "minutes.txt").unlink()
    report = Indexer(settings).ingest([other / "agenda.txt"])
    assert [Path(f["path"]).name for f in report.failed] == ["minutes.txt"]
    assert "interrupted ingest" in report.failed[0]["error"]
    assert doc_id not in Manifest.load(settings.manifest_path).documents


def _doc(settings: Settings) -> tuple[str, object]:
    (doc_id, entry), = Manifest.load(settings.manifest_path).ready().items()
    return doc_id, entry


def _vectors(indexer: Indexer, doc_id: str) -> dict:
    page = indexer.store._collection.get(where={"doc_id": doc_id}, include=["embeddings"])
    return {i: list(v) for i, v in zip(page["ids"], page["embeddings"])}


def test_a_correction_reaches_chunks_record_manifest_and_filters_without_re_embedding(
        settings: Settings, tmp_path: Path) -> None:
    from rag import AnswerEngine, Filters

    docs = tmp_path / "docs"
    write(docs, "minutes.txt", MINUTES)
    indexer = Indexer(settings)
    indexer.ingest([docs])
    doc_id, entry = _doc(settings)
    detected = entry.doc_type
    before = _vectors(indexer, doc_id)
    indexer.correct_metadata(doc_id, {"body": "Housing and Scrutiny Committee", "doc_type": "report",
                                      "meeting_date": "2025-03-05", "title": "Housing plan report"})
    assert _doc(settings)[1].corrections["body"] == "Housing & Scrutiny Committee"  # written as ingest writes it
    indexer.correct_metadata(doc_id, {"body": "Housing Scrutiny Committee", "title": "Housing plan report"})
    assert set(_doc(settings)[1].corrections) == {"body", "doc_type", "meeting_date", "title"}
    _, entry = _doc(settings)
    assert (entry.title, entry.doc_type, entry.body, entry.meeting_date) == (
        "Housing plan report", "report", "Housing Scrutiny Committee", "2025-03-05")
    nodes = list(indexer.store.iter_nodes())
    assert {(n.metadata["body"], n.metadata["doc_type"], n.metadata["meeting_day"]) for n in nodes} == {
        ("Housing Scrutiny Committee", "report", 20250305)}
    assert indexer.records.load(doc_id).metadata.body == "Housing Scrutiny Committee"
    assert _vectors(indexer, doc_id) == before  # nothing re-embedded
    # A plan's issue date, which answers count as the paper's own, is corrected the same way.
    indexer.correct_metadata(doc_id, {"issued": "2025-03"})
    assert {n.metadata["issued"] for n in indexer.store.iter_nodes()} == {"2025-03"}
    assert indexer.records.load(doc_id).metadata.issued == _doc(settings)[1].corrections["issued"] == "2025-03"

    engine = AnswerEngine(settings)
    hits, _ = engine.retrieve("housing plan", Filters(body="Housing Scrutiny Committee", doc_type="report"))
    assert hits and all(h.node.metadata["doc_id"] == doc_id for h in hits)
    assert not engine.retrieve("housing plan", Filters(doc_type=detected))[0]

    # The correction outlives a re-ingest of the file, which finds nothing to do.
    again = Indexer(settings).ingest([docs])
    assert (again.unchanged, again.chunks_embedded) == (1, 0)
    assert _doc(settings)[1].body == "Housing Scrutiny Committee"
    forced = Indexer(settings).ingest([docs], force=True)
    assert (forced.updated, forced.chunks_reused, forced.chunks_embedded) == (1, 0, again.chunks_total)
    assert _doc(settings)[1].body == "Housing Scrutiny Committee"


def test_a_correction_made_while_its_edited_file_is_ingested_is_kept(settings: Settings, tmp_path: Path) -> None:
    """A user corrects a paper's board while an ingest of its edited file is embedding
    outside the lock: the new version goes in with the correction, not the board the
    ingest read before it."""
    docs = tmp_path / "docs"
    paper = write(docs, "minutes.txt", MINUTES)
    indexer = Indexer(settings)
    indexer.ingest([docs])
    doc_id, _ = _doc(settings)
    paper.write_text(MINUTES + "\n\nA late item on the housing plan was added.\n", encoding="utf-8")
    embed, corrected = indexer._embed, []

    def correcting_meanwhile(prepared, report, reuse=True):
        if not corrected:
            corrected.append(indexer.correct_metadata(doc_id, {"body": "Housing Committee"}))
        embed(prepared, report, reuse)

    indexer._embed = correcting_meanwhile
    report = indexer.ingest([docs])
    new_id, entry = _doc(settings)
    assert corrected and report.updated == 1 and new_id != doc_id
    assert entry.body == "Housing Committee" and entry.corrections == {"body": "Housing Committee"}
    assert {n.metadata["body"] for n in indexer.store.iter_nodes()} == {"Housing Committee"}
    assert indexer.records.load(new_id).metadata.body == "Housing Committee"


def test_a_bad_correction_changes_nothing(settings: Settings, tmp_path: Path) -> None:
    write(tmp_path / "docs", "minutes.txt", MINUTES)
    indexer = Indexer(settings)
    indexer.ingest([tmp_path / "docs"])
    doc_id, entry = _doc(settings)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        indexer.correct_metadata(doc_id, {"meeting_date": "5th March"})
    with pytest.raises(ValueError, match="doc_type"):
        indexer.correct_metadata(doc_id, {"doc_type": "memo"})
    with pytest.raises(ValueError, match="YYYY-MM or YYYY-MM-DD"):
        indexer.correct_metadata(doc_id, {"issued": "spring 2025"})
    assert _doc(settings)[1] == entry


def test_an_interrupted_correction_leaves_the_document_to_be_added_again(
        settings: Settings, tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / "docs", "minutes.txt", MINUTES)
    indexer = Indexer(settings)
    indexer.ingest([tmp_path / "docs"])
    doc_id, entry = _doc(settings)

    def killed(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(indexer.store, "set_metadata", killed)
    with pytest.raises(KeyboardInterrupt):
        indexer.correct_metadata(doc_id, {"body": "Housing Committee"})
    assert not Manifest.load(settings.manifest_path).ready()  # not served half-corrected
    report = Indexer(settings).ingest([])  # the next ingest of anything adds it again, corrected
    assert report.ok and _doc(settings)[0] == doc_id
    assert {n.metadata["body"] for n in Indexer(settings).store.iter_nodes()} == {"Housing Committee"}
    assert _doc(settings)[1].corrections == {"body": "Housing Committee"} and entry.body != "Housing Committee"


def test_removing_a_document_takes_it_out_everywhere(settings: Settings, tmp_path: Path) -> None:
    from index import KeywordIndex

    write(tmp_path / "docs", "minutes.txt", MINUTES)
    upload = write(settings.uploads_path, "report.txt", REPORT)
    indexer = Indexer(settings)
    indexer.ingest([tmp_path / "docs", upload])
    ids = {Path(e.sources[0]).name: d for d, e in Manifest.load(settings.manifest_path).ready().items()}
    assert indexer.remove(ids["report.txt"]) and not indexer.remove("0123456789abcdef")
    assert set(Manifest.load(settings.manifest_path).documents) == {ids["minutes.txt"]}
    assert {n.metadata["doc_id"] for n in indexer.store.iter_nodes()} == {ids["minutes.txt"]}
    assert indexer.records.load(ids["report.txt"]) is None
    keyword = KeywordIndex.load(settings.keyword_index_path)
    assert keyword.generation == Manifest.load(settings.manifest_path).generation
    assert not upload.exists()  # an upload the app stored goes with it
    assert indexer.remove(ids["minutes.txt"])
    assert (tmp_path / "docs" / "minutes.txt").exists()  # a user's own file is never touched
    assert indexer.store.count() == 0


def test_an_edited_paper_embeds_only_its_changed_chunks(settings: Settings, tmp_path: Path) -> None:
    from llama_index.core.schema import MetadataMode

    paragraphs = [f"Paragraph {i}: the committee discussed item {i} of the housing plan at length, "
                  f"including rents, repairs and new homes in ward {i}." for i in range(40)]
    path = write(tmp_path / "docs", "report.txt", "Housing report\n\n" + "\n\n".join(paragraphs) + "\n")
    first = Indexer(settings).ingest([tmp_path / "docs"])
    assert first.chunks_reused == 0 and first.chunks_embedded > 4
    before = {n.get_content(metadata_mode=MetadataMode.EMBED): n for n in Indexer(settings).store.iter_nodes()}
    paragraphs[-1] = "Paragraph 39: the committee deferred the last item to its next meeting."
    path.write_text("Housing report\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    second = Indexer(settings).ingest([tmp_path / "docs"])
    assert second.updated == 1 and second.chunks_reused >= first.chunks_embedded - 2
    assert 0 < second.chunks_embedded <= 2
    indexer = Indexer(settings)
    page = indexer.store._collection.get(include=["documents", "metadatas", "embeddings"])
    assert all("embed_sha" in m for m in page["metadatas"])
    from llama_index.core.vector_stores.utils import metadata_dict_to_node

    nodes = [metadata_dict_to_node(m, text=t) for m, t in zip(page["metadatas"], page["documents"])]
    texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
    assert not any("embed_sha" in t or t not in before and "Paragraph 39: the committee deferred" not in t
                   for t in texts)  # the key is never embedded; every other chunk's text was there before
    fresh = indexer.embedder.embed_texts(texts)
    assert all(max(abs(a - b) for a, b in zip(stored, computed)) < 1e-4
               for stored, computed in zip(page["embeddings"], fresh))  # reused vectors are the right ones


def test_a_removed_file_stays_out_of_its_folders_next_ingest_until_named(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    minutes = write(docs, "minutes.txt", MINUTES)
    write(docs, "report.txt", REPORT)
    indexer = Indexer(settings)
    indexer.ingest([docs])
    doc_id = next(d for d, e in Manifest.load(settings.manifest_path).ready().items() if "minutes.txt" in e.sources[0])
    assert indexer.remove(doc_id)
    again = Indexer(settings).ingest([docs])
    assert again.left_out == [str(minutes)] and (again.added, again.unchanged) == (0, 1)
    assert len(Manifest.load(settings.manifest_path).ready()) == 1
    back = Indexer(settings).ingest([minutes])  # the file itself, named: wanted back
    assert (back.added, back.left_out) == (1, []) and Manifest.load(settings.manifest_path).removed == []
    assert Indexer(settings).ingest([docs]).unchanged == 2
