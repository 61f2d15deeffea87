"""Item numbers as agendas and minutes print them, and the lists they form.

"7.", "290", "Item 7", "(a)", "L.", "XIII." each number an item in a list of one scheme
(figures, letters, Roman numerals). Where one type sets two schemes, the printed order
says which list holds which: a list that starts ("1.", "a)") under an item of another
scheme is nested in it, and the outer list resumes where its next item appears
("K. Minutes", "L. Items for Approval", "1. ...", "5. ...", "M. Closed Session").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FIGURE = re.compile(r"^(?:item\s+)?\(?(\d{1,3})[.)]?\s+(?=\S)", re.IGNORECASE)
_LETTER_OR_ROMAN = re.compile(r"^(?:item\s+)?\(?([a-z]|[ivxlcdm]{2,7})[.)]\s+(?=\S)", re.IGNORECASE)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_MAX_SKIP = 3  # items a list may appear to skip (a heading the layout did not recognise)


@dataclass(frozen=True)
class ItemNumber:
    """One reading of an item number: its scheme ("figure", "letter-upper", "roman-lower", ...)
    and its value."""

    scheme: str
    value: int


def item_numbers(title: str) -> list[ItemNumber]:
    """Every reading of the number that opens ``title`` ("I." is a letter or a Roman one)."""
    match = _FIGURE.match(title) or _LETTER_OR_ROMAN.match(title)
    return number_readings(match.group(1)) if match else []


def number_readings(token: str) -> list[ItemNumber]:
    """Every reading of an item number written alone ("16", "L", "xiii")."""
    if token.isdigit():
        return [ItemNumber("figure", int(token))]
    if not (token.isupper() or token.islower()):
        return []  # "Xi" numbers nothing
    case = "upper" if token.isupper() else "lower"
    readings = []
    if len(token) == 1:
        readings.append(ItemNumber(f"letter-{case}", ord(token.lower()) - ord("a") + 1))
    roman = roman_value(token)
    if roman:
        readings.append(ItemNumber(f"roman-{case}", roman))
    return readings


def roman_value(token: str) -> int | None:
    """The value of a well-formed Roman numeral ("xiii" -> 13), else None."""
    values = [_ROMAN_VALUES.get(ch) for ch in token.lower()]
    if not values or None in values:
        return None
    total = 0
    for k, v in enumerate(values):
        total += -v if k + 1 < len(values) and values[k + 1] > v else v
    return total if _as_roman(total) == token.lower() else None


def _as_roman(n: int) -> str:
    out = []
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


class ListNesting:
    """Depth of each numbered item in the lists seen so far, fed items in printed order."""

    def __init__(self) -> None:
        self._open: list[ItemNumber] = []  # the last item of each open list, outermost first

    def place(self, readings: list[ItemNumber]) -> int:
        """The depth of the next item: read as the scheme that continues an open list, it
        closes the lists inside that one; otherwise it starts (or restarts) a list, nested
        in the innermost open list of another scheme."""
        for depth in range(len(self._open) - 1, -1, -1):
            last = self._open[depth]
            for reading in readings:
                if reading.scheme == last.scheme and 0 < reading.value - last.value <= _MAX_SKIP:
                    del self._open[depth:]
                    self._open.append(reading)
                    return depth
        reading = next((r for r in readings if r.value == 1), readings[0])
        same = [d for d, last in enumerate(self._open) if last.scheme == reading.scheme]
        if same:  # the list begins again, or skips: it stays where it was
            del self._open[same[-1]:]
        self._open.append(reading)
        return len(self._open) - 1
