"""Synthetic outward direct investment filings of the demo hub, 2018 to 2020 (dataset odi),
calibrated to the seed.

Filings to the 64 countries along the route (amounts in US dollars):

===================  =============  ===========================================================
period               amount         why
===================  =============  ===========================================================
2018                 4,779,500,000  47.795亿美元: 2019 is then +70.10% ("增长70.1%")
2019                 8,130,000,000  "81.3亿美元"; exactly 16 filings of 1亿美元 or more, in 13
                                    countries (every other filing of 2019 is under 1亿美元)
1-5月2020             1,519,000,000  "15.19亿美元" in exactly 128 filings
===================  =============  ===========================================================

Amounts are allocated in whole hundreds of dollars (the files write 万美元 with two decimals),
with largest remainders, so the totals are exact. Enterprises and projects are invented, and
every enterprise's name starts with "演示·". Filings elsewhere (Hong Kong, the United States,
Europe, offshore centres) are drawn without calibration.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from silkhub.core import countries, groups
from silkhub.core.periods import Month
from silkhub.stats.demo_common import (
    HUNDRED,
    Ints,
    SourceFile,
    allocate,
    day_in_month,
    file_name,
    generator,
    month_range,
    published,
    wan,
    write_csv,
)

__all__ = ["ODI_COUNT_2020_JAN_MAY", "ODI_TARGETS", "odi_filings", "odi_sources"]

MONTHS = month_range(Month(2018, 1), Month(2020, 12))

#: US dollars.
ODI_TARGETS = {"2018": 4_779_500_000, "2019": 8_130_000_000, "2020_jan_may": 1_519_000_000}
ODI_COUNT_2020_JAN_MAY = 128

_BIG = 100_000_000 // HUNDRED  # 1亿美元

_SECTORS = {
    "制造业": 50,
    "批发和零售业": 15,
    "租赁和商务服务业": 12,
    "采矿业": 4,
    "信息传输、软件和信息技术服务业": 6,
    "交通运输、仓储和邮政业": 4,
    "建筑业": 3,
    "科学研究和技术服务业": 3,
    "农、林、牧、渔业": 3,
}
_WHAT = {
    "制造业": ("生产基地", "工厂", "产业园", "组装线"),
    "批发和零售业": ("营销中心", "海外仓", "商贸公司"),
    "租赁和商务服务业": ("投资平台", "区域总部"),
    "采矿业": ("矿产开发", "冶炼"),
    "信息传输、软件和信息技术服务业": ("研发中心", "数字平台"),
    "交通运输、仓储和邮政业": ("物流中心", "海外仓"),
    "建筑业": ("工程公司",),
    "科学研究和技术服务业": ("研发中心", "技术并购"),
    "农、林、牧、渔业": ("种植基地", "渔业基地"),
}
_PLACES = [
    "之江",
    "钱塘",
    "甬江",
    "瓯江",
    "婺江",
    "越州",
    "嘉禾",
    "苕溪",
    "椒江",
    "云栖",
    "西子",
    "兰亭",
    "天姥",
    "雁荡",
    "四明",
    "会稽",
    "若耶",
    "鉴湖",
    "楠溪",
    "富春",
    "新安",
    "千岛",
    "南浔",
    "五泄",
    "仙都",
    "江郎",
    "浣纱",
    "青瓷",
    "蠡湖",
    "东钱",
]
_TRADES = [
    "纺织",
    "化纤",
    "机电",
    "汽配",
    "五金",
    "电器",
    "新材料",
    "光伏",
    "医药",
    "化工",
    "贸易",
    "物流",
    "家居",
    "轴承",
    "阀门",
    "服饰",
    "鞋业",
    "石化",
    "矿业",
    "电子",
    "电机",
    "泵业",
    "塑业",
    "工贸",
    "控股",
    "实业",
]
_SUFFIXES = ("有限公司", "股份有限公司", "集团有限公司", "控股有限公司")

#: 2019's sixteen filings of 1亿美元 or more, in thirteen countries: (country, project, sector,
#: planned amount in 万美元).
BIG_2019 = (
    ("BN", "石化炼化一体化二期项目", "制造业", 136_000),
    ("BN", "石化配套码头项目", "交通运输、仓储和邮政业", 11_000),
    ("ID", "镍铁冶炼项目", "制造业", 65_000),
    ("ID", "红土镍矿湿法冶炼项目", "采矿业", 42_000),
    ("VN", "轮胎生产基地项目", "制造业", 30_000),
    ("VN", "纺织印染产业园项目", "制造业", 21_000),
    ("TH", "汽车零部件工厂项目", "制造业", 26_000),
    ("MY", "光伏组件工厂项目", "制造业", 18_000),
    ("SG", "区域总部及投资平台项目", "租赁和商务服务业", 35_000),
    ("RU", "木材加工园区项目", "制造业", 15_000),
    ("AE", "商贸物流中心项目", "批发和零售业", 12_000),
    ("EG", "玻璃纤维生产基地项目", "制造业", 22_000),
    ("KH", "服装产业园项目", "制造业", 14_000),
    ("UZ", "建材产业园项目", "制造业", 16_000),
    ("HU", "汽车电子工厂项目", "制造业", 13_000),
    ("IL", "医疗科技企业并购项目", "科学研究和技术服务业", 24_000),
)
# Where the other filings go, by weight.
_ROUTE_DESTINATIONS = {
    "VN": 14, "ID": 10, "TH": 9, "MY": 6, "SG": 8, "RU": 6, "AE": 6, "IN": 5, "KH": 4,
    "UZ": 3, "KZ": 3, "TR": 3, "PL": 3, "CZ": 2, "HU": 2, "RS": 2, "PK": 3, "BD": 2, "EG": 3,
    "SA": 2, "IL": 2, "PH": 2, "MM": 2, "LA": 1, "LK": 1, "BY": 1, "GE": 1, "KG": 1, "MN": 1,
    "BN": 1, "OM": 1, "QA": 1, "RO": 1, "SK": 1, "BG": 1, "UA": 1,
}  # fmt: skip
_OTHER_DESTINATIONS = {
    "HK": 40, "US": 12, "DE": 6, "JP": 4, "AU": 4, "GB": 3, "IT": 3, "FR": 2, "NL": 2, "ES": 2,
    "CA": 2, "BR": 2, "MX": 3, "KR": 2, "NG": 1, "ZA": 1, "CL": 1, "VG": 3, "KY": 3,
}  # fmt: skip
_HOLDING_PLACES = {
    "VG": ("租赁和商务服务业",),
    "KY": ("租赁和商务服务业",),
    "HK": ("租赁和商务服务业", "租赁和商务服务业", "批发和零售业"),
}
# Filings along the route by year (2020's January-May count is fixed by the seed).
_ROUTE_FILINGS = {2018: 230, 2019: 280, 2020: 300}
_OTHER_FILINGS = {2018: 420, 2019: 380, 2020: 330}
_MONTH_WEIGHT = np.array([0.9, 0.6, 0.9, 1.0, 1.0, 1.1, 1.0, 1.0, 1.0, 0.9, 1.1, 1.5])
_EPIDEMIC = np.array([1.05, 0.45, 0.75, 1.0, 1.15, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])


class _Names:
    """Invented enterprises, each named "演示·…" so nobody mistakes one for a real firm."""

    def __init__(self, rng: np.random.Generator, count: int = 160) -> None:
        names: list[str] = []
        while len(names) < count:
            name = (
                "演示·"
                + _PLACES[int(rng.integers(len(_PLACES)))]
                + _TRADES[int(rng.integers(len(_TRADES)))]
                + _SUFFIXES[int(rng.integers(len(_SUFFIXES)))]
            )
            if name not in names:
                names.append(name)
        self.names = names
        self.weights = rng.pareto(1.2, count) + 1  # a few firms file often

    def pick(self, rng: np.random.Generator) -> str:
        return self.names[int(rng.choice(len(self.names), p=self.weights / self.weights.sum()))]


def _weighted(rng: np.random.Generator, table: dict[str, int], n: int) -> list[str]:
    keys = list(table)
    p = np.array([table[k] for k in keys], dtype=float)
    return [keys[i] for i in rng.choice(len(keys), size=n, p=p / p.sum())]


def _small_amounts(rng: np.random.Generator, n: int, total: int) -> Ints:
    """``n`` amounts (hundreds of dollars) adding up to ``total``, each under 1亿美元 and at
    least 10万美元: a long tail of small filings."""
    weights = rng.lognormal(0, 1.0, n)
    for _ in range(50):
        amounts = allocate(total, weights)
        if amounts.max() < _BIG * 0.97 and amounts.min() >= 1_000:
            return amounts
        cap = weights.sum() * (_BIG * 0.9) / total
        weights = np.clip(weights, weights.sum() * 1_500 / total, cap)
    raise ValueError(f"cannot split {total} over {n} filings under 1亿美元")


#: date, enterprise, destination, sector, project, hundreds of dollars, new or additional
Filing = tuple[date, str, str, str, str, int, str]
Big = tuple[str, str, str, int]  # destination, project, sector, hundreds of dollars


def _project(rng: np.random.Generator, destination: str, sector: str) -> str:
    what = _WHAT[sector]
    return countries.get(destination).name_zh + what[int(rng.integers(len(what)))] + "项目"


def _filings_of(
    rng: np.random.Generator,
    names: _Names,
    months: list[Month],
    counts: list[int],
    destinations: dict[str, int],
    total: int | None,
    big: list[Big],
) -> list[Filing]:
    """The filings of some months: ``big`` ones as given, the rest drawn, all summing to
    ``total`` (hundreds of dollars) when it is given."""
    n_small = sum(counts) - len(big)
    if total is not None:
        small = _small_amounts(rng, n_small, total - sum(b[3] for b in big))
    else:
        small = np.maximum(1_000, np.rint(rng.lognormal(np.log(70_000), 1.0, n_small)))
        small = np.minimum(small, _BIG * 3).astype(np.int64)
    slots = [m for m, c in zip(months, counts, strict=True) for _ in range(c)]
    order = rng.permutation(len(slots))
    sectors = _weighted(rng, _SECTORS, n_small)
    dests = _weighted(rng, destinations, n_small)
    out: list[Filing] = []
    for k, i in enumerate(order):
        month = slots[i]
        if k < len(big):
            dest, project, sector, amount = big[k]
            name = countries.get(dest).name_zh + project
        else:
            j = k - len(big)
            dest, sector, amount = dests[j], sectors[j], int(small[j])
            if dest in _HOLDING_PLACES:  # offshore centres: holding companies, trading arms
                sector = _HOLDING_PLACES[dest][int(rng.integers(len(_HOLDING_PLACES[dest])))]
            name = _project(rng, dest, sector)
        kind = "增资" if rng.random() < 0.25 else "新设"
        if kind == "增资":
            name = name.removesuffix("项目") + "增资项目"
        out.append((day_in_month(month, rng), names.pick(rng), dest, sector, name, amount, kind))
    return _unique(out)


def _unique(filings: list[Filing]) -> list[Filing]:
    """No two filings share date, enterprise and project (the dataset's key)."""
    seen: set[tuple[date, str, str]] = set()
    out: list[Filing] = []
    for f in filings:
        project, n = f[4], 2
        while (f[0], f[1], project) in seen:
            project, n = f"{f[4]}（{n}）", n + 1
        seen.add((f[0], f[1], project))
        out.append((*f[:4], project, *f[5:]))
    return out


# Large projects of other years: (project, sector).
_BIG_KINDS = (
    ("生产基地项目", "制造业"),
    ("产业园项目", "制造业"),
    ("并购项目", "制造业"),
    ("矿产开发项目", "采矿业"),
    ("物流枢纽项目", "交通运输、仓储和邮政业"),
    ("区域总部项目", "租赁和商务服务业"),
)


def _big(rng: np.random.Generator, n: int) -> list[Big]:
    """``n`` filings of 1.02亿 to 3亿美元 along the route."""
    out: list[Big] = []
    for dest in _weighted(rng, _ROUTE_DESTINATIONS, n):
        project, sector = _BIG_KINDS[int(rng.integers(len(_BIG_KINDS)))]
        out.append((dest, project, sector, int(rng.integers(10_200, 30_000)) * 100))
    return out


def odi_filings(seed: int) -> list[Filing]:
    """Every filing of 2018-2020, along the route and elsewhere."""
    rng = generator(seed, "odi")
    names = _Names(rng)
    route = groups.members("along_route_64", date(2020, 1, 1))
    assert all(code in route for code in _ROUTE_DESTINATIONS)
    # 2019's big filings: as planned, give or take 300万美元 (all stay at 1亿 or more).
    big_2019 = [(d, p, s, (a + int(rng.integers(-300, 300))) * 100) for d, p, s, a in BIG_2019]
    filings: list[Filing] = []
    for year in (2018, 2019, 2020):
        months = [m for m in MONTHS if m.year == year]
        shape = _MONTH_WEIGHT * (_EPIDEMIC if year == 2020 else 1)
        counts = [int(c) for c in allocate(_ROUTE_FILINGS[year], shape)]
        # (months, filings in each, total in hundreds of dollars or None, big filings)
        parts: list[tuple[list[Month], list[int], int | None, list[Big]]]
        if year == 2018:
            parts = [(months, counts, ODI_TARGETS["2018"] // HUNDRED, _big(rng, 9))]
        elif year == 2019:
            parts = [(months, counts, ODI_TARGETS["2019"] // HUNDRED, big_2019)]
        else:
            jan_may = [int(c) for c in allocate(ODI_COUNT_2020_JAN_MAY, shape[:5])]
            total = ODI_TARGETS["2020_jan_may"] // HUNDRED
            parts = [
                (months[:5], jan_may, total, _big(rng, 2)),
                (months[5:], counts[5:], None, _big(rng, 5)),
            ]
        for ms, n, units, large in parts:
            filings += _filings_of(rng, names, ms, n, _ROUTE_DESTINATIONS, units, large)
        other = [int(c) for c in allocate(_OTHER_FILINGS[year], shape)]
        filings += _filings_of(rng, names, months, other, _OTHER_DESTINATIONS, None, [])
    return filings


def odi_sources(folder: Path, seed: int) -> list[SourceFile]:
    """One file of filings a month (UTF-8 with a byte-order mark, as Excel saves a CSV)."""
    filings = odi_filings(seed)
    out: list[SourceFile] = []
    header = (
        "备案日期",
        "企业名称",
        "投资目的国（地区）",
        "行业",
        "项目名称",
        "中方投资额（万美元）",
        "类型",
    )
    for month in MONTHS:
        rows = sorted(f for f in filings if Month.from_date(f[0]) == month)
        lines = [
            (d.isoformat(), ent, countries.get(dest).name_zh, sector, project, wan(amount), kind)
            for d, ent, dest, sector, project, amount, kind in rows
        ]
        path = folder / "odi" / file_name("浙江省企业境外投资备案项目", month, ".csv")
        write_csv(
            path,
            title=f"浙江省企业境外投资备案项目清单（{month.year}年{month.month}月）",
            subtitle="数据来源：演示·省商务厅对外投资处（虚构） 金额单位：万美元",
            header=header,
            rows=lines,
            encoding="utf-8-sig",
        )
        out.append(SourceFile("odi", path, published(month, 25)))
    return out
