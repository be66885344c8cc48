"""Part-and-whole measures: ``share``, ``contribution`` and the one-row ``summary``.

The part is a query (usually with a country group); the whole is another query given
explicitly, or else the same query without its group and without its ``by``. See
``silkhub.stats.measures`` for the columns and conventions.
"""

from __future__ import annotations

from silkhub.stats.measures_expr import (
    MEMBER,
    current_previous,
    growth_pct,
    monthly,
    ordered,
    ratio,
    settled,
    sums_by,
)
from silkhub.stats.measures_query import MeasureQuery, invalid
from silkhub.stats.measures_result import Measure, make_measure
from silkhub.stats.vintages import IbisTable

__all__ = ["contribution", "part_whole", "share", "summary"]


def part_whole(query: MeasureQuery, whole: MeasureQuery | None) -> IbisTable:
    """[<by>], part_current, part_previous, whole_current, whole_previous (settled sums)."""
    by = query.by
    months = query.months + query.previous_months
    if whole is None and by is None:
        # One scan: the group's members are the part, every row is the whole.
        rows = monthly(query, months, by=None, membership="left")
        member = rows[MEMBER] if query.group is not None else None
        part, every = current_previous(query, rows, member), current_previous(query, rows)
        sums = rows.aggregate(
            part_current=part["current"],
            part_previous=part["previous"],
            whole_current=every["current"],
            whole_previous=every["previous"],
        )
        return settled(
            query,
            sums,
            part_current=("part_current", "current"),
            part_previous=("part_previous", "previous"),
            whole_current=("whole_current", "current"),
            whole_previous=("whole_previous", "previous"),
        )
    if whole is None:  # the same query, without its group and without breakdown
        whole_query = query
        whole_rows = monthly(query, months, by=None, membership="none")
    else:
        _check_whole(query, whole)
        whole_query = whole
        whole_months = whole.months + whole.previous_months
        whole_rows = monthly(whole, whole_months, by=None, membership="inner")
    rows = monthly(query, months, by=by, membership="inner")
    keys = [by] if by else []
    part_sums = settled(
        query,
        sums_by(rows, by, **current_previous(query, rows)),
        keys,
        part_current=("current", "current"),
        part_previous=("previous", "previous"),
    )
    whole_sums = settled(
        whole_query,
        whole_rows.aggregate(**current_previous(whole_query, whole_rows)),
        whole_current=("current", "current"),
        whole_previous=("previous", "previous"),
    )
    return part_sums.cross_join(whole_sums)


def _check_whole(query: MeasureQuery, whole: MeasureQuery) -> None:
    if whole.period != query.period:
        raise invalid(
            "whole_period_differs",
            f"整体的期间（{whole.period.code}）与部分（{query.period.code}）不同。",
            f"The whole's period ({whole.period.code}) differs from the part's "
            f"({query.period.code}).",
            "whole.period",
            whole.period.code,
        )
    if whole.by is not None:
        raise invalid(
            "whole_by_not_allowed",
            "整体不能再分组（by）：部分的每一项都与同一个整体比较。",
            "The whole cannot have `by`: every item of the part is compared with one whole.",
            "whole.by",
            whole.by,
        )


def _others(whole: MeasureQuery | None) -> tuple[MeasureQuery, ...]:
    return (whole,) if whole is not None else ()


def share(query: MeasureQuery, whole: MeasureQuery | None = None) -> Measure:
    """The part's share of the whole, now and a year earlier, and its change in points.

    Columns: [<by>], part_current, whole_current, share_pct, part_previous, whole_previous,
    previous_share_pct, change_pp.
    """
    s = part_whole(query, whole)
    now = ratio(s.part_current, s.whole_current) * 100
    before = ratio(s.part_previous, s.whole_previous) * 100
    expr = s.select(
        *([query.by] if query.by else []),
        "part_current",
        "whole_current",
        share_pct=now,
        part_previous=s.part_previous,
        whole_previous=s.whole_previous,
        previous_share_pct=before,
        change_pp=now - before,
    )
    return make_measure("share", query, ordered(expr, query.by), *_others(whole))


def contribution(query: MeasureQuery, whole: MeasureQuery | None = None) -> Measure:
    """How many percentage points of the whole's growth the part contributed:
    ``(part_current - part_previous) / whole_previous * 100``.

    Columns: [<by>], part_current, part_previous, part_growth_pct, whole_current,
    whole_previous, whole_growth_pct, contribution_pp.
    """
    s = part_whole(query, whole)
    expr = s.select(
        *([query.by] if query.by else []),
        "part_current",
        "part_previous",
        part_growth_pct=growth_pct(s.part_current, s.part_previous),
        whole_current=s.whole_current,
        whole_previous=s.whole_previous,
        whole_growth_pct=growth_pct(s.whole_current, s.whole_previous),
        contribution_pp=ratio(s.part_current - s.part_previous, s.whole_previous) * 100,
    )
    return make_measure("contribution", query, ordered(expr, query.by), *_others(whole))


def summary(query: MeasureQuery, whole: MeasureQuery | None = None) -> Measure:
    """Everything a release sentence needs, in one row: value, previous, growth_pct, times,
    whole, whole_previous, whole_growth_pct, share_pct, previous_share_pct, share_change_pp,
    contribution_pp. ``query.by`` must be None."""
    if query.by is not None:
        raise invalid(
            "summary_by_not_allowed",
            "汇总指标只有一行，不能分组：请去掉 by，或改用同比、占比或前N名。",
            "A summary is one row: drop `by`, or use year_on_year, share or top_n.",
            "by",
            query.by,
        )
    s = part_whole(query, whole)
    now = ratio(s.part_current, s.whole_current) * 100
    before = ratio(s.part_previous, s.whole_previous) * 100
    expr = s.select(
        value=s.part_current,
        previous=s.part_previous,
        growth_pct=growth_pct(s.part_current, s.part_previous),
        times=ratio(s.part_current, s.part_previous),
        whole=s.whole_current,
        whole_previous=s.whole_previous,
        whole_growth_pct=growth_pct(s.whole_current, s.whole_previous),
        share_pct=now,
        previous_share_pct=before,
        share_change_pp=now - before,
        contribution_pp=ratio(s.part_current - s.part_previous, s.whole_previous) * 100,
    )
    return make_measure("summary", query, expr, *_others(whole))
