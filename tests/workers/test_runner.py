"""The worker loop, in process, on a real store, with a clock the tests move by hand."""

from __future__ import annotations

import itertools
import logging
import os
import signal
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from silkhub.core.errors import PermanentJobError, TemporaryJobError
from silkhub.jobs import Handler, JobContext
from silkhub.migrations import alembic_config
from silkhub.settings import Settings
from silkhub.stores.operational import make_engine, utcnow
from silkhub.stores.outbox import (
    JobStatus,
    OutboxJob,
    attempts_of,
    claim,
    enqueue,
)
from silkhub.workers.registry import HandlerRegistryError, load_handlers
from silkhub.workers.runner import JobOutcome, SystemClock, Worker, run_worker
from tests.workers.jobs_for_tests import CRASH_EFFECTS_DDL


class FakeClock:
    """Time that moves only when the test, or the worker's idle sleep, moves it."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def sleep(self, seconds: float, wake: threading.Event) -> None:
        self.current += timedelta(seconds=seconds)

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(utcnow())


@pytest.fixture
def worker_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "worker_poll_seconds": 0.5,
            "worker_lease_seconds": 60.0,
            "worker_backoff_seconds": 10.0,
            "worker_backoff_max_seconds": 40.0,
            "worker_max_attempts": 3,
        }
    )


def add_job(engine: Engine, clock: FakeClock, kind: str, **payload: Any) -> int:
    with Session(engine) as session, session.begin():
        return enqueue(session, kind, payload, now=clock.now()).id


def job(engine: Engine, job_id: int) -> OutboxJob:
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(OutboxJob, job_id)
        assert row is not None
        return row


def attempt_outcomes(engine: Engine, job_id: int) -> list[str]:
    with Session(engine) as session:
        return [a.outcome for a in attempts_of(session, job_id)]


def effects(engine: Engine) -> list[str]:
    """The effects handlers committed: follow-up jobs named after the job that made them."""
    with Session(engine) as session:
        keys = session.scalars(
            select(OutboxJob.idempotency_key).where(OutboxJob.kind == "test.followup")
        )
        return sorted(keys)


def effect_then(ctx: JobContext) -> None:
    """Write the job's effect in its session, then do what the payload says."""
    enqueue(
        ctx.session,
        "test.followup",
        {},
        idempotency_key=f"effect-of:{ctx.job.idempotency_key}",
        run_after=ctx.now + timedelta(days=365),  # never due during the test
        now=ctx.now,
    )
    outcome = ctx.job.payload.get("then")
    if outcome == "temporary":
        raise TemporaryJobError("the receiver is down")
    if outcome == "retry_after":
        raise TemporaryJobError("the receiver asks to wait", retry_after=ctx.job.payload["after"])
    if outcome == "permanent":
        raise PermanentJobError("the address does not exist")
    if outcome == "bug":
        raise ValueError("a bug in the handler")


HANDLERS: dict[str, Handler] = {"test.work": effect_then}


def make_worker(
    settings: Settings,
    engine: Engine,
    clock: FakeClock,
    handlers: dict[str, Handler] | None = None,
) -> Worker:
    return Worker(settings, engine, handlers or HANDLERS, worker_id="w-test", clock=clock)


def test_success_commits_the_effect_with_the_completion(
    engine: Engine, worker_settings: Settings, clock: FakeClock
) -> None:
    job_id = add_job(engine, clock, "test.work")
    summary = make_worker(worker_settings, engine, clock).run(once=True)
    assert summary.outcomes == {JobOutcome.SUCCEEDED: 1}
    row = job(engine, job_id)
    assert (row.status, row.finished_at, row.locked_by) == (JobStatus.DONE, clock.now(), None)
    assert effects(engine) == [f"effect-of:{row.idempotency_key}"]
    assert attempt_outcomes(engine, job_id) == ["succeeded"]


@pytest.mark.parametrize(
    ("then", "error"),
    [
        ("temporary", "TemporaryJobError: the receiver is down"),
        ("bug", "ValueError: a bug in the handler"),
    ],
)
def test_a_failure_rolls_the_effect_back_and_retries_later(
    engine: Engine, worker_settings: Settings, clock: FakeClock, then: str, error: str
) -> None:
    job_id = add_job(engine, clock, "test.work", then=then)
    summary = make_worker(worker_settings, engine, clock).run(once=True)
    assert summary.outcomes == {JobOutcome.RETRYING: 1}
    assert effects(engine) == []
    row = job(engine, job_id)
    assert row.status == JobStatus.PENDING
    assert row.locked_by is None
    # First retry: between half the base backoff and the base backoff (equal jitter).
    assert (
        clock.now() + timedelta(seconds=5) <= row.run_after <= clock.now() + timedelta(seconds=10)
    )
    assert row.last_error is not None
    assert row.last_error.startswith(error)
    assert "Traceback" in row.last_error
    assert attempt_outcomes(engine, job_id) == ["failed"]


