"""What opening a PDF citation costs: the page drawn and the quote found on it.

For sentences taken from the real papers' own pages (``../shared/corpus-real``), times
``find_passage`` over the cited page and the next, and ``page_png`` at the width the
chat serves; as a same-process baseline, reading the whole PDF file (what serving the
PDF itself costs the server). Prints medians, p95 and ratios. The machines are noisy:
read ratios.
Run: python bench/page_view.py [--quotes 40]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generality import real_papers  # noqa: E402
from percentiles import percentile  # noqa: E402


def sample_quotes(papers: list[Path], count: int, seed: int = 7) -> list[tuple[Path, int, str]]:
    """Lines of eight words or more, read from random pages of the PDFs themselves."""
    import pypdfium2 as pdfium

    rng, found = random.Random(seed), []
    pdfs = [p for p in papers if p.suffix == ".pdf"]
    while len(found) < count:
        path = rng.choice(pdfs)
        pdf = pdfium.PdfDocument(str(path))
        try:
            page = rng.randrange(len(pdf))
            lines = [ln.strip() for ln in pdf[page].get_textpage().get_text_range().splitlines()
                     if len(ln.split()) >= 8]
        finally:
            pdf.close()
        if lines:
            found.append((path, page + 1, rng.choice(lines)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quotes", type=int, default=40)
    args = parser.parse_args()
    from ingest.pages import find_passage, page_png

    quotes = sample_quotes(real_papers(), args.quotes)
    find_ms, draw_ms, read_ms, marked = [], [], [], 0
    for path, page, quote in quotes:
        started = time.perf_counter()
        path.read_bytes()
        read_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        found = find_passage(path, page, page + 1, quote[:300])
        find_ms.append((time.perf_counter() - started) * 1000)
        marked += bool(found and found.page == page)
        started = time.perf_counter()
        page_png(path, page)
        draw_ms.append((time.perf_counter() - started) * 1000)
    base = statistics.median(read_ms)
    print(f"quotes: {len(quotes)} from {len({p for p, _, _ in quotes})} PDFs; marked on their own page: "
          f"{marked}/{len(quotes)}")
    for name, values in (("find the quote (2 pages)", find_ms), ("draw the page (1200 px)", draw_ms),
                         ("read the PDF file (baseline)", read_ms)):
        print(f"{name}: median {statistics.median(values):.1f} ms, p95 {percentile(values, 95):.1f} ms, "
              f"{statistics.median(values) / base:.1f}x the baseline")


if __name__ == "__main__":
    main()
