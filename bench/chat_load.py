"""Many councillors at once: concurrent chat sessions against the running web chat.

Starts ``council-qa serve`` on loopback over an index of the bundled corpus, then:

1. baseline: one session asks every question alone, one after another;
2. load: ``--sessions`` sessions (default 50) each ask ``--questions`` questions (default
   20) in turn, all sessions at once, through Gradio's own client and queue;
3. one more session asks a question during the load, to see what a newcomer waits.

Every answer under load must equal the one the baseline got for the same question (no
session sees another's answer, nothing is corrupted) and no request may fail. Prints
p50/p95 seconds for the baseline and under load, and their ratio.
Run: python bench/chat_load.py [--sessions 50] [--questions 20] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from council_qa.config import BUNDLED_CORPUS, Settings, offline_environment  # noqa: E402
from eval.dataset import BUNDLED_SET, load_questions  # noqa: E402
from percentiles import percentile  # noqa: E402  (bench/, beside this script)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(home: Path, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "council_qa.cli", "--home", str(home), "serve", "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(600):
        try:
            urllib.request.urlopen(url, timeout=1)
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server stopped (exit status {server.returncode})")
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not answer within two minutes")


def text_of(history: list[dict]) -> str:
    content = history[-1]["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


def session(url: str, questions: list[str]) -> list[tuple[str, str | None, float, str]]:
    """One browser tab: its own Gradio session, its questions in turn. Each row: question,
    answer (None on error), seconds, error."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    rows = []
    for question in questions:
        started = time.perf_counter()
        try:
            history, *_ = client.predict(question, [], "All", "All", "", "", api_name="/ask")
            rows.append((question, text_of(history), time.perf_counter() - started, ""))
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
            rows.append((question, None, time.perf_counter() - started, f"{type(exc).__name__}: {exc}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    offline_environment()
    from index import Indexer

    questions = [q.question for q in load_questions(BUNDLED_SET) if q.answerable][:args.questions]
    with tempfile.TemporaryDirectory(prefix="council-qa-load-") as work:
        home = Path(work) / "home"
        Indexer(Settings.from_env(home=home)).ingest([BUNDLED_CORPUS])
        port = free_port()
        server = start_server(home, port)
        url = f"http://127.0.0.1:{port}/"
        try:
            session(url, questions[:2])  # warm-up
            baseline = session(url, questions)
            expected = {q: a for q, a, _, _ in baseline}
            with ThreadPoolExecutor(max_workers=args.sessions + 1) as pool:
                started = time.perf_counter()
                # Each session starts at another question, so all questions are in flight at once.
                futures = [pool.submit(session, url, questions[i % len(questions):] + questions[:i % len(questions)])
                           for i in range(args.sessions)]
                time.sleep(5)
                newcomer = pool.submit(session, url, questions[:1]).result()
                loaded = [row for future in futures for row in future.result()]
                wall = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    errors = [row for row in loaded if row[1] is None]
    different = [row for row in loaded if row[1] is not None and row[1] != expected[row[0]]]
    base_s = [row[2] for row in baseline]
    load_s = [row[2] for row in loaded]
    result = {
        "sessions": args.sessions, "questions_each": len(questions), "answers": len(loaded),
        "errors": len(errors), "answers_unlike_baseline": len(different), "wall_s": round(wall, 1),
        "answers_per_s": round(len(loaded) / wall, 2),
        "baseline_p50_s": round(statistics.median(base_s), 3), "baseline_p95_s": round(percentile(base_s, 95), 3),
        "load_p50_s": round(statistics.median(load_s), 3), "load_p95_s": round(percentile(load_s, 95), 3),
        "newcomer_s": round(newcomer[0][2], 2), "cpus": os.cpu_count(),
    }
    result["p50_ratio"] = round(result["load_p50_s"] / result["baseline_p50_s"], 1)
    print(json.dumps(result, indent=1))
    for row in (errors + different)[:5]:
        print(f"example problem: {row[0]!r}: {row[3] or 'answer differs from the baseline'}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
