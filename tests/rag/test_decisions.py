"""Answering vote and decision questions from the decisions register."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from council_qa.cli import cli
from ingest.decisions import Decision
from rag.decisions import DecisionFilter, RegisterEntry, matching_decision, names_asked, names_held
from rag.lexical import QueryTerms, answer_type, content_terms


def entry(item: str, title: str, passage: str, kind: str = "recommendation", outcome: str = "carried",
          date: str = "2024-09-12", votes: tuple = (None, None, None)) -> RegisterEntry:
    decision = Decision(item, title, kind, outcome, *votes, "", "", 1, 0, len(passage), passage)
    return RegisterEntry(decision, "doc", "Minutes", "Transport Committee", date, f"minutes-{date}.pdf")


ENTRIES = [
    entry("7", "Residents parking", "Recommendation 2A on first permits from £56 to £124 was CARRIED (6 for, "
          "0 against, 3 abstentions).", votes=(6, 0, 3)),
    entry("7", "Residents parking", "The amendment on Easton permits was CARRIED (5 for, 1 against).",
          kind="amendment", votes=(5, 1, None)),
    entry("9", "Cycling hub", "It was APPROVED that the cycling hub goes ahead."),
]


def terms(question: str) -> QueryTerms:
    return QueryTerms({t: 1.0 for t in content_terms(question)}, answer_type=answer_type(question))


def test_the_decision_a_question_names_is_found_within_its_item() -> None:
    question = "How did the committee vote on first permits going from £56 to £124?"
    assert matching_decision(question, terms(question), ENTRIES) is ENTRIES[0]
    question = "Was the amendment on Easton residents parking permits carried?"
    assert matching_decision(question, terms(question), ENTRIES) is ENTRIES[1]


def test_no_decision_is_taken_from_another_month_or_an_unrelated_question() -> None:
    question = "How did the committee vote on the cycling hub in March 2025?"
    assert matching_decision(question, terms(question), ENTRIES) is None  # the meeting was in September 2024
    question = "How did the committee vote on the cycling hub in September 2024?"
    assert matching_decision(question, terms(question), ENTRIES) is ENTRIES[2]
    question = "What is the cycling hub?"  # not a question about a decision
    assert matching_decision(question, terms(question), ENTRIES) is None


def test_a_question_about_the_vote_gets_the_record_of_the_item_with_the_counts() -> None:
    stated = entry("8", "20 mph review", "Recommendation 3 was not approved: authorise the Executive Director to "
                   "decide which roads go forward to the TRO process.", outcome="lost")
    counted = entry("8", "20 mph review", "On being put to the vote, recommendation 3 FELL (2 voting for, 7 voting "
                    "against).", outcome="fell", votes=(2, 7, None))
    question = ("How did members vote on recommendation 3, letting the Executive Director decide which roads go to "
                "the TRO process?")
    assert matching_decision(question, terms(question), [stated, counted]) is counted
    question = ("What did the committee decide on letting the Executive Director choose which roads go to the TRO "
                "process?")
    assert matching_decision(question, terms(question), [stated, counted]) is stated


def test_what_was_decided_is_what_was_adopted_unless_the_question_asks_about_the_outcome() -> None:
    carried = entry("7", "Pay and Display changes", "Approved a rounded inflationary increase to the pay and "
                    "display rate. Recommendation 4B was CARRIED (8 for, 0 against).", votes=(8, 0, None))
    lost = entry("7", "Pay and Display changes", "Approved the principle of an additional uplift to pay and display "
                 "rates in specified residents parking areas. Recommendation 4C was LOST (4 for, 5 against).",
                 outcome="lost", votes=(4, 5, None))
    question = "What did the committee decide about pay and display rates in residents parking areas?"
    assert matching_decision(question, terms(question), [lost, carried]) is carried
    question = "Which change to pay and display rates in residents parking areas was lost?"
    assert matching_decision(question, terms(question), [lost, carried]) is lost
    question = "How did the committee vote on the uplift to pay and display rates in residents parking areas?"
    assert matching_decision(question, terms(question), [lost, carried]) is lost


def test_a_question_about_the_vote_takes_no_record_that_holds_none() -> None:
    noted = entry("5", "Better Care Fund", "The board noted the Better Care Fund plan for 2025-26.", outcome="noted")
    question = "How many votes were cast for and against the Better Care Fund plan?"
    assert matching_decision(question, terms(question), [noted]) is None
    question = "What did the board decide about the Better Care Fund plan?"
    assert matching_decision(question, terms(question), [noted]) is noted


def test_how_much_of_the_question_a_decision_must_hold_is_a_setting() -> None:
    from council_qa.config import Settings

    question = "How did the committee vote on the cycling hub in September 2024?"
    strict = Settings.from_env({"COUNCIL_QA_ANSWER_THRESHOLDS": '{"decision_match": 1.01}'}).answer_thresholds
    assert strict.decision_claims == 3  # the others keep their defaults
    assert matching_decision(question, terms(question), ENTRIES) is ENTRIES[2]
    assert matching_decision(question, terms(question), ENTRIES, strict) is None
    with pytest.raises(ValueError, match="COUNCIL_QA_ANSWER_THRESHOLDS"):
        Settings.from_env({"COUNCIL_QA_ANSWER_THRESHOLDS": '{"no_such_threshold": 1}'})


def test_filters_check_dates_and_outcomes() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        DecisionFilter(since="12/09/2024")
    with pytest.raises(ValueError, match="outcome must be one of"):
        DecisionFilter(outcome="passed")
    assert DecisionFilter(search="easton permits").admits(ENTRIES[1])
    assert not DecisionFilter(search="easton permits").admits(ENTRIES[0])


def test_a_question_asking_who_voted_needs_a_record_that_names_them() -> None:
    counted = entry("10", "Resident Parking Scheme", "On being put to the vote the recommendations were CARRIED "
                    "(5 voting FOR, 4 voting AGAINST).", votes=(5, 4, None))
    decision = Decision("10", "Resident Parking Scheme", "recommendation", "carried", 5, 4, None, "", "", 1, 0, 9,
                        "AYES: ...", voted_for=("Ali", "Brown"), voted_against=("Cole",))
    named = RegisterEntry(decision, "doc", "Minutes", "Transport Committee", "2025-10-23", "m.pdf")
    for question in ("Which councillors voted against the Resident Parking Scheme?", "Who voted for the parking scheme?",
                     "Who abstained on the Resident Parking Scheme vote?"):
        assert names_asked(question) == "voters"
        assert not names_held(counted, "voters") and names_held(named, "voters")
    assert names_asked("Which Norwalk Housing Authority commissioners were absent from the vote?") == "absent"
    assert not names_held(named, "absent")  # the roll call names nobody absent
    assert names_asked("How did the committee vote on the Resident Parking Scheme?") is None
    assert names_asked("Who proposed the motion that members voted for?") is None  # asks who moved it
    assert counted.counts_text == "5 for, 4 against" and named.voters == [("for", ("Ali", "Brown")),
                                                                         ("against", ("Cole",))]


MINUTES = """Minutes of the Licensing Committee, 4 March 2025

