"""The outbox: background jobs written in the same transaction as the change that causes them.

A service that must send an e-mail, call a webhook or publish at a fixed time does not do it
itself: it calls ``enqueue`` inside its own transaction, so the job exists if and only if the
change commits. Workers (``silkhub.workers``) then ``claim`` one job at a time, run its handler,
and ``complete`` it in the same transaction as the handler's own database effect, or ``fail``
it (retry later with backoff, or dead-letter).

Claiming
    SQLite: one ``UPDATE ... WHERE id = (SELECT ... LIMIT 1) RETURNING`` inside a transaction
    that holds the write lock from its start (``BEGIN IMMEDIATE``): two workers cannot take the
    same row because only one of them can be writing. PostgreSQL: ``SELECT ... FOR UPDATE SKIP
    LOCKED LIMIT 1`` then ``UPDATE``, in one transaction: concurrent workers skip each other's
    rows instead of waiting for them.

Leases and fencing
    A claim is a lease (``locked_by``, ``locked_until``). A job whose lease has expired while
    still ``running`` (its worker died, or hangs) is claimed again by another worker; the old
    attempt is then marked ``abandoned``. The pair (``locked_by``, ``attempts``) is the fencing
    token: ``complete`` and ``fail`` only touch the row while it still carries the token of the
    claim that is completing it, so a worker that lost its job to another cannot complete it
    (``LeaseLost``) and its transaction, with the handler's effect, is rolled back.

Attempts and the bound
    ``attempts`` counts every claim over the job's life; it is also the number of the current
    attempt (``outbox_attempts.number``). A job dead-letters when a failure happens on attempt
    ``max_attempts``, where a job enqueued without its own bound (``max_attempts`` NULL) takes
    the bound the worker is configured with (``default_max_attempts``). ``requeue_dead`` gives
    a dead job more attempts by raising its bound; attempt numbers keep counting.

Delivery is at least once: a worker can die after its effect left the building (an HTTP call,
an e-mail) and before it recorded so; the job then runs again. Every job carries an
``idempotency_key`` for the receiver to drop duplicates with.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Row,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from silkhub.core.errors import Conflict, Message
from silkhub.stores.operational import Base, utcnow, write_transaction

#: Attempts at a job before it is dead-lettered, when neither the job nor the worker says.
DEFAULT_MAX_ATTEMPTS = 8

#: Longest error text kept on a job or an attempt (a traceback can be long).
MAX_ERROR_CHARS = 8000


class JobStatus(StrEnum):
    PENDING = "pending"  # waiting for run_after
    RUNNING = "running"  # claimed; locked_by holds it until locked_until
    DONE = "done"
    DEAD = "dead"  # dead letter: no more attempts until requeued


class AttemptOutcome(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # will be retried
    DEAD = "dead"  # failed, and the job was dead-lettered
    ABANDONED = "abandoned"  # its worker stopped answering; the lease expired


def _in(column: str, values: Iterable[StrEnum]) -> str:
    quoted = ", ".join(f"'{v.value}'" for v in values)
    return f"{column} IN ({quoted})"


class OutboxJob(Base):
    """One unit of background work."""

    __tablename__ = "outbox_jobs"
    __audit__ = False
    __table_args__ = (
        Index("ix_outbox_jobs_status_run_after", "status", "run_after"),
        CheckConstraint(_in("status", JobStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # NULL: the bound the worker is configured with (worker_max_attempts).
    max_attempts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    run_after: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)

    def __repr__(self) -> str:
        return f"<OutboxJob {self.id} {self.kind} {self.status} attempts={self.attempts}>"


class OutboxAttempt(Base):
    """One claim of a job by a worker, and how it ended."""

    __tablename__ = "outbox_attempts"
    __audit__ = False
    __table_args__ = (
        UniqueConstraint("job_id", "number", name="uq_outbox_attempts_job_id_number"),
        CheckConstraint(_in("outcome", AttemptOutcome), name="outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("outbox_jobs.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1-based; equals the job's attempts
    worker: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    outcome: Mapped[str] = mapped_column(String(20), default=AttemptOutcome.RUNNING.value)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job as a worker holds it: what to do, and the fencing token of this claim."""

    id: int
    kind: str
    payload: dict[str, Any]
    idempotency_key: str
    attempt: int  # 1-based number of this attempt
    max_attempts: int | None  # the job's own bound; None: the worker's
    worker_id: str

    def is_last_attempt(self, default_max_attempts: int) -> bool:
        bound = self.max_attempts if self.max_attempts is not None else default_max_attempts
        return self.attempt >= bound


