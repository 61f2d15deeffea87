"""Each special-case rule of the answer stage taken out in turn, measured on every part.

A rule stays only if taking it out costs on the development parts pooled across the
Barnet and real-papers sets (``pooled dev``), not on one set alone. Untouched parts are
reported beside, never used to decide. Each variant's refusal model is refitted on the pooled development parts
(``generality.measure``). Rules are switched off by replacing the function
that applies them, so the product carries no switches for this.
Run: python bench/rule_ablation.py [--only NAME,...] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generality import SCORE, measure, open_engines, print_table, score  # noqa: E402

from council_qa.config import offline_environment  # noqa: E402



class _NoSpelling:
    def correct(self, text: str) -> str:
        return text


def _without_rule_signals(*args, **kwargs):
    from rag.evidence import evidence_features

    return evidence_features(*args, **kwargs) | {"typed_answer": 1.0, "names_found": 1.0}


def _without_numbers_signal(*args, **kwargs):
    from rag.evidence import evidence_features

    return evidence_features(*args, **kwargs) | {"numbers_found": 1.0}


def _naming_any(sources, asked):
    """``naming_sources`` keeping a source that names any one of the names asked."""
    from rag.evidence import naming_sources

    return naming_sources(sources, [frozenset({name}) for names in asked for name in names])


# What each rule is, and the replacements that take it out. Only rules still in the code.
RULES: dict[str, list[tuple[str, object]]] = {
    "question types": [("rag.lexical.answer_type", lambda question: "")],
    "typed-answer and rare-name signals": [("rag.engine.evidence_features", _without_rule_signals)],
    "named chunks first": [("rag.retrieval.HybridRetriever._named_first", lambda self, nodes, names: nodes)],
    "numbers signal": [("rag.engine.evidence_features", _without_numbers_signal)],
    "rare-name rule": [("rag.lexical.named_terms", lambda question, **options: [])],
    "adds to best": [("rag.backends.extractive.adds_to_best", lambda chosen, terms: chosen)],
    "named section focus": [("rag.backends.extractive.named_sections", lambda *args: set())],
    "list questions": [("rag.backends.extractive.asks_for_list", lambda q: False)],
    "compound parts": [("rag.engine.part_queries", lambda question, *args: [question])],
    "spelling": [("rag.engine.speller_for", lambda *args: _NoSpelling())],
    "whole records": [("rag.backends.extractive.whole_records", lambda chosen, *args: chosen)],
    "names no chunk holds": [("rag.lexical.unmentioned_names", lambda question, known: ())],
    "answer only from sources naming the place": [("rag.engine.naming_sources", lambda sources, asked: (sources, frozenset()))],
    "sources naming any one place asked (not all)": [("rag.engine.naming_sources", _naming_any)],
}


def _without_type(kind: str):
    """``answer_type`` as if the question-type list lacked ``kind`` (the next match wins)."""
    import rag.lexical as lexical

    kept = [(k, pattern) for k, pattern in lexical._QUESTION_TYPES if k != kind]

    def answer_type(question: str) -> str:
        return next((k for k, pattern in kept if pattern.search(question)), "")

    return answer_type


def _type_rules() -> dict[str, list[tuple[str, object]]]:
    import rag.lexical as lexical

    rules = {f"question type: {kind}": [("rag.lexical.answer_type", _without_type(kind))]
             for kind, _ in lexical._QUESTION_TYPES}
    plain_count = lexical.re.compile(r"\b\d{1,3}(,\d{3})+\b|\b(?!(19|20)\d{2}\b)\d+(\.\d+)?\b|\b("
                                     + lexical._NUMBER_WORDS + r")\b", lexical.re.I)
    patterns = lexical._KIND_PATTERNS
    rules["count: label look-behinds"] = [("rag.lexical._KIND_PATTERNS", {
        "count": [plain_count], "quantity": [p if p is not lexical._COUNT else plain_count for p in patterns["quantity"]]})]
    return rules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--barnet-home", type=Path, default=Path("/tmp/council-qa-bench/barnet"))
    parser.add_argument("--real-home", type=Path, default=Path("/tmp/council-qa-bench/real"))
    parser.add_argument("--only", default="", help="Comma-separated rule names (default: all).")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    offline_environment()
    engines = open_engines(args.barnet_home, args.real_home)
    RULES.update(_type_rules())
    names = [n for n in args.only.split(",") if n] or list(RULES)
    runs = {}
    for name in ["(all rules)", *names]:
        with ExitStack() as stack:
            for target, replacement in RULES.get(name, []):
                patch = mock.patch.dict if isinstance(replacement, dict) else mock.patch
                stack.enter_context(patch(target, replacement))
            for engine in engines.values():
                engine.index.derived.clear()
            table, _, _ = measure(engines, quiet=True)
        runs[name] = table
        row = {part: score(table[part]) for part in ("barnet dev", "real dev", "pooled dev", "pooled untouched")}
        print(f"{name[:40]:<40}" + "".join(f"{part} {value:.4f}  " for part, value in row.items()), flush=True)
        sets = {part[4:-4]: score(table[part]) for part in table if part.startswith("set ")}
        print(f"{'':<40}" + "  ".join(f"{part} {value:.4f}" for part, value in sets.items()), flush=True)
    base = score(runs["(all rules)"]["pooled dev"])
    print()
    print_table(["without", "pooled dev must / cit / abst", "pooled untouched must / cit / abst", "dev score change"],
                [[name, " / ".join(f"{table['pooled dev'][k]:.3f}" for k in SCORE),
                  " / ".join(f"{table['pooled untouched'][k]:.3f}" for k in SCORE),
                  f"{score(table['pooled dev']) - base:+.4f}"] for name, table in runs.items()])
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2) + "\n")


if __name__ == "__main__":
    main()
