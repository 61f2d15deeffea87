"""Page furniture: the lines a web page or export wraps around the real content."""

from __future__ import annotations

import re

# Phrases that mark site chrome, never council business.
_FURNITURE_PHRASES = [
    r"subscribe to (our )?(updates|newsletter|alerts)",
    r"you'?ll receive (weekly|daily|monthly) (summaries|updates|emails)[^.]*\.?",
    r"if you have any (requests|questions) or comments[^\n]*",
    r"view on (the )?council website",
    r"watch (the )?video of (the )?meeting",
    r"read (the )?transcript( \([^)]*\))?",
    r"\(professional subscription required\)",
    r"no topics have been identified for this meeting yet\.?",
    r"skip to (main )?content",
    r"back to top",
    r"(accept|reject) (all )?cookies",
    r"we use cookies[^\n]*",
    r"cookie (settings|preferences|policy)",
    r"share (this|on) (page|facebook|twitter|x|linkedin|email)",
    r"print (this )?page",
    r"sign (in|up)( to [a-z ]+)?",
    r"log ?in",
    r"follow us on [a-z, ]+",
    r"was this page (useful|helpful)\??",
    r"report a problem with this page",
]
_FURNITURE = re.compile("|".join(f"(?:{p})" for p in _FURNITURE_PHRASES), re.IGNORECASE)

# Headings of empty trailing panels on meeting-summary sites.
_FURNITURE_LINES = {
    "attendees", "topics", "meeting documents", "additional documents",
    "related pages", "related content", "share", "menu", "search", "contact us",
}


def is_furniture(line: str) -> bool:
    """True when most of a line is site chrome (a line mixing chrome and a date counts)."""
    text = " ".join(line.split())
    if not text:
        return False
    if text.lower().rstrip(":") in _FURNITURE_LINES:
        return True
    covered = sum(len(m.group(0)) for m in _FURNITURE.finditer(text))
    return covered >= 0.5 * len(text)
