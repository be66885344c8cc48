"""A page per country on the demonstration hub: the figures with the hub, alerts about it (as
the reader may read them), the footprint there; any name leads to it."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_a_country_page_in_both_languages(demo_client: TestClient) -> None:
    zh = demo_client.get("/zh/countries/KZ")
    en = demo_client.get("/en/countries/KZ")
    assert zh.status_code == en.status_code == 200
    assert '<html lang="zh-CN"' in zh.text and "哈萨克斯坦" in zh.text
    assert '<html lang="en"' in en.text and "Kazakhstan" in en.text
    # Trade with the hub, year to date with its growth, linking to the dashboard.
    assert "进出口" in zh.text and 'href="/zh/stats?dataset=trade"' in zh.text
    assert "Trade" in en.text and "Jan–" in en.text
    # The alerts about it, with the link to all of them.
    assert 'href="/en/alerts?country=KZ"' in en.text
    assert "Kazakhstan changes rail border clearance" in en.text


def test_any_name_leads_to_the_page(demo_client: TestClient) -> None:
    for name in ("哈萨克斯坦", "Kazakhstan", "KAZ"):
        answer = demo_client.get(f"/en/countries/{name}", follow_redirects=False)
        assert answer.status_code == 308 and answer.headers["location"] == "/en/countries/KZ"
    assert demo_client.get("/en/countries/Atlantis").status_code == 404


def test_a_government_only_alert_is_not_on_the_public_page(demo_client: TestClient) -> None:
    page = demo_client.get("/en/countries/TR")
    assert page.status_code == 200 and "Turkish lira" not in page.text


def test_the_trains_to_a_country(demo_client: TestClient) -> None:
    page = demo_client.get("/en/countries/DE")
    assert page.status_code == 200
    assert 'href="/en/logistics/transports/RAIL/DEMO-X8001-20201203"' in page.text
