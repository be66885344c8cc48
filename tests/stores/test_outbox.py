"""The outbox store: enqueue, claim, complete, fail, requeue, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Constraint, Index, Table, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from silkhub.registry import load_models
from silkhub.stores import outbox
from silkhub.stores.operational import Base
from silkhub.stores.outbox import (
    ClaimedJob,
    JobStatus,
    LeaseLost,
    OutboxJob,
    attempts_of,
    backoff_seconds,
    claim,
    complete,
    dead_letters,
    enqueue,
    fail,
    requeue_dead,
    stats,
)

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
OUTBOX_TABLES = {"outbox_jobs", "outbox_attempts"}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def add_jobs(engine: Engine, count: int = 1, **options: Any) -> list[int]:
    options.setdefault("now", T0)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        return [enqueue(session, "test.kind", {"n": i}, **options).id for i in range(count)]


def job_row(engine: Engine, job_id: int) -> OutboxJob:
    with Session(engine, expire_on_commit=False) as session:
        job = session.get(OutboxJob, job_id)
        assert job is not None
        return job


def outcomes(engine: Engine, job_id: int) -> list[tuple[int, str, str]]:
    with Session(engine, expire_on_commit=False) as session:
        return [(a.number, a.worker, a.outcome) for a in attempts_of(session, job_id)]


def job_count(engine: Engine) -> int:
    with Session(engine, expire_on_commit=False) as session:
        return session.scalar(select(func.count()).select_from(OutboxJob)) or 0


# --- the schema -------------------------------------------------------------------------------


def _tables_named(diff: Any) -> set[str]:
    if isinstance(diff, list):
        return set().union(*(_tables_named(d) for d in diff))
    names: set[str] = set()
    for part in diff[1:]:
        if isinstance(part, Table):
            names.add(part.name)
        elif isinstance(part, Index | Constraint | Column) and part.table is not None:
            names.add(part.table.name)
        elif isinstance(part, str):
            names.add(part)
    return names


def test_migration_matches_models(engine: Engine) -> None:
    load_models()
    assert set(inspect(engine).get_table_names()) >= OUTBOX_TABLES
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert [d for d in diffs if _tables_named(d) & OUTBOX_TABLES] == []


def test_migration_creates_the_constraints(engine: Engine) -> None:
    inspector = inspect(engine)
    uniques = {
        u["name"]: u["column_names"] for u in inspector.get_unique_constraints("outbox_jobs")
    }
    assert uniques == {"uq_outbox_jobs_idempotency_key": ["idempotency_key"]}
    indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("outbox_jobs")}
    assert indexes["ix_outbox_jobs_status_run_after"] == ["status", "run_after"]
    [fk] = inspector.get_foreign_keys("outbox_attempts")
    assert fk["name"] == "fk_outbox_attempts_job_id_outbox_jobs"
    assert fk["referred_table"] == "outbox_jobs"


# --- enqueue ----------------------------------------------------------------------------------


def test_enqueue_is_idempotent_by_key(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        first = enqueue(session, "mail.send", {"to": "a"}, idempotency_key="mail:1")
        again = enqueue(session, "mail.send", {"to": "b"}, idempotency_key="mail:1")
        assert again is first
    with Session(engine, expire_on_commit=False) as session, session.begin():
        later = enqueue(session, "mail.send", {"to": "c"}, idempotency_key="mail:1")
        assert later.id == first.id
        assert later.payload == {"to": "a"}
    assert job_count(engine) == 1


def test_enqueue_without_key_derives_one(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        a = enqueue(session, "mail.send", {})
        b = enqueue(session, "mail.send", {})
    assert a.id != b.id
    assert a.idempotency_key.startswith("mail.send:")
    assert a.idempotency_key != b.idempotency_key
    assert a.status == JobStatus.PENDING
    assert a.attempts == 0
    assert a.max_attempts is None


def test_enqueue_in_a_rolled_back_transaction_leaves_no_job(engine: Engine) -> None:
    def change_that_fails() -> None:
        with Session(engine) as session, session.begin():
            enqueue(session, "mail.send", {"to": "a"}, idempotency_key="mail:rolled-back")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError, match="the change failed"):
        change_that_fails()
    assert job_count(engine) == 0
    # ...and the key is free again: the job exists if and only if its cause committed.
    with Session(engine, expire_on_commit=False) as session, session.begin():
        enqueue(session, "mail.send", {"to": "a"}, idempotency_key="mail:rolled-back")
    assert job_count(engine) == 1


def test_enqueue_conflict_keeps_the_callers_transaction(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the key turns up only at INSERT time (another transaction got there between the
    look-up and the insert), the insert does nothing and the caller's transaction goes on:
    a plain INSERT would abort it on PostgreSQL."""
    add_jobs(engine, idempotency_key="shared-key")
    real_find = outbox._find_by_key
    misses = {"shared-key": 1}

    def find_missing_once(session: Session, key: str) -> OutboxJob | None:
        if misses.get(key):
            misses[key] -= 1
            return None
        return real_find(session, key)

    monkeypatch.setattr(outbox, "_find_by_key", find_missing_once)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        mine = enqueue(session, "caller.change", {}, idempotency_key="caller-change")
        shared = enqueue(session, "other", {"x": 1}, idempotency_key="shared-key")
        assert misses == {"shared-key": 0}
        assert shared.kind == "test.kind"  # the job that was there, not a new one
    assert job_row(engine, mine.id).kind == "caller.change"
    assert job_count(engine) == 2


