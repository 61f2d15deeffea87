"""Evaluation question sets: one JSON object per line, validated with line numbers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

BUNDLED_SET = Path(__file__).with_name("data") / "barnet_qa.jsonl"
HELDOUT_SET = Path(__file__).with_name("data") / "barnet_heldout.jsonl"
UNSEEN_SET = Path(__file__).with_name("data") / "barnet_unseen.jsonl"  # written after tuning; its failures since read
BLIND_SET = Path(__file__).with_name("data") / "barnet_blind.jsonl"  # written 2026-11-26; its failures since read
FRESH_SET = Path(__file__).with_name("data") / "barnet_fresh.jsonl"  # written 2026-11-26; its failures since read
FINAL_SET = Path(__file__).with_name("data") / "barnet_final.jsonl"  # written 2026-11-26; measured, never read for fixes
# Written 2026-12-05 from ../shared/corpus-real alone; split before any tuning: its
# "untouched" part is measured and never read.
REAL_SET = Path(__file__).with_name("data") / "real_qa.jsonl"
SPLITS = ("dev", "untouched")
REQUIRED = {"id": str, "question": str, "answerable": bool}
DOCS = {"strategy", "meeting", "both", None}


class EvalSetError(ValueError):
    """A malformed question set; the message names the file and line."""


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answerable: bool
    doc: str | None
    must: tuple[tuple[str, ...], ...]
    quote: str | None
    category: str
    where: str = ""  # "file:line", for messages about this question
    split: str = ""  # "dev" (may be read while tuning), "untouched" (only measured), "" (unsplit set)

    @classmethod
    def parse(cls, raw: object, where: str) -> "EvalQuestion":
        if not isinstance(raw, dict):
            raise EvalSetError(f"{where}: expected a JSON object")
        for key, kind in REQUIRED.items():
            if not isinstance(raw.get(key), kind):
                raise EvalSetError(f"{where}: '{key}' must be a {kind.__name__}")
        if not raw["question"].strip():
            raise EvalSetError(f"{where}: 'question' is empty")
        doc = raw.get("doc")
        if doc not in DOCS:
            raise EvalSetError(f"{where}: 'doc' must be strategy, meeting, both or null")
        must = raw.get("must", [])
        if not isinstance(must, list) or not all(
            isinstance(g, list) and g and all(isinstance(a, str) and a.strip() for a in g) for g in must
        ):
            raise EvalSetError(f"{where}: 'must' must be a list of non-empty lists of strings")
        quote = raw.get("quote")
        if quote is not None and not isinstance(quote, str):
            raise EvalSetError(f"{where}: 'quote' must be a string or null")
        if raw["answerable"] and not must:
            raise EvalSetError(f"{where}: an answerable question needs at least one 'must' group")
        category = raw.get("category") or ("unanswerable" if not raw["answerable"] else raw["id"].split("-")[0])
        split = raw.get("split", "")
        if split and split not in SPLITS:
            raise EvalSetError(f"{where}: 'split' must be one of {', '.join(SPLITS)}")
        return cls(raw["id"], raw["question"].strip(), raw["answerable"], doc,
                   tuple(tuple(g) for g in must), quote, str(category), where, split)


def load_questions(path: Path | str = BUNDLED_SET, split: str | None = None) -> list[EvalQuestion]:
    """Every question of a set, or only those of one ``split`` (``dev`` or ``untouched``)."""
    path = Path(path)
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalSetError(f"{path}: cannot read ({exc})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalSetError(f"{where}: invalid JSON ({exc.msg})") from None
        question = EvalQuestion.parse(raw, where)
        if question.id in seen:
            raise EvalSetError(f"{where}: duplicate id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise EvalSetError(f"{path}: no questions")
    if split:
        questions = [q for q in questions if q.split == split]
        if not questions:
            raise EvalSetError(f"{path}: no questions in split {split!r}")
    return questions
