"""With a login set, no route but the login page's own answers without it."""

from __future__ import annotations

import csv
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

import pytest

from tests.servers import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def login_url(app_settings, engine):
    import app as web

    settings = app_settings.replace(auth="clerk:s3cret-words", port=free_port())
    blocks = web.create_app(settings, engine)
    web.launch(blocks, settings, web.LoginGuard(web.parse_auth(settings.auth)), engine.index, prevent_thread_lock=True)
    yield f"http://127.0.0.1:{settings.port}"
    blocks.close()


def status(opener, url: str, data: bytes | None = None, content_type: str = "application/json") -> int:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


PROTECTED = [
    ("/openapi.json", None), ("/gradio_api/openapi.json", None), ("/config", None),
    ("/gradio_api/info", None), ("/gradio_api/heartbeat/abc", None), ("/gradio_api/queue/data", None),
    ("/gradio_api/reset", b'{"session_hash": "abc", "fn_index": 0, "event_id": "x"}'),
    ("/gradio_api/cancel", b'{"session_hash": "abc", "fn_index": 0, "event_id": "x"}'),
    ("/gradio_api/queue/join", b'{"data": ["q"], "fn_index": 0, "session_hash": "abc"}'),
    ("/cqa/papers/0000000000000000", None), ("/cqa/passages/0000000000000000-0000", None),
]


def test_every_route_needs_the_login_and_the_login_opens_them(login_url) -> None:
    anonymous = urllib.request.build_opener()
    for path, body in PROTECTED:
        assert status(anonymous, login_url + path, body) == 401, path
    assert status(anonymous, login_url + "/") == 200  # the login page itself

    jar = CookieJar()
    clerk = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    wrong = status(clerk, login_url + "/login", b"username=clerk&password=guess",
                   "application/x-www-form-urlencoded")
    assert wrong == 400
    right = status(clerk, login_url + "/login", b"username=clerk&password=s3cret-words",
                   "application/x-www-form-urlencoded")
    assert right == 200
    assert status(clerk, login_url + "/config") == 200
    assert status(clerk, login_url + "/gradio_api/reset", PROTECTED[6][1]) != 401


def test_commitments_csv_downloads_when_the_index_is_outside_the_working_and_temp_folders(
        app_settings, engine, tmp_path, monkeypatch) -> None:
    """Gradio serves only files under the working or the temp folder: the CSV must never be
    served from the index home."""
    import asyncio
    import tempfile

    import app as web

    (tmp_path / "work").mkdir()
    (tmp_path / "tmp").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    settings = app_settings.replace(port=free_port())
    blocks = web.create_app(settings, engine)
    web.launch(blocks, settings, None, engine.index, prevent_thread_lock=True)
    try:
        index = next(i for i, fn in blocks.fns.items() if fn.name == "commitment_rows")
        result = asyncio.run(blocks.process_api(block_fn=index, inputs=["All", "All"], state=None))
        with open(result["data"][2]["path"], encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    finally:
        blocks.close()
    assert rows[0] == ["strategy", "key_area", "title", "status", "status_means", "last_discussed", "statement",
                       "evidence"]
    assert len(rows) > 10


def test_only_the_editors_named_may_change_the_index(app_settings, tmp_path) -> None:
    """With COUNCIL_QA_EDITORS set, a signed-in reader may ask but not upload: the upload
    API refuses them with a reason and the index is untouched; an editor's upload goes in."""
    from gradio_client import Client, handle_file

    import app as web
    from index import Manifest
    from rag import AnswerEngine

    settings = app_settings.replace(home=tmp_path / "home", auth="clerk:s3cret-words,reader:other-words",
                                    editors="clerk", port=free_port())
    engine = AnswerEngine(settings)
    blocks = web.create_app(settings, engine)
    web.launch(blocks, settings, web.LoginGuard(web.parse_auth(settings.auth)), engine.index, prevent_thread_lock=True)
    paper = tmp_path / "ferry-review.md"
    paper.write_text("# Ferry review\n\nThe Thornbury ferry runs every 40 minutes in winter.\n", encoding="utf-8")
    url = f"http://127.0.0.1:{settings.port}"
    try:
        reader = Client(url, auth=("reader", "other-words"), verbose=False)
        refused = reader.predict([handle_file(str(paper))], api_name="/upload")[0]
        assert "Only an editor can change the index" in refused
        assert not Manifest.load(settings.manifest_path).ready()
        clerk = Client(url, auth=("clerk", "s3cret-words"), verbose=False)
        added = clerk.predict([handle_file(str(paper))], api_name="/upload")[0]
        assert "ferry-review.md is in the index" in added
        assert [e.title for e in Manifest.load(settings.manifest_path).ready().values()] == ["Ferry review"]
    finally:
        blocks.close()


def test_without_an_editors_list_every_user_may_edit() -> None:
    import app as web
    from council_qa.config import Settings

    assert web.may_edit(Settings(), None)  # no login: a local, single-user app
    assert web.may_edit(Settings(auth="a:b,c:d"), "c")
    assert not web.may_edit(Settings(auth="a:b,c:d", editors=" a "), "c")
    assert web.may_edit(Settings(auth="a:b,c:d", editors="a, c"), "c")
