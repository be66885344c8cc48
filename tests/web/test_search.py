"""Search across the portal on the demonstration hub: a country found by its Chinese name, its
pinyin, its English name or its code, with what is about it; a TBT notice by its symbol; the
page in both languages; nothing restricted for the public."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def _results(client: TestClient, q: str, lang: str = "en") -> list[dict[str, str]]:
    answer = client.get("/api/search", params={"q": q}, headers={"accept-language": lang})
    assert answer.status_code == 200
    results: list[dict[str, str]] = answer.json()["results"]
    return results


@pytest.mark.parametrize(
    "q", ["哈萨克斯坦", "哈萨克", "hasakesitan", "ha sa ke si tan", "Kazakhstan", "kazakh", "KZ"]
)
def test_a_country_by_any_of_its_names(demo_client: TestClient, q: str) -> None:
    results = _results(demo_client, q)
    assert results[0]["kind"] == "country" and results[0]["title"] == "Kazakhstan"
    assert results[0]["url"] == "/en/countries/KZ"
    # ... and the alerts about it, though their titles never say "hasakesitan".
    assert any(r["kind"] in ("alert", "news") for r in results[1:])


def test_a_two_letter_code_is_not_found_inside_names(demo_client: TestClient) -> None:
    countries = [r["title"] for r in _results(demo_client, "de") if r["kind"] == "country"]
    assert countries == ["Germany"]


def test_a_notice_by_its_symbol_and_a_page_by_its_name(demo_client: TestClient) -> None:
    results = _results(demo_client, "G/TBT/N/EU/9001")
    assert {r["kind"] for r in results} == {"tbt"} and len(
        results
    ) == 2  # the notice and its addendum
    pages = [r for r in _results(demo_client, "指数", "zh") if r["kind"] == "page"]
    assert pages and pages[0]["url"].startswith("/zh/indices")


def test_a_government_only_alert_is_not_found_by_the_public(demo_client: TestClient) -> None:
    assert _results(demo_client, "Turkish lira") == []
    assert any("Thailand" in r["title"] for r in _results(demo_client, "Thailand"))


def test_the_search_page_in_both_languages(demo_client: TestClient) -> None:
    zh = demo_client.get("/zh/search", params={"q": "泰国"})
    en = demo_client.get("/en/search", params={"q": "Thailand"})
    assert zh.status_code == en.status_code == 200
    assert '<html lang="zh-CN"' in zh.text and '<html lang="en"' in en.text
    assert "泰国" in zh.text and 'href="/zh/countries/TH"' in zh.text
    assert 'href="/en/countries/TH"' in en.text
    empty = demo_client.get("/en/search", params={"q": "zzzzqqqq"})
    assert "Nothing found" in empty.text
    assert demo_client.get("/api/search", params={"q": "x" * 101}).status_code == 422


def test_every_page_has_the_search_box(demo_client: TestClient) -> None:
    for path in ("/zh/", "/en/stats", "/en/alerts"):
        page = demo_client.get(path).text
        assert 'role="search"' in page and 'name="q"' in page, path


def test_trains_and_containers(demo_client: TestClient) -> None:
    train = _results(demo_client, "X8001")
    assert train and train[0]["kind"] == "transport"
    assert train[0]["url"] == "/en/logistics/transports/RAIL/DEMO-X8001-20201203"
    container = _results(demo_client, "DMOU0000010")
    assert container[0]["kind"] == "container"
    assert container[0]["url"] == "/en/track?by=equipment&ref=DMOU0000010"
    assert demo_client.get(container[0]["url"]).status_code == 200
