"""Real worker processes, killed in the middle of a job.

The contract under test: a job's database effect commits together with its completion, so a
worker killed mid-job leaves no effect and the job is done exactly once by the next worker;
an effect outside the database (an HTTP call) may happen twice, always with the same
idempotency key, so the receiver can apply it once (at least once delivery).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from silkhub.stores.operational import utcnow
from silkhub.stores.outbox import JobStatus, OutboxJob, attempts_of, enqueue
from tests.workers.jobs_for_tests import CRASH_EFFECTS_DDL

REPO = Path(__file__).resolve().parents[2]
STEP_TIMEOUT = 30.0  # no step waits longer than this
LEASE_SECONDS = 2.0


def wait_for(condition: Callable[[], bool], what: str, describe: Callable[[], str]) -> None:
    deadline = time.monotonic() + STEP_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {STEP_TIMEOUT} s waiting for {what}\n{describe()}")
        time.sleep(0.02)


class WorkerProcesses:
    """Starts ``python -m silkhub.workers`` processes; kills whatever is left at the end."""

    def __init__(self, db_url: str, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.started: list[tuple[subprocess.Popen[bytes], IO[bytes], Path]] = []
        env = {k: v for k, v in os.environ.items() if not k.startswith("SILKHUB_")}
        env.update(
            SILKHUB_DATABASE_URL=db_url,
            SILKHUB_DATA_DIR=str(tmp_path / "data"),
            SILKHUB_WORKER_PLUGINS='["tests.workers.jobs_for_tests"]',
            SILKHUB_WORKER_LEASE_SECONDS=str(LEASE_SECONDS),
            SILKHUB_WORKER_POLL_SECONDS="0.1",
            SILKHUB_WORKER_BACKOFF_SECONDS="0.5",
            PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p),
            NO_PROXY="127.0.0.1,localhost",
            no_proxy="127.0.0.1,localhost",
        )
        self.env = env

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        log_path = self.tmp_path / f"worker-{len(self.started) + 1}.log"
        log = log_path.open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "silkhub.workers", *args],
            env=self.env,
            cwd=self.tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.started.append((proc, log, log_path))
        return proc

    def wait(self, proc: subprocess.Popen[bytes]) -> int:
        try:
            return proc.wait(timeout=STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"worker did not exit within {STEP_TIMEOUT} s\n{self.logs()}")

    def logs(self) -> str:
        parts = []
        for proc, log, path in self.started:
            log.flush()
            parts.append(f"--- {path.name} (exit {proc.poll()}) ---\n{path.read_text()}")
        return "\n".join(parts)

    def close(self) -> None:
        for proc, log, _ in self.started:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=STEP_TIMEOUT)
            log.close()


@pytest.fixture
def workers(db_url: str, tmp_path: Path) -> Iterator[WorkerProcesses]:
    processes = WorkerProcesses(db_url, tmp_path)
    try:
        yield processes
    finally:
        processes.close()


def add_job(engine: Engine, kind: str, payload: dict[str, Any]) -> OutboxJob:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        return enqueue(session, kind, payload)


def job(engine: Engine, job_id: int) -> OutboxJob:
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(OutboxJob, job_id)
        assert row is not None
        return row


def attempts(engine: Engine, job_id: int) -> list[tuple[int, str, str]]:
    with Session(engine) as session:
        return [(a.number, a.outcome, a.worker) for a in attempts_of(session, job_id)]


def wait_for_lease_to_expire(engine: Engine, job_id: int) -> None:
    locked_until = job(engine, job_id).locked_until
    assert locked_until is not None
    remaining = (locked_until - utcnow()).total_seconds()
    time.sleep(max(0.0, remaining) + 0.2)


def kill(proc: subprocess.Popen[bytes], workers: WorkerProcesses) -> None:
    proc.send_signal(signal.SIGKILL)
    assert workers.wait(proc) == -signal.SIGKILL


def assert_abandoned_then_succeeded(engine: Engine, job_id: int) -> None:
    row = job(engine, job_id)
    assert (row.status, row.attempts, row.locked_by) == (JobStatus.DONE, 2, None)
    (n1, outcome1, worker1), (n2, outcome2, worker2) = attempts(engine, job_id)
    assert (n1, outcome1) == (1, "abandoned")
    assert (n2, outcome2) == (2, "succeeded")
    assert worker1 != worker2


def test_killed_mid_job_the_database_effect_happens_exactly_once(
    engine: Engine, workers: WorkerProcesses, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        conn.execute(text(CRASH_EFFECTS_DDL))

    def effect_rows() -> list[tuple[Any, ...]]:
        with engine.connect() as conn:
            query = text("SELECT idempotency_key, job_id, attempt FROM crash_effects")
            return [tuple(r) for r in conn.execute(query)]

    marker = tmp_path / "mid-job"
    the_job = add_job(
        engine, "test.effect", {"marker": str(marker), "pause_on_attempt": 1, "sleep": 120}
    )

    first = workers.start()
    wait_for(marker.exists, "the first worker to be mid-job", workers.logs)
    kill(first, workers)
    # Its effect was written in the job's transaction, which died with it.
    assert effect_rows() == []
    killed = job(engine, the_job.id)
    assert (killed.status, killed.attempts) == (JobStatus.RUNNING, 1)
    assert attempts(engine, the_job.id)[0][:2] == (1, "running")

    wait_for_lease_to_expire(engine, the_job.id)
    second = workers.start("--until-empty")
    assert workers.wait(second) == 0, workers.logs()

    assert effect_rows() == [(the_job.idempotency_key, the_job.id, 2)]
    assert_abandoned_then_succeeded(engine, the_job.id)


class Receiver:
    """An HTTP endpoint that records every request and applies each idempotency key once."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.applied: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers["Idempotency-Key"]
                with receiver.lock:
                    receiver.requests.append((key, body))
                    receiver.applied.setdefault(key, body)  # a duplicate changes nothing
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hooks/silkhub"

    def count(self) -> int:
        with self.lock:
            return len(self.requests)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    try:
        yield r
    finally:
        r.server.shutdown()
        r.server.server_close()
        r.thread.join(STEP_TIMEOUT)


