from __future__ import annotations

import shutil
import time
import urllib.request

import pytest

from council_qa.config import Settings
from tests.servers import free_port


@pytest.fixture(scope="session")
def app_settings(corpus_settings, tmp_path_factory) -> Settings:
    """A copy of the corpus index: the app's uploads must not change what other tests see."""
    home = tmp_path_factory.mktemp("app") / "home"
    shutil.copytree(corpus_settings.home, home)
    return corpus_settings.replace(home=home, port=free_port())


@pytest.fixture(scope="session")
def app_engine(app_settings):
    from rag import AnswerEngine

    return AnswerEngine(app_settings)


@pytest.fixture(scope="session")
def app_url(app_settings, app_engine):
    import app as web

    blocks = web.create_app(app_settings, app_engine)
    web.launch(blocks, app_settings, None, app_engine.index, prevent_thread_lock=True)
    url = f"http://127.0.0.1:{app_settings.port}/"
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield url
    blocks.close()
