"""The web chat in a real browser: Debian's chromium driven by Playwright.

Chromium is installed by this test's setup through apt (never downloaded by
Playwright). The test takes a screenshot (into docs/screenshot.png only when
COUNCIL_QA_UPDATE_SCREENSHOT=1, so a test run leaves the checkout as it was) and prints
the time from question to first streamed text and to the full answer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"
PAYLOAD = '<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2">'
UPLOAD = f"""# Quillfield Library Review

## Opening hours

Quillfield Library opens at 10am on Sundays from April 2026. {PAYLOAD}

## Costs

The Sunday opening costs £18,400 a year in staff time.
"""


def ensure_chromium() -> str:
    if shutil.which("chromium") or Path(CHROMIUM).exists():
        return CHROMIUM
    if os.geteuid() != 0:
        pytest.skip("Debian chromium is not installed and apt needs root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env, capture_output=True)
    return CHROMIUM


@pytest.fixture(scope="module")
def browser():
    executable = ensure_chromium()
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(browser, app_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url, wait_until="load")
    page.wait_for_selector("#cqa-question textarea", timeout=30_000)
    yield page
    page.close()


def ask(page, question: str) -> tuple[float, float]:
    """Type a question, press Enter; seconds to the first streamed text and to the finished
    answer (when the copy box receives the answer with its citations)."""
    box = page.locator("#cqa-question textarea")
    copy_box = page.locator("#cqa-copy textarea")
    bots = page.locator("#cqa-chat [data-testid='bot']")
    count, copied = bots.count(), copy_box.input_value()
    box.fill(question)
    started = time.perf_counter()
    box.press("Enter")
    first = None
    while time.perf_counter() < started + 60:
        if first is None and bots.count() > count:
            text = bots.last.inner_text()
            if text.strip() and "Searching the papers" not in text:
                first = time.perf_counter() - started
        if first is not None and copy_box.input_value() not in ("", copied):
            return first, time.perf_counter() - started
        page.wait_for_timeout(10)
    raise AssertionError("no answer within 60 s")


def upload(page, path: Path) -> None:
    """Add a file through the Documents tab and wait until it is indexed."""
    page.get_by_role("tab", name="Documents").click()
    page.locator("#cqa-upload input[type=file]").set_input_files(str(path))
    # The preview (name and extension in separate spans) shows once the upload has landed.
    page.locator("#cqa-upload .file-preview").get_by_text(path.stem).wait_for(timeout=30_000)
    page.locator("#cqa-add").click()
    page.wait_for_function(
        f"document.querySelector('#cqa-upload-status') && "
        f"document.querySelector('#cqa-upload-status').innerText.includes('{path.name} is in the index')",
        timeout=60_000,
    )


def test_chat_cites_sources_and_uploads_are_safe(page, app_settings, tmp_path: Path) -> None:
    first, full = ask(page, "How much do independent SEND placements cost?")
    answer = page.locator("#cqa-chat [data-testid='bot']").last.inner_text()
    assert "£80,000" in answer and "[1]" in answer
    sources = page.locator("#cqa-sources")
    assert "Special Educational Needs" in sources.inner_text()
    # Expand a source and see the supporting quote highlighted inside the chunk.
    first_source = sources.locator("details").first
    if first_source.get_attribute("open") is None:
        first_source.locator("summary").click()
    assert "£80,000" in first_source.locator("mark").inner_text()
    assert first_source.locator(".cqa-chunk").is_visible()
    shot = SCREENSHOT if os.environ.get("COUNCIL_QA_UPDATE_SCREENSHOT") == "1" else tmp_path / "screenshot.png"
    page.screenshot(path=str(shot), full_page=False)
    print(f"\nbrowser timing: first streamed text {first * 1000:.0f} ms, full answer {full * 1000:.0f} ms")

    # Thumbs up is recorded with the question, answer and citations.
    page.locator("#cqa-chat button[aria-label='Like']").last.click()
    for _ in range(200):
        if app_settings.feedback_path.exists() and app_settings.feedback_path.read_text(encoding="utf-8").endswith("\n"):
            break
        page.wait_for_timeout(50)
    else:
        pytest.fail(f"no complete feedback line in {app_settings.feedback_path} after 10 s")
    record = json.loads(app_settings.feedback_path.read_text(encoding="utf-8").splitlines()[-1])
    assert record["liked"] is True and record["question"] == "How much do independent SEND placements cost?"
    assert "£80,000" in record["answer"] and record["citations"][0]["n"] == 1

    # A second, timed question once the process is warm.
    first, full = ask(page, "How many EHCPs are there in Barnet?")
    print(f"browser timing (warm): first streamed text {first * 1000:.0f} ms, full answer {full * 1000:.0f} ms")

    # The commitments tracker: a commitment opens its evidence.
    page.get_by_role("tab", name="Commitments").click()
    table = page.locator("#cqa-commitments")
    table.get_by_text("Get everyone moving").wait_for(timeout=60_000)
    table.get_by_text("Get everyone moving").click()
    page.wait_for_function("document.querySelector('#cqa-evidence').innerText.includes('Forward Work Programme')",
                           timeout=30_000)
    assert "scheduled" in page.locator("#cqa-evidence").inner_text()  # on the forward work programme only
    page.get_by_role("tab", name="Chat").click()

    # Upload a document (with a script payload) and get an answer cited to it.
    document = tmp_path / "quillfield-library-review.md"
    document.write_text(UPLOAD, encoding="utf-8")
    upload(page, document)
    assert "Quillfield Library Review" in page.locator("#cqa-documents").inner_text()
    page.get_by_role("tab", name="Chat").click()
    ask(page, "When does Quillfield Library open on Sundays?")
    answer = page.locator("#cqa-chat [data-testid='bot']").last.inner_text()
    assert "10am" in answer and "[1]" in answer
    panel = page.locator("#cqa-sources").inner_text()
    assert "Quillfield Library Review" in panel
    # The payload is shown as text and runs nothing.
    assert "<script>window.__pwned = 1</script>" in panel
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("#cqa-sources script, #cqa-chat script").count() == 0
    assert page.locator("#cqa-sources img, #cqa-chat img[src='x']").count() == 0


def test_a_citation_previews_its_quote_and_opens_the_source(page, tmp_path: Path) -> None:
    from tests.files import make_pdf

    # A text source: [1] shows its quote on hover and on keyboard focus, and opens the passage.
    ask(page, "How much do independent SEND placements cost?")
    marker = page.locator("#cqa-chat [data-testid='bot']").last.get_by_role("link", name="[1]")
    assert "£80,000" in marker.get_attribute("title")
    preview = "(el) => getComputedStyle(el, '::after').content"
    marker.hover()
    assert "£80,000" in marker.evaluate(preview)
    if os.environ.get("COUNCIL_QA_UPDATE_SCREENSHOT") == "1":
        page.screenshot(path=str(SCREENSHOT.with_name("citation-preview.png")), full_page=False)
    page.mouse.move(0, 0)
    marker.focus()
    assert "£80,000" in marker.evaluate(preview)
    with page.context.expect_page() as opened:
        marker.click()
    passage = opened.value
    passage.wait_for_load_state()
    assert "/cqa/passages/" in passage.url and "£80,000" in passage.locator("#cited mark").inner_text()
    passage.close()

    # A PDF source: [1] opens its page, drawn, with the quote marked where it lies, and a
    # link from there to the PDF itself at that page.
    report = make_pdf(tmp_path / "harbour-budget-report.pdf", [
        ["# Harbour Budget Report 2026", "This report sets out the harbour budget."],
        ["# Dredging", "Dredging the Harbour channel costs £312,000 in 2026/27."],
    ])
    upload(page, report)
    page.get_by_role("tab", name="Chat").click()
    ask(page, "How much does dredging the Harbour channel cost?")
    marker = page.locator("#cqa-chat [data-testid='bot']").last.get_by_role("link", name="[1]")
    assert "£312,000" in marker.get_attribute("title")
    with page.context.expect_page() as opened:
        marker.click()
    sheet = opened.value
    sheet.wait_for_load_state()
    assert "/cqa/pages/" in sheet.url and "Page 2" in sheet.locator(".meta").inner_text()
    sheet.wait_for_function("document.querySelector('.sheet img').naturalWidth > 0")
    mark = sheet.locator("#cited").bounding_box()
    picture = sheet.locator(".sheet img").bounding_box()
    assert mark and picture and mark["width"] > 50 and picture["y"] < mark["y"] < picture["y"] + picture["height"] / 2
    if os.environ.get("COUNCIL_QA_UPDATE_SCREENSHOT") == "1":
        sheet.set_viewport_size({"width": 900, "height": 560})
        sheet.evaluate("window.scrollTo(0, 0)")
        sheet.screenshot(path=str(SCREENSHOT.with_name("quote-on-page.png")), full_page=False)
    href = sheet.get_by_role("link", name="Open the PDF itself at this page").evaluate("(el) => el.href")
    sheet.close()
    assert "/cqa/papers/" in href and href.endswith("#page=2")
    response = page.request.get(href.split("#")[0])
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body() == report.read_bytes()


@pytest.fixture(scope="module")
def llm_app(app_settings):
    """A second chat whose answers a real local model writes, slowed per token and watched,
    so the test can see the server-side generation end when Stop is pressed."""
    pytest.importorskip("llama_cpp", reason="needs the [llamacpp] extra")
    import app as web
    from rag import AnswerEngine
    from tests.servers import free_port

    settings = app_settings.replace(port=free_port(), backend="llamacpp", llm_max_tokens=400)
    engine = AnswerEngine(settings)
    writer = engine.backend("llamacpp")
    real_generate, watched = writer.generate, {"deltas": 0, "closed": 0}

    def slowed(question, sources, context):
        inner = real_generate(question, sources, context)
        try:
            for delta in inner:
                watched["deltas"] += 1
                time.sleep(0.1)
                yield delta
        finally:
            inner.close()
            watched["closed"] += 1

    writer.generate = slowed
    blocks = web.create_app(settings, engine)
    web.launch(blocks, settings, None, engine.index, prevent_thread_lock=True)
    yield f"http://127.0.0.1:{settings.port}/", watched
    blocks.close()


def test_stop_ends_the_answer_on_the_server(browser, llm_app) -> None:
    url, watched = llm_app
    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # its own: the other tests stay on the main chat
    try:
        stop_and_ask_again(page, url, watched)
    finally:
        page.close()


def stop_and_ask_again(page, url: str, watched: dict) -> None:
    page.goto(url, wait_until="load")
    box = page.locator("#cqa-question textarea")
    box.wait_for(timeout=30_000)
    box.fill("What does the strategy say about physical activity and getting everyone moving?")
    box.press("Enter")
    bot = page.locator("#cqa-chat [data-testid='bot']").last
    for _ in range(1200):  # the first finished claim shows while the model is still writing
        if watched["deltas"] and not watched["closed"] and "Searching the papers" not in (bot.inner_text() or "Searching the papers"):
            break
        page.wait_for_timeout(50)
    else:
        pytest.fail("no answer text streamed while the model was writing")
    page.locator("#cqa-stop").click()
    for _ in range(100):
        if watched["closed"]:
            break
        page.wait_for_timeout(50)
    else:
        pytest.fail("the model kept generating on the server after Stop")
    written = watched["deltas"]
    page.wait_for_timeout(1000)
    assert watched["deltas"] == written  # nothing more generated
    page.locator("#cqa-chat").get_by_text("(stopped)").wait_for(timeout=10_000)
    # The model is free again: the next question is answered in full.
    closed = watched["closed"]
    box.fill("How many EHCPs are there in Barnet?")
    box.press("Enter")
    for _ in range(1200):
        if watched["closed"] > closed:
            break
        page.wait_for_timeout(50)
    else:
        pytest.fail("the next answer never finished: the model was still held by the stopped one")
    page.wait_for_timeout(1500)  # the finished answer reaches the screen
    finished = page.locator("#cqa-chat [data-testid='bot']").last.inner_text()
    page.locator("#cqa-stop").click()  # Stop after an answer is complete changes nothing
    page.wait_for_timeout(1000)
    assert page.locator("#cqa-chat [data-testid='bot']").last.inner_text() == finished
    assert "(stopped)" not in finished


FERRY = """# Ferry Timetable Review

