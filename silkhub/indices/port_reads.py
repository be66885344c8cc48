"""The port index over the hub's statistics: throughput by month, port and cargo kind read
through the statistics service (the one door from indices into statistics), computed by
``port_index``. The rows are remembered by the service until the next import; the index over
them (a few thousand numbers) takes milliseconds."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from silkhub.core.errors import InvalidInput, Location, Message
from silkhub.core.periods import Month, Year
from silkhub.indices.port_index import (
    ALL_PORTS,
    DEFAULT_TEU_TONNES,
    KINDS,
    PortIndex,
    PortIndexPoint,
    port_index,
)
from silkhub.stats import service as stats
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database

__all__ = ["PORT_NAMES", "port_index_csv", "port_index_of", "port_name", "select_points"]

#: English names of the ports the hub knows; the data names ports in Chinese, as the port
#: authorities do, and any other port is shown as the data names it.
PORT_NAMES = {
    "宁波舟山港": "Ningbo-Zhoushan",
    "嘉兴港": "Jiaxing",
    "温州港": "Wenzhou",
    "台州港": "Taizhou",
    "上海港": "Shanghai",
    ALL_PORTS: "All ports",
}
_ALL_ZH = "全部港口"


def port_name(port: str, lang: str) -> str:
    if port == ALL_PORTS:
        return _ALL_ZH if lang == "zh" else PORT_NAMES[ALL_PORTS]
    if lang == "en":
        return PORT_NAMES.get(port, port)
    return port


def port_index_of(
    db: Database,
    store: AnalyticalStore,
    *,
    base: Year,
    last: Month | None = None,
    teu_tonnes: float = DEFAULT_TEU_TONNES,
    first: Month | None = None,
) -> PortIndex:
    """Every port's and kind's index (and across ports) from ``first`` (default: January of
    the base year) to ``last`` (default: the latest month published)."""
    end = last or stats.latest_month(db, "port")
    if end is None:
        raise InvalidInput.single(
            "no_port_data",
            Message("尚未导入港口吞吐量数据。", "No port throughput figures have been imported."),
            location=Location(field="to"),
        )
    start = first or Month(base.year, 1)
    if start > end:
        raise InvalidInput.single(
            "empty_range",
            Message(
                f"起始月 {start.code} 晚于截止月 {end.code}。",
                f"The first month {start.code} is after the last {end.code}.",
            ),
            location=Location(field="from"),
            value=start.code,
        )
    # Read from the earlier of the base year and a year before the first month shown.
    read_from = min(Month(base.year, 1), start.shift(-12))
    read_to = max(end, Month(base.year, 12))
    count = (read_to.year - read_from.year) * 12 + read_to.month - read_from.month + 1
    shown = [
        start.shift(k) for k in range((end.year - start.year) * 12 + end.month - start.month + 1)
    ]

    def compute() -> PortIndex:
        rows = stats.port_months(db, store, months=[read_from.shift(k) for k in range(count)])
        return port_index(rows, base=base, months=shown, teu_tonnes=teu_tonnes)

    # As the trade index: tens of milliseconds a time, changing only with an import of ports.
    key = ("port_index", str(store.root), base, start, end, teu_tonnes)
    return stats.remembered((*key, stats.dataset_state(db, "port")), compute)


def select_points(
    result: PortIndex, *, port: str | None = None, kind: str | None = None
) -> list[PortIndexPoint]:
    """The points of one port (a name, or ``ALL``) and one kind, or all of them."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput.single(
            "unknown_kind",
            Message(
                f"货类须为 {'、'.join(KINDS)} 之一。",
                f"The kind must be one of {', '.join(KINDS)}.",
            ),
            location=Location(field="kind"),
            value=kind,
        )
    known = {p.port for p in result.points}
    if port is not None and port not in known and port.upper() != ALL_PORTS:
        raise InvalidInput.single(
            "unknown_port",
            Message(
                f"数据中没有港口“{port}”。可用：{'、'.join(sorted(known))}。",
                f"There is no port {port!r} in the data. Ports: {', '.join(sorted(known))}.",
            ),
            location=Location(field="port"),
            value=port,
        )
    wanted_port = ALL_PORTS if port is not None and port.upper() == ALL_PORTS else port
    return [
        p
        for p in result.points
        if (wanted_port is None or p.port == wanted_port) and (kind is None or p.kind == kind)
    ]


def _fixed(value: float | None, digits: int) -> str:
    return "" if value is None else format(value, f".{digits}f")


def port_index_csv(points: Sequence[PortIndexPoint]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("month", "port", "kind", "volume", "unit", "index", "mom_pct", "yoy_pct"))
    for p in points:
        writer.writerow(
            (
                p.month.code,
                p.port,
                p.kind,
                _fixed(p.volume, 0 if p.unit == "TEU" else 1),
                p.unit or "",
                _fixed(p.index, 4),
                _fixed(p.mom_pct, 4),
                _fixed(p.yoy_pct, 4),
            )
        )
    return out.getvalue()
