"""The kind of answer a question asks for, and whether a sentence holds one."""

from __future__ import annotations

import pytest

from rag.lexical import QueryTerms, answer_type, has_answer_type, named_terms, surface_names, unmentioned_names


@pytest.mark.parametrize(("question", "kind"), [
    ("Who chaired the meeting?", "person"),
    ("Which officer introduced the report?", "person"),
    ("Who are the partners on the board?", ""),  # a description may answer it
    ("Which company runs the leisure centres?", "organisation"),
    ("What is the name of the provider that won the contract?", "organisation"),
    ("What is the name of the GP federation?", "organisation"),
    ("What is the name of the chair?", "person"),
    ("How many weeks does it take to issue a plan?", "duration"),
    ("How many people attended?", "count"),
    ("Which organisations sit on the board?", "organisation"),
    ("How much did the new library cost?", "money"),
    ("How much is the council spending on the new service?", "money"),
    ("How much did the trust contribute to the works?", "money"),
    ("Who is the borough's Director of Public Health?", "person"),
    ("Who is responsible for the plan?", ""),
    ("What is the annual budget for school meals?", "money"),
    ("Which pot of money pays for discharge services?", ""),
    ("What percentage of adults smoke?", "percentage"),
    ("How long is the wait for a hip operation?", "duration"),
    ("What are the waiting times for CAMHS?", "duration"),
    ("What rating did the CQC give the hospice?", "rating"),
    ("What time does the meeting start?", "time"),
    ("How many libraries are there?", "count"),
    ("What is the population of the ward?", "count"),
    ("How much is the rent going up?", "quantity"),
    ("When will the new clinic open?", "date"),
    ("What is planned, and when will it be reviewed?", "date"),
    ("Which years are in the child measurement data?", ""),
    ("What period poverty work has been done with schools?", ""),
    ("Which period products should schools make available?", ""),
    ("How did they consult residents when writing the plan?", ""),
    ("How did the committee vote on the bus gate amendment?", "vote"),
    ("By what vote was the recommendation carried?", "vote"),
    ("How many members voted against recommendation 3?", "vote"),
    ("What are the priorities of the strategy?", ""),
])
def test_answer_type(question: str, kind: str) -> None:
    assert answer_type(question) == kind


@pytest.mark.parametrize(("text", "kind", "holds"), [
    ("Placements can range from £80,000 to £110,000 per child.", "money", True),
    ("Recruited 15 Social Prescribing Link Workers.", "money", False),
    ("Recruited 15 Social Prescribing Link Workers.", "count", True),
    ("Bids totalling approximately £12.1M were submitted.", "count", False),
    ("Key findings of PCN 2 were shared.", "count", False),
    ("The board met on Thursday 22 January 2026.", "quantity", False),
    ("Shadow form by 1st April 2021.", "quantity", False),
    ("85% of places were taken up.", "percentage", True),
    ("Supported homeless people through the COVID-19 pandemic.", "count", False),
    ("Supported 19 people through the pandemic.", "count", True),
    ("The plan for 2025-26 has been approved.", "count", False),
    ("The 2025/26 plan was agreed.", "count", False),
    ("The board noted the plan in Appendix One.", "count", False),
    ("Between 4-5 people attend each session.", "count", True),
    ("Demand for Section 19 provision has increased.", "count", False),
    ("Children in Year 6 were measured.", "count", False),
    ("The model has three tiers.", "count", True),
    ("The centres are run by Fusion Lifestyle.", "organisation", True),
    ("We delivered our leisure management contract.", "organisation", False),
    ("Children wait up to 18 months for an assessment.", "duration", True),
    ("The service was rated good by the CQC.", "rating", True),
    ("The service has a good reputation.", "rating", False),
    ("Thursday 22nd January, 2026 9.30 am", "time", True),
    ("Sarah Campbell from Healthwatch Barnet mentioned an event.", "person", True),
    ("Partners form the statutory Health and Wellbeing Board (HWBB).", "person", False),
    ("On being put to the vote the recommendation was CARRIED (5 voting FOR, 4 AGAINST).", "vote", True),
    ("Motion passed. Ayes: Ramirez, Ayala. Noes: none.", "vote", True),
    ("RESOLUTION (2019-45) To Delegate Authority to the Health Commissioner.", "vote", False),
])
def test_has_answer_type(text: str, kind: str, holds: bool) -> None:
    assert has_answer_type(text, kind) is holds


def test_exact_dates_need_a_day() -> None:
    assert has_answer_type("The event is in March.", "date")
    assert not has_answer_type("The event is in March.", "date", exact_date=True)
    assert has_answer_type("The event is on 12 March.", "date", exact_date=True)


def test_names_are_capitalised_words_after_the_first_and_acronyms() -> None:
    assert named_terms("What did Enfield's board decide in January?") == ["enfield"]  # not the month
    assert named_terms("how many kids have an EHC plan?") == ["ehc"]


class _Keyword:
    """The two things QueryTerms reads from a keyword index."""

    def __init__(self, frequencies: dict[str, int], size: int) -> None:
        self.document_frequencies, self.size = frequencies, size

    def idf(self, term: str) -> float:
        return 1.0


