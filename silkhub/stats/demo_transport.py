"""Synthetic transport of the demo hub: sea ports, rail lines from Yiwu, international air
cargo, calibrated to the seed.

Ningbo-Zhoushan port (``port = "宁波舟山港"``): cargo in 2019 1,119,000,000 t ("11.2亿吨"),
1-5月2019 448,200,000 t, 1-5月2020 450,000,000 t ("4.5亿吨", +0.40%: "100.4%" of the same
period); containers in 2019 27,535,000 TEU ("2753.5万标箱", over 2700万), 1-5月2019 11,280,000,
1-5月2020 10,717,000 ("1071.7万标箱"). The province's other ports (嘉兴港, 温州港, 台州港) are
smaller and not calibrated. The port authority's table is an .xlsx with merged headers, read
with a mapping file written beside the files (``port/demo_port.toml``: a demo source, so not
one of the mappings silkhub ships). Each port's cargo comes by kind (货类: containers with
their tonnes and TEU, dry bulk, liquid bulk, general cargo), in integers of 0.01万吨 that add up
exactly to the port's monthly total, so every total above is unchanged (the split draws from a
random stream of its own, ``port-kinds``). The shares are invented but plausible: at
Ningbo-Zhoushan about 26 % of the tonnage in containers (about 10.5 t a TEU), 44 % dry bulk
(ore, coal), 25 % liquid bulk (crude oil through Zhoushan, rising about 6 % a year) and 4 %
general cargo; the smaller ports carry more dry bulk.

Rail, January 2018 to June 2020 (``line``, TEU; trains in brackets), through the shipped
mapping ``sources/yiwu_rail.toml``:

=========  ======================  ======================  ==================
line       1-6月2019                1-6月2020                growth of TEU
=========  ======================  ======================  ==================
义新欧      11,269 TEU (135)        24,466 TEU (294)        +117.1088%
中亚班列    2,974 TEU (37)          4,758 TEU (59)          +59.9866% (60.0)
=========  ======================  ======================  ==================

Air cargo: the number of international cargo routes of 杭州萧山国际机场 and 宁波栎社国际机场 is
a stock, read for one month: 13 in December 2019, 19 from June 2020 to December 2020 (6 new in
2020).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from silkhub.core import countries
from silkhub.core.periods import Month
from silkhub.stats.demo_common import (
    LABEL,
    LABEL_EN,
    NOTE,
    Ints,
    SourceFile,
    allocate,
    file_name,
    generator,
    month_range,
    published,
    scale_blocks,
    write_csv,
    write_xlsx,
)
from silkhub.stats.mapping import SOURCES_DIR

# The port authority's table, as a mapping file (written beside the workbooks).
PORT_MAPPING = f"""\
# {LABEL}: the monthly table of the demo hub's (invented) port authority, as
# `silkhub demo` writes it (silkhub/stats/demo_transport.py): an .xlsx with a title row, two
# header rows ("货物吞吐量" merged over "合计（万吨）" and "外贸（万吨）", "集装箱吞吐量" over
# "合计（万标箱）" and "外贸（万标箱）"; the reader joins them into "货物吞吐量 合计（万吨）"...),
# one row per port and cargo kind (货类; TEU on the container rows only), a total row (left
# out, with a warning) and notes. Units are read from the headers.
dataset = "port"
name = "演示·浙江省沿海港口吞吐量（月度） / Demo: Zhejiang coastal ports, monthly ({LABEL_EN})"

