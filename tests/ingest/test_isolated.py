"""Parsing in a child process: a file that takes too much memory or time, or kills its
parser, is refused with a one-line reason and the next file still loads."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from council_qa.config import PROJECT_ROOT, InputLimits
from ingest import IsolatedLoader, LoadError
from ingest import loaders


def load_hungry(path: Path):
    return [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GB, touched


def load_slow(path: Path):
    time.sleep(120)


def load_crashing(path: Path):
    os._exit(3)  # as a parser's segfault or abort ends its process


def load_marking(path: Path):
    """Text, leaving a mark beside the file that it was parsed."""
    Path(f"{path}.parsed").write_text("", encoding="utf-8")
    return loaders.load_text(path)


@pytest.fixture
def hostile_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    """Formats whose loaders misbehave; the child imports them from this module."""
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    for extension, loader in {".hungry": load_hungry, ".slow": load_slow, ".crash": load_crashing,
                              ".marked": load_marking}.items():
        monkeypatch.setitem(loaders._LOADERS, extension, loader)


@pytest.mark.parametrize(("name", "reason"), [
    ("a.hungry", "parsing needed more than the 300 MB memory limit"),
    ("a.slow", "parsing took longer than the 3 s limit"),
    ("a.crash", "the parser stopped (exit status 3)"),
])
def test_a_file_past_the_limits_is_refused_and_the_next_one_loads(
        hostile_formats, tmp_path: Path, name: str, reason: str) -> None:
    bad, good = tmp_path / name, tmp_path / "good.md"
    bad.write_text("x", encoding="utf-8")
    good.write_text("# Minutes\n\nThe board agreed the plan.\n", encoding="utf-8")
    with IsolatedLoader(InputLimits(parse_seconds=3, parse_memory_mb=300)) as load:
        assert "agreed the plan" in load(good).text
        started = time.monotonic()
        with pytest.raises(LoadError) as err:
            load(bad)
        assert time.monotonic() - started < 15
        assert str(err.value).startswith(f"{bad}: {reason}")
        assert "agreed the plan" in load(good).text


def test_the_time_limit_counts_parsing_not_the_childs_start(tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text("# Minutes\n\nThe board agreed the plan.\n", encoding="utf-8")
    # A fresh child takes a second or two to start and import its loader (CI once refused
    # a small text file for that under a 2 s limit).
    with IsolatedLoader(InputLimits(parse_seconds=0.5)) as load:
        assert "agreed the plan" in load(good).text
    with IsolatedLoader(InputLimits(start_seconds=0.01)) as load, \
            pytest.raises(LoadError, match="the parser did not start within 0.01 s"):
        load(good)


def test_the_childs_own_refusals_keep_their_reasons(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with IsolatedLoader() as load, pytest.raises(LoadError, match="empty file"):
        load(empty)


def test_a_loader_defined_in_a_function_runs_in_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def load_local(path: Path):
        return loaders.load_text(path)

    monkeypatch.setitem(loaders._LOADERS, ".local", load_local)
    path = tmp_path / "a.local"
    path.write_text("Local text.", encoding="utf-8")
    with IsolatedLoader() as load:
        assert load(path).text == "Local text."


def test_a_file_sent_ahead_is_parsed_before_it_is_asked_for(hostile_formats, tmp_path: Path) -> None:
    first, second = tmp_path / "first.marked", tmp_path / "second.marked"
    first.write_text("The first paper.", encoding="utf-8")
    second.write_text("The second paper.", encoding="utf-8")
    with IsolatedLoader() as load:
        load.prefetch(first)
        deadline = time.monotonic() + 60
        while not Path(f"{first}.parsed").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert Path(f"{first}.parsed").exists(), "the child did not start on the file sent ahead"
        assert load(first).text == "The first paper."
        load.prefetch(first)  # asked for ahead, then not: the file asked for is the one returned
        assert load(second).text == "The second paper."
        assert load(first).text == "The first paper."


def test_a_file_sent_ahead_is_timed_from_when_its_parsing_began(hostile_formats, tmp_path: Path) -> None:
    slow, good = tmp_path / "a.slow", tmp_path / "good.md"
    slow.write_text("x", encoding="utf-8")
    good.write_text("# Minutes\n\nThe board agreed the plan.\n", encoding="utf-8")
    with IsolatedLoader(InputLimits(parse_seconds=3)) as load:
        assert "agreed the plan" in load(good).text  # the child is up
        load.prefetch(slow)
        time.sleep(4)  # the caller's own work, longer than the limit
        started = time.monotonic()
        with pytest.raises(LoadError, match="longer than the 3 s limit"):
            load(slow)
        assert time.monotonic() - started < 2.5
        assert "agreed the plan" in load(good).text