## Winter timetable

The Thornbury ferry runs every 40 minutes from November 2026.
"""


def choose(page, elem_id: str, option: str) -> None:
    """Pick an option of a Gradio dropdown as a user does."""
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=option).first.click()


def test_a_document_is_corrected_filtered_on_and_deleted(page, tmp_path: Path) -> None:
    document = tmp_path / "ferry-timetable-review.md"
    document.write_text(FERRY, encoding="utf-8")
    upload(page, document)

    # Correct its board and type: the table, the filters and the answers follow.
    page.locator("#cqa-documents").get_by_text("Ferry Timetable Review").first.click()
    page.wait_for_function("document.querySelector('#cqa-doc-title textarea').value === 'Ferry Timetable Review'")
    page.locator("#cqa-doc-body textarea").fill("Ferry Committee")
    choose(page, "cqa-doc-type", "report")
    page.locator("#cqa-doc-council textarea").fill("South Gloucestershire Council")
    page.locator("#cqa-doc-issued textarea").fill("2025-03")
    page.locator("#cqa-doc-save").click()
    page.locator("#cqa-doc-status").get_by_text("Saved").wait_for(timeout=30_000)
    assert "Ferry Committee" in page.locator("#cqa-documents").inner_text()
    # Its council and issue date are kept with the paper: read back when it is chosen in a new page.
    page.reload()
    page.get_by_role("tab", name="Documents").click()
    page.locator("#cqa-documents").get_by_text("Ferry Timetable Review").first.click()
    page.wait_for_function(
        "document.querySelector('#cqa-doc-council textarea').value === 'South Gloucestershire Council'")
    assert page.locator("#cqa-doc-issued textarea").input_value() == "2025-03"

    page.get_by_role("tab", name="Chat").click()
    page.get_by_text("Filters", exact=True).click()
    choose(page, "cqa-filter-body", "Ferry Committee")
    page.locator("#cqa-active-filters").get_by_text('board "Ferry Committee"').wait_for(timeout=10_000)
    ask(page, "How often does the Thornbury ferry run in winter?")
    assert "40 minutes" in page.locator("#cqa-chat [data-testid='bot']").last.inner_text()
    assert "Ferry Timetable Review" in page.locator("#cqa-sources").inner_text()
    choose(page, "cqa-filter-type", "minutes")
    page.locator("#cqa-active-filters").get_by_text("type minutes").wait_for(timeout=10_000)
    ask(page, "How often does the Thornbury ferry run in winter?")
    reply = page.locator("#cqa-chat [data-testid='bot']").last.inner_text()
    assert 'no indexed paper matches type minutes and board "Ferry Committee" together' in reply
    page.locator("#cqa-clear-filters").click()
    page.wait_for_function("document.querySelector('#cqa-active-filters').innerText.trim() === ''")

    # Delete it: gone from the table and from the answers.
    page.get_by_role("tab", name="Documents").click()
    page.locator("#cqa-documents").get_by_text("Ferry Timetable Review").first.click()
    page.wait_for_function("document.querySelector('#cqa-doc-title textarea').value === 'Ferry Timetable Review'")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#cqa-doc-delete").click()
    page.locator("#cqa-doc-status").get_by_text("Deleted from the index").wait_for(timeout=30_000)
    assert "Ferry Timetable Review" not in page.locator("#cqa-documents").inner_text()
    page.get_by_role("tab", name="Chat").click()
    ask(page, "How often does the Thornbury ferry run in winter?")
    assert "40 minutes" not in page.locator("#cqa-chat [data-testid='bot']").last.inner_text()


COMMITMENTS_SHOT = SCREENSHOT.with_name("commitments.png")


def test_commitments_are_scoped_explained_and_download_in_one_click(page, tmp_path: Path) -> None:
    import csv

    from tests.files import OTHER_COUNCIL_MINUTES

    other = tmp_path / "bristol-communities-minutes.txt"
    other.write_text(OTHER_COUNCIL_MINUTES, encoding="utf-8")
    upload(page, other)
    page.get_by_role("tab", name="Commitments").click()
    table = page.locator("#cqa-commitments")
    table.get_by_text("Get everyone moving").wait_for(timeout=60_000)
    meanings = page.locator("#cqa-status-meanings").inner_text()
    assert "scheduled: it is only on a forward plan" in meanings and "mentioned:" in meanings
    table.get_by_text("Get everyone moving").click()
    page.wait_for_function("document.querySelector('#cqa-evidence').innerText.includes('Forward Work Programme')",
                           timeout=30_000)
    shown = page.locator("#cqa-evidence").inner_text()
    assert "Communities Committee" not in shown and "Physical activity programme" not in shown  # another council's

    # One click downloads what the filters show.
    choose(page, "cqa-status", "scheduled")
    page.wait_for_timeout(500)
    with page.expect_download() as download:
        page.locator("#cqa-csv").click()
    with open(download.value.path(), encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {r["status"] for r in rows} == {"scheduled"}

    # At a phone's width the table scrolls sideways instead of wrapping a letter per line.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(1000)  # the table lays itself out again for the new width
    try:
        widths = page.evaluate("() => [...document.querySelectorAll('#cqa-commitments .virtual-row')[0]"
                               ".querySelectorAll('.body-cell')].map(c => c.getBoundingClientRect().width)")
        print(f"\ncommitments table cells at 390 px: {[round(w) for w in widths]} px wide")
        assert len(widths) == 5 and min(widths) >= 60  # no column a letter wide: the table scrolls instead
        shot = COMMITMENTS_SHOT if os.environ.get("COUNCIL_QA_UPDATE_SCREENSHOT") == "1" else tmp_path / "c.png"
        page.screenshot(path=str(shot), full_page=False)
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})
        choose(page, "cqa-status", "All")
        page.get_by_role("tab", name="Chat").click()


def _contrast(page, selector: str, pseudo: str = "") -> float:
    """WCAG contrast ratio of an element's text against its (first opaque) background."""
    return page.evaluate("""([selector, pseudo]) => {
        const el = document.querySelector(selector);
        const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
        const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                                     return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
        const fg = rgb(getComputedStyle(el, pseudo || null).color);
        let node = el, bg = rgb(getComputedStyle(el, pseudo || null).backgroundColor);
        while ((bg.length === 4 && bg[3] === 0) || bg.length === 0) {
            node = node.parentElement || document.body;
            bg = rgb(getComputedStyle(node).backgroundColor);
            if (node === document.body && (bg.length === 0 || bg[3] === 0)) { bg = [255, 255, 255]; break; }
        }
        const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05);
    }""", [selector, pseudo])


