"""Portal pages of the statistics capability: the dashboard (``pages_dashboard``), the monthly
briefing (``pages_briefing``), the analyst's upload page (``pages_upload``), the navigation
entry, and the card the home page shows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from silkhub.core.errors import Message
from silkhub.stats import (
    pages_briefing,
    pages_dashboard,
    pages_footprint,
    pages_sources,
    pages_upload,
    registers_footprint,
)
from silkhub.stats.datasets import DATASETS
from silkhub.stats.pages_common import TABS, headline_rows
from silkhub.stats.pages_sources import source_key, source_url
from silkhub.web.i18n import request_language
from silkhub.web.security import app_analytical, app_db

router = APIRouter(include_in_schema=False)
router.include_router(pages_dashboard.router)
router.include_router(pages_briefing.router)
router.include_router(pages_upload.router)
router.include_router(pages_footprint.router)
router.include_router(pages_sources.router)

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
WARM_UP = ["/stats", "/stats/briefing", "/stats/sources"]


#: The headline figures the home page shows, in this order: trade with the Belt and Road
#: countries, outward investment, port throughput and trains run (issue 7's list).
HOME_HEADLINES = ("route_trade", "route_odi", "port_cargo", "port_teu", "yxe_trains", "zca_trains")


def home_card(request: Request) -> list[dict[str, Any]] | None:
    """The home page's statistics cards: the headline figures of the latest period with
    their year-on-year growth, each with the source page of its dataset and the vintages it
    was computed from; and the footprint abroad, kind by kind. None without either."""
    lang = request_language(request)
    rows = {f["key"]: f for f in headline_rows(app_db(request), app_analytical(request), lang)}
    figures = [
        {
            **f,
            "line": f"{f['label']}（{f['period']}）：{f['text']}"
            if lang == "zh"
            else f"{f['label']} ({f['period']}): {f['text']}",
            "source": source_key(f["dataset"]),
            "source_url": source_url(lang, f["dataset"]),
            "source_name": DATASETS[f["dataset"]].name_in(lang),
        }
        for key in HOME_HEADLINES
        if (f := rows.get(key)) is not None
    ]
    cards: list[dict[str, Any]] = []
    if figures:
        cards.append(
            {
                "key": "stats",
                "lines": [f["line"] for f in figures],
                "figures": figures,
                "link": f"/{lang}/stats",
                "sources": f"/{lang}/stats/sources",
            }
        )
    with app_db(request).reading() as session:
        overview = registers_footprint.footprint_overview(session)
    kinds = [
        {
            "name": k["name_en"] if lang == "en" else k["name_zh"],
            "mapped": k["mapped"] + k["synthetic"],
            "synthetic": k["synthetic"],
            "reported": k["reported"].get("items"),
            "href": f"/{lang}/stats/footprint?kind={k['kind']}",
        }
        for k in overview
    ]
    if any(k["mapped"] or k["reported"] for k in kinds):
        cards.append(
            {
                "key": "footprint",
                "kinds": kinds,
                "synthetic": any(k["synthetic"] for k in kinds),
                "source": pages_footprint.SOURCE_KEY,
                "link": f"/{lang}/stats/footprint",
            }
        )
    return cards or None
