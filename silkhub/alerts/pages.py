"""Portal pages of the alerts capability: the public list, items and bulletins
(``pages_public``), a person's inbox and subscriptions (``pages_person``), the editors' and
approvers' desk, delivery log and coverage (``pages_desk``), and the navigation entries."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from silkhub.alerts import pages_desk, pages_person, pages_public, service
from silkhub.alerts.cap import Severity
from silkhub.alerts.models import ItemKind, ItemStatus
from silkhub.alerts.pages_common import SIGNED_IN
from silkhub.alerts.readers import PUBLIC, STAFF_ROLES
from silkhub.core.errors import Message
from silkhub.web.i18n import request_language
from silkhub.web.security import app_db
from silkhub.web.templating import NavEntry

router = APIRouter(include_in_schema=False)
# The fixed paths (inbox, desk, bulletins...) before ``/{lang}/alerts/{uid}``, which would
# otherwise take "inbox" for an item's number.
router.include_router(pages_person.router)
router.include_router(pages_desk.router)
router.include_router(pages_public.router)

#: Entries this capability adds to the portal's navigation: the alerts for everyone, the
#: inbox and subscriptions for people signed in, the desk and coverage for editors and
#: approvers (the pages check again; the navigation only spares others a refusal).
NAV: list[NavEntry] = [
    ("/alerts", Message("风险提示", "Alerts")),
    ("/alerts/inbox", Message("收件箱", "Inbox"), SIGNED_IN),
    ("/alerts/subscriptions", Message("订阅", "Subscriptions"), SIGNED_IN),
    ("/alerts/desk", Message("编辑台", "Desk"), STAFF_ROLES),
    ("/alerts/coverage", Message("覆盖统计", "Coverage"), STAFF_ROLES),
]

#: Alerts the home page's card lists.
HOME_ALERTS = 3


def home_card(request: Request) -> dict[str, Any] | None:
    """The home page's alerts card: the latest public alerts in force (not cancelled), each
    with its severity's word, or None before the first. Public whoever asks: the home page
    is everyone's front door."""
    lang = request_language(request)
    with app_db(request).reading() as session:
        items, _ = service.list_items(session, PUBLIC, kind=ItemKind.ALERT.value, limit=20)
        shown = [i for i in items if i.status == ItemStatus.PUBLISHED.value][:HOME_ALERTS]
        lines = []
        items_out = []
        for item in shown:
            title = item.title_en if lang == "en" else item.title_zh
            level = Severity(item.severity).label.in_(lang) if item.severity else ""
            line = (
                (f"[{level}] {title}" if lang == "en" else f"【{level}】{title}")
                if level
                else title
            )
            lines.append(line)
            items_out.append(
                {
                    "line": line,
                    "href": f"/{lang}/alerts/{item.uid}",
                    "source": f"alerts:{item.uid}",
                    "severity": item.severity or "",
                }
            )
    if not lines:
        return None
    return {"key": "alerts", "lines": lines, "items": items_out, "link": f"/{lang}/alerts"}