[columns]
month = ["月份"]
port = ["港口"]
cargo_kind = ["货类"]
cargo_tonnes = ["货物吞吐量 合计"]
foreign_trade_tonnes = ["货物吞吐量 外贸"]
containers_teu = ["集装箱吞吐量 合计"]
foreign_trade_teu = ["集装箱吞吐量 外贸"]
"""

__all__ = [
    "AIR_MONTHS",
    "PORT_KINDS",
    "PORT_TARGETS",
    "RAIL_MONTHS",
    "RAIL_TARGETS",
    "transport_sources",
]

MONTHS = month_range(Month(2018, 1), Month(2020, 12))
RAIL_MONTHS = month_range(Month(2018, 1), Month(2020, 6))
AIR_MONTHS = MONTHS

NINGBO_ZHOUSHAN = "宁波舟山港"
#: Tonnes and TEU of Ningbo-Zhoushan port.
PORT_TARGETS = {
    "cargo_2019": 1_119_000_000,
    "cargo_2019_jan_may": 448_200_000,
    "cargo_2020_jan_may": 450_000_000,
    "teu_2019": 27_535_000,
    "teu_2019_jan_may": 11_280_000,
    "teu_2020_jan_may": 10_717_000,
}
#: line -> (TEU 1-6月2019, trains 1-6月2019, TEU 1-6月2020, trains 1-6月2020)
RAIL_TARGETS = {"义新欧": (11_269, 135, 24_466, 294), "中亚班列": (2_974, 37, 4_758, 59)}


def _mask(months: list[Month], test: Any) -> npt.NDArray[np.bool_]:
    return np.array([bool(test(m)) for m in months])


# --- ports --------------------------------------------------------------------------------------

# Yearly cargo (万吨) and containers (万标箱) of 2019, growth 2018->2019 and 2019->2020, and the
# foreign-trade shares of each.
_PORTS = {
    NINGBO_ZHOUSHAN: (111_900, 2_753.5, 0.03, 0.045, 0.45, 0.86),
    "嘉兴港": (11_000, 190.0, 0.06, 0.05, 0.20, 0.55),
    "温州港": (7_500, 73.0, 0.04, 0.03, 0.12, 0.25),
    "台州港": (4_600, 50.0, 0.05, 0.04, 0.10, 0.20),
}
_PORT_SEASON = np.array([1.02, 0.80, 0.98, 1.0, 1.04, 1.0, 1.04, 1.03, 1.0, 1.0, 1.02, 1.05])
_PORT_EPIDEMIC = {1: 1.0, 2: 0.80, 3: 0.93, 4: 0.98, 5: 1.0}


def port_values(rng: np.random.Generator) -> dict[str, tuple[Ints, Ints, Ints, Ints]]:
    """By port: cargo and foreign-trade cargo (hundreds of tonnes: 0.01万吨), containers and
    foreign-trade containers (hundreds of TEU: 0.01万标箱), month by month."""
    season = _PORT_SEASON / _PORT_SEASON.sum()
    jan_may_19 = _mask(MONTHS, lambda m: m.year == 2019 and m.month <= 5)
    rest_19 = _mask(MONTHS, lambda m: m.year == 2019 and m.month > 5)
    jan_may_20 = _mask(MONTHS, lambda m: m.year == 2020 and m.month <= 5)
    t = PORT_TARGETS
    out: dict[str, tuple[Ints, Ints, Ints, Ints]] = {}
    for port, (cargo, teu, g19, g20, foreign_t, foreign_teu) in _PORTS.items():
        level = {2018: 1 / (1 + g19), 2019: 1.0, 2020: 1 + g20}
        shape = np.array(
            [
                level[m.year]
                * season[m.month - 1]
                * (_PORT_EPIDEMIC.get(m.month, 1.04) if m.year == 2020 else 1.0)
                for m in MONTHS
            ]
        )
        cargo_f = cargo * 100 * shape * rng.lognormal(0, 0.02, len(MONTHS))
        teu_f = teu * 100 * shape * rng.lognormal(0, 0.02, len(MONTHS))
        if port == NINGBO_ZHOUSHAN:
            c = scale_blocks(
                cargo_f,
                [
                    (jan_may_19, t["cargo_2019_jan_may"] // 100),
                    (rest_19, (t["cargo_2019"] - t["cargo_2019_jan_may"]) // 100),
                    (jan_may_20, t["cargo_2020_jan_may"] // 100),
                ],
            )
            b = scale_blocks(
                teu_f,
                [
                    (jan_may_19, t["teu_2019_jan_may"] // 100),
                    (rest_19, (t["teu_2019"] - t["teu_2019_jan_may"]) // 100),
                    (jan_may_20, t["teu_2020_jan_may"] // 100),
                ],
            )
        else:
            c, b = np.rint(cargo_f).astype(np.int64), np.rint(teu_f).astype(np.int64)
        fc = np.rint(c * foreign_t * rng.lognormal(0, 0.03, len(MONTHS))).astype(np.int64)
        fb = np.rint(b * foreign_teu * rng.lognormal(0, 0.02, len(MONTHS))).astype(np.int64)
        out[port] = (c, fc, b, fb)
    return out


#: Per port: tonnes per TEU of container cargo, then the shares of the rest (dry bulk, liquid
#: bulk, general cargo) in 2019 and their drift a year.
_KIND_PROFILES = {
    NINGBO_ZHOUSHAN: (10.5, (0.60, 0.34, 0.06), (-0.02, 0.06, -0.04)),
    "嘉兴港": (11.0, (0.58, 0.30, 0.12), (0.0, 0.04, -0.03)),
    "温州港": (10.0, (0.72, 0.16, 0.12), (-0.01, 0.02, 0.0)),
    "台州港": (10.0, (0.76, 0.12, 0.12), (0.0, 0.03, -0.02)),
}
#: How much of each kind is foreign trade, relative to the others (containers most).
_FOREIGN_PROPENSITY = np.array([1.5, 1.0, 1.1, 0.5])
#: The kinds as the workbook names them, in its row order.
PORT_KINDS = (("containers", "集装箱"), ("dry_bulk", "干散货"), ("liquid_bulk", "液体散货"),
              ("general_cargo", "件杂货"))  # fmt: skip


def port_kinds(
    values: dict[str, tuple[Ints, Ints, Ints, Ints]], rng: np.random.Generator
) -> dict[str, tuple[Ints, Ints]]:
    """By port: cargo and foreign-trade cargo by kind (kinds × months, hundreds of tonnes),
    each month's kinds adding up exactly to the port's cargo and foreign-trade cargo."""
    out: dict[str, tuple[Ints, Ints]] = {}
    for port, (cargo, foreign, teu, _) in values.items():
        per_teu, shares, drift = _KIND_PROFILES[port]
        kinds = np.zeros((4, len(MONTHS)), dtype=np.int64)
        foreign_kinds = np.zeros((4, len(MONTHS)), dtype=np.int64)
        for i, month in enumerate(MONTHS):
            boxed = int(np.rint(teu[i] * per_teu * rng.lognormal(0, 0.02)))
            years = month.year - 2019 + (month.month - 6.5) / 12
            weights = np.array(shares) * (1 + np.array(drift)) ** years
            rest = allocate(int(cargo[i]) - boxed, weights * rng.lognormal(0, 0.04, 3))
            kinds[:, i] = [boxed, *rest]
            foreign_kinds[:, i] = allocate(int(foreign[i]), kinds[:, i] * _FOREIGN_PROPENSITY)
        if (foreign_kinds > kinds).any() or (kinds < 0).any():
            raise ValueError(f"the demo's cargo kinds of {port} do not fit its totals")
        out[port] = (kinds, foreign_kinds)
    return out


def _wan(hundreds: int) -> float:
    """Hundreds (of tonnes or TEU) as 万 with two decimals: 12345 -> 123.45."""
    return float(f"{hundreds // 100}.{hundreds % 100:02d}")


def port_sources(folder: Path, seed: int) -> list[SourceFile]:
    """The port authority's monthly workbook (.xlsx: title, two merged header rows, a total
    row, a note)."""
    values = port_values(generator(seed, "port"))
    kinds = port_kinds(values, generator(seed, "port-kinds"))
    mapping = folder / "port" / "demo_port.toml"
    mapping.parent.mkdir(parents=True, exist_ok=True)
    mapping.write_text(PORT_MAPPING, encoding="utf-8")
    out: list[SourceFile] = []
    for i, month in enumerate(MONTHS):
        when = f"{month.year}年{month.month}月"

        def fill(ws: Any, i: int = i, when: str = when) -> None:
            ws.append([f"{LABEL}：浙江省沿海港口分货类吞吐量（{when}）"])
            ws.merge_cells("A1:G1")
            ws.append(["月份", "港口", "货类", "货物吞吐量", None, "集装箱吞吐量", None])
            units = ["合计（万吨）", "外贸（万吨）", "合计（万标箱）", "外贸（万标箱）"]
            ws.append([None, None, None, *units])
            for cells in ("A2:A3", "B2:B3", "C2:C3", "D2:E2", "F2:G2"):
                ws.merge_cells(cells)
            sums = [0, 0, 0, 0]
            for port, series in values.items():
                figures = [int(s[i]) for s in series]
                sums = [a + b for a, b in zip(sums, figures, strict=True)]
                tonnes, foreign = kinds[port]
                for k, (_, kind) in enumerate(PORT_KINDS):
                    boxes = [_wan(figures[2]), _wan(figures[3])] if k == 0 else [None, None]
                    cargo = [_wan(int(tonnes[k, i])), _wan(int(foreign[k, i]))]
                    ws.append([when, port, kind, *cargo, *boxes])
            ws.append(["全省合计", None, None, *(_wan(v) for v in sums)])
            ws.append([NOTE])
            ws.append(["说明：数据来源为演示·省港航管理中心（虚构机构）。"])
            ws.column_dimensions["B"].width = 14

        path = folder / "port" / file_name("浙江省沿海港口吞吐量", month, ".xlsx")
        write_xlsx(path, "港口吞吐量", fill)
        out.append(SourceFile("port", path, published(month, 15), mapping=mapping))
    return out


# --- rail ---------------------------------------------------------------------------------------

# Trains a month (before calibration), by year, and TEU per train.
_RAIL_TRAINS = {
    "义新欧": {
        2018: (24, 15, 24, 26, 27, 28, 28, 28, 29, 29, 30, 32),
        2019: (22, 12, 20, 24, 27, 30, 38, 44, 48, 50, 53, 57),
        2020: (48, 15, 42, 55, 64, 70),
    },
    "中亚班列": {
        2018: (4, 2, 4, 5, 5, 5, 5, 6, 6, 6, 6, 6),
        2019: (6, 3, 6, 7, 7, 8, 8, 8, 9, 9, 9, 10),
        2020: (9, 4, 9, 11, 12, 14),
    },
}
_TEU_PER_TRAIN = {"义新欧": 83.0, "中亚班列": 80.0}
# Where trains go (去程) and come from (回程), by weight.
_RAIL_ENDS = {
    "义新欧": {
        "去程": {"ES": 18, "DE": 14, "RU": 12, "PL": 10, "CZ": 6, "BY": 6, "LT": 4, "GB": 4,
                 "LV": 3, "FR": 3},
        "回程": {"DE": 6, "ES": 5, "RU": 3, "BY": 2, "PL": 2},
    },
    "中亚班列": {
        "去程": {"KZ": 30, "UZ": 30, "KG": 15, "TJ": 10, "TM": 8},
        "回程": {"KZ": 5, "UZ": 4},
    },
}  # fmt: skip


def rail_values(rng: np.random.Generator) -> dict[str, tuple[Ints, Ints]]:
    """By line: trains and TEU, month by month (January 2018 to June 2020)."""
    h1 = {y: _mask(RAIL_MONTHS, lambda m, y=y: m.year == y and m.month <= 6) for y in (2019, 2020)}
    out: dict[str, tuple[Ints, Ints]] = {}
    for line, (teu19, trains19, teu20, trains20) in RAIL_TARGETS.items():
        plan = np.array([float(v) for y in (2018, 2019, 2020) for v in _RAIL_TRAINS[line][y]])
        trains = scale_blocks(plan, [(h1[2019], trains19), (h1[2020], trains20)])
        per_train = _TEU_PER_TRAIN[line] * rng.lognormal(0, 0.03, len(RAIL_MONTHS))
        teu = scale_blocks(trains * per_train, [(h1[2019], teu19), (h1[2020], teu20)])
        out[line] = (trains, teu)
    return out


def rail_sources(folder: Path, seed: int) -> list[SourceFile]:
    """The rail operator's monthly report: trains and TEU by line, direction and country."""
    rng = generator(seed, "rail")
    values = rail_values(rng)
    mapping = SOURCES_DIR / "yiwu_rail.toml"
    header = ("日期", "班列线路", "去回程", "目的国", "开行列数", "发运标箱")
    out: list[SourceFile] = []
    for i, month in enumerate(RAIL_MONTHS):
        rows: list[tuple[str, str, str, str, int, int]] = []
        for line, (trains, teu) in values.items():
            ends = [(d, c, w) for d, table in _RAIL_ENDS[line].items() for c, w in table.items()]
            weights = np.array([w for _, _, w in ends], dtype=float)
            split = allocate(int(trains[i]), weights * rng.lognormal(0, 0.3, len(ends)))
            boxes = allocate(int(teu[i]), split * rng.lognormal(0, 0.05, len(ends)))
            rows += [
                (month.code, line, d, countries.get(c).name_zh, int(n), int(b))
                for (d, c, _), n, b in zip(ends, split, boxes, strict=True)
                if n > 0
            ]
        path = folder / "rail" / file_name("义乌中欧（中亚）班列开行情况", month, ".csv")
        write_csv(
            path,
            title=f"义乌中欧（中亚）班列开行情况（{month.year}年{month.month}月）",
            subtitle="数据来源：演示·义乌陆港班列运营公司（虚构）",
            header=header,
            rows=rows,
            encoding="utf-8",
        )
        out.append(SourceFile("rail", path, published(month, 10), mapping=mapping))
    return out


