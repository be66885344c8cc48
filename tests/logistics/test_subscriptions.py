"""Subscriptions and signed push: a consumer registers a callback with filters; matching
events are pushed through the outbox, signed as in TNT 2.2, retried, dead-lettered after the
bound, and signed with the new secret after a rotation. The receiver here is an in-memory
HTTP server (httpx's MockTransport) that verifies every signature, as a real one would."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from silkhub.accounts.models import Role
from silkhub.logistics import jobs, service, subscriptions
from silkhub.logistics.subscriptions import verify_signature
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.stores.outbox import JobStatus, OutboxJob
from silkhub.web.app import create_app
from silkhub.workers.runner import Worker
from tests.logistics.factory import BOOKING, CONTAINER, equipment_event, shipment_event
from tests.web.conftest import Person, as_token
from tests.workers.test_runner import FakeClock

URL = "/api/logistics/subscriptions"
CALLBACK = "https://consumer.example.org/tnt/events"


class Receiver:
    """A consumer's endpoint: checks the signature of every request with the secret it
    holds, and answers with the statuses it is told to."""

    def __init__(self, secret: str, answers: list[int] | None = None) -> None:
        self.secret = secret
        self.answers = list(answers or [])
        self.received: list[dict[str, Any]] = []
        self.keys: list[str] = []
        self.bad_signatures = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = request.content
        if not verify_signature(self.secret, body, request.headers.get("Notification-Signature")):
            self.bad_signatures += 1
            return httpx.Response(401)
        status = self.answers.pop(0) if self.answers else 200
        if status == 200:
            assert request.headers["API-Version"] == "3.0.0"
            self.keys.append(request.headers["Idempotency-Key"])
            self.received.append(json.loads(body))
        return httpx.Response(status)


@pytest.fixture
def subscriber(people: dict[Role, Person]) -> Person:
    return people[Role.SUBSCRIBER]


def subscribe(client: TestClient, person: Person, **filters: Any) -> dict[str, Any]:
    response = client.post(
        URL, json={"callbackUrl": CALLBACK, "filters": filters}, headers=as_token(person)
    )
    assert response.status_code == 201, response.text
    return response.json()


def ingest(db: Database, docs: list[dict[str, Any]]) -> None:
    with db.transaction() as session:
        service.ingest(session, docs, default_sender="x", received_by="t", source="test")


def push_jobs(db: Database) -> list[OutboxJob]:
    with db.reading() as session:
        return list(
            session.execute(
                select(OutboxJob).where(OutboxJob.kind == subscriptions.PUSH_JOB)
            ).scalars()
        )


def work(settings: Settings, db: Database, clock: FakeClock, receiver: Receiver,
         monkeypatch: pytest.MonkeyPatch, attempts: int = 3) -> None:  # fmt: skip
    monkeypatch.setattr(jobs, "TRANSPORT", httpx.MockTransport(receiver))
    config = settings.model_copy(
        update={"worker_max_attempts": attempts, "worker_backoff_seconds": 10.0,
                "worker_backoff_max_seconds": 40.0}
    )  # fmt: skip
    Worker(config, db.engine, jobs.HANDLERS, clock=clock).run(until_empty=True)


def test_matching_events_are_pushed_signed(
    client: TestClient, db: Database, subscriber: Person, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    created = subscribe(client, subscriber, equipmentReference=CONTAINER)
    assert created["secret"] and created["filters"] == {"equipmentReference": CONTAINER}
    listed = client.get(URL, headers=as_token(subscriber)).json()
    assert [s["id"] for s in listed] == [created["id"]] and "secret" not in listed[0]
    ingest(db, [equipment_event("e1"), equipment_event("other", container="CSQU3054383")])
    ingest(db, [shipment_event("s1")])  # matches no equipment filter: no push
    (job,) = push_jobs(db)
    receiver = Receiver(created["secret"])
    work(settings, db, FakeClock(job.run_after), receiver, monkeypatch)
    assert receiver.bad_signatures == 0
    assert [[e["eventID"] for e in body["events"]] for body in receiver.received] == [["e1"]]
    assert receiver.keys == [job.idempotency_key]
    assert push_jobs(db)[0].status == JobStatus.DONE


def test_event_types_and_several_filters_must_all_match(
    client: TestClient, db: Database, subscriber: Person
) -> None:
    subscribe(client, subscriber, carrierBookingReference=BOOKING, eventTypes=["SHIPMENT"])
    subscribe(client, subscriber, carrierBookingReference=BOOKING, equipmentReference="CSQU3054383")
    ingest(db, [equipment_event("e1")])
    assert push_jobs(db) == []
    ingest(db, [shipment_event("s1")])
    (job,) = push_jobs(db)
    assert job.payload["subscription"] == 1


def test_retractions_are_pushed_too(client: TestClient, db: Database, subscriber: Person) -> None:
    subscribe(client, subscriber, equipmentReference=CONTAINER)
    ingest(db, [equipment_event("e1")])
    retraction = {"eventID": "e1", "isRetracted": True,
                  "eventUpdatedDateTime": "2020-06-01T00:00:00Z",
                  "eventRouting": equipment_event()["eventRouting"]}  # fmt: skip
    ingest(db, [retraction])
    assert len(push_jobs(db)) == 2


def test_failures_are_retried_then_dead_lettered(
    client: TestClient, db: Database, subscriber: Person, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    created = subscribe(client, subscriber, equipmentReference=CONTAINER)
    ingest(db, [equipment_event("e1")])
    (job,) = push_jobs(db)
    clock = FakeClock(job.run_after)
    receiver = Receiver(created["secret"], answers=[503, 200])
    work(settings, db, clock, receiver, monkeypatch)
    assert receiver.received == [] and push_jobs(db)[0].status == JobStatus.PENDING
    clock.advance(60)
    work(settings, db, clock, receiver, monkeypatch)
    assert len(receiver.received) == 1 and push_jobs(db)[0].status == JobStatus.DONE

    ingest(db, [equipment_event("e2", updated="2020-05-02T00:00:00Z")])
    down = Receiver(created["secret"], answers=[503] * 10)
    for _ in range(3):
        work(settings, db, clock, down, monkeypatch, attempts=2)
        clock.advance(120)
    assert [j.status for j in push_jobs(db)] == [JobStatus.DONE, JobStatus.DEAD]

    ingest(db, [equipment_event("e3", updated="2020-05-03T00:00:00Z")])
    refusing = Receiver(created["secret"], answers=[410])
    work(settings, db, clock, refusing, monkeypatch)  # a 4xx will not get better: at once
    assert push_jobs(db)[-1].status == JobStatus.DEAD and push_jobs(db)[-1].attempts == 1


def test_after_a_rotation_pushes_are_signed_with_the_new_secret(
    client: TestClient, db: Database, subscriber: Person, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    created = subscribe(client, subscriber, equipmentReference=CONTAINER)
    rotated = client.post(f"{URL}/{created['id']}/secret", headers=as_token(subscriber)).json()
    assert rotated["secret"] != created["secret"] and rotated["secret_rotated_at"]
    ingest(db, [equipment_event("e1")])
    (job,) = push_jobs(db)
    old = Receiver(created["secret"])
    work(settings, db, FakeClock(job.run_after), old, monkeypatch, attempts=1)
    assert old.bad_signatures == 1 and old.received == []
    ingest(db, [equipment_event("e2", updated="2020-05-02T00:00:00Z")])
    new = Receiver(rotated["secret"])
    work(settings, db, FakeClock(push_jobs(db)[-1].run_after), new, monkeypatch)
    assert new.bad_signatures == 0 and len(new.received) == 1


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"callbackUrl": "ftp://consumer.example.org/x"}, "bad_callback_url", "body.callbackUrl"),
        ({"callbackUrl": "consumer.example.org/x"}, "bad_callback_url", "body.callbackUrl"),
        ({"callbackUrl": "http://127.0.0.1:8000/x"}, "callback_to_self", "body.callbackUrl"),
        ({"callbackUrl": "http://localhost/x"}, "callback_to_self", "body.callbackUrl"),
        ({"callbackUrl": "http://[::1]/x"}, "callback_to_self", "body.callbackUrl"),
        ({"callbackUrl": "http://0.0.0.0/x"}, "callback_to_self", "body.callbackUrl"),
        ({"filters": {}}, "filter_required", "body.filters"),
        (
            {"filters": {"equipmentReference": CONTAINER, "colour": "red"}},
            "unknown_filter",
            "body.filters.colour",
        ),
        (
            {"filters": {"equipmentReference": CONTAINER, "eventTypes": ["PARTY"]}},
            "bad_code",
            "body.filters.eventTypes",
        ),
    ],
)
def test_bad_subscriptions_name_the_field(
    client: TestClient, subscriber: Person, body: dict[str, Any], code: str, field: str
) -> None:
    payload = {"callbackUrl": CALLBACK, "filters": {"equipmentReference": CONTAINER}, **body}
    response = client.post(URL, json=payload, headers=as_token(subscriber))
    assert response.status_code == 422, response.text
    problems = response.json()["error"]["problems"]
    assert (code, field) in {(p["code"], p["location"]["field"]) for p in problems}
    assert all(p["messages"]["zh"] and p["messages"]["en"] for p in problems)


def test_the_servers_own_host_is_refused(
    db: Database, subscriber: Person, settings: Settings
) -> None:
    # The default base URL is a loopback address, refused anyway: give the hub a public name.
    app = create_app(settings.model_copy(update={"base_url": "https://hub.example.org"}), db=db)
    with TestClient(app) as client:
        filters = {"equipmentReference": CONTAINER}
        own = client.post(
            URL,
            json={"callbackUrl": "https://HUB.example.org/hook", "filters": filters},
            headers=as_token(subscriber),
        )
        assert own.status_code == 422 and "callback_to_self" in own.text
        elsewhere = client.post(
            URL,
            json={"callbackUrl": "https://hub.example.com/hook", "filters": filters},
            headers=as_token(subscriber),
        )
        assert elsewhere.status_code == 201


def test_each_sees_and_ends_only_their_own(
    client: TestClient, people: dict[Role, Person], subscriber: Person
) -> None:
    created = subscribe(client, subscriber, equipmentReference=CONTAINER)
    other = people[Role.API_CLIENT]
    assert client.get(URL, headers=as_token(other)).json() == []
    assert client.delete(f"{URL}/{created['id']}", headers=as_token(other)).status_code == 404
    assert client.post(f"{URL}/{created['id']}/secret", headers=as_token(other)).status_code == 404
    assert len(client.get(URL, headers=as_token(people[Role.ADMIN])).json()) == 1
    assert client.delete(f"{URL}/{created['id']}", headers=as_token(subscriber)).status_code == 204
    assert client.get(URL, headers=as_token(subscriber)).json() == []
