"""How fast silkhub ingests and serves DCSA track-and-trace events (issue 6, "Speed").

1. **Bulk ingestion** of N events (default 1,000,000; seeded equipment events, one container
   of every 10) through ``service.ingest`` in batches of 5,000, one transaction per batch,
   every check included (the DCSA shape, codes, places, check digits, the lookup of stored
   versions, the subscriptions' matching). Against a **bare insert of the same rows with the
   same driver** in the same run: the event rows and their references built straight from
   the documents (JSON serialised, timestamps parsed; no checks, no lookups) and written the
   way silkhub writes them — ``executemany`` with the ``sqlite3`` module, ``COPY`` with
   psycopg 3 — batch by batch, one transaction each. The two take turns batch by batch, each
   into a store of its own, so that both meet the same load on a shared machine; on SQLite
   (all the work in this process) their CPU time is reported too. Goal: at least 50,000
   events a second and at least half the bare rate, on SQLite and on PostgreSQL
   (``--postgres URL``: a database it may use; it works in the schemas ``bench_logistics``
   and ``bench_logistics_bare``, dropped and made again, dropped at the end). Document
   generation is outside the timings of both.
2. **GET latency**: ``GET /dcsa/tnt/v3/events?equipmentReference=...`` in process (FastAPI's
   TestClient, the whole stack: token, query, JSON) for random containers of a SQLite store of
   ``--store-events`` events (default 10,000,000; ten per container). The store is **written
   directly with the driver** (the same rows an ingest writes: events and their references,
   migrated schema and indexes), since building it through the checks would only repeat
   step 1 for an hour. Goal: p99 under 20 ms. It is deleted at the end. The same figure is
   taken on each store of step 1.
3. **Concurrency**: the same requests from 50 concurrent clients (threads, each with its own
   HTTP connection) against ``silkhub serve`` (uvicorn, one process of its own) on
   127.0.0.1, on the store of step 2 and on PostgreSQL's of step 1: requests a second and
   p99. No goal beyond reporting them.

    python benchmarks/logistics.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    python benchmarks/logistics.py --events 50000 --store-events 200000   # a quick run
    python benchmarks/logistics.py --skip sqlite store --postgres URL      # PostgreSQL only

The last line is a JSON object with every figure, the load average and whether each goal is
met; the machine's load average is printed with it, since a shared machine's figures move.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

GOAL_RATE = 50_000
GOAL_RATIO = 0.5
GOAL_P99_MS = 20.0
BATCH = 5000
ROOT = Path(__file__).resolve().parent.parent
SENDER = "bench|ZZZ//BENCH"  # what silkhub makes of the account "bench" and party BENCH
CODES = ("GTIN", "LOAD", "DISC", "GTOT")
PLACES = ("CNYIU", "CNAKL", "PLMAA", "DEDUI", "CNNBP", "GRPIR")
#: The columns of an event row, as both writers of step 1 fill them.
EVENT_COLUMNS = (
    "id",
    "sender",
    "event_id",
    "event_updated_at",
    "is_current",
    "is_retracted",
    "classifier",
    "type_code",
    "event_at",
    "facility_type",
    "document",
    "received_at",
    "received_by",
    "source",
    "event_type",
    "mode",
    "un_locode",
    "equipment_reference",
    "size_type",
    "transport_ref",
)
REF_COLUMNS = ("event_row_id", "kind", "reference")
INSERT_REFS = "INSERT INTO logistics_event_refs (event_row_id, kind, reference) VALUES (?, ?, ?)"
INSERT_EVENTS = (
    f"INSERT INTO logistics_events ({', '.join(EVENT_COLUMNS)}) "  # noqa: S608 (our own names)
    f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"
)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


@lru_cache(maxsize=4096)
def container(serial: int) -> str:
    from stdnum import iso6346

    base = f"BNCU{serial:06d}"
    return base + iso6346.calc_check_digit(base)


def events(start: int, n: int, seed: int) -> list[dict[str, Any]]:
    """Events ``start`` .. ``start + n - 1``, the same whichever batch asks for them."""
    rng = random.Random(seed * 1_000_003 + start)
    out = []
    for i in range(start, start + n):
        out.append(
            {
                "eventRouting": {
                    "originatingParty": {"partyCode": "BENCH", "codeListProvider": "ZZZ"}
                },
                "eventID": f"bench-{i:09d}",
                "eventDateTime": (
                    f"2020-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T08:00:00Z"
                ),
                "eventUpdatedDateTime": "2020-12-31T00:00:00Z",
                "eventLocation": {"UNLocationCode": rng.choice(PLACES)},
                "eventClassification": {
                    "eventTypeCode": "EQUIPMENT",
                    "eventClassifierCode": "ACT",
                    "equipmentEventTypeCode": rng.choice(CODES),
                },
                "equipmentDetails": {
                    "equipmentReference": container(i // 10),
                    "ISOEquipmentCode": "45G1",
                },
                "shipmentDetails": {
                    "documentReference": {"typeCode": "BKG", "reference": f"BK{i // 40}"}
                },
                "transportDetails": {
                    "transportCall": {
                        "modeOfTransport": "RAIL",
                        "railTransport": {"departureID": f"X{i // 400}"},
                    }
                },
            }
        )
    return out


def batches(total: int, seed: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, total, BATCH):
        yield events(start, min(BATCH, total - start), seed)


# --- stores ----------------------------------------------------------------------------------


def pg_search_url(url: str, schema: str = "bench_logistics") -> str:
    from sqlalchemy.engine import make_url

    options = {"options": f"-csearch_path={schema}"}
    return make_url(url).update_query_dict(options).render_as_string(hide_password=False)


def fresh_store(url: str, schema: str = "bench_logistics") -> Any:
    """An empty, migrated store: a new SQLite file, or on PostgreSQL a schema of its own
    (``bench_logistics``, ``bench_logistics_bare``: dropped and made again), never touching
    anything else."""
    from sqlalchemy import text

    from silkhub.migrations import upgrade
    from silkhub.stores.database import Database
    from silkhub.stores.operational import make_engine

    if url.startswith("postgresql"):
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        admin.dispose()
        url = pg_search_url(url, schema)
    engine = make_engine(url)
    upgrade(engine)
    return Database(engine)


def drop_pg_schemas(url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        for schema in ("bench_logistics", "bench_logistics_bare"):
            c.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


# --- step 1: ingestion ---------------------------------------------------------------------


def silkhub_batch(db: Any, docs: list[dict[str, Any]]) -> None:
    from silkhub.logistics import service

    with db.transaction() as session:
        service.ingest(session, docs, default_sender="bench", received_by="bench", source="bench")


def sqlite_time(value: datetime) -> str:
    """A timestamp as SQLAlchemy stores it on SQLite (UTC, no offset)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def bare_rows(
    docs: list[dict[str, Any]], first_id: int, now: Any, when: Any
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows of ``docs`` as an ingest writes them, taken straight from the documents."""
    rows, refs = [], []
    for row_id, d in enumerate(docs, start=first_id):
        equipment = d["equipmentDetails"]["equipmentReference"]
        call = d["transportDetails"]["transportCall"]
        rows.append((
            row_id, SENDER, d["eventID"],
            when(datetime.fromisoformat(d["eventUpdatedDateTime"])), True, False, "ACT",
            d["eventClassification"]["equipmentEventTypeCode"],
            when(datetime.fromisoformat(d["eventDateTime"])), None, json.dumps(d), now,
            "bench", "bench", "EQUIPMENT", "RAIL", d["eventLocation"]["UNLocationCode"],
            equipment, "45G1", call["railTransport"]["departureID"],
        ))  # fmt: skip
        refs.append((row_id, "BKG", d["shipmentDetails"]["documentReference"]["reference"]))
        refs.append((row_id, "EQ", equipment))
    return rows, refs


def sqlite_connect(path: Path) -> sqlite3.Connection:
    """A connection set up as silkhub sets up its own (``stores.operational``)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000",
                   "synchronous=NORMAL"):  # fmt: skip
        conn.execute(f"PRAGMA {pragma}")
    return conn


