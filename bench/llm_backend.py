"""A local LLM answer backend beside the extractive one, on the same questions.

Both go through the engine's own path (retrieval, the calibrated refusal, and for the
LLM the grounding that drops sentences no cited source holds), so the figures are what
a user gets. An LLM answer takes seconds on a 2-core machine, so this runs an evenly
spaced sample of the real-papers development part.
Run: python bench/llm_backend.py --gguf FILE [--sample 20] [--threads 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generality import DATA, ensure_index, real_papers  # noqa: E402

from council_qa.config import Settings, offline_environment  # noqa: E402
from eval.dataset import load_questions  # noqa: E402

COLUMNS = ("n", "hit_at_5", "must_recall", "exact", "citation_precision", "abstain_recall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real-home", type=Path, default=Path("/tmp/council-qa-bench/real"))
    parser.add_argument("--gguf", required=True, help="The GGUF model to answer with.")
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--split", default="dev")
    args = parser.parse_args()
    offline_environment()
    from eval.metrics import summarise
    from eval.runner import run_questions
    from rag import AnswerEngine

    ensure_index(args.real_home, real_papers())
    questions = load_questions(DATA / "real_qa.jsonl", args.split)
    step = max(1, len(questions) // args.sample)
    sample = questions[::step][: args.sample]
    engine = AnswerEngine(Settings.from_env(home=args.real_home, llm_gguf=args.gguf))
    print(f"| backend ({len(sample)} real {args.split} questions) | " + " | ".join(COLUMNS) + " | s/answer |")
    print("|---|" + "---:|" * (len(COLUMNS) + 1))
    for backend in ("extractive", "llamacpp"):
        engine.backend(backend)  # load the model before timing
        seconds = []
        results = []
        for question in sample:
            started = time.perf_counter()
            found, _ = run_questions(engine, [question], backend=backend)
            seconds.append(time.perf_counter() - started)
            results += found
        metrics = summarise(results)
        print(f"| {backend} | " + " | ".join(str(metrics[c]) for c in COLUMNS)
              + f" | {statistics.median(seconds):.1f} |", flush=True)


if __name__ == "__main__":
    main()
