"""Operators register transports over the API: a voyage, train run, flight or truck trip with
its planned stops; bad routes are refused naming the body field, in both languages, and
nothing is stored; the audit log records who registered it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from silkhub.accounts.models import Role
from silkhub.logistics.models import Transport
from silkhub.stores.audit import AuditEntry
from silkhub.stores.database import Database
from tests.web.conftest import Person, as_token

URL = "/api/logistics/transports"


def train(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "mode": "RAIL",
        "reference": "X8024-20200601",
        "name": "X8024",
        "service": "义新欧",
        "carrier": "Test rail operator",
        "stops": [
            {
                "un_locode": "CNYIU",
                "kind": "origin",
                "planned_departure": "2020-06-01T10:00:00+08:00",
            },
            {"un_locode": "CNHRS", "kind": "border", "planned_arrival": "2020-06-05T06:00:00Z"},
            {
                "un_locode": "DEDUI",
                "kind": "destination",
                "planned_arrival": "2020-06-18T06:00:00Z",
            },
        ],
    }
    body.update(changes)
    return body


@pytest.fixture
def operator(people: dict[Role, Person]) -> Person:
    return people[Role.LOGISTICS_OPERATOR]


def count(db: Database) -> int:
    with db.reading() as session:
        return int(session.execute(select(func.count()).select_from(Transport)).scalar_one())


def test_an_operator_registers_a_train_run_and_anyone_can_follow_it(
    client: TestClient, db: Database, operator: Person
) -> None:
    response = client.post(URL, json=train(mode="rail"), headers=as_token(operator))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["mode"] == "RAIL"
    assert created["route"] == ["CNYIU", "CNHRS", "DEDUI"]
    assert created["warnings"] == []
    page = client.get(f"{URL}/RAIL/X8024-20200601")
    assert page.status_code == 200
    stops = page.json()["stops"]
    assert [s["kind"] for s in stops] == ["origin", "border", "destination"]
    assert stops[0]["planned_departure"].startswith("2020-06-01T02:00:00")  # stored in UTC
    with db.reading() as session:
        actors = (
            session.execute(
                select(AuditEntry.actor).where(AuditEntry.entity == "logistics_transports")
            )
            .scalars()
            .all()
        )
    assert actors and all(operator.email in (a or "") for a in actors)


def test_a_vessel_with_a_failing_imo_check_digit_is_registered_with_a_warning(
    client: TestClient, operator: Person
) -> None:
    body = train(
        mode="VESSEL",
        reference="DEMO-V001W",
        name="DEMO SHIP",
        vessel_imo="7654321",
        stops=[
            {"un_locode": "CNNBP", "kind": "origin"},
            {"un_locode": "GRPIR", "kind": "destination"},
        ],
    )
    response = client.post(URL, json=body, headers=as_token(operator))
    assert response.status_code == 201, response.text
    warnings = response.json()["warnings"]
    assert [w["location"]["field"] for w in warnings] == ["body.vessel_imo"]
    assert all(w["severity"] == "warning" for w in warnings)


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"mode": "ZEPPELIN"}, "bad_code", "body.mode"),
        ({"stops": [{"un_locode": "CNYIU", "kind": "origin"}]}, None, "body.stops"),
        (
            {
                "stops": [
                    {"un_locode": "CNYIU", "kind": "origin"},
                    {"un_locode": "DEXXX", "kind": "destination"},
                ]
            },
            "unknown_locode",
            "body.stops[1].un_locode",
        ),
        (
            {
                "stops": [
                    {"un_locode": "CNYIU", "kind": "border"},
                    {"un_locode": "DEDUI", "kind": "destination"},
                ]
            },
            "bad_route",
            "body.stops[0].kind",
        ),
        (
            {
                "stops": [
                    {
                        "un_locode": "CNYIU",
                        "kind": "origin",
                        "planned_departure": "2020-06-10T00:00:00Z",
                    },
                    {
                        "un_locode": "DEDUI",
                        "kind": "destination",
                        "planned_arrival": "2020-06-01T00:00:00Z",
                    },
                ]
            },
            "bad_route",
            "body.stops[1].planned_arrival",
        ),
        (
            {
                "stops": [
                    {
                        "un_locode": "CNYIU",
                        "kind": "origin",
                        "planned_departure": "2020-06-10T00:00:00",
                    },
                    {"un_locode": "DEDUI", "kind": "destination"},
                ]
            },
            None,
            "body.stops.0.planned_departure",
        ),
    ],
)
def test_bad_transports_name_the_field_and_store_nothing(
    client: TestClient,
    db: Database,
    operator: Person,
    change: dict[str, Any],
    code: str | None,
    field: str,
) -> None:
    before = count(db)
    response = client.post(URL, json=train(**change), headers=as_token(operator))
    assert response.status_code == 422, response.text
    problems = response.json()["error"]["problems"]
    found = {(p["code"], p["location"].get("field")) for p in problems}
    if code is not None:
        assert (code, field) in found
    else:
        assert field in {f for _, f in found}, found
    assert all(p["messages"]["zh"] and p["messages"]["en"] for p in problems)
    assert count(db) == before


def test_the_same_transport_twice_is_refused(client: TestClient, operator: Person) -> None:
    assert client.post(URL, json=train(), headers=as_token(operator)).status_code == 201
    again = client.post(URL, json=train(), headers=as_token(operator), params={"lang": "en"})
    assert again.status_code == 422
    assert "duplicate_transport" in {p["code"] for p in again.json()["error"]["problems"]}


def test_only_operators_register(client: TestClient, people: dict[Role, Person]) -> None:
    assert client.post(URL, json=train()).status_code == 401
    refused = client.post(URL, json=train(), headers=as_token(people[Role.SUBSCRIBER]))
    assert refused.status_code == 403