class BareSqlite:
    """The bare insert on SQLite: the ``sqlite3`` module's executemany, one transaction a
    batch."""

    def __init__(self, path: Path) -> None:
        fresh_store(f"sqlite:///{path}").dispose()
        self.conn = sqlite_connect(path)
        self.next_id = 1

    def batch(self, docs: list[dict[str, Any]]) -> None:
        rows, refs = bare_rows(docs, self.next_id, sqlite_time(datetime.now(UTC)), sqlite_time)
        self.conn.execute("BEGIN")
        self.conn.executemany(INSERT_EVENTS, rows)
        self.conn.executemany(INSERT_REFS, refs)
        self.conn.execute("COMMIT")
        self.next_id += len(docs)

    def close(self) -> None:
        self.conn.close()


class BarePostgres:
    """The bare insert on PostgreSQL: psycopg 3's COPY, one transaction a batch."""

    def __init__(self, url: str) -> None:
        import psycopg

        fresh_store(url, "bench_logistics_bare").dispose()
        dsn = pg_search_url(url, "bench_logistics_bare").replace("postgresql+psycopg", "postgresql")
        self.conn = psycopg.connect(dsn)
        self.next_id = 1

    def batch(self, docs: list[dict[str, Any]]) -> None:
        rows, refs = bare_rows(docs, self.next_id, datetime.now(UTC), lambda v: v)
        with self.conn.transaction(), self.conn.cursor() as cur:
            with cur.copy(f"COPY logistics_events ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
            with cur.copy(
                "COPY logistics_event_refs (event_row_id, kind, reference) FROM STDIN"
            ) as cp:
                for ref in refs:
                    cp.write_row(ref)
        self.next_id += len(docs)

    def close(self) -> None:
        self.conn.close()


def ingestion(url: str, total: int, seed: int, tmp: Path) -> tuple[dict[str, Any], Any]:
    """silkhub and the bare insert batch by batch, taking turns (which goes first alternates),
    each into a store of its own: on a shared machine both then meet the same load. Returns
    the figures and silkhub's store (for the GET figures on it). Wall time, and on SQLite
    (where all the work is in this process) CPU time too."""
    if url.startswith("sqlite"):
        bare: Any = BareSqlite(tmp / "bare.db")
        db = fresh_store(f"sqlite:///{tmp}/silkhub.db")
    else:
        bare = BarePostgres(url)
        db = fresh_store(url)
    wall = {"bare": 0.0, "silkhub": 0.0}
    cpu = {"bare": 0.0, "silkhub": 0.0}
    for n, docs in enumerate(batches(total, seed)):
        turns = [("bare", bare.batch), ("silkhub", lambda d: silkhub_batch(db, d))]
        for name, write in turns if n % 2 == 0 else reversed(turns):
            start, start_cpu = time.perf_counter(), time.process_time()
            write(docs)
            wall[name] += time.perf_counter() - start
            cpu[name] += time.process_time() - start_cpu
        if n % 40 == 39:
            print(f"  {url.split(':')[0]}: {(n + 1) * BATCH:,} events, load {load()}", flush=True)
    bare.close()
    if url.startswith("sqlite"):
        for path in tmp.glob("bare.db*"):
            path.unlink()
    rate, bare_rate = total / wall["silkhub"], total / wall["bare"]
    figures = {
        "events": total,
        "silkhub_events_per_s": round(rate),
        "bare_insert_events_per_s": round(bare_rate),
        "ratio": round(rate / bare_rate, 2),
        "goal_rate_met": rate >= GOAL_RATE,
        "goal_ratio_met": rate >= GOAL_RATIO * bare_rate,
    }
    if url.startswith("sqlite"):
        figures["silkhub_events_per_cpu_s"] = round(total / cpu["silkhub"])
        figures["bare_events_per_cpu_s"] = round(total / cpu["bare"])
        figures["cpu_ratio"] = round(cpu["bare"] / cpu["silkhub"], 2)
    figures["load_average"] = load()
    return figures, db


# --- step 2: the big store and GET ---------------------------------------------------------


def build_sqlite_store(path: Path, total: int, seed: int) -> float:
    """``total`` events written with the driver into a migrated store: the rows an ingest of
    ``events(...)`` would write (documents built from a template rather than by ``json.dumps``
    of a dict, for speed; the same JSON)."""
    fresh_store(f"sqlite:///{path}").dispose()
    conn = sqlite_connect(path)
    conn.execute("PRAGMA cache_size=-1000000")  # 1 GB of pages while the indexes grow
    rng = random.Random(seed)
    now = sqlite_time(datetime.now(UTC))
    insert_events = INSERT_EVENTS
    insert_refs = (
        "INSERT INTO logistics_event_refs (event_row_id, kind, reference) VALUES (?, ?, ?)"
    )
    start = time.perf_counter()
    step = 100_000
    for first in range(0, total, step):
        rows, refs = [], []
        for i in range(first, min(first + step, total)):
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            place, code = rng.choice(PLACES), rng.choice(CODES)
            box, booking, run = container(i // 10), f"BK{i // 40}", f"X{i // 400}"
            event_id = f"bench-{i:09d}"
            document = (
                '{"eventRouting": {"originatingParty": {"partyCode": "BENCH", '
                f'"codeListProvider": "ZZZ"}}}}, "eventID": "{event_id}", '
                f'"eventDateTime": "2020-{month:02d}-{day:02d}T08:00:00Z", '
                '"eventUpdatedDateTime": "2020-12-31T00:00:00Z", '
                f'"eventLocation": {{"UNLocationCode": "{place}"}}, "eventClassification": '
                '{"eventTypeCode": "EQUIPMENT", "eventClassifierCode": "ACT", '
                f'"equipmentEventTypeCode": "{code}"}}, "equipmentDetails": '
                f'{{"equipmentReference": "{box}", "ISOEquipmentCode": "45G1"}}, '
                '"shipmentDetails": {"documentReference": {"typeCode": "BKG", '
                f'"reference": "{booking}"}}}}, "transportDetails": {{"transportCall": '
                f'{{"modeOfTransport": "RAIL", "railTransport": {{"departureID": "{run}"}}}}}}}}'
            )
            row_id = i + 1
            rows.append(
                (
                    row_id,
                    SENDER,
                    event_id,
                    "2020-12-31 00:00:00.000000",
                    True,
                    False,
                    "ACT",
                    code,
                    f"2020-{month:02d}-{day:02d} 08:00:00.000000",
                    None,
                    document,
                    now,
                    "bench",
                    "bench",
                    "EQUIPMENT",
                    "RAIL",
                    place,
                    box,
                    "45G1",
                    run,
                )
            )
            refs.append((row_id, "BKG", booking))
            refs.append((row_id, "EQ", box))
        conn.execute("BEGIN")
        conn.executemany(insert_events, rows)
        conn.executemany(insert_refs, refs)
        conn.execute("COMMIT")
        if first % 1_000_000 == 0 and first:
            print(
                f"  store: {first:,} events, {time.perf_counter() - start:.0f} s, load {load()}",
                flush=True,
            )
    conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - start


def _box(serial: int) -> str:
    from stdnum import iso6346

    base = f"BNCU{serial:06d}"
    return base + iso6346.calc_check_digit(base)


def make_token(db: Any) -> str:
    from silkhub.accounts import service as accounts
    from silkhub.accounts.models import Role
    from silkhub.core.errors import NotFound

    with db.transaction() as session:
        try:
            user = accounts.user_by_email(session, "bench@example.org")
        except NotFound:
            user = accounts.create_user(
                session,
                email="bench@example.org",
                display_name="bench",
                password=None,
                roles=[Role.SUBSCRIBER],
            )
        return str(accounts.create_token(session, user, name="bench").secret)


def get_latency(db: Any, n_containers: int, requests: int, seed: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from silkhub.settings import Settings
    from silkhub.web.app import create_app

    token = make_token(db)
    key = "bench-" + "k" * 32  # a throwaway app's key: nothing is signed that outlives the run
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), secret_key=key)
    app = create_app(settings, db=db)
    rng = random.Random(seed)
    times = []
    with TestClient(app) as client:
        headers = {"authorization": f"Bearer {token}"}
        for n in range(requests + 20):
            ref = _box(rng.randrange(n_containers))
            start = time.perf_counter()
            response = client.get(
                "/dcsa/tnt/v3/events", params={"equipmentReference": ref}, headers=headers
            )
            if n >= 20:  # the first requests warm the process up (imports, caches)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.text
            assert len(response.json()["events"]) == 10
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    times.sort()
    p99 = times[int(len(times) * 0.99) - 1]
    return {
        "requests": requests,
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(p99, 2),
        "goal_met": p99 < GOAL_P99_MS,
        "load_average": load(),
    }


# --- step 3: 50 clients ----------------------------------------------------------------------


def concurrent(
    url: str, db: Any, n_containers: int, clients: int, per_client: int
) -> dict[str, Any]:
    """``clients`` threads, each with its own connection, against ``silkhub serve`` started
    as a process of its own on 127.0.0.1 and stopped at the end."""
    import socket
    import threading

    import httpx

    token = make_token(db)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data_dir = Path(tempfile.mkdtemp())
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        SILKHUB_DATA_DIR=str(data_dir),
        SILKHUB_DATABASE_URL=url,
        SILKHUB_SECRET_KEY="bench-" + "k" * 32,
        SILKHUB_LOG_LEVEL="WARNING",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "silkhub", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        origin = f"http://127.0.0.1:{port}"
        headers = {"authorization": f"Bearer {token}"}
        deadline = time.monotonic() + 120
        while True:  # bounded wait for the server to answer, then warm it up
            try:
                httpx.get(f"{origin}/api/health", timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(
                        f"silkhub serve did not start (exit {server.poll()})"
                    ) from None
                time.sleep(0.2)
        with httpx.Client(base_url=origin, timeout=30) as http:
            for serial in range(20):
                http.get(
                    "/dcsa/tnt/v3/events",
                    params={"equipmentReference": _box(serial)},
                    headers=headers,
                )
        times: list[float] = []
        failures: list[int] = []
        lock = threading.Lock()

        def client(seed: int) -> None:
            rng = random.Random(seed)
            mine, bad = [], 0
            with httpx.Client(base_url=origin, timeout=60) as http:
                for _ in range(per_client):
                    ref = _box(rng.randrange(n_containers))
                    start = time.perf_counter()
                    response = http.get(
                        "/dcsa/tnt/v3/events", params={"equipmentReference": ref}, headers=headers
                    )
                    mine.append((time.perf_counter() - start) * 1000)
                    bad += response.status_code != 200
            with lock:
                times.extend(mine)
                failures.append(bad)

        workers = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    times.sort()
    return {
        "clients": clients,
        "requests": len(times),
        "failed": sum(failures),
        "requests_per_s": round(len(times) / elapsed, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p99_ms": round(times[int(len(times) * 0.99) - 1], 1),
        "load_average": load(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events to ingest (step 1)")
    parser.add_argument(
        "--store-events", type=int, default=10_000_000, help="events in the GET store (step 2)"
    )
    parser.add_argument("--requests", type=int, default=1000, help="GET requests timed (step 2)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=20)
    parser.add_argument("--postgres", help="a PostgreSQL URL to run step 1 and 3 on too")
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["sqlite", "postgresql", "store"],
        help="leave steps out (for quick runs): ingestion on a backend, the big store",
    )
    args = parser.parse_args()
    results: dict[str, Any] = {"benchmark": "logistics", "load_average_start": load()}
    tmp = Path(tempfile.mkdtemp(prefix="silkhub-bench-"))
    try:
        if "sqlite" not in args.skip:
            figures, db = ingestion(f"sqlite:///{tmp}/bare.db", args.events, 2020, tmp)
            figures["get"] = get_latency(db, args.events // 10, args.requests, seed=7)
            db.dispose()
            for path in tmp.glob("silkhub.db*"):
                path.unlink()
            results["sqlite"] = figures
            print("sqlite", figures, flush=True)
        if args.postgres and "postgresql" not in args.skip:
            figures, db = ingestion(args.postgres, args.events, 2020, tmp)
            figures["get"] = get_latency(db, args.events // 10, args.requests, seed=7)
            figures["concurrent"] = concurrent(
                pg_search_url(args.postgres),
                db,
                args.events // 10,
                args.clients,
                args.per_client,
            )
            db.dispose()
            drop_pg_schemas(args.postgres)
            results["postgresql"] = figures
            print("postgresql", figures, flush=True)
        if "store" not in args.skip:
            from silkhub.stores.database import Database

            path = tmp / "store.db"
            built_s = build_sqlite_store(path, args.store_events, 2020)
            store: dict[str, Any] = {
                "events": args.store_events,
                "build_s": round(built_s, 1),
                "file_gb": round(sum(p.stat().st_size for p in tmp.glob("store.db*")) / 1e9, 2),
            }
            print("store", store, flush=True)
            url = f"sqlite:///{path}"
            db = Database.from_url(url)
            store["get"] = get_latency(db, args.store_events // 10, args.requests, seed=7)
            print("store get", store["get"], flush=True)
            store["concurrent"] = concurrent(
                url, db, args.store_events // 10, args.clients, args.per_client
            )
            db.dispose()
            results["sqlite_store"] = store
            print("store concurrent", store["concurrent"], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ingest_goals = [
        results[k][g]
        for k in ("sqlite", "postgresql")
        if k in results
        for g in ("goal_rate_met", "goal_ratio_met")
    ]
    results["goals"] = {
        "ingest": f">= {GOAL_RATE} events/s and >= {GOAL_RATIO} x bare, SQLite and PostgreSQL",
        "ingest_met": bool(ingest_goals) and all(ingest_goals) and "postgresql" in results,
        "get": f"p99 < {GOAL_P99_MS} ms on a store of 10,000,000 events",
        "get_met": (
            "sqlite_store" in results
            and results["sqlite_store"]["events"] >= 10_000_000
            and results["sqlite_store"]["get"]["goal_met"]
        ),
    }
    results["load_average_end"] = load()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
