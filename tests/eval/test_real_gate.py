"""The evaluation gates on real papers nobody here wrote (eval/data/real_qa.jsonl and
eval/data/real_wide.jsonl over ../shared/corpus-real), both parts of each split through the
chat's own code path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.dataset import REAL_SET, SPLITS, load_questions
from eval.gate import gate_failures, load_thresholds
from eval.metrics import summarise
from eval.runner import run_questions


WIDE_SET = REAL_SET.with_name("real_wide.jsonl")


@pytest.mark.parametrize("question_set", [REAL_SET, WIDE_SET], ids=lambda path: path.stem)
def test_real_papers_quality_gate(real_engine, question_set) -> None:
    results, _ = run_questions(real_engine, load_questions(question_set))
    measured = {split: summarise([r for r in results if r.question.split == split]) for split in SPLITS} | {
        "all": summarise(results)}
    failures = gate_failures(measured["all"], load_thresholds(question_set=question_set.stem))
    assert not failures, "; ".join(failures) + "\n" + json.dumps(measured, indent=1)


def test_real_set_is_split_before_tuning_and_meets_its_spec() -> None:
    questions = load_questions(REAL_SET)
    assert len(questions) >= 100
    assert sum(not q.answerable for q in questions) >= 20
    assert {q.split for q in questions} == set(SPLITS)
    assert len(load_questions(REAL_SET, "untouched")) >= 40
    votes = [q for q in questions if q.category in {"vote", "proposer", "resolved"}]
    assert len(votes) >= 15
    assert all(q.quote for q in questions if q.answerable)


def test_wide_set_asks_about_every_readable_paper_and_is_split() -> None:
    from tests.files import CORPUS_REAL

    questions = load_questions(WIDE_SET)
    assert {q.split for q in questions} == set(SPLITS)
    assert sum(not q.answerable for q in questions) >= 30
    assert all(q.quote for q in questions if q.answerable)
    if not CORPUS_REAL.is_dir():
        pytest.skip(f"{CORPUS_REAL} is absent: the real-papers corpus lives beside the project")
    table = Path(__file__).resolve().parents[1] / "data" / "corpus_real_metadata.jsonl"
    papers = [json.loads(line) for line in table.read_text(encoding="utf-8").splitlines() if line.strip()]
    readable = {paper["file"] for paper in papers if not paper["scanned"]}
    rows = [json.loads(line) for line in WIDE_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert {name for row in rows for name in row["files"]} == readable
