"""A committee's papers fetched from ModernGov into a folder ingest reads like any other.

Layout: ``{folder}/{council}/{committee}/{meeting date}/`` holding ``minutes.html`` and
``agenda.html`` (written from the web service's own item text, no PDF needed) and the
public attachments, each file with a ``.meta.json`` sidecar giving the service's committee
name, meeting date, agenda item, title and public URL, which win over what ingest detects.
Runs are resumable: a file whose bytes match its sidecar's sha256 is not fetched again."""

from __future__ import annotations

import hashlib
import html
import json
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ingest.loaders import supported_extensions
from ingest.metadata import SIDECAR_SUFFIX, long_date, normalise_body, parse_date
from ingest.sources.http import FetchError, file_sha256, write_atomically
from ingest.sources.moderngov import AgendaItem, Attachment, Committee, Meeting, MeetingDetail, ModernGovSite

# How far back the committee's meeting dates are read, so an earlier meeting's minutes
# tabled at the first meeting of the range are recognised as that meeting's.
LOOKBACK = timedelta(days=400)
# An item that approves the committee's own earlier minutes: "Minutes", "Minutes of the
# previous meeting", "Approval of the minutes", "To confirm the minutes of ...".
_APPROVES_MINUTES = re.compile(
    r"^(?:(?:approval|confirmation|adoption)\s+of\s+(?:the\s+)?|to\s+(?:approve|confirm|agree|sign)\s+(?:the\s+)?)?"
    r"minutes\b(?:\s+of\s+(?:the\s+)?(?:previous|last|meeting|\w+\s+meeting)\b.*)?$", re.I)
LEDGER = ".moderngov-duplicates.json"  # url -> sha256 of attachments that repeat another's bytes

OnProgress = Callable[[str, int, int, str], None]  # stage, done, total, label


@dataclass
class FetchedFile:
    path: str
    kind: str  # minutes, agenda, attachment
    title: str
    url: str
    meeting_date: str
    status: str  # planned (a dry run), written, unchanged


@dataclass
class FetchReport:
    council: str
    committee: str
    committee_id: int
    since: str
    until: str
    folder: str
    dry_run: bool = False
    meetings: int = 0  # held (not cancelled) and read
    meetings_cancelled: int = 0
    meetings_without_papers: int = 0
    written: int = 0
    unchanged: int = 0  # already fetched, same sha256: a resumed run skips these
    restricted: int = 0
    external: int = 0  # links to other sites, not documents
    unsupported: int = 0  # documents in a format ingest cannot read
    duplicates: int = 0  # the same attachment listed twice, or the same bytes under two names
    republished_minutes: int = 0  # an earlier meeting's minutes on a later agenda, fetched once
    requests: int = 0
    retries: int = 0
    files: list[FetchedFile] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Job:
    name: str  # file name; an attachment's suffix may change once its bytes are seen
    kind: str
    title: str
    url: str
    content: str | None  # written from the web service; None: downloaded from url
    meta: dict


