"""The meeting a question names by its date ("at the 15 May 2025 committee", "in
September 2024"): the papers of every other meeting cannot answer it.

Meeting papers are known by their date, so a question that names one is searched over
that meeting's papers and the undated ones (strategies, plans), never over another
meeting's, whatever words they share. It applies only where an indexed paper's meeting
falls on the named day or in the named month, so a date in a question about a deadline
("completed by March 2029") changes nothing unless a meeting was held then.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from datetime import date

from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter

from ingest.metadata import dates_at, dates_in
from rag.types import Filters

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
# A month and year: "in September 2024", "the May 2025 committee".
_MONTH_YEAR = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November"
                         r"|December),? ((?:19|20)\d\d)\b", re.I)


def _months_named(question: str) -> Iterator[tuple[re.Match, date, date]]:
    """Each month and year the question names, with its first and last day."""
    for m in _MONTH_YEAR.finditer(question):
        if m.group(1) == "may":
            continue  # "the committee may ..." is no month
        month, year = _MONTHS[m.group(1).lower()], int(m.group(2))
        yield m, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def named_periods(question: str) -> list[tuple[date, date]]:
    """Each day or month the question names, as (first day, last day)."""
    periods = [(day, day) for day in dict.fromkeys(dates_in(question))]
    for _, first, last in _months_named(question):
        if not any(a <= first <= b or first <= a <= last for a, b in periods):
            periods.append((first, last))
    return periods


_LEADING_PREPOSITION = re.compile(r"\b(?:on|in|at|of|from|dated)\s*$", re.I)


def without_dates(question: str) -> str:
    """The question with the days and months it names taken out ("What did the 15 May
    2025 committee decide?" -> "What did the committee decide?")."""
    spans = [m.span() for m, _ in dates_at(question)] + [m.span() for m, _, _ in _months_named(question)]
    kept, cursor = [], 0
    for start, end in sorted(spans):
        if start >= cursor:
            kept.append(_LEADING_PREPOSITION.sub("", question[cursor:start]))  # "at the meeting on"
            cursor = end + question.startswith(",", end)  # "15 May 2025, the committee"
    kept.append(question[cursor:])
    return re.sub(r"\s+(?=[?.,;])", "", " ".join("".join(kept).split()))


def other_meetings(question: str, filters: Filters | None, meeting_dates: Iterable[str]) -> MetadataFilter | None:
    """A filter that leaves out the papers of every meeting but the one the question names
    by its day or month; None when it names no date or several, when no indexed paper's
    meeting falls then, or when the user's own filters already choose dates."""
    if filters is not None and (filters.date_from or filters.date_to):
        return None
    periods = named_periods(question)
    if len(periods) != 1:
        return None
    first, last = (d.isoformat() for d in periods[0])
    held = {d for d in meeting_dates if d}
    if not any(first <= d <= last for d in held):
        return None
    others = sorted(int(d.replace("-", "")) for d in held if not first <= d <= last)
    return MetadataFilter(key="meeting_day", value=others, operator=FilterOperator.NIN) if others else None
