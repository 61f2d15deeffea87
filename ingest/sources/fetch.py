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
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ingest.loaders import supported_extensions
from ingest.metadata import SIDECAR_SUFFIX, parse_date
from ingest.sources.http import FetchError, file_sha256
from ingest.sources.moderngov import AgendaItem, Attachment, Committee, MeetingDetail, ModernGovSite

# An agenda item that approves an earlier meeting's minutes: its attachment republishes them.
_MINUTES_ITEM = re.compile(r"^\s*(?:approval of (?:the )?)?minutes\b", re.I)

OnProgress = Callable[[str, int, int, str], None]  # stage, done, total, label


@dataclass
class FetchedFile:
    path: str
    kind: str  # minutes, agenda, attachment
    title: str
    url: str
    meeting_date: str
    status: str  # written, unchanged, planned

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class FetchReport:
    council: str
    committee: str
    committee_id: int
    since: str
    until: str
    folder: str
    dry_run: bool = False
    meetings: int = 0
    meetings_cancelled: int = 0
    meetings_without_papers: int = 0
    written: int = 0
    unchanged: int = 0  # already fetched, same sha256: a resumed run skips these
    restricted: int = 0
    duplicates: int = 0  # the same attachment listed twice, or the same bytes under two names
    republished_minutes: int = 0  # an earlier meeting's minutes on a later agenda, fetched once
    requests: int = 0
    retries: int = 0
    files: list[FetchedFile] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["files"] = [f.to_dict() for f in self.files]
        return data


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
        meetings = self.site.meetings(committee.id, since, until)
        details: list[MeetingDetail] = []
        for done, meeting in enumerate(meetings, 1):
            self.on_progress("meetings", done - 1, len(meetings), meeting.date)
            if meeting.cancelled:
                report.meetings_cancelled += 1
                continue
            try:
                details.append(self.site.meeting(meeting.id))
            except FetchError as exc:
                report.errors.append({"url": exc.url, "error": exc.reason})
        self.on_progress("meetings", len(meetings), len(meetings), "")
        report.meetings = len(details)
        report.duplicates = sum(d.repeated_listings for d in details)
        folders = _meeting_folders(target, details)
        with_minutes = {d.date for d in details if d.has_minutes}
        known = _fetched_hashes(target)
        seen_ids: set[int] = set()
        plan = [(d, job) for d in details for job in self._jobs(committee, d, with_minutes, seen_ids, report)]
        for d in details:
            if not any(job_detail is d for job_detail, _ in plan):
                report.meetings_without_papers += 1
        for done, (detail, job) in enumerate(plan):
            self.on_progress("files", done, len(plan), job.title)
            path = folders[detail.id] / job.name
            fetched = FetchedFile(str(path), job.kind, job.title, job.url, detail.date, "planned")
            try:
                if not dry_run:
                    fetched.status = self._store(job, path, known, report)
            except FetchError as exc:
                report.errors.append({"url": exc.url, "error": exc.reason})
                continue
            except OSError as exc:
                report.errors.append({"url": job.url, "error": f"cannot write {path} ({exc.strerror or exc})"})
                continue
            if fetched.status != "duplicate":
                report.files.append(fetched)
        self.on_progress("files", len(plan), len(plan), "")
        report.requests, report.retries = self.site.client.counts.requests, self.site.client.counts.retries
        return report

    # -- what to fetch -----------------------------------------------------

    def _jobs(self, committee: Committee, detail: MeetingDetail, with_minutes: set[str],
              seen_ids: set[int], report: FetchReport) -> list["_Job"]:
        page = self.site.meeting_url(committee.id, detail.id)
        meta = {"body": committee.title, "meeting_date": detail.date, "council": self.site.council.slug,
                "moderngov": {"committee_id": committee.id, "meeting_id": detail.id}}
        jobs = []
        for kind, part in (("minutes", "minutes_html"), ("agenda", "text_html")):
            items = [i for i in detail.items if getattr(i, part).strip() and not i.restricted]
            if items:
                title = f"{committee.title}: {kind} of the meeting on {_long_date(detail.date)}"
                jobs.append(_Job(f"{kind}.html", kind, title, page, _meeting_page(title, items, part),
                                 {**meta, "title": title, "doc_type": kind, "source_url": page}))
        for item in detail.items:
            for attachment in item.attachments:
                if attachment.restricted or item.restricted:
                    report.restricted += 1
                    continue
                if attachment.id in seen_ids:
                    report.duplicates += 1
                    continue
                seen_ids.add(attachment.id)
                values = {**meta, "title": attachment.title, "agenda_item": item.heading, "source_url": attachment.url,
                          "moderngov": {**meta["moderngov"], "attachment_id": attachment.id}}
                if _MINUTES_ITEM.match(item.title):
                    # An earlier meeting's record: dated by its own title, fetched only when
                    # that meeting's minutes are not coming from the web service already.
                    earlier = parse_date(attachment.title)
                    if earlier in with_minutes or (not earlier and _previous(detail.date, with_minutes)):
                        report.republished_minutes += 1
                        continue
                    values["doc_type"] = "minutes"
                    if earlier:
                        values["meeting_date"] = earlier
                    else:
                        del values["meeting_date"]  # left to what ingest reads in the paper
                jobs.append(_Job(_attachment_name(attachment), "attachment", attachment.title, attachment.url,
                                 None, values))
        return jobs

    # -- writing -----------------------------------------------------------

    def _store(self, job: "_Job", path: Path, known: dict[str, str], report: FetchReport) -> str:
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        if job.content is None:
            recorded = _read_json(sidecar).get("sha256")
            if recorded and path.is_file() and file_sha256(path) == recorded:
                report.unchanged += 1
                return "unchanged"
            sha256 = self.site.client.download(job.url, path)
            elsewhere = known.get(sha256)
            if elsewhere and elsewhere != str(path):
                path.unlink()
                report.duplicates += 1
                return "duplicate"
        else:
            data = job.content.encode("utf-8")
            sha256 = _sha256_bytes(data)
            if path.is_file() and file_sha256(path) == sha256 and _read_json(sidecar).get("sha256") == sha256:
                report.unchanged += 1
                return "unchanged"
            _write_atomic(path, data)
        known[sha256] = str(path)
        _write_atomic(sidecar, json.dumps({**job.meta, "sha256": sha256}, indent=2, ensure_ascii=False).encode("utf-8"))
        report.written += 1
        return "written"