class CommitteeFetcher:
    """Fetches one committee's meetings in a date range into ``folder``."""

    def __init__(self, site: ModernGovSite, folder: Path, on_progress: OnProgress | None = None) -> None:
        self.site = site
        self.folder = Path(folder)
        self.on_progress = on_progress or (lambda *args: None)

    def committee_folder(self, committee: Committee) -> Path:
        return self.folder / self.site.council.slug / _slug(committee.title)

    def fetch(self, committee: Committee, since: date, until: date, dry_run: bool = False) -> FetchReport:
        target = self.committee_folder(committee)
        report = FetchReport(self.site.council.slug, committee.title, committee.id, since.isoformat(),
                             until.isoformat(), str(target), dry_run)
        listed = self.site.meetings(committee.id, since - LOOKBACK, until)
        held = [m for m in listed if not m.cancelled]
        wanted = [m for m in listed if m.date >= since.isoformat()]
        details: list[MeetingDetail] = []
        for done, meeting in enumerate(wanted):
            self.on_progress("meetings", done, len(wanted), meeting.date)
            if meeting.cancelled:
                report.meetings_cancelled += 1
                continue
            try:
                details.append(self.site.meeting(meeting))
            except FetchError as exc:
                report.errors.append({"url": exc.url, "error": exc.reason})
        self.on_progress("meetings", len(wanted), len(wanted), "")
        report.meetings = len(details)
        report.duplicates = sum(d.repeated_listings for d in details)

        folders = _meeting_folders(target, listed)
        body = normalise_body(committee.title) or committee.title
        pages = {d.id: self._meeting_pages(committee, body, d) for d in details}
        # Meetings whose minutes come from the web service, in this run or an earlier one.
        minuted = {d.date for d in details if any(job.kind == "minutes" for job in pages[d.id])} | _minuted_on_disk(target)
        seen: set[int] = set()
        plan: list[tuple[MeetingDetail, _Job]] = []
        for d in details:
            jobs = pages[d.id] + self._attachments(committee, body, d, held, minuted, seen, report)
            report.meetings_without_papers += not jobs
            plan += [(d, job) for job in jobs]

        known, ledger = _fetched_hashes(target), _read_json(target / LEDGER)
        for done, (detail, job) in enumerate(plan):
            self.on_progress("files", done, len(plan), job.title)
            path = folders[detail.id] / job.name
            if dry_run:
                report.files.append(FetchedFile(str(path), job.kind, job.title, job.url, detail.date, "planned"))
                continue
            try:
                stored = self._store(job, path, known, ledger, report)
            except FetchError as exc:
                report.errors.append({"url": exc.url, "error": exc.reason})
                continue
            except OSError as exc:
                report.errors.append({"url": job.url, "error": f"cannot write {path} ({exc.strerror or exc})"})
                continue
            if stored is not None:
                report.files.append(FetchedFile(str(stored[0]), job.kind, job.title, job.url, detail.date, stored[1]))
        self.on_progress("files", len(plan), len(plan), "")
        if ledger and not dry_run:
            write_atomically(target / LEDGER, lambda out: out.write(json.dumps(ledger, indent=1).encode("utf-8")))
        report.requests, report.retries = self.site.client.counts.requests, self.site.client.counts.retries
        return report

    # -- what to fetch -----------------------------------------------------

    def _base_meta(self, committee: Committee, body: str, detail: MeetingDetail) -> dict:
        return {"body": body, "meeting_date": detail.date, "council": self.site.council.slug,
                "moderngov": {"committee_id": committee.id, "meeting_id": detail.id}}

    def _meeting_pages(self, committee: Committee, body: str, detail: MeetingDetail) -> list[_Job]:
        """The meeting's minutes and agenda as pages of their own, from the service's text."""
        page = self.site.meeting_url(committee.id, detail.id)
        jobs = []
        for kind, part in (("minutes", "minutes_html"), ("agenda", "text_html")):
            items = [i for i in detail.items if getattr(i, part).strip() and not i.restricted]
            if items:
                title = f"{committee.title}: {kind} of the meeting on {long_date(detail.date)}"
                jobs.append(_Job(f"{kind}.html", kind, title, page, _meeting_page(title, items, part),
                                 {**self._base_meta(committee, body, detail), "title": title, "doc_type": kind,
                                  "source_url": page}))
        return jobs

    def _attachments(self, committee: Committee, body: str, detail: MeetingDetail, held: list[Meeting],
                     minuted: set[str], seen: set[int], report: FetchReport) -> list[_Job]:
        jobs = []
        meta = self._base_meta(committee, body, detail)
        for item in detail.items:
            for attachment in item.attachments:
                if attachment.restricted or item.restricted:
                    report.restricted += 1
                    continue
                if attachment.external or not attachment.url:
                    report.external += 1
                    continue
                if attachment.id in seen:
                    report.duplicates += 1
                    continue
                seen.add(attachment.id)
                values = {**meta, "title": attachment.title, "agenda_item": item.heading,
                          "source_url": attachment.url,
                          "moderngov": {**meta["moderngov"], "attachment_id": attachment.id}}
                earlier = _earlier_minutes(item, attachment, detail, held)
                if earlier in minuted:
                    report.republished_minutes += 1
                    continue
                if earlier:  # that meeting's record, tabled here for approval
                    values.update(doc_type="minutes", meeting_date=earlier)
                jobs.append(_Job(_attachment_name(attachment), "attachment", attachment.title, attachment.url,
                                 None, values))
        return jobs

    # -- writing -----------------------------------------------------------

    def _store(self, job: _Job, path: Path, known: dict[str, str], ledger: dict[str, str],
               report: FetchReport) -> tuple[Path, str] | None:
        """Write one file and its sidecar; its path and status, or None for a duplicate."""
        if job.content is not None:
            data = job.content.encode("utf-8")
            sha256 = hashlib.sha256(data).hexdigest()
            if _fetched_already(path, sha256):
                report.unchanged += 1
                return path, "unchanged"
            write_atomically(path, lambda out: out.write(data))
        else:
            existing = _fetched_file(path)
            if existing is not None:
                report.unchanged += 1
                return existing, "unchanged"
            if ledger.get(job.url) in known:
                report.duplicates += 1
                return None
            sha256 = self.site.client.download(job.url, path)
            path = _with_true_suffix(path)
            if path is None:
                report.unsupported += 1
                return None
            if known.get(sha256, str(path)) != str(path):
                path.unlink()
                path.with_name(path.name + SIDECAR_SUFFIX).unlink(missing_ok=True)
                ledger[job.url] = sha256
                report.duplicates += 1
                return None
        known[sha256] = str(path)
        sidecar = json.dumps({**job.meta, "sha256": sha256}, indent=2, ensure_ascii=False).encode("utf-8")
        write_atomically(path.with_name(path.name + SIDECAR_SUFFIX), lambda out: out.write(sidecar))
        report.written += 1
        return path, "written"


