"""The signed push over real HTTP: a consumer's endpoint on 127.0.0.1 (tests/receivers.py)
receives the worker's POSTs, and each is checked as a consumer would check it, with
``verify_signature`` over the raw bytes received and the secret the consumer was shown once.

The API refuses callbacks to loopback addresses (``callback_to_self``: a hub must not be made
to call itself), so the subscription is made through the API with a public address and then
pointed at the receiver in the database, as a consumer on another host would be reached."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from silkhub.accounts.models import Role
from silkhub.logistics import jobs
from silkhub.logistics.models import Subscription
from silkhub.logistics.subscriptions import verify_signature
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.stores.outbox import JobStatus
from silkhub.workers.runner import Worker
from tests.logistics.factory import CONTAINER, equipment_event
from tests.logistics.test_subscriptions import ingest, push_jobs, subscribe
from tests.receivers import HttpReceiver, http_receiver  # noqa: F401 - the fixture
from tests.web.conftest import Person
from tests.workers.test_runner import FakeClock


def point_at(db: Database, subscription_id: int, url: str) -> None:
    with db.transaction() as session:
        session.execute(
            update(Subscription).where(Subscription.id == subscription_id).values(callback_url=url)
        )


def run_worker(settings: Settings, db: Database, clock: FakeClock) -> None:
    config = settings.model_copy(
        update={"worker_max_attempts": 3, "worker_backoff_seconds": 10.0,
                "worker_backoff_max_seconds": 40.0}
    )  # fmt: skip
    Worker(config, db.engine, jobs.HANDLERS, clock=clock).run(until_empty=True)


def test_a_real_receiver_verifies_every_push_and_its_retry(
    client: TestClient,
    db: Database,
    people: dict[Role, Person],
    settings: Settings,
    http_receiver: HttpReceiver,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jobs, "TRANSPORT", None)  # the real network stack, to 127.0.0.1
    created = subscribe(client, people[Role.SUBSCRIBER], equipmentReference=CONTAINER)
    point_at(db, created["id"], http_receiver.url("/tnt"))
    http_receiver.script("/tnt", 503)  # the consumer is down once: the push is retried
    ingest(db, [equipment_event("e1")])
    (job,) = push_jobs(db)
    clock = FakeClock(job.run_after)
    run_worker(settings, db, clock)
    assert push_jobs(db)[0].status == JobStatus.PENDING  # waiting for its retry
    clock.advance(60)
    run_worker(settings, db, clock)

    received = http_receiver.to("/tnt")
    assert len(received) == 2  # the failed attempt, then the retry
    for request in received:
        assert request.method == "POST"
        assert request.header("content-type") == "application/json"
        assert request.header("API-Version") == "3.0.0"
        assert request.header("Idempotency-Key") == job.idempotency_key
        signature = request.header("Notification-Signature")
        assert signature is not None and signature.startswith("sha256=")
        assert verify_signature(created["secret"], request.body, signature)
        # The signature covers these bytes exactly: one changed byte, or another secret, fails.
        assert not verify_signature(created["secret"], request.body + b" ", signature)
        assert not verify_signature("another-secret", request.body, signature)
    assert [e["eventID"] for e in json.loads(received[-1].body)["events"]] == ["e1"]
    assert push_jobs(db)[0].status == JobStatus.DONE


def test_after_a_rotation_the_receiver_needs_the_new_secret(
    client: TestClient,
    db: Database,
    people: dict[Role, Person],
    settings: Settings,
    http_receiver: HttpReceiver,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jobs, "TRANSPORT", None)
    subscriber = people[Role.SUBSCRIBER]
    created = subscribe(client, subscriber, equipmentReference=CONTAINER)
    point_at(db, created["id"], http_receiver.url("/tnt"))
    rotated = client.post(
        f"/api/logistics/subscriptions/{created['id']}/secret",
        headers={"authorization": f"Bearer {subscriber.token}"},
    ).json()
    ingest(db, [equipment_event("e2")])
    (job,) = push_jobs(db)
    run_worker(settings, db, FakeClock(job.run_after))
    (request,) = http_receiver.to("/tnt")
    signature = request.header("Notification-Signature")
    assert verify_signature(rotated["secret"], request.body, signature)
    assert not verify_signature(created["secret"], request.body, signature)
