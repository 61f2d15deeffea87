"""Markdown report of a run: metrics, every failed question, and a chart by category."""

from __future__ import annotations

from pathlib import Path

from eval.metrics import METRIC_KEYS, QuestionResult, by_category, summarise

CHART_METRICS = ("hit_at_5", "must_recall", "exact", "citation_precision", "abstain_recall")


def metrics_table(columns: dict[str, dict[str, float | str]]) -> str:
    """A Markdown table, one column per run (e.g. council-qa and the baseline)."""
    names = list(columns)
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for key in METRIC_KEYS:
        lines.append(f"| {key} | " + " | ".join(_fmt(columns[n].get(key)) for n in names) + " |")
    return "\n".join(lines)


def write_report(directory: Path, results: list[QuestionResult], set_name: str,
                 baseline: list[QuestionResult] | None = None, set_warnings: list[str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    columns = {"council-qa": summarise(results)}
    if baseline is not None:
        columns["baseline"] = summarise(baseline)
    chart = directory / "metrics_by_category.png"
    plot_categories(results, chart)
    failed = [r for r in results if not r.passed]
    lines = [f"# Evaluation report: {set_name}", "", metrics_table(columns), "",
             f"![metrics by category]({chart.name})", ""]
    if set_warnings:
        lines += ["## The set against this index", "", "These can never be scored as found:", ""]
        lines += [f"- {warning}" for warning in set_warnings] + [""]
    lines += [f"## Failed questions ({len(failed)} of {len(results)})", ""]
    for r in failed:
        q = r.question
        expected = "abstain" if not q.answerable else " AND ".join("(" + " | ".join(g) + ")" for g in q.must)
        lines += [f"### {q.id} ({q.category})", "", f"**Question:** {q.question}", "",
                  f"**Expected:** {expected}", "", f"**Got:** {r.answer}", ""]
        if q.quote:
            lines += [f"**Supporting passage:** {q.quote} (retrieved at rank {r.hit_rank or 'none'})", ""]
        for c, ok in zip(r.citations, r.citation_ok):
            mark = "ok" if ok else "does not hold the answer"
            lines.append(f"- [{c.get('n', '?')}] {c.get('section') or c.get('title', '')}: {mark}")
        lines.append("")
    path = directory / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def plot_categories(results: list[QuestionResult], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    categories = by_category(results)
    names = list(categories)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / len(CHART_METRICS)
    for i, metric in enumerate(CHART_METRICS):
        ax.bar([x + i * width for x in range(len(names))], [categories[n][metric] for n in names], width, label=metric)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(names))])
    ax.set_xticklabels([f"{n}\n(n={categories[n]['n']})" for n in names])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.set_title("council-qa evaluation by question category")
    ax.legend(fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def interval_text(interval: tuple[float, float]) -> str:
    """A gap's chance range as the tables print it: "-0.163 to +0.195"."""
    low, high = interval
    return f"{low:+.3f} to {high:+.3f}"


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) and abs(value) <= 1.0 else f"{value}"
