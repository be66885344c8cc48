"""Importing files as vintages, end to end, on real stores (SQLite and PostgreSQL)."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from silkhub.core.errors import InvalidInput
from silkhub.stats import service
from silkhub.stats.models import StatsImport
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database

HEADER = "月份,进出口,国别（地区）,金额（万元）\n"
ROWS = [
    "2020-04,出口,捷克,1234.5",
    "2020-04,进口,阿联酋,20",
    "2020-05,出口,捷克,3909.12",
    '2020-05,出口,Viet Nam,"1,000"',
]
ACTOR = Actor(None, "test")


@pytest.fixture
def db(engine: Engine) -> Database:
    return Database(engine)


@pytest.fixture
def store(tmp_path: Path) -> AnalyticalStore:
    return AnalyticalStore(tmp_path / "analytical")


def write_csv(path: Path, rows: list[str], encoding: str = "gbk") -> Path:
    path.write_bytes((HEADER + "\n".join(rows) + "\n").encode(encoding))
    return path


def run(
    db: Database, store: AnalyticalStore, tmp_path: Path, path: Path, **kwargs: object
) -> service.ImportOutcome:
    return service.import_file(
        db,
        store,
        path,
        dataset_name="trade",
        data_dir=tmp_path / "data",
        actor=ACTOR,
        max_bytes=10_000_000,
        today=date(2020, 6, 15),
        **kwargs,  # type: ignore[arg-type]
    )


def stored_rows(store: AnalyticalStore) -> list[dict[str, object]]:
    if not store.exists("trade"):
        return []
    return pq.read_table(store.path("trade")).to_pylist()


def test_import_writes_rows_record_and_a_copy(
    db: Database, store: AnalyticalStore, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "海关.csv", ROWS)
    outcome = run(db, store, tmp_path, path)
    assert outcome.status == "imported", [p.describe("en") for p in outcome.report]
    assert outcome.rows == 4
    assert outcome.periods == [date(2020, 4, 1), date(2020, 5, 1)]
    rows = stored_rows(store)
    values = sorted((r["partner"], r["value_cny"]) for r in rows)
    # 万元 to whole yuan, exactly; thousands separators read; names resolved.
    assert values == [("AE", 200_000), ("CZ", 12_345_000), ("CZ", 39_091_200), ("VN", 10_000_000)]
    with db.reading() as session:
        record = session.scalars(select(StatsImport)).one()
        assert {r["vintage"] for r in rows} == {record.vintage}
        assert record.source == "海关.csv"
        assert record.encoding == "gb18030"
        assert [p.period for p in record.periods] == [date(2020, 4, 1), date(2020, 5, 1)]
        assert (tmp_path / "data" / record.stored_as).read_bytes() == path.read_bytes()
        periods = service.vintage_periods(session, "trade")
    assert periods.num_rows == 2
    assert set(periods.column("vintage").to_pylist()) == {record.vintage}


def test_the_same_file_twice_does_nothing(
    db: Database, store: AnalyticalStore, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS)
    first = run(db, store, tmp_path, path)
    again = run(db, store, tmp_path, shutil.copyfile(path, tmp_path / "renamed.csv"))
    assert again.status == "duplicate"
    assert again.import_id == first.import_id
    assert len(stored_rows(store)) == 4


def test_a_file_with_errors_writes_nothing(
    db: Database, store: AnalyticalStore, tmp_path: Path
) -> None:
    bad = [*ROWS, "2020-05,出口,亚特兰蒂斯,5", "2020-05,出口,捷克,-3", "2020-07,出口,捷克,1"]
    outcome = run(db, store, tmp_path, write_csv(tmp_path / "bad.csv", bad))
    assert outcome.status == "rejected"
    codes = {p.code for p in outcome.report.errors}
    assert {"unknown_country", "negative_value", "future_period"} <= codes
    rows = {p.location.row for p in outcome.report.errors}
    assert rows == {6, 7, 8}  # the lines of the bad rows, as an editor numbers them
    assert all(p.location.file == "bad.csv" for p in outcome.report.errors)
    assert stored_rows(store) == []
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(StatsImport)) == 0
    assert not (tmp_path / "data" / "sources").exists()


def test_a_revision_is_a_new_vintage(db: Database, store: AnalyticalStore, tmp_path: Path) -> None:
    first = run(
        db,
        store,
        tmp_path,
        write_csv(tmp_path / "v1.csv", ROWS),
        published_at=datetime(2020, 6, 20, tzinfo=UTC),
    )
    revised = run(
        db,
        store,
        tmp_path,
        write_csv(tmp_path / "v2.csv", ["2020-05,出口,捷克,4000"]),
        published_at=datetime(2020, 7, 20, tzinfo=UTC),
    )
    assert revised.status == "imported"
    assert revised.import_id != first.import_id
    with db.reading() as session:
        periods = service.vintage_periods(session).to_pylist()
        records = {r.id: r.vintage for r in service.list_imports(session)}
    assert records[revised.import_id] > records[first.import_id]  # later vintage
    may = sorted(
        (p["vintage"], p["published_at"].month) for p in periods if p["period"] == date(2020, 5, 1)
    )
    assert may == [(records[first.import_id], 6), (records[revised.import_id], 7)]


def test_a_failed_transaction_takes_its_rows_back(
    db: Database, store: AnalyticalStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_copy(*_: object, **__: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(service.shutil, "copyfile", broken_copy)
    with pytest.raises(OSError, match="disk full"):
        run(db, store, tmp_path, write_csv(tmp_path / "a.csv", ROWS))
    assert stored_rows(store) == []
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(StatsImport)) == 0


def test_a_mapping_for_another_dataset_is_refused(
    db: Database, store: AnalyticalStore, tmp_path: Path
) -> None:
    mapping = tmp_path / "rail.toml"
    mapping.write_text('dataset = "rail"\n[columns]\nline = ["线路"]\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        run(db, store, tmp_path, write_csv(tmp_path / "a.csv", ROWS), mapping_path=mapping)
    assert caught.value.code in ("mapping_for_another_dataset", "invalid_mapping")


def test_a_large_revision_is_imported_with_a_warning(
    db: Database, store: AnalyticalStore, tmp_path: Path
) -> None:
    run(db, store, tmp_path, write_csv(tmp_path / "v1.csv", ROWS))
    # April said again in 元 instead of 万元 by mistake: 10,000 times larger.
    outcome = run(
        db,
        store,
        tmp_path,
        write_csv(
            tmp_path / "v2.csv", ["2020-04,出口,捷克,12345000", "2020-04,进口,阿联酋,200000"]
        ),
    )
    assert outcome.status == "imported"
    warnings = [p for p in outcome.report.warnings if p.code == "large_revision"]
    assert len(warnings) == 1
    assert "2020-04" in warnings[0].message.en
    assert "check the unit" in warnings[0].message.en
    # A small revision says nothing.
    small = run(db, store, tmp_path, write_csv(tmp_path / "v3.csv", ["2020-05,出口,捷克,3950"]))
    assert not [p for p in small.report.warnings if p.code == "large_revision"]


def test_remembered_figures_change_with_a_new_vintage(
    db: Database, store: AnalyticalStore, tmp_path: Path
) -> None:
    """Measures are remembered by what was asked and which vintages existed: asking twice
    gives the remembered figure, an import (a revision) gives the new one at once."""
    query = service.query_from_text("trade", "value_cny", "2020-05", filters=["partner=CZ"])
    run(db, store, tmp_path, write_csv(tmp_path / "v1.csv", ["2020-05,出口,捷克,3909.12"]))
    first = service.measure(db, store, query)
    assert service.measure(db, store, query) is first  # remembered
    top = service.top(
        db, store, service.query_from_text("trade", "value_cny", "2020-05", by="partner")
    )
    run(db, store, tmp_path, write_csv(tmp_path / "v2.csv", ["2020-05,出口,捷克,4000"]))
    second = service.measure(db, store, query)
    assert first.value == 39_091_200 and second.value == 40_000_000
    after = service.top(
        db, store, service.query_from_text("trade", "value_cny", "2020-05", by="partner")
    )
    assert top.column("value").to_pylist() == [39_091_200]
    assert after.column("value").to_pylist() == [40_000_000]


def test_a_datasets_state_changes_with_each_import(
    db: Database, store: AnalyticalStore, tmp_path: Path
) -> None:
    """What remembered results computed from a dataset (the indices) put in their keys."""
    empty = service.dataset_state(db, "trade")
    run(db, store, tmp_path, write_csv(tmp_path / "v1.csv", ["2020-05,出口,捷克,3909.12"]))
    first = service.dataset_state(db, "trade")
    assert first != empty and service.dataset_state(db, "trade") == first
    run(db, store, tmp_path, write_csv(tmp_path / "v2.csv", ["2020-05,出口,捷克,4000"]))
    assert service.dataset_state(db, "trade") not in (empty, first)
    assert service.dataset_state(db, "port") == empty  # another dataset's imports do not count
