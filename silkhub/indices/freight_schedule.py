"""When a week of the freight index opens for quotes, closes, and is released, in UTC, from
the methodology's schedule in its own time zone (Asia/Shanghai: the index is Ningbo's)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from silkhub.core.periods import IsoWeek
from silkhub.indices.freight_config import Methodology, Moment

__all__ = ["release_time", "week_of", "window"]


def _at(m: Methodology, week: IsoWeek, moment: Moment) -> datetime:
    day = week.start + timedelta(days=moment.weekday - 1)
    return datetime.combine(day, moment.at, tzinfo=m.timezone).astimezone(UTC)


def window(m: Methodology, week: IsoWeek) -> tuple[datetime, datetime]:
    """When members may submit quotes for ``week``: from the first time, before the second."""
    return _at(m, week, m.window_opens), _at(m, week, m.window_closes)


def release_time(m: Methodology, week: IsoWeek) -> datetime:
    """When ``week``'s figures are released (UTC)."""
    return _at(m, week, m.release)


def week_of(m: Methodology, now: datetime) -> IsoWeek:
    """The week ``now`` falls in, in the index's time zone."""
    return IsoWeek.from_date(now.astimezone(m.timezone).date())
