"""Lines and words from positioned characters (ingest/layout.py)."""

from __future__ import annotations

from ingest.layout import Char, build_lines

SIZE = 10.0
ADVANCE = 5.0  # each letter's box spans its advance width, so letters of a word touch


def _chars(words: list[str], letter_gap: float, word_gap: float, space_char: bool) -> list[Char]:
    """One line of text: letters ``letter_gap`` ems apart, words ``word_gap`` ems apart."""
    out, x = [], 0.0
    for i, word in enumerate(words):
        if i:
            if space_char:
                out.append(Char(" ", x, x, 100.0, SIZE, False))
            x += word_gap * SIZE
        for j, letter in enumerate(word):
            if j:
                x += letter_gap * SIZE
            out.append(Char(letter, x, x + ADVANCE, 100.0, SIZE, False))
            x += ADVANCE
    return out


def test_words_a_narrow_font_sets_close_with_no_space_character_are_apart() -> None:
    line, = build_lines(_chars(["Grant", "Management", "&", "Assurance"], 0.0, 0.12, space_char=False))
    assert line.text == "Grant Management & Assurance"


def test_letters_that_touch_stay_one_word() -> None:
    line, = build_lines(_chars(["Diversified", "Income"], 0.0, 0.3, space_char=False))
    assert line.text == "Diversified Income"


def test_letter_spaced_capitals_are_not_read_as_single_letters() -> None:
    line, = build_lines(_chars(["CONTENTS", "PAGE"], 0.15, 0.6, space_char=True))
    assert line.text == "CONTENTS PAGE"


def test_single_figures_far_apart_are_not_one_word() -> None:
    chars = [Char(text, x, x + ADVANCE, 100.0, SIZE, False) for text, x in (("a", 0.0), ("1", 200.0), ("2", 350.0))]
    line, = build_lines(chars)
    assert [cell.text for cell in line.cells] == ["a", "1", "2"]
