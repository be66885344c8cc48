from __future__ import annotations

import csv
import re
from datetime import date
from importlib.resources import files

import pytest

from silkhub.core import countries, groups
from silkhub.core.errors import NotFound, UnknownCountry
from silkhub.core.groups import Membership, group, groups_of, members, memberships

GROUP_DIR = files("silkhub.core").joinpath("data", "groups")
DATE = re.compile(r"\d{4}(-\d{2}-\d{2})?")
EXPECTED_CODES = [
    "bri_partners",
    "along_route_64",
    "china_ceec",
    "asean",
    "eu",
    "rcep",
    "gcc",
    "central_asia",
]


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(GROUP_DIR.joinpath(name).read_text(encoding="utf-8").splitlines()))


def _member_files() -> list[str]:
    return [f"{code}.csv" for code in EXPECTED_CODES if code != "along_route_64"]


def test_the_groups() -> None:
    assert [g.code for g in groups.groups()] == EXPECTED_CODES
    for g in groups.groups():
        assert g.name_zh
        assert g.name_en
        assert g.description_zh
        assert g.description_en
        assert g.source
    assert group("china_ceec").name("zh") == "中国—中东欧国家合作"
    assert group("china_ceec").name("en") == "China-CEEC cooperation"


def test_unknown_group_lists_valid_codes() -> None:
    with pytest.raises(NotFound) as caught:
        group("17+1")
    for code in EXPECTED_CODES:
        assert code in caught.value.message.en
        assert code in caught.value.message.zh
    with pytest.raises(NotFound):
        members("nope", date(2020, 1, 1))


@pytest.mark.parametrize(
    ("day", "count"),
    [
        (date(2012, 4, 25), 0),
        (date(2012, 4, 26), 16),
        (date(2019, 4, 11), 16),
        (date(2019, 4, 12), 17),
        (date(2020, 6, 30), 17),
        (date(2021, 5, 21), 17),
        (date(2021, 5, 22), 16),
        (date(2021, 12, 31), 16),
        (date(2022, 8, 10), 16),
        (date(2022, 8, 11), 14),
        (date(2022, 12, 31), 14),
    ],
)
def test_china_ceec_17_16_14(day: date, count: int) -> None:
    assert len(members("china_ceec", day)) == count


def test_china_ceec_who_left() -> None:
    in_2020 = members("china_ceec", date(2020, 6, 30))
    in_2023 = members("china_ceec", date(2023, 1, 1))
    assert in_2020 - in_2023 == {"LT", "EE", "LV"}
    assert "GR" in in_2023


def test_eu_and_brexit() -> None:
    assert "GB" in members("eu", date(2020, 1, 31))
    assert "GB" not in members("eu", date(2020, 2, 1))
    assert len(members("eu", date(2020, 1, 31))) == 28
    assert len(members("eu", date(2020, 2, 1))) == 27
    assert "HR" not in members("eu", date(2013, 6, 30))
    assert "HR" in members("eu", date(2013, 7, 1))
    assert len(members("eu", date(1958, 1, 1))) == 6


def test_along_route_64() -> None:
    along = members("along_route_64", date(2020, 6, 30))
    assert len(along) == 64
    assert "CN" not in along
    assert {"CZ", "MN", "BA", "AE", "TL", "PS"} <= along
    assert all(m.start is None and m.end is None for m in memberships("along_route_64"))
    assert "HuangHeng179/beltandroad" in group("along_route_64").source


def test_bri_partners() -> None:
    mid_2020 = members("bri_partners", date(2020, 6, 30))
    assert len(mid_2020) == 138
    assert "CN" not in mid_2020
    assert "HU" in members("bri_partners", date(2015, 6, 6))
    assert "HU" not in members("bri_partners", date(2015, 6, 5))
    assert "IT" in mid_2020
    assert "IT" not in members("bri_partners", date(2024, 6, 1))


def test_asean() -> None:
    assert len(members("asean", date(2020, 6, 30))) == 10
    assert members("asean", date(1967, 8, 8)) == {"ID", "MY", "PH", "SG", "TH"}
    assert "KH" not in members("asean", date(1999, 4, 29))
    assert "KH" in members("asean", date(1999, 4, 30))


def test_rcep_counts_entry_into_force() -> None:
    assert members("rcep", date(2021, 12, 31)) == frozenset()
    assert len(members("rcep", date(2022, 1, 1))) == 10
    assert "KR" in members("rcep", date(2022, 2, 1))
    assert "MY" in members("rcep", date(2022, 3, 18))
    assert "ID" not in members("rcep", date(2023, 1, 1))
    assert len(members("rcep", date(2023, 6, 2))) == 14


def test_gcc_and_central_asia() -> None:
    assert members("gcc", date(2020, 1, 1)) == {"BH", "KW", "OM", "QA", "SA", "AE"}
    assert members("gcc", date(1981, 5, 24)) == frozenset()
    assert members("central_asia", date(2020, 1, 1)) == {"KZ", "KG", "TJ", "TM", "UZ"}


def test_groups_of() -> None:
    codes = [g.code for g in groups_of("捷克", date(2020, 6, 30))]
    assert codes == ["bri_partners", "along_route_64", "china_ceec", "eu"]
    lithuania = [g.code for g in groups_of("Lithuania", date(2022, 1, 1))]
    assert "china_ceec" not in lithuania
    assert "eu" in lithuania
    assert [g.code for g in groups_of("KAZ", date(2020, 1, 1))] == [
        "bri_partners",
        "along_route_64",
        "central_asia",
    ]
    with pytest.raises(UnknownCountry):
        groups_of("Atlantis", date(2020, 1, 1))


def test_membership_interval_is_half_open() -> None:
    m = Membership("x", "GB", date(1973, 1, 1), date(2020, 2, 1), "test")
    assert not m.active_on(date(1972, 12, 31))
    assert m.active_on(date(1973, 1, 1))
    assert m.active_on(date(2020, 1, 31))
    assert not m.active_on(date(2020, 2, 1))
    assert Membership("x", "GB", None, None, "test").active_on(date(1900, 1, 1))


def test_every_row_of_every_file_has_a_source() -> None:
    for row in _rows("groups.csv"):
        assert row["source"].strip(), row
    for name in _member_files():
        rows = _rows(name)
        assert rows, name
        assert list(rows[0]) == ["country", "start", "end", "source"], name
        for row in rows:
            assert row["source"].strip(), (name, row)
    for m in (m for g in groups.groups() for m in memberships(g.code)):
        assert m.source


def test_every_country_in_every_file_resolves() -> None:
    for name in _member_files():
        for row in _rows(name):
            assert countries.try_resolve(row["country"]) is not None, (name, row)
    along = GROUP_DIR.joinpath("along-the-route-65.txt").read_text(encoding="utf-8").split()
    assert all(countries.try_resolve(n) is not None for n in along)


def test_dates_are_well_formed_and_ordered() -> None:
    for name in _member_files():
        for row in _rows(name):
            for field in ("start", "end"):
                assert row[field] == "" or DATE.fullmatch(row[field]), (name, row)
    for g in groups.groups():
        for m in memberships(g.code):
            assert m.start is None or m.end is None or m.start < m.end


def test_year_only_dates_mean_january_first() -> None:
    latvia = [m for m in memberships("bri_partners") if m.alpha2 == "LV"]
    assert latvia[0].start == date(2016, 1, 1)


def test_memberships_are_returned_as_copies() -> None:
    first = memberships("gcc")
    first.clear()
    assert len(memberships("gcc")) == 6
