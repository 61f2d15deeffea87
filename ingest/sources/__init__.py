"""Where papers come from besides local files: council websites, fetched into a folder
that ingest then reads like any other (each file with a ``.meta.json`` sidecar)."""

from ingest.sources.fetch import CommitteeFetcher, FetchedFile, FetchReport
from ingest.sources.http import FetchError, PoliteClient
from ingest.sources.moderngov import (
    AgendaItem, Attachment, Committee, Council, Meeting, MeetingDetail, ModernGovSite, find_committee,
    known_councils, resolve_council,
)

__all__ = [
    "AgendaItem", "Attachment", "Committee", "CommitteeFetcher", "Council", "FetchError", "FetchReport", "FetchedFile",
    "Meeting", "MeetingDetail", "ModernGovSite", "PoliteClient", "find_committee", "known_councils",
    "resolve_council",
]
