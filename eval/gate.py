"""The quality gate: measured metrics against the thresholds in ``eval/thresholds.toml``."""

from __future__ import annotations

import tomllib
from pathlib import Path

THRESHOLDS_FILE = Path(__file__).with_name("thresholds.toml")


def load_thresholds(path: Path = THRESHOLDS_FILE, question_set: str = "") -> dict[str, dict[str, float]]:
    """``min``: lower bounds the gate checks; ``floors``: the targets the project holds
    itself to.

    ``question_set`` names a set with a table of its own (``[real_qa.min]``, by the set
    file's stem); any other set is held to the top-level tables, written for the bundled set.
    """
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    table = raw.get(question_set, raw) if question_set else raw
    # A set's own table may leave a part to the top-level one.
    return {key: dict(table.get(key) or raw.get(key, {})) for key in ("min", "floors")}


def gate_failures(metrics: dict[str, float], thresholds: dict[str, dict[str, float]]) -> list[str]:
    failures = []
    for key, bound in thresholds["min"].items():
        if metrics.get(key, 0.0) < bound:
            failures.append(f"{key} {metrics.get(key, 0.0):.3f} is below {bound:.3f}")
    return failures
