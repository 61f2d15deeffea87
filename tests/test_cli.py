from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from council_qa.cli import cli


def run(*args: str, home: Path):
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def test_ingest_json_reports_and_exit_status(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "minutes.txt").write_text("Cabinet - 4 March 2025\n\nHousing\n\nCabinet approved the plan.\n")
    (docs / "bad.pdf").write_bytes(b"not a pdf at all")
    result = run("ingest", str(docs), "--json", home=tmp_path / "home")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert {k: payload[k] for k in ("added", "updated", "unchanged", "removed")} == {
        "added": 1, "updated": 0, "unchanged": 0, "removed": 0}
    assert payload["chunks_total"] >= 1
    assert payload["failed"] == [{"path": str(docs / "bad.pdf"), "error": "not a PDF file (no %PDF header)"}]
    (docs / "bad.pdf").unlink()
    again = run("ingest", str(docs), "--json", home=tmp_path / "home")
    assert again.exit_code == 0
    assert json.loads(again.stdout)["unchanged"] == 1


def test_ingest_missing_path_is_a_failure(tmp_path: Path) -> None:
    result = run("ingest", str(tmp_path / "nope"), "--json", home=tmp_path / "home")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["failed"][0]["error"] == "no such file or folder"


def test_an_index_home_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(cli, ["--home", str(blocker / "home"), "ingest", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == f"Error: cannot create the index in {blocker / 'home'}: Not a directory\n"


def test_stats_json_counts_per_doc_type(corpus_settings) -> None:
    result = run("stats", "--json", home=corpus_settings.home)
    payload = json.loads(result.stdout)
    assert payload["documents"] == 2
    assert payload["by_doc_type"]["minutes"]["documents"] == 1
    assert payload["by_doc_type"]["strategy"]["documents"] == 1
    assert payload["chunks"] == sum(v["chunks"] for v in payload["by_doc_type"].values())


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,)
        if hasattr(command, "commands"):
            yield from _commands(command, prefix + (name,))


@pytest.mark.parametrize("command", sorted(_commands(cli)), ids=" ".join)
def test_every_command_has_help(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.stdout and len(result.stdout.splitlines()) > 4


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).with_name("council-qa")
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True)
    assert "ingest" in out.stdout
