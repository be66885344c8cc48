"""Portal pages of the alerts capability: the public list, items and bulletins
(``pages_public``), a person's inbox and subscriptions (``pages_person``), the editors' and
approvers' desk, delivery log and coverage (``pages_desk``), and the navigation entries."""

from __future__ import annotations

from fastapi import APIRouter

from silkhub.alerts import pages_desk, pages_person, pages_public
from silkhub.alerts.pages_common import SIGNED_IN
from silkhub.alerts.readers import STAFF_ROLES
from silkhub.core.errors import Message
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
    ("/alerts/desk", Message("编辑台", "Alerts desk"), STAFF_ROLES),
    ("/alerts/coverage", Message("覆盖统计", "Coverage"), STAFF_ROLES),
]