def test_keyboard_users_can_skip_to_the_question_and_see_the_focus(page) -> None:
    page.goto(page.url, wait_until="load")
    page.wait_for_selector("#cqa-question textarea", timeout=30_000)
    page.keyboard.press("Tab")
    skip = page.locator(".cqa-skip")
    assert page.evaluate("document.activeElement.className").startswith("cqa-skip")
    assert skip.bounding_box()["x"] >= 0  # shown once focused
    assert _contrast(page, ".cqa-skip") >= 4.5
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement === document.querySelector('#cqa-question textarea')")
    page.keyboard.press("Shift+Tab")  # from the question box back to a control: its focus ring shows
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    # Text the app styles itself meets WCAG AA (4.5:1).
    ask(page, "How much do independent SEND placements cost?")
    assert _contrast(page, "#cqa-sources .cqa-meta") >= 4.5
    assert _contrast(page, "#cqa-sources mark") >= 4.5


def test_only_editors_see_the_controls_that_change_the_index(browser, app_settings, app_engine) -> None:
    """With COUNCIL_QA_EDITORS set, a signed-in reader's Documents tab lists the papers
    without upload, correct or delete controls (the server refuses them anyway); an
    editor's shows them."""
    import app as web
    from tests.servers import free_port

    settings = app_settings.replace(auth="clerk:s3cret-words,reader:other-words", editors="clerk", port=free_port())
    blocks = web.create_app(settings, app_engine)
    web.launch(blocks, settings, web.LoginGuard(web.parse_auth(settings.auth)), app_engine.index,
               prevent_thread_lock=True)
    try:
        for user, password, editor in (("reader", "other-words", False), ("clerk", "s3cret-words", True)):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{settings.port}/", wait_until="load")
            page.locator("input[type=text]").first.fill(user)
            page.locator("input[type=password]").fill(password)
            page.keyboard.press("Enter")
            page.wait_for_selector("#cqa-question textarea", timeout=30_000)
            page.get_by_role("tab", name="Documents").click()
            page.locator("#cqa-documents").wait_for(state="visible", timeout=30_000)
            if editor:
                page.locator("#cqa-doc-save").wait_for(state="visible", timeout=30_000)
                assert page.locator("#cqa-upload").is_visible()
                assert not page.locator("#cqa-read-only").is_visible()
            else:
                page.locator("#cqa-read-only").wait_for(state="visible", timeout=30_000)
                for control in ("#cqa-upload", "#cqa-add", "#cqa-doc-save", "#cqa-doc-reingest", "#cqa-doc-delete"):
                    assert not page.locator(control).is_visible(), control
            context.close()
    finally:
        blocks.close()
