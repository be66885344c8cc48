"""Deliveries through the worker to a real SMTP server and a real HTTP receiver on 127.0.0.1:
sent, retried on temporary failures, stopped at permanent ones, resent to the failed only."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from silkhub.alerts import audience, deliveries, jobs
from silkhub.alerts.models import Delivery
from silkhub.delivery import verify
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.app import create_app
from silkhub.workers.runner import Worker
from tests.alerts.conftest import Cast
from tests.alerts.test_service import NOW, _publish
from tests.receivers import HttpReceiver, ReceivedMail, SmtpServer


class Clock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment

    def sleep(self, seconds: float, wake: object) -> None:
        self.moment += timedelta(seconds=seconds)


@pytest.fixture
def mail_settings(settings: Settings, smtp_server: SmtpServer) -> Iterator[Settings]:
    yield settings.model_copy(
        update={
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
            "base_url": "https://hub.example.org",
        }
    )
    jobs.close_connections()


def _work(settings: Settings, engine: Engine, clock: Clock, rounds: int = 1) -> None:
    worker = Worker(settings, engine, jobs.HANDLERS, worker_id="test", clock=clock)
    for _ in range(rounds):
        worker.run(until_empty=True)
        clock.moment += timedelta(minutes=30)


def _states(store: Database) -> dict[tuple[int, str], str]:
    with store.reading() as s:
        return {
            (x.delivery.user_id, x.delivery.channel): x.state for x in deliveries.delivery_log(s)
        }


def test_email_and_webhook_are_delivered_signed_and_keyed(
    store: Database,
    engine: Engine,
    cast: Cast,
    mail_settings: Settings,
    smtp_server: SmtpServer,
    http_receiver: HttpReceiver,
) -> None:
    with store.transaction() as s:
        audience.subscribe(s, cast.trader.user_id, {})
        audience.set_preferences(
            s,
            cast.trader.user_id,
            {
                "channels": "email webhook",
                "language": "en",
                "webhook_url": http_receiver.url("/hook"),
            },
        )
        secret = audience.subscriber_of(s, cast.trader.user_id).webhook_secret
    uid = _publish(store, cast)
    _work(mail_settings, engine, Clock(NOW))
    (mail,) = smtp_server.to("trader@example.org")
    message = mail.message
    assert message["Subject"].startswith("[Orange] Port strike")
    parts = {p.get_content_type(): p.get_content() for p in message.walk() if not p.is_multipart()}
    assert "Dock workers strike" in parts["text/plain"] and "港口工人罢工" in parts["text/plain"]
    assert "Unsubscribe" in parts["text/plain"] and message["List-Unsubscribe"]
    (call,) = http_receiver.to("/hook")
    assert verify(call.body, call.header("X-Silkhub-Signature"), secret)
    assert call.header("Idempotency-Key") == f"alert:{uid}:v1:{cast.trader.user_id}:webhook"
    assert _states(store) == {
        (cast.trader.user_id, "email"): "sent",
        (cast.trader.user_id, "webhook"): "sent",
        (cast.trader.user_id, "inbox"): "sent",
    }


def test_temporary_failures_are_retried_permanent_ones_stop_and_resend_reaches_only_them(
    store: Database,
    engine: Engine,
    cast: Cast,
    mail_settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    with store.transaction() as s:
        for person in (cast.trader, cast.official, cast.adviser):
            audience.subscribe(s, person.user_id, {})
    smtp_server.refuse("official@example.org", 451)  # greylisted: try later
    smtp_server.refuse("adviser@example.org", 550)  # no such mailbox
    uid = _publish(store, cast)
    clock = Clock(NOW)
    _work(mail_settings, engine, clock)
    states = _states(store)
    assert states[(cast.trader.user_id, "email")] == "sent"
    assert states[(cast.official.user_id, "email")] == "retrying"
    assert states[(cast.adviser.user_id, "email")] == "dead"
    smtp_server.rules.pop("official@example.org")  # the greylist lets it through now
    _work(mail_settings, engine, clock, rounds=2)
    assert _states(store)[(cast.official.user_id, "email")] == "sent"
    assert len(smtp_server.to("official@example.org")) == 1
    # The mailbox exists now: resend to the failed recipients only.
    smtp_server.rules.pop("adviser@example.org")
    with store.transaction() as s:
        item_id = s.scalar(select(Delivery.item_id).limit(1))
        assert deliveries.resend_failed(s, item_id=item_id, now=clock.moment) == 1
    _work(mail_settings, engine, clock)
    assert _states(store)[(cast.adviser.user_id, "email")] == "sent"
    assert len(smtp_server.to("trader@example.org")) == 1  # nobody got it twice
    assert len(smtp_server.to("official@example.org")) == 1
    assert len(smtp_server.to("adviser@example.org")) == 1
    assert uid


def _trader_on_webhook(store: Database, cast: Cast, url: str) -> None:
    """The trader wants everything, by webhook only, at ``url``."""
    with store.transaction() as s:
        audience.subscribe(s, cast.trader.user_id, {})
        audience.set_preferences(
            s, cast.trader.user_id, {"channels": "webhook", "webhook_url": url}
        )


def test_a_410_stops_the_webhook_at_once(
    store: Database,
    engine: Engine,
    cast: Cast,
    mail_settings: Settings,
    http_receiver: HttpReceiver,
) -> None:
    _trader_on_webhook(store, cast, http_receiver.url("/gone"))
    http_receiver.script("/gone", 410)
    _publish(store, cast)
    _work(mail_settings, engine, Clock(NOW), rounds=3)
    assert _states(store)[(cast.trader.user_id, "webhook")] == "dead"
    assert len(http_receiver.to("/gone")) == 1
    # The receiver said stop: the next alert is not sent there (the inbox still gets it).
    with store.reading() as s:
        assert audience.subscriber_of(s, cast.trader.user_id).channels.split() == []
    _publish(store, cast)
    _work(mail_settings, engine, Clock(NOW), rounds=2)
    assert len(http_receiver.to("/gone")) == 1


def test_webhook_5xx_is_retried_until_it_works(
    store: Database,
    engine: Engine,
    cast: Cast,
    mail_settings: Settings,
    http_receiver: HttpReceiver,
) -> None:
    _trader_on_webhook(store, cast, http_receiver.url("/flaky"))
    http_receiver.script("/flaky", 503, 503, 200)
    _publish(store, cast)
    _work(mail_settings, engine, Clock(NOW), rounds=4)
    assert _states(store)[(cast.trader.user_id, "webhook")] == "sent"
    calls = http_receiver.to("/flaky")
    assert len(calls) == 3 and len({c.header("Idempotency-Key") for c in calls}) == 1
    assert len({c.body for c in calls}) == 1  # the same signed bytes every time


def test_digest_once_per_day(
    store: Database,
    engine: Engine,
    cast: Cast,
    mail_settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    with store.transaction() as s:
        audience.subscribe(s, cast.trader.user_id, {})
        audience.set_preferences(s, cast.trader.user_id, {"digest": True, "digest_hour": 18})
    _publish(store, cast)
    _publish(store, cast, countries=["FR"])
    clock = Clock(NOW)
    _work(mail_settings, engine, clock)
    assert smtp_server.to("trader@example.org") == []  # nothing before the hour
    clock.moment = datetime(2020, 5, 6, 10, 0, 1, tzinfo=UTC)  # 18:00 in Shanghai
    _work(mail_settings, engine, clock)
    with store.transaction() as s:  # a second run for the same hour sends nothing
        deliveries.run_digests(s, datetime(2020, 5, 6, 10, 0, tzinfo=UTC), now=clock.moment)
    _work(mail_settings, engine, clock)
    (mail,) = smtp_server.to("trader@example.org")
    assert "(2)" in mail.message["Subject"] or "2条" in mail.message["Subject"]
    assert email.message_from_bytes(mail.data) is not None


def _mail_to_the_trader(
    store: Database,
    engine: Engine,
    cast: Cast,
    settings: Settings,
    server: SmtpServer,
    clock: Clock,
) -> ReceivedMail:
    """The trader subscribes to everything, an alert is published, the worker sends it."""
    with store.transaction() as s:
        audience.subscribe(s, cast.trader.user_id, {})
    _publish(store, cast)
    _work(settings, engine, clock)
    (mail,) = server.to("trader@example.org")
    return mail


def test_the_unsubscribe_link_in_the_email_works(
    store: Database,
    engine: Engine,
    cast: Cast,
    mail_settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    clock = Clock(NOW)
    mail = _mail_to_the_trader(store, engine, cast, mail_settings, smtp_server, clock)
    link = mail.message["List-Unsubscribe"].strip("<>").split(">")[0]
    path = link.replace(mail_settings.base_url, "")
    with TestClient(create_app(mail_settings, db=store)) as client:
        assert client.post(path).status_code == 200
        assert client.post(path.replace("token=", "token=x")).status_code in (401, 403, 422)
    _publish(store, cast)  # the next alert: inbox only, no e-mail
    _work(mail_settings, engine, clock)
    assert len(smtp_server.to("trader@example.org")) == 1
    with store.reading() as s:
        channels = sorted(d.channel for d in s.scalars(select(Delivery)) if d.item_version == 1)
    assert channels.count("inbox") == 2


def test_the_read_receipt_image_marks_the_email_opened(
    store: Database,
    engine: Engine,
    cast: Cast,
    mail_settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    mail = _mail_to_the_trader(store, engine, cast, mail_settings, smtp_server, Clock(NOW))
    html = mail.message.get_body(("html",)).get_content()
    src = re.search(r'<img src="([^"]+)" alt="" width="1" height="1">', html)
    assert src is not None
    path = src.group(1).replace("&amp;", "&").replace(mail_settings.base_url, "")
    with TestClient(create_app(mail_settings, db=store)) as client:
        assert client.get(path.replace(".gif", "x.gif")).headers["content-type"] == "image/gif"
        assert _states(store)[(cast.trader.user_id, "email")] == "sent"  # a bad token: nothing
        answer = client.get(path)
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/gif"
    assert _states(store)[(cast.trader.user_id, "email")] == "opened"
