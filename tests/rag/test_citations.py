from __future__ import annotations

from llama_index.core.schema import TextNode

from rag.citations import best_quote, claims_by_marker, quote_occurs, renumber
from rag.engine import ground
from rag.types import Source


def test_markers_are_renumbered_by_first_use_and_bad_ones_dropped() -> None:
    text = "Costs rose [3]. Demand grew [1, 3]. Funding fell [7]. Waiting lists [0] are long [2][2]."
    renumbered, order = renumber(text, n_sources=4)
    assert order == [3, 1, 2]
    assert renumbered == "Costs rose [1]. Demand grew [2] [1]. Funding fell. Waiting lists are long [3]."


def test_no_valid_marker_means_no_sources() -> None:
    renumbered, order = renumber("A claim [9]. Another [12].", n_sources=3)
    assert order == [] and "[" not in renumbered


def test_claims_are_grouped_by_marker() -> None:
    claims = claims_by_marker("Placements cost £80,000 [1]. EHCPs exceed 4,000 [2]. Both rose [1].")
    assert claims == {1: ["Placements cost £80,000.", "Both rose."], 2: ["EHCPs exceed 4,000."]}


def test_quote_is_a_sentence_of_the_chunk_that_matches_the_claim() -> None:
    chunk = ("The board heard about SEND demand.\nIndependent placements can cost £80,000 to\n"
             "£110,000 per child. Workforce shortages continue.")
    quote = best_quote(chunk, ["Independent placements cost £80,000 to £110,000 per child."])
    assert quote == "Independent placements can cost £80,000 to £110,000 per child."
    assert quote_occurs(quote, chunk)
    assert not quote_occurs("Placements are free.", chunk)
    assert not quote_occurs("", chunk)


def _source(n: int, text: str) -> Source:
    return Source(n=n, node=TextNode(text=text, id_=f"c{n}"), score=1.0)


def test_unmarked_sentences_are_attributed_or_dropped() -> None:
    sources = [_source(1, "The Better Care Fund plan for 2025-26 was approved by NHS England."),
               _source(2, "Neighbourhoods cover about 60,000 people.")]
    text = ("The Better Care Fund plan was approved by NHS England. "
            "Neighbourhoods cover 60,000 people [2]. The moon is made of cheese.")
    assert ground(text, sources) == ("The Better Care Fund plan was approved by NHS England. [1] "
                                     "Neighbourhoods cover 60,000 people [2].")


def test_a_one_word_heading_of_its_source_is_kept_but_other_fragments_are_not() -> None:
    sources = [Source(n=1, node=TextNode(text="We will build 500 homes.", id_="h",
                                         metadata={"section": "Priority 1: Places > Housing"}), score=1.0),
               Source(n=2, node=TextNode(text="We will run more buses.", id_="t",
                                         metadata={"section": "Priority 1: Places > Transport"}), score=1.0)]
    assert ground("- Housing. [1]\n- Transport. [2]", sources) == "- Housing. [1]\n- Transport. [2]"
    assert ground("- Housing. [2]\n- Transport. [2]", sources) == "- Transport. [2]"
