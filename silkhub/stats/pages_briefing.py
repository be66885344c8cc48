"""The monthly briefing as a portal page (``/{lang}/stats/briefing?period=2020-05``): the
sections and tables ``silkhub.stats.briefing`` computes, in the portal's layout, with a month
picker and the downloads of ``/api/stats/briefing``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from silkhub.core.errors import InvalidInput
from silkhub.core.periods import Month
from silkhub.stats import briefing
from silkhub.stats.briefing_period import briefing_month
from silkhub.stats.datasets import dataset
from silkhub.stats.pages_common import Db, Lang, Store, tabs
from silkhub.stats.pages_dashboard_data import published_months
from silkhub.web.templating import templates_of

router = APIRouter(include_in_schema=False)

#: The briefing is built around trade; its months are the ones offered.
BRIEFING_DATASET = "trade"

#: Formats of ``GET /api/stats/briefing``, with how the page names them.
FORMATS = (
    ("html", "HTML"),
    ("md", "Markdown"),
    ("pdf", "PDF"),
    ("xlsx", "Excel (xlsx)"),
)


def _table(table: Any) -> dict[str, Any]:
    """A briefing table for the template (the fields every version of ``Table`` has)."""
    return {
        "caption": table.caption,
        "columns": list(table.columns),
        "rows": [list(row) for row in table.rows],
        "empty": table.empty,
        "row_header": table.row_header,
        "notes": list(table.notes),
    }


@router.get("/{lang}/stats/briefing")
def briefing_page(
    request: Request, lang: Lang, db: Db, store: Store, period: str | None = None
) -> Response:
    months = list(published_months(db, dataset(BRIEFING_DATASET)))
    error: str | None = None
    month: Month | None = months[0] if months else None
    if period:
        try:
            month = briefing_month(period)
        except InvalidInput as exc:
            error = exc.in_(lang)
    context: dict[str, Any] = {
        "tabs": tabs(request),
        "error": error,
        "months": [(m.code, m.label(lang)) for m in months],
        "month": month.code if month else "",
        "briefing": None,
    }
    if month is not None:
        if month not in months:
            context["months"].insert(0, (month.code, month.label(lang)))
        made = briefing.briefing(
            db, store, month, lang=lang, demo=request.app.state.demo is not None
        )
        context["briefing"] = {
            "title": made.title,
            "demo_label": made.demo_label,
            "has_data": made.has_data,
            "sections": [
                {
                    "heading": s.heading,
                    "sentences": list(s.sentences),
                    "tables": [_table(t) for t in s.tables],
                }
                for s in made.sections
            ],
            "vintage_note": list(made.vintage_note),
            "sources": [
                {
                    "key": f"stats:{name}",
                    "href": f"/{lang}/stats/sources/{name}",
                    "name": dataset(name).name_in(lang),
                }
                for name in made.datasets
            ],
            "footer": made.footer,
        }
        context["downloads"] = [
            (
                label,
                "/api/stats/briefing?"
                + urlencode({"period": month.code, "format": fmt, "lang": lang}),
            )
            for fmt, label in FORMATS
        ]
    return templates_of(request).render(request, "stats/briefing.html", context)
