"""PDF text-extraction libraries compared on the real-documents corpus.

Every extractor runs in this one process, interleaved document by document (the order
rotated each time), so a noisy machine slows them all alike; speeds are also shown as
a ratio to pdfplumber. For each extractor:

- seconds per page: median of --runs timings per document, summed over the corpus,
  divided by the corpus's pages (image-only pages included);
- word recall: on each page, the lower-cased alphanumeric tokens (a multiset) that the
  majority of the *other* extractors found there; the share of them this one found too.
  Per document, then the mean over documents and the worst document;
- reading order: sentences read off the page images that run across line breaks inside
  one column; one counts when its words are contiguous in the page text (white space
  collapsed, hyphen line breaks dropped). Multi-column documents, plus one
  single-column document as a control;
- table pairs: (row label, value) read off the page images of tables (ruled, partly
  ruled and unruled); one counts when label and value are on the same output line, in
  that order;
- licence: from the package metadata (or the known licence, for the poppler tool).

An extractor whose library is missing is skipped with a note.
Run from the repository root: .venv/bin/python bench/pdf_extractors.py [--json OUT]
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_CORPUS = REPO / ".." / "shared" / "corpus-real"

# --------------------------------------------------------------------------- extractors
# Each takes a path and returns one text per page.


def _pdfplumber(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _pdfplumber_layout(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return [page.extract_text(layout=True) or "" for page in pdf.pages]


def _pypdfium2(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        out = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            out.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return out
    finally:
        pdf.close()


def _pypdf(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def _pypdf_layout(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text(extraction_mode="layout") or "" for page in PdfReader(str(path)).pages]


def _pymupdf(path: Path) -> list[str]:
    import pymupdf

    with pymupdf.open(str(path)) as doc:
        return [page.get_text("text") for page in doc]


def _pymupdf_blocks(path: Path) -> list[str]:
    import pymupdf

    with pymupdf.open(str(path)) as doc:
        return [
            "\n".join(b[4].strip() for b in page.get_text("blocks", sort=True) if b[6] == 0)
            for page in doc
        ]


def _pdftotext(path: Path) -> list[str]:
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True, check=True,
    )
    pages = done.stdout.decode("utf-8", "replace").split("\f")
    if pages and not pages[-1].strip():
        pages.pop()  # pdftotext ends every page, the last one included, with a form feed
    return pages


def _council_qa(path: Path) -> list[str]:
    from ingest.document import LoadError
    from ingest.loaders.pdf import load_pdf

    try:
        doc = load_pdf(path)
    except LoadError as exc:
        if "no text layer" in exc.reason:
            return []  # padded to the page count by the caller: no text on any page
        raise
    return [doc.text[span.start:span.end] for span in doc.pages]


EXTRACTORS: dict[str, Callable[[Path], list[str]]] = {
    "pdfplumber": _pdfplumber,
    "pdfplumber-layout": _pdfplumber_layout,
    "pypdfium2": _pypdfium2,
    "pypdf": _pypdf,
    "pypdf-layout": _pypdf_layout,
    "pymupdf": _pymupdf,
    "pymupdf-blocks": _pymupdf_blocks,
    "pdftotext": _pdftotext,
    "council-qa": _council_qa,
}

# name -> (module to import or tool to find, distribution whose metadata gives version/licence)
REQUIRES = {
    "pdfplumber": ("pdfplumber", "pdfplumber"),
    "pdfplumber-layout": ("pdfplumber", "pdfplumber"),
    "pypdfium2": ("pypdfium2", "pypdfium2"),
    "pypdf": ("pypdf", "pypdf"),
    "pypdf-layout": ("pypdf", "pypdf"),
    "pymupdf": ("pymupdf", "pymupdf"),
    "pymupdf-blocks": ("pymupdf", "pymupdf"),
    "pdftotext": ("tool:pdftotext", None),
    "council-qa": ("ingest.loaders.pdf", "council-qa"),
}

# Used only where the installed metadata says nothing clear.
KNOWN_LICENCES = {
    "pdfplumber": "MIT",
    "pypdfium2": "Apache-2.0 or BSD-3-Clause (PDFium: BSD-3-Clause)",
    "pypdf": "BSD-3-Clause",
    "pymupdf": "AGPL-3.0 or Artifex commercial",
    "pdftotext": "GPL-2.0 or GPL-3.0 (poppler-utils)",
}

_LIBRARY_DIST = {"pdfplumber": "pdfplumber", "pypdfium2": "pypdfium2", "pypdf": "pypdf", "pymupdf": "pymupdf", "fitz": "pymupdf"}


def _council_qa_licence() -> str:
    """The project's licence, plus that of the PDF library its loader imports."""
    try:
        import ingest.loaders.pdf as loader
    except ImportError:
        return "MIT"
    used = sorted({_LIBRARY_DIST[v.__name__.split(".")[0]] for v in vars(loader).values()
                   if isinstance(v, type(sys)) and v.__name__.split(".")[0] in _LIBRARY_DIST})
    return "MIT" + "".join(f" + {lib}: {licence(lib)}" for lib in used)

