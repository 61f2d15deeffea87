"""Follow-up questions made to stand alone, without an LLM."""

from __future__ import annotations

import re

from rag.backends.base import Turn
from rag.lexical import STOP_WORDS

_FOLLOW_UP_START = re.compile(r"^(and|also|what about|how about|so|but|then|plus)\b", re.IGNORECASE)
_REFERRING = re.compile(r"\b(it|its|they|them|their|this|that|these|those|there|he|she|his|her|the same)\b",
                        re.IGNORECASE)
_QUESTION_WORDS = {"what", "how", "who", "when", "where", "why", "which", "is", "are", "does", "do",
                   "did", "can", "could", "was", "were"}


def is_follow_up(question: str) -> bool:
    """Short questions that lean on an earlier one ("and what did it cost?")."""
    words = re.findall(r"[\w'\u2019£]+", question.lower())
    if not words:
        return False
    topical = [w for w in words if w not in STOP_WORDS and w not in _QUESTION_WORDS]
    leans = bool(_REFERRING.search(question)) or bool(_FOLLOW_UP_START.match(question.strip()))
    return leans and len(topical) <= 3


def condense_by_rule(question: str, history: list[Turn]) -> str:
    """Add the topic words of the last question that stood alone to a follow-up."""
    if not is_follow_up(question):
        return question
    for turn in reversed(history):
        if turn.role != "user" or is_follow_up(turn.content):
            continue
        words = re.findall(r"[\w'\u2019£&-]+", turn.content)
        topic = [w for w in words if w.lower() not in STOP_WORDS and w.lower() not in _QUESTION_WORDS]
        if topic:
            return f"{question.rstrip()} ({' '.join(topic)})"
    return question
