"""Puts the cells of a table flattened to text back under their column headings.

Implementation plans are often three-column tables ("What have we done so far?",
"What are we going to do next?", "What will show our progress?"). Extracted as text,
each column's cells come out one block after another, not always in column order.
Each block is scored on how it reads (past-tense achievements, planned actions, or
measures) and the blocks are assigned in a left-to-right order where they allow.
"""

from __future__ import annotations

import re

DONE, NEXT, MEASURES = "done", "next", "measures"

_KIND_OF_TITLE = [
    (MEASURES, re.compile(r"\b(show|measure|indicator|success|kpi|target|evidence|know)\w*", re.I)),
    (DONE, re.compile(r"\b(done|so far|achieved|to date|completed|have we|delivered)\b", re.I)),
    (NEXT, re.compile(r"\b(next|going to|will we|will do|planned|future|actions?)\b", re.I)),
]

_IRREGULAR_PAST = {
    "put", "set", "won", "made", "built", "held", "ran", "led", "began", "took", "undertook",
    "became", "brought", "sought", "gave", "got", "met", "paid", "kept", "found", "wrote",
    "sent", "spent", "bought", "grew", "drew", "hosted", "has", "have", "was", "were",
}
_MEASURE_WORDS = {
    "increase", "increased", "increasing", "reduction", "reduced", "reduce", "decrease",
    "decreased", "number", "numbers", "percentage", "proportion", "rate", "rates", "uptake",
    "improved", "improvement", "fewer", "satisfaction", "feedback", "data", "delivery",
    "availability", "monitor", "measure", "measuring", "maintain", "maintenance",
    "difference", "impact", "level", "levels", "scores", "participation", "engagement",
    "realisation", "progress", "overall", "each", "use", "references", "inclusion",
    "ownership", "consultation", "health", "life", "breastfeeding", "suicide", "sexually",
    "ncmp", "service", "group", "appointment", "primary", "funding",
}
_ACTION_WORDS = {
    "continue", "develop", "work", "support", "ensure", "deliver", "promote", "provide",
    "build", "embed", "explore", "consult", "conduct", "introduce", "encourage",
    "collaborate", "implement", "review", "reduce", "improve", "maximise", "expand",
    "establish", "create", "adopt", "lead", "require", "sustain", "roll", "undertake",
    "identify", "address", "integrate", "engage", "strengthen", "tackle", "co-produce",
    "deploy", "focus", "empower", "further", "be", "actively", "securing", "developing",
    "ensuring", "collaborating", "embedding", "working", "increase", "we", "make",
    "commission", "launch", "agree", "publish", "recruit", "extend", "refresh", "scope",
    "pilot", "seek", "use", "align", "co-design", "prioritise", "invest",
}
_FIRST_WORD = re.compile(r"^[\W\d]*([A-Za-z][A-Za-z'\u2019-]*)")


def column_kind(title: str) -> str | None:
    """``done``, ``next`` or ``measures`` for a column heading; None when unclear."""
    for kind, pattern in _KIND_OF_TITLE:
        if pattern.search(title):
            return kind
    return None


def item_cues(text: str) -> dict[str, float]:
    """How strongly a block of cells reads as achievements, actions or measures (0-1)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    starts = [ln for ln in lines if ln[:1].isupper() or ln[:1] in "\u2022-\u2013"]
    if not starts:
        starts = lines[:1]
    score = {DONE: 0.0, NEXT: 0.0, MEASURES: 0.0}
    for line in starts:
        low = line.lower()
        match = _FIRST_WORD.match(line)
        word = match.group(1).lower() if match else ""
        if low.startswith("we will") or low.startswith("to "):
            score[NEXT] += 1
        elif low.startswith(("we have", "we are a", "barnet has")) or " has been " in low or " have been " in low:
            score[DONE] += 1
        elif word in _MEASURE_WORDS and not (word in _ACTION_WORDS and not re.match(r"^\W*\w+ (in|of)\b", low)):
            score[MEASURES] += 1
        elif word in _ACTION_WORDS:
            score[NEXT] += 1
        elif word.endswith("ed") and len(word) > 4 or word in _IRREGULAR_PAST:
            score[DONE] += 1
        elif word.endswith("ing"):
            score[NEXT] += 0.5
    total = max(1.0, sum(score.values()))
    cues = {kind: value / total for kind, value in score.items()}
    mean_length = sum(len(ln) for ln in lines) / max(1, len(lines))
    if mean_length < 48:  # narrow last column of a printed table
        cues[MEASURES] += 0.25
    return cues


def assign_blocks_to_columns(titles: list[str], blocks: list[str]) -> list[int]:
    """Column index for each block: best reading, with a preference for left to right."""
    kinds = [column_kind(t) for t in titles]
    n = len(titles)
    if not blocks:
        return []
    emissions = []
    for block in blocks:
        cues = item_cues(block)
        emissions.append([cues.get(kind, 0.0) if kind else 0.0 for kind in kinds])
    backwards, skip = 0.4, 0.15
    best = [[-1e9] * n for _ in blocks]
    back = [[0] * n for _ in blocks]
    for c in range(n):
        best[0][c] = emissions[0][c] - skip * c
    for b in range(1, len(blocks)):
        for c in range(n):
            for p in range(n):
                step = backwards if c < p else skip * max(0, c - p - 1)
                value = best[b - 1][p] - step + emissions[b][c]
                if value > best[b][c]:
                    best[b][c], back[b][c] = value, p
    column = max(range(n), key=lambda c: best[-1][c])
    path = [column]
    for b in range(len(blocks) - 1, 0, -1):
        column = back[b][column]
        path.append(column)
    return path[::-1]