# ----------------------------------------------------------------- reading-order sentences
# Read by eye from the page images (pdftoppm -png -r 60 -f N -l N FILE /tmp/x, zoomed where
# the print was small), not from any extractor's output. Each runs across at least one line
# break inside a single column. Pages are 1-based PDF page indices.
BUS = "weca_2021-09_bus-strategy.pdf"  # three text columns
NOTT = "nottingham-city-council_2022-11_wpl-ten-year-impact-report.pdf"  # landscape brochure, 2-3 columns
ROSE = "rosemead-city-council_2022-11-08_agenda.pdf"  # boxed left sidebar beside the main column
CONST = "bristol-city-council_2024-05_constitution-access-to-information-rules.pdf"  # single column

MULTI_COLUMN_SENTENCES = [
    (BUS, 4, "Our population is growing at a faster rate than other city-regions, and so the strain on our transport network is growing."),
    (BUS, 4, "We undertook a public consultation on this bus strategy in February and March 2020."),
    (BUS, 4, "We need to transform public transport by making it more user friendly, affordable, convenient, safe and attractive, linking key destinations to make sure that everyone can use it."),
    (BUS, 4, "We want to create a bus network that people want, and are able to use, so that, as we emerge from the Covid-19 pandemic, we see a doubling of bus passenger journeys by 2036."),
    (BUS, 5, "In 2017, the West of England Combined Authority (WECA) was formed to champion the region and drive clean and inclusive economic growth."),
    (BUS, 5, "On 25 March the Coronavirus Act 2020 led to travel restrictions that have dramatically reduced bus passenger journeys."),
    (BUS, 9, "Prior to the Coronavirus pandemic the West of England bus network covered a wide area with urban, inter-urban and rural services."),
    (BUS, 9, "The scale and impact will need to be carefully considered in any network redesign."),
    (NOTT, 3, "Working in partnership with sustainable transport operators, we have revolutionised how people travel around Nottingham and connected our residents with jobs, education and healthcare."),
    (NOTT, 3, "The first of its kind in Europe, the scheme has raised almost £90 million, which has been re-invested into sustainable transport across the city."),
    (NOTT, 3, "The WPL tackles transport emissions head-on and will contribute to Nottingham achieving carbon neutrality by 2028."),
    (NOTT, 3, "Thank you for being part of this innovative scheme and if this is what we have achieved in the first ten years, imagine the difference we can make for our future generations in the years to come."),
    (NOTT, 5, "Our programme looks beyond congestion; it is a sustainable solution that makes Nottingham a better place to live and work, improves air quality, successfully attracts inward investment, and enables the growth of our economy."),
    (NOTT, 5, "Over the last 10 years, 2,600 new companies have been created in Nottingham and 67% of businesses which relocated here said that good transport links were a factor in their decision."),
    (NOTT, 5, "The WPL provided a great head start for green transport options in Nottingham, but we recognised that we had to go further."),
    (ROSE, 1, "If you wish to address the City Council, please complete a Speaker Request Card, as it must be handed to the City Clerk before the start of the meeting."),
    (ROSE, 1, "The City Council will hear public comments on items listed on the agenda during discussion of the matter and prior to a vote."),
    (ROSE, 1, "Pursuant to provisions of the Brown Act, no action may be taken on a matter unless it is listed on the agenda, or unless certain emergency or special circumstances exist."),
    (ROSE, 2, "Pursuant to Gov. Code Sect. 54954.3(c), any person who engages in unlawful interference shall be removed from chambers."),
    (ROSE, 2, "In compliance with the ADA, if you need special assistance to participate in this meeting, please contact the City Clerk's office at least 48 hours prior to the meeting to allow the City to make reasonable arrangements to ensure accessibility to the meeting or service."),
    (ROSE, 2, "Any writings or documents provided to a majority of the Rosemead City Council regarding any item on this agenda will be made available for public inspection in the City Clerk's office during normal business hours."),
]