# --- air cargo ----------------------------------------------------------------------------------

# International cargo routes in service, by airport: (first month, count) steps.
_ROUTE_STEPS = {
    "杭州萧山国际机场": (
        (Month(2018, 1), 6),
        (Month(2018, 5), 7),
        (Month(2018, 10), 8),
        (Month(2019, 7), 9),
        (Month(2020, 3), 10),
        (Month(2020, 4), 12),
        (Month(2020, 5), 13),
        (Month(2020, 6), 14),
    ),
    "宁波栎社国际机场": (
        (Month(2018, 1), 2),
        (Month(2018, 7), 3),
        (Month(2019, 9), 4),
        (Month(2020, 4), 5),
    ),
}
# Cargo and mail, tonnes a year.
_AIR_CARGO = {
    "杭州萧山国际机场": {2018: 640_000, 2019: 690_000, 2020: 802_000},
    "宁波栎社国际机场": {2018: 115_000, 2019: 120_000, 2020: 126_000},
}
_AIR_SEASON = np.array([0.95, 0.7, 0.95, 0.98, 1.0, 1.0, 1.0, 1.02, 1.05, 1.08, 1.12, 1.15])


def routes_in(airport: str, month: Month) -> int:
    count = 0
    for start, n in _ROUTE_STEPS[airport]:
        if start <= month:
            count = n
    return count


