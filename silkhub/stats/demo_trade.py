"""Synthetic trade of the demo hub, January 2018 to December 2020, calibrated to the seed.

The totals come first. A monthly model (partner size × growth × seasonality with the Chinese
New Year and the 2020 epidemic × noise) gives a value per month, partner and flow; it is then
scaled so that the figures the seed article quotes come out exactly, and rounded to whole yuan
with largest remainders inside each calibrated block:

==============================================  ==================  =================
figure                                          group               yuan
==============================================  ==================  =================
trade with the route countries, 1-5月2020         along_route_64      390,900,000,000
trade with China-CEEC (17 members), 1-5月2020     china_ceec          28,800,000,000
trade with the route countries, 2019            along_route_64      1,023,800,000,000
==============================================  ==================  =================

3909亿元 and 288亿元 exactly; 1.0238万亿元 prints "1万亿元" and is over 10^12 ("跨过了1万亿
元大关"). The article's "10.4%" is not copied: 288 of 3909 is 7.4%, and that is what silkhub
computes. China-CEEC's sixteen members along the route and Greece (not along the route) are
blocks of their own, the route's other countries a third. Before rounding, whole series are
scaled (China-CEEC to 288亿元, the other route countries to the rest of 3909亿元) so that no
month jumps; 2019's block then moves by well under 1%.

Each month, partner and flow is split over a fixed basket of HS codes, cities and trade modes,
again with largest remainders, so that every sum is exact. The files are what a customs office
sends: one GBK CSV a month with a title, units and a note; March 2020 is published with the
March figures and again, revised, with April's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

from silkhub.core import countries, groups
from silkhub.core.periods import Month
from silkhub.stats.demo_common import (
    Floats,
    Ints,
    SourceFile,
    allocate,
    file_name,
    generator,
    month_range,
    published,
    scale_blocks,
    write_csv,
)
from silkhub.stats.demo_trade_data import (
    BULK_HS,
    CITIES_EXPORT,
    CITIES_IMPORT,
    EXPORT_HS,
    IMPORT_HS,
    IMPORT_PROFILES,
    MARKET_CITIES,
    PARTNERS,
    PORT_CITIES,
)

__all__ = ["MONTHS", "RATES", "REVISED_MONTH", "TRADE_TARGETS", "trade_sources"]

MONTHS = month_range(Month(2018, 1), Month(2020, 12))
#: The month published twice: first with its own figures, then revised with April's.
REVISED_MONTH = Month(2020, 3)

#: The calibrated totals, in yuan.
TRADE_TARGETS = {
    "route_2020_jan_may": 390_900_000_000,  # 3909亿元
    "ceec_2020_jan_may": 28_800_000_000,  # 288亿元 (7.4% of the above, not 10.4%)
    "route_2019": 1_023_800_000_000,  # "over 1万亿元": 1.0238万亿元
}

#: Yuan per US dollar, monthly averages (rounded) of 2018-2020.
RATES = (
    *(6.43, 6.32, 6.32, 6.33, 6.39, 6.47, 6.72, 6.83, 6.86, 6.92, 6.94, 6.88),
    *(6.78, 6.74, 6.71, 6.74, 6.83, 6.89, 6.88, 7.07, 7.09, 7.07, 7.03, 7.01),
    *(6.92, 6.99, 7.02, 7.07, 7.10, 7.08, 6.99, 6.92, 6.81, 6.70, 6.60, 6.54),
)

# A year of trade, month by month (before the New Year and the epidemic).
_SEASON = np.array([1.00, 0.70, 0.90, 0.95, 1.00, 1.00, 1.05, 1.06, 1.07, 1.00, 1.08, 1.14])
# The Chinese New Year (2018-02-16, 2019-02-05, 2020-01-25) and the 2020 epidemic.
_CALENDAR = {
    2018: {1: 1.05, 2: 0.95},
    2019: {1: 1.02, 2: 0.92},
    2020: {1: 0.93, 2: 0.65, 3: 0.93, 4: 0.98, 5: 1.02, 6: 1.02}
    | dict.fromkeys(range(7, 13), 1.05),
}
# Growth of each partner's trade (exports, imports): 2019 on 2018, 2020 on 2019.
_GROWTH_2019 = {True: (0.12, 0.06), False: (0.04, -0.03)}  # key: along the route
_GROWTH_2020 = {True: (0.13, 0.02), False: (0.09, 0.02)}

FLOWS_ZH = ("出口", "进口")
HEADER = (
    "月份",
    "进出口",
    "国别（地区）",
    "商品编码",
    "地市",
    "贸易方式",
    "人民币金额（元）",
    "美元金额（美元）",
    "数量",
    "计量单位",
)
GENERAL, PROCESSING, MARKET = "一般贸易", "进料加工贸易", "市场采购"


def _group_masks() -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    day = date(2020, 1, 1)
    route = groups.members("along_route_64", day)
    ceec = groups.members("china_ceec", day)
    codes = [p.alpha2 for p in PARTNERS]
    return np.array([c in route for c in codes]), np.array([c in ceec for c in codes])


def cell_values(rng: np.random.Generator) -> Ints:
    """Whole yuan by [month, partner, flow], with every calibrated total exact."""
    size = np.array([[p.exports, p.imports] for p in PARTNERS]) * 1e8
    route, ceec = _group_masks()
    growth19 = np.array([_GROWTH_2019[bool(r)] for r in route])
    growth20 = np.array([_GROWTH_2020[bool(r)] for r in route])
    growth19 = growth19 + rng.normal(0, 0.04, growth19.shape)
    growth20 = growth20 + rng.normal(0, 0.04, growth20.shape)
    level = {2018: 1 / (1 + growth19), 2019: np.ones_like(size), 2020: 1 + growth20}
    values = np.empty((len(MONTHS), *size.shape))
    for i, month in enumerate(MONTHS):
        season = _SEASON[month.month - 1] * _CALENDAR[month.year].get(month.month, 1.0)
        noise = rng.lognormal(0, 0.04, size.shape)
        values[i] = size * level[month.year] * season / _SEASON.sum() * noise

    jan_may = np.array([m.year == 2020 and m.month <= 5 for m in MONTHS])
    year_2019 = np.array([m.year == 2019 for m in MONTHS])

    def total(months: npt.NDArray[np.bool_], partners: npt.NDArray[np.bool_]) -> float:
        return float(values[months][:, partners].sum())

    # Scale whole series (every month alike) so the calibrated blocks need only rounding.
    values[:, ceec] *= TRADE_TARGETS["ceec_2020_jan_may"] / total(jan_may, ceec)
    others = route & ~ceec
    rest = TRADE_TARGETS["route_2020_jan_may"] - total(jan_may, route & ceec)
    values[:, others] *= rest / total(jan_may, others)

    ceec_on_route = round(total(jan_may, route & ceec), -4)
    shape = values.shape

    def block(
        months: npt.NDArray[np.bool_], partners: npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.bool_]:
        return np.broadcast_to(months[:, None, None] & partners[None, :, None], shape)

    blocks = [
        (block(jan_may, route & ceec), int(ceec_on_route)),
        (block(jan_may, ceec & ~route), TRADE_TARGETS["ceec_2020_jan_may"] - int(ceec_on_route)),
        (block(jan_may, others), TRADE_TARGETS["route_2020_jan_may"] - int(ceec_on_route)),
        (block(year_2019, route), TRADE_TARGETS["route_2019"]),
    ]
    return scale_blocks(values, blocks)


# --- the detail under each month, partner and flow -------------------------------------------


@dataclass
class Basket:
    """The lines a partner's trade in one direction is reported on, with their weights."""

    hs: list[str]
    city: list[str]
    mode: list[str]
    unit: list[str]
    price: Floats
    weight: Floats


