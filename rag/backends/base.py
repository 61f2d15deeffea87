"""The interface every answer backend implements, and the registry that names them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from council_qa.config import Settings
from rag.lexical import QueryTerms
from rag.retrieval import OutlineItem
from rag.types import Sentence, Source


@dataclass
class QuestionPart:
    """One of the questions a compound question asks, with the sources' sentences
    scored against it."""

    text: str
    terms: QueryTerms
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class AnswerContext:
    """What a backend may use besides the sources, and where it leaves its quotes."""

    terms: QueryTerms
    sentences: list[Sentence] = field(default_factory=list)  # of the sources, with cosines
    quotes: dict[int, str] = field(default_factory=dict)  # source n -> supporting sentence
    parts: list[QuestionPart] = field(default_factory=list)  # set when the question asks several things
    # Set when the question names an item by its number: source 1 is the item's first chunk.
    item: OutlineItem | None = None


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
