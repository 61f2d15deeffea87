"""The evaluation gate on real papers nobody here wrote (eval/data/real_qa.jsonl over
../shared/corpus-real), both parts of its split through the chat's own code path."""

from __future__ import annotations

import json

import pytest

from eval.dataset import REAL_SET, SPLITS, load_questions
from eval.gate import gate_failures, load_thresholds
from eval.metrics import summarise
from eval.runner import run_questions


@pytest.fixture(scope="module")
def real_run(real_engine):
    questions = load_questions(REAL_SET)
    results, _ = run_questions(real_engine, questions)
    return {split: summarise([r for r in results if r.question.split == split]) for split in SPLITS} | {
        "all": summarise(results)}


def test_real_papers_quality_gate(real_run) -> None:
    failures = gate_failures(real_run["all"], load_thresholds(question_set=REAL_SET.stem))
    assert not failures, "; ".join(failures) + "\n" + json.dumps(real_run, indent=1)


def test_real_set_is_split_before_tuning_and_meets_its_spec() -> None:
    questions = load_questions(REAL_SET)
    assert len(questions) >= 100
    assert sum(not q.answerable for q in questions) >= 20
    assert {q.split for q in questions} == set(SPLITS)
    assert len(load_questions(REAL_SET, "untouched")) >= 40
    votes = [q for q in questions if q.category in {"vote", "proposer", "resolved"}]
    assert len(votes) >= 15
    assert all(q.quote for q in questions if q.answerable)
