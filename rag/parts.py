"""Compound questions ("What did the strategy promise, and what did the board hear?")
split into the questions they ask, so that each part is retrieved and answered."""

from __future__ import annotations

import re

from council_qa.config import AnswerShape, AnswerThresholds
from rag.lexical import content_terms

# A new question starts after "?" or ";", or at "and"/"but" followed by a question word.
_BOUNDARY = re.compile(
    r"(?<=\?)\s+(?=\S)|;\s+|,?\s+(?:and|but)\s+(?=(?:what|when|where|which|who|why|how|is|are|was|were|did|does|"
    r"has|have|will|can)\b)",
    re.IGNORECASE,
)
_BACK_REFERENCE = re.compile(r"\b(it|its|they|them|their|this|that|these|those|there)\b", re.IGNORECASE)


def question_parts(question: str, thresholds: AnswerThresholds = AnswerThresholds(),
                   most: int = AnswerShape.parts) -> list[str]:
    """The questions a compound question asks, in order; a simple question is one part."""
    question = question.strip()
    cuts = [0] + [x for m in _BOUNDARY.finditer(question) for x in m.span()] + [len(question)]
    spans: list[list[int]] = []
    for start, end in zip(cuts[::2], cuts[1::2]):
        if spans and len(content_terms(question[start:end])) < thresholds.part_min_terms:
            spans[-1][1] = end  # too short to stand alone: it stays with the part before
        else:
            spans.append([start, end])
    if len(spans) > most:
        spans[most - 1:] = [[spans[most - 1][0], spans[-1][1]]]
    parts = [question[start:end].strip(" ,;") for start, end in spans]
    return [p for p in parts if p] or [question]


def topic_words(part: str) -> str:
    """A part's content words as written (no question scaffolding): what a later part's
    "it" or "anything on food?" is about."""
    words = [w for w in re.findall(r"[\w&'’-]+", part) if content_terms(w)]
    return " ".join(dict.fromkeys(words))


def refers_back(part: str, thresholds: AnswerThresholds = AnswerThresholds()) -> bool:
    """Whether a part leans on the one before: "when will the board look at it?", "any on food?"."""
    return bool(_BACK_REFERENCE.search(part)) or len(content_terms(part)) < thresholds.part_standalone_terms


def part_queries(question: str, thresholds: AnswerThresholds = AnswerThresholds(),
                 most: int = AnswerShape.parts) -> list[str]:
    """What to retrieve for each part: a part that refers back carries the first part's topic."""
    parts = question_parts(question, thresholds, most)
    topic = topic_words(parts[0])
    return [parts[0]] + [f"{part} ({topic})" if topic and refers_back(part, thresholds) else part
                         for part in parts[1:]]
