"""Dense search cost and recall at archive scale, for Chroma's ef_search settings.

Builds a Chroma collection of N random unit vectors of the embedding model's size (cosine
space, as the store makes it) for each ef_search, then runs the same queries on each in one
process, against an exact numpy search as the baseline for recall@k. Random vectors are a
hard case for HNSW: real embeddings cluster, so their recall is higher. The machines are
noisy: read the ratios. Run: python bench/dense_search.py [--chunks 100000] [--ef 100,1000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np

BATCH = 5_000  # vectors per add


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=20, help="dense_top_k")
    parser.add_argument("--ef", default="100,1000", help="ef_search values to compare")
    args = parser.parse_args()

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((args.chunks, args.dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    # Queries near stored vectors, as questions are near the chunks that answer them.
    picks = rng.choice(args.chunks, args.queries, replace=False)
    noise = rng.standard_normal((args.queries, args.dim)).astype(np.float32)
    queries = vectors[picks] + 0.5 * noise / args.dim**0.5
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, : args.k]

    rows = []
    with tempfile.TemporaryDirectory() as home:
        client = chromadb.PersistentClient(path=home, settings=ChromaSettings(anonymized_telemetry=False))
        for ef in (int(x) for x in args.ef.split(",")):
            # ef_search is read when the index is loaded, so each setting gets its own collection.
            collection = client.create_collection(f"bench-{ef}", embedding_function=None,
                                                  configuration={"hnsw": {"space": "cosine", "ef_search": ef}})
            started = time.perf_counter()
            for start in range(0, args.chunks, BATCH):
                batch = vectors[start : start + BATCH]
                collection.add(ids=[str(i) for i in range(start, start + len(batch))], embeddings=batch)
            print(f"ef_search {ef}: {args.chunks:,} vectors added in {time.perf_counter() - started:.1f} s")
            collection.query(query_embeddings=queries[:5], n_results=args.k)  # warm-up
            times, recalls = [], []
            for query, truth in zip(queries, exact):
                started = time.perf_counter()
                found = collection.query(query_embeddings=[query], n_results=args.k)["ids"][0]
                times.append((time.perf_counter() - started) * 1000)
                recalls.append(len({int(i) for i in found} & set(truth.tolist())) / args.k)
            rows.append((ef, statistics.median(times), statistics.fmean(recalls)))
    base = rows[0][1]
    print(f"| ef_search | median query ms | x first | recall@{args.k} vs exact |")
    print("|---:|---:|---:|---:|")
    for ef, median, recall in rows:
        print(f"| {ef} | {median:.2f} | {median / base:.2f} | {recall:.3f} |")


if __name__ == "__main__":
    main()
