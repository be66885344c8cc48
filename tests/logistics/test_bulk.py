"""The bulk write path (``bulk.insert_rows``: COPY on PostgreSQL, executemany on SQLite) writes
the rows the ORM would, and a batch that fails in the database half-way leaves nothing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from sqlalchemy import Table, func, select, text
from sqlalchemy.exc import IntegrityError

from silkhub.logistics import bulk, service
from silkhub.logistics.models import TntEvent, TntEventRef
from silkhub.stores.database import Database
from tests.logistics.factory import equipment_event

EVENTS = cast(Table, TntEvent.__table__)
COLUMNS = [c.name for c in EVENTS.columns if c.name != "id"]


def _values(n: int) -> dict[str, Any]:
    return {
        "sender": f"org:{n}|ZZZ/LCL/YWRO",
        "event_id": f"e-{n}",
        # Offsets other than UTC, and microseconds: stored in UTC either way.
        "event_updated_at": datetime(
            2020, 5, 1, 8, 5, 0, 123456, tzinfo=timezone(timedelta(hours=8))
        ),
        "is_current": n % 2 == 0,
        "is_retracted": n % 3 == 0,
        "event_type": "EQUIPMENT",
        "classifier": "ACT",
        "type_code": "LOAD",
        "mode": None if n % 2 else "RAIL",
        "event_at": datetime(2020, 5, 1, 0, 0, tzinfo=UTC) + timedelta(minutes=n),
        "un_locode": "CNYIU",
        "facility_type": None,
        "equipment_reference": "APZU4812090",
        "size_type": "45G1",
        "transport_ref": "X8001\ttab\\and\nnewline",  # what COPY's text format must escape
        "document": {"eventID": f"e-{n}", "note": '中文 "quoted"', "n": n, "x": None},
        "received_at": datetime(2020, 6, 1, tzinfo=UTC),
        "received_by": "test",
        "source": "file:a.ndjson",
    }


def _stored(db: Database, first: str, last: str) -> list[dict[str, Any]]:
    with db.reading() as session:
        rows = session.execute(
            select(TntEvent)
            .where(TntEvent.event_id.between(first, last))
            .order_by(TntEvent.event_id)
        ).scalars()
        return [{c: getattr(r, c) for c in COLUMNS} for r in rows]


def _raw(db: Database, first: str, last: str) -> list[tuple[Any, ...]]:
    """The rows as the database holds them (text of timestamps and documents included)."""
    names = ", ".join(f"CAST({c} AS TEXT)" for c in COLUMNS)
    with db.reading() as session:
        sql = (
            f"SELECT {names} FROM logistics_events "  # noqa: S608 (the table's own names)
            "WHERE event_id BETWEEN :a AND :b ORDER BY event_id"
        )
        return [tuple(r) for r in session.execute(text(sql), {"a": first, "b": last})]


def test_bulk_rows_are_the_rows_the_orm_writes(db: Database) -> None:
    with db.transaction() as session:
        for n in range(6):
            session.add(TntEvent(**_values(n)))
    # The same values, renamed into a range of their own, through the bulk path.
    bulk_values = [{**_values(n), "event_id": f"f-{n}"} for n in range(6)]
    for v in bulk_values:
        v["document"] = {**v["document"], "eventID": v["event_id"].replace("f", "e")}
    with db.transaction() as session:
        top = session.execute(select(func.max(TntEvent.id))).scalar_one()
        rows = [[top + 1 + i, *(v[c] for c in COLUMNS)] for i, v in enumerate(bulk_values)]
        bulk.insert_rows(session, EVENTS, ["id", *COLUMNS], rows)
    orm, fast = _stored(db, "e-0", "e-9"), _stored(db, "f-0", "f-9")
    assert len(orm) == len(fast) == 6
    for a, b in zip(orm, fast, strict=True):
        assert {**b, "event_id": a["event_id"]} == a
    # Byte for byte in the database too, but for the event_id renamed above.
    raw_orm, raw_fast = _raw(db, "e-0", "e-9"), _raw(db, "f-0", "f-9")
    at = COLUMNS.index("event_id")
    assert [r[:at] + r[at + 1 :] for r in raw_orm] == [r[:at] + r[at + 1 :] for r in raw_fast]


def _ingest(db: Database, docs: list[dict[str, Any]]) -> service.IngestResult:
    with db.transaction() as session:
        return service.ingest(
            session, docs, default_sender="org:1", received_by="test", source="test"
        )


def _counts(db: Database) -> tuple[int, int, int]:
    with db.reading() as session:
        events = session.execute(select(func.count()).select_from(TntEvent)).scalar_one()
        refs = session.execute(select(func.count()).select_from(TntEventRef)).scalar_one()
        current = session.execute(
            select(func.count()).select_from(TntEvent).where(TntEvent.is_current.is_(True))
        ).scalar_one()
    return events, refs, current


def test_a_batch_failing_in_the_database_half_way_leaves_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest(db, [equipment_event("e1"), equipment_event("e2")])
    before = _counts(db)
    # Blind the lookup of stored versions: the batch then inserts a version the store already
    # has, the unique constraint stops the bulk insert after the retirements and the new rows
    # before it, and the transaction must take all of them back.
    monkeypatch.setattr(service, "_history", lambda session, keys: {})
    # Rows are written in (sender, eventID) order: the 50 new ones go before "e2" fails.
    batch = [equipment_event(f"a{i:02d}") for i in range(50)] + [equipment_event("e2")]
    with pytest.raises(IntegrityError):
        _ingest(db, batch)
    assert _counts(db) == before


def test_ids_taken_up_front_link_each_event_to_its_references(db: Database) -> None:
    _ingest(db, [equipment_event("a1", container="APZU4812090")])
    _ingest(db, [equipment_event(f"b{i}", booking=f"BK{i}") for i in range(30)])
    with db.reading() as session:
        pairs = session.execute(
            select(TntEvent.event_id, TntEventRef.reference)
            .join(TntEventRef, TntEventRef.event_row_id == TntEvent.id)
            .where(TntEventRef.kind == "BKG")
        ).all()
    assert {(e, r) for e, r in pairs if e.startswith("b")} == {
        (f"b{i}", f"BK{i}") for i in range(30)
    }


def test_on_sqlite_the_ingesting_transaction_holds_the_write_lock_before_counting_ids(
    db: Database,
) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL takes ids from its sequence")
    path = db.engine.url.database
    assert path
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with db.transaction() as session:
            service._retire(session, [])  # what _write runs before counting ids
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()


def test_the_cyclic_collector_is_paused_during_a_batch_and_back_after_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    seen: list[bool] = []
    real = service._plan

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "_plan", spy)
    assert gc.isenabled()
    _ingest(db, [equipment_event("g1")])
    with pytest.raises(service.InvalidInput):  # a refused batch gives it back as well
        _ingest(db, [equipment_event("g2", container="APZU4812091")])
    assert seen == [False, False] and gc.isenabled()
    gc.disable()
    try:  # paused by someone else: left as it was
        _ingest(db, [equipment_event("g3")])
        assert not gc.isenabled()
    finally:
        gc.enable()
