"""The monthly trade index: value, price and volume indices of trade with the Belt and Road
partner countries (exports, imports or both), from the trade dataset at the finest HS level it
holds.

- **Items**: an HS code in one unit of quantity (and, for total trade, one flow: export and
  import unit values are not comparable). Its unit value in a month is its value ÷ quantity,
  summed over the partner countries that were in the group that month.
- **Price index**: the unit values of the items priced both in the comparison period and in the
  month, with one of the four formulas (``formulas.Formula``). Fixed base: every month against
  the base year's annual unit values, weighted by the base year's annual quantities (Laspeyres)
  or the month's (Paasche), or both (Fisher, Törnqvist). Chained: month-to-month links, rescaled
  so that the base year's months average 100.
- **Outliers**: an item whose unit value is more than ``limit`` times (default 5), or less than
  1/``limit`` of, its unit value in the comparison period is left out of that comparison, and
  counted (chained, the comparison period is the month before, and the item misses the next
  link too). Unit values of customs data jump when the mix inside a code changes; a factor of 5
  keeps real price moves and drops what is almost surely a change of what is measured.
- **New and disappearing items** take no part in the comparisons they are missing from (matched
  models); they count in the value index, which covers all trade.
- **Value index** = the month's value ÷ the base year's monthly average × 100; **volume index**
  = value index ÷ price index × 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from silkhub.core.errors import InvalidInput, Location, Message
from silkhub.core.periods import Month, Year
from silkhub.indices.formulas import Array, Formula, Panel, index_series

__all__ = ["DEFAULT_LIMIT", "TradeIndexPoint", "trade_index"]

DEFAULT_LIMIT = 5.0


@dataclass(frozen=True)
class TradeIndexPoint:
    month: Month
    value: float
    price: float
    volume: float
    #: Items priced in the month, and of those, compared (matched, within the limits).
    items: int
    matched: int
    #: Items left out of the month's comparison as outliers.
    outliers: int


def _unit_values(rows: pa.Table) -> tuple[list[str], list[Month], Array, Array]:
    """Items, months and the dense unit-value and quantity arrays (items × months)."""
    keys = pc.binary_join_element_wise(
        rows["flow"] if "flow" in rows.column_names else pa.array([""] * rows.num_rows),
        rows["hs_code"],
        rows["quantity_unit"].fill_null(""),
        "|",
    )
    priced = pc.and_(pc.greater(rows["quantity"], 0), pc.greater(rows["priced_value"], 0))
    rows = rows.append_column("item", keys).filter(priced)
    item_codes = pc.dictionary_encode(rows["item"]).combine_chunks()
    months = sorted({Month.from_date(d) for d in rows["month"].to_pylist()})
    position = {m.start: i for i, m in enumerate(months)}
    month_codes = np.array([position[d] for d in rows["month"].to_pylist()], dtype=np.int64)
    shape = (len(item_codes.dictionary), len(months))
    value = np.full(shape, np.nan)
    quantity = np.full(shape, np.nan)
    rows_items = item_codes.indices.to_numpy(zero_copy_only=False)
    value[rows_items, month_codes] = rows["priced_value"].to_numpy(zero_copy_only=False)
    quantity[rows_items, month_codes] = rows["quantity"].to_numpy(zero_copy_only=False)
    return item_codes.dictionary.to_pylist(), months, value, quantity


def _outliers(prices: Array, reference: Array, limit: float) -> npt.NDArray[np.bool_]:
    """True where a unit value is beyond ``limit`` times its reference (either way)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = prices / reference
    far: npt.NDArray[np.bool_] = np.isfinite(relative) & (
        (relative > limit) | (relative < 1 / limit)
    )
    return far


def trade_index(
    rows: pa.Table,
    *,
    base: Year,
    formula: Formula = Formula.FISHER,
    chained: bool = False,
    limit: float = DEFAULT_LIMIT,
    months: Sequence[Month] | None = None,
) -> list[TradeIndexPoint]:
    """The index for every month of ``rows`` (or ``months``), from item months with columns
    month, hs_code, quantity_unit, value, priced_value, quantity (and flow, for total trade)."""
    items, all_months, value, quantity = _unit_values(rows)
    in_base = [i for i, m in enumerate(all_months) if m.year == base.year]
    if len(in_base) < 12:
        raise InvalidInput.single(
            "incomplete_base_year",
            Message(
                f"基期 {base.year} 年只有{len(in_base)}个月的数据，需要全年12个月。",
                f"The base year {base.year} has {len(in_base)} months of data; it needs all 12.",
            ),
            location=Location(field="base"),
            value=base.year,
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        prices = value / quantity
    sums = rows.group_by("month").aggregate([("value", "sum")])
    total_value = {
        Month.from_date(d): v
        for d, v in zip(sums["month"].to_pylist(), sums["value_sum"].to_pylist(), strict=True)
    }
    base_value = sum(total_value.get(all_months[i], 0) for i in in_base) / 12
    wanted = list(months) if months is not None else all_months
    if chained:
        reference = np.concatenate([prices[:, :1], prices[:, :-1]], axis=1)
        far = _outliers(prices, reference, limit)
        kept = np.where(far, np.nan, prices)
        panel = Panel(
            tuple(m.code for m in all_months), tuple(items), kept, np.where(far, np.nan, quantity)
        )
        level = index_series(panel, formula, chained=True)
        price_index = level / level[in_base].mean() * 100
        matched = np.isfinite(kept[:, 1:]) & np.isfinite(kept[:, :-1])
        matched_counts = np.concatenate([[np.isfinite(kept[:, 0]).sum()], matched.sum(axis=0)])
    else:
        base_quantity = np.nansum(quantity[:, in_base], axis=1)
        base_value_items = np.nansum(value[:, in_base], axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            base_price = np.where(base_quantity > 0, base_value_items / base_quantity, np.nan)
        far = _outliers(prices, base_price[:, None], limit)
        kept = np.where(far, np.nan, prices)
        panel = Panel(
            ("base", *(m.code for m in all_months)),
            tuple(items),
            np.column_stack([base_price, kept]),
            np.column_stack(
                [
                    np.where(base_quantity > 0, base_quantity, np.nan),
                    np.where(far, np.nan, quantity),
                ]
            ),
        )
        price_index = index_series(panel, formula, base=0)[1:]
        matched_counts = (np.isfinite(kept) & np.isfinite(base_price)[:, None]).sum(axis=0)
    points = []
    for i, month in enumerate(all_months):
        if month not in wanted:
            continue
        value_index = total_value[month] / base_value * 100
        price = float(price_index[i])
        points.append(
            TradeIndexPoint(
                month=month,
                value=value_index,
                price=price,
                volume=value_index / price * 100,
                items=int(np.isfinite(prices[:, i]).sum()),
                matched=int(matched_counts[i]),
                outliers=int(far[:, i].sum()),
            )
        )
    return points
