"""What an answer is: text with [n] markers, the sources they point at, and timings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date

from llama_index.core.schema import TextNode
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

from ingest import SECTION_SEPARATOR

REFUSAL = "The papers I have do not answer this question."


@dataclass
class Source:
    """A retrieved chunk as shown to an answer backend: [n] refers to it."""

    n: int
    node: TextNode
    score: float
    cosine: float = 0.0

    @property
    def heading_path(self) -> list[str]:
        """The headings the chunk sits under, outermost first."""
        return [p for p in str(self.node.metadata.get("section", "")).split(SECTION_SEPARATOR) if p]

    @property
    def doc_id(self) -> str:
        return str(self.node.metadata.get("doc_id", ""))

    @property
    def topic(self) -> str:
        """The heading that names what the chunk is about: its deepest, or for a column
        heading that is a question ("What have we done so far?") the one above it."""
        path = self.heading_path
        if not path:
            return ""
        return path[-2] if path[-1].endswith("?") and len(path) > 1 else path[-1]


@dataclass
class Sentence:
    """One sentence of a source, with how close it is to the question."""

    source: Source
    position: int
    text: str
    terms: set[str]
    cosine: float = 0.0
    context: set[str] = field(default_factory=set)  # its neighbours' terms in the same chunk
    frame: set[str] = field(default_factory=set)  # a table row's: the words of the lines that introduce its table


@dataclass
class Citation:
    """One cited chunk, with the sentence in it that supports the claim."""

    n: int
    node_id: str
    doc_id: str
    title: str
    doc_type: str
    section: str
    page: int
    page_end: int
    meeting_date: str
    source: str
    quote: str
    text: str
    score: float
    char_start: int = 0
    char_end: int = 0
    url: str = ""  # the published paper, at its page, when it was fetched from a council site

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    standalone_question: str = ""
    backend: str = ""
    evidence: float = 0.0
    features: dict[str, float] = field(default_factory=dict)
    # The ranked candidates the answer was written from (for evaluation; not serialised).
    retrieved: list = field(default_factory=list, repr=False)

    def to_dict(self) -> dict:
        return {
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "related": [c.to_dict() for c in self.related],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "question": self.question,
            "standalone_question": self.standalone_question,
            "backend": self.backend,
            "evidence": round(self.evidence, 4),
        }

    def with_citations_text(self) -> str:
        """The answer followed by its numbered sources, for copying elsewhere."""
        lines = [self.answer, ""]
        for c in self.citations:
            where = f"{c.title}, {c.section}" if c.section else c.title
            page = f", p. {c.page}" if c.page else ""
            lines.append(f"[{c.n}] {where}{page} ({c.url or c.source})")
        return "\n".join(lines).rstrip()


@dataclass(frozen=True)
class Filters:
    """Metadata filters a user can set: document type, board, meeting date range."""

    doc_type: str | None = None  # one type, or several separated by commas
    body: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    @classmethod
    def parse(cls, pairs: list[str] | tuple[str, ...]) -> "Filters":
        """From ``KEY=VALUE`` strings (CLI); unknown keys are an error."""
        values: dict[str, str] = {}
        for pair in pairs:
            key, sep, value = pair.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or key not in {"doc_type", "body", "date_from", "date_to"}:
                raise ValueError(f"bad filter {pair!r}: use doc_type=, body=, date_from= or date_to=")
            values[key] = value.strip()
        return cls(**values)

    def __post_init__(self) -> None:
        for value in (self.date_from, self.date_to):
            if value:
                date.fromisoformat(value)

    @property
    def empty(self) -> bool:
        return not (self.doc_type or self.body or self.date_from or self.date_to)

    @property
    def board(self) -> str:
        """The board asked for, written as ingest writes boards ("Health & Wellbeing Board")."""
        from ingest import normalise_body

        return (normalise_body(self.body) or self.body) if self.body else ""

    def _parts(self) -> list[tuple[str, Callable[[str, str, int], bool]]]:
        """Each active filter in words, with the test a document must pass for it."""
        parts = []
        if self.doc_type:
            kinds = {k.strip() for k in self.doc_type.split(",") if k.strip()}
            parts.append((f"type {' or '.join(sorted(kinds))}", lambda t, b, d: t in kinds))
        if self.body:
            board = self.board
            parts.append((f'board "{board}"', lambda t, b, d: b == board))
        if self.date_from:
            start = _day(self.date_from)
            parts.append((f"meetings from {self.date_from}", lambda t, b, d: d >= start))
        if self.date_to:
            end = _day(self.date_to)
            parts.append((f"meetings until {self.date_to}", lambda t, b, d: d <= end))
        return parts

    def describe(self) -> list[str]:
        """The active filters in words ("type minutes", 'board "Cabinet"'), for display."""
        return [words for words, _ in self._parts()]

    def why_nothing(self, documents: Iterable[tuple[str, str, str]]) -> str | None:
        """When no document (type, board, meeting date) passes every filter: which filter
        shuts out every document on its own, or that only their combination does; None
        when some document passes."""
        parts = self._parts()
        rows = [(t, b, int(d.replace("-", "")) if d else 0) for t, b, d in documents]
        if not parts or any(all(test(*row) for _, test in parts) for row in rows):
            return None
        alone = [words for words, test in parts if not any(test(*row) for row in rows)]
        if alone:
            return "no indexed paper matches " + " or ".join(alone)
        return "no indexed paper matches " + " and ".join(words for words, _ in parts) + " together"

    def to_metadata_filters(self) -> MetadataFilters | None:
        filters: list[MetadataFilter] = []
        if self.doc_type:
            kinds = [k.strip() for k in self.doc_type.split(",") if k.strip()]
            if len(kinds) == 1:
                filters.append(MetadataFilter(key="doc_type", value=kinds[0], operator=FilterOperator.EQ))
            else:
                filters.append(MetadataFilter(key="doc_type", value=kinds, operator=FilterOperator.IN))
        if self.body:
            filters.append(MetadataFilter(key="body", value=self.board, operator=FilterOperator.EQ))
        if self.date_from:
            filters.append(MetadataFilter(key="meeting_day", value=_day(self.date_from), operator=FilterOperator.GTE))
        if self.date_to:
            filters.append(MetadataFilter(key="meeting_day", value=_day(self.date_to), operator=FilterOperator.LTE))
        return MetadataFilters(filters=filters) if filters else None


def _day(iso: str) -> int:
    return int(date.fromisoformat(iso).strftime("%Y%m%d"))
