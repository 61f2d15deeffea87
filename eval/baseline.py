"""The plain LlamaIndex starter pipeline, as a yardstick run beside the product.

``SentenceSplitter`` with its defaults over each file's text, an in-memory vector index
with the same embedding model, dense top-2. With no LLM offline, its "answer" is the
text of the two retrieved chunks (LlamaIndex's ``response_mode="no_text"`` plus the
source nodes) and those two chunks are its citations; it never abstains.
"""

from __future__ import annotations

import time
from pathlib import Path

from llama_index.core import Document, VectorStoreIndex
from llama_index.core.node_parser import SentenceSplitter

from council_qa.config import Settings
from eval.dataset import EvalQuestion
from eval.metrics import QuestionResult
from index import load_embedding_model
from ingest import discover_files, load_document


class StarterPipeline:
    def __init__(self, settings: Settings, corpus: list[Path]) -> None:
        documents = []
        for path in discover_files(corpus):
            loaded = load_document(path)
            documents.append(Document(text=loaded.text, metadata={"source": str(path)}))
        embed = load_embedding_model(settings).model
        nodes = SentenceSplitter().get_nodes_from_documents(documents)
        self.index = VectorStoreIndex(nodes, embed_model=embed)
        self.retriever = self.index.as_retriever(similarity_top_k=2)

    def run(self, questions: list[EvalQuestion]) -> list[QuestionResult]:
        results = []
        for question in questions:
            started = time.perf_counter()
            hits = self.retriever.retrieve(question.question)
            latency = (time.perf_counter() - started) * 1000
            texts = [h.node.get_content() for h in hits]
            citations = [{"text": t, "section": ""} for t in texts]
            results.append(QuestionResult.score(question, "\n\n".join(texts), False, texts, citations, latency))
        return results
