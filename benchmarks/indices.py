"""How fast silkhub computes its indices from raw inputs.

1. **Freight history**: three years of weekly quotes (2018-W01 to 2020-W53: 157 weeks) for the
   20 routes of the first basket and the 2 added in mid-2019, 3 container types, 12 panel
   members (about 120,000 quotes, seeded random walks), recomputed from the raw quotes with
   ``compute_history`` (cleaning, route indices, composite, the chain link). Goal: under 2 s.
   The yardstick measured in the same run is a bare pandas ``groupby(...).mean()`` of the same
   quotes per week and cell: the least any computation of weekly averages must do.
2. **Trade index**: a chained Fisher price index over 1,000,000 item-months (20,000 items × 50
   months, about 5 % of item-months missing so that items appear and disappear) with
   ``silkhub.indices.formulas``, against the same computation written plainly in pandas (per
   month: merge with the previous month on the item, sum the products, take the square root,
   multiply up). Goal: silkhub at least 10 times faster. Both must agree to 1e-9.

Each contender runs in a child process of its own; each is timed 3 times and the best is
reported, with peak memory.

    python benchmarks/indices.py
    python benchmarks/indices.py --items 5000 --months 40
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from _harness import peak_mb, run_child  # benchmarks/_harness.py, beside this script

GOAL_FREIGHT_S = 2.0
GOAL_TRADE_RATIO = 10.0
REPEATS = 3


# -- data, built inside each child (seeded, so every child sees the same) -----------------------


def freight_quotes(members: int, seed: int) -> list[Any]:
    import random
    from datetime import UTC, datetime

    from silkhub.core.periods import IsoWeek
    from silkhub.indices.freight_clean import Quote
    from silkhub.indices.freight_compute import WeekQuote, next_week
    from silkhub.indices.freight_config import default_methodology

    m = default_methodology()
    rng = random.Random(seed)
    routes = sorted({r for b in m.baskets for r in b.weights})
    level = {r: rng.uniform(400, 3000) for r in routes}
    sizes = {"20GP": 1.0, "40GP": 1.8, "40HQ": 1.9}
    at = datetime(2018, 1, 1, tzinfo=UTC)
    out: list[Any] = []
    week, last, n = IsoWeek(2018, 1), IsoWeek(2020, 53), 0
    while week <= last:
        for route in routes:
            level[route] *= rng.gauss(1.0, 0.02)
            for container, size in sizes.items():
                for k in range(members):
                    n += 1
                    amount = round(level[route] * size * rng.gauss(1.0, 0.04), 2)
                    out.append(WeekQuote(week, route, container, Quote(f"M{k:02d}", amount, at, n)))
        week = next_week(week)
    return out


def trade_rows(items: int, months: int, seed: int) -> dict[str, Any]:
    import numpy as np

    rng = np.random.default_rng(seed)
    item = np.repeat(np.arange(items), months)
    month = np.tile(np.arange(months), items)
    trend = rng.normal(0.0, 0.02, (items, months)).cumsum(axis=1).ravel()
    price = np.exp(rng.normal(3.0, 1.0, items).repeat(months) + trend)
    quantity = rng.lognormal(5.0, 1.5, items * months)
    keep = rng.random(items * months) >= 0.05
    keep[month == 0] = True  # every item is priced in the first month
    return {
        "item": item[keep],
        "month": month[keep],
        "price": price[keep],
        "quantity": quantity[keep],
    }


# -- contenders ----------------------------------------------------------------------------------


def child_freight(members: int, seed: int) -> dict[str, Any]:
    from silkhub.core.periods import IsoWeek
    from silkhub.indices.freight_compute import compute_history
    from silkhub.indices.freight_config import default_methodology

    quotes = freight_quotes(members, seed)
    m = default_methodology()
    best = float("inf")
    composite = None
    for _ in range(REPEATS):
        started = time.perf_counter()
        history = compute_history(m, quotes, IsoWeek(2020, 53))
        best = min(best, time.perf_counter() - started)
        composite = history.weeks[-1].composite
    return {"seconds": best, "quotes": len(quotes), "weeks": len(history.weeks), "last": composite}


def child_freight_groupby(members: int, seed: int) -> dict[str, Any]:
    import pandas as pd

    quotes = freight_quotes(members, seed)
    frame = pd.DataFrame(
        {
            "week": [q.week.code for q in quotes],
            "route": [q.route for q in quotes],
            "container": [q.container for q in quotes],
            "amount": [q.quote.amount for q in quotes],
        }
    )
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        frame.groupby(["week", "route", "container"])["amount"].mean()
        best = min(best, time.perf_counter() - started)
    return {"seconds": best}


def child_trade_silkhub(items: int, months: int, seed: int) -> dict[str, Any]:
    import numpy as np

    from silkhub.indices.formulas import Formula, Panel, index_series

    rows = trade_rows(items, months, seed)
    import pyarrow as pa

    labels = [f"{m:03d}" for m in range(months)]
    # As the rows would come out of a Parquet file: Arrow columns.
    table = pa.table(
        {
            "item": rows["item"],
            "period": pa.array(np.array(labels, dtype=object)[rows["month"]]),
            "price": rows["price"],
            "quantity": rows["quantity"],
        }
    )
    best, series = float("inf"), None
    for _ in range(REPEATS):
        started = time.perf_counter()
        # The panel is built from the long rows inside the timing: that is part of the work.
        panel = Panel.from_rows(
            table["item"],
            table["period"],
            table["price"].to_numpy(),
            table["quantity"].to_numpy(),
            period_order=labels,
        )
        series = index_series(panel, Formula.FISHER, chained=True)
        best = min(best, time.perf_counter() - started)
    assert series is not None
    return {"seconds": best, "rows": len(rows["item"]), "series": series.tolist()}


def child_trade_pandas(items: int, months: int, seed: int) -> dict[str, Any]:
    import math

    import pandas as pd

    frame = pd.DataFrame(trade_rows(items, months, seed))
    best, series = float("inf"), None
    for _ in range(REPEATS):
        started = time.perf_counter()
        by_month = dict(list(frame.groupby("month")))
        level, series = 1.0, [100.0]
        for m in range(1, months):
            pair = by_month[m - 1].merge(by_month[m], on="item", suffixes=("_0", "_1"))
            laspeyres = (pair.price_1 * pair.quantity_0).sum() / (
                pair.price_0 * pair.quantity_0
            ).sum()
            paasche = (pair.price_1 * pair.quantity_1).sum() / (
                pair.price_0 * pair.quantity_1
            ).sum()
            level *= math.sqrt(laspeyres * paasche)
            series.append(100.0 * level)
        best = min(best, time.perf_counter() - started)
    return {"seconds": best, "series": series}


CHILDREN = {
    "freight": lambda a: child_freight(a.members, a.seed),
    "freight_groupby": lambda a: child_freight_groupby(a.members, a.seed),
    "trade_silkhub": lambda a: child_trade_silkhub(a.items, a.months, a.seed),
    "trade_pandas": lambda a: child_trade_pandas(a.items, a.months, a.seed),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=12)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = CHILDREN[args.child](args)
        result["peak_mb"] = round(peak_mb(), 1)
        print(json.dumps(result))
        return
    passed = ["--members", str(args.members), "--items", str(args.items)]
    passed += ["--months", str(args.months), "--seed", str(args.seed)]
    freight = run_child(__file__, "freight", passed, timeout=600)
    groupby = run_child(__file__, "freight_groupby", passed, timeout=600)
    print(
        f"freight history: {freight['quotes']:,} quotes, {freight['weeks']} weeks: "
        f"silkhub {freight['seconds']:.3f} s (goal < {GOAL_FREIGHT_S} s), bare pandas groupby "
        f"mean {groupby['seconds']:.3f} s; peak {freight['peak_mb']} MB",
        file=sys.stderr,
    )
    silkhub = run_child(__file__, "trade_silkhub", passed, timeout=600)
    plain = run_child(__file__, "trade_pandas", passed, timeout=1800)
    worst = max(abs(a - b) / b for a, b in zip(silkhub["series"], plain["series"], strict=True))
    if worst > 1e-9:
        raise SystemExit(f"silkhub and pandas disagree (relative difference {worst:.2e})")
    ratio = plain["seconds"] / silkhub["seconds"]
    print(
        f"trade index (chained Fisher), {silkhub['rows']:,} item-months: silkhub "
        f"{silkhub['seconds']:.3f} s, plain pandas {plain['seconds']:.3f} s: {ratio:.1f}x "
        f"(goal >= {GOAL_TRADE_RATIO}x); peak {silkhub['peak_mb']} MB vs {plain['peak_mb']} MB",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "benchmark": "indices",
                "freight_quotes": freight["quotes"],
                "freight_weeks": freight["weeks"],
                "freight_s": round(freight["seconds"], 3),
                "freight_goal_s": GOAL_FREIGHT_S,
                "freight_groupby_s": round(groupby["seconds"], 3),
                "freight_vs_groupby": round(freight["seconds"] / groupby["seconds"], 1),
                "trade_rows": silkhub["rows"],
                "trade_silkhub_s": round(silkhub["seconds"], 3),
                "trade_pandas_s": round(plain["seconds"], 3),
                "trade_ratio": round(ratio, 1),
                "trade_goal": f">= {GOAL_TRADE_RATIO}",
                "peak_mb": silkhub["peak_mb"],
            }
        )
    )


if __name__ == "__main__":
    main()