class LeaseLost(Conflict):
    """The job is no longer held by this claim: its lease expired and another worker took it,
    or it was finished meanwhile. Whatever the caller did in this transaction must roll back."""

    code = "job_lease_lost"

    def __init__(self, claimed: ClaimedJob) -> None:
        self.claimed = claimed
        super().__init__(
            Message(
                f"任务 {claimed.id}（{claimed.kind}）第 {claimed.attempt} 次尝试已不再由工作进程 "
                f"{claimed.worker_id} 持有（租约已过期并被其他工作进程接手），结果不予提交。",
                f"Job {claimed.id} ({claimed.kind}) attempt {claimed.attempt} is no longer held "
                f"by worker {claimed.worker_id} (its lease expired and another worker took it "
                "over); its result is not committed.",
            )
        )


# --- enqueue ---------------------------------------------------------------------------------


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    idempotency_key: str | None = None,
    run_after: datetime | None = None,
    max_attempts: int | None = None,
    now: datetime | None = None,
) -> OutboxJob:
    """Add a job in the caller's transaction (the caller commits or rolls back).

    A job whose ``idempotency_key`` exists already is returned as it is, and nothing is added;
    a concurrent enqueue of the same key does not break the caller's transaction either
    (``INSERT ... ON CONFLICT DO NOTHING``). Without a key, one is made: ``"{kind}:{uuid4}"``.
    """
    if max_attempts is not None and max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    key = idempotency_key if idempotency_key is not None else f"{kind}:{uuid.uuid4()}"
    existing = _find_by_key(session, key)
    if existing is not None:
        return existing
    now = now or utcnow()
    values: dict[str, Any] = {
        "kind": kind,
        "payload": payload,
        "idempotency_key": key,
        "status": JobStatus.PENDING.value,
        "attempts": 0,
        "max_attempts": max_attempts,
        "run_after": run_after or now,
        "created_at": now,
    }
    session.execute(_insert_ignoring_duplicate_key(session, values))
    job = _find_by_key(session, key)
    if job is None:  # pragma: no cover - the row was just inserted or was there already
        raise RuntimeError(f"outbox job {key!r} vanished while being enqueued")
    return job


def enqueue_many(
    session: Session,
    kind: str,
    jobs: Sequence[tuple[str, dict[str, Any]]],
    *,
    run_after: datetime | None = None,
    max_attempts: int | None = None,
    now: datetime | None = None,
) -> int:
    """Add many jobs of one kind, each ``(idempotency_key, payload)``, in one statement.

    For fan-outs (an alert to thousands of recipients): one round trip instead of three per
    job. Keys that exist already are skipped, as in ``enqueue``; returns how many rows the
    database reports inserted (drivers may report -1 for executemany).
    """
    if not jobs:
        return 0
    if max_attempts is not None and max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    now = now or utcnow()
    due = run_after or now
    rows = [
        {
            "kind": kind,
            "payload": payload,
            "idempotency_key": key,
            "status": JobStatus.PENDING.value,
            "attempts": 0,
            "max_attempts": max_attempts,
            "run_after": due,
            "created_at": now,
        }
        for key, payload in jobs
    ]
    # The table, not the ORM entity: the ORM's bulk path would run one statement per row.
    statement = _insert_ignoring_duplicate_key(session, None, table=True)
    result = session.execute(statement, rows)
    return int(getattr(result, "rowcount", -1))


def _find_by_key(session: Session, key: str) -> OutboxJob | None:
    return session.scalars(select(OutboxJob).where(OutboxJob.idempotency_key == key)).first()


