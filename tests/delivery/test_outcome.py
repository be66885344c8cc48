"""Outcomes into the worker's errors, and a real worker retrying and dead-lettering real
deliveries by them."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from silkhub.core.errors import Message, PermanentJobError, TemporaryJobError
from silkhub.delivery.email import build_email, send_email
from silkhub.delivery.outcome import Outcome, Status, raise_for_outcome
from silkhub.delivery.webhook import post_webhook, webhook_client
from silkhub.jobs import JobContext
from silkhub.settings import Settings
from silkhub.stores.operational import utcnow
from silkhub.stores.outbox import JobStatus, OutboxJob, enqueue
from silkhub.workers.runner import JobOutcome, Worker
from tests.receivers import HttpReceiver, Reply, SmtpServer

REASON = Message("原因", "reason")


def test_sent_raises_nothing() -> None:
    raise_for_outcome(Outcome(Status.SENT, "sent", REASON, 200))


def test_temporary_becomes_a_temporary_job_error_with_its_wait() -> None:
    with pytest.raises(TemporaryJobError) as caught:
        raise_for_outcome(Outcome(Status.TEMPORARY, "http_429", REASON, 429, retry_after=30.0))
    assert (caught.value.retry_after, caught.value.code) == (30.0, "delivery_http_429")
    assert caught.value.message == REASON


def test_permanent_becomes_a_permanent_job_error() -> None:
    with pytest.raises(PermanentJobError) as caught:
        raise_for_outcome(Outcome(Status.PERMANENT, "gone", REASON, 410))
    assert caught.value.code == "delivery_gone"


class Clock:
    def __init__(self) -> None:
        self.current = utcnow()

    def now(self) -> datetime:
        return self.current

    def sleep(self, seconds: float, wake: threading.Event) -> None:
        self.current += timedelta(seconds=seconds)


@pytest.fixture
def worker_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"worker_backoff_seconds": 2.0, "worker_backoff_max_seconds": 600.0}
    )


def deliver_webhook(ctx: JobContext) -> None:
    with webhook_client(ctx.settings) as client:
        outcome = post_webhook(
            client,
            ctx.job.payload["url"],
            b'{"event": 1}',
            secret="s",
            idempotency_key=ctx.job.idempotency_key,
        )
    raise_for_outcome(outcome)


def deliver_email(ctx: JobContext) -> None:
    message = build_email(
        ctx.settings,
        to=ctx.job.payload["to"],
        subject="预警 / Alert",
        text="正文 / Body",
        html=None,
        idempotency_key=ctx.job.idempotency_key,
    )
    raise_for_outcome(send_email(ctx.settings, message))


HANDLERS = {"test.webhook": deliver_webhook, "test.email": deliver_email}


def run_once(
    settings: Settings, engine: Engine, clock: Clock, kind: str, **payload: str
) -> OutboxJob:
    with Session(engine) as session, session.begin():
        job_id = enqueue(session, kind, dict(payload), now=clock.now()).id
    worker = Worker(settings, engine, HANDLERS, worker_id="w", clock=clock)
    worker.run(once=True)
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(OutboxJob, job_id)
        assert row is not None
        return row


def test_a_worker_waits_as_the_receiver_asks_then_delivers(
    engine: Engine, worker_settings: Settings, http_receiver: HttpReceiver
) -> None:
    clock = Clock()
    http_receiver.script("/hook", Reply(503, {"Retry-After": "120"}), 200)
    row = run_once(worker_settings, engine, clock, "test.webhook", url=http_receiver.url("/hook"))
    assert row.status == JobStatus.PENDING
    assert row.run_after >= clock.now() + timedelta(seconds=120)  # not the 1-2 s backoff
    assert row.last_error is not None and "503" in row.last_error
    clock.current = row.run_after
    worker = Worker(worker_settings, engine, HANDLERS, worker_id="w", clock=clock)
    assert worker.run(once=True).outcomes == {JobOutcome.SUCCEEDED: 1}
    keys = [r.header("Idempotency-Key") for r in http_receiver.to("/hook")]
    assert keys == [row.idempotency_key] * 2


def test_410_dead_letters_at_once(
    engine: Engine, worker_settings: Settings, http_receiver: HttpReceiver
) -> None:
    http_receiver.script("/hook", 410)
    row = run_once(worker_settings, engine, Clock(), "test.webhook", url=http_receiver.url("/hook"))
    assert (row.status, row.attempts) == (JobStatus.DEAD, 1)
    assert row.last_error is not None and row.last_error.startswith("PermanentJobError")


@pytest.mark.parametrize(("code", "status"), [(451, JobStatus.PENDING), (550, JobStatus.DEAD)])
def test_smtp_refusals_retry_or_dead_letter(
    engine: Engine,
    worker_settings: Settings,
    smtp_server: SmtpServer,
    code: int,
    status: JobStatus,
) -> None:
    smtp_server.refuse("x@example.org", code)
    mail_settings = worker_settings.model_copy(
        update={"smtp_host": smtp_server.host, "smtp_port": smtp_server.port}
    )
    row = run_once(mail_settings, engine, Clock(), "test.email", to="x@example.org")
    assert row.status == status
    assert row.last_error is not None and str(code) in row.last_error
