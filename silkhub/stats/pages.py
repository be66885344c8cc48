"""Portal pages of the statistics capability: the dashboard (``pages_dashboard``), the monthly
briefing (``pages_briefing``), the analyst's upload page (``pages_upload``), the navigation
entry, and the card the home page shows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from silkhub.core.errors import Message
from silkhub.stats import pages_briefing, pages_dashboard, pages_footprint, pages_upload
from silkhub.stats.pages_common import TABS, headline_rows
from silkhub.web.i18n import request_language
from silkhub.web.security import app_analytical, app_db

router = APIRouter(include_in_schema=False)
router.include_router(pages_dashboard.router)
router.include_router(pages_briefing.router)
router.include_router(pages_upload.router)
router.include_router(pages_footprint.router)

#: Entries this capability adds to the portal's navigation: (path after /{lang}, label).
#: The navigation marks an entry current for every page under its path, and has no roles;
#: the statistics pages' own tabs (``pages_common.TABS``) lead to the briefing and, for
#: analysts, the upload page.
NAV = [("/stats", Message("统计", "Statistics"))]

#: Workspace pages, (path after /{lang}, label, role): the navigation links each only for the
#: people whose roles may use it (the tabs above those that need a role).
WORKSPACES = [(path, label, role) for path, label, role in TABS if role is not None]

#: Pages ``silkhub serve`` requests once at start-up, so that their first visitor does not
#: wait for the figures to be computed (``silkhub.web.server.warm_up``).
WARM_UP = ["/stats", "/stats/briefing"]


def home_card(request: Request) -> dict[str, Any] | None:
    """The home page's statistics card: the first headlines, or None without data."""
    lang = request_language(request)
    figures = headline_rows(app_db(request), app_analytical(request), lang)
    if not figures:
        return None
    return {
        "key": "stats",
        "lines": [
            f"{f['label']}（{f['period']}）：{f['text']}"
            if lang == "zh"
            else f"{f['label']} ({f['period']}): {f['text']}"
            for f in figures[:3]
        ],
        "link": f"/{lang}/stats",
    }
