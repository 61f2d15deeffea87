from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from council_qa.cli import cli
from eval.checks import set_problems
from eval.dataset import BUNDLED_SET, HELDOUT_SET, UNSEEN_SET, load_questions

CHUNKS = [
    "SEND\nIndependent special school placements can cost £80,000 per child per year.",
    "Better Care Fund\nThe board approved the Barnet Better Care Fund plan for 2025-26.",
]


def write_set(path: Path, *questions: dict) -> Path:
    path.write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    return path


def question(id_: str, quote: str | None, must: list[list[str]]) -> dict:
    return {"id": id_, "question": "Q?", "answerable": True, "doc": "meeting", "must": must, "quote": quote}


def test_a_quote_no_chunk_holds_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    path = write_set(
        tmp_path / "mine.jsonl",
        question("cost", "placements can cost £80,000 per child", [["£80,000"]]),
        question("schools", "the rebuild of Oakley and Mappledown schools", [["Oakley"]]),
    )
    problems = set_problems(load_questions(path), CHUNKS)
    assert problems[0] == (f"{path}:2: schools: no indexed chunk holds the quote, "
                           "so retrieval can never count a hit")
    assert problems[1] == f"{path}:2: schools: must group 1 (Oakley) is in no indexed chunk"
    assert len(problems) == 2


def test_half_the_quote_in_one_run_is_enough_and_case_and_quotes_do_not_matter(tmp_path: Path) -> None:
    path = write_set(tmp_path / "mine.jsonl", question(
        "bcf", "approved the Barnet Better Care Fund plan and then something the papers never said",
        [["better care fund", "BCF"], ["2025-26"]]))
    assert set_problems(load_questions(path), CHUNKS) == []


def test_every_group_is_checked_not_only_the_first(tmp_path: Path) -> None:
    path = write_set(tmp_path / "mine.jsonl", question("bcf", None, [["Better Care Fund"], ["2027-28", "2028"]]))
    assert set_problems(load_questions(path), CHUNKS) == [
        f"{path}:1: bcf: must group 2 (2027-28 | 2028) is in no indexed chunk"]


@pytest.mark.parametrize("path", [BUNDLED_SET, HELDOUT_SET, UNSEEN_SET], ids=["bundled", "heldout", "unseen"])
def test_the_project_sets_fit_the_bundled_index(engine, path: Path) -> None:
    assert set_problems(load_questions(path), engine.index.keyword.texts()) == []


def test_eval_warns_about_the_line_and_still_runs(corpus_settings, tmp_path: Path) -> None:
    path = write_set(
        tmp_path / "mine.jsonl",
        question("cost", "independent placements, which can range from £80,000", [["£80,000"]]),
        question("typo", "independant placments, wich can rnage form £8O,OOO", [["£80,000"]]),
    )
    result = CliRunner().invoke(cli, ["--home", str(corpus_settings.home), "eval", "--set", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert f"warning: {path}:2: typo: no indexed chunk holds the quote" in result.stderr
    assert ":1:" not in result.stderr
    assert json.loads(result.stdout)["n"] == 2
