"""Known passages of the bundled Barnet corpus land in the right section, whole."""

from __future__ import annotations

import pytest
from llama_index.core.schema import MetadataMode

from ingest import StructuredChunker, prepare_document
from tests.conftest import MEETING, STRATEGY

PLAN = "Appendix I: JHWS 2021-25 implementation plan"
PLAN_KA1 = f"{PLAN} > Key Area 1: Creating a healthier place and resilient communities"
PLAN_KA2 = f"{PLAN} > Key Area 2: Starting, living and ageing well"
PLAN_KA3 = f"{PLAN} > Key Area 3: Ensuring coordinated and holistic care, when we need it"
KA2 = "Key Area 2: Starting, Living and Ageing Well"
SEND = ("Children and Young People's Special Educational Needs and Disabilities (SEND) "
        "and Alternative Provision")


@pytest.fixture(scope="module")
def chunker(wordpieces) -> StructuredChunker:
    return StructuredChunker(chunk_tokens=160, max_embed_tokens=256, token_counter=wordpieces)


@pytest.fixture(scope="module")
def meeting(chunker):
    return prepare_document(MEETING, chunker)


@pytest.fixture(scope="module")
def strategy(chunker):
    return prepare_document(STRATEGY, chunker)


def chunk_with(prepared, passage: str):
    hits = [n for n in prepared.nodes if passage in " ".join(n.text.split())]
    assert len(hits) == 1, f"{passage!r} in {len(hits)} chunks"
    return hits[0]


@pytest.mark.parametrize(
    ("passage", "section"),
    [
        ("£80,000 to £110,000 per child", SEND),
        ("over 4,000 Education, Health, and Care Plans (EHCPs)", SEND),
        ("areas of approximately 60,000 people", "Neighbourhood Health"),
        ("when they are medically optimized", "Better Care Fund (BCF) 2025-26"),
        ("a deep dive into physical activity and the Fit and Active Barnet framework", "Forward Work Programme"),
        ("Sarah Campbell from Healthwatch Barnet", "Other Business"),
    ],
)
def test_meeting_passages_sit_under_their_agenda_item(meeting, passage: str, section: str) -> None:
    assert chunk_with(meeting, passage).metadata["section"] == section


@pytest.mark.parametrize(
    ("passage", "section"),
    [
        ("planting an additional 4,500 trees between 2018-2023",
         f"{PLAN_KA1} > Create a healthier environment > What have we done so far?"),
        ("Invested £41.5m into 2 brand new leisure facilities",
         f"{PLAN_KA1} > Strengthen community capacity and secure investment to deliver healthier places"
         " > What have we done so far?"),
        ("We will roll out training for Making Every Contact Count (MECC)",
         f"{PLAN_KA1} > Strengthen community capacity and secure investment to deliver healthier places"
         " > What are we going to do next?"),
        ("Established the Fit & Active Barnet (FAB) Framework",
         f"{PLAN_KA2} > Get everyone moving > What have we done so far?"),
        ("We will develop a cardiovascular disease (CVD) prevention programme",
         f"{PLAN_KA2} > Prevent long term conditions > What are we going to do next?"),
        ("Reduction in carers who feel isolated",
         f"{PLAN_KA3} > Enable carers health and wellbeing > What will show our progress?"),
        ("We will improve choices for physical activities locally for all ages and abilities",
         f"{KA2} > Get everyone moving"),
        ("We will improve children’s life chances by supporting their health",
         f"{KA2} > Improve children’s life chances"),
        ("We will support care staff and informal carers to look after their health",
         "Key Area 3: Ensuring delivery of coordinated and holistic care, when we need it"
         " > Enable carers health and wellbeing"),
        ("We will use a robust evidence base to inform our decisions",
         "Our five principles > 3. Evidence-based decisions"),
        ("In Barnet, seven PCNs have been formed", "Barnet’s Primary Care Networks"),
        ("We are delighted to introduce the new Barnet Joint Health and Wellbeing Strategy", "Foreword"),
    ],
)
def test_strategy_passages_sit_under_their_headings(strategy, passage: str, section: str) -> None:
    assert chunk_with(strategy, passage).metadata["section"] == section


def test_detected_metadata(meeting, strategy) -> None:
    assert meeting.metadata.doc_type == "minutes"
    assert meeting.metadata.body == "Health & Wellbeing Board"
    assert meeting.metadata.meeting_date == "2026-01-22"
    assert meeting.metadata.title.startswith("Health & Wellbeing Board - Thursday 22nd January, 2026")
    assert strategy.metadata.doc_type == "strategy"
    assert strategy.metadata.title == (
        "Barnet Joint Health and Wellbeing Strategy 2021-2025: Creating a borough of health together!")
    assert strategy.metadata.meeting_date == ""


def test_site_furniture_is_not_indexed(meeting) -> None:
    every = " ".join(n.text for n in meeting.nodes)
    for furniture in ("Subscribe to updates", "View on council website", "Attendees", "Meeting Documents",
                      "No topics have been identified"):
        assert furniture not in every


@pytest.mark.parametrize("fixture", ["meeting", "strategy"])
def test_chunks_are_exact_slices_within_the_model_limit(request, fixture: str, wordpieces) -> None:
    prepared = request.getfixturevalue(fixture)
    text = prepared.document.text
    ids = [n.node_id for n in prepared.nodes]
    assert len(ids) == len(set(ids))
    assert all(i.startswith(prepared.doc_id + "-") for i in ids)
    for node in prepared.nodes:
        meta = node.metadata
        assert text[meta["char_start"]:meta["char_end"]] == node.text
        embedded = node.get_content(metadata_mode=MetadataMode.EMBED)
        assert meta["section"] in embedded
        assert wordpieces(embedded) <= 256
    # The chunks cover the body text: every word of an agenda item is somewhere.
    covered = " ".join(" ".join(n.text.split()) for n in prepared.nodes)
    assert len(covered) > 0.8 * len(" ".join(text.split()))


def test_chunk_ids_are_stable_across_runs(chunker, meeting) -> None:
    again = prepare_document(MEETING, chunker)
    assert [n.node_id for n in again.nodes] == [n.node_id for n in meeting.nodes]
    assert [n.text for n in again.nodes] == [n.text for n in meeting.nodes]
