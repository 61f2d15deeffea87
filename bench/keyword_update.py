"""The keyword index brought up to date after one paper is added or removed, against
building it whole from the store, on the archive-scale homes of ``bench/query_scale.py``.

Until 2026-12-06 every ingest, removal or metadata correction read every chunk back from
the vector store and tokenised the whole corpus again. Now each document is tokenised
once into a segment of its own, and an update tokenises only the documents that changed.
Measured in one process on each home: a whole build from the store (the old way, kept
as the baseline), then a real ``Indexer.ingest`` of one new paper and its
``Indexer.remove``, timing the keyword step of each. The home is left as it was.
Run: python bench/keyword_update.py [--sizes 1000 10000 100000] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from council_qa.config import BUNDLED_CORPUS, Settings, offline_environment

WORK = Path("/tmp/council-qa-bench/scale")


def measure(home: Path) -> dict:
    from index import Indexer, KeywordIndex, Manifest

    settings = Settings.from_env(home=home)
    indexer = Indexer(settings)
    manifest = Manifest.load(settings.manifest_path)
    stamps = {doc_id: entry.fingerprint for doc_id, entry in manifest.ready().items()}
    started = time.perf_counter()
    whole = KeywordIndex.build(indexer.store.iter_nodes(), manifest.generation, stamps)
    with tempfile.TemporaryDirectory() as scratch:
        whole.save(Path(scratch) / "bm25")
    whole_s = time.perf_counter() - started

    steps: list[float] = []
    update = indexer.update_keyword_index

    def timed(current: Manifest) -> KeywordIndex:
        began = time.perf_counter()
        result = update(current)
        steps.append(time.perf_counter() - began)
        return result

    indexer.update_keyword_index = timed  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as scratch:
        paper = Path(scratch) / "new-paper.txt"
        text = (BUNDLED_CORPUS / "barnet-hwbb-2026-01-22-meeting-summary.txt").read_text(encoding="utf-8")
        paper.write_text(f"Keyword update benchmark {time.time_ns()}\n\n{text}", encoding="utf-8")
        started = time.perf_counter()
        report = indexer.ingest([paper])
        ingest_s = time.perf_counter() - started
        added = report.documents[0]
        indexer.remove(added["doc_id"])
    return {"chunks": whole.size, "whole_build_s": whole_s, "after_add_s": steps[0], "after_remove_s": steps[1],
            "ingest_s": ingest_s, "paper_chunks": added["chunks"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    offline_environment()
    rows = []
    print(f"{'chunks':>8} {'whole build s':>14} {'add: update s':>14} {'remove: update s':>17} {'whole / add':>12}")
    for size in args.sizes:
        home = WORK / f"n{size}"
        if not (home / "built").exists():
            raise SystemExit(f"{home} is not built: run python bench/query_scale.py --sizes {size} first")
        row = measure(home)
        rows.append(row)
        print(f"{row['chunks']:>8,} {row['whole_build_s']:>14.2f} {row['after_add_s']:>14.2f} "
              f"{row['after_remove_s']:>17.2f} {row['whole_build_s'] / row['after_add_s']:>11.1f}x", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
