from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from council_qa.cli import cli
from rag.citations import quote_occurs
from rag.commitments import (
    CommitmentTracker, EvidenceThresholds, calibrate_on_pairs, fit_thresholds, labelled_relevance, to_csv,
)

PAIRS = Path(__file__).resolve().parents[1] / "data" / "commitment_pairs.jsonl"


@pytest.fixture(scope="module")
def tracker(engine) -> CommitmentTracker:
    return CommitmentTracker(engine)


@pytest.fixture(scope="module")
def statuses(tracker):
    return tracker.track()


def test_every_commitment_has_a_status(statuses) -> None:
    assert len(statuses) == 11
    assert {s.status for s in statuses} <= {"reported", "scheduled", "mentioned", "no_evidence"}
    assert any(s.status == "no_evidence" for s in statuses)
    for s in statuses:
        assert bool(s.evidence) == (s.status != "no_evidence")
        assert s.last_discussed == ("2026-01-22" if s.evidence else "")


def test_get_everyone_moving_is_scheduled_by_the_forward_work_programme_not_reported(statuses) -> None:
    moving = next(s for s in statuses if s.commitment.title == "Get everyone moving")
    assert moving.status == "scheduled"  # a deep dive planned for March is not a report
    evidence = moving.evidence[0]
    assert evidence.section == "Forward Work Programme" and evidence.meeting_date == "2026-01-22"
    assert "deep dive into physical activity" in evidence.quote
    assert evidence.doc_type == "minutes" and evidence.n == 1


def test_every_citation_quote_occurs_in_its_chunk(statuses) -> None:
    for s in statuses:
        for c in s.evidence:
            assert quote_occurs(c.quote, c.text), (s.commitment.title, c.quote)


def test_shipped_thresholds_classify_the_labelled_pairs(tracker) -> None:
    relevance, labels = labelled_relevance(tracker, PAIRS)
    shipped = tracker.thresholds
    right = sum(shipped.classify(r) == label for r, label in zip(relevance, labels))
    assert right / len(labels) >= 0.75
    _, refit_accuracy = calibrate_on_pairs(tracker, PAIRS)
    assert right / len(labels) >= refit_accuracy - 0.05  # what users get is close to the best fit


def test_fit_prefers_the_cuts_that_separate_the_labels() -> None:
    relevance = [5.0, 4.5, 2.0, 1.8, 0.1, -0.5, -1.0]
    labels = ["reported", "reported", "mentioned", "mentioned", "none", "none", "none"]
    fitted = fit_thresholds(relevance, labels)
    assert [fitted.classify(r) for r in relevance] == labels
    assert EvidenceThresholds(1.0, 3.0).classify(2.0) == "mentioned"


def test_csv_and_cli(statuses, corpus_settings, tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(statuses))))
    assert len(rows) == 11 and rows[0]["key_area"].startswith("Key Area 1")
    out = tmp_path / "commitments.csv"
    result = CliRunner().invoke(cli, ["--home", str(corpus_settings.home), "commitments", "--json", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {"key_area", "title", "statement", "done", "next", "measures", "status", "last_discussed",
            "evidence"} <= set(payload[0])
    assert out.read_text(encoding="utf-8").startswith("strategy,key_area,title,status,status_means")


def test_commitments_come_from_what_ingest_recorded_not_the_file(settings, tmp_path: Path) -> None:
    from index import Indexer
    from rag import AnswerEngine
    from tests.conftest import STRATEGY

    copy = tmp_path / STRATEGY.name
    copy.write_bytes(STRATEGY.read_bytes())
    Indexer(settings).ingest([copy])
    copy.unlink()  # gone from disk: nothing may parse it again
    ((title, _, commitments),) = CommitmentTracker(AnswerEngine(settings)).strategies()
    assert title.startswith("Barnet Joint Health and Wellbeing Strategy")
    assert any(c.title == "Get everyone moving" and c.done for c in commitments)




def test_another_councils_paper_is_never_evidence_unless_named_a_partner(settings, tmp_path: Path) -> None:
    from index import Indexer
    from rag import AnswerEngine
    from tests.conftest import MEETING, STRATEGY
    from tests.files import OTHER_COUNCIL_MINUTES

    bristol = tmp_path / "bristol-communities-minutes.txt"
    bristol.write_text(OTHER_COUNCIL_MINUTES, encoding="utf-8")
    Indexer(settings).ingest([STRATEGY, MEETING, bristol])

    def evidence_titles(partners: str = "") -> set[str]:
        tracker = CommitmentTracker(AnswerEngine(settings.replace(partner_councils=partners)))
        return {c.title for s in tracker.track() for c in s.evidence}

    assert not any("Communities Committee" in t or "Physical activity programme" in t for t in evidence_titles())
    assert any("Barnet" in t or "Health" in t for t in evidence_titles())  # Barnet's own papers still count
    assert any("Physical activity programme" in t or "Communities" in t for t in evidence_titles("Bristol"))


REAL_PAIRS = Path(__file__).resolve().parents[1] / "data" / "commitment_pairs_real.jsonl"
# Today's precision of "reported" on the real pairs is far below the 0.9 asked for (see
# docs/evaluation.md); this floor only stops it getting worse unnoticed.
REPORTED_PRECISION_FLOOR = 0.25


def test_real_papers_reported_precision_and_another_councils_papers_never_count(tracker) -> None:
    from collections import Counter

    from ingest import StructuredChunker, prepare_document
    from ingest.metadata import council_key
    from rag.commitments import SCHEDULING_TYPES, label_passages
    from tests.files import CORPUS_REAL

    if not CORPUS_REAL.is_dir():
        pytest.skip(f"{CORPUS_REAL} is absent: the real-papers corpus lives beside the project")
    rows = [json.loads(line) for line in REAL_PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 40 and Counter(r["label"] for r in rows)["reported"] >= 10
    chunker = StructuredChunker()
    meta = {f: prepare_document(CORPUS_REAL / f, chunker).metadata
            for f in {r["paper_file"] for r in rows} | {r["strategy_file"] for r in rows}}
    for split in ("dev", "untouched"):
        part = [r for r in rows if r["split"] == split]
        commitments = sorted({r["commitment"] for r in part})
        passages = sorted({r["passage"] for r in part})
        councils = [(council_key(meta[r["strategy_file"]].council), council_key(meta[r["paper_file"]].council))
                    for r in part]
        allowed = [not (a and b and a != b) for a, b in councils]
        got = label_passages(tracker, commitments, passages,
                             [(commitments.index(r["commitment"]), passages.index(r["passage"])) for r in part],
                             [meta[r["paper_file"]].doc_type in SCHEDULING_TYPES for r in part], allowed)
        assert all(label == "none" for label, ok in zip(got, allowed) if not ok)
        said = [r["label"] for r, label in zip(part, got) if label == "reported"]
        precision = sum(label == "reported" for label in said) / max(len(said), 1)
        recall = sum(r["label"] == label == "reported" for r, label in zip(part, got)) / \
            sum(r["label"] == "reported" for r in part)
        print(f"\nreal pairs, {split}: {len(part)} pairs, 'reported' precision {precision:.3f} recall {recall:.3f}; "
              f"{allowed.count(False)} pairs shut out as another council's")
        assert precision >= REPORTED_PRECISION_FLOOR
