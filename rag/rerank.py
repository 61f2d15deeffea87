"""Second-stage rerankers, as LlamaIndex node postprocessors behind one registry.

No cross-encoder weights can be had offline, so the candidates here use what is at
hand: the question's rare words (IDF-weighted coverage of chunk and heading), the
embedding model at sentence level, and neighbouring chunks of the best hits.
Each is measured on the evaluation set; see docs/evaluation.md for which one is kept.
"""

from __future__ import annotations

from collections.abc import Callable

from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.schema import NodeWithScore, QueryBundle
from pydantic import ConfigDict

from index import CouncilIndex
from ingest import sentence_spans
from rag.lexical import QueryTerms, content_terms


class IndexPostprocessor(BaseNodePostprocessor):
    """A postprocessor that reads the index (its keyword statistics, store or model)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    index: CouncilIndex


class LexicalCoverageReranker(IndexPostprocessor):
    """Fused rank blended with how much of the question's rare vocabulary a chunk holds."""

    weight: float = 0.5

    def _postprocess_nodes(self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None):
        if not nodes or query_bundle is None:
            return nodes
        terms = QueryTerms.of(query_bundle.query_str, self.index.keyword)
        top = max(n.score or 0.0 for n in nodes) or 1.0
        rescored = []
        for node in nodes:
            text = node.node.get_content()
            chunk_terms = set(content_terms(text + " " + str(node.node.metadata.get("section", ""))))
            score = (1 - self.weight) * (node.score or 0.0) / top + self.weight * terms.coverage(chunk_terms)

            rescored.append(NodeWithScore(node=node.node, score=score))
        return sorted(rescored, key=lambda n: n.score or 0.0, reverse=True)


class SentenceEmbeddingReranker(IndexPostprocessor):
    """A chunk scores as its best sentence's cosine to the question (costs embeddings)."""

    candidates: int = 8

    def _postprocess_nodes(self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None):
        if not nodes or query_bundle is None:
            return nodes
        import numpy as np

        head, tail = nodes[: self.candidates], nodes[self.candidates:]
        sentences, owners = [], []
        for i, node in enumerate(head):
            text = node.node.get_content()
            for start, end in sentence_spans(text):
                sentences.append(" ".join(text[start:end].split()))
                owners.append(i)
        query = query_bundle.embedding or self.index.embedder.embed_query(query_bundle.query_str)
        vectors = np.array(self.index.embedder.embed_texts(sentences)) if sentences else np.zeros((0, 1))
        best = [0.0] * len(head)
        if len(sentences):
            sims = vectors @ np.array(query)
            for owner, sim in zip(owners, sims):
                best[owner] = max(best[owner], float(sim))
        rescored = [NodeWithScore(node=n.node, score=s) for n, s in zip(head, best)]
        rescored.sort(key=lambda n: n.score or 0.0, reverse=True)
        return rescored + tail


class NeighbourExpansion(IndexPostprocessor):
    """Adds the chunks either side of the best hits, from the same section."""

    top: int = 2

    def _postprocess_nodes(self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None):
        seen = {n.node.node_id for n in nodes}
        wanted: list[tuple[str, float, str]] = []
        for hit in nodes[: self.top]:
            meta = hit.node.metadata
            for offset in (-1, 1):
                neighbour = f"{meta['doc_id']}-{meta['chunk_index'] + offset:04d}"
                if neighbour not in seen:
                    wanted.append((neighbour, (hit.score or 0.0) * 0.9, meta.get("section", "")))
                    seen.add(neighbour)
        found = {n.node_id: n for n in self.index.store.get_nodes([w[0] for w in wanted])}
        extra = [NodeWithScore(node=found[i], score=s) for i, s, section in wanted
                 if i in found and found[i].metadata.get("section") == section]
        return nodes[: self.top] + extra + nodes[self.top:]


RerankerFactory = Callable[[CouncilIndex], BaseNodePostprocessor | None]
_RERANKERS: dict[str, RerankerFactory] = {
    "none": lambda index: None,
    "lexical": lambda index: LexicalCoverageReranker(index=index),
    "sentence": lambda index: SentenceEmbeddingReranker(index=index),
    "neighbours": lambda index: NeighbourExpansion(index=index),
}


def register_reranker(name: str, factory: RerankerFactory) -> None:
    _RERANKERS[name] = factory


def reranker_names() -> list[str]:
    return sorted(_RERANKERS)


def create_reranker(name: str, index: CouncilIndex) -> BaseNodePostprocessor | None:
    try:
        return _RERANKERS[name](index)
    except KeyError:
        raise ValueError(f"unknown reranker {name!r} (use one of {', '.join(reranker_names())})") from None
