"""Twenty SIGKILLs at random moments of ingest, then one finished run: the index equals a
clean one (``bench/kill_ingest.py``: model load, parsing, embedding, Chroma, manifest and
BM25 writes, and the recovery of the kill before are all hit)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from council_qa.config import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]  # 20 killed runs and 2 whole ones: 3-8 min on 2 cores


def test_twenty_kills_lose_and_duplicate_nothing() -> None:
    run = subprocess.run([sys.executable, str(PROJECT_ROOT / "bench" / "kill_ingest.py"), "--kills", "20",
                          "--papers", "2", "--seed", "3"], capture_output=True, text=True, timeout=1200)
    result = json.loads(run.stdout)
    assert result["kills"] == 20, result
    assert (result["lost"], result["duplicated"], result["extra"]) == (0, 0, 0)
    assert result["documents_not_ready"] == [] and result["keyword_index_current"]
    assert run.returncode == 0, run.stderr[-2000:]
