"""An event file uploaded through the portal, and what it changed: the operator's upload page
(``pages_operator``) shows this summary.

The file is read and ingested as ``service.import_file`` does (one batch: with any error
nothing is written and ``InvalidInput`` lists every problem with its line and field). Around
the ingestion, the events the file names are looked at before and after, so that the summary
can tell the events new to the hub from those a later version replaced, and say which
transports and containers the stored events concern. ``service.IngestResult`` counts
versions, not events, and names no transports; these two reads add that without touching
the ingestion itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.core.errors import Problem
from silkhub.logistics import service
from silkhub.logistics.events import sender_of
from silkhub.logistics.files import read_event_file
from silkhub.logistics.models import TntEvent, Transport

# Event ids per IN (...) lookup, well under both backends' limits on bound variables.
_CHUNK = 5000


@dataclass
class UploadSummary:
    """What an accepted file did. Counts of events (``new_events``, ``replaced_events``) and
    of versions (``stored``, ``unchanged``, ``retracted``), as ``IngestResult`` has them."""

    file: str
    received: int
    stored: int
    unchanged: int
    retracted: int
    new_events: int
    replaced_events: int
    #: (mode, reference, registered): a registered transport has a page of its own.
    transports: list[tuple[str, str, bool]] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def _keys(documents: Iterable[Any], default_sender: str) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    for doc in documents:
        if isinstance(doc, dict) and isinstance(doc.get("eventID"), str):
            keys.add((sender_of(doc, default_sender), doc["eventID"]))
    return keys


def _current(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], TntEvent]:
    """The current version of each of ``keys`` the store holds."""
    out: dict[tuple[str, str], TntEvent] = {}
    ids = sorted({event_id for _, event_id in keys})
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(TntEvent).where(
                TntEvent.event_id.in_(ids[start : start + _CHUNK]), TntEvent.is_current.is_(True)
            )
        ).scalars()
        for row in rows:
            key = (row.sender, row.event_id)
            if key in keys:
                out[key] = row
    return out


def _registered(session: Session, transports: set[tuple[str, str]]) -> set[tuple[str, str]]:
    refs = sorted({ref for _, ref in transports})
    found: set[tuple[str, str]] = set()
    for start in range(0, len(refs), _CHUNK):
        rows = session.execute(
            select(Transport.mode, Transport.reference).where(
                Transport.reference.in_(refs[start : start + _CHUNK])
            )
        )
        found.update((mode, ref) for mode, ref in rows if (mode, ref) in transports)
    return found


def upload_events(
    session: Session, path: Path, *, sender: str, received_by: str, fmt: str | None = None
) -> UploadSummary:
    """Ingest an NDJSON or CSV file of events as one batch and say what it changed.

    ``sender`` stands for the events that name no originating party (as ``import_file``)."""
    events = read_event_file(path, fmt=fmt)
    keys = _keys(events.documents, sender)
    before: dict[tuple[str, str], datetime] = {
        key: row.event_updated_at for key, row in _current(session, keys).items()
    }
    result = service.ingest(
        session,
        events.documents,
        default_sender=sender,
        received_by=received_by,
        source=f"file:{events.name}"[:200],
        where=events.where,
    )
    after = _current(session, keys)
    changed = [row for key, row in after.items() if before.get(key) != row.event_updated_at]
    transports: set[tuple[str, str]] = set()
    containers: set[str] = set()
    for row in changed:
        if row.mode and row.transport_ref:
            transports.add((row.mode, row.transport_ref))
        if row.equipment_reference:
            containers.add(row.equipment_reference)
    registered = _registered(session, transports)
    return UploadSummary(
        file=events.name,
        received=result.received,
        stored=result.stored,
        unchanged=result.unchanged,
        retracted=result.retracted,
        new_events=sum(1 for key in after if key not in before),
        replaced_events=sum(
            1 for key, at in before.items() if key in after and after[key].event_updated_at != at
        ),
        transports=[(m, r, (m, r) in registered) for m, r in sorted(transports)],
        containers=sorted(containers),
        warnings=list(result.warnings),
    )