def test_killed_after_an_http_call_the_call_is_repeated_with_the_same_key(
    engine: Engine, workers: WorkerProcesses, receiver: Receiver, tmp_path: Path
) -> None:
    marker = tmp_path / "mid-job"
    the_job = add_job(
        engine,
        "test.webhook",
        {"url": receiver.url, "marker": str(marker), "pause_on_attempt": 1, "sleep": 120},
    )

    first = workers.start()
    wait_for(
        lambda: marker.exists() and receiver.count() == 1,
        "the receiver to get the first call",
        workers.logs,
    )
    kill(first, workers)
    assert job(engine, the_job.id).status == JobStatus.RUNNING

    wait_for_lease_to_expire(engine, the_job.id)
    second = workers.start("--until-empty")
    assert workers.wait(second) == 0, workers.logs()

    # At least once: the call went out twice, both times under the job's idempotency key...
    assert receiver.requests == [
        (the_job.idempotency_key, {"job": the_job.id, "attempt": 1}),
        (the_job.idempotency_key, {"job": the_job.id, "attempt": 2}),
    ]
    # ...so the receiver, deduplicating by key, applied it once.
    assert receiver.applied == {the_job.idempotency_key: {"job": the_job.id, "attempt": 1}}
    assert_abandoned_then_succeeded(engine, the_job.id)


def test_sigterm_lets_the_current_job_finish(
    engine: Engine, workers: WorkerProcesses, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        conn.execute(text(CRASH_EFFECTS_DDL))
    marker = tmp_path / "mid-job"
    the_job = add_job(
        engine, "test.effect", {"marker": str(marker), "pause_on_attempt": 1, "sleep": 0.5}
    )
    worker = workers.start()
    wait_for(marker.exists, "the worker to be mid-job", workers.logs)
    worker.send_signal(signal.SIGTERM)
    assert workers.wait(worker) == 0, workers.logs()
    row = job(engine, the_job.id)
    assert (row.status, row.attempts) == (JobStatus.DONE, 1)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM crash_effects")).scalar() == 1


def test_the_worker_process_refuses_an_uninitialised_store(
    db_url: str, workers: WorkerProcesses
) -> None:
    proc = workers.start("--until-empty")
    assert workers.wait(proc) == 2
    output = workers.logs()
    assert "尚未初始化" in output
    assert "Run `silkhub init` first" in output
