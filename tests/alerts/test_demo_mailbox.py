"""The demo's own mail sink and worker: a published alert is really e-mailed, through an SMTP
server on 127.0.0.1 that keeps each message as a file."""

from __future__ import annotations

import email
import time

from silkhub.alerts import audience
from silkhub.demo import mailbox
from silkhub.settings import Settings
from silkhub.stores.database import Database
from tests.alerts.conftest import Cast
from tests.alerts.test_service import _publish
from tests.receivers import free_port


def test_the_demo_mailbox_keeps_what_the_worker_sends(
    settings: Settings, store: Database, cast: Cast
) -> None:
    with store.transaction() as s:
        audience.subscribe(s, cast.trader.user_id, {})
    _publish(store, cast)
    sink = mailbox.start(settings.model_copy(update={"worker_poll_seconds": 0.1}), port=free_port())
    try:
        deadline = time.monotonic() + 20
        while not list(sink.folder.glob("*.eml")) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        sink.stop()
    (kept,) = sink.folder.glob("*.eml")
    message = email.message_from_bytes(kept.read_bytes())
    assert message["To"] == "trader@example.org"
    assert not sink.thread.is_alive()  # stopped with the demo
