"""Item numbers and the lists they form, as agendas and minutes print them."""

from __future__ import annotations

import pytest

from ingest.numbering import ItemNumber, ListNesting, item_numbers, roman_value


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("7 Annual Business Report", [ItemNumber("figure", 7)]),
        ("290. S ection 25 Report", [ItemNumber("figure", 290)]),
        ("Item 7 Budget", [ItemNumber("figure", 7)]),
        ("(a) Decision taken", [ItemNumber("letter-lower", 1)]),
        ("iv) Finance", [ItemNumber("roman-lower", 4)]),
        ("XIII. PUBLIC HEARINGS", [ItemNumber("roman-upper", 13)]),
        ("L. Items for Approval", [ItemNumber("letter-upper", 12), ItemNumber("roman-upper", 50)]),
        ("I. CALL TO ORDER", [ItemNumber("letter-upper", 9), ItemNumber("roman-upper", 1)]),
    ],
)
def test_an_item_number_is_read_in_every_scheme_it_could_belong_to(title, expected) -> None:
    assert item_numbers(title) == expected


@pytest.mark.parametrize("title", ["7.1 Background", "2025 Budget", "A healthier Barnet", "IIII. Not Roman", "Xy. z"])
def test_section_numbers_years_and_words_are_not_item_numbers(title) -> None:
    assert item_numbers(title) == []


def test_roman_numerals_must_be_well_formed() -> None:
    assert roman_value("xiv") == 14
    assert roman_value("MCMXC") == 1990
    assert roman_value("iiii") is None
    assert roman_value("vx") is None


def _depths(titles: list[str]) -> list[int]:
    nesting = ListNesting()
    return [nesting.place(item_numbers(t)) for t in titles]


def test_a_list_of_another_scheme_nests_under_the_item_before_it_until_the_outer_list_resumes() -> None:
    titles = ["K. Minutes", "L. Items for Approval", "1. Recommended by A", "2. Recommended by B",
              "5. Recommended by C", "M. Closed Session", "1. Conference", "2. Conference"]
    assert _depths(titles) == [0, 0, 1, 1, 1, 0, 1, 1]


def test_roman_numerals_that_are_also_letters_continue_the_roman_list() -> None:
    titles = ["I. Call to order", "II. Pledge", "III. Roll call", "IV. Report", "V. Announcements",
              "IX. Public participation", "X. Comments", "a) Report", "b) Report", "XI. Consent"]
    assert _depths(titles) == [0, 0, 0, 0, 0, 0, 0, 1, 1, 0]


def test_a_list_that_begins_again_stays_at_its_depth() -> None:
    assert _depths(["1. Apologies", "2. Minutes", "1. Apologies", "2. Minutes"]) == [0, 0, 0, 0]
