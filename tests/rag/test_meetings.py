"""A question that names a meeting by its date is searched without other meetings' papers."""

from __future__ import annotations

import dataclasses
from datetime import date

from llama_index.core.vector_stores.types import FilterOperator

from rag.meetings import named_periods, other_meetings, without_dates
from rag.types import Filters

HELD = ["2024-09-12", "2025-05-15", "2025-10-23", ""]


def test_a_day_or_a_month_named_in_any_common_form() -> None:
    assert named_periods("What was item 16 at the 15 May 2025 committee?") == [(date(2025, 5, 15),) * 2]
    assert named_periods("Who voted at the September 12, 2024 meeting?") == [(date(2024, 9, 12),) * 2]
    assert named_periods("In May 2025, how did the committee vote?") == [(date(2025, 5, 1), date(2025, 5, 31))]
    # A day inside a named month is one period, not two.
    assert named_periods("the 12 September 2024 meeting in September 2024") == [(date(2024, 9, 12),) * 2]
    assert named_periods("What may 2025 bring?") == []  # "may" in lower case is no month
    assert len(named_periods("Compare the September 12, 2024 and May 15, 2025 meetings.")) == 2
    assert named_periods("How big is the budget?") == []


def test_other_meetings_are_left_out_only_when_the_named_one_was_held() -> None:
    left_out = other_meetings("What was decided at the 15 May 2025 committee?", None, HELD)
    assert left_out is not None and left_out.key == "meeting_day" and left_out.operator == FilterOperator.NIN
    assert left_out.value == [20240912, 20251023]  # undated papers (strategies) stay in
    month = other_meetings("What did the committee decide in October 2025?", None, HELD)
    assert month is not None and month.value == [20240912, 20250515]
    # A deadline, not a meeting: no paper's meeting fell then, so nothing changes.
    assert other_meetings("Must the schemes be complete by March 2029?", None, HELD) is None
    assert other_meetings("Compare May 2025 with October 2025.", None, HELD) is None  # two meetings named
    assert other_meetings("Compare the 12 September 2024 and 15 May 2025 votes.", None, HELD) is None
    assert other_meetings("What happened in May 2025?", Filters(date_from="2024-01-01"), HELD) is None  # the user's dates
    assert other_meetings("What happened in May 2025?", None, ["2025-05-15", ""]) is None  # no other meeting


def test_the_meaning_of_a_question_is_read_without_its_dates() -> None:
    assert without_dates("What did the 15 May 2025 committee decide?") == "What did the committee decide?"
    assert without_dates("At the committee on 19 March 2026, what happened?") == "At the committee what happened?"
    assert without_dates("How did the board vote on April 24, 2019?") == "How did the board vote?"
    assert without_dates("In September 2024, how did they vote?") == "how did they vote?"
    assert without_dates("What may 2025 bring?") == "What may 2025 bring?"  # "may" in lower case is no month
    assert without_dates("How big is the 2025/26 budget?") == "How big is the 2025/26 budget?"  # a year alone stays


def test_how_a_date_is_written_does_not_change_what_is_found(real_engine) -> None:
    # The date chooses the meeting (a filter); the embedding model would read its spelling as meaning.
    question = ("According to the decision notice of Bristol's Transport and Connectivity Policy Committee on "
                "12 September 2024, how was the Workplace Parking Levy's first stage to be funded?")
    def found(engine, text: str) -> list[str]:
        return [hit.node.node_id for hit in engine.retrieve(text)[0]]

    other_spelling = question.replace("12 September 2024", "September 12, 2024")
    assert found(real_engine, question) == found(real_engine, other_spelling)
    from rag import AnswerEngine

    literal = AnswerEngine(dataclasses.replace(real_engine.settings, dense_query_dates=True), index=real_engine.index)
    assert found(literal, question) != found(literal, other_spelling)


def test_a_question_about_one_meeting_retrieves_none_of_the_others(real_engine) -> None:
    from rag import AnswerEngine

    question = "What did the 12 September 2024 transport committee decide about the Workplace Parking Levy?"

    def dates_found(engine: AnswerEngine) -> set[str]:
        nodes, _ = engine.retrieve(question)
        return {hit.node.metadata.get("meeting_date", "") for hit in nodes}

    assert dates_found(real_engine) <= {"2024-09-12", ""}
    unscoped = AnswerEngine(dataclasses.replace(real_engine.settings, meeting_scope=False), index=real_engine.index)
    assert dates_found(unscoped) - {"2024-09-12", ""}  # other meetings' papers share its words
    answer = real_engine.ask(question)
    assert all(c.meeting_date in {"2024-09-12", ""} for c in answer.citations)
