"""Answer latency of the extractive path on the bundled corpus, after warm-up.

Runs the evaluation questions through ``AnswerEngine.ask`` (the chat's code path) and,
as a same-process baseline, through the bare query embedding that every answer must
pay for; prints medians, p95 and their ratio. The machines are noisy: read ratios.
Run: python bench/answer_latency.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from council_qa.config import BUNDLED_CORPUS, Settings, offline_environment
from eval.dataset import BUNDLED_SET, load_questions
from percentiles import percentile  # bench/, beside this script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    offline_environment()
    from index import Indexer
    from rag import AnswerEngine

    questions = [q.question for q in load_questions(BUNDLED_SET)]
    with tempfile.TemporaryDirectory() as home:
        settings = Settings.from_env(home=Path(home))
        Indexer(settings).ingest([BUNDLED_CORPUS])
        engine = AnswerEngine(settings)
        for question in questions:  # warm-up: models, caches, first-touch costs
            engine.ask(question)
        answer_ms, embed_ms, stages = [], [], {"retrieve": [], "rerank": [], "generate": []}
        for _ in range(args.rounds):
            for question in questions:
                started = time.perf_counter()
                engine.index.embedder.embed_query(question)
                embed_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                answer = engine.ask(question)
                answer_ms.append((time.perf_counter() - started) * 1000)
                for stage in stages:
                    stages[stage].append(answer.timings_ms[stage])
    a50, e50 = statistics.median(answer_ms), statistics.median(embed_ms)
    print(f"questions: {len(questions)} x {args.rounds} rounds, after one warm-up round")
    print(f"extractive answer: median {a50:.1f} ms, p95 {percentile(answer_ms, 95):.1f} ms")
    print(f"query embedding alone (baseline): median {e50:.1f} ms, p95 {percentile(embed_ms, 95):.1f} ms")
    print(f"answer / embedding median ratio: {a50 / e50:.2f}x")
    print("stage medians: " + ", ".join(f"{k} {statistics.median(v):.1f} ms" for k, v in stages.items()))


if __name__ == "__main__":
    main()
