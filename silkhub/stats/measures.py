"""The figures statistical releases print, written once as Ibis expressions.

"1-5月，与'一带一路'沿线国家货物进出口额3909亿元，增长x%，占全省外贸的y%": a total over a
period, its growth on the same period a year earlier, and its share of a whole::

    query = MeasureQuery("trade", "value_cny", YearToDate(2020, 5), group="along_route_64")
    table = run(store, year_on_year(query), vintage_periods=vintage_periods)
    figures = measure_result(store, query, vintage_periods=vintage_periods)
    figures.value, figures.growth_pct, figures.share_pct, figures.vintages

Each builder (``total``, ``year_on_year``, ``year_on_year_by_group``, ``share``,
``contribution``, ``top_n``, ``monthly_series``, ``summary``) returns a ``Measure``: ONE Ibis
expression over unbound tables plus the small extra tables it reads. ``run`` executes it on
an ``AnalyticalStore`` (DuckDB) or a ``SparkStore`` (Spark) and returns a pyarrow Table; both
engines give the same table.
How the expressions are built, and why, is in ``silkhub.stats.measures_expr``.

Result columns (values in the field's base unit: int64 yuan, USD, TEU, counts; float64
tonnes; percentages and ratios float64; ``<by>`` is the ``by`` field, when given, rows ordered
by it):

- ``total``: [<by>], value
- ``year_on_year``: [<by>], current, previous, growth_pct, times
- ``year_on_year_by_group``: group, current, previous, growth_pct, times (several groups,
  one scan)
- ``share``: [<by>], part_current, whole_current, share_pct, part_previous, whole_previous,
  previous_share_pct, change_pp
- ``contribution``: [<by>], part_current, part_previous, part_growth_pct, whole_current,
  whole_previous, whole_growth_pct, contribution_pp
- ``top_n``: rank, <by>, value, previous, growth_pct, share_pct, total
- ``monthly_series``: month, value, previous, growth_pct, ytd_value, ytd_previous,
  ytd_growth_pct
- ``summary``: value, previous, growth_pct, times, whole, whole_previous, whole_growth_pct,
  share_pct, previous_share_pct, share_change_pp, contribution_pp

Conventions:

- A period's sum is null unless every month of it has a vintage published by ``as_of`` (a
  "1-5月" figure is never silently a 1-4月 one); when they all do, a sum over no rows is 0.
  ``MeasureResult.vintages`` and ``Measure.vintages_used`` say which vintage each month came
  from, and which months are missing.
- ``growth_pct = (current / previous - 1) * 100`` and ``times = current / previous`` are null
  when previous is 0 or null. Releases write "增长1.9倍" for ``times - 1 = 1.9`` (+190%).
- ``share_pct = part / whole * 100``; ``change_pp`` and ``contribution_pp`` are percentage
  points, ``contribution_pp = (part_current - part_previous) / whole_previous * 100``.
- A group counts, in each month, the countries that were members on its first day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import ibis
import pyarrow as pa

from silkhub.core.periods import Month
from silkhub.stats.measures_expr import (
    GROUP,
    MEMBERSHIP_ARROW_SCHEMA,
    MEMBERSHIP_SCHEMA,
    MONTH,
    MONTHS_TABLE,
    VALUE,
    current_previous,
    group_names,
    growth_pct,
    membership_table,
    monthly,
    months_table,
    ordered,
    published,
    ratio,
    series_months_table,
    settled,
    sums_by,
)
from silkhub.stats.measures_query import MeasureQuery, invalid
from silkhub.stats.measures_result import (
    Engine,
    Measure,
    MeasureResult,
    Read,
    TargetProgress,
    UsedVintage,
    make_measure,
    run,
    target_progress,
)
from silkhub.stats.measures_share import contribution, share, summary
from silkhub.stats.vintages import IbisColumn

__all__ = [
    "MEMBERSHIP_ARROW_SCHEMA",
    "MEMBERSHIP_SCHEMA",
    "Engine",
    "Measure",
    "MeasureQuery",
    "MeasureResult",
    "Read",
    "TargetProgress",
    "UsedVintage",
    "contribution",
    "measure_result",
    "membership_table",
    "monthly_series",
    "run",
    "share",
    "summary",
    "target_progress",
    "top_n",
    "total",
    "year_on_year",
    "year_on_year_by_group",
]


def total(query: MeasureQuery) -> Measure:
    """The sum of ``query.value`` over the period. Columns: [<by>], value."""
    rows = monthly(query, query.months, by=query.by, membership="inner")
    keys = [query.by] if query.by else []
    sums = sums_by(rows, query.by, value=rows[VALUE].sum())
    expr = settled(query, sums, keys, value=("value", "current"))
    return make_measure("total", query, ordered(expr, query.by), read_months=query.months)


def year_on_year(query: MeasureQuery) -> Measure:
    """The period and the same period a year earlier. Columns: [<by>], current, previous,
    growth_pct, times."""
    months = query.months + query.previous_months
    rows = monthly(query, months, by=query.by, membership="inner")
    keys = [query.by] if query.by else []
    sums = sums_by(rows, query.by, **current_previous(query, rows))
    s = settled(
        query, sums, keys, current=("current", "current"), previous=("previous", "previous")
    )
    expr = s.mutate(
        growth_pct=growth_pct(s.current, s.previous), times=ratio(s.current, s.previous)
    )
    return make_measure("year_on_year", query, ordered(expr, query.by))


def year_on_year_by_group(query: MeasureQuery, groups: Sequence[str]) -> Measure:
    """``year_on_year`` for several country groups at once, from one scan of the data.

    Columns: group, current, previous, growth_pct, times; one row per group (ordered by
    code), 0 for a group with no trade in a published period. ``query`` has no group and no
    ``by``: each of ``groups`` is checked as ``query``'s group would be.
    """
    codes = list(dict.fromkeys(groups))
    if not codes or query.group is not None or query.by is not None:
        raise invalid(
            "invalid_groups",
            "按国家分组的同比需要至少一个分组代码，且查询本身不能再有 group 或 by。",
            "year_on_year_by_group needs at least one group code, and a query without its "
            "own group or `by`.",
            "groups",
            codes,
        )
    for code in codes:
        replace(query, group=code)  # the checks of a query with this group
    months = query.months + query.previous_months
    rows = monthly(query, months, by=None, membership="inner", groups=codes)
    sums = rows.group_by(GROUP).aggregate(**current_previous(query, rows))
    names = group_names(codes)
    every = names.left_join(sums, names[GROUP] == sums[GROUP]).select(
        names[GROUP], sums.current, sums.previous
    )
    s = settled(
        query, every, [GROUP], current=("current", "current"), previous=("previous", "previous")
    )
    expr = s.select(
        group=s[GROUP],
        current=s.current,
        previous=s.previous,
        growth_pct=growth_pct(s.current, s.previous),
        times=ratio(s.current, s.previous),
    ).order_by("group")
    return make_measure("year_on_year_by_group", query, expr, groups=codes)


def top_n(query: MeasureQuery, n: int = 10) -> Measure:
    """The ``n`` largest items of ``query.by`` in the period.

    Columns: rank (1..n), <by>, value, previous, growth_pct, share_pct (of ``total``), total
    (the period's sum over every item, those with a null ``by`` included). Only items with
    rows in the period are ranked, null ``by`` excepted; ties go to the smaller key.
    """
    by = query.by
    if by is None:
        raise invalid(
            "top_n_needs_by",
            "前N名需要指定排名的字段（by），例如 partner 或 hs_code。",
            "top_n needs `by`: the field to rank, e.g. partner or hs_code.",
            "by",
        )
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise invalid(
            "invalid_top_n",
            f"名次数应为正整数，而不是“{n}”。",
            f"n must be a positive integer, not {n!r}.",
            "n",
            str(n),
        )
    rows = monthly(query, query.months + query.previous_months, by=by, membership="inner")
    keyed = rows.group_by(by).aggregate(**current_previous(query, rows))
    totals = settled(
        query, keyed.aggregate(_total=keyed.current.sum()), total=("_total", "current")
    )
    items = keyed.filter(keyed[by].notnull(), keyed.current.notnull())
    items = settled(
        query, items, [by], value=("current", "current"), previous=("previous", "previous")
    )
    both = items.cross_join(totals)
    both = both.filter(both.value.notnull())
    order = [ibis.desc(both.value), ibis.asc(both[by])]
    ranked = both.mutate(rank=ibis.row_number().over(order_by=order) + 1)
    expr = (
        ranked.filter(ranked["rank"] <= n)
        .select(
            "rank",
            by,
            "value",
            "previous",
            growth_pct=growth_pct(ranked.value, ranked.previous),
            share_pct=ratio(ranked.value, ranked.total) * 100,
            total=ranked.total,
        )
        .order_by("rank")
    )
    return make_measure("top_n", query, expr)


def monthly_series(
    query: MeasureQuery, first: Month | None = None, last: Month | None = None
) -> Measure:
    """One row per month from ``first`` to ``last`` (default: the period's months), with the
    same month a year earlier and the year-to-date sums (January to that month), the way
    releases chart them.

    Columns: month, value, previous, growth_pct, ytd_value, ytd_previous, ytd_growth_pct.
    A figure is null when a month it adds up is not published (see the conventions).
    """
    if query.by is not None:
        raise invalid(
            "series_by_not_allowed",
            "月度序列不能分组：请去掉 by（每一项的序列请分别查询）。",
            "A monthly series has no `by`: drop it (query each item's series separately).",
            "by",
            query.by,
        )
    months = query.months
    if first is not None or last is not None:
        first, last = first or months[0], last or months[-1]
        if last < first:
            raise invalid(
                "invalid_month_range",
                f"月份区间的结束（{last.code}）早于开始（{first.code}）。",
                f"The series ends ({last.code}) before it starts ({first.code}).",
                "last",
                last.code,
            )
        count = (last.year - first.year) * 12 + last.month - first.month + 1
        months = [first.shift(k) for k in range(count)]
    spine_table = series_months_table(months)
    sources = sorted({Month.from_date(d) for d in spine_table.column("source").to_pylist()})
    rows = monthly(query, sources, by=None, membership="inner")
    rows = rows.group_by(MONTH).aggregate(**{VALUE: rows[VALUE].sum()})
    spine, months_published = months_table(), published(query)
    joined = spine.left_join(rows, spine.source == rows[MONTH]).left_join(
        months_published, spine.source == months_published._vp_period
    )

    def figure(role: str) -> IbisColumn:
        # The sum of the role's months; null unless every one of them is published.
        mine = joined.role == role
        return ibis.ifelse(
            joined._vp_period.count(where=mine) == joined.source.count(where=mine),
            joined[VALUE].sum(where=mine).coalesce(0),
            ibis.null(),
        )

    sums = joined.group_by("month").aggregate(
        value=figure("value"),
        previous=figure("previous"),
        ytd_value=figure("ytd"),
        ytd_previous=figure("ytd_previous"),
    )
    expr = sums.select(
        "month",
        "value",
        "previous",
        growth_pct=growth_pct(sums.value, sums.previous),
        ytd_value=sums.ytd_value,
        ytd_previous=sums.ytd_previous,
        ytd_growth_pct=growth_pct(sums.ytd_value, sums.ytd_previous),
    ).order_by("month")
    return make_measure(
        "monthly_series",
        query,
        expr,
        read_months=sources,
        tables={MONTHS_TABLE: spine_table},
    )


def measure_result(
    engine: Engine,
    query: MeasureQuery,
    *,
    vintage_periods: pa.Table,
    whole: MeasureQuery | None = None,
) -> MeasureResult:
    """One query's figures as Python values, with the vintage each month came from.

    Without a group and without ``whole`` there is no part and whole (``year_on_year`` runs,
    the share fields are None); otherwise ``summary`` runs and every field is filled in.
    """
    if query.by is not None:
        raise invalid(
            "result_by_not_allowed",
            "单项结果不能分组：请去掉 by，分组结果请用 run() 得到表格。",
            "A result is one set of figures: drop `by`, or use run() for a table.",
            "by",
            query.by,
        )
    if query.group is None and whole is None:
        measure = year_on_year(query)
        row = run(engine, measure, vintage_periods=vintage_periods).to_pylist()[0]
        figures = {k: row[k] for k in ("previous", "growth_pct", "times")}
        figures["value"] = row["current"]
    else:
        measure = summary(query, whole)
        figures = run(engine, measure, vintage_periods=vintage_periods).to_pylist()[0]
    used = measure.vintages_used(vintage_periods).to_pylist()
    vintages = tuple(
        UsedVintage(u["dataset"], Month.from_date(u["period"]), u["vintage"], u["published_at"])
        for u in used
    )
    return MeasureResult(query=query, whole_query=whole, vintages=vintages, **figures)
