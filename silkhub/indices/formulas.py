"""Bilateral price and quantity index formulas over a panel of items, fixed base or chained.

The four formulas of the international manuals (ILO/IMF *Consumer Price Index Manual*, ch. 15-17;
IMF *Export and Import Price Index Manual*), comparing period 1 with period 0 over the items
priced in both (the matched-model method: an item new in period 1 or gone from it takes no part
in that comparison):

- Laspeyres  P_L = Σ p1·q0 / Σ p0·q0     (base-period quantities)
- Paasche    P_P = Σ p1·q1 / Σ p0·q1     (current-period quantities)
- Fisher     P_F = √(P_L · P_P)          (passes time reversal; P_F · Q_F = V1 / V0)
- Törnqvist  ln P_T = Σ ½(s0 + s1) · ln(p1 / p0), s the items' value shares in each period

A quantity index is the same formula with the roles of prices and quantities swapped.

A fixed-base series compares every period with the base directly. A chained series multiplies
the links between consecutive periods (each over the items matched in that pair) and is then
rescaled so that the base period is 100; with a single link the two agree.

Everything is vectorised with NumPy over a dense items × periods panel: one pass of array
arithmetic per series, whatever the number of items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from silkhub.core.errors import InvalidInput, Location, Message, Problem

__all__ = ["Formula", "NoMatchedItems", "Panel", "index_series", "link_ratios"]

Array = npt.NDArray[np.float64]


class Formula(StrEnum):
    LASPEYRES = "laspeyres"
    PAASCHE = "paasche"
    FISHER = "fisher"
    TORNQVIST = "tornqvist"

    @classmethod
    def parse(cls, text: str, *, field: str = "formula") -> Formula:
        try:
            return cls(text.strip().lower().replace("ö", "o"))
        except ValueError:
            names = ", ".join(f.value for f in cls)
            raise InvalidInput.single(
                "unknown_formula",
                Message(
                    f"未知的指数公式“{text}”：可用 {names}。",
                    f"Unknown index formula {text!r}: use one of {names}.",
                ),
                location=Location(field=field),
                value=text,
            ) from None


class NoMatchedItems(InvalidInput):
    """Two periods to compare have no item priced (with a quantity) in both."""


@dataclass(frozen=True)
class Panel:
    """Prices and quantities of items over periods: arrays of shape (items, periods), NaN
    where an item was not observed in a period. Periods are in time order."""

    periods: tuple[str, ...]
    items: tuple[str, ...]
    prices: Array
    quantities: Array

    def __post_init__(self) -> None:
        shape = (len(self.items), len(self.periods))
        if self.prices.shape != shape or self.quantities.shape != shape:
            raise ValueError(f"prices and quantities must have shape {shape}")

    @classmethod
    def from_rows(
        cls,
        items: Sequence[object] | npt.ArrayLike,
        periods: Sequence[str],
        prices: Sequence[float] | npt.ArrayLike,
        quantities: Sequence[float] | npt.ArrayLike,
        *,
        period_order: Sequence[str] | None = None,
    ) -> Panel:
        """A panel from long rows (one per item and period; pairs must be unique). Items are
        dictionary-encoded and periods looked up in their order by Arrow: no Python loop over
        the rows."""
        period_array = _as_strings(periods)
        if period_order is not None:
            order = [str(p) for p in period_order]
        else:
            order = sorted(str(p) for p in pc.unique(period_array).to_pylist() if p is not None)
        item_codes, item_names = _encode(items)
        # A lookup in the (few) periods costs less than hashing them into a dictionary and
        # mapping its entries: what dominated building the panel.
        found = pc.index_in(period_array, value_set=pa.array(order, pa.string()))
        if isinstance(found, pa.ChunkedArray):
            found = found.combine_chunks()
        if found.null_count:
            unknown = pc.filter(period_array, pc.is_null(found))[0].as_py()
            raise KeyError(unknown)
        period_codes = found.to_numpy(zero_copy_only=False).astype(np.int64)
        n_periods = len(order)
        shape = (len(item_names), n_periods)
        # One flat index, two scatters: cheaper than two 2-D fancy assignments.
        flat = item_codes * n_periods + period_codes
        p = np.full(shape, np.nan)
        q = np.full(shape, np.nan)
        p.reshape(-1)[flat] = np.asarray(prices, dtype=np.float64)
        q.reshape(-1)[flat] = np.asarray(quantities, dtype=np.float64)
        return cls(tuple(order), tuple(str(i) for i in item_names), p, q)

    @cached_property
    def observed(self) -> npt.NDArray[np.bool_]:
        """Where an item has both a price and a quantity."""
        return np.isfinite(self.prices) & np.isfinite(self.quantities)

    @cached_property
    def zeroed(self) -> tuple[Array, Array]:
        """Prices and quantities with 0 where not observed: a product of one period's price
        and another's quantity is then 0 unless the item is in both, without a mask."""
        return np.where(self.observed, self.prices, 0.0), np.where(
            self.observed, self.quantities, 0.0
        )


