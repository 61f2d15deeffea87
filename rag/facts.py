"""The checkable facts of a sentence: its amounts, names and negations.

A generated sentence may word a passage differently, but it may not change what the
passage says: every number (amounts normalised, so "£3.2m" is "£3,200,000"), every
name and every negation it states must be in the source it cites.
"""

from __future__ import annotations

import re

from rag.lexical import STOP_WORDS

_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s?(bn|billion|m|million|k|thousand|%|per ?cent)?(?![\w])",
    re.IGNORECASE)
_SCALE = {"bn": 1e9, "billion": 1e9, "m": 1e6, "million": 1e6, "k": 1e3, "thousand": 1e3}
_NAME = re.compile(r"(?<=[\w,;:)’'\"] )([A-Z][\w’'-]+)|\b([A-Z]{2,}\w*)\b")
NEGATIONS = frozenset(
    "not no never none nor cannot can't won't didn't doesn't don't isn't wasn't aren't weren't hasn't haven't "
    "refused refuse refuses rejected reject rejects declined decline lost fell against opposed failed unable "
    "without neither".split())
_WORD = re.compile(r"[a-z’']+")
_FIRST = re.compile(r"^\W*([A-Z][\w’'-]+)")


def numbers(text: str) -> set[str]:
    """Every amount in ``text`` as a normalised value ("£3.2m" and "3,200,000" are "3200000")."""
    found = set()
    for whole, fraction, unit in _NUMBER.findall(text):
        value = float(whole.replace(",", "") + (f".{fraction}" if fraction else ""))
        unit = unit.lower().replace(" ", "")
        if unit in ("%", "percent"):
            found.add(f"{value:g}%")
        else:
            found.add(f"{value * _SCALE.get(unit, 1):.10g}")
    return found


def names(text: str) -> set[str]:
    """Capitalised words and acronyms, lower-cased; a sentence's first word too, unless it
    is a function word ("The", "In")."""
    found = {(m.group(1) or m.group(2)).lower().rstrip("’'") for m in _NAME.finditer(text)}
    first = _FIRST.match(text)
    if first and first.group(1).lower() not in STOP_WORDS:
        found.add(first.group(1).lower())
    return found


def negations(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower().replace("’", "'")) if w in NEGATIONS}


class SourceFacts:
    """A source's amounts and words, read once however many sentences are checked against it."""

    def __init__(self, text: str) -> None:
        self._lower = text.lower()
        self._words = set(_WORD.findall(self._lower.replace("’", "'")))
        self._numbers = numbers(text)

    def missing(self, sentence: str) -> set[str]:
        """The numbers, names and negations of ``sentence`` this source does not state."""
        missing = numbers(sentence) - self._numbers
        missing |= {n for n in names(sentence) if n not in self._words and n not in self._lower}
        missing |= negations(sentence) - self._words
        return missing


def unsupported_facts(sentence: str, source: str) -> set[str]:
    """The numbers, names and negations of ``sentence`` that ``source`` does not state."""
    return SourceFacts(source).missing(sentence)
