"""The building blocks of the measures' Ibis expressions (``silkhub.stats.measures``).

Every measure has the same shape, chosen so that the engine does the big work once and joins
only small tables:

1. **scan**: the dataset's rows in the months asked for (the current period and the one a
   year earlier, as ranges of the period field, so Parquet row groups of other months are
   skipped), and the query's filters;
2. **aggregate by month and vintage** (and by country when a group is asked for, and by the
   ``by`` field): months x vintages x countries x ``by`` values, a few thousand rows for a
   group however large the dataset;
3. **keep the current vintage** of each month: join with ``latest_vintages`` on (month,
   vintage), which has one row per month, so nothing is duplicated;
4. **membership**: join (month, country) with the group's dated memberships, a member on the
   month's first day (``start <= month < end``; blanks are open), so each month counts the
   countries that were members then;
5. **sum per period** with conditional sums (``sum(value) FILTER (WHERE month in ...)``), so
   the current and previous periods come out of the same scan;
6. **settle** each sum against the months published (``coverage``): a period all of whose
   months have a vintage by ``as_of`` gets its sum, 0 when no row matches; a period with a
   month not yet published gets null, never a sum of the months that happen to be there
   (a "1-5月" figure without May would be a 1-4月 figure under the wrong name).

Extra tables the expressions read (``execute(expr, extra=...)``): ``vintage_periods``
(``silkhub.stats.vintages``), ``country_membership`` (``membership_table``) and, for the
monthly series, ``measure_months`` (``series_months_table``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Literal

import ibis
import pyarrow as pa

from silkhub.core import groups
from silkhub.core.periods import Month, month_runs
from silkhub.stats.datasets import Kind
from silkhub.stats.measures_query import MeasureQuery
from silkhub.stats.vintages import (
    IbisColumn,
    IbisTable,
    latest_vintages,
    row_month,
    vintage_periods_table,
)
from silkhub.stores.analytical_expr import unbound

__all__ = [
    "MEMBERSHIP_ARROW_SCHEMA",
    "MEMBERSHIP_SCHEMA",
    "MEMBERSHIP_TABLE",
    "MONTHS_ARROW_SCHEMA",
    "MONTHS_TABLE",
    "coverage",
    "current_previous",
    "group_names",
    "growth_pct",
    "in_months",
    "membership_table",
    "monthly",
    "ordered",
    "published",
    "ratio",
    "scan",
    "series_months_table",
    "settle",
    "settled",
    "slot_months",
    "sums_by",
]

#: Name of the membership table in expressions.
MEMBERSHIP_TABLE = "country_membership"

#: Dated memberships of country groups: a member on day d when (start is null or start <= d)
#: and (end is null or d < end). ``group`` and ``end`` are reserved words in SQL: Ibis quotes
#: them on every engine.
MEMBERSHIP_SCHEMA = ibis.schema(
    {"group": "string", "country": "string", "start": "date", "end": "date"}
)
MEMBERSHIP_ARROW_SCHEMA = pa.schema(
    [
        pa.field("group", pa.string()),
        pa.field("country", pa.string()),
        pa.field("start", pa.date32()),
        pa.field("end", pa.date32()),
    ]
)

#: Name of the table of months a monthly series reads (``series_months_table``).
MONTHS_TABLE = "measure_months"
MONTHS_ARROW_SCHEMA = pa.schema(
    [
        pa.field("month", pa.date32()),  # the series' month
        pa.field("source", pa.date32()),  # a month whose figure goes into it...
        pa.field("role", pa.string()),  # ...as: value, previous, ytd, ytd_previous
    ]
)

# Names of the columns of the monthly aggregate (underscored: never a dataset field's name).
MONTH, VALUE, MEMBER, GROUP = "_month", "_value", "_member", "_group"

Membership = Literal["none", "inner", "left"]


def membership_table(codes: Iterable[str]) -> pa.Table:
    """The dated memberships of the groups ``codes`` (``silkhub.core.groups``) as Arrow.

    Columns: ``group`` and ``country`` (alpha-2) strings, ``start`` and ``end`` date32, null
    when open. ``NotFound`` for an unknown group code.
    """
    rows = [m for code in dict.fromkeys(codes) for m in groups.memberships(code)]
    return pa.Table.from_arrays(
        [
            pa.array([m.group for m in rows], pa.string()),
            pa.array([m.alpha2 for m in rows], pa.string()),
            pa.array([m.start for m in rows], pa.date32()),
            pa.array([m.end for m in rows], pa.date32()),
        ],
        schema=MEMBERSHIP_ARROW_SCHEMA,
    )


def series_months_table(months: Sequence[Month]) -> pa.Table:
    """What each month of a monthly series adds up: itself, the same month a year earlier,
    and January to itself in its year and in the year before (the year-to-date figures)."""
    rows: list[tuple[date, date, str]] = []
    for m in months:
        earlier = m.previous_year()
        rows.append((m.start, m.start, "value"))
        rows.append((m.start, earlier.start, "previous"))
        rows.extend((m.start, Month(m.year, k).start, "ytd") for k in range(1, m.month + 1))
        rows.extend(
            (m.start, Month(earlier.year, k).start, "ytd_previous") for k in range(1, m.month + 1)
        )
    columns = list(zip(*rows, strict=True)) if rows else [(), (), ()]
    return pa.Table.from_arrays(
        [pa.array(c, f.type) for c, f in zip(columns, MONTHS_ARROW_SCHEMA, strict=True)],
        schema=MONTHS_ARROW_SCHEMA,
    )


def months_table() -> IbisTable:
    return unbound(MONTHS_TABLE, MONTHS_ARROW_SCHEMA)


def _any(conditions: Sequence[IbisColumn]) -> IbisColumn:
    result = conditions[0]
    for condition in conditions[1:]:
        result = result | condition
    return result


def in_months(month: IbisColumn, months: Iterable[Month]) -> IbisColumn:
    """``month`` (a column of months' first days) is one of ``months``: ranges, not IN lists."""
    return _any([(month >= a.start) & (month <= b.start) for a, b in month_runs(months)])


def scan(query: MeasureQuery, months: Sequence[Month]) -> IbisTable:
    """The dataset's rows in ``months`` that pass the query's filters."""
    ds = query.ds
    data = unbound(ds.name, ds.arrow_schema())
    day = data[ds.period_field]
    if ds.field(ds.period_field).kind is Kind.MONTH:
        period = in_months(day, months)
    else:  # a date: from the first day of each run to the last day of its last month
        period = _any([(day >= a.start) & (day <= b.end) for a, b in month_runs(months)])
    conditions = [period]
    for name, values in query.filter_values.items():
        column = data[name]
        conditions.append(column == values[0] if len(values) == 1 else column.isin(values))
    return data.filter(*conditions)


def monthly(
    query: MeasureQuery,
    months: Sequence[Month],
    *,
    by: str | None,
    membership: Membership,
    groups: Sequence[str] = (),
) -> IbisTable:
    """The query's current figures by month: columns ``_month``, ``by`` (if any), ``_value``.

    ``membership``: "none" ignores the group; "inner" keeps the group's members of each month;
    "left" keeps every row and adds ``_member`` (boolean), for part-and-whole measures.
    ``groups`` (with "inner") replaces the query's group by several, and adds ``_group``: a
    row for each group the country was a member of that month.
    """
    ds = query.ds
    rows = scan(query, months)
    codes = list(groups) or ([query.group] if query.group is not None else [])
    country = query.country_field if codes and membership != "none" else None
    keys = list(dict.fromkeys(k for k in (country, by) if k is not None))
    aggregated = rows.group_by(
        [row_month(rows, ds).name(MONTH), rows.vintage, *(rows[k] for k in keys)]
    ).aggregate(**{VALUE: rows[query.value].sum()})
    latest = published(query)
    current = aggregated.join(
        latest,
        [aggregated[MONTH] == latest._vp_period, aggregated.vintage == latest._vp_vintage],
    ).select(MONTH, *keys, VALUE)
    by_keys = [by] if by else []
    if country is None:
        return current.select(MONTH, *by_keys, VALUE)
    members = unbound(MEMBERSHIP_TABLE, MEMBERSHIP_SCHEMA)
    in_groups = members.group == codes[0] if len(codes) == 1 else members.group.isin(codes)
    members = members.filter(in_groups).select(
        _m_group=members.group,
        _m_country=members.country,
        _m_start=members.start,
        _m_end=members.end,
    )
    month = current[MONTH]
    predicates = [
        current[country] == members._m_country,
        members._m_start.isnull() | (members._m_start <= month),
        members._m_end.isnull() | (month < members._m_end),
    ]
    if membership == "inner":
        joined = current.join(members, predicates)
        extra = {GROUP: joined._m_group} if groups else {}
        return joined.select(MONTH, *by_keys, VALUE, **extra)
    joined = current.left_join(members, predicates)
    return joined.select(MONTH, *by_keys, VALUE, **{MEMBER: joined._m_country.notnull()})


def group_names(codes: Sequence[str]) -> IbisTable:
    """The distinct codes of ``codes`` found in the membership table: column ``_group``."""
    members = unbound(MEMBERSHIP_TABLE, MEMBERSHIP_SCHEMA)
    return members.filter(members.group.isin(codes)).select(**{GROUP: members.group}).distinct()


def published(query: MeasureQuery) -> IbisTable:
    """The query's dataset's months with a vintage by ``as_of``: ``_vp_period``,
    ``_vp_vintage`` (one row per month)."""
    latest = latest_vintages(vintage_periods_table(), query.ds, query.as_of)
    return latest.select(_vp_period=latest.period, _vp_vintage=latest.vintage)


def coverage(query: MeasureQuery, slots: Mapping[str, Sequence[Month]]) -> IbisTable:
    """One row: for each slot name, ``_n_<name>``, how many of its months are published."""
    months = published(query)
    period = months._vp_period
    return months.aggregate(
        **{f"_n_{name}": period.count(where=in_months(period, m)) for name, m in slots.items()}
    )


def settle(total: IbisColumn, published_months: IbisColumn, months: Sequence[Month]) -> IbisColumn:
    """``total`` (0 when null) where all of ``months`` are published; null otherwise."""
    return ibis.ifelse(published_months == len(set(months)), total.coalesce(0), ibis.null())


def ratio(numerator: IbisColumn, denominator: IbisColumn) -> IbisColumn:
    """``numerator / denominator`` as float64; null when the denominator is 0 or null."""
    return numerator / denominator.nullif(0)


def growth_pct(current: IbisColumn, previous: IbisColumn) -> IbisColumn:
    """``(current / previous - 1) * 100``; null when previous is 0 or null, or current null."""
    return (ratio(current, previous) - 1) * 100


Slot = Literal["current", "previous"]
_SLOTS: tuple[Slot, ...] = ("current", "previous")


def slot_months(query: MeasureQuery, slot: Slot) -> list[Month]:
    return query.months if slot == "current" else query.previous_months


def current_previous(
    query: MeasureQuery, rows: IbisTable, where: IbisColumn | None = None
) -> dict[str, IbisColumn]:
    """Raw conditional sums of ``rows._value``: ``current`` (the period) and ``previous``
    (the same period a year earlier), restricted to ``where`` when given."""
    sums: dict[str, IbisColumn] = {}
    for slot in _SLOTS:
        condition = in_months(rows[MONTH], slot_months(query, slot))
        if where is not None:
            condition = condition & where
        sums[slot] = rows[VALUE].sum(where=condition)
    return sums


def sums_by(table: IbisTable, by: str | None, **sums: IbisColumn) -> IbisTable:
    """``sums`` over the whole table (one row), or per value of ``by``."""
    return table.group_by(by).aggregate(**sums) if by else table.aggregate(**sums)


def settled(
    query: MeasureQuery,
    sums: IbisTable,
    keep: Sequence[str] = (),
    **columns: tuple[str, Slot],
) -> IbisTable:
    """``keep`` and, for each ``name=(column, slot)``, ``column`` settled against how much of
    that slot's months is published (``settle``)."""
    joined = sums.cross_join(coverage(query, {s: slot_months(query, s) for s in _SLOTS}))
    return joined.select(
        *keep,
        **{
            name: settle(joined[column], joined[f"_n_{slot}"], slot_months(query, slot))
            for name, (column, slot) in columns.items()
        },
    )


def ordered(table: IbisTable, by: str | None) -> IbisTable:
    """``table`` sorted by ``by`` (nulls first, on every engine), when there is one."""
    return table.order_by(ibis.asc(by, nulls_first=True)) if by else table
