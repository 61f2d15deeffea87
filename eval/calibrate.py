"""Fits the refusal model on the development questions of labelled sets (never set by hand).

One L2-regularised logistic regression over the evidence features the engine computes
for every question, whatever its corpus; the label is whether the question is
answerable. Each feature keeps the direction it must have (closer meaning never counts
against an answer), so a few odd questions cannot teach it otherwise. The threshold is
the highest at which at most ``max_false_refusals`` of the answerable questions are
refused: a user is told "the papers do not say" wrongly at most that often, and every
close miss below it is refused.

Pooled across corpora: ``python -m eval.calibrate --run HOME=SET ... [--out FILE]``
fits on the development parts of every set, each run on its own index home.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from eval.dataset import EvalQuestion, load_questions
from eval.runner import run_questions
from rag import AnswerEngine
from rag.engine import CALIBRATION_FILE, Calibration
from rag.evidence import FEATURE_SIGNS, FEATURES

MAX_FALSE_REFUSALS = 0.05


def fit(features: list[dict[str, float]], answerable: list[bool], names: tuple[str, ...] = FEATURES,
        l2: float = 0.05, steps: int = 5000, rate: float = 0.5,
        max_false_refusals: float = MAX_FALSE_REFUSALS) -> Calibration:
    # An answer decided without the model (a vote read from the decisions register) has no features.
    answerable = [a for a, f in zip(answerable, features) if f]
    features = [f for f in features if f]
    raw = np.array([[f.get(k, 0.0) for k in names] for f in features], dtype=float)
    y = np.array(answerable, dtype=float)
    # Standardise so one step size suits every feature; folded back into the weights below.
    mean, scale = raw.mean(axis=0), raw.std(axis=0) + 1e-9
    x = (raw - mean) / scale
    # Balance the classes so the smaller (unanswerable) one counts as much.
    weight = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    signs = np.array([FEATURE_SIGNS[k] for k in names], dtype=float)
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        grad = weight * (p - y)
        w -= rate * (x.T @ grad / len(y) + l2 * w)
        w = np.where(w * signs < 0, 0.0, w)  # keep each feature's direction (monotone evidence)
        b -= rate * grad.mean()
    weights = w / scale
    bias = b - float((w * mean / scale).sum())
    probability = 1 / (1 + np.exp(-(raw @ weights + bias)))
    threshold = refusal_threshold(probability, np.array(answerable, dtype=bool), max_false_refusals)
    return Calibration({k: round(float(v), 4) for k, v in zip(names, weights)}, round(float(bias), 4),
                       round(float(threshold), 4))


def refusal_threshold(probability: np.ndarray, answerable: np.ndarray,
                      max_false_refusals: float = MAX_FALSE_REFUSALS) -> float:
    """The highest cut that refuses at most ``max_false_refusals`` of the answerable
    questions, halfway to the next answerable question's probability so that one
    question more or less does not flip the choice."""
    scores = np.sort(probability[answerable])
    if not len(scores):
        return 0.5
    allowed = int(np.floor(max_false_refusals * len(scores) + 1e-9))  # answerable questions it may refuse
    if allowed == 0:
        below = probability[~answerable & (probability < scores[0])]
        return float((scores[0] + (below.max() if len(below) else 0.0)) / 2)
    return float((scores[allowed - 1] + scores[allowed]) / 2) if allowed < len(scores) else 1.0


def fit_on_runs(runs: list[tuple[AnswerEngine, list[EvalQuestion]]], backend: str | None = None,
                max_false_refusals: float = MAX_FALSE_REFUSALS) -> Calibration:
    """Runs each engine (refusing nothing) on its development questions and fits on them all."""
    features, answerable = [], []
    for engine, questions in runs:
        dev = [q for q in questions if q.split != "untouched"]
        _, found = run_questions(engine, dev, backend=backend)
        features += found
        answerable += [q.answerable for q in dev]
    return fit(features, answerable, max_false_refusals=max_false_refusals)


def main() -> None:
    from council_qa.config import Settings, offline_environment

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", action="append", required=True, metavar="HOME=SET",
                        help="An index home and a question set run on it; repeat for every set.")
    parser.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    parser.add_argument("--max-false-refusals", type=float, default=MAX_FALSE_REFUSALS)
    args = parser.parse_args()
    offline_environment()
    runs, engines = [], {}
    for pair in args.run:
        home, _, set_path = pair.partition("=")
        if home not in engines:
            engines[home] = AnswerEngine(Settings.from_env(home=Path(home), abstain_threshold=0.0))
        runs.append((engines[home], load_questions(set_path)))
    calibration = fit_on_runs(runs, max_false_refusals=args.max_false_refusals)
    n = sum(len([q for q in qs if q.split != "untouched"]) for _, qs in runs)
    sets = ", ".join(sorted({Path(p.partition("=")[2]).name for p in args.run}))
    calibration.save(args.out, note=f"development questions of {sets}: {n}")
    print(calibration)


if __name__ == "__main__":
    main()
