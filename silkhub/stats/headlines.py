"""The hub's headline figures, as the source document and monthly releases state them:
year to date, with growth on the same period a year earlier, for the latest month published
(or a period asked for). Each figure is computed by the measures; nothing is typed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa

from silkhub.core.errors import Message
from silkhub.core.periods import Month, Period, YearToDate
from silkhub.stats import service
from silkhub.stats.measures import MeasureQuery, MeasureResult
from silkhub.stats.presentation import sentence
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database


@dataclass(frozen=True)
class Headline:
    key: str
    label: Message
    dataset: str
    value: str
    group: str | None = None
    filters: Mapping[str, str] = field(default_factory=dict)
    #: The group whose total this figure is a share of (e.g. CEEC within the route countries).
    share_of: str | None = None


HEADLINES: tuple[Headline, ...] = (
    Headline(
        "route_trade",
        Message(
            "与“一带一路”沿线国家进出口", "Trade with the Belt and Road countries along the route"
        ),
        "trade",
        "value_cny",
        group="along_route_64",
    ),
    Headline(
        "ceec_trade",
        Message("与中东欧国家进出口", "Trade with Central and Eastern Europe (China-CEEC)"),
        "trade",
        "value_cny",
        group="china_ceec",
        share_of="along_route_64",
    ),
    Headline(
        "route_odi",
        Message(
            "对沿线国家直接投资（备案）", "Outward direct investment filed to the route countries"
        ),
        "odi",
        "amount_usd",
        group="along_route_64",
    ),
    Headline(
        "route_fdi",
        Message(
            "实际使用沿线国家外资",
            "Foreign direct investment actually used from the route countries",
        ),
        "fdi",
        "actual_usd",
        group="along_route_64",
    ),
    Headline(
        "port_cargo",
        Message("宁波舟山港货物吞吐量", "Ningbo-Zhoushan port, cargo"),
        "port",
        "cargo_tonnes",
        filters={"port": "宁波舟山港"},
    ),
    Headline(
        "port_teu",
        Message("宁波舟山港集装箱吞吐量", "Ningbo-Zhoushan port, containers"),
        "port",
        "containers_teu",
        filters={"port": "宁波舟山港"},
    ),
    Headline(
        "ecommerce",
        Message("跨境电商零售出口", "Cross-border e-commerce retail exports"),
        "ecommerce",
        "exports_cny",
        filters={"mode": "零售"},
    ),
    Headline(
        "yxe_teu",
        Message("义新欧班列发运标箱", "Yiwu-Xinjiang-Europe trains, TEU"),
        "rail",
        "teu",
        filters={"line": "义新欧"},
    ),
    Headline(
        "yxe_trains",
        Message("义新欧班列开行列数", "Yiwu-Xinjiang-Europe trains run"),
        "rail",
        "trains",
        filters={"line": "义新欧"},
    ),
    Headline(
        "zca_teu",
        Message("中亚班列发运标箱", "Central Asia trains, TEU"),
        "rail",
        "teu",
        filters={"line": "中亚班列"},
    ),
    Headline(
        "zca_trains",
        Message("中亚班列开行列数", "Central Asia trains run"),
        "rail",
        "trains",
        filters={"line": "中亚班列"},
    ),
)


@dataclass(frozen=True)
class Figure:
    headline: Headline
    period: Period
    result: MeasureResult

    def text(self, lang: str) -> str | None:
        return sentence(self.result, lang)


def headline_figures(
    db: Database, store: AnalyticalStore, period: Period | None = None
) -> list[Figure]:
    """Every headline with data: for ``period``, or the year to date of each dataset's latest
    published month.

    Remembered until the next import: the home page and the dashboard show them on every
    request, and eleven figures cost far more than one read of the vintages."""
    with db.reading() as session:
        vintages = service.vintage_periods(session)
    key = ("headlines", str(store.root), period, service.vintage_state(vintages))
    # A copy: the remembered list is shared by every request.
    return list(service.remembered(key, lambda: _figures(db, store, period, vintages)))


def _figures(
    db: Database, store: AnalyticalStore, period: Period | None, vintages: pa.Table
) -> list[Figure]:
    latest: dict[str, Month] = {}
    for dataset, day in zip(
        vintages.column("dataset").to_pylist(), vintages.column("period").to_pylist(), strict=True
    ):
        month = Month.from_date(day)
        if dataset not in latest or month > latest[dataset]:
            latest[dataset] = month
    figures: list[Figure] = []
    for headline in HEADLINES:
        chosen = period
        if chosen is None:
            if headline.dataset not in latest:
                continue
            month = latest[headline.dataset]
            chosen = YearToDate(month.year, month.month)
        query = MeasureQuery(
            dataset=headline.dataset,
            value=headline.value,
            period=chosen,
            filters=dict(headline.filters),
            group=headline.group,
        )
        whole = None
        if headline.share_of is not None:
            whole = MeasureQuery(
                dataset=headline.dataset,
                value=headline.value,
                period=chosen,
                filters=dict(headline.filters),
                group=headline.share_of,
            )
        result = service.measure(db, store, query, whole=whole)
        if result.value is not None:
            figures.append(Figure(headline, chosen, result))
    return figures
