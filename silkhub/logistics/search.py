"""Logistics' part of the portal's search: train runs, voyages and flights by reference, name
or service, and containers by their number (tracking is public, as on carriers' sites)."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from silkhub.accounts.service import Principal
from silkhub.core.errors import Message
from silkhub.core.search_text import SearchHit, query_terms, score, search_key
from silkhub.logistics.models import TntEvent, Transport, TransportStop

#: How a transport's kind reads in results.
MODES = {
    "RAIL": Message("班列", "Train run"),
    "VESSEL": Message("航次", "Voyage"),
    "AIR": Message("航班", "Flight"),
    "TRUCK": Message("卡车", "Truck trip"),
}


def search(
    session: Session, query: str, principal: Principal | None, countries: list[str]
) -> list[SearchHit]:
    del principal
    terms = query_terms(query)
    hits: list[SearchHit] = []
    through: set[int] = set()
    if countries:
        stops = select(TransportStop.transport_id).where(
            or_(*[TransportStop.un_locode.like(f"{c}%") for c in countries])
        )
        through = set(session.scalars(stops))
    # Only the columns matched, and each transport's key made once: a hub registers hundreds
    # of train runs a year, and loading them all as objects took most of a search's time.
    columns = select(
        Transport.id,
        Transport.mode,
        Transport.reference,
        Transport.name,
        Transport.service,
        Transport.carrier,
    )
    for row in session.execute(columns):
        key = _key(row.reference, row.name, row.service, row.carrier)
        value = score(key, terms) or (0.5 if row.id in through else 0.0)
        if value:
            mode = MODES.get(row.mode, Message(row.mode, row.mode))
            hits.append(
                SearchHit(
                    "transport",
                    Message(f"{mode.zh} {row.name}", f"{mode.en} {row.name}"),
                    f"logistics/transports/{row.mode}/{row.reference}",
                    value,
                )
            )
    # A container number (or its start: the owner code) leads to its tracking.
    compact = "".join(terms).upper()
    if len(compact) >= 4 and compact[:4].isalpha():
        numbers = session.scalars(
            select(TntEvent.equipment_reference)
            .where(TntEvent.equipment_reference.like(f"{compact}%"))
            .distinct()
            .limit(10)
        )
        for number in numbers:
            if number:
                hits.append(
                    SearchHit(
                        "container",
                        Message(f"集装箱 {number}", f"Container {number}"),
                        f"track?by=equipment&ref={number}",
                        float(len(compact) * 3),
                    )
                )
    return hits


@lru_cache(maxsize=50_000)
def _key(reference: str, name: str, service: str | None, carrier: str | None) -> str:
    return search_key(reference, name, service, carrier)
