"""HTML pages: main content only, headings kept, page furniture dropped."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.document import ExtractedDocument, HeadingMark
from ingest.loaders.text import read_text_file
from ingest.textblocks import TextBuilder

_DROP_TAGS = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside",
              "form", "iframe", "svg", "button", "select", "input", "dialog", "canvas"}
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
    _drop_furniture(soup)
    root = soup.find("main") or soup.find("article") or soup.body or soup
    builder = TextBuilder()
    headings: list[HeadingMark] = []
    _walk(root, builder, headings)
    h1 = next((h.title for h in headings if h.level == 1), "")
    return ExtractedDocument(
        source=path, text=builder.text(), format="html", headings=headings,
        title_hint=h1 or title, date_hint=date_hint,
    )


def _drop_furniture(soup: BeautifulSoup) -> None:
    """Remove scripts, navigation, cookie banners and the like, each with all it holds: one
    pass that does not enter what it removes (``Tag.decomposed`` searches a tag's whole
    subtree, so asking it of every tag is quadratic in the page's depth). A class name is
    only a hint: an element holding most of its parent's text is the page's content
    whatever it is called (Bristol's article column is "col-md-8 bcc-has-sidebar")."""
    stack: list[Tag] = [soup]
    while stack:
        parent = stack.pop()
        parent_length = -1  # text left in the parent: read once (a menu of 1,000 items), then kept up to date
        for child in list(parent.children):
            if not isinstance(child, Tag):
                continue
            attrs = " ".join([*child.get("class", []), child.get("id", "") or ""])
            drop = child.name in _DROP_TAGS or (child.get("role") or "").lower() in _DROP_ROLES
            if not drop and attrs and _FURNITURE_ATTR.search(attrs) and child.name not in {"body", "main", "article"}:
                if parent_length < 0:
                    parent_length = len(parent.get_text(strip=True))
                drop = 2 * len(child.get_text(strip=True)) <= parent_length  # not most of what its parent holds
            if not drop:
                stack.append(child)
                continue
            if parent_length >= 0:
                parent_length -= len(child.get_text(strip=True))
            child.decompose()


def _walk(root: Tag, builder: TextBuilder, headings: list[HeadingMark]) -> None:
    """The text of ``root`` in reading order: with an explicit stack, so a page nested
    thousands of elements deep is read like any other (no recursion limit)."""
    stack: list[Tag | str] = [root]  # a Tag to read, or "end" of a block to close
    while stack:
        node = stack.pop()
        if node == "end":
            builder.paragraph_break()
            continue
        for child in reversed(_visit(node, builder, headings)):
            stack.append(child)


def _visit(node: Tag | NavigableString, builder: TextBuilder, headings: list[HeadingMark]) -> list:
    """Write what ``node`` itself shows; return what is to be read after it, in order."""
    if isinstance(node, NavigableString):
        if node.__class__ is NavigableString:  # not comments, CDATA, doctypes
            builder.inline(str(node))
        return []
    if not isinstance(node, Tag):
        return []
    name = node.name.lower()
    level = _HEADING.match(name)
    if level:
        title = " ".join(node.get_text(" ").split())
        if title:
            start, end = builder.block(title)
            headings.append(HeadingMark(start, end, int(level.group(1)), title))
        return []
    if name == "br":
        builder.line_break()
        return []
    if name == "table":
        for row in node.find_all("tr"):
            cells = [" ".join(c.get_text(" ").split()) for c in row.find_all(["td", "th"])]
            if any(cells):
                builder.block(" | ".join(cells))
        return []
    children = list(node.children)
    if name in _BLOCK_TAGS:
        builder.paragraph_break()
        if name == "li":
            builder.inline("- ")
        return children + ["end"]
    return children


def _date_hint(soup: BeautifulSoup) -> str:
    """The page's date as its markup gives it; a timestamp's day only ("2026-06-25T09:00Z")."""
    for name in ("date", "dc.date", "article:published_time", "dcterms.date"):
        meta = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
        if meta and meta.get("content"):
            return _day_of(str(meta["content"]))
    time = soup.find("time", attrs={"datetime": True})
    return _day_of(str(time["datetime"])) if time else ""


def _day_of(stamp: str) -> str:
    return stamp.split("T")[0] if re.match(r"\d{4}-\d{2}-\d{2}T", stamp) else stamp
