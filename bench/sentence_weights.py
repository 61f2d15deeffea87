"""Search the answer stage's sentence-scoring weights on the development parts pooled.

The extractive answer chooses sentences by a weighted sum (``council_qa.config.SentenceWeights``).
This moves one weight at a time up or down (coordinate search) and keeps a move only when
the pooled development score (mean of must_recall, citation_precision and abstain_recall
over the Barnet and real development parts, each variant with its own refitted refusal
model, as ``bench/generality.py`` measures) rises by more than ``--margin``. Only when
the search is over are the untouched parts measured, once, for the defaults and the
chosen weights side by side. Each kept move must also not lower either corpus's own
development score: a weight that helps one set and costs the other is not general.
Run: python bench/sentence_weights.py [--rounds 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generality import SCORE, collect, measure, open_engines, print_table, refit, score, with_refusals  # noqa: E402

from council_qa.config import SentenceWeights, offline_environment  # noqa: E402

# Each weight and its two trial moves (a factor for shares and weights, a step for counts).
MOVES: dict[str, tuple[float, float]] = {
    "own_words": (0.75, 1.33), "heading_words": (0.5, 1.67), "neighbour_words": (0.5, 1.67),
    "meaning": (0.75, 1.33), "meaning_low": (0.5, 1.5), "meaning_high": (0.75, 1.25),
    "words_without_meaning": (0.6, 1.4), "answer_shape": (0.5, 2.0), "source_rank": (0.5, 2.0),
    "length_penalty": (0.5, 2.0), "typed_near_best": (0.9, 1.08), "neighbours": (-1, 1),
}


def engines_with(engines: dict, weights: SentenceWeights) -> dict:
    """The same indexes and caches, answering with ``weights``."""
    out = {}
    for corpus, engine in engines.items():
        variant = type(engine)(engine.settings.replace(sentence_weights=weights), index=engine.index)
        variant.sentence_vectors = engine.sentence_vectors
        out[corpus] = variant
    return out


def development_scores(engines: dict, weights: SentenceWeights) -> dict[str, float]:
    """Score of each corpus's development part and of both pooled, refusal refitted on them."""
    from eval.metrics import summarise

    runs = collect(engines_with(engines, weights), only="dev")
    calibration = refit(runs)
    results = {name: with_refusals(answered, found, calibration) for name, (answered, found) in runs.items()}
    scores = {name: score(summarise(r)) for name, r in results.items()}
    scores["pooled dev"] = score(summarise([r for rs in results.values() for r in rs]))
    return scores


def moved(weights: SentenceWeights, field: str, move: float) -> SentenceWeights | None:
    value = getattr(weights, field)
    new = value + int(move) if isinstance(value, int) else round(value * move, 4)
    if isinstance(value, int) and new < 0:
        return None
    return dataclasses.replace(weights, **{field: new})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--barnet-home", type=Path, default=Path("/tmp/council-qa-bench/barnet"))
    parser.add_argument("--real-home", type=Path, default=Path("/tmp/council-qa-bench/real"))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--margin", type=float, default=0.002)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    offline_environment()
    engines = open_engines(args.barnet_home, args.real_home)
    defaults = best = SentenceWeights()
    best_scores = development_scores(engines, best)
    print(f"defaults: {best_scores}", flush=True)
    trials = []
    for round_number in range(1, args.rounds + 1):
        changed = False
        for field, moves in MOVES.items():
            for move in moves:
                candidate = moved(best, field, move)
                if candidate is None:
                    continue
                scores = development_scores(engines, candidate)
                kept = (scores["pooled dev"] > best_scores["pooled dev"] + args.margin
                        and all(scores[p] >= best_scores[p] for p in scores if p != "pooled dev"))
                trials.append({"round": round_number, "field": field, "value": getattr(candidate, field),
                               "scores": scores, "kept": kept})
                print(f"round {round_number} {field}={getattr(candidate, field)}: {scores}"
                      f"{'  KEPT' if kept else ''}", flush=True)
                if kept:
                    best, best_scores, changed = candidate, scores, True
                    break
        if not changed:
            break
    # Untouched parts: measured once, for the defaults and the chosen weights.
    final = {}
    for name, weights in (("defaults", defaults), ("chosen", best)):
        table, _, _ = measure(engines_with(engines, weights), quiet=True)
        final[name] = table
    print()
    print(f"chosen: {dataclasses.asdict(best)}")
    print_table(["weights", "part", "hit@5", "must_recall", "citation_precision", "abstain_recall", "score"],
                [[name, part, *(f"{table[part][k]:.3f}" for k in ("hit_at_5", *SCORE)), f"{score(table[part]):.4f}"]
                 for name, table in final.items()
                 for part in ("barnet dev", "barnet untouched", "real dev", "real untouched", "pooled dev",
                              "pooled untouched")])
    if args.json:
        args.json.write_text(json.dumps({"chosen": dataclasses.asdict(best), "trials": trials, "final": final},
                                        indent=2) + "\n")


if __name__ == "__main__":
    main()
