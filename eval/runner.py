"""Runs a question set through the answer engine, the same path the chat takes."""

from __future__ import annotations

from collections.abc import Callable

from eval.dataset import EvalQuestion
from eval.metrics import QuestionResult
from rag import AnswerEngine

RETRIEVAL_DEPTH = 10

Progress = Callable[[int, int], None]


def shown_text(section: str, text: str) -> str:
    """A chunk as a reader sees it: under its heading path."""
    return f"{section}\n{text}" if section else text


def run_questions(engine: AnswerEngine, questions: list[EvalQuestion], backend: str | None = None,
                  progress: Progress | None = None) -> tuple[list[QuestionResult], list[dict[str, float]]]:
    """Score every question; also return the evidence features (for calibration)."""
    results, features = [], []
    for number, question in enumerate(questions, start=1):
        answer = engine.ask(question.question, backend=backend)
        retrieved = [shown_text(hit.node.metadata.get("section", ""), hit.node.get_content())
                     for hit in answer.retrieved[:RETRIEVAL_DEPTH]]
        citations = [c.to_dict() for c in answer.citations]
        results.append(QuestionResult.score(question, answer.answer, answer.abstained, retrieved, citations,
                                            answer.timings_ms.get("total", 0.0)))
        features.append(answer.features)
        if progress:
            progress(number, len(questions))
    return results, features
