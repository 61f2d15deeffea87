"""Answer backends: ``extractive`` (default, offline), ``openai``, ``llamacpp``."""

from rag.backends.base import (
    AnswerBackend, AnswerContext, QuestionPart, Source, Turn, backend_names, create_backend, register_backend,
)
from rag.backends.extractive import ExtractiveBackend
from rag.backends.llm import LlamaCppBackend, OpenAIBackend, build_messages, smollm2_gguf

register_backend("extractive", ExtractiveBackend)
register_backend("openai", OpenAIBackend)
register_backend("llamacpp", LlamaCppBackend)

__all__ = [
    "AnswerBackend", "AnswerContext", "ExtractiveBackend", "LlamaCppBackend", "OpenAIBackend", "QuestionPart", "Source", "Turn",
    "backend_names", "build_messages", "create_backend", "register_backend", "smollm2_gguf",
]