SINGLE_COLUMN_SENTENCES = [  # the control: the same test on a plain one-column page
    (CONST, 2, "A summons to attend Council meetings will be emailed to members at least 6 clear working days before the meeting."),
    (CONST, 2, "At least 5 clear days before a private meeting a further notice of the intention to hold part or all of the meeting in private must be included in the agenda published on the website by the Proper Officer and be available for inspection."),
    (CONST, 2, "Where the date by which a private meeting must be held makes compliance with (i) and (ii) above impracticable, the meeting may only be held in private where agreement has been obtained by the relevant Director from the Chair and Vice-chair of the relevant policy committee, the Monitoring Officer and the Section 151 Officer that the meeting is urgent and cannot reasonably be deferred."),
    (CONST, 2, "As soon as reasonably practicable after such agreement has been obtained, a further notice must be published on the agenda on the website and be available for inspection, setting out the reasons why the meeting is urgent and cannot reasonably be deferred."),
]

# ------------------------------------------------------------------------- table pairs
# (file, page, row label, value), read by eye from the page images of the tables
# (pdftoppm -png -r 60..150), not from any extractor's output. Pages are PDF indices.
WECA = "weca_2026-06-05_budget-outturn-report.pdf"
CIL = "city-of-london_2024-01-01_cil-rate-summary.pdf"
CEA = "nottingham-city-council_2025-03_civil-enforcement-annual-report-2023-24.pdf"
CUYA = "cuyahoga-board-of-health_2019-04-24_agenda.pdf"
IFA = "illinois-finance-authority_2020-12-08_agenda.pdf"

TABLE_PAIRS = [
    # Figure 1, horizontal rules only; the Outturn and % columns
    (WECA, 2, "Delivery Sub Total", "117,940"),
    (WECA, 2, "Corporate Sub Total", "15,947"),
    (WECA, 2, "Net Expenditure", "133,887"),
    (WECA, 2, "Other Sub Total", "171%"),
    (WECA, 2, "MCA Revenue Funding", "(173,996)"),
    # Figure 2, dotted row rules, no column rules
    (WECA, 3, "Economy & Skills", "40,605"),
    (WECA, 3, "Transport", "58,231"),
    (WECA, 3, "Homes & Regeneration", "100%"),
    (WECA, 3, "Strategy", "564"),
    (WECA, 3, "Grant Management & Assurance", "5,995"),
    # fully ruled grid; last column (2024) and 2020
    (CIL, 1, "Offices", "£119.56"),
    (CIL, 1, "Riverside", "£239.12"),
    (CIL, 1, "Rest of City", "£151.44"),
    (CIL, 1, "All other uses", "£111.40"),
    # income and expenditure tables: right-aligned labels, light row rules
    (CEA, 30, "Penalty Charge Notice Income", "2,343,350.68"),
    (CEA, 30, "Supplies & Services", "826,051.39"),
    (CEA, 30, "Net Surplus", "15,848,101.56"),
    # Table 1.0: two label/value pairs side by side in one grid
    (CEA, 31, "11 – Parked without Payment", "13017"),
    (CEA, 31, "25 – Parked in Loading Bay", "1031"),
    (CEA, 31, "46 – Stopped where prohibited", "3020"),
    (CEA, 31, "99 – Pedestrian Crossing", "1143"),
    # unruled amount tables in the resolutions
    (CUYA, 1, "Year 1", "$32,300.00"),
    (CUYA, 2, "AIDS Healthcare Foundation", "25,742.00"),
    (CUYA, 2, "Circle Health Services", "128,918.00"),
    (CUYA, 2, "MetroHealth Medical System", "1,443,821.00"),
    (CUYA, 2, "Nueva Luz", "498,359.00"),
    (CUYA, 2, "University Hospitals of Cleveland", "936,170.00"),
    # ruled project table; the McKinley label wraps onto two lines, the amount sits between
    (IFA, 2, "The McKinley Foundation", "$32,000,000"),
    (IFA, 2, "Petros PACE Finance Titling Trust", "$100,000,000"),
    (IFA, 2, "TOTAL CONDUIT FINANCING PROJECTS", "$132,000,000"),
    (IFA, 2, "GRAND TOTAL", "$132,000,000"),
    (IFA, 2, "Resolution of Intent Requesting an Initial Allocation", "CM"),
]

