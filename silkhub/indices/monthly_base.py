"""Which base year a monthly index (trade, port) is shown with: its default when the data
holds all twelve months of it, else the data's first complete year. The API computes what it
is asked for; the portal and the list of indices use this so that they show something on a
hub whose data starts after the default (the demonstration's starts in 2018)."""

from __future__ import annotations

from silkhub.core.periods import Month
from silkhub.stats import service as stats
from silkhub.stores.database import Database

__all__ = ["base_year", "data_base_year"]


def base_year(default: int, first: Month | None, last: Month | None) -> int | None:
    """``default`` when ``first`` to ``last`` hold all of it, else the first complete year
    between them (None when there is none)."""
    if first is None or last is None:
        return None
    start = first.year if first.month == 1 else first.year + 1
    end = last.year if last.month == 12 else last.year - 1
    if start > end:
        return None
    return default if start <= default <= end else start


def data_base_year(db: Database, dataset: str, default: int) -> int | None:
    """``base_year`` over the months the imports of ``dataset`` published."""
    return base_year(default, stats.first_month(db, dataset), stats.latest_month(db, dataset))
