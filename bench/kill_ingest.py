"""SIGKILL convergence: ingest killed at random moments, again and again, then finished.

A reference index is built once, cleanly. Then `council-qa ingest` runs on the same
papers into a second home and is killed with SIGKILL at a random moment of its run, N
times in a row. This hits model loading, parsing, embedding, Chroma writes, manifest and
BM25 writes, and the recovery of the kill before. A last run is let finish.

The index must then equal the reference: the same chunk ids, none duplicated, none lost,
every document ready, and the keyword index at the manifest's generation. Nothing is
repaired by hand.
Run: python bench/kill_ingest.py [--kills 20] [--papers N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS_REAL = ROOT.parent / "shared" / "corpus-real"


def ingest(home: Path, folder: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "council_qa.cli", "--home", str(home), "ingest", str(folder), "--json"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)


def state(home: Path) -> dict:
    from council_qa.config import Settings
    from index import CouncilIndex, KeywordIndex, Manifest

    settings = Settings.from_env(home=home)
    index = CouncilIndex(settings)
    ids = [n.node_id for n in index.store.iter_nodes()]
    manifest = Manifest.load(settings.manifest_path)
    return {"ids": ids, "documents": {d: e.state for d, e in manifest.documents.items()},
            "keyword_generation": KeywordIndex.stored_generation(settings.keyword_index_path),
            "generation": manifest.generation}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--papers", type=int, default=4, help="Real papers to add to the bundled corpus.")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from council_qa.config import BUNDLED_CORPUS, offline_environment

    offline_environment()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="kill-ingest-"))
    folder = work / "papers"
    folder.mkdir()
    for path in sorted(BUNDLED_CORPUS.iterdir()):
        (folder / path.name).write_bytes(path.read_bytes())
    if CORPUS_REAL.is_dir():
        small = sorted((p for p in CORPUS_REAL.glob("*.pdf")), key=lambda p: p.stat().st_size)[:args.papers]
        for path in small:
            (folder / path.name).write_bytes(path.read_bytes())
    started = time.perf_counter()
    reference = ingest(work / "reference", folder)
    reference.wait()
    clean_seconds = time.perf_counter() - started
    expected = state(work / "reference")
    home = work / "killed"
    moments: list[float] = []
    finished = 0
    horizon = clean_seconds  # a run shortens as the killed home fills: draw moments within the last one seen
    for _ in range(args.kills * 4):
        if len(moments) == args.kills:
            break
        process = ingest(home, folder)
        began = time.perf_counter()
        moment = rng.uniform(min(0.3, horizon / 2), horizon)
        try:
            process.wait(timeout=moment)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            moments.append(round(moment, 2))
        else:
            finished += 1
            horizon = max(0.5, time.perf_counter() - began)
    final = ingest(home, folder)
    final.wait()
    got = state(home)
    result = {
        "papers": len(list(folder.iterdir())),
        "clean_ingest_s": round(clean_seconds, 1),
        "kills": len(moments),
        "kill_moments_s": moments,
        "runs_finished_before_their_moment": finished,
        "final_exit": final.returncode,
        "chunks_expected": len(expected["ids"]),
        "chunks": len(got["ids"]),
        "duplicated": len(got["ids"]) - len(set(got["ids"])),
        "lost": len(set(expected["ids"]) - set(got["ids"])),
        "extra": len(set(got["ids"]) - set(expected["ids"])),
        "documents_not_ready": [d for d, s in got["documents"].items() if s != "ready"],
        "keyword_index_current": got["keyword_generation"] == got["generation"],
    }
    print(json.dumps(result, indent=2))
    ok = (result["final_exit"] == 0 and not result["duplicated"] and not result["lost"] and not result["extra"]
          and not result["documents_not_ready"] and result["keyword_index_current"])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
