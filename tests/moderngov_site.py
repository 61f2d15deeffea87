"""A ModernGov site on loopback that serves the real web-service responses in
``../shared/fixtures/moderngov`` (Manchester City Council, trimmed), and PDFs made in the test.

The real responses name their own host in links; the server rewrites that to itself.
Knobs make it misbehave the ways real sites do: 403 to clients that do not look like a
browser, slow answers, 503s, and the quirks listed in the fixtures' README."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from council_qa.config import PROJECT_ROOT

FIXTURES = PROJECT_ROOT.parent / "shared" / "fixtures" / "moderngov"
REAL_HOST = "https://democracy.manchester.gov.uk"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@dataclass
class LoopbackSite:
    """What the site serves and how it misbehaves; ``base_url`` once started."""

    pdfs: dict[int, bytes] = field(default_factory=dict)
    meetings: dict[int, str] = field(default_factory=dict)  # GetMeeting answers by meeting id
    meetings_xml: str = ""
    committees_xml: str = ""
    browser_only: bool = True  # 403 unless the User-Agent looks like a browser, as many councils do
    forbidden: bool = False  # 403 to everything
    not_moderngov: bool = False  # an ordinary web page where the web service should be
    slow: Counter = field(default_factory=Counter)  # path+query -> answers to delay past the client's timeout
    failing: Counter = field(default_factory=Counter)  # path+query -> answers to give as 503
    retry_after: str = ""  # the Retry-After header sent with each 503
    cut_short: Counter = field(default_factory=Counter)  # path+query -> answers cut off half way
    status: dict[str, int] = field(default_factory=dict)  # path prefix -> a status to answer with
    delay_seconds: float = 2.0
    requests: list[str] = field(default_factory=list)
    user_agents: set[str] = field(default_factory=set)
    base_url: str = ""

    def __post_init__(self) -> None:
        self.committees_xml = self.committees_xml or fixture("committees.xml")
        self.meetings_xml = self.meetings_xml or fixture("meetings.xml")
        self.meetings = self.meetings or {4966: fixture("meeting_no_minutes.xml"),
                                          4967: fixture("meeting_with_minutes.xml")}

    def count(self, path_and_query: str) -> int:
        return sum(1 for r in self.requests if r == path_and_query)

    def answer(self, handler: BaseHTTPRequestHandler) -> tuple[int, str, bytes]:
        """Status, content type and body for one request."""
        target = handler.path
        self.requests.append(target)
        agent = handler.headers.get("User-Agent", "")
        self.user_agents.add(agent)
        if self.forbidden or (self.browser_only and "Mozilla/" not in agent):
            return 403, "text/html", b"<html><body>Access denied</body></html>"
        if self.slow[target] > 0:
            self.slow[target] -= 1
            time.sleep(self.delay_seconds)
        if self.failing[target] > 0:
            self.failing[target] -= 1
            return 503, "text/plain", b"busy"
        url = urlsplit(target)
        for prefix, status in self.status.items():
            if url.path.startswith(prefix):
                return status, "text/html", b"<html><body>No such page</body></html>"
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if self.not_moderngov:
            return 200, "text/html", b"<!DOCTYPE html><html><body><h1>Welcome to our council</h1></body></html>"
        operation = url.path.rsplit("/", 1)[-1]
        xml = {
            "GetCommittees": self.committees_xml,
            "GetMeetings": self.meetings_xml,
            "GetMeeting": self.meetings.get(int(query.get("lMeetingId", "0") or 0), ""),
        }.get(operation) if url.path.startswith("/mgWebService.asmx/") else None
        if xml:
            return 200, "text/xml; charset=utf-8", xml.replace(REAL_HOST, self.base_url).encode("utf-8")
        if url.path == "/mgConvert2PDF.aspx" and int(query.get("ID", "0")) in self.pdfs:
            return 200, "application/pdf", self.pdfs[int(query["ID"])]
        return 404, "text/html", b"<html><body>Not found</body></html>"


class _Handler(BaseHTTPRequestHandler):
    site: LoopbackSite

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        try:
            status, kind, body = self.site.answer(self)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if status == 503 and self.site.retry_after:
                self.send_header("Retry-After", self.site.retry_after)
            self.end_headers()
            if self.site.cut_short[self.path] > 0 and status == 200:
                self.site.cut_short[self.path] -= 1
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)

    def log_message(self, *args) -> None:
        pass


class running:
    """``with running(site) as base_url:`` serves ``site`` on a free loopback port."""

    def __init__(self, site: LoopbackSite) -> None:
        handler = type("Handler", (_Handler,), {"site": site})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.site = site
        site.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.site.base_url

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def with_quirks(meeting_xml: str) -> str:
    """The real meeting answer with the quirks its README lists added: a title escaped
    twice, the same attachment listed twice, and a restricted (exempt) attachment."""
    work_programme = meeting_xml.index("<attachmentid>60909</attachmentid>")
    start = meeting_xml.rindex("<linkeddoc>", 0, work_programme)
    end = meeting_xml.index("</linkeddoc>", work_programme) + len("</linkeddoc>")
    doc = meeting_xml[start:end]
    restricted = (doc.replace("60909", "60910").replace("DRAFT WP  FEBRUARY 2026", "Exempt appendix: contract prices")
                  .replace("<isrestricted>False</isrestricted>", "<isrestricted>True</isrestricted>"))
    quirky = doc.replace("DRAFT WP  FEBRUARY 2026", "DRAFT WP &amp;amp; Risk Register  FEBRUARY 2026")
    return meeting_xml[:start] + quirky + "\n" + doc + "\n" + restricted + meeting_xml[end:]


def earlier_meeting(meeting_xml: str, meeting_id: int, uk_date: str) -> str:
    """The real meeting answer moved to another id and date, its attachments renumbered
    (+1000) and the minutes it approves dated 21 Oct 2025, so a committee has two meetings
    with minutes."""
    return (meeting_xml.replace("<meetingid>4967</meetingid>", f"<meetingid>{meeting_id}</meetingid>")
            .replace("25 Nov 2025", "21 Oct 2025")
            .replace("10/02/2026", uk_date).replace("<attachmentid>609", "<attachmentid>619")
            .replace("<attachmentid>608", "<attachmentid>618").replace("ID=609", "ID=619").replace("ID=608", "ID=618"))
