"""Portal pages of the indices capability: the freight index's public page and methodology
(``pages_public``), the panel member's submission page (``pages_panel``), the compiler's
console (``pages_console``), the navigation entry, and the card the home page shows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from silkhub.core.errors import Message
from silkhub.indices import freight_reads, pages_console, pages_panel, pages_public, service
from silkhub.indices.pages_common import TABS, app_now, pct_text, value_text
from silkhub.web.i18n import request_language
from silkhub.web.security import app_db

router = APIRouter(include_in_schema=False)
router.include_router(pages_public.router)
router.include_router(pages_panel.router)
router.include_router(pages_console.router)

#: Entries this capability adds to the portal's navigation: (path after /{lang}, label).
#: The pages' own tabs (``pages_common.TABS``) lead to the methodology and, by role, to the
#: submission page and the console.
NAV = [("/indices", Message("指数", "Indices"))]

#: Workspace pages the navigation links for the roles that may use them (the role's tabs).
WORKSPACES = [(path, label, role) for path, label, role in TABS if role is not None]

#: Pages ``silkhub serve`` requests once at start-up (``silkhub.web.server.warm_up``): the
#: methodology's chain links take about a second to compute.
WARM_UP = ["/indices", "/indices/methodology"]


#: The key a freight index figure and its source pages share (``data-figure`` /
#: ``data-source-of``, docs/portal.md): the release on ``/{lang}/indices`` and the methodology.
SOURCE_KEY = "indices:freight"


def home_card(request: Request) -> dict[str, Any] | None:
    """The home page's indices card: the latest public release of the freight index (never
    an embargoed one), or None before the first release."""
    lang = request_language(request)
    with app_db(request).reading() as session:
        latest = freight_reads.latest_release(session, now=app_now(request))
    composite = latest.value() if latest is not None else None
    if latest is None or composite is None:
        return None
    name = service.methodology().name.in_(lang)
    value = value_text(composite.value, lang)
    change = pct_text(composite.change_pct, lang)
    return {
        "key": "indices",
        "lines": [
            f"{name}（{latest.week}）：{value}，{change}"
            if lang == "zh"
            else f"{name} ({latest.week}): {value}, {change}"
        ],
        "link": f"/{lang}/indices",
        "methodology": f"/{lang}/indices/methodology",
        "source": SOURCE_KEY,
        "week": str(latest.week),
    }
