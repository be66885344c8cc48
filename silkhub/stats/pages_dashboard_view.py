"""The dashboard's figures laid out for the page, in the reader's language: the unit each chart
counts in, numbers and percentages as the tables print them, and the rows and chart data of
the series, the ranking and the country groups (``pages_dashboard_data`` computes them)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa

from silkhub.core import countries, groups
from silkhub.core.errors import SilkhubError
from silkhub.core.formatting import format_number
from silkhub.core.periods import Month
from silkhub.core.units import UNITS, Unit
from silkhub.stats.datasets import Field
from silkhub.stats.measures import MeasureResult
from silkhub.stats.presentation import sentence
from silkhub.stats.service import VintageSource

#: Items in the ranking chart; the map and its table show every partner.
TOP_SHOWN = 10

#: Units a chart may count in, largest first, by the field's base unit.
_DISPLAY_UNITS: Mapping[str, tuple[str, ...]] = {
    "CNY": ("CNY_100M", "CNY_10K", "CNY"),
    "USD": ("USD_100M", "USD_10K", "USD"),
    "T": ("T_100M", "T_10K", "T"),
    "TEU": ("TEU_10K", "TEU"),
    "COUNT": ("COUNT",),
}

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- units and numbers --------------------------------------------------------------------------


def display_unit(base: str | None, largest: float | int | None) -> Unit | None:
    """The unit a chart counts in: the largest that still shows at least 10 of it."""
    if base is None:
        return None
    candidates = [UNITS[c] for c in _DISPLAY_UNITS.get(base, (base,))]
    if largest is not None:
        for unit in candidates:
            if abs(Decimal(str(largest))) >= unit.factor * 10:
                return unit
    return candidates[-1]


def scaled(value: float | int | None, unit: Unit | None) -> float | None:
    """``value`` (in base units) in ``unit``, to two decimals, for a chart."""
    if value is None:
        return None
    factor = unit.factor if unit is not None else Decimal(1)
    return float(round(Decimal(str(value)) / factor, 2))


def number_text(value: float | int | None, unit: Unit | None, lang: str) -> str:
    """A table cell: the figure in ``unit``, one decimal when the unit is a multiple."""
    if value is None:
        return "—"
    # Rounded once, from the exact figure (as ``format_amount`` rounds the headlines).
    exact = Decimal(str(value)) / (unit.factor if unit is not None else Decimal(1))
    digits = 1 if unit is not None and unit.factor > 1 else 0
    return format_number(exact, lang, digits)


def unit_symbol(unit: Unit | None, lang: str) -> str:
    """What a chart's axis or a table's header says the figures are in ("" for counts)."""
    if unit is None or unit.code == "COUNT":
        return ""
    return unit.symbol(lang)


def percent_text(pct: float | None, lang: str, *, signed: bool = True) -> str:
    if pct is None:
        return "—"
    text = format_number(pct, lang, 1)
    return f"+{text}%" if signed and not text.startswith("-") and text != "0.0" else f"{text}%"


def pct(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def country_name(code: str | None, lang: str) -> str:
    if code is None:
        return "—"
    try:
        return countries.get(code).name(lang)
    except SilkhubError:
        return code


def choice_label(f: Field, value: str | None, lang: str) -> str:
    if value is None:
        return "—"
    for c in f.choices:
        if c.value == value:
            return c.en if lang == "en" else c.zh
    return value


# --- laid out for the page ----------------------------------------------------------------------


def _month_label(day: date, lang: str) -> str:
    return Month.from_date(day).label(lang)


def _short_month(day: date, lang: str) -> str:
    """A month as a chart's axis says it: "2019年1月", "Jan 2019"."""
    if lang == "en":
        return f"{_EN_MONTHS[day.month - 1]} {day.year}"
    return _month_label(day, lang)


def series_view(table: pa.Table, value: Field, lang: str) -> dict[str, Any]:
    rows = table.to_pylist()
    largest = max((abs(r["value"]) for r in rows if r["value"] is not None), default=None)
    unit = display_unit(value.base_unit, largest)
    symbol = unit_symbol(unit, lang)
    name = value.label(lang)
    if symbol:
        name = f"{name}（{symbol}）" if lang == "zh" else f"{name}, {symbol}"
    return {
        "name": name,
        "unit": symbol,
        "months": [Month.from_date(r["month"]).code for r in rows],
        "labels": [_short_month(r["month"], lang) for r in rows],
        "values": [scaled(r["value"], unit) for r in rows],
        "growth": [pct(r["growth_pct"]) for r in rows],
        "rows": [
            {
                "month": _month_label(r["month"], lang),
                "value": number_text(r["value"], unit, lang),
                "previous": number_text(r["previous"], unit, lang),
                "growth": percent_text(r["growth_pct"], lang),
                "ytd": number_text(r["ytd_value"], unit, lang),
                "ytd_growth": percent_text(r["ytd_growth_pct"], lang),
            }
            for r in rows
        ],
    }


def ranking_view(
    table: pa.Table, by: str, is_country: bool, unit_base: str | None, lang: str
) -> dict[str, Any]:
    rows = table.to_pylist()
    largest = max((abs(r["value"]) for r in rows if r["value"] is not None), default=None)
    unit = display_unit(unit_base, largest)

    def name(code: str) -> str:
        return country_name(code, lang) if is_country else code

    items = [
        {
            "rank": r["rank"],
            "code": r[by],
            "name": name(r[by]),
            "value": scaled(r["value"], unit),
            "value_text": number_text(r["value"], unit, lang),
            "growth": percent_text(r["growth_pct"], lang),
            "share": percent_text(r["share_pct"], lang, signed=False),
        }
        for r in rows
    ]
    return {"unit": unit_symbol(unit, lang), "items": items, "top": items[:TOP_SHOWN]}


def groups_view(table: pa.Table, unit_base: str | None, lang: str) -> dict[str, Any]:
    rows = table.to_pylist()
    largest = max((abs(r["current"]) for r in rows if r["current"] is not None), default=None)
    unit = display_unit(unit_base, largest)
    return {
        "unit": unit_symbol(unit, lang),
        "items": [
            {
                "code": r["group"],
                "name": groups.group(r["group"]).name(lang),
                "share": pct(r["share_pct"]),
                "share_text": percent_text(r["share_pct"], lang, signed=False),
                "value_text": number_text(r["current"], unit, lang),
                "growth": percent_text(r["growth_pct"], lang),
            }
            for r in rows
        ],
    }


def figure_text(result: MeasureResult | None, lang: str) -> str | None:
    return sentence(result, lang) if result is not None else None


def latest_vintage(
    result: MeasureResult | None,
    sources: Mapping[tuple[str, int], VintageSource] | None = None,
) -> dict[str, Any] | None:
    """How many imports the figure came from and when the latest was published; and how many
    of its months silkhub computed from tracked events (``sources``: the vintages' sources),
    with the computations' names."""
    if result is None or not result.vintages:
        return None
    published = [v.published_at for v in result.vintages if v.published_at is not None]
    known = sources or {}
    computed = [
        known[(v.dataset, v.vintage)]
        for v in result.vintages
        if v.vintage is not None
        and (v.dataset, v.vintage) in known
        and known[(v.dataset, v.vintage)].computed
    ]
    return {
        "imports": len({v.vintage for v in result.vintages if v.vintage is not None}),
        "published": max(published).date().isoformat() if published else None,
        "months": len(result.vintages),
        "computed_months": len(computed),
        "computed_source": "; ".join(sorted({s.source for s in computed})),
    }