def _as_strings(values: Sequence[object] | npt.ArrayLike) -> pa.Array | pa.ChunkedArray:
    """Periods as an Arrow string array (labels are compared as text)."""
    array = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
    if not pa.types.is_string(array.type):
        array = pc.cast(array, pa.string())
    return array


def _encode(values: Sequence[object] | npt.ArrayLike) -> tuple[npt.NDArray[np.int64], list[object]]:
    # Arrow arrays (a Parquet column, say) are encoded as they are, without a copy.
    array = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
    encoded = pc.dictionary_encode(array)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    dictionary = encoded.dictionary
    if pa.types.is_integer(dictionary.type):
        # Integer item codes become their decimal text (as str() writes them) in one kernel.
        dictionary = pc.cast(dictionary, pa.string())
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), dictionary.to_pylist()


def _dot(*arrays: Array) -> Array:
    # Column sums of the element-wise product, without the temporary arrays of a * b * c.
    subscripts = ",".join("ij" for _ in arrays) + "->j"
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    result: Array = np.einsum(subscripts, *(np.broadcast_to(a, shape) for a in arrays))
    return result


def _compare(
    p0: Array,
    q0: Array,
    p1: Array,
    q1: Array,
    ok0: npt.NDArray[np.bool_],
    ok1: npt.NDArray[np.bool_],
    formula: Formula,
) -> Array:
    """Index ratios (1 = no change) of columns of period 1 against columns of period 0, each
    over the rows observed in both (``ok``); NaN where a column has no such row. Prices and
    quantities are 0 where not observed (``Panel.zeroed``)."""
    matched = ok0 & ok1
    with np.errstate(invalid="ignore", divide="ignore"):
        if formula is Formula.TORNQVIST:
            v0 = np.where(matched, p0 * q0, 0.0)
            v1 = np.where(matched, p1 * q1, 0.0)
            weight = 0.5 * (v0 / v0.sum(axis=0) + v1 / v1.sum(axis=0))
            # An unmatched row's ratio is 1: its logarithm adds nothing.
            ratio = np.where(matched, p1, 1.0) / np.where(matched, p0, 1.0)
            result: Array = np.exp(_dot(weight, np.log(ratio)))
        else:
            # p1·q0 and p0·q1 are 0 unless the item is in both periods; p0·q0 and p1·q1 are not,
            # and take the mask.
            mask = matched.astype(np.float64)
            laspeyres = _dot(p1, q0) / _dot(p0, q0, mask)
            if formula is Formula.LASPEYRES:
                result = laspeyres
            else:
                paasche = _dot(p1, q1, mask) / _dot(p0, q1)
                result = paasche if formula is Formula.PAASCHE else np.sqrt(laspeyres * paasche)
    return np.where(matched.any(axis=0), result, np.nan)


def _roles(panel: Panel, quantity: bool) -> tuple[Array, Array]:
    # A quantity index is the price formula with prices and quantities swapped.
    prices, quantities = panel.zeroed
    return (quantities, prices) if quantity else (prices, quantities)


def _no_match(panel: Panel, a: int, b: int) -> NoMatchedItems:
    first, second = panel.periods[a], panel.periods[b]
    message = Message(
        f"{first} 与 {second} 没有共同的项目（两期都有价格和数量），无法比较。",
        f"No item has a price and a quantity in both {first} and {second}: they cannot "
        "be compared.",
    )
    problem = Problem("no_matched_items", message, Location(field="period"), f"{first}/{second}")
    return NoMatchedItems(message, problems=[problem], code="no_matched_items")


def link_ratios(panel: Panel, formula: Formula, *, quantity: bool = False) -> Array:
    """The chain links: period t against period t-1, for t = 1..n-1 (ratios, 1 = no change)."""
    values, weights = _roles(panel, quantity)
    ok = panel.observed
    links = _compare(
        values[:, :-1],
        weights[:, :-1],
        values[:, 1:],
        weights[:, 1:],
        ok[:, :-1],
        ok[:, 1:],
        formula,
    )
    missing = np.flatnonzero(~np.isfinite(links))
    if missing.size:
        t = int(missing[0]) + 1
        raise _no_match(panel, t - 1, t)
    return links


def index_series(
    panel: Panel,
    formula: Formula,
    *,
    base: int = 0,
    chained: bool = False,
    quantity: bool = False,
) -> Array:
    """The index of every period of ``panel``, base period (column ``base``) = 100."""
    if not 0 <= base < len(panel.periods):
        raise ValueError(f"base {base} is not a period of the panel")
    if chained:
        # Cumulative product of the links, rescaled so the base period is 100.
        level = np.concatenate(([1.0], np.cumprod(link_ratios(panel, formula, quantity=quantity))))
        series: Array = 100.0 * level / level[base]
        return series
    values, weights = _roles(panel, quantity)
    ok = panel.observed
    ratios = _compare(
        values[:, [base]], weights[:, [base]], values, weights, ok[:, [base]], ok, formula
    )
    missing = np.flatnonzero(~np.isfinite(ratios))
    if missing.size:
        raise _no_match(panel, base, int(missing[0]))
    fixed: Array = 100.0 * ratios
    return fixed
