"""The port dataset's cargo kinds: rows by kind (containers in TEU and tonnes, dry bulk, liquid
bulk, general cargo), a row without a kind standing for the port's total, files without the
column importing as totals, and the two rules that keep every sum true (TEU on container rows
only; a total and its kinds never side by side)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from silkhub.core.errors import InvalidInput
from silkhub.core.periods import Month
from silkhub.settings import Settings
from silkhub.stats import publish_sdmx, service
from silkhub.stats.datasets import dataset
from silkhub.stats.measures import MeasureQuery
from silkhub.stats.service import ImportOutcome
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database
from silkhub.web.app import create_app
from tests.conftest import DemoHub
from tests.stats.test_publish import _read_sdmx
from tests.stats.test_validate import codes, errors, ok

HEADERS = ["月份", "港口", "货类", "货物吞吐量（万吨）", "集装箱吞吐量（万标箱）"]


def test_rows_by_kind_are_read_with_their_codes() -> None:
    table = ok(
        HEADERS,
        [
            ["2020-05", "宁波舟山港", "集装箱", "2500", "240"],
            ["2020-05", "宁波舟山港", "干散货", "4000", None],
            ["2020-05", "宁波舟山港", "liquid bulk", "2200", None],
            ["2020-05", "宁波舟山港", "件杂货", "300", None],
        ],
        "port",
    )
    assert table.column("cargo_kind").to_pylist() == [
        "containers",
        "dry_bulk",
        "liquid_bulk",
        "general_cargo",
    ]
    assert table.column("cargo_tonnes").to_pylist() == [25e6, 40e6, 22e6, 3e6]
    assert table.column("containers_teu").to_pylist() == [2_400_000, None, None, None]


def test_a_file_without_the_column_imports_as_totals() -> None:
    table = ok(
        ["月份", "港口", "货物吞吐量（万吨）", "集装箱吞吐量（万标箱）"],
        [["2020-05", "宁波舟山港", "9000", "240"], ["2020-05", "嘉兴港", "900", "16"]],
        "port",
    )
    assert table.column("cargo_kind").to_pylist() == [None, None]
    assert table.column("cargo_tonnes").to_pylist() == [90e6, 9e6]


def test_teu_on_a_row_of_another_kind_is_named_by_row_and_column() -> None:
    problems = errors(
        HEADERS,
        [
            ["2020-05", "宁波舟山港", "集装箱", "2500", "240"],
            ["2020-05", "宁波舟山港", "干散货", "4000", "12"],
        ],
        "port",
    )
    assert codes(problems) == ["not_for_this_kind"]
    (problem,) = problems
    assert problem.location.row == 3
    assert problem.location.column == "集装箱吞吐量（万标箱）"
    assert problem.value == "dry_bulk"
    assert "containers_teu" in problem.message.en and "集装箱" in problem.message.zh


def test_a_total_beside_its_kinds_is_refused() -> None:
    problems = errors(
        HEADERS,
        [
            ["2020-05", "宁波舟山港", None, "9000", "240"],
            ["2020-05", "宁波舟山港", "集装箱", "2500", "240"],
            ["2020-05", "宁波舟山港", "干散货", "6500", None],
            ["2020-05", "嘉兴港", None, "900", "16"],  # a total alone: fine
        ],
        "port",
    )
    assert codes(problems) == ["whole_and_parts"]
    (problem,) = problems
    assert problem.location.row == 2 and problem.location.column == "货类"
    assert "row 3" in problem.message.en and "宁波舟山港" in problem.message.en


def test_a_kind_twice_is_a_duplicate_and_an_unknown_kind_is_invalid() -> None:
    problems = errors(
        HEADERS,
        [
            ["2020-05", "宁波舟山港", "干散货", "4000", None],
            ["2020-05", "宁波舟山港", "dry bulk", "4000", None],
            ["2020-05", "宁波舟山港", "滚装", "10", None],
        ],
        "port",
    )
    assert sorted(codes(problems)) == ["duplicate_row", "invalid_choice"]


# --- through the import, into SDMX and a data package ---------------------------------------


@pytest.fixture
def db(engine: Engine) -> Database:
    return Database(engine)


def _import_csv(db: Database, store: AnalyticalStore, path: Path, text: str) -> ImportOutcome:
    path.write_text(text, encoding="utf-8")
    return service.import_file(
        db,
        store,
        path,
        dataset_name="port",
        data_dir=path.parent / "data",
        actor=Actor(None, "test"),
        max_bytes=1_000_000,
        today=date(2020, 7, 25),
        published_at=datetime(2020, 6, 20, tzinfo=UTC),
    )


def test_kinds_and_totals_import_sum_and_publish(db: Database, tmp_path: Path) -> None:
    store = AnalyticalStore(tmp_path / "analytical")
    by_kind = "\n".join(
        [
            ",".join(HEADERS),
            "2020-05,宁波舟山港,集装箱,2500,240",
            "2020-05,宁波舟山港,干散货,4000,",
            "2020-05,宁波舟山港,液体散货,2200,",
            "2020-05,宁波舟山港,件杂货,300,",
        ]
    )
    assert _import_csv(db, store, tmp_path / "may.csv", by_kind + "\n").status == "imported"
    # An older file, without the column: totals.
    old = "月份,港口,货物吞吐量（万吨）,集装箱吞吐量（万标箱）\n2020-04,宁波舟山港,8800,230\n"
    assert _import_csv(db, store, tmp_path / "april.csv", old).status == "imported"
    bad = by_kind.replace("2020-05", "2020-03") + "\n2020-03,宁波舟山港,,9000,240\n"
    rejected = _import_csv(db, store, tmp_path / "march.csv", bad)
    assert rejected.status == "rejected"
    assert [(p.code, p.location.file, p.location.row) for p in rejected.report.errors] == [
        ("whole_and_parts", "march.csv", 6)
    ]

    # The sums over kinds are the port's totals, whichever way a month came.
    port = {"port": "宁波舟山港"}
    expected = ((Month(2020, 5), 90e6, 2_400_000), (Month(2020, 4), 88e6, 2_300_000))
    for month, tonnes, teu in expected:
        cargo = MeasureQuery("port", "cargo_tonnes", month, filters=port)
        boxes = MeasureQuery("port", "containers_teu", month, filters=port)
        assert service.measure(db, store, cargo).value == tonnes
        assert service.measure(db, store, boxes).value == teu

    msg = _read_sdmx(tmp_path, "s.xml", publish_sdmx.sdmx_structure(["port"], demo=False))
    kinds = msg.codelist["CL_CARGO_KIND"]
    assert kinds["DRY_BULK"].name.localizations == {"zh": "干散货", "en": "dry bulk"}
    assert "_T" in kinds
    dsd = msg.structure["DSD_PORT"]
    assert [d.id for d in dsd.dimensions.components][:2] == ["PORT", "CARGO_KIND"]
    data = _read_sdmx(
        tmp_path,
        "d.xml",
        publish_sdmx.sdmx_data(db, store, "port", "cargo_tonnes", demo=False),
        structure=dsd,
    )
    keys = {tuple(str(v.value) for v in k.values.values()) for k in data.data[0].series}
    assert keys == {
        ("宁波舟山港", kind, "CARGO_TONNES")
        for kind in ("CONTAINERS", "DRY_BULK", "LIQUID_BULK", "GENERAL_CARGO", "_T")
    }


def test_a_store_written_before_the_kinds_is_upgraded(db: Database, tmp_path: Path) -> None:
    """Port files written without ``cargo_kind`` (as every store before it) block imports
    and reads until ``upgrade_datasets`` (run by ``silkhub init``) adds the column, empty:
    the old rows are totals."""
    store = AnalyticalStore(tmp_path / "analytical")
    assert (
        _import_csv(
            db,
            store,
            tmp_path / "may.csv",
            "\n".join([",".join(HEADERS), "2020-05,宁波舟山港,集装箱,2500,240", ""]),
        ).status
        == "imported"
    )
    # Make the store as an older silkhub left it: the same rows without the column.
    old = pq.read_table(store.files("port")).drop_columns(["cargo_kind"])
    old = old.set_column(
        old.schema.get_field_index("cargo_tonnes"), "cargo_tonnes", pa.array([90e6])
    )
    store.write("port", old, mode="replace")
    june = "月份,港口,货类,货物吞吐量（万吨）\n2020-06,宁波舟山港,干散货,4000\n"
    with pytest.raises(InvalidInput):
        _import_csv(db, store, tmp_path / "june.csv", june)

    assert service.upgrade_datasets(store) == ["port"]
    assert service.upgrade_datasets(store) == []  # done once
    assert store.schema("port").names == list(dataset("port").arrow_schema().names)
    assert _import_csv(db, store, tmp_path / "june2.csv", june).status == "imported"
    port = {"port": "宁波舟山港"}
    may = service.measure(
        db, store, MeasureQuery("port", "cargo_tonnes", Month(2020, 5), filters=port)
    )
    june_total = service.measure(
        db, store, MeasureQuery("port", "cargo_tonnes", Month(2020, 6), filters=port)
    )
    assert (may.value, june_total.value) == (90e6, 40e6)


def test_the_dashboard_filters_the_port_by_cargo_kind(demo_hub: DemoHub) -> None:
    settings = Settings(data_dir=demo_hub.data_dir, secret_key="test-secret-key-not-for-production")
    with TestClient(create_app(settings, db=demo_hub.db)) as client:
        params = {"dataset": "port", "value": "cargo_tonnes", "cargo_kind": "干散货"}
        page = client.get("/en/stats", params=params).text
    assert 'id="f-cargo_kind"' in page
    assert '<option value="dry_bulk" selected>dry bulk</option>' in page
    assert "Cargo kind: dry bulk" in page