def test_concurrent_enqueue_of_one_key(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer at a time: the second enqueue cannot start early")
    inserted, release = threading.Event(), threading.Event()

    def first() -> int:
        with Session(engine) as session, session.begin():
            job_id = enqueue(session, "k", {"by": 1}, idempotency_key="same").id
            inserted.set()
            assert release.wait(10)
        return job_id

    def second() -> int:
        with Session(engine) as session, session.begin():
            # Does not see the uncommitted row; its INSERT waits for the first to commit.
            return enqueue(session, "k", {"by": 2}, idempotency_key="same").id

    with ThreadPoolExecutor(2) as pool:
        first_id = pool.submit(first)
        assert inserted.wait(10)
        second_id = pool.submit(second)
        time.sleep(0.3)
        assert not second_id.done(), "the second enqueue should wait for the first transaction"
        release.set()
        assert first_id.result(10) == second_id.result(10)
    assert job_count(engine) == 1


# --- claim ------------------------------------------------------------------------------------


def test_claim_takes_due_jobs_in_run_after_order(engine: Engine) -> None:
    [late] = add_jobs(engine, run_after=at(2))
    early = add_jobs(engine, 2, run_after=at(1))
    [future] = add_jobs(engine, run_after=at(100))
    taken = []
    while (job := claim(engine, "w", lease_seconds=1000, now=at(10))) is not None:
        taken.append(job.id)
    assert taken == [*early, late]
    assert claim(engine, "w", lease_seconds=1000, now=at(99)) is None
    job = claim(engine, "w", lease_seconds=1000, now=at(100))
    assert job is not None
    assert job.id == future


def test_claim_leases_the_job_and_records_the_attempt(engine: Engine) -> None:
    [job_id] = add_jobs(engine, idempotency_key="k-1", max_attempts=5)
    job = claim(engine, "worker-a", lease_seconds=30, now=at(1))
    assert job == ClaimedJob(
        id=job_id,
        kind="test.kind",
        payload={"n": 0},
        idempotency_key="k-1",
        attempt=1,
        max_attempts=5,
        worker_id="worker-a",
    )
    row = job_row(engine, job_id)
    assert row.status == JobStatus.RUNNING
    assert row.attempts == 1
    assert row.locked_by == "worker-a"
    assert row.locked_until == at(31)
    with Session(engine, expire_on_commit=False) as session:
        [attempt] = attempts_of(session, job_id)
    assert (attempt.number, attempt.worker, attempt.outcome) == (1, "worker-a", "running")
    assert attempt.started_at == at(1)
    assert attempt.finished_at is None


def test_threads_never_claim_the_same_job(engine: Engine) -> None:
    ids = add_jobs(engine, 200)
    start = threading.Barrier(4)

    def claimer(name: str) -> list[int]:
        got: list[int] = []
        start.wait(10)
        while (job := claim(engine, name, lease_seconds=60)) is not None:
            got.append(job.id)
        return got

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(claimer, f"t{i}") for i in range(4)]
        everything = [job_id for f in futures for job_id in f.result(60)]
    assert Counter(everything) == Counter(ids)  # every job exactly once
    with Session(engine) as session:
        assert stats(session)["running"] == 200


