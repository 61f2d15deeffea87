from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from council_qa.cli import cli
from eval.checks import set_problems
from eval.dataset import BLIND_SET, BUNDLED_SET, FINAL_SET, FRESH_SET, HELDOUT_SET, UNSEEN_SET, load_questions

CHUNKS = [
    ("SEND", "Independent special school placements can cost £80,000 per child per year."),
    ("Better Care Fund", "The board approved the Barnet Better Care Fund plan for 2025-26."),
    ("Our five principles > 1. Making health everyone’s business",
     "We will ensure health is everyone’s business, not just for agencies."),
]


def write_set(path: Path, *questions: dict) -> Path:
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    return path


def question(id_: str, quote: str | None, must: list[list[str]], answerable: bool = True) -> dict:
    return {"id": id_, "question": "Q?", "answerable": answerable, "doc": "meeting", "must": must, "quote": quote}


def problems_of(tmp_path: Path, *questions: dict) -> tuple[Path, list[str]]:
    path = write_set(tmp_path / "mine.jsonl", *questions)
    return path, set_problems(load_questions(path), CHUNKS)


def test_a_quote_no_chunk_holds_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    path, problems = problems_of(
        tmp_path,
        question("cost", "placements can cost £80,000 per child", [["£80,000"]]),
        question("schools", "the rebuild of Oakley and Mappledown schools", [["Oakley"]]),
    )
    assert problems == [
        f"{path}:2: schools: no indexed chunk holds the quote, so retrieval can never count a hit",
        f"{path}:2: schools: must group 1 (Oakley) is in no indexed chunk",
    ]


def test_half_the_quote_in_one_run_is_enough(tmp_path: Path) -> None:
    _, problems = problems_of(tmp_path, question(
        "bcf", "approved the Barnet Better Care Fund plan and then something the papers never said",
        [["better care fund", "BCF"], ["2025-26"]]))
    assert problems == []


def test_the_quote_words_must_be_in_one_run_not_scattered(tmp_path: Path) -> None:
    # Every word is in the chunk, but no three of the five follow one another there.
    _, problems = problems_of(tmp_path, question("scrambled", "plan board Fund approved Barnet", [["Barnet"]]))
    assert len(problems) == 1 and "no indexed chunk holds the quote" in problems[0]


def test_a_quote_may_run_from_the_heading_into_the_text_and_curly_quotes_match_straight(tmp_path: Path) -> None:
    _, problems = problems_of(tmp_path, question(
        "principle", "Making health everyone's business We will ensure health is", [["everyone's business"]]))
    assert problems == []


def test_every_group_is_checked_and_unanswerable_questions_are_not(tmp_path: Path) -> None:
    path, problems = problems_of(
        tmp_path,
        question("bcf", None, [["Better Care Fund"], ["2027-28", "2028"]]),
        question("tax", "council tax band D", [["£1,900"]], answerable=False),
    )
    assert problems == [f"{path}:1: bcf: must group 2 (2027-28 | 2028) is in no indexed chunk"]


def test_a_quote_without_words_and_an_empty_index_are_reported(tmp_path: Path) -> None:
    path, problems = problems_of(tmp_path, question("dash", "—", [["£80,000"]]))
    assert problems == [f"{path}:1: dash: the quote has no words to match"]
    assert set_problems(load_questions(path), []) == ["the index holds no chunks: ingest the papers before evaluating"]


@pytest.mark.parametrize("path", [BUNDLED_SET, HELDOUT_SET, UNSEEN_SET, BLIND_SET, FRESH_SET, FINAL_SET],
                         ids=["bundled", "heldout", "unseen", "blind", "fresh", "final"])
def test_the_project_sets_fit_the_bundled_index(engine, path: Path) -> None:
    assert set_problems(load_questions(path), engine.index.chunks()) == []


def test_eval_warns_about_the_line_and_still_runs(corpus_settings, tmp_path: Path) -> None:
    path = write_set(
        tmp_path / "mine.jsonl",
        question("cost", "independent placements, which can range from £80,000", [["£80,000"]]),
        question("typo", "independant placments, wich can rnage form £8O,OOO", [["£80,000"]]),
    )
    report = tmp_path / "report"
    result = CliRunner().invoke(cli, ["--home", str(corpus_settings.home), "eval", "--set", str(path), "--json",
                                      "--report", str(report)])
    assert result.exit_code == 0, result.output
    warning = f"{path}:2: typo: no indexed chunk holds the quote, so retrieval can never count a hit"
    assert result.stderr.splitlines() == [f"warning: {warning}"]
    assert json.loads(result.stdout)["n"] == 2
    assert f"## The set against this index\n\nThese can never be scored as found:\n\n- {warning}\n" in (
        report / "report.md").read_text(encoding="utf-8")


def test_the_quick_one_pass_check_agrees_with_scoring_on_random_text() -> None:
    import random

    from eval.dataset import EvalQuestion
    from eval.metrics import holds_quote
    from eval.runner import shown_text

    rng = random.Random(4)
    vocab = "the board care fund plan of and to health barnet school child cost year".split()
    chunks = [(" ".join(rng.choices(vocab, k=3)), " ".join(rng.choices(vocab, k=rng.randint(5, 30))))
              for _ in range(60)]
    questions = []
    for n in range(300):
        section, text = rng.choice(chunks)
        shown = shown_text(section, text).split()
        start = rng.randrange(len(shown))
        quote = shown[start:start + rng.randint(1, 12)]
        for _ in range(rng.randint(0, 4)):  # some quotes stay held, others no longer are
            quote[rng.randrange(len(quote))] = rng.choice(vocab + ["oakley"])
        questions.append(EvalQuestion(f"q{n}", "Q?", True, None, (("the",),), " ".join(quote), "fact"))
    flagged = {line.split(":")[0] for line in set_problems(questions, chunks)}
    expected = {q.id for q in questions if not any(holds_quote(shown_text(s, t), q.quote) for s, t in chunks)}
    assert flagged == expected and 0 < len(expected) < len(questions)
