"""Retrieval and cited answers over the index.

``AnswerEngine`` is the public entry point: one per process, shared by every caller.
"""

from rag.backends import AnswerBackend, Source, Turn, backend_names, register_backend
from rag.engine import AnswerEngine, Calibration
from rag.evidence import evidence_features
from rag.rerank import register_reranker, reranker_names
from rag.retrieval import MODES, HybridRetriever, Retrieved
from rag.types import REFUSAL, Answer, Citation, Filters

__all__ = [
    "MODES", "REFUSAL", "Answer", "AnswerBackend", "AnswerEngine", "Calibration", "Citation", "Filters",
    "HybridRetriever", "Retrieved", "Source", "Turn", "backend_names", "evidence_features",
    "register_backend", "register_reranker", "reranker_names",
]
