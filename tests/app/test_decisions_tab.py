"""The Decisions tab: the register filtered, a row's passage shown as text, CSV download."""

from __future__ import annotations

import asyncio
import csv

import pytest

from council_qa.config import Settings
from tests.servers import free_port
from tests.rag.test_decisions import MINUTES

pytestmark = pytest.mark.slow


def test_the_tab_filters_shows_passages_as_text_and_downloads(tmp_path) -> None:
    import app as web
    from index import Indexer

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "minutes.txt").write_text(MINUTES.replace("Taxi Licensing Policy",
                                                                   "Taxi <img src=x onerror=alert(1)> Policy"))
    settings = Settings.from_env(environ={}, home=tmp_path / "home", port=free_port())
    Indexer(settings).ingest([tmp_path / "docs"])
    from rag import AnswerEngine

    engine = AnswerEngine(settings)
    blocks = web.create_app(settings, engine)
    web.launch(blocks, settings, None, engine.index, prevent_thread_lock=True)
    try:
        def call(name: str, *inputs):
            index = next(i for i, fn in blocks.fns.items() if fn.name == name)
            return asyncio.run(blocks.process_api(block_fn=index, inputs=list(inputs), state=None))["data"]

        table, _, _ = call("decision_rows", "All", "", "", "lost", "")
        assert [row[2:7] for row in table["data"]] == [["5", "Street Trading Fees", "recommendation", "lost", "3-5-?"]]
        table, _, _ = call("decision_rows", "All", "2025-03-05", "", "All", "")
        assert not any(any(cell != "" for cell in row) for row in table["data"])  # no meeting after 4 March 2025
        _, _, download = call("decision_rows", "All", "", "", "All", "taxi")
        with open(download["path"], encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0][:3] == ["meeting_date", "body", "item_number"] and len(rows) == 2
    finally:
        blocks.close()
    entry = next(e for e in web.decisions_register(settings) if e.decision.item_number == "6")
    shown = web.decision_html(entry)
    assert "<img" not in shown and "&lt;img" in shown
    roll_call = next(e for e in web.decisions_register(settings) if e.decision.item_number == "7")
    assert "for: Khan, Jones, Ali · against: Patel" in web.decision_html(roll_call)
