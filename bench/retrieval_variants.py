"""Evaluation metrics for each retrieval variant, all on the same question set in one run.

Variants differ in chunk size (which needs its own index), retrieval mode (dense,
keyword, hybrid, hybrid+sections), fusion (reciprocal rank or relative score) and reranker. Answers use the extractive backend with abstention
off, so answer metrics show what each variant's ranking makes possible.
Run: python bench/retrieval_variants.py [--set FILE] [--chunk-tokens 96,160]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from council_qa.config import BUNDLED_CORPUS, Settings, offline_environment
from eval.dataset import BUNDLED_SET, load_questions
from eval.metrics import summarise
from eval.runner import run_questions

COLUMNS = ("hit_at_1", "hit_at_5", "mrr", "must_recall", "exact", "citation_precision", "p50_ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", default=str(BUNDLED_SET))
    parser.add_argument("--chunk-tokens", default="160")
    parser.add_argument("--modes", default="dense,keyword,hybrid")
    parser.add_argument("--rerankers", default="none,lexical,sentence,neighbours")
    parser.add_argument("--fusions", default="reciprocal_rerank,relative_score")
    args = parser.parse_args()
    offline_environment()
    from index import Indexer
    from rag import AnswerEngine

    questions = load_questions(args.set)
    print(f"{'chunk mode fusion +reranker':<44}" + "".join(f"{c:>19}" for c in COLUMNS))
    for chunk_tokens in [int(x) for x in args.chunk_tokens.split(",")]:
        with tempfile.TemporaryDirectory() as home:
            base = Settings.from_env(home=Path(home), chunk_tokens=chunk_tokens, abstain_threshold=0.0)
            Indexer(base).ingest([BUNDLED_CORPUS])
            for mode in args.modes.split(","):
                hybrid = mode.startswith("hybrid")
                for fusion in args.fusions.split(",") if hybrid else ["-"]:
                    for reranker in args.rerankers.split(",") if hybrid else ["none"]:
                        settings = base.replace(retrieval=mode, reranker=reranker,
                                                fusion=fusion if hybrid else base.fusion)
                        results, _ = run_questions(AnswerEngine(settings), questions)
                        metrics = summarise(results)
                        name = f"{chunk_tokens} {mode} {fusion.split('_')[0]} +{reranker}"
                        print(f"{name:<44}" + "".join(f"{metrics[c]:>19}" for c in COLUMNS), flush=True)


if __name__ == "__main__":
    main()