_CLAIMER = """
import json, sys, time
from pathlib import Path
from silkhub.stores.operational import make_engine
from silkhub.stores.outbox import claim

url, go, ready, name = sys.argv[1:5]
engine = make_engine(url)
with engine.connect():
    pass
Path(ready).touch()
deadline = time.monotonic() + 30
while not Path(go).exists():
    if time.monotonic() > deadline:
        sys.exit(3)
    time.sleep(0.005)
got = []
while (job := claim(engine, name, lease_seconds=60)) is not None:
    got.append(job.id)
print(json.dumps(got))
"""


def test_processes_never_claim_the_same_job(engine: Engine, db_url: str, tmp_path: Path) -> None:
    ids = add_jobs(engine, 200)
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = []
    try:
        for i in range(4):
            ready = tmp_path / f"ready-{i}"
            args = [sys.executable, "-c", _CLAIMER, db_url, str(go), str(ready), f"p{i}"]
            procs.append(
                (
                    ready,
                    subprocess.Popen(
                        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                    ),
                )
            )
        deadline = time.monotonic() + 30
        while not all(ready.exists() for ready, _ in procs):
            assert time.monotonic() < deadline, "claimer processes did not start"
            assert all(p.poll() is None for _, p in procs), "a claimer process died"
            time.sleep(0.01)
        go.touch()
        everything: list[int] = []
        for _, proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            everything.extend(json.loads(out))
    finally:
        for _, proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert Counter(everything) == Counter(ids)


# --- leases and fencing -----------------------------------------------------------------------


def test_expired_lease_is_claimed_again_and_the_stale_worker_is_fenced_off(
    engine: Engine,
) -> None:
    [job_id] = add_jobs(engine)
    a = claim(engine, "worker-a", lease_seconds=10, now=at(0))
    assert a is not None
    assert claim(engine, "worker-b", lease_seconds=10, now=at(5)) is None  # still leased
    b = claim(engine, "worker-b", lease_seconds=10, now=at(11))
    assert b is not None
    assert (b.id, b.attempt) == (job_id, 2)
    assert outcomes(engine, job_id) == [(1, "worker-a", "abandoned"), (2, "worker-b", "running")]

    # Worker A comes back: its effect and completion must not commit.
    def effect_and_completion_by_a() -> None:
        with Session(engine) as session, session.begin():
            enqueue(session, "effect", {}, idempotency_key="effect-by-a", now=at(12))
            complete(session, a, at(12))

    with pytest.raises(LeaseLost, match="no longer held"):
        effect_and_completion_by_a()
    assert job_count(engine) == 1
    assert fail(engine, a, "late", permanent=False, backoff=1, now=at(12)) is None
    assert job_row(engine, job_id).locked_by == "worker-b"

    with Session(engine, expire_on_commit=False) as session, session.begin():
        complete(session, b, at(13))
    row = job_row(engine, job_id)
    assert row.status == JobStatus.DONE
    assert (row.locked_by, row.locked_until, row.finished_at) == (None, None, at(13))
    assert outcomes(engine, job_id) == [
        (1, "worker-a", "abandoned"),
        (2, "worker-b", "succeeded"),
    ]
    # A finished job cannot be completed twice.
    with (
        pytest.raises(LeaseLost),
        Session(engine, expire_on_commit=False) as session,
        session.begin(),
    ):
        complete(session, b, at(14))


