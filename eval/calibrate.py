"""Fits the abstention model on a labelled question set (never set by hand).

Features are those the engine computes for every question; the label is whether the
question is answerable. Which features to use is chosen by 5-fold cross-validation
(few unanswerable questions make a model on every feature overfit); a small
L2-regularised logistic regression gives the weights, and the threshold is the one
with the best balanced accuracy on the set.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

from rag.engine import CALIBRATION_FILE, Calibration
from rag.evidence import FEATURES


def calibrate(features: list[dict[str, float]], answerable: list[bool], max_features: int = 3,
              folds: int = 5) -> Calibration:
    """Best feature subset by cross-validated balanced accuracy, then fitted on all data."""
    labels = np.array(answerable, dtype=bool)
    order = np.arange(len(labels))
    best_names, best_score = FEATURES, -1.0
    for size in range(1, max_features + 1):
        for names in itertools.combinations(FEATURES, size):
            scores = []
            for fold in range(folds):
                test = order % folds == fold
                model = fit([f for f, t in zip(features, test) if not t], list(labels[~test]), names)
                kept = np.array([model.probability(f) >= model.threshold for f, t in zip(features, test) if t])
                truth = labels[test]
                recall_answer = (kept & truth).sum() / max(truth.sum(), 1)
                recall_abstain = (~kept & ~truth).sum() / max((~truth).sum(), 1)
                scores.append((recall_answer + recall_abstain) / 2)
            score = float(np.mean(scores))
            if score > best_score + 1e-9:
                best_names, best_score = names, score
    return fit(features, answerable, best_names)


def fit(features: list[dict[str, float]], answerable: list[bool], names: tuple[str, ...] = FEATURES,
        l2: float = 0.05, steps: int = 5000, rate: float = 0.5) -> Calibration:
    raw = np.array([[f.get(k, 0.0) for k in names] for f in features], dtype=float)
    y = np.array(answerable, dtype=float)
    # Standardise so one step size suits every feature; folded back into the weights below.
    mean, scale = raw.mean(axis=0), raw.std(axis=0) + 1e-9
    x = (raw - mean) / scale
    # Balance the classes so the smaller (unanswerable) one counts as much.
    weight = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        grad = weight * (p - y)
        w -= rate * (x.T @ grad / len(y) + l2 * w)
        b -= rate * grad.mean()
    weights = w / scale
    bias = b - float((w * mean / scale).sum())
    probability = 1 / (1 + np.exp(-(raw @ weights + bias)))
    threshold = best_threshold(probability, y.astype(bool))
    return Calibration({k: round(float(v), 4) for k, v in zip(names, weights)}, round(float(bias), 4),
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
