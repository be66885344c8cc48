from __future__ import annotations

import csv
import time
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import pycountry
import pytest

from silkhub.core import countries
from silkhub.core.countries import Country, get, normalize_name, resolve, try_resolve
from silkhub.core.errors import InvalidInput, UnknownCountry

# shared/ sits beside the repository, on a developer's machine and in CI alike.
ALONG_THE_ROUTE = Path(__file__).resolve().parents[3] / "shared/data/along-the-route-65.txt"
PACKAGED_ALONG_THE_ROUTE = files("silkhub.core").joinpath("data/groups/along-the-route-65.txt")


def _data_csv(name: str) -> list[dict[str, str]]:
    text = files("silkhub.core").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_every_iso_country_is_there_sorted_by_alpha2() -> None:
    all_ = countries.all_countries()
    assert len(all_) == len(pycountry.countries) == 249
    assert [c.alpha2 for c in all_] == sorted(c.alpha_2 for c in pycountry.countries)


def test_country_fields_are_well_formed() -> None:
    for c in countries.all_countries():
        assert len(c.alpha2) == 2
        assert c.alpha2.isupper()
        assert len(c.alpha3) == 3
        assert c.alpha3.isupper()
        assert len(c.numeric) == 3
        assert c.numeric.isdigit()
        assert c.name_zh
        assert c.name_en
        # Inverted ISO forms ("Korea, Republic of") never surface as the English name.
        assert not c.name_en.endswith((" of", " of the")), c


def test_chinese_names_have_no_ascii_brackets_or_catalog_long_forms() -> None:
    names = {c.name_zh for c in countries.all_countries()}
    assert len(names) == 249, "two countries share a Chinese name"
    for long_form in [
        "大韩民国",
        "朝鲜民主主义人民共和国",
        "老挝人民民主共和国",
        "伊朗伊斯兰共和国",
    ]:
        assert long_form not in names
    for c in countries.all_countries():
        assert "(" not in c.name_zh, c


@pytest.mark.parametrize(
    ("alpha2", "zh", "en"),
    [
        ("TW", "中国台湾", "Taiwan, China"),
        ("HK", "中国香港特别行政区", "Hong Kong SAR, China"),
        ("MO", "中国澳门特别行政区", "Macao SAR, China"),
        ("KR", "韩国", "South Korea"),
        ("KP", "朝鲜", "North Korea"),
        ("CZ", "捷克", "Czechia"),
        ("VN", "越南", "Vietnam"),
        ("RU", "俄罗斯", "Russia"),
        ("KH", "柬埔寨", "Cambodia"),
        ("KG", "吉尔吉斯斯坦", "Kyrgyzstan"),
        ("MN", "蒙古国", "Mongolia"),
        ("LA", "老挝", "Laos"),
        ("CG", "刚果（布）", "Republic of the Congo"),
        ("CD", "刚果（金）", "Democratic Republic of the Congo"),
        ("MT", "马耳他", "Malta"),
        ("TR", "土耳其", "Türkiye"),
        ("CN", "中国", "China"),
    ],
)
def test_canonical_names(alpha2: str, zh: str, en: str) -> None:
    c = get(alpha2)
    assert (c.name_zh, c.name_en) == (zh, en)
    assert c.name("zh") == zh
    assert c.name("en") == en


