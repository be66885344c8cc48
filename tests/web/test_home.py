"""The home page of the demonstration hub, "the hub at a glance": the headline figures of
issue 7's list with their year-on-year change, the month's trains on a map with the table
behind it, the same in both languages. (That each figure leads to its source is
``test_figure_sources.py``; that the numbers read the same in both languages is the
visitor's journey in ``tests/browser/test_visitor.py``.)"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from lxml import html as lxml_html


def _home(client: TestClient, lang: str) -> lxml_html.HtmlElement:
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    return lxml_html.fromstring(response.text)


def test_the_headline_figures_of_issue_7_with_their_change(demo_client: TestClient) -> None:
    for lang, change in (("zh", ("增长", "下降")), ("en", ("up ", "down "))):
        page = _home(demo_client, lang)
        figures = page.xpath("//li[contains(@class, 'home-figure')]")
        datasets = [f.get("data-figure") for f in figures]
        # Trade, outward investment, port throughput (cargo, TEU), trains run (two lines).
        assert datasets == [
            "stats:trade",
            "stats:odi",
            "stats:port",
            "stats:port",
            "stats:rail",
            "stats:rail",
        ]
        for f in figures:
            text = f.text_content()
            assert any(word in text for word in change), text
            assert f.get("data-vintages"), text  # computed from named imports


def test_the_months_trains_on_a_map_with_the_table_behind_it(demo_client: TestClient) -> None:
    seen = {}
    for lang in ("zh", "en"):
        page = _home(demo_client, lang)
        rows = page.xpath("//table[@id='table-trains']/tbody/tr")
        data = json.loads(page.xpath("//script[@id='trains-map-data']")[0].text)
        assert rows and len(rows) == len(data["trains"])
        # Every train on the map has its route's places with coordinates, in order.
        for train in data["trains"]:
            assert len(train["route"]) >= 2
            assert all(len(p["coord"]) == 2 for p in train["route"])
        assert data["demo"]  # the map says the trains are invented
        assert page.xpath("//div[@id='trains-map'][@role='img'][@aria-label]")
        seen[lang] = [r.get("data-figure") for r in rows]
    assert seen["zh"] == seen["en"]
