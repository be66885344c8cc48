"""The footprint register: the hub's places abroad, their counts, a GeoJSON map layer, and
the totals reported for each kind.

Items are real and sourced (``data/footprint.toml``) or demonstration placeholders marked
``synthetic`` (``data/footprint_demo.toml``): a synthetic item's source must say
"demonstration data" and a real item's must not, so the two cannot be mistaken for each
other. The register need not hold every item: ``reported_totals`` records what the source
reports ("500 pairs of sister cities") for the portal to show beside the items mapped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from silkhub.core import countries
from silkhub.core.errors import InvalidInput, Location, Message, UnknownCountry
from silkhub.stats.registers_common import FileReader, LoadSummary, data_file, join
from silkhub.stats.registers_models import FOOTPRINT_KINDS, StatsFootprint, StatsReportedTotal

__all__ = [
    "DEMO_FOOTPRINT_FILE",
    "FOOTPRINT_FILE",
    "FOOTPRINT_KINDS",
    "KIND_NAMES",
    "REPORTED_MEASURES",
    "footprint",
    "footprint_counts",
    "footprint_geojson",
    "footprint_overview",
    "load_footprint",
    "reported_totals",
]

FOOTPRINT_FILE = "footprint.toml"
DEMO_FOOTPRINT_FILE = "footprint_demo.toml"

#: Each kind's name in both languages.
KIND_NAMES: Mapping[str, tuple[str, str]] = {
    "zone": ("境外经贸合作区", "Overseas economic and trade cooperation zone"),
    "park": ("国际产业合作园", "International industrial cooperation park"),
    "service_station": ("境外服务站", "Overseas service station"),
    "sister_city": ("友好城市", "Sister or friendly-exchange city"),
    "college": ("丝路学院", "Silk Road college"),
}

#: What a reported total counts.
REPORTED_MEASURES: tuple[str, ...] = ("items", "countries", "projects")

_DEMO_MARK = "demonstration data"


def _kind_problem(reader: FileReader, kind: str | None, where: str) -> str | None:
    if kind is not None and kind not in FOOTPRINT_KINDS:
        reader.problem(
            "invalid_kind",
            f"类型“{kind}”无效：应为 {'、'.join(FOOTPRINT_KINDS)} 之一。",
            f"Invalid kind {kind!r}: one of {', '.join(FOOTPRINT_KINDS)}.",
            join(where, "kind"),
            kind,
        )
        return None
    return kind


def _item(reader: FileReader, item: Mapping[str, Any], where: str) -> dict[str, Any]:
    kind = _kind_problem(reader, reader.text(item, "kind", where, max_length=20), where)
    name = reader.text(item, "country", where, max_length=100)
    country = None
    if name is not None:
        try:
            country = countries.resolve(name).alpha2
        except InvalidInput as exc:
            reader.adopt(exc, join(where, "country"))
    since = reader.number(item, "since", where, minimum=1900, maximum=2100, required=False)
    if since is not None and not isinstance(since, int):
        reader.problem(
            "not_a_year", "“since”应为年份。", "`since` must be a year.", join(where, "since")
        )
        since = None
    synthetic = reader.flag(item, "synthetic", where)
    source = reader.text(item, "source", where, max_length=500)
    if source is not None and synthetic != (_DEMO_MARK in source.casefold()):
        reader.problem(
            "synthetic_source",
            "演示条目（synthetic = true）的来源须写明“demonstration data”，"
            "真实条目的来源不得如此写。",
            "A synthetic item's source must say “demonstration data”, and a real item's must not.",
            join(where, "source"),
            source[:100],
        )
    return {
        "code": reader.text(item, "code", where, max_length=60),
        "kind": kind,
        "name_zh": reader.text(item, "name_zh", where, max_length=200),
        "name_en": reader.text(item, "name_en", where, max_length=200),
        "country": country,
        "city": reader.text(item, "city", where, max_length=200, required=False),
        "latitude": reader.number(item, "latitude", where, minimum=-90, maximum=90),
        "longitude": reader.number(item, "longitude", where, minimum=-180, maximum=180),
        "partner": reader.text(item, "partner", where, max_length=200, required=False),
        "since": since,
        "description_zh": reader.text(
            item, "description_zh", where, max_length=4000, required=False
        )
        or "",
        "description_en": reader.text(
            item, "description_en", where, max_length=4000, required=False
        )
        or "",
        "source": source,
        "synthetic": synthetic,
    }


def _reported(
    reader: FileReader, item: Mapping[str, Any], where: str, article: str | None
) -> dict[str, Any]:
    kind = _kind_problem(reader, reader.text(item, "kind", where, max_length=20), where)
    measure = reader.text(item, "measure", where, max_length=20)
    if measure is not None and measure not in REPORTED_MEASURES:
        reader.problem(
            "invalid_measure",
            f"“measure”应为 {'、'.join(REPORTED_MEASURES)} 之一。",
            f"`measure` must be one of {', '.join(REPORTED_MEASURES)}.",
            join(where, "measure"),
            measure,
        )
    count = reader.number(item, "count", where)
    if count is not None and not isinstance(count, int):
        reader.problem(
            "not_an_integer",
            "“count”应为整数。",
            "`count` must be an integer.",
            join(where, "count"),
        )
    period = reader.period(item, "as_of", where)
    custom = reader.text(item, "source", where, max_length=500, required=article is None)
    source = " —— ".join(p for p in (custom, article) if p)
    return {
        "kind": kind,
        "measure": measure,
        "count": count,
        "at_least": reader.flag(item, "at_least", where),
        "as_of": period.code if period is not None else None,
        "source": source[:500],
    }


def load_footprint(session: Session, path: Path | None = None) -> LoadSummary:
    """Load or refresh footprint items (by code) and reported totals (by kind, measure and
    as_of) from a data file (default: the shipped ``footprint.toml``, real items only).

    The whole file is checked first: every problem (unknown country, latitude out of range,
    a synthetic item without "demonstration data" in its source...) is reported at once as
    ``InvalidInput`` located by file and field, and nothing is written.
    """
    path = path or data_file(FOOTPRINT_FILE)
    reader = FileReader(path)
    data = reader.load()
    article = reader.text(data, "article", "", max_length=300, required=False)
    items = [_item(reader, item, where) for where, item in reader.tables(data, "items", "")]
    totals = [
        _reported(reader, item, where, article)
        for where, item in reader.tables(data, "reported", "")
    ]
    seen: set[Any] = set()
    for n, values in enumerate(items):
        if values["code"] in seen:
            reader.problem(
                "duplicate_code",
                f"代码“{values['code']}”重复。",
                f"Code {values['code']!r} appears twice.",
                f"items[{n}].code",
                values["code"],
            )
        seen.add(values["code"])
    reader.raise_if_invalid()

    summary = LoadSummary(path.name)
    for values in items:
        row = session.scalar(select(StatsFootprint).where(StatsFootprint.code == values["code"]))
        _write(session, summary, row, StatsFootprint, values)
    for values in totals:
        total = session.scalar(
            select(StatsReportedTotal).where(
                StatsReportedTotal.kind == values["kind"],
                StatsReportedTotal.measure == values["measure"],
                StatsReportedTotal.as_of == values["as_of"],
            )
        )
        _write(session, summary, total, StatsReportedTotal, values)
    session.flush()
    return summary


def _write(
    session: Session,
    summary: LoadSummary,
    row: StatsFootprint | StatsReportedTotal | None,
    model: type[StatsFootprint] | type[StatsReportedTotal],
    values: Mapping[str, Any],
) -> None:
    if row is None:
        session.add(model(**values))
        summary.count(model.__tablename__, "created")
        return
    changed = [k for k, v in values.items() if getattr(row, k) != v]
    for key in changed:
        setattr(row, key, values[key])
    summary.count(model.__tablename__, "updated" if changed else "unchanged")


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in FOOTPRINT_KINDS:
        raise InvalidInput.single(
            "invalid_kind",
            Message(
                f"类型“{kind}”无效：应为 {'、'.join(FOOTPRINT_KINDS)} 之一。",
                f"Invalid kind {kind!r}: one of {', '.join(FOOTPRINT_KINDS)}.",
            ),
            location=Location(field="kind"),
            value=kind,
        )


def footprint(
    session: Session,
    kind: str | None = None,
    country: str | None = None,
    *,
    synthetic: bool | None = None,
) -> list[StatsFootprint]:
    """Items of a kind and/or a country (any name or code: "捷克", "Czechia", "CZ"); with
    ``synthetic`` False only real items, True only demonstration ones; ordered by kind, country
    and code. An unknown kind or country is ``InvalidInput`` on that field."""
    _check_kind(kind)
    query = select(StatsFootprint)
    if kind is not None:
        query = query.where(StatsFootprint.kind == kind)
    if country is not None:
        found = countries.try_resolve(country)
        if found is None:
            raise _unknown_country(country)
        query = query.where(StatsFootprint.country == found.alpha2)
    if synthetic is not None:
        query = query.where(StatsFootprint.synthetic == synthetic)
    order = (StatsFootprint.kind, StatsFootprint.country, StatsFootprint.code)
    return list(session.scalars(query.order_by(*order)).all())


def _unknown_country(name: str) -> InvalidInput:
    return UnknownCountry(name, countries.suggest(name), location=Location(field="country"))


def footprint_counts(session: Session, *, synthetic: bool | None = None) -> dict[str, int]:
    """Items in the register per kind (every kind present, 0 when none). Counted by the
    database: the home page asks on every request."""
    counts = dict.fromkeys(FOOTPRINT_KINDS, 0)
    query = select(StatsFootprint.kind, func.count()).group_by(StatsFootprint.kind)
    if synthetic is not None:
        query = query.where(StatsFootprint.synthetic == synthetic)
    for kind, n in session.execute(query):
        counts[kind] = n
    return counts


def reported_totals(session: Session, kind: str | None = None) -> Sequence[StatsReportedTotal]:
    """Totals reported per kind and measure, latest ``as_of`` first."""
    _check_kind(kind)
    query = select(StatsReportedTotal)
    if kind is not None:
        query = query.where(StatsReportedTotal.kind == kind)
    order = (StatsReportedTotal.kind, StatsReportedTotal.measure, StatsReportedTotal.as_of.desc())
    return session.scalars(query.order_by(*order)).all()


def footprint_overview(session: Session) -> list[dict[str, Any]]:
    """Per kind: its names, items mapped (real and synthetic) and the latest reported totals
    ({"items": {"count": 500, "at_least": False, "as_of": "2020", "source": ...}}), for the
    portal's "500 pairs (reported), 3 on the map"."""
    real = footprint_counts(session, synthetic=False)
    demo = footprint_counts(session, synthetic=True)
    reported: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in FOOTPRINT_KINDS}
    for total in reported_totals(session):
        reported[total.kind].setdefault(
            total.measure,
            {
                "count": total.count,
                "at_least": total.at_least,
                "as_of": total.as_of,
                "source": total.source,
            },
        )
    return [
        {
            "kind": kind,
            "name_zh": KIND_NAMES[kind][0],
            "name_en": KIND_NAMES[kind][1],
            "mapped": real[kind],
            "synthetic": demo[kind],
            "reported": reported[kind],
        }
        for kind in FOOTPRINT_KINDS
    ]


def footprint_geojson(
    session: Session, kind: str | None = None, country: str | None = None
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946) of the items: one Point per item at
    [longitude, latitude], its properties in both languages (kind, name, country, city,
    partner, since, description, source, synthetic), for the portal's map."""
    features = []
    for item in footprint(session, kind, country):
        found = countries.try_resolve(item.country)
        features.append(
            {
                "type": "Feature",
                "id": item.code,
                "geometry": {"type": "Point", "coordinates": [item.longitude, item.latitude]},
                "properties": {
                    "code": item.code,
                    "kind": item.kind,
                    "kind_zh": KIND_NAMES[item.kind][0],
                    "kind_en": KIND_NAMES[item.kind][1],
                    "name_zh": item.name_zh,
                    "name_en": item.name_en,
                    "country": item.country,
                    "country_zh": found.name_zh if found else item.country,
                    "country_en": found.name_en if found else item.country,
                    "city": item.city,
                    "partner": item.partner,
                    "since": item.since,
                    "description_zh": item.description_zh,
                    "description_en": item.description_en,
                    "source": item.source,
                    "synthetic": item.synthetic,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