def test_a_typed_answer_must_sit_next_to_a_specific_word_of_the_question() -> None:
    keyword = _Keyword({"council": 40, "tax": 2, "rate": 3, "child": 3, "place": 5, "cost": 4}, size=100)
    tax = QueryTerms.of("What is the council tax rate?", keyword)
    assert tax.answer_type == "quantity"
    assert "council" not in tax.anchors  # in 40% of chunks: it ties nothing
    assert not tax.fits("The council is managing costs, which range from £80,000 to £110,000 per child.")
    assert tax.fits("The council tax rate rises by 4.99% in April.")
    placement = QueryTerms.of("How much does a placement cost per child?", keyword)
    assert placement.fits("The council is managing costs, which range from £80,000 to £110,000 per child.")


def test_a_heading_naming_a_question_word_ties_its_values_to_the_question() -> None:
    keyword = _Keyword({"gp": 3, "network": 4, "barnet": 99, "pcn": 2, "form": 10}, size=100)
    terms = QueryTerms.of("How many GP networks does Barnet have?", keyword)
    sentence = "In Barnet, seven PCNs have been formed."
    assert not terms.fits(sentence)
    assert terms.fits(sentence, topic="Barnet's Primary Care Networks")
    assert not terms.fits(sentence, topic="Barnet's hospitals")
    assert terms.answer_shape_bonus(sentence, "Barnet's Primary Care Networks") == 1.0


def test_a_number_joined_to_a_word_counts_only_that_word() -> None:
    keyword = _Keyword({"tier": 2, "children": 20, "provis": 5, "model": 5}, size=100)
    sentence = "Barnet has a three-tiered alternative provision model."
    assert QueryTerms.of("How many tiers does the provision model have?", keyword).fits(sentence)
    assert not QueryTerms.of("How many children use the provision model?", keyword).fits(sentence)


def test_a_name_made_only_of_the_questions_words_is_no_answer() -> None:
    keyword = _Keyword({"gp": 3, "feder": 2, "partnership": 5, "trust": 4}, size=100)
    terms = QueryTerms.of("What is the name of the GP federation in the partnerships?", keyword)
    assert terms.answer_type == "organisation"
    assert not terms.fits("Partnerships involve organisations like the community trust and the GP federation.")
    assert terms.fits("The partnerships involve the GP federation, Barnet Together Health.")


def test_numbers_and_per_in_a_question_tie_no_answer_to_it() -> None:
    keyword = _Keyword({"suicid": 5, "rate": 3, "peopl": 20, "100": 1, "000": 3, "per": 1, "ehcp": 2}, size=100)
    terms = QueryTerms.of("What is the suicide rate per 100,000 people?", keyword)
    assert terms.anchors == frozenset({"suicid", "rate"})
    assert not terms.fits("Over 4,000 EHCPs were issued, at £80,000 per child.")
    assert terms.fits("The suicide rate was 9.5 per 100,000 people.")


def test_rare_names_the_papers_hold_are_kept() -> None:
    keyword = _Keyword({"enfield": 1, "board": 30, "barnet": 99}, size=100)
    terms = QueryTerms.of("What did Enfield's Board decide for Barnet?", keyword)
    assert terms.names == frozenset({"enfield"})


def test_names_no_chunk_holds_a_word_of_are_found_whole() -> None:
    known = {"barnet": 99, "librari": 5, "council": 80, "camden": 1}
    assert unmentioned_names("What are the opening hours of Hendon Library?", known) == ("Hendon Library",)
    assert unmentioned_names("What does Camden Council spend on SEND in Barnet?", known) == ()
    # Acronyms are often spelt out in the papers; a question's first word is not a name.
    assert unmentioned_names("Where can teenagers get help with STIs or ADHD?", known) == ()
    assert unmentioned_names("Kent and Barnet: who pays?", known) == ()
    assert unmentioned_names("Is Croydon's plan like Barnet's?", known) == ("Croydon",)
    assert unmentioned_names("Is Croydon's plan like Barnet's?", {}) == ()  # an empty index knows nothing


def test_surface_names_spell_stems_as_the_question_does() -> None:
    assert surface_names("How many EHCPs are there in Enfield?", {"enfield"}) == ("Enfield",)


def test_a_day_asked_for_in_a_month_must_fall_in_that_month() -> None:
    keyword = _Keyword({"board": 30, "meet": 10}, size=100)
    march = QueryTerms.of("On what date in March 2026 will the board next meet?", keyword)
    assert not march.fits("The board met on Thursday 22 January 2026.")
    assert march.fits("The board will meet on 12 March 2026.")
    assert march.fits("The board will meet on 12/03/2026.")  # a numeric date names no month
    undated = QueryTerms.of("On what date will the board next meet?", keyword)
    assert undated.fits("The board met on Thursday 22 January 2026.")
    verb = QueryTerms.of("On what date may the board next meet?", keyword)
    assert verb.months == frozenset() and verb.fits("The board will meet on 3 June 2026.")
