"""Answer latency of the extractive path, after warm-up.

Runs a question set through ``AnswerEngine.ask`` (the chat's code path) and, as a
same-process baseline, through the bare query embedding that every answer must pay for;
prints medians, p95 and their ratio. With ``--against KEY=VALUE`` a second engine with
that setting changed answers the same questions in turn, and the ratio of the two is
printed. The machines are noisy: read ratios.
Run: python bench/answer_latency.py [--rounds 3] [--home DIR --set FILE] [--against dense_query_dates=true]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import tempfile
import time
from pathlib import Path

from council_qa.config import BUNDLED_CORPUS, Settings, offline_environment
from eval.dataset import BUNDLED_SET, load_questions
from percentiles import percentile  # bench/, beside this script

STAGES = ("retrieve", "rerank", "generate")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--home", type=Path, help="an existing index (default: the bundled corpus, indexed afresh)")
    parser.add_argument("--set", type=Path, default=BUNDLED_SET, help="question set (JSONL)")
    parser.add_argument("--against", help="KEY=VALUE: also time an engine with this setting, in turn")
    args = parser.parse_args()
    offline_environment()
    from index import Indexer
    from rag import AnswerEngine

    questions = [q.question for q in load_questions(args.set)]
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings.from_env(home=args.home or Path(scratch))
        if args.home is None:
            Indexer(settings).ingest([BUNDLED_CORPUS])
        engines = {"shipped": AnswerEngine(settings)}
        if args.against:
            key, value = args.against.split("=", 1)
            try:
                value = json.loads(value)  # true, 40, 0.5
            except ValueError:
                pass  # a word: retrieval=dense
            changed = dataclasses.replace(settings, **{key: value})
            engines[args.against] = AnswerEngine(changed, index=engines["shipped"].index)
        for engine in engines.values():
            for question in questions:  # warm-up: models, caches, first-touch costs
                engine.ask(question)
        embed_ms: list[float] = []
        answer_ms: dict[str, list[float]] = {name: [] for name in engines}
        stages: dict[str, list[float]] = {stage: [] for stage in STAGES}
        for _ in range(args.rounds):
            for question in questions:
                started = time.perf_counter()
                engines["shipped"].index.embedder.embed_query(question)
                embed_ms.append((time.perf_counter() - started) * 1000)
                for name, engine in engines.items():
                    started = time.perf_counter()
                    answer = engine.ask(question)
                    answer_ms[name].append((time.perf_counter() - started) * 1000)
                    for stage in STAGES if name == "shipped" else ():
                        if stage in answer.timings_ms:  # a register answer or a refusal generates nothing
                            stages[stage].append(answer.timings_ms[stage])
    shipped, e50 = statistics.median(answer_ms["shipped"]), statistics.median(embed_ms)
    print(f"questions: {len(questions)} x {args.rounds} rounds, after one warm-up round")
    print(f"extractive answer: median {shipped:.1f} ms, p95 {percentile(answer_ms['shipped'], 95):.1f} ms")
    print(f"query embedding alone (baseline): median {e50:.1f} ms, p95 {percentile(embed_ms, 95):.1f} ms")
    print(f"answer / embedding median ratio: {shipped / e50:.2f}x")
    print("stage medians: " + ", ".join(f"{k} {statistics.median(v):.1f} ms" for k, v in stages.items() if v))
    if args.against:
        other = statistics.median(answer_ms[args.against])
        print(f"with {args.against}: median {other:.1f} ms, p95 {percentile(answer_ms[args.against], 95):.1f} ms; "
              f"shipped / that: {shipped / other:.2f}x")


if __name__ == "__main__":
    main()
