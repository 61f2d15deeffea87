"""Fits the abstention model on a labelled question set (never set by hand).

Features are those the engine computes for every question; the label is whether the
question is answerable. A small L2-regularised logistic regression gives weights, and
the threshold is the one with the best balanced accuracy on the set.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from rag.engine import CALIBRATION_FILE, Calibration

FEATURES = ("top_cosine", "sentence_coverage", "chunk_coverage")


def fit(features: list[dict[str, float]], answerable: list[bool], l2: float = 0.05,
        steps: int = 4000, rate: float = 0.5) -> Calibration:
    x = np.array([[f.get(k, 0.0) for k in FEATURES] for f in features], dtype=float)
    y = np.array(answerable, dtype=float)
    # Balance the classes so the smaller (unanswerable) one counts as much.
    weight = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        grad = (weight * (p - y))
        w -= rate * (x.T @ grad / len(y) + l2 * w)
        b -= rate * grad.mean()
    probability = 1 / (1 + np.exp(-(x @ w + b)))
    threshold = best_threshold(probability, y.astype(bool))
    return Calibration({k: round(float(v), 4) for k, v in zip(FEATURES, w)}, round(float(b), 4),
                       round(float(threshold), 4))


def best_threshold(probability: np.ndarray, answerable: np.ndarray) -> float:
    """The cut with the best balanced accuracy, midway between neighbouring scores."""
    candidates = np.unique(probability)
    cuts = np.concatenate([[0.0], (candidates[:-1] + candidates[1:]) / 2, [1.0]])
    best, best_score = 0.5, -1.0
    for cut in cuts:
        kept = probability >= cut
        recall_answer = (kept & answerable).sum() / max(answerable.sum(), 1)
        recall_abstain = (~kept & ~answerable).sum() / max((~answerable).sum(), 1)
        score = (recall_answer + recall_abstain) / 2
        if score > best_score:
            best, best_score = float(cut), score
    return best


def save(calibration: Calibration, path: Path = CALIBRATION_FILE, note: str = "") -> None:
    payload = {"weights": calibration.weights, "bias": calibration.bias, "threshold": calibration.threshold,
               "fitted_on": note}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
