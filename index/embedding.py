"""The sentence-transformers embedding model, loaded once per process from a local folder."""

from __future__ import annotations

import threading
from functools import cached_property, lru_cache

from council_qa.config import Settings, offline_environment
from ingest import TokenCounter

_DTYPES = {"float32": "float32", "fp32": "float32", "bfloat16": "bfloat16", "bf16": "bfloat16",
           "float16": "float16", "fp16": "float16"}


class EmbeddingModel:
    """LlamaIndex's ``HuggingFaceEmbedding`` over a local model folder, safe across threads."""

    def __init__(self, path: str, device: str = "cpu", dtype: str = "float32", batch_size: int = 32) -> None:
        offline_environment()
        import torch
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        if dtype not in _DTYPES:
            raise ValueError(f"unknown embedding dtype {dtype!r} (use one of {', '.join(_DTYPES)})")
        self.path = path
        self.model = HuggingFaceEmbedding(
            model_name=path,
            device=device,
            embed_batch_size=batch_size,
            model_kwargs={"torch_dtype": getattr(torch, _DTYPES[dtype])},
        )
        self.dimension = self.model._model.get_embedding_dimension()
        self.max_tokens = self.model._model.max_seq_length
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for ``text``, special tokens included."""
        return len(self.model._model.tokenizer(text, add_special_tokens=True, truncation=False,
                                                verbose=False)["input_ids"])

    @cached_property
    def whole_words(self) -> frozenset[str]:
        """Words the tokenizer holds whole: common English, never "corrected" as typos."""
        return frozenset(w for w in self.model._model.tokenizer.get_vocab() if w.isalpha())

    def embed_texts(self, texts: list[str]) -> list[list[float]]:
        """One batch at a time under the lock, so a long document never holds up a
        question's embedding for more than one batch."""
        vectors: list[list[float]] = []
        size = self.model.embed_batch_size
        for start in range(0, len(texts), size):
            with self._lock:
                vectors.extend(self.model.get_text_embedding_batch(texts[start:start + size]))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return self.model.get_query_embedding(text)


@lru_cache(maxsize=4)
def _cached_model(path: str, device: str, dtype: str, batch_size: int) -> EmbeddingModel:
    return EmbeddingModel(path, device, dtype, batch_size)


def embedding_device(choice: str) -> str:
    """``auto``: the first CUDA GPU when torch sees one, else the CPU; anything else as given."""
    if choice != "auto":
        return choice
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_embedding_model(settings: Settings) -> EmbeddingModel:
    return _cached_model(settings.embed_model, embedding_device(settings.embed_device), settings.embed_dtype,
                         settings.embed_batch_size)


@lru_cache(maxsize=4)
def _cached_counter(path: str) -> TokenCounter:
    offline_environment()
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    return lambda text: len(tokenizer(text, add_special_tokens=True, truncation=False, verbose=False)["input_ids"])


def wordpiece_counter(settings: Settings) -> TokenCounter:
    """Counts tokens the way the embedding model does, without loading the model itself
    (an ``EmbeddingModel`` already loaded has ``count_tokens``)."""
    return _cached_counter(settings.embed_model)