def test_a_late_worker_may_complete_when_nobody_took_over(engine: Engine) -> None:
    [job_id] = add_jobs(engine)
    job = claim(engine, "slow", lease_seconds=10, now=at(0))
    assert job is not None
    with Session(engine, expire_on_commit=False) as session, session.begin():
        complete(session, job, at(60))
    assert job_row(engine, job_id).status == JobStatus.DONE


def test_a_job_whose_worker_dies_on_its_last_attempt_is_dead_lettered(engine: Engine) -> None:
    [job_id] = add_jobs(engine, max_attempts=2)
    assert claim(engine, "a", lease_seconds=10, now=at(0)) is not None
    assert claim(engine, "b", lease_seconds=10, now=at(11)) is not None
    assert claim(engine, "c", lease_seconds=10, now=at(22)) is None
    row = job_row(engine, job_id)
    assert row.status == JobStatus.DEAD
    assert row.finished_at == at(22)
    assert row.last_error is not None
    assert "stopped answering on attempt 2" in row.last_error
    assert outcomes(engine, job_id) == [(1, "a", "abandoned"), (2, "b", "abandoned")]


# --- fail, retries, dead letters --------------------------------------------------------------


def test_fail_schedules_a_retry_after_the_backoff(engine: Engine) -> None:
    [job_id] = add_jobs(engine)
    job = claim(engine, "w", lease_seconds=60, now=at(0))
    assert job is not None
    status = fail(engine, job, "receiver down", permanent=False, backoff=30, now=at(1))
    assert status is JobStatus.PENDING
    row = job_row(engine, job_id)
    assert row.status == JobStatus.PENDING
    assert row.run_after == at(31)
    assert (row.locked_by, row.locked_until) == (None, None)
    assert row.last_error == "receiver down"
    with Session(engine, expire_on_commit=False) as session:
        [attempt] = attempts_of(session, job_id)
    assert (attempt.outcome, attempt.error, attempt.finished_at) == (
        "failed",
        "receiver down",
        at(1),
    )
    assert claim(engine, "w", lease_seconds=60, now=at(30)) is None
    again = claim(engine, "w", lease_seconds=60, now=at(31))
    assert again is not None
    assert again.attempt == 2


def test_dead_letter_after_max_attempts(engine: Engine) -> None:
    [job_id] = add_jobs(engine, max_attempts=3)
    statuses = []
    for step in range(3):
        job = claim(engine, "w", lease_seconds=60, now=at(step))
        assert job is not None
        statuses.append(fail(engine, job, f"boom {step}", permanent=False, backoff=0, now=at(step)))
    assert statuses == [JobStatus.PENDING, JobStatus.PENDING, JobStatus.DEAD]
    assert claim(engine, "w", lease_seconds=60, now=at(100)) is None
    assert [o for _, _, o in outcomes(engine, job_id)] == ["failed", "failed", "dead"]
    with Session(engine, expire_on_commit=False) as session:
        [dead] = dead_letters(session)
        assert (dead.id, dead.last_error, dead.finished_at) == (job_id, "boom 2", at(2))
        assert stats(session) == {"pending": 0, "running": 0, "done": 0, "dead": 1}


def test_the_workers_bound_applies_to_jobs_without_their_own(engine: Engine) -> None:
    [job_id] = add_jobs(engine)
    for step, expected in enumerate([JobStatus.PENDING, JobStatus.DEAD]):
        job = claim(engine, "w", lease_seconds=60, now=at(step), default_max_attempts=2)
        assert job is not None
        status = fail(
            engine, job, "boom", permanent=False, backoff=0, now=at(step), default_max_attempts=2
        )
        assert status is expected
    assert job_row(engine, job_id).status == JobStatus.DEAD


def test_permanent_failure_dead_letters_at_once(engine: Engine) -> None:
    [job_id] = add_jobs(engine)
    job = claim(engine, "w", lease_seconds=60, now=at(0))
    assert job is not None
    assert fail(engine, job, "bad address", permanent=True, backoff=10, now=at(1)) is JobStatus.DEAD
    row = job_row(engine, job_id)
    assert (row.status, row.attempts, row.finished_at) == (JobStatus.DEAD, 1, at(1))
    assert outcomes(engine, job_id) == [(1, "w", "dead")]


