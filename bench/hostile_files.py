"""Hostile and careless files: each refused with its reason, or read, within the caps.

Makes the 44 files of ``tests/hostile.py`` (decompression bombs, huge and deep
documents, lying headers, encrypted and circular PDFs, XML entity tricks, pipes, wrong
encodings) and prepares each alone as ingest does: parsed in a child process under the
memory and time limits of ``InputLimits``, then outlined and chunked here. For each it
prints the outcome, the seconds and the parsing child's peak memory. Last, the refused ones and
one good file go through ``Indexer.ingest`` as one batch: the good file must go in and
every refused one fail alone, with a one-line reason.

Run: python bench/hostile_files.py [--parse-seconds 300] [--memory-mb 3072] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from council_qa.config import InputLimits, Settings, offline_environment  # noqa: E402
from tests.hostile import PARAGRAPH, make_all  # noqa: E402

# -- the run --------------------------------------------------------------------------

def prepare_each(folder: Path, names: list[str], settings: Settings) -> list[dict]:
    from index.embedding import load_embedding_model
    from ingest import IsolatedLoader, LoadError, StructuredChunker, prepare_document

    embedder = load_embedding_model(settings)
    chunker = StructuredChunker(chunk_tokens=settings.chunk_tokens,
                                max_embed_tokens=min(settings.max_wordpieces, embedder.max_tokens),
                                token_counter=embedder.count_tokens)
    rows = []
    for name in names:
        path = folder / name
        loader = IsolatedLoader(settings.input_limits)
        peak: list[float | None] = []

        def load(p: Path):
            try:
                return loader(p)
            finally:
                peak.append(loader.peak_memory_mb())

        started = time.perf_counter()
        try:
            prepared = prepare_document(path, chunker, load=load)
            outcome, detail = "read", f"{len(prepared.nodes)} chunks"
        except LoadError as exc:
            outcome, detail = "refused", exc.reason
        seconds = time.perf_counter() - started
        loader.close()
        row = {"file": name, "outcome": outcome, "detail": detail, "seconds": round(seconds, 2),
               "child_peak_mb": round(peak[0], 1) if peak and peak[0] else None,
               "parent_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
        rows.append(row)
        print(f"{name!r:42} {outcome:8} {seconds:7.2f}s  child {row['child_peak_mb'] or '-':>7} MB  "
              f"{detail[:90]}", flush=True)
    return rows


def ingest_batch(folder: Path, refused: list[str], settings: Settings) -> dict:
    """The refused files and one good file as one ``Indexer.ingest`` batch (the files that
    were read are left out: embedding their hundreds of thousands of chunks proves nothing)."""
    from index import Indexer

    good = folder / "zz-good-minutes.txt"
    good.write_text("Minutes of the Health and Wellbeing Board\n\nHousing\n\n" + PARAGRAPH * 20, encoding="utf-8")
    report = Indexer(settings).ingest([folder / name for name in refused] + [good])
    return {"files": len(refused) + 1, "added": report.added, "failed": len(report.failed),
            "good_file_in": any(Path(d["path"]).name == good.name for d in report.documents),
            "every_failure_one_line": all("\n" not in f["error"] for f in report.failed),
            "seconds": round(report.seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parse-seconds", type=float, default=InputLimits.parse_seconds)
    parser.add_argument("--memory-mb", type=float, default=InputLimits.parse_memory_mb)
    parser.add_argument("--only", help="make and prepare only the files whose names contain this")
    parser.add_argument("--json", type=Path, help="write the rows and the batch result here")
    args = parser.parse_args()
    offline_environment()
    limits = replace(InputLimits(), parse_seconds=args.parse_seconds, parse_memory_mb=args.memory_mb)
    with tempfile.TemporaryDirectory(prefix="council-qa-hostile-") as work:
        folder = Path(work) / "files"
        folder.mkdir()
        names = make_all(folder, args.only or "")
        settings = Settings.from_env(home=Path(work) / "home").replace(input_limits=limits)
        print(f"{len(names)} files; limits: {limits}\n", flush=True)
        rows = prepare_each(folder, names, settings)
        batch = ingest_batch(folder, [r["file"] for r in rows if r["outcome"] == "refused"], settings)
    worst = max((r for r in rows if r["child_peak_mb"]), key=lambda r: r["child_peak_mb"], default=None)
    slowest = max(rows, key=lambda r: r["seconds"])
    print(f"\nread {sum(r['outcome'] == 'read' for r in rows)}, refused {sum(r['outcome'] == 'refused' for r in rows)}"
          f" of {len(rows)}; slowest {slowest['file']!r} {slowest['seconds']} s; "
          + (f"worst child peak {worst['child_peak_mb']} MB ({worst['file']!r}); " if worst else "")
          + f"this process peaked at {rows[-1]['parent_peak_mb']} MB")
    if batch:
        print(f"one batch of all of them and a good file: {batch}")
    if args.json:
        args.json.write_text(json.dumps({"limits": limits.__dict__, "rows": rows, "batch": batch}, indent=1))


if __name__ == "__main__":
    main()
