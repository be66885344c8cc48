"""The statistics' sections of a country's page: the hub's trade, investment and rail links
with the country (year to date of each dataset's latest month, with growth), and the hub's
footprint there."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from silkhub.core.periods import YearToDate
from silkhub.stats import service
from silkhub.stats.datasets import DATASETS
from silkhub.stats.measures_query import MeasureQuery, country_field
from silkhub.stats.presentation import sentence
from silkhub.stats.registers_models import StatsFootprint
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database

#: Dataset, the figure shown, and its label.
FIGURES = (
    ("trade", "value_cny", "进出口", "Trade"),
    ("odi", "amount_usd", "对其直接投资（备案）", "Outward direct investment filed"),
    ("fdi", "amount_usd", "来自其实际投资", "Foreign direct investment received"),
    ("rail", "teu", "班列运量", "Freight trains"),
)


def sections(db: Database, store: AnalyticalStore, code: str, lang: str) -> list[dict[str, Any]]:
    zh = lang != "en"
    lines: list[dict[str, str]] = []
    for name, value, label_zh, label_en in FIGURES:
        ds = DATASETS.get(name)
        if ds is None or value not in {f.name for f in ds.fields}:
            continue
        field = country_field(ds)
        month = service.latest_month(db, name)
        if field is None or month is None:
            continue
        period = YearToDate(month.year, month.month)
        result = service.measure(
            db, store, MeasureQuery(dataset=name, value=value, period=period, filters={field: code})
        )
        text = sentence(result, lang)
        if text:
            lines.append(
                {
                    "label": label_zh if zh else label_en,
                    "period": period.label(lang),
                    "text": text,
                    "url": f"/{lang}/stats?dataset={name}",
                    # Where the figure comes from (docs/portal.md): its dataset's source page.
                    "source": f"stats:{name}",
                    "source_url": f"/{lang}/stats/sources/{name}",
                }
            )
    out: list[dict[str, Any]] = []
    if lines:
        out.append(
            {"key": "stats", "title": "与枢纽的往来" if zh else "With the hub", "figures": lines}
        )
    with db.reading() as session:
        places = session.scalars(
            select(StatsFootprint)
            .where(StatsFootprint.country == code)
            .order_by(StatsFootprint.kind)
        ).all()
        items = [
            {
                "label": p.name_zh if zh else p.name_en,
                "note": (p.city or "")
                + (
                    " · 演示数据"
                    if zh and p.synthetic
                    else " · demonstration data"
                    if p.synthetic
                    else ""
                ),
                "url": f"/{lang}/stats/footprint/{p.code}",
            }
            for p in places
        ]
    if items:
        out.append(
            {"key": "footprint", "title": "境外布局" if zh else "Footprint there", "items": items}
        )
    return out
