"""Ingest throughput against the embedding model's own throughput, on the bundled corpus
or on the real papers of ``../shared/corpus-real`` (``--corpus real``).

Both are measured in the same process on the same chunk texts, so the ratio shows the
pipeline's overhead (loading, outline, chunking, store writes, BM25) on a noisy machine.
An indexer starts its parser child when it is made, so that the child's imports (about a
second) overlap the model's loading in a fresh process and later ingests (the app's
uploads) find it running: the timed ingests start once it has had that second
(``--child-start``); one ingest right after the indexer is made is reported beside.
Run: python bench/ingest_throughput.py [--corpus bundled|real] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from llama_index.core.schema import MetadataMode

from council_qa.config import BUNDLED_CORPUS, PROJECT_ROOT, Settings, offline_environment

CORPUS_REAL = PROJECT_ROOT.parent / "shared" / "corpus-real"


def papers(corpus: str) -> list[Path]:
    if corpus == "bundled":
        return [BUNDLED_CORPUS]
    return sorted(p for p in CORPUS_REAL.iterdir() if p.suffix.lower() in (".pdf", ".docx", ".html"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", choices=("bundled", "real"), default="bundled")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dtypes", default="float32,bfloat16", help="embedding dtypes to compare on the same texts")
    parser.add_argument("--child-start", type=float, default=2.0,
                        help="seconds the parser child is given to start before a timed ingest")
    args = parser.parse_args()
    offline_environment()
    from index import Indexer

    load_started = time.perf_counter()
    with tempfile.TemporaryDirectory() as warm:
        Indexer(Settings.from_env(home=Path(warm)))  # model load, once per process
    load_seconds = time.perf_counter() - load_started

    with tempfile.TemporaryDirectory() as home:
        indexer = Indexer(Settings.from_env(home=Path(home)))
        started = time.perf_counter()
        indexer.ingest(papers(args.corpus))
        right_after = time.perf_counter() - started
        indexer.close()
    ingest_runs, model_runs, chunks, overhead = [], [], 0, ""
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as home:
            settings = Settings.from_env(home=Path(home))
            indexer = Indexer(settings)
            time.sleep(args.child_start)
            started = time.perf_counter()
            report = indexer.ingest(papers(args.corpus))
            ingest_runs.append(time.perf_counter() - started)
            chunks = report.chunks_total
            texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in indexer.store.iter_nodes()]
            overhead = overhead or token_overhead(indexer, papers(args.corpus))
            started = time.perf_counter()
            indexer.embedder.embed_texts(texts)
            model_runs.append(time.perf_counter() - started)
            indexer.close()
    ingest_s, model_s = statistics.median(ingest_runs), statistics.median(model_runs)
    print(f"model load (once per process): {load_seconds:.1f} s")
    print(f"chunks on the {args.corpus} corpus:  {chunks}")
    print(f"ingest wall time (median of {args.repeat}): {ingest_s:.2f} s = {chunks / ingest_s:.1f} chunks/s")
    print(f"embedding model alone, same texts:  {model_s:.2f} s = {chunks / model_s:.1f} chunks/s")
    print(f"pipeline / model time ratio: {ingest_s / model_s:.2f}x (1.00 = no overhead)")
    print(f"one ingest right after the indexer is made (its parser child still starting): {right_after:.2f} s "
          f"= {right_after / model_s:.2f}x the model's time")
    print(overhead)
    from index.embedding import EmbeddingModel

    reference = None
    for dtype in args.dtypes.split(","):
        model = EmbeddingModel(Settings.from_env().embed_model, dtype=dtype)
        model.embed_texts(texts[:8])
        started = time.perf_counter()
        model.embed_texts(texts)
        seconds = time.perf_counter() - started
        reference = reference or seconds
        print(f"embedding dtype {dtype}: {len(texts) / seconds:.1f} chunks/s ({seconds / reference:.2f}x the time of "
              f"{args.dtypes.split(',')[0]})")


def token_overhead(indexer, paths: list[Path]) -> str:
    """Word pieces embedded against those of the documents' own text: what headings and
    titles (embedded with every chunk) and chunk overlap add to the model's work."""
    from ingest import LoadError, discover_files, prepare_document

    count = indexer.embedder.count_tokens
    corpus = 0
    for f in discover_files(paths):
        try:
            corpus += count(prepare_document(f, indexer.chunker).document.text)
        except LoadError:  # a scanned paper: not in the index either
            continue
    nodes = list(indexer.store.iter_nodes())
    texts = sum(count(n.get_content()) for n in nodes)
    embedded = sum(count(n.get_content(metadata_mode=MetadataMode.EMBED)) for n in nodes)
    return (f"word pieces: documents {corpus}, chunk texts {texts}, embedded (with title and heading) {embedded}\n"
            f"embedded-token overhead: {(embedded - corpus) / corpus:.1%} of the corpus "
            f"(titles and headings {(embedded - texts) / corpus:.1%}, overlap and per-chunk markers "
            f"{(texts - corpus) / corpus:.1%})")


if __name__ == "__main__":
    main()