5 Street Trading Fees

The recommendation was moved by Councillor Patel and seconded by Councillor Jones. On being put to the vote
the recommendation was LOST (3 voting for, 5 against).

6 Taxi Licensing Policy

The Committee noted the report.

7 Market Stall Licences

Councillor Khan moved the recommendation, seconded by Councillor Jones. It was CARRIED by the following recorded vote:
AYES: Councillors Khan, Jones and Ali
NOES: Councillor Patel
"""


def test_the_decisions_command_lists_filters_and_writes_csv(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "minutes.txt").write_text(MINUTES, encoding="utf-8")
    home = ["--home", str(tmp_path / "home")]
    assert CliRunner().invoke(cli, [*home, "ingest", str(tmp_path / "docs")]).exit_code == 0
    listed = CliRunner().invoke(cli, [*home, "decisions", "--json"])
    rows = json.loads(listed.stdout)
    assert [(r["item_number"], r["outcome"], r["votes_for"], r["votes_against"], r["proposer"]) for r in rows] == [
        ("5", "lost", 3, 5, "Patel"), ("6", "noted", None, None, ""), ("7", "carried", 3, 1, "Khan")]
    assert (rows[0]["voted_for"], rows[2]["voted_for"], rows[2]["voted_against"]) == ([], ["Khan", "Jones", "Ali"],
                                                                                      ["Patel"])
    assert rows[0]["meeting_date"] == "2025-03-04" and rows[0]["page"] == 0
    lost = CliRunner().invoke(cli, [*home, "decisions", "--outcome", "lost", "--csv", str(tmp_path / "d.csv")])
    assert "item 5" in lost.stdout and "LOST (3-5-?)" in lost.stdout and "item 6" not in lost.stdout
    assert (tmp_path / "d.csv").read_text(encoding="utf-8").startswith("meeting_date,body,item_number")
    carried = CliRunner().invoke(cli, [*home, "decisions", "--outcome", "carried", "--csv", str(tmp_path / "c.csv")])
    assert "item 7" in carried.stdout and ",Khan; Jones; Ali,Patel," in (tmp_path / "c.csv").read_text(encoding="utf-8")
    asked = CliRunner().invoke(cli, [*home, "ask", "Who voted against the market stall licences?", "--json"])
    answer = json.loads(asked.stdout)
    assert not answer["abstained"] and "NOES: Councillor Patel" in answer["answer"]
    asked = CliRunner().invoke(cli, [*home, "ask", "Which councillors voted against the street trading fees?", "--json"])
    answer = json.loads(asked.stdout)  # the minutes give the counts only: said plainly, the vote cited
    assert answer["abstained"] and "not who voted which way" in answer["answer"]
    assert "LOST (3 voting for, 5 against)" in answer["related"][0]["quote"]
    bad = CliRunner().invoke(cli, [*home, "decisions", "--since", "March 2025"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


@pytest.mark.slow
def test_a_vote_question_is_answered_from_its_decision_with_its_page(real_engine) -> None:
    answer = real_engine.ask("How did the committee vote on removing the 30-minute free parking tariff "
                             "in residents parking schemes?")
    assert "LOST (4 members voting in favour, 5 against)" in answer.answer
    assert "Plowden" in answer.answer and not answer.abstained
    assert all(c.page in (6, 7) and "Minutes" in c.title for c in answer.citations)


def test_a_decision_question_asking_for_a_sum_its_vote_record_lacks_is_answered_from_the_papers(real_engine) -> None:
    # The register's record of the item is who moved it and the vote; the sum is in the
    # resolution's points, which the general answer finds.
    answer = real_engine.ask("How much incentive funding was approved by Bristol's transport committee in March 2026?")
    assert "2,467,388" in answer.answer and not answer.abstained


def test_who_voted_is_not_answered_from_a_vote_recorded_by_its_counts(real_engine) -> None:
    # Bristol's minutes print how many voted each way, never who: the answer says so and
    # points to the vote, rather than quoting who moved it or the report's other lines.
    answer = real_engine.ask("Which councillors voted against expanding the Resident Parking Scheme programme "
                             "in October 2025?")
    assert answer.abstained and answer.answer.startswith("The papers record the vote on item 10")
    assert "(5 for, 4 against)" in answer.answer and "not who voted which way" in answer.answer
    assert "5 voting FOR, 4 voting AGAINST" in answer.related[0].quote

