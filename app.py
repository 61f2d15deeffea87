"""The council-qa web chat: ask the papers, check every claim against its source.

Run ``python app.py`` or ``council-qa serve``; it listens on http://127.0.0.1:7860.
One answer engine (models, indexes) serves every user of the process.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import ipaddress
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import gradio as gr

from council_qa.config import BUNDLED_CORPUS, DECISION_OUTCOMES, Settings, offline_environment
from index import CouncilIndex, DocumentEntry, Indexer, Manifest
from ingest import DOC_TYPES, printable, supported_extensions
from ingest.loaders.pdf import pdf_page_count
from ingest.pages import PageMatch, find_passage, page_png
from rag import Answer, AnswerEngine, Citation, Filters, Turn
from rag.commitments import STATUS_MEANINGS, STATUSES, CommitmentStatus, CommitmentTracker, to_csv
from rag.decisions import DecisionFilter, RegisterEntry, decisions_register
from rag.decisions import to_csv as decisions_to_csv

EXAMPLES = [
    "How much do independent SEND placements cost?",
    "What will the board do to get everyone moving?",
    "What did the board say about neighbourhood health?",
    "What is planned next to prevent long term conditions?",
    "What will the March meeting's deep dive cover?",
]
ALL = "All"
SEARCHING = "_Searching the papers…_"
CHAT_CONCURRENCY = 4  # answers computed at once; more wait in Gradio's queue
UPLOAD_CONCURRENCY = 3  # uploads parsed and embedded at once; each writes the index one document at a time
CSS = """
.cqa-sources details { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 10px;
  margin-bottom: 8px; }
