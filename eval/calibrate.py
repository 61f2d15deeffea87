"""Fits the abstention model on a labelled question set (never set by hand).

Features are those the engine computes for every question; the label is whether the
question is answerable. A small L2-regularised logistic regression whose weights keep
each feature's direction (closer meaning never counts against an answer, and a few
unanswerable questions cannot teach it otherwise) gives the weights; the threshold is
where must_recall and abstain_recall come closest to their floors together.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from rag.engine import CALIBRATION_FILE, Calibration
from rag.evidence import FEATURE_SIGNS, FEATURES, refused_by_rule



def calibrate(features: list[dict[str, float]], answerable: list[bool], must: list[float] | None = None,
              floors: tuple[float, float] = (0.85, 0.80)) -> Calibration:
    """Fit on every feature (signs fixed), cut where both quality floors are best met."""
    return fit(features, answerable, FEATURES, must=must, floors=floors)


def fit(features: list[dict[str, float]], answerable: list[bool], names: tuple[str, ...] = FEATURES,
        l2: float = 0.05, steps: int = 5000, rate: float = 0.5, must: list[float] | None = None,
        floors: tuple[float, float] = (0.85, 0.80)) -> Calibration:
    # Questions the rules refuse are decided already: fit on the rest, but count them
    # (never answered) when choosing the threshold.
    open_ = np.array([not refused_by_rule(f) for f in features])
    every = np.array([[f.get(k, 0.0) for k in names] for f in features], dtype=float)
    raw = every[open_]
    y = np.array(answerable, dtype=float)[open_]
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
    probability = np.where(open_, 1 / (1 + np.exp(-(every @ weights + bias))), 0.0)
    threshold = best_threshold(probability, np.array(answerable, dtype=bool), None if must is None else np.array(must),
                               floors)
    return Calibration({k: round(float(v), 4) for k, v in zip(names, weights)}, round(float(bias), 4),
                       round(float(threshold), 4))


def best_threshold(probability: np.ndarray, answerable: np.ndarray, must: np.ndarray | None = None,
                   floors: tuple[float, float] = (0.85, 0.80)) -> float:
    """The cut that comes closest to both quality floors at once.

    Answering more raises must_recall (the share of expected facts in answers, ``must``
    per question when answered) and lowers abstain_recall; the cut maximises the smaller
    of the two, each as a share of its floor. Without ``must``, answering an answerable
    question counts as fully right.
    """
    value = np.where(answerable, 1.0, 0.0) if must is None else np.where(answerable, must, 0.0)
    candidates = np.unique(probability)
    cuts = np.concatenate([[0.0], (candidates[:-1] + candidates[1:]) / 2, [1.0]])
    scores = []
    for cut in cuts:
        kept = probability >= cut
        must_recall = value[kept & answerable].sum() / max(answerable.sum(), 1)
        abstain_recall = (~kept & ~answerable).sum() / max((~answerable).sum(), 1)
        shares = (must_recall / floors[0], abstain_recall / floors[1])
        scores.append(round(min(shares), 9) + 1e-3 * round(sum(shares), 9))  # ties: the more of both
    # Where several cuts tie, take the middle of the first run of them: the widest margin
    # either side, so one question more or less does not flip the choice.
    best = max(scores)
    first = next(i for i, score in enumerate(scores) if score >= best - 1e-12)
    last = first
    while last + 1 < len(scores) and scores[last + 1] >= best - 1e-12:
        last += 1
    return float((cuts[first] + cuts[last]) / 2)


def save(calibration: Calibration, path: Path = CALIBRATION_FILE, note: str = "") -> None:
    payload = {"weights": calibration.weights, "bias": calibration.bias, "threshold": calibration.threshold,
               "fitted_on": note}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
