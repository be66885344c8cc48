"""Synthetic cross-border e-commerce of the demo hub, 2018 to 2020, calibrated to the seed.

Retail exports (``mode = "零售"``, 跨境网络零售出口): 1-5月2020 32,560,000,000 yuan ("325.6亿元")
against 28,045,000,000 in 1-5月2019: +16.099% ("增长16.1%"). Retail imports are shaped but not
calibrated; B2B exports (``mode = "B2B"``, customs codes 9710/9810) start in July 2020, when the
province's pilots began. The commerce department's monthly CSV is in 万元.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from silkhub.core.periods import Month
from silkhub.stats.demo_common import (
    SourceFile,
    file_name,
    generator,
    month_range,
    published,
    scale_blocks,
    write_csv,
)

__all__ = ["ECOMMERCE_TARGETS", "RETAIL", "ecommerce_sources"]

MONTHS = month_range(Month(2018, 1), Month(2020, 12))
RETAIL, B2B = "零售", "B2B"
B2B_FROM = Month(2020, 7)
#: Retail exports, yuan.
ECOMMERCE_TARGETS = {"2019_jan_may": 28_045_000_000, "2020_jan_may": 32_560_000_000}

# Yuan a year (shape only): retail exports, retail imports; "Double 11" in November.
_YEARLY = {2018: (600e8, 260e8), 2019: (780e8, 320e8), 2020: (1000e8, 360e8)}
_SEASON = np.array([0.85, 0.6, 0.8, 0.85, 0.9, 1.0, 0.95, 1.0, 1.05, 1.1, 1.45, 1.35])
_WAN = 10_000


def ecommerce_values(seed: int) -> tuple[list[int], list[int], list[int]]:
    """Month by month, in 万元: retail exports, retail imports, B2B exports (0 before July
    2020)."""
    rng = generator(seed, "ecommerce")
    season = _SEASON / _SEASON.sum()
    exports = np.array(
        [_YEARLY[m.year][0] / _WAN * season[m.month - 1] * rng.lognormal(0, 0.05) for m in MONTHS]
    )
    imports = np.array(
        [_YEARLY[m.year][1] / _WAN * season[m.month - 1] * rng.lognormal(0, 0.08) for m in MONTHS]
    )
    jan_may = {y: np.array([m.year == y and m.month <= 5 for m in MONTHS]) for y in (2019, 2020)}
    retail = scale_blocks(
        exports,
        [
            (jan_may[2019], ECOMMERCE_TARGETS["2019_jan_may"] // _WAN),
            (jan_may[2020], ECOMMERCE_TARGETS["2020_jan_may"] // _WAN),
        ],
    )
    b2b = [
        round(float(retail[i]) * 0.25 * (1 + 0.15 * (m.month - 7)) * rng.lognormal(0, 0.1))
        if m >= B2B_FROM
        else 0
        for i, m in enumerate(MONTHS)
    ]
    return [int(v) for v in retail], [round(float(v)) for v in imports], b2b


def ecommerce_sources(folder: Path, seed: int) -> list[SourceFile]:
    retail, imports, b2b = ecommerce_values(seed)
    header = ("月份", "模式", "出口额（万元）", "进口额（万元）")
    out: list[SourceFile] = []
    for i, month in enumerate(MONTHS):
        when = f"{month.year}年{month.month}月"
        rows: list[tuple[str, str, int | str, int | str]] = [(when, RETAIL, retail[i], imports[i])]
        if b2b[i]:
            rows.append((when, B2B, b2b[i], ""))
        path = folder / "ecommerce" / file_name("浙江省跨境电子商务进出口", month, ".csv")
        write_csv(
            path,
            title=f"浙江省跨境电子商务进出口情况（{when}）",
            subtitle="数据来源：演示·省商务厅电子商务处（虚构） 金额单位：万元",
            header=header,
            rows=rows,
            encoding="utf-8",
        )
        out.append(SourceFile("ecommerce", path, published(month, 20)))
    return out