def _earlier_minutes(item: AgendaItem, attachment: Attachment, detail: MeetingDetail, held: list[Meeting]) -> str:
    """The date of the committee's earlier meeting whose minutes ``attachment`` is, or "".

    Only under an item that approves minutes: the earlier date in the attachment's title,
    or else the meeting the committee held just before this one."""
    if not _APPROVES_MINUTES.match(item.title.strip()):
        return ""
    named = parse_date(attachment.title)
    if named:
        return named if named < detail.date else ""
    return max((m.date for m in held if m.date < detail.date), default="")


def _meeting_page(title: str, items: list[AgendaItem], part: str) -> str:
    """One HTML page for a meeting: each item's number and title as a heading over its text."""
    sections = "\n".join(f"<section>\n<h2>{html.escape(item.heading)}</h2>\n{getattr(item, part)}\n</section>"
                         for item in items)
    escaped = html.escape(title)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escaped}</title></head>\n'
            f"<body><main>\n<h1>{escaped}</h1>\n{sections}\n</main></body></html>\n")


def _meeting_folders(target: Path, listed: list[Meeting]) -> dict[int, Path]:
    """A folder per meeting by its date; by date and id where the committee met twice that
    day. Read from the whole listing, so a folder's name does not depend on what loaded."""
    per_day = Counter(m.date for m in listed)
    return {m.id: target / (m.date if per_day[m.date] == 1 else f"{m.date}-{m.id}") for m in listed}


def _fetched_hashes(target: Path) -> dict[str, str]:
    """sha256 -> file, for what earlier runs fetched into this committee's folder."""
    known = {}
    if target.is_dir():
        for sidecar in target.rglob("*" + SIDECAR_SUFFIX):
            digest = _read_json(sidecar).get("sha256")
            document = sidecar.with_name(sidecar.name.removesuffix(SIDECAR_SUFFIX))
            if digest and document.is_file():
                known[digest] = str(document)
    return known


def _minuted_on_disk(target: Path) -> set[str]:
    """Meeting dates whose minutes an earlier run wrote from the web service."""
    if not target.is_dir():
        return set()
    return {_read_json(sidecar).get("meeting_date", "") for sidecar in target.glob("*/minutes.html" + SIDECAR_SUFFIX)} - {""}


def _fetched_already(path: Path, sha256: str) -> bool:
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    return path.is_file() and _read_json(sidecar).get("sha256") == sha256 and file_sha256(path) == sha256


def _fetched_file(path: Path) -> Path | None:
    """The file an earlier run stored for this attachment (whatever suffix its bytes gave
    it), when it is whole: its bytes match its sidecar's sha256."""
    stem = path.name.rsplit(".", 1)[0]
    for candidate in sorted(path.parent.glob(f"{stem}.*")) if path.parent.is_dir() else ():
        if candidate.name.endswith(SIDECAR_SUFFIX):
            continue
        recorded = _read_json(candidate.with_name(candidate.name + SIDECAR_SUFFIX)).get("sha256")
        if recorded and file_sha256(candidate) == recorded:
            return candidate
    return None


def _with_true_suffix(path: Path) -> Path | None:
    """A file saved as PDF (what ``mgConvert2PDF.aspx`` serves) renamed to what its bytes
    are when they are Word or a web page; None, and the file removed, when ingest could
    not read them."""
    if path.suffix != ".pdf":
        return path  # the link named its type; ingest reports it if the bytes disagree
    with path.open("rb") as handle:
        head = handle.read(1024)
    if head.startswith(b"%PDF"):
        suffix = ".pdf"
    elif head.startswith(b"PK") and zipfile.is_zipfile(path) and "word/document.xml" in zipfile.ZipFile(path).namelist():
        suffix = ".docx"
    elif re.search(rb"<(!doctype html|html)", head, re.I):
        suffix = ".html"
    else:
        path.unlink()
        return None
    if path.suffix != suffix:
        path = path.rename(path.with_suffix(suffix))
    return path


def _attachment_name(attachment: Attachment) -> str:
    suffix = Path(unquote(urlsplit(attachment.url).path)).suffix.lower()
    suffix = suffix if suffix in supported_extensions() else ".pdf"
    return f"{attachment.id}-{_slug(attachment.title)[:60] or 'attachment'}{suffix}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
