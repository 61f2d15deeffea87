"""Citation markers: checked against the sources, renumbered, each backed by a quote."""

from __future__ import annotations

import re

from ingest import sentence_spans
from ingest.sentences import split_spans
from rag.lexical import content_terms

MARKER = re.compile(r"\s?\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")
_AFTER_MARKER = re.compile(r"(?<=\])\s+(?=\S)")
_REPEATED_MARKER = re.compile(r"( \[(\d+)\])(?: \[\2\])+")


def normalise(text: str) -> str:
    """Whitespace folded and typographic quotes made plain, for comparisons."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split())


def renumber(text: str, n_sources: int) -> tuple[str, list[int]]:
    """Keep markers that name a source (1..n), renumber them 1..k by first use.

    Returns the new text and, for each new number, the source number it stood for.
    Markers outside the source list are dropped.
    """
    order: list[int] = []

    def replace(match: re.Match[str]) -> str:
        numbers = [int(x) for x in re.split(r"\s*[,;]\s*", match.group(1))]
        kept = []
        for number in numbers:
            if 1 <= number <= n_sources:
                if number not in order:
                    order.append(number)
                new = order.index(number) + 1
                if new not in kept:
                    kept.append(new)
        return "".join(f" [{k}]" for k in kept)

    renumbered = MARKER.sub(replace, text)
    renumbered = _REPEATED_MARKER.sub(r"\1", renumbered)
    renumbered = _SPACE_BEFORE_PUNCT.sub(r"\1", renumbered)
    return renumbered.strip(), order


def claim_spans(text: str) -> list[tuple[int, int]]:
    """The answer's claims: its sentences, also split after each group of markers
    ("... together. [2] Our vision is ... [1]" is two claims)."""
    spans = []
    for start, end in sentence_spans(text):
        spans += split_spans(text, start, end, _AFTER_MARKER)
    return spans


def claims_by_marker(text: str) -> dict[int, list[str]]:
    """For each marker number, the claims of the answer that cite it."""
    claims: dict[int, list[str]] = {}
    for start, end in claim_spans(text):
        sentence = text[start:end]
        for match in MARKER.finditer(sentence):
            for number in re.split(r"\s*[,;]\s*", match.group(1)):
                claims.setdefault(int(number), []).append(MARKER.sub("", sentence))
    return claims


def best_quote(chunk_text: str, claims: list[str]) -> str:
    """The chunk's sentence that shares most words with the claims citing it."""
    claim_terms = set(content_terms(" ".join(claims)))
    best, best_score = "", -1.0
    for start, end in sentence_spans(chunk_text):
        sentence = chunk_text[start:end]
        sentence_terms = set(content_terms(sentence))
        score = len(claim_terms & sentence_terms) / (1 + 0.02 * len(sentence_terms))
        if score > best_score:
            best, best_score = sentence, score
    return " ".join(best.split())


def quote_occurs(quote: str, chunk_text: str) -> bool:
    return bool(quote) and normalise(quote) in normalise(chunk_text)