# ------------------------------------------------------------------------ text helpers
_CHAR_MAP = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u00ad": "",
})


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_CHAR_MAP)


def words(text: str) -> Counter:
    return Counter(re.findall(r"[^\W_]+", _normal(text).lower()))


def _flow(text: str) -> str:
    text = _normal(text)
    text = re.sub(r"(?<=\w)-[ \t]*\r?\n\s*(?=\w)", "", text)  # hyphen line break
    return " ".join(text.split())


def sentence_in_order(sentence: str, page_text: str) -> bool:
    return _flow(sentence) in _flow(page_text)


def pair_on_line(label: str, value: str, page_text: str) -> bool:
    label_n = " ".join(_normal(label).split()).lower()
    value_re = re.compile(r"(?<![0-9A-Za-z])(?<![0-9][.,])" + re.escape(_normal(value).lower()) + r"(?![0-9A-Za-z])(?![.,][0-9])")
    for line in _normal(page_text).lower().splitlines():
        line = " ".join(line.split())
        at = line.find(label_n)
        while at >= 0:
            if value_re.search(line, at + len(label_n)):
                return True
            at = line.find(label_n, at + 1)
    return False


def reference_recall(pages_by_extractor: dict[str, list[str]], name: str) -> tuple[int, int]:
    """(tokens found, tokens in the majority reference) for one extractor on one document."""
    others = [n for n in pages_by_extractor if n != name]
    need = len(others) // 2 + 1  # a strict majority of the other extractors
    found = total = 0
    n_pages = len(pages_by_extractor[name])
    for index in range(n_pages):
        own = words(pages_by_extractor[name][index])
        counts = [words(pages_by_extractor[o][index]) for o in others]
        for token in set().union(*counts) if counts else ():
            per = sorted((c[token] for c in counts), reverse=True)
            ref = per[need - 1] if len(per) >= need else 0  # k-th occurrence found by >= need others
            if ref:
                total += ref
                found += min(own[token], ref)
    return found, total


# ------------------------------------------------------------------------- licence
def licence(name: str) -> str:
    if name == "council-qa":
        return _council_qa_licence()
    module, dist = REQUIRES[name]
    base = name.split("-layout")[0].replace("-blocks", "")
    if dist:
        try:
            meta = importlib.metadata.metadata(dist)
        except importlib.metadata.PackageNotFoundError:
            meta = None
        if meta is not None:
            expr = meta.get("License-Expression")
            if expr:
                return expr
            classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
            if classifiers:
                return ", ".join(classifiers).replace(" License", "")
            text = (meta.get("License") or "").strip()
            if text and len(text) < 80:
                return text
    return KNOWN_LICENCES.get(base, "unknown")


def version(name: str) -> str:
    module, dist = REQUIRES[name]
    if module.startswith("tool:"):
        try:
            done = subprocess.run([module[5:], "-v"], capture_output=True, text=True)
            return (done.stderr or done.stdout).splitlines()[0].split()[-1]
        except (OSError, IndexError):
            return "?"
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def available(name: str) -> str | None:
    """None when usable, else why not."""
    module, _ = REQUIRES[name]
    if module.startswith("tool:"):
        return None if shutil.which(module[5:]) else f"{module[5:]} not on PATH"
    try:
        __import__(module)
    except ImportError as exc:
        return f"cannot import {module} ({exc})"
    return None


