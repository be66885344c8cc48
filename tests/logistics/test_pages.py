"""The portal's tracking pages: the form, a journey with its timeline and map data, the
errors a person makes shown on the page, the list of trains and voyages and a train run's
page, in both languages."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from silkhub.stores.database import Database
from tests.alerts.test_pages import table_rows
from tests.logistics.factory import CONTAINER
from tests.logistics.test_tracking import TRAIN, hub  # noqa: F401 - the fixture

HTML = {"accept": "text/html"}


def map_data(html: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="route-map-data">(.*?)</script>', html, re.S
    )
    assert match, "no map data on the page"
    return json.loads(match.group(1))


def test_the_form_alone(client: TestClient) -> None:
    page = client.get("/zh/track", headers=HTML)
    assert page.status_code == 200
    assert 'name="ref"' in page.text and "货物追踪" in page.text
    assert "route-map" not in page.text


def test_no_examples_on_a_hub_that_is_not_a_demonstration(
    client: TestClient,
    hub: Database,  # noqa: F811
) -> None:
    # The hub has a container (and a transport, not synthetic): still nothing is listed.
    page = client.get("/en/track", headers=HTML)
    assert page.status_code == 200 and 'id="track-examples"' not in page.text
    assert CONTAINER not in page.text


def test_a_journey_in_english(client: TestClient, hub: Database) -> None:  # noqa: F811
    page = client.get(f"/en/track?ref={CONTAINER.lower()}", headers=HTML)
    assert page.status_code == 200, page.text
    text = page.text
    assert "Crossed the border · Khorgos (Horgos)" in text
    assert "Arrived · Duisburg" in text and "2.0 days late" in text
    assert text.count('<tr class="milestone-') == 7
    assert 'class="milestone-skipped"' in text  # planned through Alashankou
    assert f'href="/en/logistics/transports/RAIL/{TRAIN}"' in text
    data = map_data(text)
    assert [p["name"] for p in data["route"]] == ["Yiwu", "Khorgos (Horgos)", "Duisburg"]
    assert data["here"]["name"] == "Khorgos (Horgos)"
    assert data["here"]["coord"] == [80.42, 44.214]


def test_a_journey_in_chinese(client: TestClient, hub: Database) -> None:  # noqa: F811
    page = client.get(f"/zh/track?ref={CONTAINER}", headers=HTML)
    assert page.status_code == 200
    assert "过境 · 霍尔果斯" in page.text and "晚 2.0 天" in page.text


def test_mistakes_are_shown_on_the_page(client: TestClient, hub: Database) -> None:  # noqa: F811
    wrong = client.get("/en/track?ref=APZU4812091", headers=HTML)
    assert wrong.status_code == 422 and "the check digit should be 0, not 1" in wrong.text
    unknown = client.get("/zh/track?ref=CSQU3054383", headers=HTML)
    assert unknown.status_code == 404 and "没有关于" in unknown.text
    assert 'name="ref"' in unknown.text  # the form stays, to try again
    # The field says it is wrong, and what is wrong with it, to a screen reader too.
    assert 'aria-invalid="true" aria-describedby="track-problem"' in wrong.text
    assert 'id="track-problem">' in wrong.text and "aria-invalid" not in (
        client.get("/en/track", headers=HTML).text
    )


def test_trains_and_a_train_runs_page(client: TestClient, hub: Database) -> None:  # noqa: F811
    listed = client.get("/en/logistics/transports", headers=HTML)
    assert listed.status_code == 200 and TRAIN in listed.text
    assert "Yiwu → Alashankou → Małaszewicze → Duisburg" in listed.text
    page = client.get(f"/en/logistics/transports/RAIL/{TRAIN}", headers=HTML)
    assert page.status_code == 200
    assert "1 of 4 stops reached" in page.text and "1 containers, 2.0 TEU" in page.text
    assert f'href="/en/track?ref={CONTAINER}"' in page.text
    assert [p["name"] for p in map_data(page.text)["route"]] == [
        "Yiwu",
        "Alashankou",
        "Małaszewicze",
        "Duisburg",
    ]
    missing = client.get("/en/logistics/transports/RAIL/nothing", headers=HTML)
    assert missing.status_code == 404


def test_the_demonstration_hub_offers_containers_to_try(demo_client: TestClient) -> None:
    """One container of each of the latest demo transports (the December runs and voyages
    before the 2019-2020 history's trains), labelled as synthetic, each a link to its journey;
    gone once a journey is shown."""
    page = demo_client.get("/zh/track", headers=HTML)
    assert page.status_code == 200
    examples = page.text.split('id="track-examples"', 1)[1].split("</section>", 1)[0]
    assert "演示数据（合成）" in examples
    links = re.findall(r'href="/zh/track\?ref=(DMOU\d{7})"', examples)
    assert len(links) == 10 and len(set(links)) == 10
    assert "铁路 DEMO X8005 · 义乌 → 杜伊斯堡" in examples
    assert "海运 DEMO MEISHAN · 宁波港 → 杰贝阿里" in examples
    for number in links:
        assert demo_client.get(f"/zh/track?ref={number}", headers=HTML).status_code == 200
    shown = demo_client.get(f"/en/track?ref={links[0]}", headers=HTML)
    assert 'id="track-examples"' not in shown.text
    unknown = demo_client.get("/en/track?ref=CSQU3054383", headers=HTML)
    assert unknown.status_code == 404 and 'id="track-examples"' in unknown.text


def test_a_rerouted_train_runs_page(demo_client: TestClient) -> None:
    page = demo_client.get("/en/logistics/transports/RAIL/DEMO-X8005-20201218", headers=HTML)
    assert page.status_code == 200
    assert "3 of 5 stops reached" in page.text
    assert page.text.count('class="stop-skipped"') == 1 and "Not in the plan" in page.text
    assert [p["name"] for p in map_data(page.text)["route"]] == [
        "Yiwu",
        "Khorgos (Horgos)",
        "Brest",
        "Małaszewicze",
        "Duisburg",
    ]
    listed = demo_client.get("/en/logistics/transports", headers=HTML)
    assert "Yiwu → Khorgos (Horgos) → Brest → Małaszewicze → Duisburg" in listed.text


def test_the_list_of_transports_is_newest_first_paged_and_filtered(
    demo_client: TestClient,
) -> None:
    """The demo holds its December runs and voyages and the 868 train runs of 2019-2020: the
    list shows the latest departures first, 50 a page, and filters by mode."""
    first = demo_client.get("/en/logistics/transports", headers=HTML).text
    rows = table_rows(first, "table-transports")
    assert len(rows) == 50
    departures = [r[4] for r in rows]
    assert departures == sorted(departures, reverse=True) and departures[0] >= "2020-12"
    assert "Page 1 of" in first and 'rel="next"' in first
    total = int(re.search(r"(\d+) registered, the latest departures first", first)[1])  # type: ignore[index]
    last_page = -(-total // 50)
    last = demo_client.get(
        "/en/logistics/transports", params={"page": last_page}, headers=HTML
    ).text
    assert len(table_rows(last, "table-transports")) == total - 50 * (last_page - 1)
    assert 'rel="prev"' in last and 'rel="next"' not in last
    vessels = demo_client.get(
        "/zh/logistics/transports", params={"mode": "vessel"}, headers=HTML
    ).text
    modes = {r[2] for r in table_rows(vessels, "table-transports")}
    assert modes == {"海运"}
    api = demo_client.get("/api/logistics/transports", params={"limit": 3, "offset": 1}).json()
    assert [t["reference"] for t in api] == [r[0] for r in rows[1:4]]
