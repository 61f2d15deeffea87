"""Time of checking a question set against a large index (``eval.checks.set_problems``).

The 144 bundled questions against the bundled chunks plus N filler chunks of the same
vocabulary, the real chunks last (the worst case: nothing is found early). Baseline, in
the same process: the plain way, scoring's ``holds_quote`` and a substring test on every
chunk for every question (run only for the smaller sizes; it grows as questions x chunks).
The machines are noisy: read ratios.
Run: python bench/set_check.py [--chunks 1000,10000,100000] [--baseline-up-to 1000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from council_qa.config import BUNDLED_CORPUS, Settings, offline_environment
from eval.checks import set_problems
from eval.dataset import BUNDLED_SET, load_questions
from eval.metrics import contains, holds_quote
from eval.runner import shown_text


def plain_check(questions, chunks: list[tuple[str, str]]) -> int:
    shown = [shown_text(section, text) for section, text in chunks]
    missing = 0
    for q in questions:
        if not q.answerable:
            continue
        if q.quote and not any(holds_quote(text, q.quote) for text in shown):
            missing += 1
        missing += sum(not any(contains(text, a) for text in shown for a in group) for group in q.must)
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", default="1000,10000,100000")
    parser.add_argument("--baseline-up-to", type=int, default=1000)
    args = parser.parse_args()
    offline_environment()
    from index import CouncilIndex, Indexer

    questions = load_questions(BUNDLED_SET)
    with tempfile.TemporaryDirectory() as home:
        settings = Settings.from_env(home=Path(home))
        Indexer(settings).ingest([BUNDLED_CORPUS])
        real = list(CouncilIndex(settings).chunks())
    vocabulary = [word for _, text in real for word in text.split()]
    rng = random.Random(0)
    print(f"{'filler chunks':>14} {'one-pass s':>11} {'plain s':>9} {'ratio':>7}")
    for size in [int(n) for n in args.chunks.split(",")]:
        chunks = [("Filler > Section", " ".join(rng.choices(vocabulary, k=150))) for _ in range(size)] + real
        started = time.perf_counter()
        problems = set_problems(questions, iter(chunks))
        one_pass = time.perf_counter() - started
        assert not problems, problems
        if size <= args.baseline_up_to:
            started = time.perf_counter()
            assert plain_check(questions, chunks) == 0
            plain = time.perf_counter() - started
            print(f"{size:>14,} {one_pass:>11.2f} {plain:>9.2f} {plain / one_pass:>6.1f}x")
        else:
            print(f"{size:>14,} {one_pass:>11.2f} {'-':>9} {'-':>7}")


if __name__ == "__main__":
    main()
