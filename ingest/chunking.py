"""Splits each section into LlamaIndex ``TextNode`` chunks that fit the embedding model.

A chunk never crosses a section boundary, ends on a sentence (or line) where it can,
stays within a token budget, and, with its title and heading path prepended as the
embedding model sees it, within the model's own limit. Both are counted with the
embedding model's own tokenizer, so a budget means what the model sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from llama_index.core.schema import MetadataMode, NodeRelationship, RelatedNodeInfo, TextNode

from ingest.document import ExtractedDocument
from ingest.metadata import DocumentMetadata, page_url
from ingest.sentences import LEAD_IN, PARAGRAPH_BREAK, SENTENCE_END, split_spans
from ingest.structure import Outline

TokenCounter = Callable[[str], int]

EMBEDDED_KEYS = ("title", "section")
_WORD = re.compile(r"\S+")
_LINE = re.compile(r"\n")


@lru_cache(maxsize=1)
def tiktoken_counter() -> TokenCounter:
    from council_qa.config import offline_environment

    offline_environment()
    import tiktoken

    encoding = tiktoken.get_encoding("cl100k_base")
    return lambda text: len(encoding.encode(text, disallowed_special=()))


class StructuredChunker:
    """Turns an outlined document into chunk nodes with flat, citable metadata."""

    def __init__(
        self,
        chunk_tokens: int = 160,
        max_embed_tokens: int = 256,
        token_counter: TokenCounter | None = None,
    ) -> None:
        """``token_counter`` counts what the embedding model sees (its special tokens
        included); without one (a chunker used on its own), tiktoken stands in, with a
        margin for the model's limit."""
        if chunk_tokens < 16:
            raise ValueError("chunk_tokens must be at least 16")
        self.chunk_tokens = chunk_tokens
        self.max_embed_tokens = max_embed_tokens
        if token_counter is None:
            count = tiktoken_counter()
            self.count_tokens: TokenCounter = count
            self.count_embed_tokens: TokenCounter = lambda t: int(count(t) * 1.3) + 2
        else:
            overhead = token_counter("")  # [CLS] and [SEP]: once per embedded text, not per sentence
            self.count_tokens = lambda t: token_counter(t) - overhead
            self.count_embed_tokens = token_counter

    def chunk(
        self,
        document: ExtractedDocument,
        outline: Outline,
        metadata: DocumentMetadata,
        source: str,
    ) -> list[TextNode]:
        nodes: list[TextNode] = []
        for section in outline.sections:
            for start, end in self._spans(document.text, section.start, section.end):
                node = self._node(document, metadata, source, section.heading, start, end, len(nodes))
                nodes.extend(self._fit(document, metadata, source, section.heading, node, len(nodes)))
        return self._renumber(nodes, document.doc_id)

    # -- splitting -------------------------------------------------------

    def _spans(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        units = self._units(text, start, end)
        spans: list[tuple[int, int]] = []
        chunk: list[tuple[int, int]] = []  # the units of the chunk being filled
        used = 0
        for unit in units:
            tokens = self.count_tokens(text[unit[0]:unit[1]])
            if chunk and used + tokens > self.chunk_tokens:
                carried = chunk[-1:] if self._carries_on(text, chunk, unit) else []
                closed = chunk[:len(chunk) - len(carried)]
                spans.append((closed[0][0], closed[-1][1]))
                chunk, used = carried, sum(self.count_tokens(text[s:e]) for s, e in carried)
            chunk.append(unit)
            used += tokens
        if chunk:
            spans.append((chunk[0][0], chunk[-1][1]))
        # A short tail reads better joined to the chunk before it, when it fits.
        if len(spans) >= 2:
            tail = self.count_tokens(text[spans[-1][0]:spans[-1][1]])
            joined = self.count_tokens(text[spans[-2][0]:spans[-1][1]])
            if tail < self.chunk_tokens // 4 and joined <= self.chunk_tokens * 1.25:
                spans[-2:] = [(spans[-2][0], spans[-1][1])]
        return spans

    def _carries_on(self, text: str, chunk: list[tuple[int, int]], unit: tuple[int, int]) -> bool:
        """Whether the chunk's last unit introduces a list ("This was done through:") and
        so starts the next chunk, with its items: when both chunks stay within the budget
        and the one it leaves keeps some body."""
        lead_in = chunk[-1]
        return (len(chunk) > 1 and bool(LEAD_IN.search(text[lead_in[0]:lead_in[1]].rstrip()))
                and self.count_tokens(text[lead_in[0]:unit[1]]) <= self.chunk_tokens
                and self.count_tokens(text[chunk[0][0]:chunk[-2][1]]) >= self.chunk_tokens // 4)

    def _units(self, text: str, start: int, end: int, whole_paragraphs: bool = True) -> list[tuple[int, int]]:
        """Paragraphs that fit the budget whole (a motion, its vote and its outcome stay
        together); else sentences; a sentence over budget falls back to lines, then to
        word runs."""
        units: list[tuple[int, int]] = []
        for p_start, p_end in split_spans(text, start, end, PARAGRAPH_BREAK):
            if whole_paragraphs and self.count_tokens(text[p_start:p_end]) <= self.chunk_tokens:
                units.append((p_start, p_end))
                continue
            for s_start, s_end in split_spans(text, p_start, p_end, SENTENCE_END):
                if self.count_tokens(text[s_start:s_end]) <= self.chunk_tokens:
                    units.append((s_start, s_end))
                    continue
                for l_start, l_end in split_spans(text, s_start, s_end, _LINE):
                    if self.count_tokens(text[l_start:l_end]) <= self.chunk_tokens:
                        units.append((l_start, l_end))
                    else:
                        units.extend(self._word_runs(text, l_start, l_end))
        return units

    def _words(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        """Words; one longer than four chunks' worth of characters (no real word is: a
        run of symbols, a base64 blob) in pieces of a chunk's worth, so no chunk is huge."""
        longest, piece = 4 * self.chunk_tokens, self.chunk_tokens
        for m in _WORD.finditer(text, start, end):
            if m.end() - m.start() <= longest:
                yield m.start(), m.end()
            else:
                yield from ((i, min(i + piece, m.end())) for i in range(m.start(), m.end(), piece))

    def _word_runs(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        runs: list[tuple[int, int]] = []
        run_start, run_tokens, last_end = None, 0, start
        for w_start, w_end in self._words(text, start, end):
            tokens = self.count_tokens(text[w_start:w_end]) + 1
            if run_start is not None and run_tokens + tokens > self.chunk_tokens:
                runs.append((run_start, last_end))
                run_start, run_tokens = None, 0
            if run_start is None:
                run_start = w_start
            run_tokens += tokens
            last_end = w_end
        if run_start is not None:
            runs.append((run_start, last_end))
        return runs

    # -- nodes -------------------------------------------------------------

    def _node(
        self,
        document: ExtractedDocument,
        metadata: DocumentMetadata,
        source: str,
        section: str,
        start: int,
        end: int,
        index: int,
    ) -> TextNode:
        page_start, page_end = document.pages_for(start, end)
        meta = {
            "title": metadata.title,
            "section": section,
            "doc_id": document.doc_id,
            "doc_type": metadata.doc_type,
            "body": metadata.body,
            "meeting_date": metadata.meeting_date,
            "meeting_day": metadata.meeting_day,
            "issued": metadata.issued,
            "page_start": page_start,
            "page_end": page_end,
            "char_start": start,
            "char_end": end,
            "source": source,
            "url": page_url(metadata.source_url, page_start),
            "chunk_index": index,
        }
        node = TextNode(
            id_=f"{document.doc_id}-{index:04d}",
            text=document.text[start:end],
            metadata=meta,
            excluded_embed_metadata_keys=[k for k in meta if k not in EMBEDDED_KEYS],
            excluded_llm_metadata_keys=[k for k in meta if k not in EMBEDDED_KEYS],
            metadata_template="{value}",
            metadata_seperator="\n",
            start_char_idx=start,
            end_char_idx=end,
        )
        node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=document.doc_id)
        return node

    def embed_tokens(self, node: TextNode) -> int:
        return self.count_embed_tokens(node.get_content(metadata_mode=MetadataMode.EMBED))

    def _fit(
        self,
        document: ExtractedDocument,
        metadata: DocumentMetadata,
        source: str,
        section: str,
        node: TextNode,
        index: int,
    ) -> list[TextNode]:
        """Split a chunk in two until the embedding model would see all of it."""
        if self.embed_tokens(node) <= self.max_embed_tokens:
            return [node]
        start, end = node.metadata["char_start"], node.metadata["char_end"]
        units = self._units(document.text, start, end, whole_paragraphs=False)
        if len(units) < 2:
            units = self._word_runs(document.text, start, end)
        if len(units) < 2:
            units = list(self._words(document.text, start, end))
            if len(units) < 2:
                return [node]  # one word over the model's budget: the model truncates it
        middle = len(units) // 2
        halves = [(units[0][0], units[middle - 1][1]), (units[middle][0], units[-1][1])]
        out: list[TextNode] = []
        for h_start, h_end in halves:
            half = self._node(document, metadata, source, section, h_start, h_end, index + len(out))
            out.extend(self._fit(document, metadata, source, section, half, index + len(out)))
        return out

    @staticmethod
    def _renumber(nodes: list[TextNode], doc_id: str) -> list[TextNode]:
        for index, node in enumerate(nodes):
            node.id_ = f"{doc_id}-{index:04d}"
            node.metadata["chunk_index"] = index
        return nodes
