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
