"""The worker: claims outbox jobs one at a time and runs their handlers.

One job at a time per worker; run several workers (processes, on one machine or many) for
more throughput: the claim makes sure no two take the same job. For each job:

1. ``claim`` it (a lease of ``worker_lease_seconds``);
2. run its handler in a new session, then ``complete`` the job in that same transaction and
   commit: the handler's effect and the completion are one commit;
3. on ``PermanentJobError``, or a kind nobody handles, dead-letter the job at once; on
   ``TemporaryJobError`` or any other exception, roll the effect back and retry later with
   exponential backoff (or after the error's ``retry_after``, if longer), until
   ``worker_max_attempts`` is reached;
4. on ``LeaseLost`` (the job was taken over by another worker while this one was slow), roll
   back and leave the job to its new holder.

A failing job never stops the worker. SIGTERM or SIGINT makes it finish the current job and
return; a second signal stops it at once (the job's transaction rolls back, and the job is
taken again when its lease expires).
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import FrameType
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from silkhub.core.errors import JobError, PermanentJobError, SchemaMismatch, TemporaryJobError
from silkhub.jobs import Handler, JobContext
from silkhub.logs import configure_logging
from silkhub.migrations import ensure_current
from silkhub.settings import Settings
from silkhub.stores.audit import Actor, install_audit
from silkhub.stores.operational import (
    SQLITE_BEGIN,
    is_sqlite,
    make_engine,
    session_factory,
    utcnow,
)
from silkhub.stores.outbox import (
    ClaimedJob,
    JobStatus,
    LeaseLost,
    backoff_seconds,
    claim,
    complete,
    fail,
)
from silkhub.workers.registry import HandlerRegistryError, load_handlers

log = logging.getLogger("silkhub.workers")


class Clock(Protocol):
    """Time as the worker sees it; tests pass a clock they move by hand."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...

    def sleep(self, seconds: float, wake: threading.Event) -> None:
        """Wait ``seconds``, or less if ``wake`` is set meanwhile."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return utcnow()

    def sleep(self, seconds: float, wake: threading.Event) -> None:
        wake.wait(seconds)


class JobOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    RETRYING = "retrying"  # failed; will be tried again after the backoff
    DEAD = "dead"  # dead-lettered
    LEASE_LOST = "lease_lost"  # another worker took the job over; nothing committed here


@dataclass
class RunSummary:
    """What one ``Worker.run`` did."""

    outcomes: dict[JobOutcome, int] = field(default_factory=dict)

    def add(self, outcome: JobOutcome) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    @property
    def processed(self) -> int:
        return sum(self.outcomes.values())

    def count(self, outcome: JobOutcome) -> int:
        return self.outcomes.get(outcome, 0)


def default_worker_id() -> str:
    """Host, process and a random part: unique even when a process id is reused."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class Worker:
    """Claims and runs jobs from the outbox of ``engine``."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        handlers: Mapping[str, Handler],
        worker_id: str | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.handlers = dict(handlers)
        self.worker_id = worker_id or default_worker_id()
        self.clock: Clock = clock or SystemClock()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self._stop = threading.Event()
        self._sessions = _job_sessions(engine)

    # --- the loop ---

    def run(
        self, *, once: bool = False, until_empty: bool = False, max_jobs: int | None = None
    ) -> RunSummary:
        """Work until stopped; or, with ``once``, take at most one job; with ``until_empty``,
        until no job is due; with ``max_jobs``, until that many were processed."""
        summary = RunSummary()
        bounded = once or until_empty
        log.info(
            "worker %s started; job kinds: %s",
            self.worker_id,
            ", ".join(sorted(self.handlers)) or "(none)",
        )
        while not self._stop.is_set():
            if max_jobs is not None and summary.processed >= max_jobs:
                break
            try:
                claimed = self.claim()
            except SQLAlchemyError:
                if bounded:
                    raise
                log.exception(
                    "worker %s cannot claim a job; trying again in %s s",
                    self.worker_id,
                    self.settings.worker_poll_seconds,
                )
                self.clock.sleep(self.settings.worker_poll_seconds, self._stop)
                continue
            if claimed is None:
                if bounded:
                    break
                self.clock.sleep(self.settings.worker_poll_seconds, self._stop)
                continue
            summary.add(self.process(claimed))
            if once:
                break
        log.info(
            "worker %s stopped after %d job(s): %s",
            self.worker_id,
            summary.processed,
            ", ".join(f"{k} {v}" for k, v in summary.outcomes.items()) or "nothing to do",
        )
        return summary

    def stop(self) -> None:
        """Finish the current job, then return from ``run`` (safe from any thread)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @contextmanager
    def handle_signals(self) -> Iterator[None]:
        """While inside, SIGTERM and SIGINT call ``stop``; a second one raises
        ``KeyboardInterrupt`` to stop at once. Only in the main thread (elsewhere: no-op)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def _on_signal(signum: int, _frame: FrameType | None) -> None:
            name = signal.Signals(signum).name
            if self._stop.is_set():
                log.warning("worker %s: second %s, stopping at once", self.worker_id, name)
                raise KeyboardInterrupt
            log.info(
                "worker %s: %s received, finishing the current job then stopping",
                self.worker_id,
                name,
            )
            self.stop()

        signals = (signal.SIGTERM, signal.SIGINT)
        previous = {sig: signal.getsignal(sig) for sig in signals}
        for sig in signals:
            signal.signal(sig, _on_signal)
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    # --- one job ---

    def claim(self) -> ClaimedJob | None:
        return claim(
            self.engine,
            self.worker_id,
            lease_seconds=self.settings.worker_lease_seconds,
            now=self.clock.now(),
            default_max_attempts=self.settings.worker_max_attempts,
        )

    def process(self, job: ClaimedJob) -> JobOutcome:
        """Run a claimed job's handler and record the outcome; never raises for the job's
        own failures."""
        handler = self.handlers.get(job.kind)
        if handler is None:
            known = ", ".join(sorted(self.handlers)) or "none"
            error = (
                f"no handler for job kind {job.kind!r} (kinds this worker handles: {known}); "
                "register one in a capability's jobs.HANDLERS or in worker_plugins"
            )
            return self._record_failure(job, error, permanent=True)
        started = time.monotonic()
        try:
            with self._sessions() as session:
                session.info["actor"] = Actor.system(f"worker:{self.worker_id}")
                with session.begin():
                    handler(JobContext(job, session, self.settings, self.clock.now()))
                    complete(session, job, self.clock.now())
        except LeaseLost:
            log.warning(
                "job %d (%s) attempt %d: lease lost to another worker; rolled back",
                job.id,
                job.kind,
                job.attempt,
            )
            return JobOutcome.LEASE_LOST
        except PermanentJobError as exc:
            return self._record_failure(job, _describe(exc), permanent=True)
        except TemporaryJobError as exc:
            return self._record_failure(
                job, _describe(exc), permanent=False, retry_after=exc.retry_after
            )
        except Exception as exc:  # one job's failure must not stop the worker
            if not isinstance(exc, JobError):
                log.warning("job %d (%s) raised", job.id, job.kind, exc_info=exc)
            return self._record_failure(job, _describe(exc), permanent=False)
        log.info(
            "job %d (%s) attempt %d succeeded in %.3f s",
            job.id,
            job.kind,
            job.attempt,
            time.monotonic() - started,
        )
        return JobOutcome.SUCCEEDED

    def _record_failure(
        self, job: ClaimedJob, error: str, *, permanent: bool, retry_after: float | None = None
    ) -> JobOutcome:
        backoff = backoff_seconds(
            job.attempt,
            self.settings.worker_backoff_seconds,
            self.settings.worker_backoff_max_seconds,
            self._rng,
        )
        if retry_after is not None:
            # Never sooner than the receiver asked (retrying earlier only earns another 429),
            # never later than the configured longest wait (a hostile or mistaken
            # Retry-After of a year must not park the job for a year).
            backoff = max(backoff, min(retry_after, self.settings.worker_backoff_max_seconds))
        summary = error.splitlines()[0] if error else ""
        try:
            status = fail(
                self.engine,
                job,
                error,
                permanent=permanent,
                backoff=backoff,
                now=self.clock.now(),
                default_max_attempts=self.settings.worker_max_attempts,
            )
        except SQLAlchemyError:
            log.exception(
                "job %d (%s) attempt %d failed (%s), and the failure could not be recorded; "
                "it will be taken again when its lease expires",
                job.id,
                job.kind,
                job.attempt,
                summary,
            )
            return JobOutcome.RETRYING
        if status is None:
            log.warning(
                "job %d (%s) attempt %d failed (%s) after another worker took it over",
                job.id,
                job.kind,
                job.attempt,
                summary,
            )
            return JobOutcome.LEASE_LOST
        if status is JobStatus.DEAD:
            log.error(
                "job %d (%s) attempt %d failed, dead-lettered: %s",
                job.id,
                job.kind,
                job.attempt,
                summary,
            )
            return JobOutcome.DEAD
        log.warning(
            "job %d (%s) attempt %d failed, retry in %.1f s: %s",
            job.id,
            job.kind,
            job.attempt,
            backoff,
            summary,
        )
        return JobOutcome.RETRYING


def _job_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions for handlers. On SQLite their transaction takes the write lock at its first
    statement (BEGIN IMMEDIATE): a handler that reads, then writes, cannot fail to upgrade its
    read lock because another worker wrote meanwhile."""
    bind = engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}) if is_sqlite(engine) else engine
    factory = session_factory(bind)
    install_audit(factory)
    return factory