@pytest.mark.parametrize(
    ("after", "earliest", "latest"),
    [
        (30.0, 30.0, 30.0),  # longer than the backoff (5-10 s): the receiver's wait wins
        (1.0, 5.0, 10.0),  # shorter: the backoff wins
        (86400.0, 40.0, 40.0),  # longer than worker_backoff_max_seconds: capped
    ],
)
def test_a_temporary_error_s_retry_after_is_honoured_within_the_bounds(
    engine: Engine,
    worker_settings: Settings,
    clock: FakeClock,
    after: float,
    earliest: float,
    latest: float,
) -> None:
    job_id = add_job(engine, clock, "test.work", then="retry_after", after=after)
    summary = make_worker(worker_settings, engine, clock).run(once=True)
    assert summary.outcomes == {JobOutcome.RETRYING: 1}
    row = job(engine, job_id)
    assert row.status == JobStatus.PENDING
    low, high = (clock.now() + timedelta(seconds=s) for s in (earliest, latest))
    assert low <= row.run_after <= high


def test_permanent_error_dead_letters_at_once(
    engine: Engine, worker_settings: Settings, clock: FakeClock
) -> None:
    job_id = add_job(engine, clock, "test.work", then="permanent")
    summary = make_worker(worker_settings, engine, clock).run(once=True)
    assert summary.outcomes == {JobOutcome.DEAD: 1}
    row = job(engine, job_id)
    assert (row.status, row.attempts) == (JobStatus.DEAD, 1)
    assert row.last_error is not None
    assert row.last_error.startswith("PermanentJobError: the address does not exist")
    assert effects(engine) == []
    assert attempt_outcomes(engine, job_id) == ["dead"]


def test_a_kind_nobody_handles_is_dead_lettered(
    engine: Engine, worker_settings: Settings, clock: FakeClock
) -> None:
    job_id = add_job(engine, clock, "nobody.handles.this")
    summary = make_worker(worker_settings, engine, clock).run(once=True)
    assert summary.outcomes == {JobOutcome.DEAD: 1}
    row = job(engine, job_id)
    assert row.status == JobStatus.DEAD
    assert row.last_error is not None
    assert "no handler for job kind 'nobody.handles.this'" in row.last_error
    assert "test.work" in row.last_error


def test_the_loop_goes_on_through_failures_until_the_job_is_dead(
    engine: Engine, worker_settings: Settings, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    bad = add_job(engine, clock, "test.work", then="temporary")
    good = add_job(engine, clock, "test.work")
    worker = make_worker(worker_settings, engine, clock)
    # Forever mode, bounded by max_jobs: while the bad job waits for its backoff, the idle
    # worker sleeps (the fake clock moves on) and takes it again when it is due.
    with caplog.at_level(logging.INFO, logger="silkhub.workers"):
        summary = worker.run(max_jobs=4)
    assert summary.outcomes == {
        JobOutcome.RETRYING: 2,
        JobOutcome.SUCCEEDED: 1,
        JobOutcome.DEAD: 1,
    }
    assert job(engine, good).status == JobStatus.DONE
    dead = job(engine, bad)
    assert (dead.status, dead.attempts) == (JobStatus.DEAD, 3)  # worker_max_attempts
    assert attempt_outcomes(engine, bad) == ["failed", "failed", "dead"]
    with Session(engine) as session:
        starts = [a.started_at for a in attempts_of(session, bad)]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(starts)]
    assert 5 <= gaps[0] <= 10 + 0.5  # backoff 1 in [5, 10], plus at most one poll
    assert 10 <= gaps[1] <= 20 + 0.5  # backoff 2 in [10, 20]
    messages = [r.getMessage() for r in caplog.records]
    assert any("retry in" in m for m in messages)
    assert any("dead-lettered" in m for m in messages)
    assert any("succeeded" in m for m in messages)


def test_a_worker_that_lost_its_lease_commits_nothing(
    engine: Engine, worker_settings: Settings, clock: FakeClock
) -> None:
    def slow(ctx: JobContext) -> None:
        # While this worker is slow, its lease expires and another worker takes the job.
        thief = claim(
            engine,
            "w-thief",
            lease_seconds=60,
            now=ctx.now + timedelta(seconds=61),
            default_max_attempts=3,
        )
        assert thief is not None
        effect_then(ctx)

    job_id = add_job(engine, clock, "test.slow")
    summary = make_worker(worker_settings, engine, clock, {"test.slow": slow}).run(once=True)
    assert summary.outcomes == {JobOutcome.LEASE_LOST: 1}
    assert effects(engine) == []
    row = job(engine, job_id)
    assert (row.status, row.locked_by, row.attempts) == (JobStatus.RUNNING, "w-thief", 2)
    assert attempt_outcomes(engine, job_id) == ["abandoned", "running"]


