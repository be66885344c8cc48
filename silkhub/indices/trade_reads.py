"""The trade index over the hub's statistics: item months read through the statistics service
(the one door from indices into statistics), computed by ``trade_index``."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pyarrow as pa

from silkhub.core.errors import InvalidInput, Location, Message
from silkhub.core.periods import Month, Year, parse_period
from silkhub.indices.formulas import Formula
from silkhub.indices.trade_index import DEFAULT_LIMIT, TradeIndexPoint, trade_index
from silkhub.stats import service as stats
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database

__all__ = [
    "DEFAULT_BASE_YEAR",
    "DEFAULT_GROUP",
    "FLOWS",
    "parse_month",
    "trade_index_csv",
    "trade_index_of",
]

FLOWS = ("export", "import", "total")
#: The base year (= 100) when none is asked for.
DEFAULT_BASE_YEAR = 2015
#: Trade with the Belt and Road cooperation partners, as of each month.
DEFAULT_GROUP = "bri_partners"


def parse_month(text: str | None, field: str) -> Month | None:
    """A month ("2020-05") from what a person or a URL gives; None for nothing."""
    if not text:
        return None
    period = parse_period(text)
    if not isinstance(period, Month):
        raise InvalidInput.single(
            "not_a_month",
            Message(
                f"请给出月份，如 2020-05，而不是“{text}”。",
                f"Give a month such as 2020-05, not {text!r}.",
            ),
            location=Location(field=field),
            value=text,
        )
    return period


def trade_index_of(
    db: Database,
    store: AnalyticalStore,
    *,
    flow: str = "total",
    base: Year,
    formula: Formula = Formula.FISHER,
    chained: bool = False,
    group: str = DEFAULT_GROUP,
    first: Month | None = None,
    last: Month | None = None,
    limit: float = DEFAULT_LIMIT,
) -> list[TradeIndexPoint]:
    """The value, price and volume indices of trade with ``group`` for ``flow``, month by month
    from ``first`` (default: January of the base year) to ``last`` (default: the latest month
    published)."""
    if flow not in FLOWS:
        raise InvalidInput.single(
            "unknown_flow",
            Message(
                f"流向须为 {'、'.join(FLOWS)} 之一。",
                f"The flow must be one of {', '.join(FLOWS)}.",
            ),
            location=Location(field="flow"),
            value=flow,
        )
    end = last or stats.latest_month(db, "trade")
    if end is None:
        raise InvalidInput.single(
            "no_trade_data",
            Message("尚未导入贸易数据。", "No trade figures have been imported."),
            location=Location(field="last"),
        )
    start = Month(base.year, 1)
    months = [
        start.shift(k) for k in range((end.year - start.year) * 12 + end.month - start.month + 1)
    ]
    flows = ("export", "import") if flow == "total" else (flow,)

    def compute() -> tuple[TradeIndexPoint, ...]:
        tables = []
        for one in flows:
            table = stats.item_months(db, store, flow=one, group=group, months=months)
            flows_column = pa.array([one] * table.num_rows, pa.string())
            tables.append(table.append_column("flow", flows_column))
        rows = pa.concat_tables(tables)
        points = trade_index(rows, base=base, formula=formula, chained=chained, limit=limit)
        return tuple(p for p in points if (first is None or p.month >= first) and p.month <= end)

    # The index itself takes tens of milliseconds over the remembered rows; it changes only
    # with an import of trade, so the portal and the API need not recompute it per request.
    key = ("trade_index", str(store.root), flow, base, formula, chained, group, first, end, limit)
    return list(stats.remembered((*key, stats.dataset_state(db, "trade")), compute))


def trade_index_csv(points: Sequence[TradeIndexPoint]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ("month", "value_index", "price_index", "volume_index", "items", "matched", "outliers")
    )
    for p in points:
        writer.writerow(
            (
                p.month.code,
                format(p.value, ".4f"),
                format(p.price, ".4f"),
                format(p.volume, ".4f"),
                p.items,
                p.matched,
                p.outliers,
            )
        )
    return out.getvalue()
