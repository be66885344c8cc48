"""Country groups with dated membership: Belt and Road partners, China-CEEC, ASEAN, EU, RCEP...

A group's membership changes over time (China-CEEC was "17+1" in 2020, "16+1" in 2021 and
"14+1" from August 2022), so a share "of trade with CEEC countries" depends on the date it is
computed for. Every membership is therefore an interval, half-open on the right::

    member on day d  <=>  (start is None or start <= d) and (end is None or d < end)

``start`` is the first day of membership and ``end`` the first day *after* it; a blank is open.
The United Kingdom, which left the EU at the end of 2020-01-31, has ``end = 2020-02-01``. A
year alone in the data ("2018") means 1 January of that year: where only the year of a
signature is known, the country counts for the whole of that year.

The data live in ``data/groups/``: ``groups.csv`` is the index, and each group has one CSV
(``country,start,end,source``) whose country column may be a Chinese or English name or a code.
Every row cites its source. ``along_route_64`` is the exception: it is read from the 65-country
list it was published as (``along-the-route-65.txt``) with China left out, and carries the
group's source. Files are read and checked once per process.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Final

from silkhub.core import countries
from silkhub.core.errors import Message, NotFound

__all__ = [
    "CountryGroup",
    "Membership",
    "group",
    "groups",
    "groups_of",
    "members",
    "memberships",
]


@dataclass(frozen=True, slots=True)
class CountryGroup:
    code: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    source: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" else self.description_zh


@dataclass(frozen=True, slots=True)
class Membership:
    group: str  # CountryGroup.code
    alpha2: str
    start: date | None  # first day of membership; None: open
    end: date | None  # first day after membership; None: still a member
    source: str

    def active_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


# Groups published as plain lists of names rather than dated CSVs: file, codes left out.
_NAME_LISTS: Final = {"along_route_64": ("along-the-route-65.txt", frozenset({"CN"}))}

_YEAR = re.compile(r"\d{4}")


def _read(name: str) -> str:
    return files("silkhub.core").joinpath("data", "groups", name).read_text(encoding="utf-8")


def _csv_rows(name: str) -> Iterator[tuple[int, dict[str, str]]]:
    # Row numbers as a spreadsheet shows them: the header is row 1.
    for number, row in enumerate(csv.DictReader(_read(name).splitlines()), start=2):
        yield number, {k: (v or "").strip() for k, v in row.items()}


def _parse_day(text: str, where: str) -> date | None:
    if not text:
        return None
    if _YEAR.fullmatch(text):
        return date(int(text), 1, 1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{where}: {text!r} is neither YYYY-MM-DD nor YYYY") from None


@dataclass(frozen=True, slots=True)
class _Data:
    groups: MappingProxyType[str, CountryGroup]  # in the order of groups.csv
    memberships: MappingProxyType[str, tuple[Membership, ...]]


@cache
def _data() -> _Data:
    index: dict[str, CountryGroup] = {}
    for number, row in _csv_rows("groups.csv"):
        g = CountryGroup(**row)
        if not (g.code and g.source and g.name_zh and g.name_en):
            raise ValueError(f"groups.csv row {number}: code, names and source are required")
        index[g.code] = g
    memberships = {code: _load_memberships(g) for code, g in index.items()}
    return _Data(MappingProxyType(index), MappingProxyType(memberships))


def _load_memberships(g: CountryGroup) -> tuple[Membership, ...]:
    if g.code in _NAME_LISTS:
        filename, excluded = _NAME_LISTS[g.code]
        alpha2s = [countries.resolve(line).alpha2 for line in _read(filename).split("\n") if line]
        rows = [
            Membership(g.code, a2, None, None, g.source) for a2 in alpha2s if a2 not in excluded
        ]
    else:
        rows = []
        for number, row in _csv_rows(f"{g.code}.csv"):
            where = f"{g.code}.csv row {number}"
            if not row["source"]:
                raise ValueError(f"{where}: every membership must cite its source")
            start = _parse_day(row["start"], where)
            end = _parse_day(row["end"], where)
            if start is not None and end is not None and not start < end:
                raise ValueError(f"{where}: start {start} is not before end {end}")
            alpha2 = countries.resolve(row["country"]).alpha2
            rows.append(Membership(g.code, alpha2, start, end, row["source"]))
    _check_no_overlap(g.code, rows)
    return tuple(sorted(rows, key=lambda m: (m.alpha2, m.start or date.min)))


def _check_no_overlap(code: str, rows: list[Membership]) -> None:
    # Two intervals for one country that overlap would count it twice on some days.
    by_country: dict[str, list[Membership]] = {}
    for m in rows:
        by_country.setdefault(m.alpha2, []).append(m)
    for alpha2, spans in by_country.items():
        spans.sort(key=lambda m: m.start or date.min)
        for before, after in itertools.pairwise(spans):
            if before.end is None or (after.start is not None and after.start < before.end):
                raise ValueError(f"{code}: memberships of {alpha2} overlap")


def groups() -> list[CountryGroup]:
    """Every group, in the order of the index file."""
    return list(_data().groups.values())


def group(code: str) -> CountryGroup:
    found = _data().groups.get(code)
    if found is None:
        valid = ", ".join(_data().groups)
        raise NotFound(
            Message(
                f"没有代码为“{code}”的国家分组；可用的分组代码：{valid}。",
                f"No country group with code {code!r}; valid codes: {valid}.",
            ),
            code="unknown_group",
        )
    return found


def memberships(code: str) -> list[Membership]:
    """Every membership interval of a group, by country then start."""
    group(code)
    return list(_data().memberships[code])


def members(code: str, as_of: date) -> frozenset[str]:
    """The alpha-2 codes of the group's members on ``as_of``."""
    group(code)
    return frozenset(m.alpha2 for m in _data().memberships[code] if m.active_on(as_of))


def groups_of(country: str, as_of: date) -> list[CountryGroup]:
    """The groups a country (any name or code ``countries.resolve`` accepts) belongs to."""
    alpha2 = countries.resolve(country).alpha2
    data = _data()
    return [
        g
        for code, g in data.groups.items()
        if any(m.alpha2 == alpha2 and m.active_on(as_of) for m in data.memberships[code])
    ]
