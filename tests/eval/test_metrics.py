from __future__ import annotations

from eval.dataset import EvalQuestion
from eval.metrics import QuestionResult, contains, gap_interval, holds_quote, summarise


def q(id_: str, answerable: bool = True, must=(("80,000",),), quote: str | None = "placements can cost £80,000 "
      "to £110,000 per child") -> EvalQuestion:
    return EvalQuestion(id_, "Q?", answerable, "meeting" if answerable else None,
                        tuple(tuple(g) for g in must) if answerable else (), quote if answerable else None,
                        "fact" if answerable else "unanswerable")


def test_quote_is_held_by_half_of_its_words_in_one_run() -> None:
    quote = "independent placements can cost £80,000 to £110,000 per child"
    assert holds_quote("Costs: Independent placements can cost £80,000 to £110,000 per child.", quote)
    assert holds_quote("independent placements can cost £80,000 and more", quote)  # 5 of 9 words in a row
    assert not holds_quote("placements cost £80,000 to £110,000", quote)  # 4 of 9 in a row
    assert not holds_quote("anything", None)


def test_a_table_row_holds_the_row_as_printed() -> None:
    # Ingest writes each figure with its column heading; the paper prints the bare row.
    row = ("Total Expenditure | Approved budget £000s: 173,889 | Current Budget £000s: 181,990 | "
           "Q1 Forecast £000s: 174,275 | Q2 Forecast £000s: 178,731")
    assert holds_quote(row, "Total Expenditure 173,889 181,990 174,275 178,731")
    assert not holds_quote(row, "Total Income 12,000 13,000 14,000 178,731")  # the figures of another row


def test_must_alternatives_ignore_case_spacing_and_curly_quotes() -> None:
    assert contains("Everyone\u2019s  business", "everyone's business")
    assert not contains("everyones business", "everyone's business")


def test_summary_metrics() -> None:
    good = QuestionResult.score(q("a"), "It costs £80,000 [1].", False,
                                ["x", "independent placements can cost £80,000 to £110,000 per child"],
                                [{"text": "placements can cost £80,000 to £110,000 per child", "section": ""}], 10)
    wrong = QuestionResult.score(q("b", must=(("4,000",), ("EHCP",))), "EHCP numbers [1].", False, ["nothing"],
                                 [{"text": "unrelated", "section": ""}], 30)
    refused = QuestionResult.score(q("c", answerable=False), "The papers I have do not answer this question.",
                                   True, ["x"], [], 20)
    guessed = QuestionResult.score(q("d", answerable=False), "Something [1].", False, ["x"],
                                   [{"text": "x", "section": ""}], 40)
    metrics = summarise([good, wrong, refused, guessed])
    assert metrics["hit_at_1"] == 0.0 and metrics["hit_at_5"] == 0.5 and metrics["mrr"] == 0.25
    assert metrics["must_recall"] == 0.75  # 1 of 1 groups, then 1 of 2
    assert metrics["exact"] == 0.5
    assert metrics["citation_precision"] == round(1 / 3, 4)
    assert metrics["abstain_precision"] == 1.0 and metrics["abstain_recall"] == 0.5
    assert metrics["p50_ms"] == 25.0


def test_the_gap_interval_holds_zero_for_alike_parts_and_not_for_unalike_ones() -> None:
    quote = "placements can cost £80,000 to £110,000 per child"

    def answered(i: int, answer: str) -> QuestionResult:
        return QuestionResult.score(q(str(i)), answer, False, [quote], [{"text": quote, "section": ""}], 10)
    right = [answered(i, "It costs £80,000 [1].") for i in range(20)]
    wrong = [answered(i, "It costs a lot [1].") for i in range(20)]
    mixed = right[:10] + wrong[:10]
    low, high = gap_interval(mixed, mixed[::-1])["must_recall"]
    assert low < 0 < high and high - low > 0.3  # 20 questions a part: chance alone moves the gap this much
    assert gap_interval(right, wrong)["must_recall"] == (-1.0, -1.0)
    assert gap_interval(mixed, mixed[::-1]) == gap_interval(mixed, mixed[::-1])  # seeded: the same every run
