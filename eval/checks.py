"""A question set checked against the index it is about to be run on.

A quote with a typo, or an expected fact the papers spell differently, would quietly
score as a retrieval or answer failure; these checks name the line instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from eval.dataset import EvalQuestion
from eval.metrics import holds_words, normalised, words
from eval.runner import shown_text


def _label(question: EvalQuestion) -> str:
    return f"{question.where}: {question.id}" if question.where else question.id


def _keys(quote_words: list[str]) -> set[tuple[str, ...]]:
    """Word pairs (or, for a quote of one or two words, words) that every run of half
    the quote's words contains at least one of."""
    n = len(quote_words)
    middles = {(n - 1) // 2, n // 2}
    if n <= 2:
        return {(quote_words[m],) for m in middles}
    return {tuple(quote_words[j:j + 2]) for m in middles for j in (m - 1, m) if 0 <= j and j + 1 < n}


def _pairs_in_a_row(quote_words: list[str], present: set[tuple[str, ...]]) -> bool:
    """Cheap necessary test for ``holds_words``: enough of the quote's neighbour pairs in
    a row are somewhere in the chunk."""
    needed = (len(quote_words) + 1) // 2 - 1
    run = best = 0
    for pair in zip(quote_words, quote_words[1:]):
        run = run + 1 if pair in present else 0
        best = max(best, run)
    return best >= needed


def set_problems(questions: list[EvalQuestion], chunks: Iterable[tuple[str, str]]) -> list[str]:
    """One line per quote that no indexed chunk holds (so retrieval can never count a hit)
    and per ``must`` group that no chunk contains (so an answer quoting the papers cannot
    satisfy it). ``chunks`` are (heading path, text) pairs, seen as scoring sees them; they
    are read once, in one pass, so an index of any size can be checked."""
    answerable = [q for q in questions if q.answerable]
    problems: dict[int, list[str]] = {}
    quotes: dict[int, list[str]] = {}
    # Any run of half a quote's words covers one of its middle words, and (for a run of
    # two or more) a pair of neighbours next to it: only chunks holding one such key are
    # worth the full comparison.
    by_key: dict[tuple[str, ...], set[int]] = {}
    for i, question in enumerate(answerable):
        if not question.quote:
            continue
        quote_words = words(question.quote)
        if not quote_words:
            problems.setdefault(i, []).append(f"{_label(question)}: the quote has no words to match")
            continue
        quotes[i] = quote_words
        for key in _keys(quote_words):
            by_key.setdefault(key, set()).add(i)
    open_groups = {(i, n): [normalised(a) for a in group]
                   for i, question in enumerate(answerable) for n, group in enumerate(question.must, start=1)}
    seen = 0
    for section, text in chunks:
        seen += 1
        shown = shown_text(section, text)
        if quotes:
            chunk_words = words(shown)
            present = {(w,) for w in chunk_words} | set(zip(chunk_words, chunk_words[1:]))
            for key in present & by_key.keys():
                found = [i for i in by_key.get(key, ())
                         if _pairs_in_a_row(quotes[i], present) and holds_words(chunk_words, quotes[i])]
                for i in found:
                    for its_key in _keys(quotes.pop(i)):
                        by_key[its_key].discard(i)
                        if not by_key[its_key]:
                            del by_key[its_key]
        if open_groups:
            plain = normalised(shown)
            for key in [k for k, alternatives in open_groups.items() if any(a in plain for a in alternatives)]:
                del open_groups[key]
        if not quotes and not open_groups:
            break
    if not seen:
        return ["the index holds no chunks: ingest the papers before evaluating"]
    for i in quotes:
        problems.setdefault(i, []).append(
            f"{_label(answerable[i])}: no indexed chunk holds the quote, so retrieval can never count a hit")
    for i, number in open_groups:
        group = " | ".join(answerable[i].must[number - 1])
        problems.setdefault(i, []).append(
            f"{_label(answerable[i])}: must group {number} ({group}) is in no indexed chunk")
    return [line for i in sorted(problems) for line in problems[i]]
