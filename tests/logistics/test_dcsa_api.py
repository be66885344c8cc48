"""The DCSA TNT 3.0.0 events API over HTTP: the spec's example requests are accepted, every
filter combination it requires answers the right events, pagination walks all of them once,
and every answer, right or wrong, validates against the published schema (strictly: no
invented fields, DCSA's code lists) and carries API-Version."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from silkhub.accounts.models import Role
from silkhub.logistics import service
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.app import create_app
from tests.logistics.dcsa_schema import EXAMPLES, assert_valid
from tests.logistics.factory import BOOKING, CONTAINER, DOCUMENT, equipment_event, shipment_event
from tests.web.conftest import Person, as_token, signed_in

URL = "/dcsa/tnt/v3/events"
OTHER = "MSKU1234565"


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text())


def post(client: TestClient, person: Person, body: Any, **headers: str) -> Any:
    response = client.post(URL, json=body, headers={**as_token(person), **headers})
    assert response.headers["API-Version"] == "3.0.0"
    schema = "PostEventsResponse" if response.status_code == 200 else "PostEventsError"
    assert_valid(response.json(), schema)
    return response


def get(client: TestClient, person: Person, **params: Any) -> Any:
    response = client.get(URL, params=params, headers=as_token(person))
    assert response.headers["API-Version"] == "3.0.0"
    schema = "GetEventsResponse" if response.status_code == 200 else "GetEventsError"
    assert_valid(response.json(), schema)
    return response


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(e["eventID"] for e in response.json()["events"])


@pytest.fixture
def operator(people: dict[Role, Person]) -> Person:
    return people[Role.LOGISTICS_OPERATOR]


@pytest.fixture
def consumer(people: dict[Role, Person]) -> Person:
    return people[Role.SUBSCRIBER]


@pytest.mark.parametrize(
    "name",
    [
        "tnt-300-request-equipment.json",
        "tnt-300-request-shipment.json",
        "tnt-300-request-transport.json",
    ],
)
def test_the_specs_example_requests_are_accepted(
    client: TestClient, operator: Person, consumer: Person, name: str
) -> None:
    body = example(name)
    response = post(client, operator, body)
    assert response.status_code == 200, response.text
    (event,) = body["events"]
    ref = event.get("equipmentDetails", {}).get("equipmentReference")
    params = {"equipmentReference": ref} if ref else {"carrierBookingReference": "ABC709951"}
    # The document comes back exactly as it was sent.
    assert get(client, consumer, **params).json()["events"] == [event]


def test_the_example_response_posted_back_warns_of_the_failing_imo_number(
    client: TestClient, operator: Person, consumer: Person
) -> None:
    events = example("tnt-300-response.json")["events"]
    response = post(client, operator, {"events": events})
    assert response.status_code == 200, response.text
    feedback = response.json()["feedbackElements"]
    warns = [f for f in feedback if f["severity"] == "WARN"]
    assert len(warns) == 1 and "7654321" in warns[0]["message"]
    assert warns[0]["propertyPath"] == (
        "$.events[1].transportDetails.transportCall.vesselTransport.vesselIMONumber"
    )
    assert ids(get(client, consumer, equipmentReference="APZU4812090")) == [
        "evt-resp-equip-001",
        "evt-resp-iot-001",
        "evt-resp-reefer-001",
    ]


@pytest.fixture
def stored(client: TestClient, operator: Person) -> None:
    """Two containers on one booking and document, one container on another, shipment
    events of each booking."""
    events = [
        shipment_event("s1"),
        shipment_event("s2", booking="BK2"),
        equipment_event("a-load", type_code="LOAD", updated="2020-05-01T08:05:00Z"),
        equipment_event(
            "a-disc",
            type_code="DISC",
            classifier="PLN",
            at="2020-05-20T08:00:00Z",
            locode="DEDUI",
            updated="2020-05-01T09:00:00Z",
        ),
        equipment_event("b-load", container=OTHER, updated="2020-05-02T08:00:00Z"),
        equipment_event(
            "c-load",
            container="CSQU3054383",
            booking="BK2",
            document="TD2",
            updated="2020-05-03T08:00:00Z",
        ),
    ]
    response = post(client, operator, {"events": events})
    assert response.status_code == 200, response.text


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"carrierBookingReference": BOOKING}, ["a-disc", "a-load", "b-load", "s1"]),
        ({"carrierBookingReference": BOOKING, "equipmentReference": OTHER}, ["b-load"]),
        ({"transportDocumentReference": DOCUMENT}, ["a-disc", "a-load", "b-load"]),
        (
            {"transportDocumentReference": DOCUMENT, "equipmentReference": CONTAINER},
            ["a-disc", "a-load"],
        ),
        ({"equipmentReference": "CSQU3054383"}, ["c-load"]),
        ({"carrierBookingReference": BOOKING, "eventTypes": "SHIPMENT"}, ["s1"]),
        (
            {"carrierBookingReference": BOOKING, "eventTypes": "SHIPMENT,EQUIPMENT"},
            ["a-disc", "a-load", "b-load", "s1"],
        ),
        ({"carrierBookingReference": BOOKING, "eventTypes": "TRANSPORT"}, []),
        (
            {"carrierBookingReference": BOOKING, "eventUpdatedDateTimeMin": "2020-05-01T08:30:00Z"},
            ["a-disc", "b-load"],
        ),
        (
            {"carrierBookingReference": BOOKING, "eventUpdatedDateTimeMax": "2020-05-01T09:00:00Z"},
            ["a-disc", "a-load", "s1"],
        ),
        (
            {
                "carrierBookingReference": BOOKING,
                "eventUpdatedDateTimeMin": "2020-05-01T08:30:00+08:00",
                "eventUpdatedDateTimeMax": "2020-05-01T09:00:00Z",
            },
            ["a-disc", "a-load"],
        ),
        ({"equipmentReference": "ZZZU0000000"}, []),
    ],
)
def test_every_required_filter_combination(
    client: TestClient, consumer: Person, params: dict[str, str], expected: list[str]
) -> None:
    assert ids(get(client, consumer, **params)) == expected


@pytest.mark.usefixtures("stored")
def test_pages_walk_every_event_once_and_the_last_has_no_cursor(
    client: TestClient, consumer: Person
) -> None:
    params = {"carrierBookingReference": BOOKING, "limit": 3}
    first = get(client, consumer, **params)
    assert len(first.json()["events"]) == 3
    cursor = first.headers["Next-Page-Cursor"]
    second = get(client, consumer, **params, cursor=cursor)
    assert "Next-Page-Cursor" not in second.headers
    walked = [e["eventID"] for r in (first, second) for e in r.json()["events"]]
    assert sorted(walked) == ["a-disc", "a-load", "b-load", "s1"]
    # A cursor is bound to its query: changing the filters while paging is refused.
    changed = get(client, consumer, equipmentReference=CONTAINER, limit=3, cursor=cursor)
    assert changed.status_code == 400
    assert "bad_cursor" in changed.json()["feedbackElements"][0]["message"]


@pytest.mark.usefixtures("stored")
def test_a_retracted_event_is_returned_as_retracted(
    client: TestClient, operator: Person, consumer: Person
) -> None:
    retraction = {
        "eventID": "b-load",
        "isRetracted": True,
        "eventUpdatedDateTime": "2020-05-05T00:00:00Z",
        "eventRouting": equipment_event()["eventRouting"],
    }
    assert post(client, operator, {"events": [retraction]}).status_code == 200
    (event,) = get(client, consumer, equipmentReference=OTHER).json()["events"]
    assert event == retraction


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "filter_required"),
        ({"eventTypes": "EQUIPMENT"}, "filter_required"),
        ({"carrierBookingReference": "X", "transportDocumentReference": "Y"}, "unsupported_filter"),
        ({"equipmentReference": CONTAINER, "eventTypes": "PARTY"}, "bad_code"),
        (
            {"equipmentReference": CONTAINER, "eventUpdatedDateTimeMin": "2020-05-01T08:00:00"},
            "timestamp_without_offset",
        ),
        ({"equipmentReference": CONTAINER, "limit": 0}, "bad_limit"),
        ({"equipmentReference": CONTAINER, "limit": "ten"}, "int_parsing"),
        ({"equipmentReference": CONTAINER, "cursor": "garbage"}, "bad_cursor"),
        ({"equipmentReferences": CONTAINER}, "unsupported_parameter"),
    ],
)
def test_bad_queries_answer_400_in_dcsa_shape(
    client: TestClient, consumer: Person, params: dict[str, Any], code: str
) -> None:
    response = get(client, consumer, **params)
    assert response.status_code == 400
    assert any(code in f["message"] for f in response.json()["feedbackElements"])


def test_a_bad_batch_names_each_event_and_field_and_stores_nothing(
    client: TestClient, operator: Person, consumer: Person
) -> None:
    good = equipment_event("good")
    bad = equipment_event("bad", container="APZU4812091")
    response = post(client, operator, {"events": [good, bad]})
    assert response.status_code == 400
    paths = [f.get("propertyPath") for f in response.json()["feedbackElements"]]
    assert "$.events[1].equipmentDetails.equipmentReference" in paths
    assert get(client, consumer, equipmentReference=CONTAINER).json()["events"] == []


def test_messages_follow_the_callers_language(client: TestClient, operator: Person) -> None:
    bad = {"events": [equipment_event(locode="CNXXX")]}
    zh = post(client, operator, bad, **{"Accept-Language": "zh"}).json()["feedbackElements"]
    en = post(client, operator, bad, **{"Accept-Language": "en"}).json()["feedbackElements"]
    assert "地点登记" in zh[1]["message"] and "register of places" in en[1]["message"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("{not json", 400),
        ("[]", 400),
        ('{"events": {}}', 400),
        ('{"events": [1]}', 400),
    ],
)
def test_malformed_bodies(client: TestClient, operator: Person, body: str, status: int) -> None:
    response = client.post(
        URL, content=body, headers={**as_token(operator), "content-type": "application/json"}
    )
    assert response.status_code == status
    assert_valid(response.json(), "PostEventsError")
    assert response.headers["API-Version"] == "3.0.0"


def test_a_batch_over_the_limit(
    client: TestClient, operator: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "MAX_BATCH_EVENTS", 2)
    events = [equipment_event(f"e{i}") for i in range(3)]
    response = post(client, operator, {"events": events})
    assert response.status_code == 400
    assert "batch_too_large" in response.json()["feedbackElements"][0]["message"]


def test_another_api_major_version_is_refused(client: TestClient, consumer: Person) -> None:
    response = client.get(
        URL,
        params={"equipmentReference": CONTAINER},
        headers={**as_token(consumer), "API-Version": "2.2.0"},
    )
    assert response.status_code == 400
    assert_valid(response.json(), "GetEventsError")


def test_who_may_post_and_get(client: TestClient, people: dict[Role, Person]) -> None:
    body = {"events": [equipment_event()]}
    anonymous = client.post(URL, json=body)
    assert anonymous.status_code == 401
    assert_valid(anonymous.json(), "PostEventsError")
    assert post(client, people[Role.SUBSCRIBER], body).status_code == 403
    # A browser session may not post, even an operator's: no CSRF token travels with it.
    signed_in(client, people[Role.LOGISTICS_OPERATOR])
    by_session = client.post(URL, json=body)
    assert by_session.status_code == 403 and "token_required" in by_session.text
    client.cookies.clear()
    assert client.get(URL, params={"equipmentReference": CONTAINER}).status_code == 401


def test_unknown_routes_and_methods_under_dcsa_answer_in_its_shape(
    client: TestClient, consumer: Person
) -> None:
    for response in (
        client.get("/dcsa/tnt/v3/nothing", headers=as_token(consumer)),
        client.put(URL, headers=as_token(consumer)),
    ):
        assert response.status_code in (404, 405)
        assert response.headers["API-Version"] == "3.0.0"
        assert_valid(response.json(), "GetEventsError")
    # ... while the rest of silkhub keeps its own shape.
    assert "error" in client.get("/api/nothing").json()


def test_an_oversized_body_answers_in_dcsa_shape(
    settings: Settings, db: Database, people: dict[Role, Person]
) -> None:
    app: FastAPI = create_app(settings.model_copy(update={"max_body_bytes": 1000}), db=db)
    with TestClient(app) as small:
        body = {"events": [equipment_event(f"e{i}") for i in range(20)]}
        response = small.post(URL, json=body, headers=as_token(people[Role.LOGISTICS_OPERATOR]))
    assert response.status_code == 413
    assert_valid(response.json(), "PostEventsError")
