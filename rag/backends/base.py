"""The interface every answer backend implements, and the registry that names them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from llama_index.core.schema import TextNode

from council_qa.config import Settings
from rag.lexical import QueryTerms


@dataclass
class Source:
    """A retrieved chunk as shown to a backend: number ``n`` is what [n] refers to."""

    n: int
    node: TextNode
    score: float
    cosine: float = 0.0


@dataclass
class AnswerContext:
    """What a backend may use besides the sources, and where it leaves its quotes."""

    terms: QueryTerms
    query_embedding: list[float] | None = None
    embed_texts: Callable[[list[str]], list[list[float]]] | None = None
    quotes: dict[int, str] = field(default_factory=dict)  # source n -> supporting sentence


@dataclass
class Turn:
    role: str  # "user" or "assistant"
    content: str


class AnswerBackend(Protocol):
    name: str

    def generate(self, question: str, sources: list[Source], context: AnswerContext) -> Iterator[str]:
        """Yield the answer text piece by piece, with [n] markers after claims."""
        ...

    def condense(self, question: str, history: list[Turn]) -> str:
        """A follow-up question rewritten to stand alone."""
        ...


BackendFactory = Callable[[Settings], AnswerBackend]
_BACKENDS: dict[str, BackendFactory] = {}


def register_backend(name: str, factory: BackendFactory) -> None:
    _BACKENDS[name] = factory


def backend_names() -> list[str]:
    return sorted(_BACKENDS)


def create_backend(name: str, settings: Settings) -> AnswerBackend:
    try:
        factory = _BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown answer backend {name!r} (use one of {', '.join(backend_names())})") from None
    return factory(settings)
