"""ModernGov, the committee system most UK councils publish through: its web service
(``mgWebService.asmx``) read into typed records.

The service answers plain GETs with lower-case XML. Real responses escape titles twice,
pad counts with spaces, give links as http:// and list an attachment more than once;
the records here are already cleaned of all that."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit, urlunsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ingest.sources.http import FetchError, PoliteClient

HOSTS_FILE = Path(__file__).with_name("moderngov_hosts.txt")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Council:
    """A council's ModernGov site; ``code`` is its three-letter register code where known."""

    code: str
    slug: str
    base_url: str

    @property
    def name(self) -> str:
        """"Barnet" for a listed council, else the site's host."""
        return self.slug.replace("-", " ").title() if self.code else urlsplit(self.base_url).netloc


@dataclass(frozen=True)
class Committee:
    id: int
    title: str
    category: str = ""
    expired: bool = False


@dataclass(frozen=True)
class Meeting:
    id: int
    date: str  # ISO yyyy-mm-dd
    status: str = ""

    @property
    def cancelled(self) -> bool:
        return self.status.lower().startswith("cancel")


@dataclass(frozen=True)
class Attachment:
    id: int
    title: str
    url: str  # "" when the link is not an http(s) address
    restricted: bool = False
    external: bool = False  # a link to another site (a webcast, a gov.uk page), not a document


@dataclass(frozen=True)
class AgendaItem:
    id: int
    number: str  # as printed: "1", "4a"
    title: str
    text_html: str = ""
    minutes_html: str = ""
    restricted: bool = False
    attachments: tuple[Attachment, ...] = ()

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


@dataclass(frozen=True)
class MeetingDetail:
    id: int
    date: str
    status: str = ""
    items: tuple[AgendaItem, ...] = field(default_factory=tuple)
    repeated_listings: int = 0  # attachments listed again under the same item, dropped

    @property
    def has_minutes(self) -> bool:
        return any(item.minutes_html for item in self.items)


@lru_cache(maxsize=1)
def known_councils() -> tuple[Council, ...]:
    """The councils in the bundled host list (DemocracyClub LGSF, MIT)."""
    councils = []
    for line in HOSTS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _service, url = line.split()[:3]
        code, _, slug = name.partition("-")
        councils.append(Council(code.upper(), slug, url.rstrip("/")))
    return tuple(councils)


def resolve_council(value: str) -> Council:
    """A council from its code ("BNE"), its name ("barnet") or its site's URL."""
    value = value.strip()
    if re.match(r"https?://", value, re.I):
        base = _site_base(value)
        host = urlsplit(base).netloc.lower()
        known = next((c for c in known_councils() if urlsplit(c.base_url).netloc.lower() == host), None)
        return Council(known.code, known.slug, base) if known else Council("", re.sub(r"[^a-z0-9]+", "-", host), base)
    wanted = value.lower().replace(" ", "-")
    councils = known_councils()
    exact = [c for c in councils if wanted in (c.code.lower(), c.slug)]
    if len(exact) == 1:
        return exact[0]
    partial = [c for c in councils if wanted in c.slug]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = ", ".join(f"{c.code} ({c.slug})" for c in partial[:6])
        raise ValueError(f"{value!r} matches several councils: {names}; give the code or the site's URL")
    raise ValueError(f"no council {value!r} in the ModernGov host list; give the site's URL "
                     "(see `council-qa fetch moderngov --list-councils`)")


def _site_base(url: str) -> str:
    """``https://host/path/mgWebService.asmx/...`` or a page URL, cut back to the site."""
    parts = urlsplit(url.strip())
    path = re.sub(r"/(mgWebService\.asmx.*|[^/]*\.aspx.*)$", "", parts.path, flags=re.I).rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))


def find_committee(committees: list[Committee], wanted: str) -> Committee:
    """A committee by id, by title, or by a part of its title that names only one
    (current committees preferred over expired ones)."""
    wanted = wanted.strip()
    if wanted.isdigit():
        match = [c for c in committees if c.id == int(wanted)]
    else:
        key = _SPACE.sub(" ", wanted).lower()
        match = [c for c in committees if c.title.lower() == key]
        if not match:
            match = [c for c in committees if key in c.title.lower()]
            current = [c for c in match if not c.expired]
            match = current if len(current) == 1 else match
    if len(match) == 1:
        return match[0]
    if not match:
        raise ValueError(f"no committee {wanted!r} on this site (see --list-committees)")
    names = "; ".join(f"{c.id} {c.title}" for c in match[:6])
    raise ValueError(f"{wanted!r} matches several committees: {names}; give its id")


