"""Fitting the refusal model: what a user gets is at most 5% wrong refusals."""

from __future__ import annotations

import numpy as np

from eval.calibrate import fit, refusal_threshold
from rag import Calibration


def test_threshold_refuses_at_most_the_allowed_share_of_answerable_questions() -> None:
    rng = np.random.default_rng(0)
    answerable = np.array([True] * 100 + [False] * 40)
    probability = np.concatenate([rng.uniform(0.3, 1.0, 100), rng.uniform(0.0, 0.6, 40)])
    cut = refusal_threshold(probability, answerable, 0.05)
    assert (probability[answerable] < cut).sum() <= 5
    # The highest such cut: one notch higher would refuse a sixth answerable question.
    assert (probability[answerable] < np.sort(probability[answerable])[5] + 1e-9).sum() == 6
    assert cut > np.sort(probability[answerable])[4]
    assert (probability[~answerable] < cut).sum() > 0


def test_with_no_refusals_allowed_the_cut_sits_below_every_answerable_question() -> None:
    probability = np.array([0.1, 0.2, 0.5, 0.6, 0.7])
    answerable = np.array([False, False, True, True, True])
    cut = refusal_threshold(probability, answerable, 0.0)
    assert 0.2 < cut < 0.5


def test_fit_learns_the_direction_of_the_evidence_and_keeps_false_refusals_low() -> None:
    rng = np.random.default_rng(1)
    good = [{"sentence_cosine": v, "unknown_terms": 0.0} for v in rng.uniform(0.4, 0.9, 60)]
    bad = [{"sentence_cosine": v, "unknown_terms": u} for v, u in zip(rng.uniform(0.1, 0.5, 30), rng.uniform(0.2, 0.6, 30))]
    calibration = fit(good + bad, [True] * 60 + [False] * 30, names=("sentence_cosine", "unknown_terms"))
    assert calibration.weights["sentence_cosine"] > 0 > calibration.weights["unknown_terms"]
    refused_answerable = sum(calibration.probability(f) < calibration.threshold for f in good)
    assert refused_answerable <= 3
    assert sum(calibration.probability(f) < calibration.threshold for f in bad) >= 15


def test_a_feature_never_counts_against_its_direction() -> None:
    # More cosine among the unanswerable ones must not teach the model that cosine means "refuse".
    features = [{"sentence_cosine": v} for v in (0.9, 0.85, 0.8, 0.3, 0.35, 0.4)]
    calibration = fit(features, [False, False, False, True, True, True], names=("sentence_cosine",))
    assert calibration.weights["sentence_cosine"] == 0.0


def test_a_fit_saved_with_an_index_home_takes_precedence(tmp_path) -> None:
    from council_qa.config import Settings

    settings = Settings.from_env({}, home=tmp_path)
    packaged = Calibration.for_settings(settings)
    own = Calibration({"sentence_cosine": 1.0}, -0.5, 0.42)
    own.save(settings.calibration_path, note="test")
    assert Calibration.for_settings(settings) == own != packaged


def test_eval_calibrate_fits_on_development_questions_only_and_saves_with_the_home(corpus_settings, tmp_path) -> None:
    import json
    import shutil

    from click.testing import CliRunner

    from council_qa.cli import cli
    from eval.dataset import BUNDLED_SET

    home = tmp_path / "home"
    shutil.copytree(corpus_settings.home, home)
    lines = BUNDLED_SET.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines[:12] + [l for l in lines if '"answerable": false' in l][:6]]
    for i, row in enumerate(rows):
        row["split"] = "untouched" if i % 3 == 2 else "dev"
    path = tmp_path / "mine.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--home", str(home), "eval", "--set", str(path), "--calibrate", "--json"])
    assert result.exit_code == 0, result.output
    saved = json.loads((home / "calibration.json").read_text(encoding="utf-8"))
    assert saved["fitted_on"] == f"mine.jsonl: {sum(r['split'] == 'dev' for r in rows)} questions"
    assert not (corpus_settings.home / "calibration.json").exists()
