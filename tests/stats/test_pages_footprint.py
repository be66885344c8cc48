"""The footprint map page and a page per place, on the demonstration hub."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient


def _data(html: str) -> dict[str, object]:
    found = re.search(
        r'<script type="application/json" id="footprint-data">(.*?)</script>', html, re.S
    )
    assert found
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_the_map_page_lists_every_place_with_the_table_behind_the_map(
    demo_client: TestClient,
) -> None:
    zh = demo_client.get("/zh/stats/footprint")
    en = demo_client.get("/en/stats/footprint")
    assert zh.status_code == en.status_code == 200
    assert '<html lang="zh-CN"' in zh.text and '<html lang="en"' in en.text
    points = _data(en.text)["points"]
    assert isinstance(points, list) and len(points) >= 5
    rows = re.findall(r'<tr>\s*<th scope="row"><a href="/en/stats/footprint/', en.text)
    assert len(rows) == len(points)  # every point on the map is a row of the table
    assert 'href="/zh/stats/footprint"' in zh.text and "aria-current" in zh.text  # its tab


def test_filters_by_kind_and_country(demo_client: TestClient) -> None:
    every = _data(demo_client.get("/en/stats/footprint").text)["points"]
    assert isinstance(every, list)
    kind = every[0]["kind"]
    country = every[0]["country"]
    by_kind = _data(demo_client.get("/en/stats/footprint", params={"kind": kind}).text)["points"]
    assert isinstance(by_kind, list) and by_kind and all(p["kind"] == kind for p in by_kind)
    by_country = _data(demo_client.get("/en/stats/footprint", params={"country": country}).text)[
        "points"
    ]
    assert isinstance(by_country, list) and all(p["country"] == country for p in by_country)
    unknown = demo_client.get("/en/stats/footprint", params={"country": "Atlantis"})
    assert unknown.status_code == 200 and "Atlantis" in unknown.text


def test_a_place_has_its_page(demo_client: TestClient) -> None:
    every = _data(demo_client.get("/en/stats/footprint").text)["points"]
    assert isinstance(every, list)
    place = every[0]
    page = demo_client.get(place["url"])
    assert page.status_code == 200 and place["name"] in page.text
    assert f'href="/en/countries/{place["country"]}"' in page.text
    assert demo_client.get("/en/stats/footprint/NO-SUCH-PLACE").status_code == 404
