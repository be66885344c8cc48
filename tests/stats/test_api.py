"""``/api/stats``: datasets, uploads that import all or nothing, and who may do it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from silkhub.accounts.models import Role
from tests.web.conftest import Person, app, as_token, client, db, people

__all__ = ["app", "client", "db", "people"]  # the application fixtures, reused

CSV = "月份,进出口,国别（地区）,金额（万元）\n2020-05,出口,捷克,3909.12\n2020-05,进口,阿联酋,20\n"


def upload(client: TestClient, person: Person, text: str, name: str = "trade.csv") -> object:
    return client.post(
        "/api/stats/imports",
        files={"file": (name, text.encode("gbk"), "text/csv")},
        data={"dataset": "trade"},
        headers=as_token(person),
    )


def test_datasets_are_public(client: TestClient) -> None:
    names = [d["name"] for d in client.get("/api/stats/datasets").json()]
    assert names == ["trade", "odi", "fdi", "port", "rail", "air", "ecommerce"]
    trade = client.get("/api/stats/datasets/trade").json()
    assert {"name": "value_cny", "kind": "money_cny", "unit": "CNY"}.items() <= next(
        f for f in trade["fields"] if f["name"] == "value_cny"
    ).items()
    assert client.get("/api/stats/datasets/nope").status_code == 404


def test_an_analyst_imports_a_file(client: TestClient, people: dict[Role, Person]) -> None:
    response = upload(client, people[Role.ANALYST], CSV)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "imported"
    assert body["rows"] == 2
    assert body["periods"] == ["2020-05-01"]
    again = upload(client, people[Role.ANALYST], CSV, name="copy.csv").json()
    assert again["status"] == "duplicate"
    listed = client.get("/api/stats/imports", headers=as_token(people[Role.ANALYST])).json()
    assert [(i["source"], i["rows"], i["encoding"]) for i in listed] == [
        ("trade.csv", 2, "gb18030")
    ]


def test_a_bad_file_is_a_problem_report(client: TestClient, people: dict[Role, Person]) -> None:
    bad = CSV + "2020-05,出口,亚特兰蒂斯,abc\n"
    response = upload(client, people[Role.ANALYST], bad)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "import_rejected"
    located = {(p["code"], p["location"]["row"]) for p in error["problems"]}
    assert ("unknown_country", 4) in located
    assert ("not_a_number", 4) in located
    assert all(p["location"]["file"] == "trade.csv" for p in error["problems"])
    listed = client.get("/api/stats/imports", headers=as_token(people[Role.ANALYST])).json()
    assert listed == []


def test_only_analysts_import(client: TestClient, people: dict[Role, Person]) -> None:
    assert upload(client, people[Role.EDITOR], CSV).status_code == 403


MONTHS = (
    "月份,进出口,国别（地区）,金额（万元）\n"
    + "\n".join(
        [
            "2019-05,出口,捷克,1000",
            "2019-05,出口,美国,3000",
            "2020-05,出口,捷克,1500",
            "2020-05,进口,捷克,500",
            "2020-05,出口,美国,2000",
        ]
    )
    + "\n"
)


def test_measures_over_http(client: TestClient, people: dict[Role, Person]) -> None:
    assert upload(client, people[Role.ANALYST], MONTHS).status_code == 201
    params = {
        "dataset": "trade",
        "value": "value_cny",
        "period": "2020年5月",
        "group": "china_ceec",
        "filter": "flow=出口",
    }
    body = client.get("/api/stats/measure", params=params).json()
    # CEEC exports: 1500万 against 1000万 a year earlier (+50%); of all exports 1500/3500.
    assert body["value"] == 15_000_000
    assert body["previous"] == 10_000_000
    assert body["growth_pct"] == 50.0
    assert round(body["share_pct"], 4) == round(1500 / 3500 * 100, 4)
    assert body["period"] == {"code": "2020-05", "label_zh": "2020年5月", "label_en": "May 2020"}
    assert body["text_zh"] == "1500万元，增长50.0%，占42.9%"
    assert body["complete"] is True
    assert {v["month"] for v in body["vintages"]} == {"2020-05", "2019-05"}
    top = client.get("/api/stats/top", params={**params, "by": "partner", "group": ""}).json()
    assert [(r["partner"], r["value"]) for r in top] == [("US", 20_000_000), ("CZ", 15_000_000)]
    series = client.get("/api/stats/series", params={**params, "period": "2020"}).json()
    may = next(r for r in series if r["month"] == "2020-05-01")
    assert may["value"] == 15_000_000


def test_a_bad_measure_query_names_the_field(client: TestClient) -> None:
    response = client.get(
        "/api/stats/measure",
        params={"dataset": "trade", "value": "value_cny", "period": "2020-W23"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["location"]["field"] == "period"
    bad_filter = client.get(
        "/api/stats/measure",
        params={"dataset": "trade", "value": "value_cny", "period": "2020-05", "filter": "flow"},
    )
    assert bad_filter.json()["error"]["code"] == "bad_filter"


def test_downloads_in_every_format(client: TestClient, people: dict[Role, Person]) -> None:
    assert upload(client, people[Role.ANALYST], CSV).status_code == 201
    csv_file = client.get("/api/stats/datasets/trade/download")
    assert csv_file.status_code == 200
    assert csv_file.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in csv_file.headers["content-disposition"]
    assert b"39091200" in csv_file.content  # 3909.12 万元 in yuan
    for fmt, marker in (
        ("xlsx", b"PK"),
        ("sdmx-structure", b"<?xml"),
        ("datapackage", b"PK"),
    ):
        response = client.get("/api/stats/datasets/trade/download", params={"format": fmt})
        assert response.status_code == 200, (fmt, response.text[:300])
        assert response.content.startswith(marker), fmt
    sdmx = client.get(
        "/api/stats/datasets/trade/download", params={"format": "sdmx", "value": "value_cny"}
    )
    assert sdmx.status_code == 200
    assert b"39091200" in sdmx.content
    needs_value = client.get("/api/stats/datasets/trade/download", params={"format": "sdmx"})
    assert needs_value.json()["error"]["code"] == "value_required"
    unknown = client.get("/api/stats/datasets/trade/download", params={"format": "pdf"})
    assert unknown.json()["error"]["problems"][0]["location"]["field"] == "format"


def test_registers_over_http(client: TestClient, app: object) -> None:
    from silkhub.stats import registers, registers_footprint

    database = app.state.db  # type: ignore[attr-defined]
    with database.transaction() as session:
        registers.load_register(session)
        registers_footprint.load_footprint(session)
    projects = client.get("/api/stats/projects").json()
    assert len(projects) == 10
    port = next(p for p in projects if any(i["code"] == "port_cargo" for i in p["indicators"]))
    progress = client.get(
        f"/api/stats/projects/{port['code']}/progress", params={"period": "2020"}
    ).json()
    cargo = next(p for p in progress if p["indicator"] == "port_cargo")
    assert cargo["value"] is None  # measured from a dataset nothing was imported into yet
    geo = client.get("/api/stats/footprint", params={"kind": "service_station"}).json()
    assert geo["type"] == "FeatureCollection"
    assert {f["properties"]["country"] for f in geo["features"]} == {"CZ", "AE"}
    overview = client.get("/api/stats/footprint/overview").json()
    zones = next(o for o in overview if o["kind"] == "zone")
    assert zones["reported"]["items"]["count"] == 15  # as the article reports
    assert zones["mapped"] >= 3  # the zones silkhub can place on the map
    pairs = next(o for o in overview if o["kind"] == "sister_city")
    assert pairs["reported"]["items"]["count"] == 500
