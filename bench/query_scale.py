"""Question latency, memory and disk at 1k, 10k and 100k chunks, against a starter pipeline.

The large indexes are built from real text: the bundled Barnet papers and the papers of
``../shared/corpus-real`` are ingested once (the base), then copied until the index holds
N chunks. Each copy is a new document with its own id, a numbered title and meeting dates
a week later per copy; its vectors are the base vectors plus a little noise (so HNSW sees
N distinct points without embedding N texts on a CPU), and its text is the base text (so
BM25 sees N real chunks). Each size is measured in a fresh process, so peak RSS is that
size's own: the extractive answer (``AnswerEngine.ask``, the chat's path) and, as the
baseline in the same process, a LlamaIndex starter retriever (dense top 4 over the same
Chroma collection). The machines are noisy: read the ratios.

Run: python bench/query_scale.py [--sizes 1000 10000 100000] [--json bench/query_scale.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from council_qa.config import BUNDLED_CORPUS, PROJECT_ROOT, Settings, offline_environment
from percentiles import percentile  # bench/, beside this script

WORK = Path("/tmp/council-qa-bench/scale")
CORPUS_REAL = PROJECT_ROOT.parent / "shared" / "corpus-real"
QUESTIONS = 60
ROUNDS = 2


def base_home() -> Settings:
    from index import Indexer

    settings = Settings.from_env(home=WORK / "base")
    if not settings.manifest_path.exists():
        papers = [BUNDLED_CORPUS] + sorted(p for p in CORPUS_REAL.iterdir() if p.suffix in {".pdf", ".docx", ".html"})
        Indexer(settings).ingest(papers)
    return settings


def build(size: int) -> Settings:
    """An index home of ``size`` chunks copied from the base (built once, then reused)."""
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo
    from llama_index.core.vector_stores.utils import metadata_dict_to_node

    from index import Indexer, KeywordIndex, Manifest, RecordStore
    from ingest.record import SectionRecord

    settings = Settings.from_env(home=WORK / f"n{size}")
    if (settings.home / "built").exists():
        return settings
    base = base_home()
    page = Indexer(base).store._collection.get(include=["documents", "metadatas", "embeddings"])
    by_doc: dict[str, list] = {}
    for text, meta, vector in zip(page["documents"], page["metadatas"], page["embeddings"]):
        node = metadata_dict_to_node(meta, text=text)
        node.embedding = list(vector)
        by_doc.setdefault(meta["doc_id"], []).append(node)
    base_manifest, base_records = Manifest.load(base.manifest_path), RecordStore(base.records_path)
    indexer = Indexer(settings)
    manifest = Manifest.load(settings.manifest_path)
    records = RecordStore(settings.records_path)
    rng = np.random.default_rng(7)
    nodes, copy = [], 0
    while len(nodes) < size:
        for doc_id, doc_nodes in sorted(by_doc.items()):
            if len(nodes) >= size:
                break
            new_id = f"{doc_id[:12]}{copy:04x}"
            entry = base_manifest.documents[doc_id]
            shifted = _later(entry.meeting_date, copy)
            title = f"{entry.title} ({copy + 1})"
            for node in sorted(doc_nodes, key=lambda n: n.metadata["chunk_index"]):
                vector = np.asarray(node.embedding) + rng.normal(0, 0.02, len(node.embedding))
                clone = node.model_copy(deep=True)
                clone.id_ = f"{new_id}-{node.metadata['chunk_index']:04d}"
                clone.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=new_id)  # Chroma's doc_id
                clone.embedding = list(vector / np.linalg.norm(vector))
                clone.metadata.update(doc_id=new_id, title=title, meeting_date=shifted,
                                      meeting_day=int(shifted.replace("-", "")) if shifted else 0)
                nodes.append(clone)
            manifest.documents[new_id] = replace(entry, title=title, meeting_date=shifted, state="ready",
                                                 sources=[f"{entry.sources[0]}#copy{copy + 1}"])
            record = base_records.load(doc_id)
            if record is not None:
                sections = tuple(SectionRecord(s.path, s.start, s.end, tuple(f"{new_id}-{c.rsplit('-', 1)[1]}"
                                                                             for c in s.chunk_ids))
                                 for s in record.sections)
                records.save(replace(record, doc_id=new_id, sections=sections,
                                     metadata=replace(record.metadata, title=title, meeting_date=shifted)))
        copy += 1
    for start in range(0, len(nodes), 4000):
        indexer.store.add(nodes[start:start + 4000])
    manifest.embed_model, manifest.generation = settings.embed_model_name, 1
    manifest.save()
    stamps = {doc_id: entry.fingerprint for doc_id, entry in manifest.documents.items()}
    KeywordIndex.build(nodes, 1, stamps).save(settings.keyword_index_path)
    (settings.home / "built").write_text(str(len(nodes)))
    return settings


def _later(iso: str, copies: int) -> str:
    return (date.fromisoformat(iso) + timedelta(days=7 * copies)).isoformat() if iso else ""


def measure(home: Path) -> dict:
    """One size, in this (fresh) process: answer and baseline latency, peak RSS, disk."""
    from llama_index.core import VectorStoreIndex

    from eval.dataset import BUNDLED_SET, load_questions
    from rag import AnswerEngine

    settings = Settings.from_env(home=home)
    engine = AnswerEngine(settings)
    starter = VectorStoreIndex.from_vector_store(engine.index.store.vector_store,
                                                 embed_model=engine.index.embedder.model).as_retriever(
        similarity_top_k=4)
    questions = [q.question for q in load_questions(BUNDLED_SET)][:QUESTIONS]
    for question in questions:  # warm-up
        engine.ask(question)
        starter.retrieve(question)
    answer_ms, retrieve_ms, baseline_ms = [], [], []
    for _ in range(ROUNDS):
        for question in questions:
            started = time.perf_counter()
            answer = engine.ask(question)
            answer_ms.append((time.perf_counter() - started) * 1000)
            retrieve_ms.append(answer.timings_ms["retrieve"])
            started = time.perf_counter()
            starter.retrieve(question)
            baseline_ms.append((time.perf_counter() - started) * 1000)
    disk = sum(p.stat().st_size for p in home.rglob("*") if p.is_file())
    return {
        "chunks": engine.index.store.count(),
        "answer_p50_ms": statistics.median(answer_ms), "answer_p95_ms": percentile(answer_ms, 95),
        "retrieve_p50_ms": statistics.median(retrieve_ms),
        "starter_p50_ms": statistics.median(baseline_ms), "starter_p95_ms": percentile(baseline_ms, 95),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "disk_mb": disk / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # one size, in a child process
    args = parser.parse_args()
    offline_environment()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    rows = []
    for size in args.sizes:
        started = time.perf_counter()
        settings = build(size)
        built = time.perf_counter() - started
        child = subprocess.run([sys.executable, __file__, "--measure", str(settings.home)],
                               capture_output=True, text=True, check=True)
        row = {"size": size, "build_s": built, **json.loads(child.stdout.strip().splitlines()[-1])}
        rows.append(row)
        print(f"{row['chunks']:>7} chunks: answer p50 {row['answer_p50_ms']:.0f} ms, p95 {row['answer_p95_ms']:.0f} ms "
              f"(retrieve p50 {row['retrieve_p50_ms']:.0f} ms); starter p50 {row['starter_p50_ms']:.0f} ms, "
              f"p95 {row['starter_p95_ms']:.0f} ms; answer/starter p50 {row['answer_p50_ms'] / row['starter_p50_ms']:.2f}x; "
              f"peak RSS {row['peak_rss_mb']:.0f} MB; disk {row['disk_mb']:.0f} MB", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
