"""Reading the released freight index: releases with their week-on-week changes and
restatements, one series over a range of weeks, as CSV. Every function takes ``compiler``:
without it, only releases past their release time exist (the embargo)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from silkhub.core.periods import IsoWeek
from silkhub.indices.freight_compute import Link
from silkhub.indices.freight_config import Methodology
from silkhub.indices.models import (
    COMPOSITE,
    FreightQuote,
    FreightRelease,
    FreightRestatement,
    PanelMember,
)
from silkhub.indices.service import history, methodology, parse_week, visible_releases

__all__ = [
    "ReleaseView",
    "SeriesPoint",
    "ValueView",
    "chain_links",
    "latest_quoted_week",
    "latest_release",
    "links_horizon",
    "quotes_state",
    "release_views",
    "releases_state",
    "series",
    "series_csv",
]


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
        values = _with_changes(release, previous)
        previous = {v.series: v.value for v in release.values}
        views.append(_view(release, values, now, restated.get(release.id, [])))
    return views


def _with_changes(release: FreightRelease, before: dict[str, Decimal]) -> tuple[ValueView, ...]:
    """The release's values with their change on ``before`` (the release a week earlier), the
    composite first, then the routes by code."""
    values = []
    for v in release.values:
        old = before.get(v.series)
        values.append(
            ValueView(
                v.series,
                v.value,
                None if old is None else v.value - old,
                None if old is None or old == 0 else _pct(v.value, old),
                v.carried_forward,
            )
        )
    values.sort(key=lambda x: (x.series != COMPOSITE, x.series))
    return tuple(values)


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


# --- for the portal's pages ---------------------------------------------------------------------


def links_horizon(
    session: Session, *, now: datetime | None = None, m: Methodology | None = None
) -> IsoWeek | None:
    """The last chain-link week (the last week of a basket before a change) at or before the
    last public release: how far the history must be computed to know every published link;
    None when no link is public yet. A link is computed from its own week's quotes and the
    weeks before it, so computing that far gives the same links as the whole history."""
    m = m or methodology()
    last = session.scalar(
        select(func.max(FreightRelease.week)).where(
            FreightRelease.release_at <= (now or datetime.now(UTC))
        )
    )
    if last is None:
        return None
    released = parse_week(last)
    # A basket is linked in the week before its first.
    links = [IsoWeek.from_date(b.effective.start - timedelta(days=7)) for b in m.baskets[1:]]
    weeks = [w for w in links if w <= released]
    return max(weeks) if weeks else None


def chain_links(
    session: Session, *, now: datetime | None = None, m: Methodology | None = None
) -> tuple[Link, ...]:
    """The basket changes of the published history (week, basket, link factors, routes added
    and dropped), recomputed from the stored quotes, never past the last public release."""
    m = m or methodology()
    through = links_horizon(session, now=now, m=m)
    if through is None:
        return ()
    return tuple(link for link in history(session, through, m).links if link.week <= through)


def quotes_state(session: Session, through: IsoWeek) -> tuple[object, ...]:
    """What the computation through ``through`` depends on besides the configuration: the
    stored quotes up to that week (how many, the newest id, how many withdrawn) and the
    members' weights. Equal states give equal histories (for caching a computation)."""
    count, newest, withdrawn = session.execute(
        select(
            func.count(FreightQuote.id),
            func.max(FreightQuote.id),
            func.count(FreightQuote.withdrawn_at),
        ).where(FreightQuote.week <= through.code)
    ).one()
    weights = sorted(
        (code, weight)
        for code, weight in session.execute(select(PanelMember.code, PanelMember.weight))
    )
    return (through.code, count, newest, withdrawn, tuple(weights))


def latest_quoted_week(session: Session) -> IsoWeek | None:
    """The latest week any member has a (not withdrawn) quote for."""
    week = session.scalar(
        select(func.max(FreightQuote.week)).where(FreightQuote.withdrawn_at.is_(None))
    )
    return parse_week(week) if week else None


def latest_release(
    session: Session, *, now: datetime | None = None, compiler: bool = False
) -> ReleaseView | None:
    """The latest visible release with its changes on the one before, reading those two
    releases only (``release_views`` reads the whole history)."""
    now = now or datetime.now(UTC)
    query = select(FreightRelease).order_by(FreightRelease.week.desc()).limit(2)
    if not compiler:
        query = query.where(FreightRelease.release_at <= now)
    releases = list(session.scalars(query))
    if not releases:
        return None
    latest = releases[0]
    before = {v.series: v.value for v in releases[1].values} if len(releases) > 1 else {}
    values = _with_changes(latest, before)
    restated = list(
        session.scalars(
            select(FreightRestatement)
            .where(FreightRestatement.release_id == latest.id)
            .order_by(FreightRestatement.restated_at, FreightRestatement.id)
        )
    )
    return _view(latest, values, now, restated)


def releases_state(session: Session, *, now: datetime | None = None) -> tuple[object, ...]:
    """What the public releases at ``now`` depend on: how many are visible, the latest of
    them, and the newest restatement (a released value changes only with one). Equal states
    give equal ``release_views(now=...)`` (for caching them)."""
    count, last = session.execute(
        select(func.count(FreightRelease.id), func.max(FreightRelease.week)).where(
            FreightRelease.release_at <= (now or datetime.now(UTC))
        )
    ).one()
    restated = session.scalar(select(func.max(FreightRestatement.id)))
    return (count, last, restated)
