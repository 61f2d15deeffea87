"""The web chat's pure helpers: escaping, highlighting, login settings."""

from __future__ import annotations

import pytest

import app as web
from rag import Citation


def citation(text: str, quote: str) -> Citation:
    return Citation(n=1, node_id="x", doc_id="d", title="Minutes <b>", doc_type="minutes", section="Item 1",
                    page=3, page_end=4, meeting_date="2026-01-22", source="m.pdf", quote=quote, text=text, score=1.0)


def test_chunk_text_is_escaped_and_the_quote_marked() -> None:
    c = citation("Intro <script>alert(1)</script>\nThe fund\nis £2m. End.", "The fund is £2m.")
    rendered = web.highlighted_chunk(c)
    assert "<script>" not in rendered and "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "<mark>The fund\nis £2m.</mark>" in rendered
    panel = web.citation_html(c)
    assert "Minutes &lt;b&gt;" in panel and "p. 3–4" in panel and "meeting 2026-01-22" in panel


def test_a_fetched_paper_links_to_its_published_page_and_nothing_else_becomes_a_link() -> None:
    from dataclasses import replace

    c = citation("The fund is £2m.", "The fund is £2m.")
    fetched = web.citation_html(replace(c, url='https://democracy.example.gov.uk/mgConvert2PDF.aspx?ID=1&x="1"#page=3'))
    assert ('<a href="https://democracy.example.gov.uk/mgConvert2PDF.aspx?ID=1&amp;x=&quot;1&quot;#page=3" '
            'target="_blank" rel="noopener noreferrer">') in fetched
    assert web.source_link(c) == "m.pdf"
    assert "<a " not in web.source_link(replace(c, url="javascript:alert(1)"))
    assert ('<a href="cqa/pages/d/3?last=4&amp;q=The%20fund%20is%20%C2%A32m.#cited" target="_blank" '
            'rel="noopener">See it on the page</a>') in web.citation_html(c)


def test_answer_text_shows_markup_as_text() -> None:
    assert web.escape_markdown('<img src=x onerror="alert(1)"> `code`') == (
        '&lt;img src=x onerror="alert(1)"&gt; \\`code\\`')


HOSTILE = [
    "![x](http://tracker.example/pixel.png?reader=1)",
    "See [the plan](https://evil.example/login) or <https://evil.example/a> or https://evil.example/b",
    "[ref]: https://evil.example\n\nA [ref] link",
    '<img src=x onerror="alert(1)"><a href="https://evil.example">x</a>',
    "www.evil.example and mailto:someone@evil.example",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_text_from_a_document_model_or_user_becomes_an_image_or_a_link(text) -> None:
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").render(web.escape_markdown(text))
    assert "<img" not in rendered and "<a " not in rendered, rendered
    # What the reader sees is the text itself.
    assert "evil.example" in rendered or "tracker.example" in rendered


def test_auth_and_loopback() -> None:
    assert web.parse_auth("ann:pw1, bob:pw:2") == [("ann", "pw1"), ("bob", "pw:2")]
    with pytest.raises(ValueError, match="user:pass"):
        web.parse_auth("ann")
    assert web.is_loopback("127.0.0.1") and web.is_loopback("localhost") and web.is_loopback("::1")
    assert not web.is_loopback("0.0.0.0") and not web.is_loopback("192.168.1.5")


def test_a_public_address_needs_a_login_or_an_explicit_choice(monkeypatch, capsys, corpus_settings) -> None:
    launched = {}

    class FakeBlocks:
        def queue(self, **kwargs):
            return self

        def launch(self, **kwargs):
            launched.update(kwargs)

    monkeypatch.setattr(web, "create_app", lambda settings, engine: FakeBlocks())
    monkeypatch.setattr(web, "AnswerEngine", lambda settings: type("Engine", (), {"index": None})())
    with pytest.raises(ValueError, match="refusing to listen on 0.0.0.0 without a login"):
        web.serve(corpus_settings.replace(host="0.0.0.0", auth=""))
    assert not launched
    web.serve(corpus_settings.replace(host="0.0.0.0", auth="", allow_public_without_login=True))
    assert "without a login" in capsys.readouterr().err
    assert launched["server_name"] == "0.0.0.0" and launched["auth"] is None
    web.serve(corpus_settings.replace(host="0.0.0.0", auth="ann:pw"))
    assert "without a login" not in capsys.readouterr().err and launched["auth"]("ann", "pw")


def test_guessing_a_password_is_throttled() -> None:
    now = [0.0]
    guard = web.LoginGuard([("ann", "right"), ("bob", "also-right")], max_failures=5, lockout_s=60.0,
                           clock=lambda: now[0])
    assert guard("ann", "right") and not guard("ann", "wrong")
    for _ in range(4):
        assert not guard("ann", "wrong")
    assert not guard("ann", "right")  # locked: even the right password waits
    assert guard("bob", "also-right")  # another user is not locked out by ann's guesses
    now[0] += 61
    assert guard("ann", "right")
    # Spraying many names trips the limit for everyone.
    for i in range(20):
        guard(f"user{i}", "guess")
    assert not guard("bob", "also-right")


def test_feedback_records_are_whole_lines_even_from_many_threads(tmp_path, monkeypatch) -> None:
    import json
    import os
    import stat
    import threading

    path = tmp_path / "home" / "feedback.jsonl"
    real_write = os.write

    def short_write(fd, data):  # the kernel may write less than asked: the rest must follow
        return real_write(fd, bytes(data[:7]))

    monkeypatch.setattr(web.os, "write", short_write)
    records = [{"n": n, "question": "Q" * (n % 50)} for n in range(40)]
    threads = [threading.Thread(target=web.append_record,
                                args=(path, (json.dumps(r) + "\n").encode())) for r in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["n"] for line in lines) == list(range(40))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_only_the_answers_own_markers_become_links_to_their_sources() -> None:
    from rag import Answer

    pdf = citation("The fund is £2m.", 'The fund is "£2m".')
    text = Citation(**{**pdf.to_dict(), "n": 2, "node_id": "d-0003", "source": "notes.md", "page": 0})
    answer = Answer(question="q", abstained=False, citations=[pdf, text],
                    answer="The fund is £2m [1] and [2]; [3] [x](https://evil.example) ![i](http://t.example/p.png)")
    linked = web.linked_answer(answer)
    assert ('[\\[1\\]](cqa/pages/d/3?last=4&q=The%20fund%20is%20%22%C2%A32m%22.#cited '
            '"Minutes <b>, p. 3: \u201cThe fund is \u201d£2m\u201d.\u201d")') in linked
    assert "[\\[2\\]](cqa/passages/d-0003?q=The%20fund%20is%20%22%C2%A32m%22.#cited " in linked
    assert "\\[3\\]" in linked  # no such source: stays text
    assert "(https://" not in linked and "(http://" not in linked and "!\\[i\\]" in linked
