"""Value and quantity by commodity and month: what a unit-value price index is computed from.

``item_months(query, months)`` sums the query's value field and the quantity, month by month,
for each HS code and unit of quantity (an item: the same code in kilograms and in pieces is two
items, their unit values cannot be compared), over the current vintage of each month and, with a
group, over the countries that were members in that month — exactly as the other measures count.
Rows without a quantity or a unit count in ``value`` (the value index covers everything) but not
in ``priced_value`` and ``quantity`` (they have no unit value).
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis

from silkhub.core.periods import Month
from silkhub.stats.measures_expr import MEMBERSHIP_SCHEMA, MEMBERSHIP_TABLE, published, scan
from silkhub.stats.measures_query import MeasureQuery
from silkhub.stats.measures_result import Measure, make_measure
from silkhub.stats.vintages import row_month
from silkhub.stores.analytical_expr import unbound

__all__ = ["item_months", "port_months"]


def item_months(query: MeasureQuery, months: Sequence[Month]) -> Measure:
    """Columns: month, hs_code, quantity_unit, value, priced_value, quantity (sums over the
    query's filters and group; value in the query's value field's unit)."""
    if query.ds.name != "trade":
        raise ValueError("item months are measured on the trade dataset")
    rows = scan(query, months)
    priced = rows.quantity.notnull() & (rows.quantity > 0) & rows.quantity_unit.notnull()
    country = query.country_field if query.group is not None else None
    keys = [k for k in (country, "hs_code", "quantity_unit") if k is not None]
    month = row_month(rows, query.ds).name("month")
    aggregated = rows.group_by([month, rows.vintage, *(rows[k] for k in keys)]).aggregate(
        value=rows[query.value].sum(),
        priced_value=rows[query.value].sum(where=priced),
        quantity=rows.quantity.sum(where=priced),
    )
    latest = published(query)
    current = aggregated.join(
        latest,
        [aggregated.month == latest._vp_period, aggregated.vintage == latest._vp_vintage],
    ).select("month", *keys, "value", "priced_value", "quantity")
    if country is not None:
        members = unbound(MEMBERSHIP_TABLE, MEMBERSHIP_SCHEMA)
        members = members.filter(members.group == query.group)
        current = current.join(
            members,
            [
                current[country] == members.country,
                members.start.isnull() | (members.start <= current.month),
                members.end.isnull() | (current.month < members.end),
            ],
        ).select("month", "hs_code", "quantity_unit", "value", "priced_value", "quantity")
    expr = (
        current.filter(current.hs_code.notnull())
        .group_by(["month", "hs_code", "quantity_unit"])
        .aggregate(
            value=current.value.sum(),
            priced_value=current.priced_value.sum().coalesce(ibis.literal(0, "int64")),
            quantity=current.quantity.sum().coalesce(0.0),
        )
        .order_by(["month", "hs_code", "quantity_unit"])
    )
    return make_measure("item_months", query, expr, read_months=list(months))


def port_months(query: MeasureQuery, months: Sequence[Month]) -> Measure:
    """Port throughput by month, port and cargo kind over the current vintage of each month
    (and the query's filters): columns month, port, cargo_kind (null: a total row, of every
    kind), tonnes, teu (sums; null when no row had one). What the port index is computed
    from (the indices capability reads it)."""
    if query.ds.name != "port":
        raise ValueError("port months are measured on the port dataset")
    rows = scan(query, months)
    month = row_month(rows, query.ds).name("month")
    aggregated = rows.group_by([month, rows.vintage, rows.port, rows.cargo_kind]).aggregate(
        tonnes=rows.cargo_tonnes.sum(), teu=rows.containers_teu.sum()
    )
    latest = published(query)
    expr = (
        aggregated.join(
            latest,
            [aggregated.month == latest._vp_period, aggregated.vintage == latest._vp_vintage],
        )
        .select("month", "port", "cargo_kind", "tonnes", "teu")
        .order_by(["month", "port", "cargo_kind"])
    )
    return make_measure("port_months", query, expr, read_months=list(months))
