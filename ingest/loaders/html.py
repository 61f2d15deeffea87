"""HTML pages: main content only, headings kept, page furniture dropped."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.document import ExtractedDocument, HeadingMark
from ingest.loaders.text import read_text_file
from ingest.textblocks import TextBuilder

_DROP_TAGS = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside",
              "form", "iframe", "svg", "button", "select", "input", "dialog", "canvas"]
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "dialog", "alert"}
_FURNITURE_ATTR = re.compile(
    r"cookie|consent|breadcrumb|subscribe|newsletter|share|social|skip-?link|sidebar|"
    r"site-?(header|footer|nav)|menu|masthead|advert|promo|pagination|print-?link",
    re.IGNORECASE,
)
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "dd", "dt", "blockquote",
               "pre", "address", "figcaption", "caption", "tr", "body", "ul", "ol", "dl", "table"}
_HEADING = re.compile(r"^h([1-6])$")


def load_html(path: Path) -> ExtractedDocument:
    soup = BeautifulSoup(read_text_file(path), "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    date_hint = _date_hint(soup)
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        attrs = " ".join([*tag.get("class", []), tag.get("id", "") or ""])
        if (tag.get("role") or "").lower() in _DROP_ROLES or (
            attrs and _FURNITURE_ATTR.search(attrs) and tag.name not in {"body", "main", "article"}
        ):
            tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    builder = TextBuilder()
    headings: list[HeadingMark] = []
    _walk(root, builder, headings)
    h1 = next((h.title for h in headings if h.level == 1), "")
    return ExtractedDocument(
        source=path, text=builder.text(), format="html", headings=headings,
        title_hint=h1 or title, date_hint=date_hint,
    )


def _walk(node: Tag, builder: TextBuilder, headings: list[HeadingMark]) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            if child.__class__ is NavigableString:  # not comments, CDATA, doctypes
                builder.inline(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name.lower()
        level = _HEADING.match(name)
        if level:
            title = " ".join(child.get_text(" ").split())
            if title:
                start, end = builder.block(title)
                headings.append(HeadingMark(start, end, int(level.group(1)), title))
        elif name == "br":
            builder.line_break()
        elif name == "table":
            for row in child.find_all("tr"):
                cells = [" ".join(c.get_text(" ").split()) for c in row.find_all(["td", "th"])]
                if any(cells):
                    builder.block(" | ".join(cells))
        elif name in _BLOCK_TAGS:
            builder.paragraph_break()
            if name == "li":
                builder.inline("- ")
            _walk(child, builder, headings)
            builder.paragraph_break()
        else:
            _walk(child, builder, headings)


def _date_hint(soup: BeautifulSoup) -> str:
    for name in ("date", "dc.date", "article:published_time", "dcterms.date"):
        meta = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
        if meta and meta.get("content"):
            return str(meta["content"])
    time = soup.find("time", attrs={"datetime": True})
    return str(time["datetime"]) if time else ""
