"""Scoring one answered question, and summarising a run."""

from __future__ import annotations

import math
import random
import re
import statistics
from dataclasses import dataclass, field

from eval.dataset import EvalQuestion
from ingest import as_printed

_WORD = re.compile(r"[£$€]?\d+(?:[.,]\d+)*%?|[a-z0-9]+")  # "£80,000" is one word


def normalised(text: str) -> str:
    """Lower case, straight quotes, single spaces: how answers and chunks are compared."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.lower().split())


def words(text: str) -> list[str]:
    return _WORD.findall(normalised(text))


def longest_common_run(a: list[str], b: list[str]) -> int:
    """Length of the longest run of consecutive words found in both sequences."""
    if not a or not b:
        return 0
    best = 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b, start=1):
            if x == y:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def holds_quote(chunk_text: str, quote: str | None) -> bool:
    """A chunk holds a quote when at least half its words appear as one contiguous run, in
    its text or in its table rows read as the paper prints them (a quote copied from a
    printed row has no column headings between its figures)."""
    quote_words = words(quote) if quote else []
    if not quote_words:
        return False
    if holds_words(words(chunk_text), quote_words):
        return True
    printed = as_printed(chunk_text)
    return printed != chunk_text and holds_words(words(printed), quote_words)


def holds_words(chunk_words: list[str], quote_words: list[str]) -> bool:
    """``holds_quote`` on text already split into words."""
    return longest_common_run(quote_words, chunk_words) >= math.ceil(len(quote_words) / 2)


def contains(text: str, alternative: str) -> bool:
    return normalised(alternative) in normalised(text)


@dataclass
class QuestionResult:
    question: EvalQuestion
    answer: str
    abstained: bool
    retrieved_texts: list[str]
    citations: list[dict]
    latency_ms: float
    hit_rank: int | None = None  # 1-based rank of the first chunk holding the quote
    must_satisfied: list[bool] = field(default_factory=list)
    citation_ok: list[bool] = field(default_factory=list)

    @classmethod
    def score(cls, question: EvalQuestion, answer: str, abstained: bool, retrieved_texts: list[str],
              citations: list[dict], latency_ms: float) -> "QuestionResult":
        result = cls(question, answer, abstained, retrieved_texts, citations, latency_ms)
        if question.quote:
            result.hit_rank = next(
                (i for i, text in enumerate(retrieved_texts, start=1) if holds_quote(text, question.quote)), None)
        if question.answerable:
            result.must_satisfied = [any(contains(answer, alt) for alt in group) for group in question.must]
        alternatives = [alt for group in question.must for alt in group]
        shown = [f"{c.get('section', '')}\n{c['text']}" for c in citations]
        result.citation_ok = [
            holds_quote(text, question.quote) or any(contains(text, alt) for alt in alternatives) for text in shown
        ]
        return result

    @property
    def passed(self) -> bool:
        if not self.question.answerable:
            return self.abstained
        return not self.abstained and all(self.must_satisfied) and all(self.citation_ok)


METRIC_KEYS = ("n", "hit_at_1", "hit_at_5", "mrr", "must_recall", "exact", "citation_precision",
               "abstain_precision", "abstain_recall", "p50_ms", "p95_ms")


def summarise(results: list[QuestionResult]) -> dict[str, float]:
    answerable = [r for r in results if r.question.answerable]
    ranked = [r for r in answerable if r.question.quote]
    unanswerable = [r for r in results if not r.question.answerable]
    abstained = [r for r in results if r.abstained]
    citations = [ok for r in results for ok in r.citation_ok]
    latencies = sorted(r.latency_ms for r in results)
    return {
        "n": len(results),
        "hit_at_1": _mean([r.hit_rank == 1 for r in ranked]),
        "hit_at_5": _mean([r.hit_rank is not None and r.hit_rank <= 5 for r in ranked]),
        "mrr": _mean([1.0 / r.hit_rank if r.hit_rank else 0.0 for r in ranked]),
        "must_recall": _mean([_mean(r.must_satisfied) for r in answerable]),
        "exact": _mean([bool(r.must_satisfied) and all(r.must_satisfied) for r in answerable]),
        "citation_precision": _mean(citations),
        "abstain_precision": _mean([not r.question.answerable for r in abstained]) if abstained else 1.0,
        "abstain_recall": _mean([r.abstained for r in unanswerable]),
        "p50_ms": round(_percentile(latencies, 50), 1),
        "p95_ms": round(_percentile(latencies, 95), 1),
    }


def gap(development: dict[str, float], untouched: dict[str, float]) -> dict[str, float]:
    """How far a second run falls from the first, metric by metric (negative: it scores lower)."""
    return {k: round(untouched[k] - development[k], 4) for k in METRIC_KEYS if k != "n" and k in development}


def gap_interval(development: list[QuestionResult], untouched: list[QuestionResult], level: float = 0.95,
                 draws: int = 1000, seed: int = 0) -> dict[str, tuple[float, float]]:
    """The range a gap takes by chance on sets of this size: both parts resampled with
    replacement (a bootstrap) ``draws`` times, the middle ``level`` of the gaps kept. A gap
    whose interval holds 0 is no evidence that the system was fitted to the development part."""
    rng = random.Random(seed)
    keys = [k for k in METRIC_KEYS if k not in ("n", "p50_ms", "p95_ms")]
    gaps: dict[str, list[float]] = {k: [] for k in keys}
    for _ in range(draws):
        dev = summarise(rng.choices(development, k=len(development)))
        held = summarise(rng.choices(untouched, k=len(untouched)))
        for k in keys:
            gaps[k].append(held[k] - dev[k])
    tail = 100 * (1 - level) / 2
    return {k: (round(_percentile(sorted(v), tail), 4), round(_percentile(sorted(v), 100 - tail), 4))
            for k, v in gaps.items()}


def by_category(results: list[QuestionResult]) -> dict[str, dict[str, float]]:
    categories = sorted({r.question.category for r in results})
    return {c: summarise([r for r in results if r.question.category == c]) for c in categories}


def _mean(values) -> float:
    values = [float(v) for v in values]
    return round(statistics.fmean(values), 4) if values else 0.0


def _percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    k = (len(sorted_values) - 1) * pct / 100
    lo, hi = math.floor(k), math.ceil(k)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)
