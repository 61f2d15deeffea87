"""A question set checked against the index it is about to be run on.

A quote with a typo, or an expected fact the papers spell differently, would quietly
score as a retrieval or answer failure; these checks name the line instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from eval.dataset import EvalQuestion
from eval.metrics import holds_quote, normalised, words


def _could_hold(quote_words: list[str], chunk_words: set[str]) -> bool:
    """Cheap pre-check for ``holds_quote``: a run of half the quote needs that many of its words."""
    return sum(w in chunk_words for w in quote_words) >= math.ceil(len(quote_words) / 2)


def set_problems(questions: list[EvalQuestion], chunk_texts: Iterable[str]) -> list[str]:
    """One line per quote that no indexed chunk holds (so it can never count as retrieved)
    and per ``must`` group that no indexed chunk contains (so an answer quoting the papers
    cannot satisfy it)."""
    chunks = [(text, normalised(text), set(words(text))) for text in chunk_texts]
    problems: list[str] = []
    for question in questions:
        where = f"{question.where}: {question.id}" if question.where else question.id
        if question.quote:
            quote_words = words(question.quote)
            if not any(_could_hold(quote_words, chunk_words) and holds_quote(text, question.quote)
                       for text, _, chunk_words in chunks):
                problems.append(f"{where}: no indexed chunk holds the quote, so retrieval can never count a hit")
        for number, group in enumerate(question.must, start=1):
            alternatives = [normalised(alternative) for alternative in group]
            if not any(alternative in plain for alternative in alternatives for _, plain, _ in chunks):
                shown = " | ".join(group)
                problems.append(f"{where}: must group {number} ({shown}) is in no indexed chunk")
    return problems
