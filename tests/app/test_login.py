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
