"""Logistics' section of a country's page: the train runs, voyages and flights that stop
there."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.accounts.service import Principal
from silkhub.logistics.models import Transport, TransportStop
from silkhub.logistics.search import MODES


def sections(
    session: Session, principal: Principal | None, code: str, lang: str
) -> list[dict[str, Any]]:
    del principal  # transports are public
    stops = select(TransportStop.transport_id).where(TransportStop.un_locode.like(f"{code}%"))
    found = session.scalars(
        select(Transport)
        .where(Transport.id.in_(stops))
        .order_by(Transport.mode, Transport.reference)
    ).all()
    if not found:
        return []
    zh = lang != "en"
    items = [
        {
            "label": f"{MODES[t.mode].in_(lang) if t.mode in MODES else t.mode} {t.name}",
            "note": ("演示数据" if zh else "demonstration data") if t.synthetic else "",
            "url": f"/{lang}/logistics/transports/{t.mode}/{t.reference}",
        }
        for t in found
    ]
    return [
        {
            "key": "logistics",
            "title": "班列与航线" if zh else "Trains, voyages and flights",
            "items": items,
            "links": [
                {
                    "label": "全部运输" if zh else "All transports",
                    "url": f"/{lang}/logistics/transports",
                }
            ],
        }
    ]
