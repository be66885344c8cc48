"""The worker killed with SIGKILL in the middle of a batch of deliveries, with the SMTP server
refusing some recipients for a while and the webhook receiver failing on demand: nothing lost,
every recipient served, duplicates only with the same idempotency key (which the receiver
drops)."""

from __future__ import annotations

import time
from collections import Counter

from sqlalchemy import select
from sqlalchemy.engine import Engine

from silkhub.accounts.models import Organisation, OrgKind, User
from silkhub.alerts import audience, deliveries
from silkhub.alerts.models import Delivery
from silkhub.stores.database import Database
from tests.alerts.conftest import Cast
from tests.alerts.test_service import _publish
from tests.receivers import HttpReceiver, Reply, SmtpServer
from tests.workers.test_crash import WorkerProcesses, kill, wait_for, workers  # noqa: F401

PEOPLE = 60


def test_sigkill_mid_batch_loses_nothing_and_duplicates_only_by_key(
    store: Database,
    engine: Engine,
    cast: Cast,
    workers: WorkerProcesses,  # noqa: F811
    smtp_server: SmtpServer,
    http_receiver: HttpReceiver,
) -> None:
    with store.transaction() as s:
        org = Organisation(name_zh="企业", name_en="Enterprise", kind=OrgKind.ENTERPRISE)
        s.add(org)
        s.flush()
        for n in range(PEOPLE):
            user = User(email=f"p{n}@example.org", display_name=f"p{n}", organisation_id=org.id)
            s.add(user)
            s.flush()
            audience.subscribe(s, user.id, {})
            audience.set_preferences(
                s,
                user.id,
                {"channels": "email webhook", "webhook_url": http_receiver.url(f"/p{n}")},
            )
            # Some receivers fail first (5xx), slowly, so the kill lands mid-batch.
            replies = [Reply(503)] if n % 7 == 0 else []
            http_receiver.script(f"/p{n}", *replies, Reply(200, delay=0.03))
    smtp_server.refuse("p3@example.org", 451)  # greylisted until we lift it
    _publish(store, cast)
    workers.env.update(
        SILKHUB_SMTP_HOST=smtp_server.host,
        SILKHUB_SMTP_PORT=str(smtp_server.port),
        SILKHUB_WORKER_PLUGINS="[]",
    )

    first = workers.start()
    wait_for(lambda: len(http_receiver.requests) >= 15, "webhook calls", workers.logs)
    kill(first, workers)
    smtp_server.rules.pop("p3@example.org")

    def all_served() -> bool:
        with store.reading() as s:
            states = Counter(x.state for x in deliveries.delivery_log(s))
        return set(states) == {"sent"}

    # The next worker takes the killed batch when its lease expires, and the retries when due.
    second = workers.start()
    deadline = time.monotonic() + 120
    while not all_served() and time.monotonic() < deadline:
        time.sleep(0.3)
    second.terminate()
    workers.wait(second)
    with store.reading() as s:
        states = Counter(x.state for x in deliveries.delivery_log(s))
        keys = {d.idempotency_key for d in s.scalars(select(Delivery))}
    assert states == Counter({"sent": 3 * PEOPLE}), (states, workers.logs())

    per_key = Counter(r.header("Idempotency-Key") for r in http_receiver.requests)
    assert set(per_key) == {k for k in keys if k.endswith(":webhook")}  # everyone, once or more
    assert max(per_key.values()) >= 2  # the kill did land mid-batch: some calls came again
    mails = Counter(m.message["Message-ID"] for m in smtp_server.messages)
    assert len(mails) == PEOPLE  # every person got the e-mail; repeats carry one Message-ID
    assert {m.rcpt_tos[0] for m in smtp_server.messages} == {
        f"p{n}@example.org" for n in range(PEOPLE)
    }
