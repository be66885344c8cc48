"""Synthetic foreign direct investment of the demo hub, 2018 to 2020 (dataset fdi), calibrated
to the seed.

Actually used FDI from the 64 countries along the route: 1-5月2020 360,000,000 USD ("3.6亿美元")
against 305,080,000 in 1-5月2019, +18.0018% ("增长18.0%"). Singapore brings most of it, as it
does in the province's real figures; Hong Kong, the offshore centres, Japan, Korea, Taiwan,
the United States and Europe bring the rest of the province's FDI, about fifteen times as much.
One UTF-8 CSV a month, contracted and actually used FDI by source, in 万美元.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from silkhub.core import countries
from silkhub.core.periods import Month
from silkhub.stats.demo_common import (
    HUNDRED,
    SourceFile,
    allocate,
    file_name,
    generator,
    month_range,
    published,
    scale_blocks,
    wan,
    write_csv,
)

__all__ = ["FDI_TARGETS", "fdi_rows", "fdi_sources"]

MONTHS = month_range(Month(2018, 1), Month(2020, 12))
#: Actually used FDI from the route countries, US dollars.
FDI_TARGETS = {"2019_jan_may": 305_080_000, "2020_jan_may": 360_000_000}

_ROUTE: dict[str, float] = {
    "SG": 55, "MY": 7, "TH": 5, "AE": 4, "IL": 4, "ID": 3, "IN": 3, "SA": 2, "TR": 2, "RU": 2,
    "PH": 2, "VN": 1.5, "PL": 1, "CZ": 1, "HU": 1, "KW": 1, "QA": 1, "KZ": 0.5, "PK": 0.5,
    "BN": 0.5, "LK": 0.3, "JO": 0.3,
}  # fmt: skip
_OTHER: dict[str, float] = {
    "HK": 900, "VG": 80, "KY": 50, "JP": 40, "US": 30, "TW": 30, "DE": 25, "KR": 25, "WS": 15,
    "NL": 10, "GB": 10, "FR": 8, "AU": 8, "CA": 6, "MO": 5, "CH": 5,
}  # fmt: skip
# Actually used FDI from the route countries by year, in hundreds of dollars (shape only), and
# how many times that the rest of the world brings.
_ROUTE_YEAR = {2018: 6_900_000, 2019: 8_100_000, 2020: 8_900_000}
_OTHER_TIMES = 15.0
_SEASON = np.array([0.9, 0.6, 0.9, 0.9, 0.9, 1.3, 0.9, 0.9, 1.0, 0.9, 1.0, 1.8])


def _split(rng: np.random.Generator, table: dict[str, float], total: int) -> list[tuple[str, int]]:
    """``total`` over the sources of ``table``; small sources invest in some months only."""
    codes = list(table)
    base = np.array([table[c] for c in codes], dtype=float)
    weights = base * rng.lognormal(0, 0.8, len(codes))
    weights[(base < 3) & (rng.random(len(codes)) < 0.5)] = 0.0
    return [(c, int(a)) for c, a in zip(codes, allocate(total, weights), strict=True) if a > 0]


def fdi_rows(seed: int) -> dict[Month, list[tuple[str, int, int]]]:
    """By month: (source country, contracted, actually used), in hundreds of dollars."""
    rng = generator(seed, "fdi")
    season = _SEASON / _SEASON.sum()
    monthly = np.array(
        [_ROUTE_YEAR[m.year] * season[m.month - 1] * rng.lognormal(0, 0.2) for m in MONTHS]
    )
    jan_may = {y: np.array([m.year == y and m.month <= 5 for m in MONTHS]) for y in (2019, 2020)}
    route = scale_blocks(
        monthly,
        [
            (jan_may[2019], FDI_TARGETS["2019_jan_may"] // HUNDRED),
            (jan_may[2020], FDI_TARGETS["2020_jan_may"] // HUNDRED),
        ],
    )
    out: dict[Month, list[tuple[str, int, int]]] = {}
    for i, month in enumerate(MONTHS):
        other = round(float(route[i]) * _OTHER_TIMES * rng.lognormal(0, 0.15))
        actual = _split(rng, _ROUTE, int(route[i])) + _split(rng, _OTHER, other)
        # Contracted investment runs ahead of what is actually used.
        contracted = np.rint([a * rng.lognormal(0.6, 0.5) for _, a in actual]).astype(np.int64)
        out[month] = [(c, int(k), a) for (c, a), k in zip(actual, contracted, strict=True)]
    return out


def fdi_sources(folder: Path, seed: int) -> list[SourceFile]:
    """One UTF-8 CSV a month: contracted and actually used FDI by source country."""
    out: list[SourceFile] = []
    header = ("月份", "国家（地区）", "合同外资（万美元）", "实际使用外资（万美元）")
    for month, rows in fdi_rows(seed).items():
        lines = [(month.code, countries.get(c).name_zh, wan(k), wan(a)) for c, k, a in rows]
        path = folder / "fdi" / file_name("浙江省利用外资分国别（地区）情况", month, ".csv")
        write_csv(
            path,
            title=f"浙江省利用外资分国别（地区）情况（{month.year}年{month.month}月）",
            subtitle="数据来源：演示·省商务厅外资处（虚构） 金额单位：万美元",
            header=header,
            rows=lines,
            encoding="utf-8",
        )
        out.append(SourceFile("fdi", path, published(month, 18)))
    return out