class ModernGovSite:
    """One council's web service."""

    def __init__(self, council: Council, client: PoliteClient) -> None:
        self.council = council
        self.client = client
        self.base_url = council.base_url.rstrip("/")

    def committees(self) -> list[Committee]:
        """Every committee the site lists (deleted ones left out)."""
        root = self._call("GetCommittees", {}, expect="committees")
        return [
            Committee(_int(c, "committeeid"), _text(c, "committeetitle"), _text(c, "committeecategory"),
                      _flag(c, "committeeexpired"))
            for c in root.iter("committee") if not _flag(c, "committeedeleted")
        ]

    def meetings(self, committee_id: int, since: date, until: date) -> list[Meeting]:
        """The committee's meetings in the range (the service's own filter is not trusted)."""
        params = {"lCommitteeId": committee_id, "sFromDate": f"{since:%d/%m/%Y}", "sToDate": f"{until:%d/%m/%Y}"}
        root = self._call("GetMeetings", params, expect="getmeetings")
        found = {
            m.id: m for m in (
                Meeting(_int(el, "meetingid"), _uk_date(_text(el, "meetingdate")), _text(el, "meetingstatus"))
                for el in root.iter("meeting")
            ) if m.date and since.isoformat() <= m.date <= until.isoformat()
        }
        return sorted(found.values(), key=lambda m: (m.date, m.id))

    def meeting(self, meeting: Meeting) -> MeetingDetail:
        """One meeting's items: their agenda text and minutes where published (an item the
        site does not display is left out) and their linked documents, each listed once."""
        root = self._call("GetMeeting", {"lMeetingId": meeting.id}, expect="meeting")
        agenda_published = _flag(root, "agendapublished", default=True)
        items, repeated = [], 0
        for el in root.iter("agendaitem"):
            if not _flag(el, "isdisplayallowed", default=True):
                continue
            attachments: dict[int, Attachment] = {}
            for doc in el.iter("linkeddoc"):
                attachment = Attachment(_int(doc, "attachmentid"), _text(doc, "title"),
                                        self.absolute_url((doc.findtext("url") or "").strip()),
                                        _flag(doc, "isrestricted"), _flag(doc, "isurl"))
                if attachment.id in attachments:  # real responses list some twice
                    repeated += 1
                else:
                    attachments[attachment.id] = attachment
            number = _text(el, "fulldisplaynumberformat").rstrip(".") or _text(el, "agendaitemnumber")
            minutes = el.findtext("minutesnonemptyhtmlbody") or ""
            items.append(AgendaItem(
                _int(el, "agendaitemid"), number, _text(el, "agendaitemtitle"),
                (el.findtext("agendatext") or "") if agenda_published else "",
                minutes if _flag(el, "isminutepublished", default=True) else "",
                _flag(el, "isrestricted"), tuple(attachments.values()),
            ))
        return MeetingDetail(meeting.id, _uk_date(_text(root, "meetingdate")) or meeting.date,
                             _text(root, "meetingstatus") or meeting.status, tuple(items), repeated)

    def meeting_url(self, committee_id: int, meeting_id: int) -> str:
        """The public page of a meeting: its agenda, minutes and documents."""
        return f"{self.base_url}/ieListDocuments.aspx?CId={committee_id}&MId={meeting_id}"

    def committee_url(self, committee_id: int) -> str:
        return f"{self.base_url}/mgCommitteeDetails.aspx?ID={committee_id}"

    def absolute_url(self, link: str) -> str:
        """A link made absolute, spaces in it encoded, http:// upgraded to https:// on the
        site's own https host; "" for anything but an http(s) address."""
        if not link:
            return ""
        parts, base = urlsplit(urljoin(self.base_url + "/", link)), urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return ""
        scheme = "https" if parts.scheme == "http" and base.scheme == "https" and \
            parts.netloc.lower() == base.netloc.lower() else parts.scheme
        return urlunsplit((scheme, parts.netloc, quote(parts.path, safe="/%:@!$&'()*+,;=-._~"),
                           quote(parts.query, safe="=&%/:+,;?@!$'()*-._~"), ""))

    def _call(self, operation: str, params: dict, expect: str) -> Element:
        url = f"{self.base_url}/mgWebService.asmx/{operation}"
        try:
            body = self.client.get_bytes(url, params)
        except FetchError as exc:
            if exc.status in (404, 405):
                raise FetchError(url, "not a ModernGov site: it has no ModernGov web service", exc.status) from None
            raise
        try:
            root = fromstring(body)
        except (ParseError, DefusedXmlException):
            raise FetchError(url, "not a ModernGov site: its web service did not answer with XML") from None
        if root.tag.lower() != expect:
            raise FetchError(url, f"not a ModernGov site: expected <{expect}>, got <{root.tag}>")
        return root


def clean_title(text: str) -> str:
    """Entities undone as often as they were applied (real titles carry ``&amp;amp;``)."""
    for _ in range(3):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    return _SPACE.sub(" ", text).strip()


def _text(el: Element, tag: str) -> str:
    return clean_title(el.findtext(tag) or "")


def _int(el: Element, tag: str) -> int:
    try:
        return int((el.findtext(tag) or "").strip())
    except ValueError:
        return 0


def _flag(el: Element, tag: str, default: bool = False) -> bool:
    value = (el.findtext(tag) or "").strip().lower()
    return default if value not in ("true", "false") else value == "true"


def _uk_date(text: str) -> str:
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text.strip())
    if not match:
        return ""
    try:
        return date(int(match[3]), int(match[2]), int(match[1])).isoformat()
    except ValueError:
        return ""
