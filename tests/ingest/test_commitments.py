from __future__ import annotations

from pathlib import Path

import pytest

from ingest import ExtractedDocument, load_document, outline
from ingest.commitments import extract_commitments
from tests.conftest import STRATEGY

EXPECTED = {
    "Key Area 1": [
        ("Integrate healthier places in all policies", "We will ensure that all of our policies and strategies"),
        ("Create a healthier environment", "We will create healthier choices locally"),
        ("Strengthen community capacity and secure investment to deliver healthier places",
         "We will facilitate networking and capacity building"),
    ],
    "Key Area 2": [
        ("Improve children’s life chances", "We will improve children’s life chances by supporting"),
        ("Promote mental health and wellbeing", "We will promote good mental and emotional health"),
        ("Get everyone moving", "We will improve choices for physical activities locally"),
        ("Support a healthier workforce", "We will invest time and resources to ensure our workforce"),
        ("Prevent long term conditions", "We will work with communities to understand what support"),
    ],
    "Key Area 3": [
        ("Support digital transformation of services", "We will work together to provide digital care"),
        ("Enable carers health and wellbeing", "We will support care staff and informal carers"),
        ("Deliver population health integrated care", "We will work together to ensure the Barnet Integrated Care"),
    ],
}


@pytest.fixture(scope="module")
def barnet():
    document = load_document(STRATEGY)
    return document, extract_commitments(document, outline(document))


def test_all_eleven_commitments_with_key_area_and_statement(barnet) -> None:
    document, commitments = barnet
    assert len(commitments) == 11
    found = [(c.key_area.split(":")[0], c.title, c.statement) for c in commitments]
    expected = [(area, title, start) for area, items in EXPECTED.items() for title, start in items]
    for (area, title, statement), (want_area, want_title, want_start) in zip(found, expected):
        assert (area, title) == (want_area, want_title)
        assert statement.startswith(want_start)
    for c in commitments:
        assert " ".join(document.text[c.char_start:c.char_end].split()) == c.statement


def test_implementation_plan_parts_with_provenance(barnet) -> None:
    document, commitments = barnet
    moving = next(c for c in commitments if c.title == "Get everyone moving")
    assert any("Fit & Active Barnet (FAB) Framework" in i.text for i in moving.done)
    assert any("physical activity strategy" in i.text for i in moving.next)
    assert any("NCMP data" in i.text for i in moving.measures)
    environment = next(c for c in commitments if c.title == "Create a healthier environment")
    assert any("4,500 trees" in i.text for i in environment.done)
    for c in commitments:
        assert c.done and c.next and c.measures, c.title
        for item in c.done + c.next + c.measures:
            assert " ".join(document.text[item.char_start:item.char_end].split()) == item.text


OTHER_STRATEGY = """Northbridge Carers Strategy 2024-2028

Introduction

This strategy sets out how the council and the NHS will support unpaid carers.

Priority 1: Recognising carers

Identifying carers early
We will work with GP practices to identify carers at their first contact.

Carers assessments
We will offer every carer an assessment within 28 days of asking.

Priority 2: Breaks and wellbeing

Short breaks
We will double the number of short breaks available to carers by 2026.

Appendix A: Glossary

Carer: someone who looks after a family member or friend. We will update this glossary every year.
"""

UNSTRUCTURED = """Our promises to residents

The council has listened to residents in every ward. We will publish waiting times for every clinic each month.
Transport matters too, and we will keep the hospital bus free for patients. We will report on progress yearly.
"""


def test_a_differently_laid_out_strategy(tmp_path: Path) -> None:
    path = tmp_path / "northbridge.txt"
    path.write_text(OTHER_STRATEGY, encoding="utf-8")
    document = load_document(path)
    commitments = extract_commitments(document, outline(document))
    assert [(c.key_area, c.title) for c in commitments] == [
        ("Priority 1: Recognising carers", "Identifying carers early"),
        ("Priority 1: Recognising carers", "Carers assessments"),
        ("Priority 2: Breaks and wellbeing", "Short breaks"),
    ]
    assert commitments[1].statement == "We will offer every carer an assessment within 28 days of asking."
    assert all(not c.done and not c.next and not c.measures for c in commitments)


def test_we_will_statements_without_any_grouping() -> None:
    document = ExtractedDocument(source=Path("promises.txt"), text=UNSTRUCTURED, format="text")
    commitments = extract_commitments(document, outline(document))
    assert [c.statement for c in commitments] == [
        "We will publish waiting times for every clinic each month.",
        "We will report on progress yearly.",
    ]
    assert {c.title for c in commitments} == {"Our promises to residents"}
