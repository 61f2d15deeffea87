"""The chunk store: in a Chroma server (``COUNCIL_QA_CHROMA_URL``), a real ``chroma run`` on loopback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from council_qa.config import Settings
from index import Indexer, Manifest, StoreError
from tests.servers import free_port, serving
from tests.conftest import MEETING, STRATEGY

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    port = free_port()
    command = [str(Path(sys.executable).with_name("chroma")), "run", "--path",
               str(tmp_path_factory.mktemp("chroma-server")), "--host", "127.0.0.1", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with serving(command, f"{url}/api/v2/heartbeat", "chroma run"):
        yield url


def test_ingest_ask_and_reingest_against_a_chroma_server(chroma_url, tmp_path: Path) -> None:
    import chromadb

    from rag import AnswerEngine

    settings = Settings.from_env(environ={}, home=tmp_path / "home", chroma_url=chroma_url, collection="server_test")
    first = Indexer(settings).ingest([MEETING, STRATEGY])
    assert (first.added, first.failed) == (2, [])
    assert not settings.chroma_path.exists()  # nothing stored locally but the manifest and records
    port = int(chroma_url.rsplit(":", 1)[1])
    on_server = chromadb.HttpClient(host="127.0.0.1", port=port).get_collection("server_test").count()
    assert on_server == first.chunks_total > 100

    answer = AnswerEngine(settings).ask("How much do independent SEND placements cost?")
    assert "£80,000" in answer.answer and answer.citations

    again = Indexer(settings).ingest([MEETING, STRATEGY])
    assert (again.unchanged, again.chunks_embedded, again.chunks_total) == (2, 0, first.chunks_total)
    doc_id = next(iter(Manifest.load(settings.manifest_path).ready()))
    assert Indexer(settings).remove(doc_id)
    assert 0 < chromadb.HttpClient(host="127.0.0.1", port=port).get_collection("server_test").count() < on_server


def test_no_server_at_the_url_is_one_clear_error(tmp_path: Path) -> None:
    settings = Settings.from_env(environ={}, home=tmp_path / "home", chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreError, match="no Chroma server answers at http://127.0.0.1"):
        Indexer(settings)
    with pytest.raises(StoreError, match="not an http"):
        Indexer(settings.replace(chroma_url="ftp://example.org"))

