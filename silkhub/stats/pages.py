"""Portal pages of the statistics capability: the headline figures (a first dashboard; the
charts come with the portal work), and the card the home page shows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from silkhub.core.errors import Message
from silkhub.core.periods import parse_period
from silkhub.stats.headlines import headline_figures
from silkhub.web.i18n import request_language
from silkhub.web.security import app_analytical, app_db
from silkhub.web.templating import page_language, templates_of

router = APIRouter(include_in_schema=False)

#: Entries this capability adds to the portal's navigation: (path after /{lang}, label).
NAV = [("/stats", Message("统计", "Statistics"))]


def _figures(request: Request, period: str | None = None) -> list[dict[str, Any]]:
    lang = request_language(request)
    chosen = parse_period(period) if period else None
    return [
        {
            "key": f.headline.key,
            "label": f.headline.label.in_(lang),
            "period": f.period.label(lang),
            "text": f.text(lang),
            "growth": f.result.growth_pct,
            "vintages": sorted({v.vintage for v in f.result.vintages if v.vintage is not None}),
        }
        for f in headline_figures(app_db(request), app_analytical(request), chosen)
    ]


@router.get("/{lang}/stats")
def headlines_page(
    request: Request, lang: Annotated[str, Depends(page_language)], period: str | None = None
) -> Response:
    return templates_of(request).render(
        request, "stats/headlines.html", {"figures": _figures(request, period), "asked": period}
    )


def home_card(request: Request) -> dict[str, Any] | None:
    """The home page's statistics card: the first headlines, or None without data."""
    figures = _figures(request)
    if not figures:
        return None
    lang = request_language(request)
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
