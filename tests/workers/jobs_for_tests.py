"""Job handlers for the worker tests, loaded by worker processes through
``SILKHUB_WORKER_PLUGINS='["tests.workers.jobs_for_tests"]'``.

Both write an effect, then, on the attempt named in the payload, touch a marker file (so the
test knows the worker is mid-job) and sleep (so the test can kill it there).

- ``test.effect``: the effect is a row in ``crash_effects``, a table the tests create with
  plain SQL, written in the job's session: it commits with the job's completion or not at all.
- ``test.webhook``: the effect is an HTTP POST to ``payload["url"]`` carrying the job's
  ``Idempotency-Key``: it leaves the building at once, whatever happens to the worker next.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from sqlalchemy import text

from silkhub.core.errors import TemporaryJobError
from silkhub.jobs import Handler, JobContext

CRASH_EFFECTS_DDL = (
    "CREATE TABLE crash_effects ("
    " idempotency_key VARCHAR(200) NOT NULL UNIQUE,"
    " job_id INTEGER NOT NULL,"
    " attempt INTEGER NOT NULL)"
)


def _pause_if_asked(ctx: JobContext) -> None:
    payload = ctx.job.payload
    if ctx.job.attempt != payload.get("pause_on_attempt"):
        return
    marker = payload.get("marker")
    if marker:
        Path(marker).touch()
    time.sleep(float(payload.get("sleep", 60.0)))


def write_effect(ctx: JobContext) -> None:
    ctx.session.execute(
        text(
            "INSERT INTO crash_effects (idempotency_key, job_id, attempt)"
            " VALUES (:key, :job_id, :attempt)"
        ),
        {"key": ctx.job.idempotency_key, "job_id": ctx.job.id, "attempt": ctx.job.attempt},
    )
    _pause_if_asked(ctx)


def post_webhook(ctx: JobContext) -> None:
    try:
        response = httpx.post(
            ctx.job.payload["url"],
            json={"job": ctx.job.id, "attempt": ctx.job.attempt},
            headers={"Idempotency-Key": ctx.job.idempotency_key},
            timeout=10.0,
        )
    except httpx.TransportError as exc:
        raise TemporaryJobError(f"receiver unreachable: {exc}") from exc
    if response.status_code >= 500:
        raise TemporaryJobError(f"receiver answered {response.status_code}")
    _pause_if_asked(ctx)


HANDLERS: dict[str, Handler] = {"test.effect": write_effect, "test.webhook": post_webhook}
