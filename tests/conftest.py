from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from council_qa.config import BUNDLED_CORPUS, Settings, offline_environment  # noqa: E402

offline_environment()

MEETING = BUNDLED_CORPUS / "barnet-hwbb-2026-01-22-meeting-summary.txt"
STRATEGY = BUNDLED_CORPUS / "barnet-jhws-2021-2025-strategy.txt"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A fresh, empty index home for one test."""
    return Settings.from_env(environ={}, home=tmp_path / "home")


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """An index of the bundled corpus, built once and shared read-only by the session."""
    from index import Indexer

    home = tmp_path_factory.mktemp("corpus-index")
    settings = Settings.from_env(environ={}, home=home)
    report = Indexer(settings).ingest([BUNDLED_CORPUS])
    assert report.ok and report.added == 2
    return settings


@pytest.fixture(scope="session")
def real_corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """An index of ../shared/corpus-real, built once for the session (skips without it)."""
    from index import Indexer
    from tests.files import CORPUS_REAL

    if not CORPUS_REAL.is_dir():
        pytest.skip(f"{CORPUS_REAL} is absent: the real-papers corpus lives beside the project")
    home = tmp_path_factory.mktemp("real-index")
    settings = Settings.from_env(environ={}, home=home)
    papers = sorted(p for p in CORPUS_REAL.iterdir() if p.suffix in {".pdf", ".docx", ".html"})  # not its README
    report = Indexer(settings).ingest(papers)
    assert report.added == 35
    return settings


@pytest.fixture(scope="session")
def real_engine(real_corpus_settings):
    from rag import AnswerEngine

    return AnswerEngine(real_corpus_settings)


@pytest.fixture(scope="session")
def wordpieces():
    from index import wordpiece_counter

    return wordpiece_counter(Settings.from_env(environ={}))


@pytest.fixture(scope="session")
def engine(corpus_settings):
    """One answer engine over the bundled corpus for the session (models load once)."""
    from rag import AnswerEngine

    return AnswerEngine(corpus_settings)