.cqa-sources summary { cursor: pointer; }
.cqa-chunk { white-space: pre-wrap; font-size: 0.92em; margin-top: 6px; }
.cqa-chunk mark { background: #ffe58a; color: #000; padding: 0 1px; }
.cqa-meta { color: #4b5563; font-size: 0.85em; }  /* 7:1 on white (AA); Gradio's subdued grey is 1.9:1 */
.dark .cqa-meta { color: #d1d5db; }
/* Keyboard users: a skip link first, and every control shows where the focus is. */
.cqa-skip { position: absolute; left: -9999px; top: 0; z-index: 100; transition: none !important; }
.cqa-skip:focus { left: 8px !important; top: 8px !important; padding: 8px 12px; background: #1d4ed8; color: #fff !important;
  border-radius: 6px; }
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible,
[role="tab"]:focus-visible, [tabindex]:focus-visible, summary:focus-visible {
  outline: 3px solid #1d4ed8 !important; outline-offset: 2px; }
/* Phones: a table and its detail panel stack; the table keeps its columns' widths and
   scrolls sideways rather than wrapping one letter per line. */
@media (max-width: 640px) {
  .cqa-pair { flex-direction: column; }
  .cqa-pair > * { width: 100%; min-width: 100% !important; }
}
/* [n] in an answer: its quote shows on hover and on keyboard focus (from its title). */
#cqa-chat a[href*="cqa/p"] { position: relative; font-weight: 600; text-decoration: none; }
#cqa-chat a[href*="cqa/p"]:hover::after, #cqa-chat a[href*="cqa/p"]:focus::after {
  content: attr(title); position: absolute; left: 0; top: 1.5em; z-index: 20; width: max-content;
  max-width: min(28rem, 80vw); white-space: normal; background: #1f2937; color: #fff; padding: 6px 8px;
  border-radius: 6px; font-size: 0.85rem; font-weight: 400; line-height: 1.35; pointer-events: none; }
"""

# The skip link moves the keyboard focus into the question box (a plain #anchor only scrolls).
HEAD = """<script>
document.addEventListener("click", (event) => {
  if (!event.target.closest || !event.target.closest(".cqa-skip")) return;
  event.preventDefault();
  const box = document.querySelector("#cqa-question textarea");
  if (box) box.focus();
});
</script>"""


# -- rendering ---------------------------------------------------------------


_APPEND_LOCK = threading.Lock()


def append_record(path: Path, payload: bytes) -> None:
    """Append one whole line to ``path`` (created readable by its owner only: it holds
    residents' questions). O_APPEND puts each write at the end whoever else writes; the
    lock keeps this process's threads from splitting a line when a write comes back short."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _APPEND_LOCK:
        handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            rest = memoryview(payload)
            while rest:
                rest = rest[os.write(handle, rest):]
        finally:
            os.close(handle)


def store_upload(source: Path, name: str, uploads: Path) -> Path:
    """Keeps an uploaded file under its content's hash, with its own name: two users'
    different ``minutes.pdf`` become two documents, never one replacing the other, and
    the same file uploaded again is the same path (so nothing is re-indexed)."""
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    target = uploads / digest.hexdigest()[:16] / Path(name).name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        shutil.copyfile(source, partial)
        os.replace(partial, target)  # a half-copied upload is never taken for the file
    return target


_MARKUP = re.compile(r"[\\`*_~|\[\]!]")
_LINK_START = re.compile(r"(?i)\b(https?|ftp|mailto|file|data|javascript):|\bwww\.")


def escape_markdown(text: str) -> str:
    """Document, model and user text shown as text: HTML never renders, markup characters
    stay visible, and nothing becomes an image or a link (a document could otherwise make
    every reader's browser fetch a tracking image, or an injected answer leak data
    through a URL)."""
    text = _MARKUP.sub(lambda m: "\\" + m.group(0), html.escape(text, quote=False))
    return _LINK_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], text)


def highlighted_chunk(citation: Citation) -> str:
    """The chunk text, escaped, with the supporting quote marked."""
    return marked_quote(citation.text, citation.quote)


def marked_quote(text: str, quote_text: str) -> str:
    """``text`` escaped, with the first place ``quote_text`` occurs (spacing aside) marked."""
    words = quote_text.split()
    match = re.search(r"\s+".join(re.escape(w) for w in words), text) if words else None
    if not match:
        return html.escape(text)
    return (html.escape(text[: match.start()]) + "<mark>" + html.escape(match.group(0)) + "</mark>"
            + html.escape(text[match.end():]))


PAPERS_ROUTE = "cqa/papers"  # relative, so the app also works under a proxy's path prefix
PAGES_ROUTE = "cqa/pages"
PASSAGES_ROUTE = "cqa/passages"
_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\]")
_LINKED_MARKER = re.compile(r'\[\\\[(\d+)\\\]\]\([^)\s]*(?: "[^"]*")?\)')  # what linked_answer writes


def citation_href(citation: Citation) -> str:
    """Where ``[n]`` leads: a PDF's page with the quote marked on it, else the passage in
    its section."""
    if citation.page and citation.source.lower().endswith(".pdf"):
        last = max(citation.page_end, citation.page)
        return f"{PAGES_ROUTE}/{citation.doc_id}/{citation.page}?last={last}&q={quote(citation.quote[:300])}#cited"
    return f"{PASSAGES_ROUTE}/{citation.node_id}?q={quote(citation.quote[:300])}#cited"


def citation_preview(citation: Citation) -> str:
    """The text a marker shows on hover or focus: where, then the quote."""
    where = citation.title + (f", p. {citation.page}" if citation.page else "")
    text = f"{where}: \u201c{citation.quote}\u201d"
    return " ".join(text.split()).replace("\\", "/").replace('"', "\u201d")[:400]


def linked_answer(answer: Answer) -> str:
    """The answer as safe Markdown whose own ``[n]`` markers link to their sources; no other
    text can become a link (see :func:`escape_markdown`)."""
    by_n = {c.n: c for c in answer.citations}

    def link(match: re.Match) -> str:
        c = by_n.get(int(match.group(1)))
        if c is None:
            return match.group(0)
        return f'[\\[{c.n}\\]]({citation_href(c)} "{citation_preview(c)}")'

    return _ESCAPED_MARKER.sub(link, escape_markdown(answer.answer))


def citation_html(citation: Citation, open_: bool = False) -> str:
    where = " › ".join(html.escape(x) for x in (citation.title, citation.section) if x)
    details = [citation.doc_type]
    if citation.page:
        details.append(f"p. {citation.page}" + (f"–{citation.page_end}" if citation.page_end > citation.page else ""))
    if citation.meeting_date:
        details.append(f"meeting {citation.meeting_date}")
    meta = html.escape(" · ".join(d for d in details if d))
    href = citation_href(citation)
    return (
        f'<details class="cqa-source" data-n="{citation.n}"{" open" if open_ else ""}>'
        f"<summary><b>[{citation.n}]</b> {where} <span class='cqa-meta'>({meta})</span><br>"
        f"<q>{html.escape(citation.quote)}</q></summary>"
        f'<div class="cqa-chunk">{highlighted_chunk(citation)}</div>'
        f'<div class="cqa-meta"><a href="{html.escape(href, quote=True)}" target="_blank" '
        f'rel="noopener">{"See it on the page" if href.startswith(PAGES_ROUTE) else "Open in context"}</a> · '
        f'{source_link(citation)}</div></details>'
    )


def source_link(citation: Citation) -> str:
    """The published paper (at its page) when it came from a council site, else its file."""
    if citation.url.startswith(("https://", "http://")):
        url = html.escape(citation.url, quote=True)
        return f'<a href="{url}" target="_blank" rel="noopener noreferrer">{url}</a>'
    return html.escape(citation.source)


def sources_html(answer: Answer | None) -> str:
    if answer is None:
        return "<div class='cqa-sources'><p>Sources for each answer appear here.</p></div>"
    if answer.abstained:
        items = "".join(citation_html(c) for c in answer.related)
        heading = "<h3>Nearest passages</h3><p>The papers do not answer this; these came closest.</p>"
        return f"<div class='cqa-sources'>{heading}{items}</div>"
    items = "".join(citation_html(c, open_=i == 0) for i, c in enumerate(answer.citations))
    return f"<div class='cqa-sources'><h3>Sources</h3>{items}</div>"


def commitment_html(status: CommitmentStatus | None) -> str:
    if status is None:
        return "<div class='cqa-sources'><p>Select a commitment to see its evidence.</p></div>"
    c = status.commitment
    parts = [f"<h3>{html.escape(c.title)}</h3><p class='cqa-meta'>{html.escape(c.key_area)} · "
             f"<b>{html.escape(status.status.replace('_', ' '))}</b>: {html.escape(STATUS_MEANINGS[status.status])}"
             + (f" · last discussed {html.escape(status.last_discussed)}" if status.last_discussed else "")
             + f"</p><p>{html.escape(c.statement)}</p>"]
    for label, items in (("Done so far", c.done), ("Next", c.next), ("Progress measures", c.measures)):
        if items:
            rows = "".join(f"<li>{html.escape(i.text)}</li>" for i in items)
            parts.append(f"<details><summary>{label} ({len(items)})</summary><ul>{rows}</ul></details>")
    if status.evidence:
        parts.append("<h4>Evidence from board meetings</h4>")
        parts += [citation_html(e, open_=i == 0) for i, e in enumerate(status.evidence)]
    else:
        parts.append("<p>No meeting paper in the index discusses this commitment.</p>")
    return "<div class='cqa-sources'>" + "".join(parts) + "</div>"


def decision_html(entry: RegisterEntry | None) -> str:
    """A decision with its meeting, outcome, votes and the passage it was read from."""
    if entry is None:
        return "<div class='cqa-sources'><p>Select a decision to see the passage it was read from.</p></div>"
    d = entry.decision
    facts = [f"<b>{html.escape(d.kind)} {html.escape(d.outcome.upper())}</b>"]
    if entry.votes:
        facts.append(f"votes for-against-abstaining {html.escape(entry.votes)} (? = not printed)")
    if d.proposer:
        facts.append(f"moved by {html.escape(d.proposer)}" + (f", seconded by {html.escape(d.seconder)}"
                                                            if d.seconder else ""))
    facts += [f"{side}: {html.escape(', '.join(names))}" for side, names in entry.voters]
    where = f"{html.escape(entry.title)}" + (f", p. {d.page}" if d.page else "")
    return (f"<div class='cqa-sources'><h3>Item {html.escape(d.item_number or '-')}: {html.escape(d.item_title)}</h3>"
            f"<p class='cqa-meta'>{html.escape(entry.body)} · {html.escape(entry.meeting_date)} · {where}</p>"
            f"<p>{' · '.join(facts)}</p><div class='cqa-chunk'>{html.escape(d.passage)}</div></div>")


def chat_filters(doc_type: str, body: str, date_from: str, date_to: str) -> Filters:
    """The chat's filter controls as :class:`Filters` (ValueError on a bad date)."""
    return Filters(doc_type=None if doc_type == ALL else doc_type, body=None if body == ALL else body,
                   date_from=(date_from or "").strip() or None, date_to=(date_to or "").strip() or None)


def filters_line(doc_type: str, body: str, date_from: str, date_to: str) -> str:
    """What the answers are limited to, shown above them; "" with no filter set."""
    try:
        described = chat_filters(doc_type, body, date_from, date_to).describe()
    except ValueError:
        return "**Filters:** write dates as YYYY-MM-DD, e.g. 2026-01-22."
    if not described:
        return ""
    return "**Answers only from papers of** " + " · ".join(escape_markdown(d) for d in described)


def indexed_documents(settings: Settings) -> list[tuple[str, DocumentEntry]]:
    """The indexed documents, latest meeting first, as the Documents tab lists them."""
    entries = Manifest.load(settings.manifest_path).ready().items()
    return sorted(entries, key=lambda item: (item[1].meeting_date or "", item[1].title), reverse=True)


def document_rows(settings: Settings) -> list[list]:
    return [[e.title, e.doc_type, e.body, e.meeting_date, e.chunks] for _, e in indexed_documents(settings)]


def document_choices(settings: Settings) -> list[tuple[str, str]]:
    return [(f"{e.title} ({e.meeting_date or e.doc_type})", doc_id) for doc_id, e in indexed_documents(settings)]


def bodies(settings: Settings) -> list[str]:
    return [ALL] + sorted({e.body for e in Manifest.load(settings.manifest_path).ready().values() if e.body})


NOT_AN_EDITOR = ("✗ Only an editor can change the index. Ask whoever runs this site to add your name to "
                 "COUNCIL_QA_EDITORS.")


def may_edit(settings: Settings, username: str | None) -> bool:
    """Whether a user may change the index: anyone without a login or an editors list,
    else only the editors named."""
    editors = {name.strip() for name in settings.editors.split(",") if name.strip()}
    return not settings.auth or not editors or username in editors


def parse_auth(spec: str) -> list[tuple[str, str]]:
    pairs = []
    for item in filter(None, (x.strip() for x in spec.split(","))):
        user, sep, password = item.partition(":")
        if not sep or not user or not password:
            raise ValueError("COUNCIL_QA_AUTH must look like 'user:pass,user2:pass2'")
        pairs.append((user, password))
    return pairs


class LoginGuard:
    """Checks a login and slows guessing: after ``max_failures`` wrong attempts within
    ``window_s`` for one user name, or ``max_failures * 4`` across all names, logins
    (right ones included) are refused for ``lockout_s``. Passwords are compared in
    constant time."""

    def __init__(self, pairs: list[tuple[str, str]], max_failures: int = 5, window_s: float = 60.0,
                 lockout_s: float = 60.0, clock=time.monotonic) -> None:
        self._pairs = dict(pairs)
        self._max, self._window, self._lockout, self._clock = max_failures, window_s, lockout_s, clock
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, username: str, password: str) -> bool:
        now = self._clock()
        with self._lock:
            if any(self._locked_until.get(key, 0.0) > now for key in (username, "")):
                return False
            expected = self._pairs.get(username)
            ok = expected is not None and hmac.compare_digest(expected.encode(), password.encode())
            if ok:
                self._failures.pop(username, None)
                return True
            for key, limit in ((username, self._max), ("", self._max * 4)):
                recent = [t for t in self._failures.get(key, []) if now - t < self._window] + [now]
                self._failures[key] = recent
                if len(recent) >= limit:
                    self._locked_until[key] = now + self._lockout
            return False


