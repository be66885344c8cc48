"""The monthly port throughput index: volume indices per port and cargo kind, and composites
per port and across the ports, with weights fixed in the base year.

- **Components**: for each port, containers in TEU (``containers``), containers in tonnes
  (``containers_tonnes``), dry bulk, liquid bulk and general cargo (tonnes), from the port
  dataset's rows by cargo kind. Rows without a kind (a port's total) belong to no component.
- **Volume index** of a component = its month's volume ÷ its base-year monthly average × 100.
  A component needs all twelve months of the base year (with a volume above zero on average),
  otherwise it has no index and no weight.
- **Weights**: base-year tonnage. Containers count in the composite through their TEU index
  (boxes are what a container port handles; their tonnage moves with what is in them), weighted
  by their base-year tonnage: the tonnes reported for the container rows when the port reported
  them for all twelve base months, else the base-year TEU × ``teu_tonnes`` (10 t a TEU by
  default: a loaded TEU's cargo, the order of magnitude of what Chinese ports report; the
  weights say which was used). A port with container tonnes but no TEU in the base year
  weighs its containers in through their tonnage index.
- **Composite of a port** = Σ weight × component index over its containers (TEU), dry bulk,
  liquid bulk and general cargo, the weights being their shares of the port's base-year
  tonnage. **Across ports** (``ALL``): the composite weights every port's components by their
  shares of all the ports' base-year tonnage; a kind across ports is the sum of the ports'
  volumes ÷ the sum of their base-year monthly averages × 100 (its own unit).
- A composite (or a kind across ports) exists in a month only when every component it weighs
  has a value that month: it is never re-weighted over what happens to be there.
- **Changes**: month on month and year on year, in per cent of the index a month (a year)
  earlier; none when that index is missing.

The index is monthly and not seasonally adjusted: compare a month with the same month a year
earlier (the year-on-year change), not with the month before, to see the trend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa

from silkhub.core.errors import InvalidInput, Location, Message
from silkhub.core.periods import Month, Year

__all__ = [
    "ALL_PORTS",
    "COMPOSITE",
    "DEFAULT_BASE_YEAR",
    "DEFAULT_TEU_TONNES",
    "KINDS",
    "WEIGHTED_KINDS",
    "PortIndex",
    "PortIndexPoint",
    "PortWeight",
    "port_index",
]

#: The base year (= 100) unless asked otherwise: the last full year before 2020's disruption
#: of shipping, and a year the demonstration data holds.
DEFAULT_BASE_YEAR = 2019
#: Tonnes of cargo a TEU counts for in the weights when a port reports no container tonnage.
DEFAULT_TEU_TONNES = 10.0
ALL_PORTS = "ALL"
COMPOSITE = "composite"
#: Every series of a port: the components, then the composite.
KINDS = ("containers", "containers_tonnes", "dry_bulk", "liquid_bulk", "general_cargo", COMPOSITE)
#: The components the composite weighs (containers by their TEU).
WEIGHTED_KINDS = ("containers", "dry_bulk", "liquid_bulk", "general_cargo")
#: The unit each component's volume is in.
UNITS = {
    "containers": "TEU",
    "containers_tonnes": "T",
    "dry_bulk": "T",
    "liquid_bulk": "T",
    "general_cargo": "T",
}
#: The dataset's cargo kind and column each component reads.
_SOURCES = {
    "containers": ("containers", "teu"),
    "containers_tonnes": ("containers", "tonnes"),
    "dry_bulk": ("dry_bulk", "tonnes"),
    "liquid_bulk": ("liquid_bulk", "tonnes"),
    "general_cargo": ("general_cargo", "tonnes"),
}


@dataclass(frozen=True)
class PortIndexPoint:
    month: Month
    port: str
    kind: str
    #: The month's volume in ``unit`` (None for composites).
    volume: float | None
    unit: str | None
    index: float | None
    mom_pct: float | None
    yoy_pct: float | None


@dataclass(frozen=True)
class PortWeight:
    port: str
    kind: str
    #: Base-year tonnage the weight comes from, and the weight within the port and across.
    tonnes: float
    share_in_port: float
    share_overall: float
    #: "reported" (the base year's tonnes) or "converted" (TEU × teu_tonnes).
    source: str


@dataclass(frozen=True)
class PortIndex:
    base: Year
    teu_tonnes: float
    points: list[PortIndexPoint]
    weights: list[PortWeight]
    #: Components without a full base year: (port, kind), no index and no weight.
    no_base: list[tuple[str, str]]


def _pct(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return (now / before - 1) * 100


def _volumes(rows: pa.Table) -> dict[tuple[str, str], dict[Month, float]]:
    """(port, component) -> month -> volume, from rows by kind (totals left out)."""
    out: dict[tuple[str, str], dict[Month, float]] = {}
    by_kind: dict[str, list[str]] = {}
    for component, (kind, _) in _SOURCES.items():
        by_kind.setdefault(kind, []).append(component)
    for r in rows.to_pylist():
        for component in by_kind.get(r["cargo_kind"], ()):
            value = r[_SOURCES[component][1]]
            if value is not None:
                month = Month.from_date(r["month"])
                out.setdefault((r["port"], component), {})[month] = float(value)
    return out


def _base_average(series: Mapping[Month, float], base: Year) -> float | None:
    months = [Month(base.year, m) for m in range(1, 13)]
    if any(m not in series for m in months):
        return None
    average = sum(series[m] for m in months) / 12
    return average if average > 0 else None


def port_index(
    rows: pa.Table,
    *,
    base: Year,
    months: Sequence[Month],
    teu_tonnes: float = DEFAULT_TEU_TONNES,
) -> PortIndex:
    """The index of every port and kind (and ``ALL``) for ``months`` (in order, consecutive;
    the months a year before the first are needed for the year-on-year change and read from
    ``rows`` when there), from rows with columns month, port, cargo_kind, tonnes, teu."""
    if not teu_tonnes > 0:
        raise InvalidInput.single(
            "not_positive",
            Message("每标箱吨数须大于0。", "Tonnes per TEU must be above zero."),
            location=Location(field="teu_tonnes"),
            value=teu_tonnes,
        )
    volumes = _volumes(rows)
    ports = sorted({p for p, _ in volumes})
    averages = {key: _base_average(series, base) for key, series in volumes.items()}
    no_base = sorted(key for key, avg in averages.items() if avg is None)
    if not any(avg is not None for avg in averages.values()):
        raise InvalidInput.single(
            "incomplete_base_year",
            Message(
                f"基期 {base.year} 年没有任何港口的分货类吞吐量是全年12个月齐全的。",
                f"No port has throughput by cargo kind for all 12 months of the base year "
                f"{base.year}.",
            ),
            location=Location(field="base"),
            value=base.year,
        )

    # Weights: base-year tonnage of the weighted components.
    tonnage: dict[tuple[str, str], tuple[float, str]] = {}
    for port in ports:
        for kind in WEIGHTED_KINDS:
            avg = averages.get((port, kind))
            if kind == "containers":
                reported = averages.get((port, "containers_tonnes"))
                if avg is not None and reported is not None:
                    tonnage[(port, kind)] = (reported * 12, "reported")
                elif avg is not None:
                    tonnage[(port, kind)] = (avg * 12 * teu_tonnes, "converted")
                elif reported is not None:
                    # No TEU in the base year: the containers count through their tonnage.
                    tonnage[(port, "containers_tonnes")] = (reported * 12, "reported")
            elif avg is not None:
                tonnage[(port, kind)] = (avg * 12, "reported")
    overall = sum(t for t, _ in tonnage.values())
    per_port = {p: sum(t for (q, _), (t, _) in tonnage.items() if q == p) for p in ports}
    weights = [
        PortWeight(port, kind, t, t / per_port[port], t / overall, source)
        for (port, kind), (t, source) in tonnage.items()
    ]

    wanted = list(months)
    if not wanted:
        return PortIndex(base, teu_tonnes, [], weights, no_base)
    # The months shown and the year before them (for the changes).
    first, last = wanted[0].shift(-12), wanted[-1]
    span = [first.shift(k) for k in range(_months_between(first, last) + 1)]

    def index_of(port: str, kind: str, month: Month) -> float | None:
        avg = averages.get((port, kind))
        value = volumes.get((port, kind), {}).get(month)
        return None if avg is None or value is None else value / avg * 100

    levels: dict[tuple[str, str], dict[Month, float | None]] = {}
    for port in ports:
        for kind in KINDS[:-1]:
            if averages.get((port, kind)) is not None:
                levels[(port, kind)] = {m: index_of(port, kind, m) for m in span}
        parts = [(w.kind, w.share_in_port) for w in weights if w.port == port]
        if parts:
            levels[(port, COMPOSITE)] = {m: _weighted(levels, port, parts, m) for m in span}
    for kind in KINDS[:-1]:
        members = [p for p in ports if averages.get((p, kind)) is not None]
        if not members:
            continue
        base_sum = sum(averages[(p, kind)] or 0 for p in members)
        series: dict[Month, float | None] = {}
        for m in span:
            values = [volumes[(p, kind)].get(m) for p in members]
            known = [v for v in values if v is not None]
            series[m] = sum(known) / base_sum * 100 if len(known) == len(values) else None
        levels[(ALL_PORTS, kind)] = series
    if weights:
        shares = [(w.port, w.kind, w.share_overall) for w in weights]
        composite: dict[Month, float | None] = {}
        for m in span:
            composite[m] = _combine([(levels[(p, k)][m], s) for p, k, s in shares])
        levels[(ALL_PORTS, COMPOSITE)] = composite

    points = []
    for (port, kind), series in sorted(levels.items(), key=lambda kv: _order(kv[0], ports)):
        for m in wanted:
            value = series.get(m)
            volume = None
            if kind != COMPOSITE:
                if port == ALL_PORTS:
                    found = [volumes[(p, kind)].get(m) for p in ports if (p, kind) in levels]
                    known = [v for v in found if v is not None]
                    volume = sum(known) if found and len(known) == len(found) else None
                else:
                    volume = volumes.get((port, kind), {}).get(m)
            points.append(
                PortIndexPoint(
                    month=m,
                    port=port,
                    kind=kind,
                    volume=volume,
                    unit=UNITS.get(kind),
                    index=value,
                    mom_pct=_pct(value, series.get(m.shift(-1))),
                    yoy_pct=_pct(value, series.get(m.shift(-12))),
                )
            )
    return PortIndex(base, teu_tonnes, points, weights, no_base)


def _weighted(
    levels: Mapping[tuple[str, str], Mapping[Month, float | None]],
    port: str,
    parts: Sequence[tuple[str, float]],
    month: Month,
) -> float | None:
    return _combine([(levels[(port, kind)].get(month), share) for kind, share in parts])


def _combine(parts: Sequence[tuple[float | None, float]]) -> float | None:
    """Σ weight × index, or None when any part is missing (never re-weighted)."""
    total = 0.0
    for value, weight in parts:
        if value is None:
            return None
        total += value * weight
    return total


def _months_between(a: Month, b: Month) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _order(key: tuple[str, str], ports: Sequence[str]) -> tuple[int, int]:
    """Ports in name order then ALL; within a port, the kinds in ``KINDS`` order."""
    port, kind = key
    return (len(ports) if port == ALL_PORTS else ports.index(port), KINDS.index(kind))
