"""Sentence and list-item boundaries in extracted text, as character spans.

PDF text keeps the printed line breaks, and flattened tables run list items together
without full stops; a line break before a capitalised word ends an item unless the
line before it clearly continues (a comma, "and", "of", ...) or was only broken because
the next word did not fit.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Abbreviations whose full stop ends no sentence: "Agreement No. 47696", "Mr. Ramirez".
_ABBREVIATION = r"(?<!\bNo\.)(?<!\bNos\.)(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bDr\.)"
# An item's number or letter ("2.", "4a.", "b)", "(c)", "(iv)"); at the start of a line ("\n2. Award a
# contract ...") it opens its item, and its full stop ends nothing.
ITEM_NUMBER = r"(?:(?:\d{1,2}[a-z]?|[a-z])[.)]|\((?:\d{1,2}|[a-z]|[ivx]{1,4})\))"
_ITEM_NUMBER = r"(?<!^\d\.)(?<!^\d\d\.)(?<!^\d[a-z]\.)(?<!^\d\d[a-z]\.)(?<!^[a-z]\.)"
SENTENCE_END = re.compile(
    _ABBREVIATION + _ITEM_NUMBER
    + r"(?:(?<=[.!?])|(?<=[.!?][\"\u201d\u2019)]))\s+(?=[A-Z0-9\u00a3\u201c\u2018\"(\u2022-])",
    re.MULTILINE,
)
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# A sentence that introduces a list: "This was done through:", "These key areas are: 1." (not "at 18:30.")
LEAD_IN = re.compile(r":(\s+\d{1,2}[.)])?$")
# A line that opens like a clause ("It was APPROVED", "We will ..."), so no heading.
CLAUSE_START = re.compile(r"^(we|it|this|these|they|there|i|he|she|you|our \w+ (is|are|was|were|will))\b", re.IGNORECASE)
_CONTINUES = re.compile(
    r"(,|;|:|-|\u2013|\(|&|\b(and|or|of|the|to|for|in|a|an|with|by|on|at|from|as|such|that|which|is|are|be|our|their|its|into|including|e\.g\.|i\.e\.))$",
    re.IGNORECASE,
)
_ITEM_BREAK = re.compile(r"\n(?=[ \t]*[\u2022\-\u2013*]?\s*[A-Z0-9\u00a3\u2018\u201c]|[ \t]*" + ITEM_NUMBER + r"\s)")
_BULLET = re.compile(r"[\s\u2022\-\u2013*\uf0b7]+|" + ITEM_NUMBER + r"\s+")  # a bullet, or an item's number


def numbered_start(text: str, position: int, floor: int = 0) -> int:
    """Where the item number stripped before ``position`` begins ("4a. " of "4a. Approved ..."),
    or ``position`` itself when no item number opens its line."""
    line_start = max(text.rfind("\n", floor, position) + 1, floor)
    return line_start if _NUMBER_ONLY.fullmatch(text[line_start:position].strip()) else position


def split_spans(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Pieces of ``text[start:end]`` between matches of ``pattern``, trimmed of white space."""
    pieces, cursor = [], start
    for m in pattern.finditer(text, start, end):
        pieces.append((cursor, m.start()))
        cursor = m.end()
    pieces.append((cursor, end))
    trimmed = []
    for s, e in pieces:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences and list items of ``text[start:end]``, bullets and item numbers stripped."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    width = full_width(text)
    for p_start, p_end in split_spans(text, start, end, PARAGRAPH_BREAK):
        for s_start, s_end in split_spans(text, p_start, p_end, SENTENCE_END):
            for i_start, i_end in _items(text, s_start, s_end, width):
                bullet = _BULLET.match(text, i_start, i_end)
                if bullet:
                    i_start = bullet.end()
                if i_end > i_start:
                    spans.append((i_start, i_end))
    return spans


_STARTS_SENTENCE = {"a", "an", "the", "this", "these", "that", "those", "it", "its", "we", "our", "in", "for",
                    "with", "as", "there", "they", "their", "each", "all", "some", "many", "most", "by", "to"}


def _name_wraps(before: str, after: str) -> bool:
    """ "Barnet Tree\nPolicy", "FAB\nPartnership Board": a capitalised name runs on
    (but "...London Borough of Health\nA healthy borough..." starts a new sentence)."""
    last = before.split()[-1].strip("()\u2019'\"")
    first = after.split()[0].strip("()\u2019'\"").lower() if after.split() else ""
    return bool(last) and last[0].isupper() and first not in _STARTS_SENTENCE


# A line that opens with an amount, not an item number: "£1million over 5 years", "11.7m towards".
_AMOUNT_START = re.compile(r"[ \t]*(£|\d(?![\d,]*[.)]\s))")
_WORD_END = re.compile(r"[a-z]$")
# A line that opens with an item's number ("2. Award ...") starts an item, whatever ends the line before.
_NUMBERED = re.compile(r"[ \t]*" + ITEM_NUMBER + r"\s")
_NUMBER_ONLY = re.compile(ITEM_NUMBER)  # a paragraph's number on a line of its own


def _amount_runs_on(before: str, after: str) -> bool:
    """ "being\n£1million over 5 years": a line ending in a lower-case word runs on into
    an amount on the next (a list's next item opens with a word, a number "2." or a bullet)."""
    return bool(_WORD_END.search(before)) and bool(_AMOUNT_START.match(after))


_WIDTH_LINES = 5  # fewer lines than this show no column width


@lru_cache(maxsize=8)
def full_width(text: str) -> int:
    """The column width in characters of the whole text (a document or a chunk, not the
    span asked about): the length its prose lines stay within (the 98th percentile, so a
    stray long line does not set it; table rows aside). 0 for too few lines to tell."""
    lengths = sorted(len(ln.strip()) for ln in text.splitlines() if ln.strip() and " | " not in ln)
    return lengths[int(0.98 * (len(lengths) - 1))] if len(lengths) >= _WIDTH_LINES else 0


def _wrapped(before: str, after: str, width: int) -> bool:
    """Whether the layout broke the line because the next word did not fit: the line and
    that word together are wider than the column."""
    line = before[before.rfind("\n") + 1:].strip()
    next_word = after.split(maxsplit=1)[0] if after.strip() else ""
    return bool(next_word) and " | " not in line and len(line) + 1 + len(next_word) > width


def _item_ends(before: str, after: str, width: int = 0) -> bool:
    """Whether a line break ends the item whose text so far is ``before``: never after a
    paragraph's number alone ("10."), always before an item's number, else unless the line
    runs on (a comma, "and", a wrapped name, an amount, a line broken only because the
    next word did not fit: "CARRIED with 4 members voting FOR, 1" / "AGAINST and 4 ...")."""
    if not before or _NUMBER_ONLY.fullmatch(before.lstrip()):
        return False
    if _NUMBERED.match(after):
        return True
    if width and _wrapped(before, after, width):
        return False
    return not (_CONTINUES.search(before) or _name_wraps(before, after) or _amount_runs_on(before, after))


def _items(text: str, start: int, end: int, width: int = 0) -> list[tuple[int, int]]:
    spans, cursor = [], start
    for m in _ITEM_BREAK.finditer(text, start, end):
        before = text[cursor:m.start()].rstrip()
        after = text[m.end():m.end() + 40]
        if _item_ends(before, after, width):
            spans.append((cursor, m.start()))
            cursor = m.end()
    spans.append((cursor, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]