class LoginRequired:
    """ASGI middleware: with a login set, every route but the login page's own needs it.
    Gradio checks the login on most routes but leaves others open (``/gradio_api/reset``,
    ``/cancel``, ``/heartbeat``, streams); an allow-list fails closed as Gradio grows."""

    OPEN = frozenset({"/", "/favicon.ico", "/theme.css", "/login", "/login/", "/logout",
                      "/gradio_api/startup-events"})
    OPEN_PREFIXES = ("/assets/", "/static/", "/svelte/")

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket") or self._allowed(scope):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            from starlette.responses import JSONResponse

            await JSONResponse({"detail": "Not authenticated"}, status_code=401)(scope, receive, send)

    def _allowed(self, scope) -> bool:
        from starlette.requests import HTTPConnection

        app = scope.get("app")
        if getattr(app, "auth", None) is None and getattr(app, "auth_dependency", None) is None:
            return True
        path = scope.get("path", "")
        if path in self.OPEN or path.startswith(self.OPEN_PREFIXES):
            return True
        cookies = HTTPConnection(scope).cookies
        token = cookies.get(f"access-token-{app.cookie_id}") or cookies.get(f"access-token-unsecure-{app.cookie_id}")
        return bool(token and app.tokens.get(token))


# -- the papers themselves: what a citation opens ----------------------------------

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
PASSAGE_CSS = """body { font: 16px/1.55 system-ui, sans-serif; max-width: 46rem; margin: 1.5rem auto; padding: 0 1rem;
  color: #1b1b1b; } .meta { color: #555; } .text { white-space: pre-wrap; }
main #cited { background: #fff7d6; outline: 2px solid #b38600; } mark { background: #ffd84d; color: #000; }
.sheet { position: relative; border: 1px solid #bbb; } .sheet img { display: block; width: 100%; height: auto; }
.sheet .mark { position: absolute; background: rgba(255, 216, 77, .45); outline: 2px solid #b38600;
  padding: 2px; margin: -2px; }"""
PAGE_IMAGE_HEADERS = {**PAGE_HEADERS, "Cache-Control": "private, max-age=3600"}
PAGE_VIEW_HEADERS = {**PAGE_HEADERS, "Content-Security-Policy":
                     "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"}