def _pick(rng: np.random.Generator, table: dict[str, float], k: int) -> list[str]:
    names = list(table)
    p = np.array(list(table.values()), dtype=float)
    chosen = rng.choice(len(names), size=min(k, len(names)), replace=False, p=p / p.sum())
    return [names[i] for i in sorted(chosen)]


class _Lines:
    """Lines of a basket by (HS code, city, trade mode): unit, price and weight."""

    def __init__(self) -> None:
        self.lines: dict[tuple[str, str, str], tuple[str, float, float]] = {}

    def add(self, hs: str, city: str, mode: str, unit: str, price: float, w: float) -> None:
        key = (hs, city, mode)
        before = self.lines.get(key)
        self.lines[key] = (unit, price, w + (before[2] if before else 0.0))

    def basket(self) -> Basket:
        keys = list(self.lines)
        values = [self.lines[k] for k in keys]
        return Basket(
            [k[0] for k in keys],
            [k[1] for k in keys],
            [k[2] for k in keys],
            [v[0] for v in values],
            np.array([v[1] for v in values]),
            np.array([v[2] for v in values]),
        )


def _export_basket(rng: np.random.Generator, size: float) -> Basket:
    lines = _Lines()
    weights = np.array([x.weight for x in EXPORT_HS]) * rng.lognormal(0, 0.7, len(EXPORT_HS))
    n = int(np.clip(round(4 + 1.2 * np.sqrt(size)), 4, len(EXPORT_HS)))
    chosen = sorted(rng.choice(len(EXPORT_HS), size=n, replace=False, p=weights / weights.sum()))
    spread = int(np.clip(1 + np.sqrt(size) // 7, 1, 3))
    for i in chosen:
        item, w = EXPORT_HS[i], float(weights[i])
        for city in _pick(rng, CITIES_EXPORT, spread):
            share = CITIES_EXPORT[city] * rng.lognormal(0, 0.4)
            lines.add(item.hs, city, GENERAL, item.unit, item.price, w * share)
        if item.hs[:2] in ("84", "85", "87") and size > 50:
            city = _pick(rng, {"宁波市": 5, "杭州市": 3, "嘉兴市": 2}, 1)[0]
            lines.add(item.hs, city, PROCESSING, item.unit, item.price, w * 2.5)
        if item.small and size > 2:
            # Market procurement is declared at a coarser level: four digits.
            for city in _pick(rng, MARKET_CITIES, 2 if size > 30 else 1):
                share = MARKET_CITIES[city] / 10
                lines.add(item.hs[:4], city, MARKET, item.unit, item.price, w * share)
    return lines.basket()


def _import_basket(rng: np.random.Generator, size: float, profile: str) -> Basket:
    lines = _Lines()
    spread = int(np.clip(1 + np.sqrt(size) // 6, 1, 3))
    for hs, weight in IMPORT_PROFILES[profile]:
        unit, price = IMPORT_HS[hs]
        w = weight * rng.lognormal(0, 0.3)
        cities = PORT_CITIES if hs in BULK_HS else CITIES_IMPORT
        for city in _pick(rng, cities, spread):
            lines.add(hs, city, GENERAL, unit, price, w * cities[city] * rng.lognormal(0, 0.4))
        if hs in ("854231", "290243", "390110") and size > 20:
            city = _pick(rng, {"宁波市": 5, "嘉兴市": 3, "杭州市": 2}, 1)[0]
            lines.add(hs, city, PROCESSING, unit, price, w * 12)
    return lines.basket()


def baskets(rng: np.random.Generator) -> list[tuple[Basket, Basket]]:
    return [
        (_export_basket(rng, p.exports), _import_basket(rng, p.imports, p.profile))
        for p in PARTNERS
    ]


Row = tuple[str, str, str, str, str, str, int, int, int, str]


def month_rows(
    index: int, cells: Ints, every: list[tuple[Basket, Basket]], rng: np.random.Generator
) -> list[Row]:
    """The lines of one month's file: each partner and flow split over its basket."""
    month, rate = MONTHS[index], RATES[index]
    when = f"{month.year}年{month.month}月"
    rows: list[Row] = []
    for p, partner in enumerate(PARTNERS):
        name = countries.get(partner.alpha2).name_zh
        for flow in (0, 1):
            total = int(cells[index, p, flow])
            if total <= 0:
                continue
            b = every[p][flow]
            w = b.weight * rng.lognormal(0, 0.15, b.weight.size)
            # Small lines are not traded every month.
            sporadic = (b.weight < 0.004 * b.weight.sum()) & (rng.random(b.weight.size) < 0.2)
            if not sporadic.all():
                w[sporadic] = 0.0
            cny = allocate(total, w)
            usd = np.rint(cny / rate).astype(np.int64)
            qty = np.maximum(1, np.rint(usd / (b.price * rng.lognormal(0, 0.08, b.price.size))))
            for j in np.flatnonzero(cny):
                rows.append(
                    (
                        when,
                        FLOWS_ZH[flow],
                        name,
                        b.hs[j],
                        b.city[j],
                        b.mode[j],
                        int(cny[j]),
                        int(usd[j]),
                        int(qty[j]),
                        b.unit[j],
                    )
                )
    return rows


def first_release(rows: list[Row], rate: float, rng: np.random.Generator) -> list[Row]:
    """The figures as first published: some declarations not yet in, some values lower."""
    out: list[Row] = []
    for row in rows:
        draw = rng.random()
        if draw < 0.01:
            continue  # a late declaration: not in the first release
        if draw < 0.3:
            factor = rng.uniform(0.96, 0.995)
            cny = max(1, round(row[6] * factor))
            qty = max(1, round(row[8] * factor))
            out.append((*row[:6], cny, round(cny / rate), qty, row[9]))
        else:
            out.append(row)
    return out


def _write(path: Path, month: Month, rows: list[Row], *, revised: bool) -> None:
    title = f"浙江省货物进出口国别（地区）商品明细表（{month.year}年{month.month}月）"
    source = "数据来源：演示·之江海关统计处（虚构机构） 金额单位：人民币元、美元"
    if revised:
        title += "（修订）"
        source += " 本表为修订数，替代此前发布的数据"
    write_csv(
        path, title=title, subtitle=source, header=HEADER, rows=rows, encoding="gbk", crlf=True
    )


def trade_sources(folder: Path, seed: int) -> list[SourceFile]:
    """Write the monthly customs files; the files and how to import them."""
    rng = generator(seed, "trade")
    cells = cell_values(rng)
    every = baskets(rng)
    out: list[SourceFile] = []
    stem = "浙江省货物进出口国别商品明细"
    for index, month in enumerate(MONTHS):
        rows = month_rows(index, cells, every, rng)
        path = folder / "trade" / file_name(stem, month, ".csv")
        if month == REVISED_MONTH:
            # The first release carries the first numbers; the revised file the final ones.
            first = first_release(rows, RATES[index], generator(seed, "trade-first-release"))
            _write(path, month, first, revised=False)
            out.append(SourceFile("trade", path, published(month, 20)))
            revised = folder / "trade" / file_name(f"{stem}（修订）", month, ".csv")
            _write(revised, month, rows, revised=True)
            when = published(month.shift(1), 20) + timedelta(minutes=30)
            out.append(SourceFile("trade", revised, when, revision=True))
        else:
            _write(path, month, rows, revised=False)
            out.append(SourceFile("trade", path, published(month, 20)))
    return out