def test_requeue_dead_gives_dead_jobs_more_attempts(engine: Engine) -> None:
    dead_id, pending_id = add_jobs(engine, 2, max_attempts=1)
    job = claim(engine, "w", lease_seconds=60, now=at(0))
    assert job is not None
    assert job.id == dead_id
    fail(engine, job, "down", permanent=False, backoff=0, now=at(1))
    assert job_row(engine, dead_id).status == JobStatus.DEAD

    with Session(engine, expire_on_commit=False) as session, session.begin():
        assert requeue_dead(session, [dead_id, pending_id], extra_attempts=2, now=at(5)) == 1
        assert requeue_dead(session, []) == 0
    row = job_row(engine, dead_id)
    assert (row.status, row.run_after, row.max_attempts, row.finished_at) == (
        JobStatus.PENDING,
        at(5),
        3,
        None,
    )
    assert row.last_error == "down"  # kept until the job succeeds
    assert job_row(engine, pending_id).max_attempts == 1  # not dead: left alone

    statuses = []
    for step in (6, 7):
        job = claim(engine, "w", lease_seconds=60, now=at(step))
        assert job is not None
        if job.id == pending_id:
            job = claim(engine, "w", lease_seconds=60, now=at(step))
            assert job is not None
        assert job.id == dead_id
        statuses.append(fail(engine, job, "still down", permanent=False, backoff=0, now=at(step)))
    assert statuses == [JobStatus.PENDING, JobStatus.DEAD]  # attempts 2 and 3 of 3
    assert [n for n, _, _ in outcomes(engine, dead_id)] == [1, 2, 3]


def test_requeue_refreshes_objects_in_the_session(engine: Engine) -> None:
    [job_id] = add_jobs(engine)
    job = claim(engine, "w", lease_seconds=60, now=at(0))
    assert job is not None
    fail(engine, job, "x", permanent=True, backoff=0, now=at(0))
    with Session(engine, expire_on_commit=False) as session, session.begin():
        [dead] = dead_letters(session)
        requeue_dead(session, [dead.id], now=at(1))
        assert dead.status == JobStatus.PENDING
    assert job_row(engine, job_id).status == JobStatus.PENDING


def test_stats_counts_every_status(engine: Engine) -> None:
    add_jobs(engine, 4)
    first = claim(engine, "w", lease_seconds=60, now=at(0))
    second = claim(engine, "w", lease_seconds=60, now=at(0))
    third = claim(engine, "w", lease_seconds=60, now=at(0))
    assert first is not None
    assert second is not None
    assert third is not None
    with Session(engine, expire_on_commit=False) as session, session.begin():
        complete(session, first, at(1))
    fail(engine, second, "x", permanent=True, backoff=0, now=at(1))
    with Session(engine, expire_on_commit=False) as session:
        assert stats(session) == {"pending": 1, "running": 1, "done": 1, "dead": 1}


# --- backoff ----------------------------------------------------------------------------------


def test_backoff_grows_and_is_capped() -> None:
    rng = random.Random(20260301)
    floors = []
    for attempt in range(1, 16):
        ceiling = min(3600.0, 10.0 * 2 ** (attempt - 1))
        samples = [backoff_seconds(attempt, 10.0, 3600.0, rng) for _ in range(200)]
        # Equal jitter: at least half the ceiling, at most the ceiling.
        assert all(ceiling / 2 <= s <= ceiling for s in samples)
        assert max(samples) - min(samples) > ceiling / 4  # really jittered
        floors.append(min(samples))
    assert floors[:9] == sorted(floors[:9])  # grows, doubling: 5, 10, 20, ... 1280
    assert floors[0] < 10 <= floors[1]
    assert all(f >= 1800 for f in floors[9:])  # capped: 3600 / 2 <= wait <= 3600
    assert backoff_seconds(10_000, 10.0, 3600.0, rng) <= 3600.0  # no overflow
    with pytest.raises(ValueError, match="start at 1"):
        backoff_seconds(0, 10.0, 3600.0, rng)
