"""From process start to answer: one ``council-qa ask`` against ``ask --file`` of many.

A user scripting questions one ``ask`` at a time pays the start-up (Python, torch, the
embedding model, the index) every time; ``ask --file`` pays it once. Both run here as a
user runs them, as fresh processes on the bundled corpus; the baseline in the same run is
a bare ``python -c "import torch"``. The machines are noisy: read the ratios.

Run: python bench/cold_start.py [--runs 3] [--questions 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from council_qa.config import BUNDLED_CORPUS
from eval.dataset import BUNDLED_SET, load_questions

CLI = str(Path(sys.executable).with_name("council-qa"))


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--questions", type=int, default=20)
    args = parser.parse_args()
    if args.questions < 2:
        parser.error("--questions must be 2 or more: the first pays the start-up")
    questions = [q.question for q in load_questions(BUNDLED_SET)][:args.questions]
    with tempfile.TemporaryDirectory() as home:
        subprocess.run([CLI, "--home", home, "ingest", str(BUNDLED_CORPUS)], check=True, capture_output=True)
        listed = Path(home) / "questions.txt"
        listed.write_text("\n".join(questions) + "\n", encoding="utf-8")
        torch_s = statistics.median(timed([sys.executable, "-c", "import torch"]) for _ in range(args.runs))
        one_s = statistics.median(timed([CLI, "--home", home, "ask", questions[0]]) for _ in range(args.runs))
        many_s = statistics.median(timed([CLI, "--home", home, "ask", "--file", str(listed)]) for _ in range(args.runs))
    per_question = (many_s - one_s) / (len(questions) - 1)
    print(f"import torch alone (baseline): {torch_s:.2f} s")
    print(f"one `council-qa ask`, start to answer: {one_s:.2f} s ({one_s / torch_s:.1f}x importing torch)")
    print(f"`ask --file` of {len(questions)} questions: {many_s:.2f} s, {many_s / len(questions):.2f} s a question "
          f"(each after the first {per_question * 1000:.0f} ms)")
    print(f"{len(questions)} questions one `ask` at a time would take {one_s * len(questions):.1f} s: "
          f"{one_s * len(questions) / many_s:.1f}x the --file run")


if __name__ == "__main__":
    main()
