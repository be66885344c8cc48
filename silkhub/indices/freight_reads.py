"""Reading the released freight index: releases with their week-on-week changes and
restatements, one series over a range of weeks, as CSV. Every function takes ``compiler``:
without it, only releases past their release time exist (the embargo)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.core.periods import IsoWeek
from silkhub.indices.models import COMPOSITE, FreightRelease, FreightRestatement
from silkhub.indices.service import visible_releases

__all__ = ["ReleaseView", "SeriesPoint", "ValueView", "release_views", "series", "series_csv"]


@dataclass(frozen=True)
class ValueView:
    series: str
    value: Decimal
    change: Decimal | None
    change_pct: Decimal | None
    carried_forward: bool


@dataclass(frozen=True)
class ReleaseView:
    week: str
    release_at: datetime
    basket: int
    methodology_version: int
    fingerprint: str
    released: bool
    values: tuple[ValueView, ...]
    restatements: tuple[FreightRestatement, ...]

    def value(self, series: str = COMPOSITE) -> ValueView | None:
        return next((v for v in self.values if v.series == series), None)


def _pct(new: Decimal, old: Decimal) -> Decimal:
    return ((new / old - 1) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def release_views(
    session: Session, *, now: datetime | None = None, compiler: bool = False
) -> list[ReleaseView]:
    """Every visible release in week order, each value with its change on the release before."""
    now = now or datetime.now(UTC)
    releases = visible_releases(session, now=now, compiler=compiler)
    ids = [r.id for r in releases]
    restated: dict[int, list[FreightRestatement]] = {}
    if ids:
        for row in session.scalars(
            select(FreightRestatement)
            .where(FreightRestatement.release_id.in_(ids))
            .order_by(FreightRestatement.restated_at, FreightRestatement.id)
        ):
            restated.setdefault(row.release_id, []).append(row)
    views: list[ReleaseView] = []
    previous: dict[str, Decimal] = {}
    for release in releases:
        values = []
        for v in release.values:
            before = previous.get(v.series)
            values.append(
                ValueView(
                    v.series,
                    v.value,
                    None if before is None else v.value - before,
                    None if before is None or before == 0 else _pct(v.value, before),
                    v.carried_forward,
                )
            )
        previous = {v.series: v.value for v in release.values}
        # The composite first, then the routes in the methodology's order of codes.
        values.sort(key=lambda x: (x.series != COMPOSITE, x.series))
        views.append(_view(release, tuple(values), now, restated.get(release.id, [])))
    return views


def _view(
    release: FreightRelease,
    values: tuple[ValueView, ...],
    now: datetime,
    restated: list[FreightRestatement],
) -> ReleaseView:
    return ReleaseView(
        week=release.week,
        release_at=release.release_at,
        basket=release.basket,
        methodology_version=release.methodology_version,
        fingerprint=release.fingerprint,
        released=release.release_at <= now,
        values=values,
        restatements=tuple(restated),
    )


@dataclass(frozen=True)
class SeriesPoint:
    week: str
    value: Decimal
    change_pct: Decimal | None
    carried_forward: bool


def series(
    session: Session,
    code: str = COMPOSITE,
    *,
    first: IsoWeek | None = None,
    last: IsoWeek | None = None,
    now: datetime | None = None,
    compiler: bool = False,
) -> list[SeriesPoint]:
    """One series (the composite or a route) over the released weeks in ``first..last``."""
    points = []
    for view in release_views(session, now=now, compiler=compiler):
        if (first and view.week < first.code) or (last and view.week > last.code):
            continue
        value = view.value(code)
        if value is not None:
            points.append(
                SeriesPoint(view.week, value.value, value.change_pct, value.carried_forward)
            )
    return points


def series_csv(points: list[SeriesPoint], code: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("week", "series", "value", "change_pct", "carried_forward"))
    for p in points:
        writer.writerow(
            (
                p.week,
                code,
                p.value,
                "" if p.change_pct is None else p.change_pct,
                int(p.carried_forward),
            )
        )
    return out.getvalue()
