"""Ten councillors asking at once: every answer right and cited."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.slow

QUESTIONS = [
    ("How much do independent SEND placements cost?", "£80,000"),
    ("How many EHCPs are there in Barnet?", "4,000"),
    ("How many trees did the Barnet Tree Policy commit to planting?", "4,500"),
    ("How big are the neighbourhoods used for neighbourhood health?", "60,000"),
    ("How much was invested in the two new leisure facilities?", "£41.5m"),
    ("How many Social Prescribing Link Workers were recruited?", "15"),
    ("How many electric vehicle charge points were installed?", "100"),
    ("What is the vision of the strategy?", "London Borough of Health"),
    ("What ban on junk food advertising near schools was negotiated?", "200m"),
    ("What share of places were taken up on the National Diabetes Prevention contract?", "85%"),
]


def test_ten_simultaneous_questions(app_url) -> None:
    from gradio_client import Client

    client = Client(app_url, verbose=False)

    def ask(question: str):
        return client.submit(question, [], "All", "All", "", "", api_name="/ask").result(timeout=180)

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(ask, [q for q, _ in QUESTIONS]))
    for (question, fact), (history, sources, copy_text, _question_box) in zip(QUESTIONS, results):
        answer = history[-1]["content"]
        answer = answer if isinstance(answer, str) else " ".join(part.get("text", "") for part in answer)
        answer = re.sub(r"\\(.)", r"\1", answer)  # as the reader sees it: markdown escapes render as the character
        assert fact in answer, (question, answer)
        assert "[1]" in answer
        assert "<h3>Sources</h3>" in sources and "data-n=\"1\"" in sources
        assert copy_text.startswith(answer.split(" [")[0][:30]) and "\n[1] " in copy_text