def paper_routes(index: CouncilIndex) -> list:
    """``/cqa/papers/{doc_id}``: an indexed PDF itself (the viewer opens ``#page=N``);
    ``/cqa/pages/{doc_id}/{page}``: one of its pages drawn, the quote ``q`` boxed where it
    lies (``.../image``: the drawing); ``/cqa/passages/{node_id}``: a passage in its
    section, the quote marked. Only ids the manifest lists are served: no path from the
    request ever reaches the file system."""
    from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
    from starlette.routing import Route

    def not_found(what: str) -> PlainTextResponse:
        return PlainTextResponse(f"{what} is not in the index", status_code=404, headers=PAGE_HEADERS)

    def indexed_pdf(doc_id: str) -> tuple[DocumentEntry | None, Path | None]:
        index.refresh()
        entry = index.manifest.ready().get(doc_id)
        files = [Path(s) for s in (entry.sources if entry else []) if s.lower().endswith(".pdf") and Path(s).is_file()]
        return entry, (files[0] if files else None)

    def paper(request):
        _, path = indexed_pdf(request.path_params["doc_id"])
        if path is None:
            return not_found("That document")
        return FileResponse(path, media_type="application/pdf", filename=path.name,
                            content_disposition_type="inline", headers=PAGE_HEADERS)

    def page_image(request):
        _, path = indexed_pdf(request.path_params["doc_id"])
        try:
            drawn = page_png(path, request.path_params["page"]) if path else None
        except IndexError:
            drawn = None
        if drawn is None:
            return not_found("That page")
        return Response(drawn, media_type="image/png", headers=PAGE_IMAGE_HEADERS)

    def page_view(request):
        doc_id, number = request.path_params["doc_id"], request.path_params["page"]
        entry, path = indexed_pdf(doc_id)
        pages = pdf_page_count(path) if path else 0
        if entry is None or path is None or not 1 <= number <= pages:
            return not_found("That page")
        try:
            last = min(max(int(request.query_params.get("last", number)), number), number + MAX_PAGES_SEARCHED, pages)
        except ValueError:
            last = number
        quoted = request.query_params.get("q", "")[:300]
        found = find_passage(path, number, last, quoted) if quoted else None
        return HTMLResponse(page_view_html(entry, doc_id, found.page if found else number, found, quoted),
                            headers=PAGE_VIEW_HEADERS)

    def passage(request):
        node_id = request.path_params["node_id"]
        doc_id = node_id.rsplit("-", 1)[0]
        index.refresh()
        entry = index.manifest.ready().get(doc_id)
        record = index.records.load(doc_id) if entry else None
        section = next((s for s in (record.sections if record else ()) if node_id in s.chunk_ids), None)
        if section is None:
            return not_found("That passage")
        nodes = index.store.get_nodes(list(section.chunk_ids))
        body = passage_html(nodes, node_id, request.query_params.get("q", "")[:300])
        heading = " › ".join(section.path) or entry.title
        page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
                f"<title>{html.escape(entry.title)}</title><style>{PASSAGE_CSS}</style></head><body>"
                f"<h1>{html.escape(entry.title)}</h1><p class='meta'>{html.escape(heading)}"
                + (f" · meeting {html.escape(entry.meeting_date)}" if entry.meeting_date else "")
                + f"</p><main class='text'>{body}</main></body></html>")
        return HTMLResponse(page, headers=PAGE_HEADERS)

    return [Route(f"/{PAPERS_ROUTE}/{{doc_id}}", paper), Route(f"/{PASSAGES_ROUTE}/{{node_id}}", passage),
            Route(f"/{PAGES_ROUTE}/{{doc_id}}/{{page:int}}", page_view),
            Route(f"/{PAGES_ROUTE}/{{doc_id}}/{{page:int}}/image", page_image)]


MAX_PAGES_SEARCHED = 5  # a cited chunk's pages, at most this many after its first


def page_view_html(entry: DocumentEntry, doc_id: str, page: int, found: PageMatch | None, quoted: str) -> str:
    """A PDF page drawn as a picture with the quote's words marked where they lie on it,
    and a link to the PDF itself at that page."""
    boxes = found.boxes if found else ()
    marks = "".join(
        f'<span class="mark" id="{"cited" if i == 0 else f"mark-{i}"}" style="left:{b.left:.2%};top:{b.top:.2%};'
        f'width:{b.right - b.left:.2%};height:{b.bottom - b.top:.2%}"></span>' for i, b in enumerate(boxes))
    if found:
        said = f"Marked on the page: <q>{html.escape(quoted)}</q>"
    elif quoted:
        said = f"The words of <q>{html.escape(quoted)}</q> could not be placed on the page's text; read the page for it."
    else:
        said = ""
    title = html.escape(entry.title)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{title}, page {page}</title><style>{PASSAGE_CSS}</style></head><body>"
            f"<h1>{title}</h1><p class='meta'>Page {page}"
            + (f" · meeting {html.escape(entry.meeting_date)}" if entry.meeting_date else "")
            + f" · <a href='../../../{PAPERS_ROUTE}/{doc_id}#page={page}'>Open the PDF itself at this page</a></p>"
            f"<p>{said}</p><div class='sheet'><img src='{page}/image' alt='Page {page} of {title}'>{marks}</div>"
            f"</body></html>")


def passage_html(nodes: list, cited_id: str, quote_text: str) -> str:
    """A section's text stitched from its (possibly overlapping) chunks, escaped; the cited
    chunk wrapped in ``<span id="cited">`` and the quote in it marked."""
    pieces: list[tuple[str, bool]] = []
    end = None
    for node in sorted(nodes, key=lambda n: int(n.metadata.get("char_start", 0))):
        start, text = int(node.metadata.get("char_start", 0)), node.get_content()
        if end is not None and start < end:
            text, start = text[end - start:], end
        elif end is not None and start > end:
            pieces.append(("\n\n", False))
        pieces.append((text, node.node_id == cited_id))
        end = max(end or 0, start + len(text))
    out = []
    for text, cited in pieces:
        if not cited:
            out.append(html.escape(text))
            continue
        marked = marked_quote(text, quote_text)
        out.append(f'<span id="cited">{marked}</span>')
    return "".join(out)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- the app -------------------------------------------------------------------