@dataclass
class _Job:
    name: str
    kind: str
    title: str
    url: str
    content: str | None  # written from the web service; None: downloaded from url
    meta: dict


def _meeting_page(title: str, items: list[AgendaItem], part: str) -> str:
    """One HTML page for a meeting: each item's number and title as a heading over its text."""
    sections = "\n".join(f"<section>\n<h2>{html.escape(item.heading)}</h2>\n{getattr(item, part)}\n</section>"
                         for item in items)
    escaped = html.escape(title)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escaped}</title></head>\n'
            f"<body><main>\n<h1>{escaped}</h1>\n{sections}\n</main></body></html>\n")


def _meeting_folders(target: Path, details: list[MeetingDetail]) -> dict[int, Path]:
    by_date: dict[str, int] = {}
    for d in details:
        by_date[d.date] = by_date.get(d.date, 0) + 1
    return {d.id: target / (d.date if by_date[d.date] == 1 else f"{d.date}-{d.id}") for d in details}


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


def _previous(meeting_date: str, dates: set[str]) -> str:
    return max((d for d in dates if d < meeting_date), default="")


def _attachment_name(attachment: Attachment) -> str:
    suffix = Path(unquote(urlsplit(attachment.url).path)).suffix.lower()
    suffix = suffix if suffix in supported_extensions() else ".pdf"  # mgConvert2PDF.aspx serves PDF
    return f"{attachment.id}-{_slug(attachment.title)[:60] or 'attachment'}{suffix}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _long_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".partial-{path.name}")
    partial.write_bytes(data)
    os.replace(partial, path)
