"""The briefing's charts, computed: the month-by-month trade with the route countries against
a year earlier, and rankings drawn from the briefing's own tables (so a bar and its table row
are the same number)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from silkhub.core.formatting import format_number, round_half_up
from silkhub.core.periods import YearToDate
from silkhub.stats import service
from silkhub.stats.briefing_model import Cell, Chart, ChartSeries, Table
from silkhub.stats.measures import MeasureQuery
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database

__all__ = ["monthly_chart", "ranking_chart", "yuan_unit", "yuan_value"]

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DASH = "—"


def yuan_unit(lang: str) -> str:
    return "CNY billion" if lang == "en" else "亿元"


def yuan_value(value: int | float | None, lang: str) -> Decimal | None:
    """An amount in yuan as the briefing's tables print it: 亿元 to one decimal; in English
    the same rounded figure in billions (so the two languages never disagree in the last
    digit)."""
    if value is None:
        return None
    yi = round_half_up(Decimal(value) / Decimal(100_000_000), 1)
    # In billions the same figure has two decimals (390.90), kept for the spreadsheet.
    return (yi / 10).quantize(Decimal("0.01")) if lang == "en" else yi


def _text(value: Decimal | None, lang: str, digits: int) -> str:
    return _DASH if value is None else format_number(value, lang, digits)


def monthly_chart(
    db: Database,
    store: AnalyticalStore,
    period: YearToDate,
    lang: str,
    number: int,
    label: str,
) -> Chart | None:
    """Trade with the route countries month by month through ``period``, beside the same
    months a year earlier, with the growth of each month in the table; None without data."""
    en = lang == "en"
    query = MeasureQuery("trade", "value_cny", period, group="along_route_64")
    rows = service.series(db, store, query).to_pylist()
    if not any(r["value"] is not None for r in rows):
        return None
    months = [r["month"] for r in rows]
    names = tuple(_EN_MONTHS[m.month - 1] if en else f"{m.month}月" for m in months)
    this_year = tuple(yuan_value(r["value"], lang) for r in rows)
    last_year = tuple(yuan_value(r["previous"], lang) for r in rows)
    growth = tuple(
        None if r["growth_pct"] is None else round_half_up(r["growth_pct"], 1) for r in rows
    )
    year, before = str(period.year), str(period.year - 1)
    digits = 2 if en else 1
    values: tuple[tuple[Cell, ...], ...] = tuple(
        (names[i], last_year[i], this_year[i], growth[i]) for i in range(len(rows))
    )
    table = Table(
        caption=(
            f"Data of figure {number}: trade with the route countries by month"
            if en
            else f"图{number}数据：分月与沿线国家进出口"
        ),
        columns=(
            ("Month", f"{before} ({yuan_unit(lang)})", f"{year} ({yuan_unit(lang)})", "Change (%)")
            if en
            else ("月份", f"{before}年（亿元）", f"{year}年（亿元）", "增长（%）")
        ),
        rows=tuple(
            (
                names[i],
                _text(last_year[i], lang, digits),
                _text(this_year[i], lang, digits),
                _text(growth[i], lang, 1),
            )
            for i in range(len(rows))
        ),
        values=values,
    )
    return Chart(
        caption=(
            f"Figure {number}. Trade with the Belt and Road route countries by month, {label}"
            if en
            else f"图{number}  {label}与“一带一路”沿线国家进出口分月情况"
        ),
        kind="columns",
        categories=names,
        series=(
            ChartSeries(
                before,
                tuple(_float(v) for v in last_year),
                tuple(_text(v, lang, digits) for v in last_year),
            ),
            ChartSeries(
                year,
                tuple(_float(v) for v in this_year),
                tuple(_text(v, lang, digits) for v in this_year),
            ),
        ),
        unit=yuan_unit(lang),
        description=(
            f"Columns: monthly trade with the route countries in {year} beside {before}, "
            f"in {yuan_unit(lang)}; the figures are in the table that follows."
            if en
            else f"柱状图：{year}年与{before}年各月与沿线国家进出口额（亿元），数据见下表。"
        ),
        table=table,
    )


def _float(value: Cell) -> float | None:
    if value is None or isinstance(value, str):
        return None
    return float(value)


def ranking_chart(
    table: Table, column: int, *, caption: str, unit: str, description: str, skip: int = 0
) -> Chart | None:
    """Horizontal bars of one column of ``table`` (its rows after the first ``skip``), named
    by the table's row header; None when the table has no such rows."""
    rows: Sequence[tuple[Cell, ...]] = table.values[skip:]
    if not rows:
        return None
    return Chart(
        caption=caption,
        kind="bars",
        categories=tuple(str(r[table.row_header]) for r in rows),
        series=(
            ChartSeries(
                table.columns[column],
                tuple(_float(r[column]) for r in rows),
                tuple(r[column] for r in table.rows[skip:]),
            ),
        ),
        unit=unit,
        description=description,
        table=table,
    )