def council_qa_state() -> dict:
    """Which council-qa loader was measured: HEAD, and the loader files as imported."""
    import hashlib

    state: dict = {}
    try:
        state["git_head"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "ingest"], cwd=REPO, capture_output=True, text=True).stdout
        state["uncommitted_in_ingest"] = [ln[3:] for ln in dirty.splitlines()]
    except OSError:
        pass
    for rel in ("ingest/loaders/pdf.py", "ingest/layout.py", "ingest/textblocks.py", "ingest/document.py"):
        f = REPO / rel
        if f.exists():
            state[rel] = hashlib.sha256(f.read_bytes()).hexdigest()[:12]
    return state


def page_count(path: Path) -> int | None:
    for opener in (_count_pdfium, _count_pypdf):
        try:
            return opener(path)
        except Exception:
            continue
    return None


def _count_pdfium(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def _count_pypdf(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


# ---------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="folder of PDFs (default: %(default)s)")
    parser.add_argument("--json", metavar="OUT", help="write every figure (per document too) to this JSON file")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per document and extractor (median kept)")
    parser.add_argument("--extractors", default=",".join(EXTRACTORS), help="comma-separated subset")
    parser.add_argument("--docs", default="*.pdf", help="glob inside the corpus (default: %(default)s)")
    args = parser.parse_args()

    corpus = Path(args.corpus).resolve()
    paths = sorted(corpus.glob(args.docs))
    if not paths:
        sys.exit(f"no PDFs matching {args.docs} in {corpus}")
    notes: list[str] = []
    names = []
    for name in args.extractors.split(","):
        if name not in EXTRACTORS:
            sys.exit(f"unknown extractor {name}; known: {', '.join(EXTRACTORS)}")
        why = available(name)
        if why:
            notes.append(f"{name}: skipped, {why}")
        else:
            names.append(name)
    if not names:
        sys.exit("no extractor available")
    for note in notes:
        print("note:", note, file=sys.stderr)

    pages_of = {p.name: page_count(p) for p in paths}
    # warm-up on the smallest file: imports and first-call set-up are not timed
    smallest = min(paths, key=lambda p: p.stat().st_size)
    for name in names:
        try:
            EXTRACTORS[name](smallest)
        except Exception:
            pass

    loader_state = council_qa_state() if "council-qa" in names else None
    if loader_state and loader_state.get("uncommitted_in_ingest"):
        notes.append("council-qa: measured with uncommitted changes in " + ", ".join(loader_state["uncommitted_in_ingest"]))

    times: dict[str, dict[str, list[float]]] = {n: {p.name: [] for p in paths} for n in names}
    texts: dict[str, dict[str, list[str]]] = {n: {} for n in names}
    errors: dict[str, dict[str, str]] = {n: {} for n in names}
    started = time.perf_counter()
    for run in range(args.runs):
        for d, path in enumerate(paths):
            k = (run + d) % len(names)
            for name in names[k:] + names[:k]:  # rotate who goes first
                gc.collect()
                t0 = time.perf_counter()
                try:
                    out = EXTRACTORS[name](path)
                except Exception as exc:  # recorded, the document counts as empty for it
                    out = []
                    errors[name][path.name] = f"{type(exc).__name__}: {' '.join(str(exc).split())[:160]}"
                times[name][path.name].append(time.perf_counter() - t0)
                if run == 0:
                    texts[name][path.name] = out
        print(f"run {run + 1}/{args.runs} done at {time.perf_counter() - started:.0f} s", file=sys.stderr)

    # page lists all padded to the same page count
    for path in paths:
        n = pages_of[path.name] or max(len(texts[x][path.name]) for x in names)
        pages_of[path.name] = n
        for name in names:
            got = texts[name][path.name]
            if len(got) != n and path.name not in errors[name] and not (name == "council-qa" and not got):
                notes.append(f"{name}: {path.name} gave {len(got)} pages, expected {n}")
            texts[name][path.name] = (got + [""] * n)[:n]
    total_pages = sum(pages_of.values())

    results: dict[str, dict] = {}
    for name in names:
        per_doc = {}
        for path in paths:
            f, t = reference_recall({x: texts[x][path.name] for x in names}, name) if len(names) > 1 else (0, 0)
            per_doc[path.name] = {
                "pages": pages_of[path.name],
                "seconds_runs": times[name][path.name],
                "seconds_median": statistics.median(times[name][path.name]),
                "ref_tokens": t,
                "found_tokens": f,
                "recall": (f / t) if t else None,
                "chars": sum(len(x) for x in texts[name][path.name]),
                "error": errors[name].get(path.name),
            }
        recalls = {doc: v["recall"] for doc, v in per_doc.items() if v["recall"] is not None}
        worst = min(recalls, key=recalls.get) if recalls else None
        seconds = sum(v["seconds_median"] for v in per_doc.values())

        def check(items, test):
            out = []
            for item in items:
                doc, page = item[0], item[1]
                page_texts = texts[name].get(doc)
                ok = bool(page_texts) and page <= len(page_texts) and test(item, page_texts[page - 1])
                out.append({"file": doc, "page": page, "item": list(item[2:]), "ok": ok})
            return out

        in_corpus = {p.name for p in paths}
        multi = check([s for s in MULTI_COLUMN_SENTENCES if s[0] in in_corpus], lambda s, tx: sentence_in_order(s[2], tx))
        single = check([s for s in SINGLE_COLUMN_SENTENCES if s[0] in in_corpus], lambda s, tx: sentence_in_order(s[2], tx))
        pairs = check([p for p in TABLE_PAIRS if p[0] in in_corpus], lambda p, tx: pair_on_line(p[2], p[3], tx))
        results[name] = {
            "version": version(name),
            "licence": licence(name),
            "seconds_total": seconds,
            "seconds_per_page": seconds / total_pages,
            "recall_mean": statistics.mean(recalls.values()) if recalls else None,
            "recall_worst_doc": worst,
            "recall_worst": recalls.get(worst) if worst else None,
            "reading_order_multi": multi,
            "reading_order_single": single,
            "table_pairs": pairs,
            "documents": per_doc,
        }

    base = results.get("pdfplumber", {}).get("seconds_per_page")
    header = f"{'extractor':<18}{'version':>10}{'s/page':>9}{'x pdfplumber':>13}  {'recall mean / worst doc':<50}{'order multi':>12}{'order 1-col':>12}{'table pairs':>12}  licence"
    print(f"\n{len(paths)} PDFs, {total_pages} pages, median of {args.runs} runs per document; {os.cpu_count()} CPU cores")
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        ratio = f"{r['seconds_per_page'] / base:.2f}x" if base else "-"
        worst = f"{r['recall_worst']:.3f} {_short(r['recall_worst_doc'])}" if r["recall_worst_doc"] else "-"
        recall = f"{r['recall_mean']:.3f} / {worst}" if r["recall_mean"] is not None else "-"
        print(
            f"{name:<18}{r['version']:>10}{r['seconds_per_page']:>9.4f}{ratio:>13}  {recall:<50}"
            f"{_score(r['reading_order_multi']):>12}{_score(r['reading_order_single']):>12}{_score(r['table_pairs']):>12}  {r['licence']}"
        )
    low = [(n, d, v["recall"]) for n, r in results.items() for d, v in r["documents"].items() if v["recall"] is not None and v["recall"] < 0.9]
    if low:
        print("\nrecall below 0.90 on a document:")
        for n, d, v in sorted(low):
            print(f"  {n:<18} {v:.3f}  {d}")
    errs = [(n, d, e) for n in names for d, e in errors[n].items()]
    if errs:
        print("\nerrors:")
        for n, d, e in errs:
            print(f"  {n:<18} {d}: {e}")
    for note in notes:
        print("note:", note)

    if args.json:
        payload = {
            "corpus": str(corpus),
            "documents": len(paths),
            "pages": total_pages,
            "runs": args.runs,
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": sys.version.split()[0],
            "notes": notes,
            "council_qa_loader": loader_state,
            "extractors": results,
        }
        Path(args.json).write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")


def _score(items: list[dict]) -> str:
    return f"{sum(i['ok'] for i in items)}/{len(items)}" if items else "-"


def _short(doc: str) -> str:
    return doc[:-4] if len(doc) <= 34 else doc[:31] + "..."


if __name__ == "__main__":
    main()