def _insert_ignoring_duplicate_key(
    session: Session, values: dict[str, Any] | None, *, table: bool = False
) -> Any:
    """``INSERT ... ON CONFLICT (idempotency_key) DO NOTHING``; without ``values``, the
    statement for an executemany."""
    name = session.get_bind().dialect.name
    dialect: Any
    if name == "postgresql":
        dialect = postgresql
    elif name == "sqlite":
        dialect = sqlite
    else:
        raise NotImplementedError(f"the outbox does not support the {name} dialect")
    target: Any = OutboxJob.__table__ if table else OutboxJob
    statement = dialect.insert(target)
    if values is not None:
        statement = statement.values(**values)
    return statement.on_conflict_do_nothing(index_elements=["idempotency_key"])


# --- claim -----------------------------------------------------------------------------------


def claim(
    engine: Engine,
    worker_id: str,
    *,
    lease_seconds: float,
    now: datetime | None = None,
    default_max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> ClaimedJob | None:
    """Take one job that is due (pending, run_after <= now) or whose lease expired; None if
    there is none. Commits before returning: the job is then ``running``, leased to
    ``worker_id`` until now + ``lease_seconds``, with a ``running`` attempt row.

    A job whose worker died on its last allowed attempt is not run again: it is dead-lettered
    here (the attempt ``abandoned``), so a job that kills its worker cannot loop forever.
    """
    now = now or utcnow()
    locked_until = now + timedelta(seconds=lease_seconds)
    with write_transaction(engine) as conn:
        _reap_exhausted(conn, now, default_max_attempts)
        if conn.dialect.name == "postgresql":
            row = _claim_postgresql(conn, worker_id, now, locked_until, default_max_attempts)
        else:
            row = _claim_sqlite(conn, worker_id, now, locked_until, default_max_attempts)
        if row is None:
            return None
        job = ClaimedJob(
            id=row.id,
            kind=row.kind,
            payload=row.payload,
            idempotency_key=row.idempotency_key,
            attempt=row.attempts,
            max_attempts=row.max_attempts,
            worker_id=worker_id,
        )
        _abandon_running_attempts(conn, [job.id], now)
        conn.execute(
            insert(OutboxAttempt).values(
                job_id=job.id,
                number=job.attempt,
                worker=worker_id,
                started_at=now,
                outcome=AttemptOutcome.RUNNING.value,
            )
        )
        return job


def _bound(default_max_attempts: int) -> Any:
    return func.coalesce(OutboxJob.max_attempts, default_max_attempts)


def _claimable(now: datetime, default_max_attempts: int) -> Any:
    return or_(
        and_(OutboxJob.status == JobStatus.PENDING.value, OutboxJob.run_after <= now),
        and_(
            OutboxJob.status == JobStatus.RUNNING.value,
            OutboxJob.locked_until <= now,
            OutboxJob.attempts < _bound(default_max_attempts),
        ),
    )


_RETURNED = (
    OutboxJob.id,
    OutboxJob.kind,
    OutboxJob.payload,
    OutboxJob.idempotency_key,
    OutboxJob.attempts,
    OutboxJob.max_attempts,
)


def _claim_values(worker_id: str, locked_until: datetime) -> dict[str, Any]:
    return {
        "status": JobStatus.RUNNING.value,
        "attempts": OutboxJob.attempts + 1,
        "locked_by": worker_id,
        "locked_until": locked_until,
    }


def _claim_sqlite(
    conn: Connection,
    worker_id: str,
    now: datetime,
    locked_until: datetime,
    default_max_attempts: int,
) -> Row[Any] | None:
    # One statement, in a transaction that has held the write lock since BEGIN IMMEDIATE.
    candidate = (
        select(OutboxJob.id)
        .where(_claimable(now, default_max_attempts))
        .order_by(OutboxJob.run_after, OutboxJob.id)
        .limit(1)
        .scalar_subquery()
    )
    statement = (
        update(OutboxJob)
        .where(OutboxJob.id == candidate)
        .values(**_claim_values(worker_id, locked_until))
        .returning(*_RETURNED)
    )
    return conn.execute(statement).first()


def _claim_postgresql(
    conn: Connection,
    worker_id: str,
    now: datetime,
    locked_until: datetime,
    default_max_attempts: int,
) -> Row[Any] | None:
    # Rows another claimer has locked are skipped, not waited for.
    job_id = conn.execute(
        select(OutboxJob.id)
        .where(_claimable(now, default_max_attempts))
        .order_by(OutboxJob.run_after, OutboxJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    if job_id is None:
        return None
    statement = (
        update(OutboxJob)
        .where(OutboxJob.id == job_id)
        .values(**_claim_values(worker_id, locked_until))
        .returning(*_RETURNED)
    )
    return conn.execute(statement).first()


def _reap_exhausted(conn: Connection, now: datetime, default_max_attempts: int) -> None:
    """Dead-letter running jobs whose lease expired on their last allowed attempt."""
    query = select(OutboxJob.id, OutboxJob.attempts, OutboxJob.locked_by).where(
        OutboxJob.status == JobStatus.RUNNING.value,
        OutboxJob.locked_until <= now,
        OutboxJob.attempts >= _bound(default_max_attempts),
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = conn.execute(query).all()
    for row in rows:
        error = (
            f"worker {row.locked_by} stopped answering on attempt {row.attempts}, the last "
            "allowed (its lease expired); the job is not run again"
        )
        conn.execute(
            update(OutboxJob)
            .where(OutboxJob.id == row.id, OutboxJob.status == JobStatus.RUNNING.value)
            .values(
                status=JobStatus.DEAD.value,
                locked_by=None,
                locked_until=None,
                last_error=error,
                finished_at=now,
            )
        )
    if rows:
        _abandon_running_attempts(conn, [row.id for row in rows], now)


def _abandon_running_attempts(conn: Connection, job_ids: Sequence[int], now: datetime) -> None:
    conn.execute(
        update(OutboxAttempt)
        .where(
            OutboxAttempt.job_id.in_(job_ids),
            OutboxAttempt.outcome == AttemptOutcome.RUNNING.value,
        )
        .values(
            outcome=AttemptOutcome.ABANDONED.value,
            finished_at=now,
            error="lease expired: the worker stopped answering before it finished",
        )
    )


# --- complete, fail --------------------------------------------------------------------------


def _held_by(claimed: ClaimedJob) -> Any:
    """The fencing condition: the row still carries this claim's token."""
    return and_(
        OutboxJob.id == claimed.id,
        OutboxJob.status == JobStatus.RUNNING.value,
        OutboxJob.locked_by == claimed.worker_id,
        OutboxJob.attempts == claimed.attempt,
    )


def complete(session: Session, claimed: ClaimedJob, now: datetime | None = None) -> None:
    """Mark the job done, in the caller's transaction (the one holding the handler's effect).

    Raises ``LeaseLost`` when the job is no longer held by this claim; the caller must then
    roll back, so the effect is not committed by a worker that lost the job. A job whose lease
    expired but that nobody took over yet is still held, and completes.
    """
    now = now or utcnow()
    done = session.execute(
        update(OutboxJob)
        .where(_held_by(claimed))
        .values(
            status=JobStatus.DONE.value,
            locked_by=None,
            locked_until=None,
            last_error=None,
            finished_at=now,
        )
        .returning(OutboxJob.id)
        .execution_options(synchronize_session="fetch")
    ).first()
    if done is None:
        raise LeaseLost(claimed)
    session.execute(
        update(OutboxAttempt)
        .where(OutboxAttempt.job_id == claimed.id, OutboxAttempt.number == claimed.attempt)
        .values(outcome=AttemptOutcome.SUCCEEDED.value, finished_at=now)
        .execution_options(synchronize_session=False)
    )


def fail(
    engine: Engine,
    claimed: ClaimedJob,
    error: str,
    *,
    permanent: bool,
    backoff: float,
    now: datetime | None = None,
    default_max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> JobStatus | None:
    """Record a failed attempt in a transaction of its own, and say what became of the job.

    The job goes back to ``pending`` until now + ``backoff`` seconds, or to ``dead`` when the
    failure is ``permanent`` or this was its last allowed attempt. Returns the job's new
    status, or None (and changes nothing) when the job is no longer held by this claim.
    """
    now = now or utcnow()
    error = error[:MAX_ERROR_CHARS]
    dead = permanent or claimed.is_last_attempt(default_max_attempts)
    if dead:
        status = JobStatus.DEAD
        values: dict[str, Any] = {"status": status.value, "finished_at": now}
        outcome = AttemptOutcome.DEAD
    else:
        status = JobStatus.PENDING
        values = {"status": status.value, "run_after": now + timedelta(seconds=backoff)}
        outcome = AttemptOutcome.FAILED
    with write_transaction(engine) as conn:
        changed = conn.execute(
            update(OutboxJob)
            .where(_held_by(claimed))
            .values(locked_by=None, locked_until=None, last_error=error, **values)
            .returning(OutboxJob.id)
        ).first()
        if changed is None:
            return None
        conn.execute(
            update(OutboxAttempt)
            .where(OutboxAttempt.job_id == claimed.id, OutboxAttempt.number == claimed.attempt)
            .values(outcome=outcome.value, finished_at=now, error=error)
        )
    return status


def backoff_seconds(attempt: int, base: float, maximum: float, rng: random.Random) -> float:
    """How long to wait after failed attempt number ``attempt`` (1-based).

    Exponential with *equal jitter*: the ceiling is ``min(maximum, base * 2 ** (attempt - 1))``
    and the wait is drawn uniformly from [ceiling / 2, ceiling]. Half the wait is certain, so
    retries do grow (full jitter could retry at once), and the random half spreads the retries
    of many jobs that failed together (a receiver that was down) instead of sending them back
    all at the same second.
    """
    if attempt < 1:
        raise ValueError("attempt numbers start at 1")
    # Cap the exponent before computing: 2 ** 1000 as a float overflows.
    exponent = min(attempt - 1, 64)
    ceiling = min(maximum, base * 2.0**exponent)
    half = ceiling / 2
    return half + rng.uniform(0, half)


# --- operations ------------------------------------------------------------------------------


def requeue_dead(
    session: Session,
    job_ids: Iterable[int],
    *,
    extra_attempts: int = 1,
    now: datetime | None = None,
) -> int:
    """Give dead jobs another chance ("retry the failed ones"), in the caller's transaction.

    Each dead job among ``job_ids`` goes back to ``pending``, due now, with ``extra_attempts``
    more attempts than it has had. Jobs that are not dead are left alone. Returns how many were
    requeued.
    """
    if extra_attempts < 1:
        raise ValueError("extra_attempts must be at least 1")
    ids = list(job_ids)
    if not ids:
        return 0
    now = now or utcnow()
    requeued = session.execute(
        update(OutboxJob)
        .where(OutboxJob.id.in_(ids), OutboxJob.status == JobStatus.DEAD.value)
        .values(
            status=JobStatus.PENDING.value,
            run_after=now,
            max_attempts=OutboxJob.attempts + extra_attempts,
            locked_by=None,
            locked_until=None,
            finished_at=None,
        )
        .returning(OutboxJob.id)
        .execution_options(synchronize_session="fetch")
    ).all()
    return len(requeued)


def stats(session: Session) -> dict[str, int]:
    """How many jobs are in each status (every status listed, zeros included)."""
    counts = {status.value: 0 for status in JobStatus}
    rows = session.execute(select(OutboxJob.status, func.count()).group_by(OutboxJob.status)).all()
    for status, count in rows:
        counts[status] = count
    return counts


def dead_letters(session: Session, *, limit: int = 100, kind: str | None = None) -> list[OutboxJob]:
    """The dead jobs, most recently dead first."""
    query = select(OutboxJob).where(OutboxJob.status == JobStatus.DEAD.value)
    if kind is not None:
        query = query.where(OutboxJob.kind == kind)
    query = query.order_by(OutboxJob.finished_at.desc(), OutboxJob.id.desc()).limit(limit)
    return list(session.scalars(query))


def attempts_of(session: Session, job_id: int) -> list[OutboxAttempt]:
    """The attempts at one job, in order."""
    return list(
        session.scalars(
            select(OutboxAttempt)
            .where(OutboxAttempt.job_id == job_id)
            .order_by(OutboxAttempt.number)
        )
    )
