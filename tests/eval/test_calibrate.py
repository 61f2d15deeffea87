"""Fitting the abstention model."""

from __future__ import annotations

import numpy as np

from eval.calibrate import best_threshold, fit


def test_threshold_is_the_middle_of_the_best_run() -> None:
    probability = np.array([0.1, 0.2, 0.5, 0.6, 0.7, 0.8])
    answerable = np.array([False, False, True, True, True, True])
    must = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])  # answering the 0.5 question gains nothing
    # The cuts 0.35 (answer it) and 0.55 (refuse it) score the same: take the middle.
    assert best_threshold(probability, answerable, must) == 0.45
    assert best_threshold(probability, answerable) == 0.35  # now answering it counts


def test_between_cuts_equal_on_the_weaker_metric_the_one_with_more_of_the_other_wins() -> None:
    probability = np.array([0.1, 0.3, 0.5, 0.6, 0.7, 0.9])
    answerable = np.array([False, True, True, True, True, False])
    must = np.array([0.0, 1.0, 1.0, 1.0, 1.0, 0.0])
    # Cutting at 0.2 or 0.4 refuses one of the two unanswerable questions either way
    # (abstain_recall 0.5, the weaker share); at 0.2 it also answers the 0.3 question.
    assert best_threshold(probability, answerable, must) == 0.2


def test_questions_refused_by_rule_are_not_fitted_but_count_as_refused() -> None:
    features = [{"typed_support": v, "typed_answer": 1.0} for v in (0.1, 0.2, 0.7, 0.8, 0.9)]
    features.append({"typed_support": 0.95, "typed_answer": 0.0})  # refused by rule whatever it scores
    calibration = fit(features, [False, False, True, True, True, False], names=("typed_support",))
    assert calibration.weights["typed_support"] > 0
    assert calibration.probability({"typed_support": 0.8}) >= calibration.threshold
    assert calibration.probability({"typed_support": 0.1}) < calibration.threshold