def _describe(exc: BaseException) -> str:
    """The error's one-line summary, then its traceback (kept on the job and the attempt)."""
    summary = f"{type(exc).__name__}: {exc}"
    return summary + "\n\n" + "".join(traceback.format_exception(exc))


def run_worker(
    settings: Settings,
    *,
    once: bool = False,
    until_empty: bool = False,
    max_jobs: int | None = None,
) -> int:
    """Run a worker on the configured store; the process exit code.

    0: stopped normally (signal, ``once``, ``until_empty``, ``max_jobs``); 1: the store cannot
    be reached; 2: refused to start (schema not current, handlers misconfigured; the message
    is printed in both languages); 130: stopped at once by a second signal.
    """
    configure_logging(settings.log_level)
    engine = make_engine(settings.resolved_database_url)
    try:
        try:
            ensure_current(engine)
            handlers = load_handlers(settings)
        except (SchemaMismatch, HandlerRegistryError) as exc:
            print(f"{exc.message.zh}\n{exc.message.en}", file=sys.stderr)
            return 2
        except OperationalError as exc:
            print(
                f"无法连接业务数据库：{exc.orig}\nCannot reach the operational store: {exc.orig}",
                file=sys.stderr,
            )
            return 1
        worker = Worker(settings, engine, handlers)
        with worker.handle_signals():
            try:
                worker.run(once=once, until_empty=until_empty, max_jobs=max_jobs)
            except KeyboardInterrupt:
                return 130
        return 0
    finally:
        engine.dispose()