def test_sigterm_finishes_the_current_job_then_stops(
    engine: Engine, worker_settings: Settings, clock: FakeClock
) -> None:
    def terminated_midway(ctx: JobContext) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        effect_then(ctx)

    first = add_job(engine, clock, "test.term")
    second = add_job(engine, clock, "test.term")
    worker = make_worker(worker_settings, engine, clock, {"test.term": terminated_midway})
    before = signal.getsignal(signal.SIGTERM)
    with worker.handle_signals():
        summary = worker.run()  # forever, but for the signal
    assert signal.getsignal(signal.SIGTERM) is before
    assert worker.stopping
    assert summary.outcomes == {JobOutcome.SUCCEEDED: 1}
    assert job(engine, first).status == JobStatus.DONE
    assert job(engine, second).status == JobStatus.PENDING
    assert len(effects(engine)) == 1


def test_stop_wakes_an_idle_worker(engine: Engine, worker_settings: Settings) -> None:
    settings = worker_settings.model_copy(update={"worker_poll_seconds": 30.0})
    worker = Worker(settings, engine, HANDLERS, clock=SystemClock())
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        threading.Event().wait(0.2)  # let it go idle
        worker.stop()
        thread.join(5)
        assert not thread.is_alive()
    finally:
        worker.stop()
        thread.join(5)


def test_until_empty_and_max_jobs(
    engine: Engine, worker_settings: Settings, clock: FakeClock
) -> None:
    ids = [add_job(engine, clock, "test.work") for _ in range(3)]
    worker = make_worker(worker_settings, engine, clock)
    assert worker.run(max_jobs=2).processed == 2
    assert worker.run(until_empty=True).processed == 1
    assert worker.run(until_empty=True).processed == 0
    assert [job(engine, i).status for i in ids] == [JobStatus.DONE] * 3


# --- run_worker: what `python -m silkhub.workers` and `silkhub worker` call ---------------------


def test_run_worker_refuses_an_uninitialised_store(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_worker(settings, until_empty=True) == 2
    err = capsys.readouterr().err
    assert "silkhub init" in err
    assert "尚未初始化" in err
    assert "has not been initialised" in err


def test_run_worker_refuses_an_old_schema(
    db_url: str, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    old = make_engine(db_url)
    try:
        command.upgrade(alembic_config(old), "0001_initial")
    finally:
        old.dispose()
    assert run_worker(settings, until_empty=True) == 2
    err = capsys.readouterr().err
    assert "0001_initial" in err
    assert "Back it up" in err


def test_run_worker_runs_the_plugins_handlers(
    engine: Engine, settings: Settings, clock: FakeClock
) -> None:
    with engine.begin() as conn:
        conn.execute(text(CRASH_EFFECTS_DDL))
    job_id = add_job(engine, clock, "test.effect")
    plugged = settings.model_copy(update={"worker_plugins": ["tests.workers.jobs_for_tests"]})
    assert run_worker(plugged, until_empty=True) == 0
    assert job(engine, job_id).status == JobStatus.DONE
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT job_id, attempt FROM crash_effects")).all()
    assert [tuple(r) for r in rows] == [(job_id, 1)]


def test_run_worker_refuses_a_missing_plugin(
    engine: Engine, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    plugged = settings.model_copy(update={"worker_plugins": ["tests.workers.no_such_module"]})
    assert run_worker(plugged, once=True) == 2
    assert "tests.workers.no_such_module" in capsys.readouterr().err


# --- the handler registry ----------------------------------------------------------------------


def test_handlers_come_from_capabilities_and_plugins(settings: Settings, tmp_path: Path) -> None:
    from tests.workers import fakecap, jobs_for_tests
    from tests.workers.fakecap import jobs as fakecap_jobs

    assert fakecap.__name__ == "tests.workers.fakecap"
    # A capability without a jobs module contributes nothing.
    assert load_handlers(settings, capabilities=("silkhub.accounts",)) == {}
    from_capability = load_handlers(
        settings, capabilities=("silkhub.accounts", "tests.workers.fakecap")
    )
    assert from_capability == fakecap_jobs.HANDLERS
    plugged = settings.model_copy(update={"worker_plugins": ["tests.workers.jobs_for_tests"]})
    assert load_handlers(plugged, capabilities=()) == jobs_for_tests.HANDLERS
    # The same module named twice is no conflict.
    twice = settings.model_copy(update={"worker_plugins": ["tests.workers.jobs_for_tests"] * 2})
    assert load_handlers(twice, capabilities=()) == jobs_for_tests.HANDLERS


def test_two_modules_cannot_handle_one_kind(settings: Settings) -> None:
    plugged = settings.model_copy(update={"worker_plugins": ["tests.workers.jobs_for_tests"]})
    with pytest.raises(HandlerRegistryError, match=r"'test\.effect' is registered by both") as info:
        load_handlers(plugged, capabilities=("tests.workers.fakecap",))
    assert "任务类型" in info.value.in_("zh")


def test_a_plugin_needs_handlers(settings: Settings) -> None:
    plugged = settings.model_copy(update={"worker_plugins": ["tests.workers"]})
    with pytest.raises(HandlerRegistryError, match="has no HANDLERS"):
        load_handlers(plugged, capabilities=())
