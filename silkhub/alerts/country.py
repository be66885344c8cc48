"""The alerts' section of a country's page: the latest items about it the reader may read."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from silkhub.accounts.service import Principal
from silkhub.alerts import service
from silkhub.alerts.cap import Severity
from silkhub.alerts.readers import reader_for


def sections(
    session: Session, principal: Principal | None, code: str, lang: str
) -> list[dict[str, Any]]:
    zh = lang != "en"
    reader = reader_for(session, principal)
    found = service.search_items(session, reader, [], countries=[code], limit=10)
    if not found:
        return []
    items = [
        {
            "label": item.title_zh if zh else item.title_en,
            "note": " · ".join(
                part
                for part in (
                    Severity(item.severity).label.in_(lang) if item.severity else "",
                    item.published_at.strftime("%Y-%m-%d") if item.published_at else "",
                )
                if part
            ),
            "url": f"/{lang}/alerts/{item.uid}",
        }
        for item in found
    ]
    return [
        {
            "key": "alerts",
            "title": "风险提示与通报" if zh else "Alerts and notices",
            "items": items,
            "links": [
                {
                    "label": "全部" if zh else "All of them",
                    "url": f"/{lang}/alerts?country={code}",
                }
            ],
        }
    ]
