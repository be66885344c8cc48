"""Background work of logistics: pushing matched events to subscribers' callbacks.

``logistics.push`` POSTs ``{"events": [...]}`` (DCSA TNT 3.0's ``PostEventsRequest``) with
``Notification-Signature: sha256=<HMAC-SHA256 of the raw body>`` (TNT 2.2), ``API-Version``,
and the job's ``Idempotency-Key``, so a receiver can drop the duplicates that at-least-once
delivery brings. A 2xx answer completes the job; no answer, 408, 429 and 5xx are retried with
backoff until the worker's bound, then dead-lettered; any other 4xx is dead-lettered at once
(the receiver refuses: trying again will not help). A subscription deleted or paused
meanwhile ends the job without sending.
"""

from __future__ import annotations

import json

import httpx
from sqlalchemy import select

from silkhub.core.errors import PermanentJobError, TemporaryJobError
from silkhub.jobs import Handler, JobContext
from silkhub.logistics.models import Subscription, TntEvent
from silkhub.logistics.subscriptions import PUSH_JOB, sign

#: The HTTP transport pushes go through; tests put an in-memory receiver here
#: (``httpx.MockTransport``), as httpx's own tests do.
TRANSPORT: httpx.BaseTransport | None = None
TIMEOUT_SECONDS = 10.0


def push(ctx: JobContext) -> None:
    payload = ctx.job.payload
    sub = ctx.session.get(Subscription, payload["subscription"])
    if sub is None or not sub.active:
        return
    ids = [int(i) for i in payload["events"]]
    rows = ctx.session.execute(select(TntEvent).where(TntEvent.id.in_(ids))).scalars()
    by_id = {r.id: r.document for r in rows}
    body = json.dumps(
        {"events": [by_id[i] for i in ids if i in by_id]},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "Notification-Signature": sign(sub.secret, body),
        "API-Version": "3.0.0",
        "Idempotency-Key": ctx.job.idempotency_key,
    }
    try:
        with httpx.Client(transport=TRANSPORT, timeout=TIMEOUT_SECONDS) as client:
            response = client.post(sub.callback_url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise TemporaryJobError(f"callback unreachable: {exc}") from exc
    status = response.status_code
    if status in (408, 429) or status >= 500:
        raise TemporaryJobError(f"callback answered {status}")
    if status >= 400:
        raise PermanentJobError(f"callback refused the events: {status}")


HANDLERS: dict[str, Handler] = {PUSH_JOB: push}