@pytest.mark.parametrize(
    ("name", "alpha2"),
    [
        ("捷克共和国", "CZ"),
        ("捷克", "CZ"),
        ("阿联酋", "AE"),
        ("阿拉伯联合酋长国", "AE"),
        ("蒙古国", "MN"),
        ("蒙古", "MN"),
        ("老挝", "LA"),
        ("缅甸", "MM"),
        ("波黑", "BA"),
        ("北马其顿", "MK"),
        ("马其顿", "MK"),
        ("东帝汶", "TL"),
        ("Czech Republic", "CZ"),
        ("Czech Rep.", "CZ"),
        ("Czechia", "CZ"),
        ("UAE", "AE"),
        ("U.A.E.", "AE"),
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
        ("Russia", "RU"),
        ("South Korea", "KR"),
        ("Korea", "KR"),
        ("North Korea", "KP"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Turkiye", "TR"),
        ("Iran", "IR"),
        ("Syria", "SY"),
        ("Laos", "LA"),
        ("Moldova", "MD"),
        ("Macedonia", "MK"),
        ("Bosnia", "BA"),
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("USA", "US"),
        ("US", "US"),
        ("Palestine", "PS"),
        ("Taiwan", "TW"),
        ("Hong Kong", "HK"),
        ("Macau", "MO"),
        ("台湾", "TW"),
        ("香港", "HK"),
        ("澳门", "MO"),
        ("大韩民国", "KR"),
        ("刚果(金)", "CD"),
        ("刚果（布）", "CG"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d’Ivoire", "CI"),
        ("Korea, Republic of", "KR"),
        ("Republic of Korea", "KR"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
    ],
)
def test_aliases_resolve(name: str, alpha2: str) -> None:
    assert resolve(name).alpha2 == alpha2


@pytest.mark.parametrize(
    "variant",
    [
        "  czech   republic ",
        "CZECH REPUBLIC",
        "the Czech Republic",
        "Czech Republic.",
        "“捷克”",
        "捷克 ",
    ],
)
def test_normalisation(variant: str) -> None:
    assert resolve(variant).alpha2 == "CZ"


def test_full_width_text_resolves() -> None:
    assert resolve("ＵＳＡ").alpha2 == "US"
    assert resolve("ＣＨＮ").alpha2 == "CN"


def test_normalize_name() -> None:
    assert normalize_name("  The  Netherlands. ") == "netherlands"
    assert normalize_name("ＵＡＥ") == "uae"


def test_every_pycountry_name_and_code_resolves() -> None:
    for record in pycountry.countries:
        names = [record.name, record.alpha_2, record.alpha_3, record.numeric]
        names += [
            getattr(record, a) for a in ("official_name", "common_name") if hasattr(record, a)
        ]
        names += [record.alpha_2.lower(), record.alpha_3.lower()]
        for name in names:
            assert resolve(name).alpha2 == record.alpha_2, name


def test_canonical_names_resolve_to_themselves() -> None:
    for c in countries.all_countries():
        assert resolve(c.name_zh) is c
        assert resolve(c.name_en) is c


def test_numeric_codes_without_leading_zeros() -> None:
    assert resolve("4").alpha2 == "AF"
    assert get("4").alpha2 == "AF"
    assert get("040").alpha2 == "AT"


def test_get_by_code_any_case() -> None:
    assert get("cn").alpha2 == "CN"
    assert get("chn").alpha2 == "CN"
    assert get("156").alpha2 == "CN"
    assert get(" Cz ").alpha2 == "CZ"


def test_get_rejects_names_and_unknown_codes() -> None:
    with pytest.raises(UnknownCountry):
        get("China")
    with pytest.raises(UnknownCountry):
        get("XX")


def test_alias_file_points_at_real_codes() -> None:
    rows = _data_csv("country_aliases.csv")
    assert len(rows) > 100
    for row in rows:
        assert resolve(row["alias"]).alpha2 == row["alpha2"], row


def test_override_files_name_real_countries() -> None:
    for row in _data_csv("country_names_zh.csv"):
        assert get(row["alpha2"]).name_zh == row["name_zh"]
        assert row["note"], row
    for row in _data_csv("country_names_en.csv"):
        assert get(row["alpha2"]).name_en == row["name_en"]


needs_shared = pytest.mark.skipif(
    not ALONG_THE_ROUTE.exists(), reason="shared/ is not beside the repo"
)


@pytest.mark.parametrize(
    "source", [pytest.param(ALONG_THE_ROUTE, marks=needs_shared), PACKAGED_ALONG_THE_ROUTE]
)
def test_every_along_the_route_name_resolves(source: Traversable) -> None:
    names = [line.strip() for line in source.read_text(encoding="utf-8").splitlines()]
    names = [n for n in names if n]
    assert len(names) == 65
    codes = {resolve(n).alpha2 for n in names}
    assert len(codes) == 65  # no two names collapse onto one country
    assert "CN" in codes


@needs_shared
def test_packaged_along_the_route_file_is_an_exact_copy() -> None:
    assert PACKAGED_ALONG_THE_ROUTE.read_bytes() == ALONG_THE_ROUTE.read_bytes()


def test_unknown_country_carries_suggestions() -> None:
    with pytest.raises(UnknownCountry) as caught:
        resolve("Czech Repblic")
    error = caught.value
    assert isinstance(error, InvalidInput)
    assert error.name == "Czech Repblic"
    assert len(error.suggestions) == 3
    assert error.suggestions[0] == "Czechia"
    assert error.problems[0].code == "unknown_country"
    assert "Czechia" in error.message.en
    assert "Czechia" in error.message.zh


def test_chinese_misspelling_gets_chinese_suggestions() -> None:
    with pytest.raises(UnknownCountry) as caught:
        resolve("捷可")
    assert caught.value.suggestions[0] == "捷克"


@pytest.mark.parametrize("blank", ["", "   ", "。", "the"])
def test_blank_names_are_errors(blank: str) -> None:
    assert try_resolve(blank) is None
    with pytest.raises(UnknownCountry):
        resolve(blank)


def test_try_resolve_returns_none_for_unknown() -> None:
    assert try_resolve("Atlantis") is None
    assert try_resolve("Czechia") == Country("CZ", "CZE", "203", "捷克", "Czechia")


def test_resolve_is_fast_enough_for_big_files() -> None:
    names = [c.name_zh for c in countries.all_countries()]
    names += [c.name_en.upper() for c in countries.all_countries()]
    calls = names * 200  # ~100,000 lookups
    start = time.perf_counter()
    for name in calls:
        resolve(name)
    rate = len(calls) / (time.perf_counter() - start)
    assert rate > 100_000, f"{rate:.0f} resolutions per second"


def test_uncached_lookups_are_fast_too() -> None:
    try_resolve.cache_clear()
    names = [f"  {c.name_en}  " for c in countries.all_countries()]
    start = time.perf_counter()
    for name in names:
        resolve(name)
    assert len(names) / (time.perf_counter() - start) > 20_000
