"""The monthly indices on the portal: the trade index and the port throughput index as
sections of ``/{lang}/indices`` (a plain GET form, a chart, the table behind it, the formula in
use, CSV downloads) and of the methodology page.

Both are computed from the statistics (``trade_reads``, ``port_reads``), which the statistics
service remembers until the next import, so a page asks again for the same figures cheaply.
Statistics have no embargo of their own: a month is public once imported, so these sections
read the same for every reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from silkhub.core.errors import InvalidInput, Message
from silkhub.core.periods import Year
from silkhub.indices import port_reads, trade_reads
from silkhub.indices.formulas import Formula
from silkhub.indices.monthly_base import data_base_year
from silkhub.indices.pages_common import pct_text, value_text
from silkhub.indices.port_index import (
    ALL_PORTS,
    COMPOSITE,
    DEFAULT_BASE_YEAR,
    DEFAULT_TEU_TONNES,
    KINDS,
    PortIndex,
    PortIndexPoint,
)
from silkhub.indices.trade_index import DEFAULT_LIMIT, TradeIndexPoint
from silkhub.stats import service as stats
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database

__all__ = [
    "DEFAULT_LIMIT",
    "FLOW_NAMES",
    "FORMULA_NAMES",
    "FORMULA_TEXTS",
    "KIND_NAMES",
    "TRADE_DEFAULT_BASE",
    "Formula",
    "port_methodology",
    "port_section",
    "trade_section",
]

#: The trade index's base year when the data holds it.
TRADE_DEFAULT_BASE = trade_reads.DEFAULT_BASE_YEAR
#: How many months the tables and charts show (the latest ones).
MONTHS_SHOWN = 36

KIND_NAMES = {
    "containers": Message("集装箱（标箱）", "Containers (TEU)"),
    "containers_tonnes": Message("集装箱（吨）", "Containers (tonnes)"),
    "dry_bulk": Message("干散货", "Dry bulk"),
    "liquid_bulk": Message("液体散货", "Liquid bulk"),
    "general_cargo": Message("件杂货", "General cargo"),
    COMPOSITE: Message("综合指数", "Composite"),
}
FLOW_NAMES = {
    "total": Message("进出口", "Total trade"),
    "export": Message("出口", "Exports"),
    "import": Message("进口", "Imports"),
}
FORMULA_NAMES = {
    Formula.LASPEYRES: Message("拉氏（Laspeyres）", "Laspeyres"),
    Formula.PAASCHE: Message("帕氏（Paasche）", "Paasche"),
    Formula.FISHER: Message("费雪（Fisher）", "Fisher"),
    Formula.TORNQVIST: Message("唐奎斯特（Törnqvist）", "Törnqvist"),
}
#: The price index of each formula, comparing month t with the comparison period 0.
FORMULA_TEXTS = {
    Formula.LASPEYRES: "P = Σ p_t·q_0 / Σ p_0·q_0",
    Formula.PAASCHE: "P = Σ p_t·q_t / Σ p_0·q_t",
    Formula.FISHER: "P = √( (Σ p_t·q_0 / Σ p_0·q_0) · (Σ p_t·q_t / Σ p_0·q_t) )",
    Formula.TORNQVIST: "P = exp Σ ½(s_0 + s_t)·ln(p_t / p_0)",
}


def _num(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# --- the trade index --------------------------------------------------------------------------


def trade_section(
    db: Database,
    store: AnalyticalStore,
    lang: str,
    *,
    flow: str | None,
    formula: str | None,
    chained: bool,
) -> dict[str, Any] | None:
    """What the page shows of the trade index, or None before any trade is imported."""
    base = data_base_year(db, "trade", TRADE_DEFAULT_BASE)
    if base is None:
        return None
    flow = flow if flow in trade_reads.FLOWS else "total"
    chosen = Formula.FISHER
    if formula:
        try:
            chosen = Formula.parse(formula)
        except InvalidInput:
            chosen = Formula.FISHER
    section: dict[str, Any] = {
        "base": base,
        "default_base": TRADE_DEFAULT_BASE,
        "flows": [(code, FLOW_NAMES[code].in_(lang)) for code in ("total", "export", "import")],
        "flow": flow,
        "flow_name": FLOW_NAMES[flow].in_(lang),
        "formulas": [(f.value, FORMULA_NAMES[f].in_(lang)) for f in Formula],
        "formula": chosen.value,
        "formula_name": FORMULA_NAMES[chosen].in_(lang),
        "formula_text": FORMULA_TEXTS[chosen],
        "chained": chained,
        "limit": value_text(DEFAULT_LIMIT, lang, 0),
        "group": trade_reads.DEFAULT_GROUP,
        "csv": "/api/indices/trade?"
        + urlencode(
            {
                "flow": flow,
                "base": base,
                "formula": chosen.value,
                "chained": "true" if chained else "false",
                "format": "csv",
            }
        ),
        "error": None,
        "rows": [],
        "chart": None,
    }
    try:
        points = trade_reads.trade_index_of(
            db, store, flow=flow, base=Year(base), formula=chosen, chained=chained
        )
    except InvalidInput as error:
        section["error"] = " ".join(p.message.in_(lang) for p in error.problems)
        return section
    shown = points[-MONTHS_SHOWN:]
    section["rows"] = _trade_rows(shown, lang)
    section["first"] = shown[0].month.code if shown else ""
    section["last"] = shown[-1].month.code if shown else ""
    section["chart"] = {
        "months": [p.month.code for p in shown],
        "series": [
            {"code": "value", "values": [_num(p.value) for p in shown]},
            {"code": "price", "values": [_num(p.price) for p in shown]},
            {"code": "volume", "values": [_num(p.volume) for p in shown]},
        ],
    }
    return section


def _trade_rows(points: Sequence[TradeIndexPoint], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "month": p.month.code,
            "value": value_text(p.value, lang),
            "price": value_text(p.price, lang),
            "volume": value_text(p.volume, lang),
            "priced": p.items,
            "matched": p.matched,
            "outliers": p.outliers,
        }
        for p in reversed(points)
    ]


# --- the port index ---------------------------------------------------------------------------


def _port_index(db: Database, store: AnalyticalStore) -> PortIndex | None:
    """The index of every month of the data, with the default base year if the data holds
    it (else its first complete year)."""
    base = data_base_year(db, "port", DEFAULT_BASE_YEAR)
    if base is None:
        return None
    first = stats.first_month(db, "port")
    return port_reads.port_index_of(db, store, base=Year(base), first=first)


def port_section(
    db: Database,
    store: AnalyticalStore,
    lang: str,
    *,
    port: str | None,
    kind: str | None,
) -> dict[str, Any] | None:
    """What the page shows of the port index, or None before any port figure by cargo kind
    with a complete year is imported."""
    try:
        result = _port_index(db, store)
    except InvalidInput:
        return None
    if result is None or not result.points:
        return None
    # Across the ports first, then the ports by their base-year tonnage (the largest first).
    tonnage: dict[str, float] = {}
    for w in result.weights:
        tonnage[w.port] = tonnage.get(w.port, 0.0) + w.tonnes
    ports = sorted({p.port for p in result.points} - {ALL_PORTS}, key=lambda p: -tonnage.get(p, 0))
    codes = [ALL_PORTS, *ports]
    # By default the largest port (Ningbo-Zhoushan in the province's data).
    chosen_port = port if port in codes else codes[1] if len(codes) > 1 else codes[0]
    chosen_kind = kind if kind in KINDS else COMPOSITE
    series = port_reads.select_points(result, port=chosen_port, kind=chosen_kind)
    shown = series[-MONTHS_SHOWN:]
    compare_key = (
        (chosen_port, COMPOSITE)
        if chosen_kind != COMPOSITE
        else (ALL_PORTS, COMPOSITE)
        if chosen_port != ALL_PORTS
        else None
    )
    months = [p.month for p in shown]
    chart_series = [
        {
            "name": _series_label(chosen_port, chosen_kind, lang),
            "values": [_num(p.index) for p in shown],
        }
    ]
    if compare_key is not None:
        by_month = {
            p.month: p.index
            for p in result.points
            if (p.port, p.kind) == compare_key and p.month in set(months)
        }
        chart_series.append(
            {
                "name": _series_label(*compare_key, lang),
                "values": [_num(by_month.get(m)) for m in months],
            }
        )
    base = result.base.year
    latest = next((p for p in reversed(shown) if p.index is not None), None)
    return {
        "base": base,
        "default_base": DEFAULT_BASE_YEAR,
        "ports": [(code, port_reads.port_name(code, lang)) for code in codes],
        "port": chosen_port,
        "port_name": port_reads.port_name(chosen_port, lang),
        "kinds": [(code, KIND_NAMES[code].in_(lang)) for code in KINDS],
        "kind": chosen_kind,
        "kind_name": KIND_NAMES[chosen_kind].in_(lang),
        "series_name": _series_label(chosen_port, chosen_kind, lang),
        "latest": _port_row(latest, lang) if latest is not None else None,
        "rows": [_port_row(p, lang) for p in reversed(shown)],
        "first": shown[0].month.code if shown else "",
        "last": shown[-1].month.code if shown else "",
        "chart": {"months": [m.code for m in months], "series": chart_series},
        "weights": _weight_rows(result, chosen_port, lang),
        "csv": "/api/indices/port?"
        + urlencode({"port": chosen_port, "kind": chosen_kind, "base": base, "format": "csv"}),
        "csv_all": "/api/indices/port?" + urlencode({"base": base, "format": "csv"}),
    }


def _series_label(port: str, kind: str, lang: str) -> str:
    name = port_reads.port_name(port, lang)
    kind_name = KIND_NAMES[kind].in_(lang)
    return f"{name} · {kind_name}"


def _port_row(p: PortIndexPoint, lang: str) -> dict[str, Any]:
    digits = 0
    return {
        "month": p.month.code,
        "index": value_text(p.index, lang),
        "mom": pct_text(None if p.mom_pct is None else round(p.mom_pct, 2), lang),
        "yoy": pct_text(None if p.yoy_pct is None else round(p.yoy_pct, 2), lang),
        "volume": value_text(p.volume, lang, digits) if p.volume is not None else "—",
        "unit": {"TEU": "TEU", "T": "吨" if lang == "zh" else "t"}.get(p.unit or "", ""),
    }


def _weight_rows(result: PortIndex, port: str, lang: str) -> list[dict[str, Any]]:
    """The composite's weights: within the port, or every component across ports."""
    rows = []
    for w in result.weights:
        if port != ALL_PORTS and w.port != port:
            continue
        share = w.share_in_port if port != ALL_PORTS else w.share_overall
        rows.append(
            {
                "port": port_reads.port_name(w.port, lang),
                "kind": KIND_NAMES[w.kind].in_(lang),
                "tonnes": value_text(w.tonnes, lang, 0),
                "share": f"{value_text(share * 100, lang, 2)}%",
                "converted": w.source == "converted",
            }
        )
    return rows


def port_methodology(db: Database, store: AnalyticalStore, lang: str) -> dict[str, Any]:
    """The port index's methodology as the page shows it: parameters, and the weights in use
    (from the data, for the base year the index page uses), if there are figures."""
    try:
        result = _port_index(db, store)
    except InvalidInput:
        result = None
    return {
        "default_base": DEFAULT_BASE_YEAR,
        "base": result.base.year if result is not None else None,
        "teu_tonnes": value_text(DEFAULT_TEU_TONNES, lang, 0),
        "weights": _weight_rows(result, ALL_PORTS, lang) if result is not None else [],
        "no_base": [
            f"{port_reads.port_name(p, lang)} · {KIND_NAMES[k].in_(lang)}"
            for p, k in (result.no_base if result is not None else [])
        ],
    }