def air_sources(folder: Path, seed: int) -> list[SourceFile]:
    rng = generator(seed, "air")
    season = _AIR_SEASON / _AIR_SEASON.sum()
    header = ("月份", "机场", "国际货运航线", "货邮吞吐量（吨）")
    out: list[SourceFile] = []
    for month in AIR_MONTHS:
        rows = []
        for airport, years in _AIR_CARGO.items():
            epidemic = 0.75 if (month.year, month.month) == (2020, 2) else 1.0
            tonnes = years[month.year] * season[month.month - 1] * epidemic
            tonnes *= rng.lognormal(0, 0.03)
            rows.append((month.code, airport, routes_in(airport, month), f"{tonnes:.1f}"))
        path = folder / "air" / file_name("浙江省机场货邮吞吐量及国际货运航线", month, ".csv")
        write_csv(
            path,
            title=f"浙江省主要机场货邮吞吐量及国际货运航线（{month.year}年{month.month}月）",
            subtitle="数据来源：演示·省机场集团统计室（虚构）",
            header=header,
            rows=rows,
            encoding="utf-8",
        )
        out.append(SourceFile("air", path, published(month, 15)))
    return out


def transport_sources(folder: Path, seed: int) -> list[SourceFile]:
    return [
        *port_sources(folder, seed),
        *rail_sources(folder, seed),
        *air_sources(folder, seed),
    ]
