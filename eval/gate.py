"""The quality gate: measured metrics against the thresholds in ``eval/thresholds.toml``."""

from __future__ import annotations

import tomllib
from pathlib import Path

THRESHOLDS_FILE = Path(__file__).with_name("thresholds.toml")


def load_thresholds(path: Path = THRESHOLDS_FILE) -> dict[str, dict[str, float]]:
    """``{"min": {...}, "max": {...}}``: lower bounds for quality, upper bounds for latency."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    return {"min": dict(raw.get("min", {})), "max": dict(raw.get("max", {}))}


def gate_failures(metrics: dict[str, float], thresholds: dict[str, dict[str, float]]) -> list[str]:
    failures = []
    for key, bound in thresholds["min"].items():
        if metrics.get(key, 0.0) < bound:
            failures.append(f"{key} {metrics.get(key, 0.0):.3f} is below {bound:.3f}")
    for key, bound in thresholds["max"].items():
        if metrics.get(key, float("inf")) > bound:
            failures.append(f"{key} {metrics.get(key):.1f} is above {bound:.1f}")
    return failures
