from ingest import sentence_spans


def sentences(text: str) -> list[str]:
    return [" ".join(text[start:end].split()) for start, end in sentence_spans(text)]


def test_a_line_ending_mid_clause_runs_on_into_an_amount() -> None:
    # As a Bristol decision report wraps it: the sum is the answer, on the next line.
    text = ("Authorises the Executive Director to re-procure the Vehicle Towing Contract, in line with the\n"
            "maximum budget envelopes outlined in this report being\n"
            "\u00a31million over 5 years.\n"
            "Authorises the Executive Director to invoke any extensions.")
    assert sentences(text) == [
        "Authorises the Executive Director to re-procure the Vehicle Towing Contract, in line with the maximum "
        "budget envelopes outlined in this report being \u00a31million over 5 years.",
        "Authorises the Executive Director to invoke any extensions.",
    ]


BRISTOL_VOTE = (  # Bristol's printed minutes of 15 May 2025, as the PDF wraps them
    "In response to the amendment officers clarified that although there was no difficulties currently at that\n"
    "location, to not include that location would create a gap in the continuous route in the future. Further\n"
    "modelling information had been provided to Members to outline the most comprehensive picture\n"
    "possible and that modelling showed that any delay on Newfoundland Way approach would be reduced\n"
    "due to modal shift.\n\n"
    "On being put to the vote the amendment FELL with 2 voting FOR and 7 AGAINST.\n\n"
    "On being put to the vote the substantive recommendations were CARRIED with 4 members voting FOR, 1\n"
    "AGAINST and 4 ABSTAINING. It was APPROVED that;")


def test_a_line_broken_only_because_the_next_word_did_not_fit_runs_on() -> None:
    assert "On being put to the vote the substantive recommendations were CARRIED with 4 members voting FOR, 1 " \
           "AGAINST and 4 ABSTAINING." in sentences(BRISTOL_VOTE)
    # A shorter line, with room left for the next word, was ended on purpose.
    shorter = BRISTOL_VOTE.replace("voting FOR, 1\nAGAINST", "voting\nAGAINST")
    assert "On being put to the vote the substantive recommendations were CARRIED with 4 members voting" \
        in sentences(shorter)


def test_a_numbered_item_or_a_capitalised_line_still_starts_a_new_item() -> None:
    assert sentences("Apologies for absence\n2. Minutes of the last meeting") == [
        "Apologies for absence", "Minutes of the last meeting"]
    assert sentences("the board noted the report\nThe chair closed the meeting") == [
        "the board noted the report", "The chair closed the meeting"]


def test_a_numbered_item_is_one_sentence_after_a_lead_in_or_a_semicolon() -> None:
    # As a Hermosa Beach staff report prints its recommendations: each item is one sentence
    # (its number stripped like a bullet), not "City Council: 1." and "... (Attachment 5); 2.".
    text = ("Recommendation: Staff recommends City Council:\n"
            "1. Award a contract for on-call plan check services to Transtech Engineers, Inc. at a\n"
            "not-to-exceed amount of $500,000 (Attachment 5);\n"
            "2. Award a contract for on-call plan check services to Bureau Veritas, Inc. at a\n"
            "not-to-exceed amount of $500,000 (Attachment 6).")
    assert sentences(text) == [
        "Recommendation: Staff recommends City Council:",
        "Award a contract for on-call plan check services to Transtech Engineers, Inc. at a not-to-exceed "
        "amount of $500,000 (Attachment 5);",
        "Award a contract for on-call plan check services to Bureau Veritas, Inc. at a not-to-exceed "
        "amount of $500,000 (Attachment 6).",
    ]
    # A number inside a line is no item: the sentence ending "... was 5." still ends there.
    assert sentences("The total was 5. The next meeting is in May.") == [
        "The total was 5.", "The next meeting is in May."]


def test_lettered_points_are_items_too() -> None:
    # "e.g." opening a line is no lettered point: it runs on from the line before.
    text = ("It was APPROVED:\n4a. Approved a rounded 22% increase to the Pay and Display rate.\n"
            "b. Approved the principle of an additional uplift.\n"
            "e.g. the Clifton Village scheme")
    assert sentences(text) == ["It was APPROVED:", "Approved a rounded 22% increase to the Pay and Display rate.",
                               "Approved the principle of an additional uplift. e.g. the Clifton Village scheme"]


def test_points_lettered_in_brackets_are_items_but_a_bracketed_aside_is_not() -> None:
    # As Bristol's constitution lists them, each "(a)" point on a line of its own is an item.
    text = ("information is exempt if it is required to be registered under:\n(a) the Companies Act 1985\n"
            "(b) the Friendly Societies Act 1974; or\n(iv) the Charities Act 1993.")
    assert sentences(text) == ["information is exempt if it is required to be registered under:",
                               "the Companies Act 1985", "the Friendly Societies Act 1974; or", "the Charities Act 1993."]
    assert sentences("as set out in the report\n(Appendix A) and agreed.") == [
        "as set out in the report (Appendix A) and agreed."]
