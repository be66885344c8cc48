"""Which subscriptions want an item: pure functions over sets, no database.

A subscription's facets are each either empty (anything) or a set of codes; it matches when
every facet it sets meets the item. Country groups are expanded to their members on the day
the item is valid from, once per match run rather than once per subscription.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

from silkhub.alerts.cap import Severity
from silkhub.core import groups as country_groups
from silkhub.core.errors import NotFound

#: Most severe first has the highest rank.
SEVERITY_RANK = {
    Severity.BLUE.value: 1,
    Severity.YELLOW.value: 2,
    Severity.ORANGE.value: 3,
    Severity.RED.value: 4,
}


@dataclass(frozen=True)
class ItemFacets:
    kind: str
    countries: frozenset[str]
    category: str | None
    severity: str | None
    hs_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SubscriptionRow:
    user_id: int
    kinds: str
    countries: str
    groups: str
    categories: str
    min_severity: str | None
    hs_prefixes: str


def group_expander(as_of: date) -> Callable[[str], frozenset[str]]:
    @cache
    def members(code: str) -> frozenset[str]:
        try:
            return country_groups.members(code, as_of)
        except NotFound:  # a group removed since the subscription was made matches nothing
            return frozenset()

    return members


def matches(
    row: SubscriptionRow, item: ItemFacets, members: Callable[[str], frozenset[str]]
) -> bool:
    if row.kinds and item.kind not in row.kinds.split():
        return False
    if row.categories and (item.category is None or item.category not in row.categories.split()):
        return False
    if (
        row.min_severity
        and item.severity is not None
        and SEVERITY_RANK.get(item.severity, 0) < SEVERITY_RANK.get(row.min_severity, 0)
    ):
        return False
    if row.countries or row.groups:
        wanted = set(row.countries.split())
        for code in row.groups.split():
            wanted |= members(code)
        if wanted.isdisjoint(item.countries):
            return False
    if row.hs_prefixes:
        prefixes = tuple(row.hs_prefixes.split())
        if not any(code.startswith(prefixes) for code in item.hs_codes):
            return False
    return True


def matching_users(rows: Iterable[SubscriptionRow], item: ItemFacets, as_of: date) -> set[int]:
    """The people at least one of whose subscriptions wants ``item``."""
    members = group_expander(as_of)
    found: set[int] = set()
    for row in rows:
        if row.user_id not in found and matches(row, item, members):
            found.add(row.user_id)
    return found