def create_app(settings: Settings, engine: AnswerEngine | None = None) -> gr.Blocks:
    engine = engine or AnswerEngine(settings)
    indexer = Indexer(settings, store=engine.index.store)
    tracker = CommitmentTracker(engine)
    tracked: dict[str, object] = {"generation": None, "statuses": []}
    track_lock = threading.Lock()

    def statuses() -> list[CommitmentStatus]:
        """Tracked once per index generation, shared by every user."""
        with track_lock:
            engine.index.refresh()
            if tracked["generation"] != engine.index.manifest.generation:
                tracked["statuses"] = tracker.track()
                tracked["generation"] = engine.index.manifest.generation
            return list(tracked["statuses"])

    def filtered(key_area: str, status: str) -> list[CommitmentStatus]:
        return [s for s in statuses() if key_area in (ALL, s.commitment.key_area)
                and status in (ALL, s.status.replace("_", " "))]

    def commitment_rows(key_area: str, status: str):
        """The table, and its CSV ready behind the button, so one click downloads what is shown."""
        shown = filtered(key_area, status)
        rows = [[s.commitment.key_area.split(":")[0].removeprefix("Key Area ").strip(), s.commitment.title,
                 s.status.replace("_", " "),
                 s.last_discussed, len(s.evidence)] for s in shown]
        return rows, commitment_html(None), served_file("commitments.csv", to_csv(shown))

    def commitment_table(key_area: str, status: str):
        areas = [ALL] + sorted({s.commitment.key_area for s in statuses()})
        return *commitment_rows(key_area, status), gr.update(choices=areas)

    def commitment_selected(event: gr.SelectData, key_area: str, status: str) -> str:
        shown = filtered(key_area, status)
        row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        return commitment_html(shown[row] if 0 <= row < len(shown) else None)

    downloads = Path(tempfile.mkdtemp(prefix="council-qa-"))  # Gradio serves files from the temp folder

    def served_file(name: str, text: str) -> str:
        """``text`` as a file Gradio will serve, named by its content: two users' different
        views never share a file, and a file is whole before anyone can be handed it."""
        stem, _, suffix = name.rpartition(".")
        path = downloads / f"{stem}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}.{suffix}"
        if not path.exists():
            partial = path.with_name(f".{threading.get_ident()}.{path.name}")
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, path)
        return str(path)

    def chosen_decisions(body: str, since: str, until: str, outcome: str, search: str) -> list[RegisterEntry]:
        filters = DecisionFilter(body=None if body == ALL else body, since=(since or "").strip() or None,
                                 until=(until or "").strip() or None, outcome=None if outcome == ALL else outcome,
                                 search=(search or "").strip() or None)
        return decisions_register(settings, filters)

    def decision_rows(body: str, since: str, until: str, outcome: str, search: str):
        try:
            entries = chosen_decisions(body, since, until, outcome, search)
        except ValueError as exc:
            gr.Warning(str(exc).replace("--", ""))
            return gr.skip(), gr.skip(), gr.skip()
        rows = [[e.meeting_date, e.body, e.decision.item_number, e.decision.item_title, e.decision.kind,
                 e.decision.outcome, e.votes, e.decision.proposer, e.decision.page or ""] for e in entries]
        return rows, decision_html(None), served_file("decisions.csv", decisions_to_csv(entries))

    def decision_selected(event: gr.SelectData, body: str, since: str, until: str, outcome: str, search: str) -> str:
        shown = chosen_decisions(body, since, until, outcome, search)
        row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        return decision_html(shown[row] if 0 <= row < len(shown) else None)

    def respond(message: str, history: list[dict], doc_type: str, body: str, date_from: str, date_to: str,
                answers: dict):
        message = (message or "").strip()
        if not message:
            yield history, gr.skip(), gr.skip(), answers, ""
            return
        try:
            filters = chat_filters(doc_type, body, date_from, date_to)
        except ValueError:
            gr.Warning("Dates must be written YYYY-MM-DD, e.g. 2026-01-22.")
            yield history, gr.skip(), gr.skip(), answers, message
            return
        turns = [Turn(m["role"], _text(_LINKED_MARKER.sub(r"[\1]", _markdown(m["content"]))))
                 for m in history if m.get("role") in ("user", "assistant")]
        history = history + [{"role": "user", "content": escape_markdown(message)},
                             {"role": "assistant", "content": SEARCHING}]
        yield history, gr.skip(), gr.skip(), answers, ""
        written = ""
        answer: Answer | None = None
        events = engine.stream(message, history=turns, filters=filters)
        try:
            for event in events:
                if isinstance(event, Answer):
                    answer = event
                elif not event:  # a token not shown yet: a step where Stop can cancel, nothing to draw
                    yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                else:
                    written += event
                    history[-1] = {"role": "assistant", "content": escape_markdown(written)}
                    yield history, gr.skip(), gr.skip(), answers, ""
        finally:
            events.close()  # stopped: the engine's work ends here, not in the background
        assert answer is not None
        history[-1] = {"role": "assistant", "content": linked_answer(answer)}
        answers = {**answers, str(len(history) - 1): {
            "question": message, "answer": answer.answer, "abstained": answer.abstained,
            "citations": [{k: c.to_dict()[k] for k in ("n", "title", "section", "page", "source", "url", "quote")}
                          for c in answer.citations]}}
        yield history, sources_html(answer), answer.with_citations_text(), answers, ""

    def stopped(history: list[dict], answers: dict) -> list[dict]:
        """The answer being written marked as stopped (a finished one is left as it is)."""
        if history and history[-1].get("role") == "assistant" and str(len(history) - 1) not in answers:
            shown = _markdown(history[-1]["content"]).replace(SEARCHING, "").strip()
            history = history[:-1] + [{"role": "assistant", "content": f"{shown}\n\n_(stopped)_".lstrip()}]
        return history

    def record_feedback(data: gr.LikeData, answers: dict) -> None:
        record = answers.get(str(data.index if isinstance(data.index, int) else data.index[0]))
        if record is None:
            return
        liked = data.liked if isinstance(data.liked, bool) else str(data.liked).lower() in ("like", "true")
        line = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "liked": liked, **record}
        payload = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            append_record(settings.feedback_path, payload)
        except OSError as exc:
            gr.Warning(f"Your feedback could not be saved: {exc.strerror or exc}.")
            return
        gr.Info("Thanks: your feedback was recorded.")

    def document_fields(doc_id: str | None):
        entry = Manifest.load(settings.manifest_path).ready().get(doc_id or "")
        if entry is None:
            return "", None, "", "", "", ""
        record = indexer.records.load(doc_id)
        return (entry.title, entry.doc_type, entry.body, entry.meeting_date,
                record.metadata.issued if record else "", record.metadata.council if record else "")

    def document_picked(event: gr.SelectData):
        """The document of the clicked row, found by what the row shows (the listing may
        have changed since this browser drew it)."""
        shown = list(event.row_value or [])
        return next((doc_id for doc_id, e in indexed_documents(settings)
                     if [e.title, e.doc_type, e.body, e.meeting_date, e.chunks] == shown), gr.skip())

    def documents_changed(message: str, keep: str | None = None):
        """The tab, the filters' board lists and the chat's index after a change."""
        engine.index.refresh()
        boards, listed = bodies(settings), document_choices(settings)
        kept = keep if keep in {doc_id for _, doc_id in listed} else None
        return (message, document_rows(settings), gr.update(choices=listed, value=kept),
                gr.update(choices=boards), gr.update(choices=boards))

    def page_opened(request: gr.Request):
        """A page opened (or reloaded) lists the documents as they are now, not as they
        were when the app started (another user or a CLI ingest may have changed them), and
        shows the controls that change the index only to those who may use them."""
        editor = may_edit(settings, request.username)
        return (*documents_changed("")[1:], gr.update(visible=editor), gr.update(visible=not editor))

    def save_changes(doc_id: str | None, title: str, kind: str, board: str, meeting_date: str, issued: str,
                     council: str, request: gr.Request):
        if not may_edit(settings, request.username):
            return documents_changed(NOT_AN_EDITOR, doc_id)
        if not doc_id:
            return documents_changed("Choose a document first.")
        try:
            indexer.correct_metadata(doc_id, {"title": title, "doc_type": kind, "body": board,
                                              "meeting_date": meeting_date, "issued": issued, "council": council})
        except ValueError as exc:
            return documents_changed(f"✗ Not saved: {escape_markdown(str(exc))}", doc_id)
        except KeyError:
            return documents_changed("✗ That document is no longer in the index.")
        return documents_changed(f"✓ Saved: {escape_markdown(title)}", doc_id)

    def index_again(doc_id: str | None, request: gr.Request):
        if not may_edit(settings, request.username):
            return documents_changed(NOT_AN_EDITOR, doc_id)
        entry = Manifest.load(settings.manifest_path).ready().get(doc_id or "")
        if entry is None:
            return documents_changed("Choose a document first.")
        files = [Path(s) for s in entry.sources if Path(s).is_file()]
        if not files:
            return documents_changed("✗ Its file is gone, so it cannot be indexed again.", doc_id)
        report = indexer.ingest(files, force=True)
        failed = "; ".join(f"{escape_markdown(printable(Path(f['path']).name))}: {escape_markdown(printable(f['error']))}"
                           for f in report.failed)
        kept = next((d["doc_id"] for d in report.documents), doc_id)
        return documents_changed(f"✗ {failed}" if failed else f"✓ Indexed again: {report.chunks_embedded} chunks "
                                 f"embedded in {report.seconds:.1f}s", kept)

    def delete(doc_id: str | None, _title: str, request: gr.Request):
        if doc_id == "":  # the confirmation was declined
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        if not may_edit(settings, request.username):
            return documents_changed(NOT_AN_EDITOR, doc_id)
        entry = Manifest.load(settings.manifest_path).documents.get(doc_id or "")
        if entry is None or not indexer.remove(doc_id):
            return documents_changed("Choose a document first.")
        return documents_changed(f"✓ Deleted from the index: {escape_markdown(entry.title)}. Indexing its folder "
                                 "again leaves it out; upload or name the file to add it back.")

    def upload(files: list | None, request: gr.Request, progress=gr.Progress()):
        if not may_edit(settings, request.username):
            return documents_changed(NOT_AN_EDITOR)
        if not files:
            return "Choose one or more files first.", gr.skip(), gr.skip(), gr.skip(), gr.skip()
        settings.uploads_path.mkdir(parents=True, exist_ok=True)
        limit = settings.upload_max_mb * 1024 * 1024
        paths, lines = [], []
        for item in files:
            source = Path(item if isinstance(item, str) else item.name)
            name = Path(getattr(item, "orig_name", None) or source.name).name
            if source.stat().st_size > limit:
                lines.append(f"- ✗ {escape_markdown(printable(name))}: larger than the {settings.upload_max_mb} MB limit")
                continue
            paths.append(store_upload(source, name, settings.uploads_path))
        if paths:
            def on_progress(done: int, total: int, path: str) -> None:
                progress(done / max(total, 1), desc=f"Indexing {Path(path).name}" if path else "Updating the index")

            report = indexer.ingest(paths, on_progress=on_progress)
            failed = {Path(f["path"]).name: f["error"] for f in report.failed}
            for path in paths:
                if path.name in failed:
                    lines.append(f"- ✗ {escape_markdown(printable(path.name))}: {escape_markdown(printable(failed[path.name]))}")
                else:
                    lines.append(f"- ✓ {escape_markdown(printable(path.name))} is in the index")
            lines.append(f"\n{report.added} added, {report.updated} updated, {report.unchanged} unchanged; "
                         f"{report.chunks_total} chunks in the index.")
        return documents_changed("\n".join(lines))

    with gr.Blocks(title="council-qa") as app:
        gr.HTML('<a class="cqa-skip" href="#cqa-question">Skip to the question box</a>', padding=False)
        gr.Markdown("## council-qa: ask the board papers\nEvery claim cites its source; open a source to check it.")
        answers = gr.State({})
        with gr.Tab("Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    active_filters = gr.Markdown("", elem_id="cqa-active-filters")
                    chatbot = gr.Chatbot(label="Answers", height=460, elem_id="cqa-chat",
                                         feedback_options=("Like", "Dislike"), buttons=["copy"])
                    with gr.Row():
                        question = gr.Textbox(placeholder="Ask about the strategy or the board's meetings…",
                                              show_label=False, scale=5, elem_id="cqa-question")
                        ask = gr.Button("Ask", variant="primary", scale=1, elem_id="cqa-ask")
                        stop = gr.Button("Stop", variant="stop", scale=1, elem_id="cqa-stop")
                    gr.Examples(EXAMPLES, inputs=[question], label="Try")
                    with gr.Row():
                        clear = gr.Button("Clear conversation", elem_id="cqa-clear")
                    copy_box = gr.Textbox(label="Answer with citations (to copy)", lines=4, interactive=False,
                                          buttons=["copy"], elem_id="cqa-copy")
                with gr.Column(scale=2):
                    with gr.Accordion("Filters", open=False):
                        doc_type = gr.Dropdown([ALL, *DOC_TYPES], value=ALL, label="Document type",
                                               elem_id="cqa-filter-type")
                        body = gr.Dropdown(bodies(settings), value=ALL, label="Board or committee",
                                           elem_id="cqa-filter-body")
                        with gr.Row():
                            date_from = gr.Textbox(label="Meetings from", placeholder="YYYY-MM-DD")
                            date_to = gr.Textbox(label="to", placeholder="YYYY-MM-DD")
                        clear_filters = gr.Button("Clear filters", size="sm", elem_id="cqa-clear-filters")
                    sources = gr.HTML(sources_html(None), label="Sources", elem_id="cqa-sources")
        with gr.Tab("Documents"):
            documents = gr.Dataframe(document_rows(settings), headers=["Title", "Type", "Board", "Meeting date",
                                                                       "Chunks"],
                                     interactive=False, wrap=True, elem_id="cqa-documents")
            everyone_edits = may_edit(settings, None)  # until the page knows who signed in
            read_only = gr.Markdown("You can read the list of documents; only an editor can add, correct or "
                                    "delete them.", visible=not everyone_edits, elem_id="cqa-read-only")
            with gr.Column(visible=everyone_edits, elem_id="cqa-editing") as editing:
                kinds = ", ".join(supported_extensions())
                files = gr.File(label=f"Add documents ({kinds}; up to {settings.upload_max_mb} MB each)",
                                file_count="multiple", file_types=supported_extensions(), elem_id="cqa-upload")
                add = gr.Button("Add to the index", variant="primary", elem_id="cqa-add")
                status = gr.Markdown(elem_id="cqa-upload-status")
                gr.Markdown("### Correct or remove a document\nType, board and date decide what the filters find (a plan or "
                            "strategy is asked for by the date it was issued); the "
                            "council decides whose commitments its papers can be evidence for. A correction is kept "
                            "when the file is indexed again; nothing is re-embedded.")
                chosen_document = gr.Dropdown(document_choices(settings), value=None, label="Document",
                                              elem_id="cqa-doc-choice")
                with gr.Row():
                    doc_title = gr.Textbox(label="Title", elem_id="cqa-doc-title")
                    doc_kind = gr.Dropdown(list(DOC_TYPES), label="Type", elem_id="cqa-doc-type")
                    doc_body = gr.Textbox(label="Board or committee", elem_id="cqa-doc-body")
                    doc_date = gr.Textbox(label="Meeting date", placeholder="YYYY-MM-DD", elem_id="cqa-doc-date")
                    doc_issued = gr.Textbox(label="Issued (not of a meeting)", placeholder="YYYY-MM or YYYY-MM-DD",
                                            elem_id="cqa-doc-issued")
                    doc_council = gr.Textbox(label="Council", placeholder="blank: not known", elem_id="cqa-doc-council")
                with gr.Row():
                    save_document = gr.Button("Save changes", variant="primary", elem_id="cqa-doc-save")
                    reingest_document = gr.Button("Index again from its file", elem_id="cqa-doc-reingest")
                    delete_document = gr.Button("Delete from the index", variant="stop", elem_id="cqa-doc-delete")
                document_status = gr.Markdown(elem_id="cqa-doc-status")

        with gr.Tab("Decisions") as decisions_tab:
            gr.Markdown("Every decision and recorded vote in the minutes and decision notices, as the papers print "
                        "them (? = a figure the paper does not print). Select a row to read its passage.")
            with gr.Row():
                decision_body = gr.Dropdown(bodies(settings), value=ALL, label="Board or committee",
                                            elem_id="cqa-decision-body")
                decision_since = gr.Textbox(label="Meetings from", placeholder="YYYY-MM-DD")
                decision_until = gr.Textbox(label="to", placeholder="YYYY-MM-DD")
                decision_outcome = gr.Dropdown([ALL, *DECISION_OUTCOMES], value=ALL, label="Outcome",
                                               elem_id="cqa-decision-outcome")
                decision_search = gr.Textbox(label="Search", placeholder="e.g. parking", elem_id="cqa-decision-search")
                decision_download = gr.DownloadButton("Download CSV", elem_id="cqa-decisions-csv")
            with gr.Row(elem_classes=["cqa-pair"]):
                decision_table = gr.Dataframe(headers=["Meeting", "Body", "Item", "Title", "Kind", "Outcome", "Votes",
                                                       "Moved by", "Page"], interactive=False, wrap=True,
                                              elem_id="cqa-decisions", scale=3, min_width=360)
                decision_passage = gr.HTML(decision_html(None), elem_id="cqa-decision-passage", scale=2,
                                           min_width=300)

        with gr.Tab("Commitments") as commitments_tab:
            gr.Markdown("Each strategy commitment, and whether its council's meeting papers have reported on it "
                        "(papers that name another council are never evidence). Select a row to see the evidence.\n\n"
                        + "\n".join(f"- **{status.replace('_', ' ')}**: {meaning}"
                                    for status, meaning in STATUS_MEANINGS.items()),
                        elem_id="cqa-status-meanings")
            with gr.Row():
                area_filter = gr.Dropdown([ALL], value=ALL, label="Key area", elem_id="cqa-area")
                status_filter = gr.Dropdown([ALL, *(s.replace("_", " ") for s in STATUSES)], value=ALL,
                                            label="Status", elem_id="cqa-status")
                download = gr.DownloadButton("Download CSV", elem_id="cqa-csv")
            with gr.Row(elem_classes=["cqa-pair"]):
                table = gr.Dataframe(headers=["Area", "Commitment", "Status", "Last discussed", "Evidence"],
                                     interactive=False, wrap=True, elem_id="cqa-commitments", scale=3,
                                     column_widths=["60px", "300px", "110px", "120px", "80px"], min_width=360)
                evidence = gr.HTML(commitment_html(None), elem_id="cqa-evidence", scale=2, min_width=300)

        inputs = [question, chatbot, doc_type, body, date_from, date_to, answers]
        outputs = [chatbot, sources, copy_box, answers, question]
        chat = {"concurrency_id": "chat", "concurrency_limit": CHAT_CONCURRENCY}
        asked = [question.submit(respond, inputs, outputs, api_name="ask", **chat),
                 ask.click(respond, inputs, outputs, api_visibility="private", **chat)]
        # Cancelling closes the answer's generator on the server, so retrieval stops and an
        # LLM stops generating (and frees the model) at its next token.
        stop.click(stopped, [chatbot, answers], [chatbot], cancels=asked, api_visibility="private")
        clear.click(lambda: ([], sources_html(None), "", {}), None, [chatbot, sources, copy_box, answers],
                    api_visibility="private")
        chatbot.like(record_feedback, [answers], None, api_visibility="private")
        filter_controls = [doc_type, body, date_from, date_to]
        for control in filter_controls:
            control.change(filters_line, filter_controls, [active_filters], api_visibility="private")
        clear_filters.click(lambda: (ALL, ALL, "", ""), None, filter_controls, api_visibility="private")
        chosen_document.change(document_fields, [chosen_document],
                               [doc_title, doc_kind, doc_body, doc_date, doc_issued, doc_council],
                               api_visibility="private")
        documents.select(document_picked, None, [chosen_document], api_visibility="private")
        changed = [document_status, documents, chosen_document, body, decision_body]
        save_document.click(save_changes,
                            [chosen_document, doc_title, doc_kind, doc_body, doc_date, doc_issued, doc_council], changed,
                            api_visibility="private")
        reingest_document.click(index_again, [chosen_document], changed, api_visibility="private")
        delete_document.click(delete, [chosen_document, doc_title], changed, api_visibility="private",
                              js="(doc, title) => !doc ? [doc, title] : "
                                 "confirm('Delete \\u201c' + title + '\\u201d from the index?') ? [doc, title] : ['', title]")
        add.click(upload, [files], [status, documents, chosen_document, body, decision_body], api_name="upload",
                  concurrency_limit=UPLOAD_CONCURRENCY)
        app.load(page_opened, None, [*changed[1:], editing, read_only], api_visibility="private")
        view = [area_filter, status_filter]
        commitments_tab.select(commitment_table, view, [table, evidence, download, area_filter],
                               api_visibility="private")
        for control in view:
            control.change(commitment_rows, view, [table, evidence, download], api_visibility="private")
        table.select(commitment_selected, view, [evidence], api_visibility="private")
        decision_view = [decision_body, decision_since, decision_until, decision_outcome, decision_search]
        decision_shown = [decision_table, decision_passage, decision_download]
        decisions_tab.select(decision_rows, decision_view, decision_shown, api_visibility="private")
        for control in (decision_body, decision_outcome):
            control.change(decision_rows, decision_view, decision_shown, api_visibility="private")
        for control in (decision_since, decision_until, decision_search):
            control.submit(decision_rows, decision_view, decision_shown, api_visibility="private")
        decision_table.select(decision_selected, decision_view, [decision_passage], api_visibility="private")
    return app


def _markdown(content) -> str:
    """A chat message's Markdown, whichever shape Gradio hands it in."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(_markdown(c.get("text", "") if isinstance(c, dict) else c) for c in content)
    if isinstance(content, dict):
        return _markdown(content.get("text", ""))
    return str(content)


def _text(content) -> str:
    return html.unescape(_markdown(content))


def serve(settings: Settings, ingest_if_empty: bool = False) -> None:
    if ingest_if_empty and not Manifest.load(settings.manifest_path).ready():
        print(f"No index in {settings.home}: indexing the bundled Barnet corpus first…", flush=True)
        report = Indexer(settings).ingest([BUNDLED_CORPUS])
        print(f"{report.added} documents, {report.chunks_total} chunks indexed in {report.seconds:.1f}s", flush=True)
    auth = LoginGuard(parse_auth(settings.auth)) if settings.auth else None
    if not auth and not is_loopback(settings.host):
        if not settings.allow_public_without_login:
            raise ValueError(f"refusing to listen on {settings.host} without a login: set COUNCIL_QA_AUTH=user:password "
                             "(or COUNCIL_QA_ALLOW_PUBLIC_WITHOUT_LOGIN=1 to serve everyone who can reach it)")
        print(f"warning: listening on {settings.host} without a login, as COUNCIL_QA_ALLOW_PUBLIC_WITHOUT_LOGIN asks",
              file=sys.stderr, flush=True)
    engine = AnswerEngine(settings)
    launch(create_app(settings, engine), settings, auth, engine.index)


def launch(app: gr.Blocks, settings: Settings, auth: LoginGuard | None, index: CouncilIndex,
           prevent_thread_lock: bool = False) -> None:
    """Serve the chat, and the papers its citations open (behind the same login)."""
    from starlette.middleware import Middleware

    app.queue(default_concurrency_limit=CHAT_CONCURRENCY)
    app.launch(server_name=settings.host, server_port=settings.port, auth=auth, css=CSS, head=HEAD,
               max_file_size=f"{settings.upload_max_mb}mb", show_error=False, quiet=prevent_thread_lock,
               prevent_thread_lock=prevent_thread_lock,
               app_kwargs={"middleware": [Middleware(LoginRequired)], "routes": paper_routes(index)})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The council-qa web chat.")
    parser.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default 7860)")
    parser.add_argument("--ingest-if-empty", action="store_true", help="index the bundled corpus when empty")
    args = parser.parse_args(argv)
    offline_environment()
    serve(Settings.from_env(host=args.host, port=args.port), ingest_if_empty=args.ingest_if_empty)


if __name__ == "__main__":
    main()
