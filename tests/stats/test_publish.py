"""Publishing: a dataset's current rows and measure tables as CSV, Excel, SDMX and Frictionless
data packages, from a real import (SQLite and PostgreSQL) with a revision."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from silkhub.core.errors import InvalidInput
from silkhub.core.periods import Month, YearToDate
from silkhub.stats import publish, publish_excel, publish_frictionless, publish_sdmx, service
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database

ACTOR = Actor(None, "test")
Hub = tuple[Database, AnalyticalStore]
HEADER = "月份,进出口,国别（地区）,金额（万元）\n"
FIRST = [
    "2020-04,出口,捷克,1234.5",
    "2020-04,进口,阿联酋,20",
    "2020-05,出口,捷克,3909.12",
    "2020-05,出口,Viet Nam,1000",
]
REVISION = ["2020-05,出口,捷克,4000", "2020-05,进口,越南,7"]
FIRST_PUBLISHED = datetime(2020, 6, 20, tzinfo=UTC)
REVISED_PUBLISHED = datetime(2020, 7, 20, tzinfo=UTC)
BETWEEN = datetime(2020, 7, 1, tzinfo=UTC)


@pytest.fixture
def db(engine: Engine) -> Database:
    return Database(engine)


@pytest.fixture
def store(tmp_path: Path) -> AnalyticalStore:
    return AnalyticalStore(tmp_path / "analytical")


def _import(
    db: Database,
    store: AnalyticalStore,
    tmp_path: Path,
    name: str,
    rows: list[str],
    published_at: datetime,
) -> None:
    path = tmp_path / name
    path.write_bytes((HEADER + "\n".join(rows) + "\n").encode("gbk"))
    outcome = service.import_file(
        db,
        store,
        path,
        dataset_name="trade",
        data_dir=tmp_path / "data",
        actor=ACTOR,
        max_bytes=10_000_000,
        today=date(2020, 7, 25),
        published_at=published_at,
    )
    assert outcome.status == "imported", [p.describe("en") for p in outcome.report]


@pytest.fixture
def hub(db: Database, store: AnalyticalStore, tmp_path: Path) -> Hub:
    """Trade for April and May 2020, then May revised a month later."""
    _import(db, store, tmp_path, "v1.csv", FIRST, FIRST_PUBLISHED)
    _import(db, store, tmp_path, "v2.csv", REVISION, REVISED_PUBLISHED)
    return db, store


def _values(table: pa.Table) -> list[tuple[object, ...]]:
    return [
        (r["month"].isoformat()[:7], r["flow"], r["partner"], r["value_cny"])
        for r in table.to_pylist()
    ]


LATEST = [
    ("2020-04", "export", "CZ", 12_345_000),
    ("2020-04", "import", "AE", 200_000),
    ("2020-05", "export", "CZ", 40_000_000),
    ("2020-05", "import", "VN", 70_000),
]
BEFORE_REVISION = [
    ("2020-04", "export", "CZ", 12_345_000),
    ("2020-04", "import", "AE", 200_000),
    ("2020-05", "export", "CZ", 39_091_200),
    ("2020-05", "export", "VN", 10_000_000),
]


def test_dataset_rows_are_the_latest_vintage_of_each_month(hub: Hub) -> None:
    db, store = hub
    latest = publish.dataset_rows(db, store, "trade")
    assert sorted(_values(latest)) == LATEST
    assert len(set(latest.column("vintage").to_pylist())) == 2
    older = publish.dataset_rows(db, store, "trade", as_of=BETWEEN)
    assert sorted(_values(older)) == BEFORE_REVISION
    assert len(set(older.column("vintage").to_pylist())) == 1
    may = publish.dataset_rows(db, store, "trade", periods=[Month(2020, 5)])
    assert sorted(_values(may)) == LATEST[2:]
    ytd = publish.dataset_rows(db, store, "trade", periods=YearToDate(2020, 4))
    assert sorted(_values(ytd)) == LATEST[:2]


def test_csv_round_trips_with_a_bom(hub: Hub) -> None:
    db, store = hub
    data = publish.to_csv(publish.dataset_rows(db, store, "trade"))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "month",
        "flow",
        "partner",
        "hs_code",
        "region",
        "trade_mode",
        "value_cny",
        "value_usd",
        "quantity",
        "quantity_unit",
        "vintage",
    ]
    got = sorted((r["month"][:7], r["flow"], r["partner"], int(r["value_cny"])) for r in rows)
    assert got == LATEST
    assert rows[0]["month"] == "2020-04-01"  # ISO dates
    assert rows[0]["value_usd"] == ""  # null is an empty cell
    older = publish.to_csv(publish.dataset_rows(db, store, "trade", as_of=BETWEEN), bom=False)
    assert not older.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(older.decode("utf-8"))))
    got = sorted((r["month"][:7], r["flow"], r["partner"], int(r["value_cny"])) for r in rows)
    assert got == BEFORE_REVISION


def test_download_name_carries_the_demo_label() -> None:
    assert publish.download_name("trade", "csv", demo=False) == "trade.csv"
    assert publish.download_name("trade", ".csv", demo=True, as_of=BETWEEN) == (
        "trade-DEMO-synthetic-2020-07-01.csv"
    )


def _sheet_values(data: bytes) -> tuple[list[list[object]], list[list[object]], list[str]]:
    book = load_workbook(io.BytesIO(data))
    main, about = book.worksheets
    rows = [list(r) for r in main.iter_rows(values_only=True)]
    return rows, [list(r) for r in about.iter_rows(values_only=True)], book.sheetnames


def test_xlsx_has_title_labels_units_and_an_about_sheet(hub: Hub) -> None:
    db, store = hub
    table = publish.dataset_rows(db, store, "trade")
    data = publish_excel.to_xlsx(table, "trade", lang="zh", title="货物贸易 2020年4-5月", demo=True)
    rows, about, names = _sheet_values(data)
    assert names == ["货物贸易", "说明 About"]
    assert rows[0][0] == "货物贸易 2020年4-5月"
    assert "演示数据" in str(rows[1][0]) and "Demonstration data" in str(rows[1][0])
    zh, en = rows[2], rows[3]
    assert zh[:3] == ["月份", "进出口", "贸易伙伴"]
    assert en[:3] == ["Month", "Flow", "Partner"]
    assert zh[6] == "金额（人民币）（元）" and en[6] == "Value (CNY)"
    assert zh[8] == "数量"  # no unit of its own
    data_rows = rows[4:]
    assert len(data_rows) == 4
    first = data_rows[0]
    assert first[0] == datetime(2020, 4, 1)
    assert (first[1], first[2], first[6]) == ("出口", "捷克", 12_345_000)
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A5"
    assert sheet["A5"].number_format == "yyyy-mm"
    assert sheet["G5"].number_format == "#,##0"
    assert sheet.column_dimensions["C"].width >= 8
    items = {r[0]: r[1] for r in about[1:]}
    assert "Demonstration data" in items["演示数据 / Demonstration data"]
    vintages = items["所用版本 / Vintages used"].splitlines()
    assert len(vintages) == 2 and vintages[1].endswith("2020-05")
    assert "生成时间 / Generated" in items and "来源 / Source" in items

    english = publish_excel.to_xlsx(table, "trade", lang="en", title="Trade", demo=False)
    rows, about, names = _sheet_values(english)
    assert names[0] == "Trade in goods"
    assert rows[1][0] is None  # no demo label
    assert rows[2][6] == "Value (CNY)" and rows[3][6] == "金额（人民币）（元）"
    assert rows[4][1:3] == ["exports", "Czechia"]
    assert {r[0]: r[1] for r in about[1:]}["演示数据 / Demonstration data"] == "否 / No"


def test_measure_tables_export(hub: Hub) -> None:
    db, store = hub
    query = service.query_from_text("trade", "value_cny", "2020年5月", by="partner")
    top = service.top(db, store, query, n=3)
    text = publish.measure_to_csv(top).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["partner"] for r in rows] == ["CZ", "VN"]
    assert int(rows[0]["value"]) == 40_000_000
    assert rows[0]["previous"] == ""  # 2019 was never published
    data = publish_excel.measure_to_xlsx(
        top, title="前三位", lang="zh", demo=True, unit="CNY", dataset_name="trade"
    )
    sheet_rows, about, _ = _sheet_values(data)
    assert "synthetic" in str({r[0]: r[1] for r in about}["演示数据 / Demonstration data"])
    assert sheet_rows[0][0] == "前三位" and "演示数据" in str(sheet_rows[1][0])
    header = sheet_rows[2]
    assert header[:3] == ["名次", "贸易伙伴", "数值（元）"]
    assert sheet_rows[3][:3] == ["Rank", "Partner", "Value (CNY)"]
    assert sheet_rows[4][:3] == [1, "捷克", 40_000_000]

    monthly = service.series(
        db,
        store,
        service.query_from_text("trade", "value_cny", "2020年5月"),
        first=Month(2020, 4),
        last=Month(2020, 5),
    )
    assert publish.measure_to_csv(monthly).decode("utf-8-sig").startswith("month,value,")
    data = publish_excel.measure_to_xlsx(
        monthly, title="Monthly", lang="en", demo=False, unit="CNY"
    )
    sheet_rows, _, _ = _sheet_values(data)
    assert sheet_rows[2][:3] == ["Month", "Value (CNY)", "Same period last year (CNY)"]
    assert sheet_rows[4][1] == 12_345_000 + 200_000


def _read_sdmx(tmp_path: Path, name: str, data: bytes, **kwargs: Any) -> Any:
    import sdmx

    path = tmp_path / name
    path.write_bytes(data)
    with path.open("rb") as f:  # read_sdmx(path) leaves its file open (a ResourceWarning)
        return sdmx.read_sdmx(f, **kwargs)


def test_sdmx_structure_parses_back_with_names_in_both_languages(tmp_path: Path) -> None:
    data = publish_sdmx.sdmx_structure(["trade", "rail"], demo=True)
    msg = _read_sdmx(tmp_path, "structure.xml", data)
    area = msg.codelist["CL_AREA"]
    assert area["CZ"].name.localizations == {"zh": "捷克", "en": "Czechia"}
    assert area["VN"].name.localizations["zh"] == "越南"
    assert "_Z" in area
    assert msg.codelist["CL_FLOW"]["EXPORT"].name.localizations == {
        "zh": "出口",
        "en": "exports",
    }
    assert msg.codelist["CL_DIRECTION"]["OUTBOUND"].name.localizations["zh"] == "去程"
    units = msg.codelist["CL_UNIT_MEASURE"]
    assert sorted(units.items) == ["CNY", "COUNT", "T", "TEU", "USD"]
    assert units["TEU"].name.localizations["zh"] == "标准箱"
    trade = msg.structure["DSD_TRADE"]
    assert [d.id for d in trade.dimensions.components] == [
        "FLOW",
        "PARTNER",
        "HS_CODE",
        "REGION",
        "TRADE_MODE",
        "MEASURE",
        "TIME_PERIOD",
    ]
    assert [m.id for m in trade.measures.components] == ["OBS_VALUE"]
    assert {a.id for a in trade.attributes.components} == {"UNIT_MEASURE", "VINTAGE"}
    partner = trade.dimensions.get("PARTNER")
    assert partner.local_representation.enumerated.id == "CL_AREA"
    assert msg.codelist["CL_MEASURE_TRADE"]["VALUE_USD"].name.localizations == {
        "zh": "金额（美元）",
        "en": "Value (USD)",
    }
    rail = msg.structure["DSD_RAIL"]
    assert [d.id for d in rail.dimensions.components][:3] == ["LINE", "DIRECTION", "DESTINATION"]
    flow = msg.dataflow["DF_TRADE"]
    assert flow.name.localizations == {"zh": "货物贸易", "en": "Trade in goods"}
    assert flow.maintainer.id == "SILKHUB"
    assert flow.structure.id == "DSD_TRADE"
    (note,) = flow.annotations
    assert note.type == "SILKHUB_DEMO" and "synthetic" in note.text.localizations["en"]
    assert msg.header.test is True
    assert "演示数据" in msg.header.source.localizations["zh"]
    plain = _read_sdmx(tmp_path, "plain.xml", publish_sdmx.sdmx_structure(["trade"], demo=False))
    assert not plain.dataflow["DF_TRADE"].annotations
    assert plain.header.test is False and "synthetic" not in str(plain.header.source)


def _series(msg: Any) -> dict[tuple[str, ...], dict[str, tuple[str, str, str]]]:
    found = {}
    for key, observations in msg.data[0].series.items():
        values = tuple(str(v.value) for v in key.values.values())
        found[values] = {
            str(o.dim.values["TIME_PERIOD"].value): (
                str(o.value),
                str(key.attrib["UNIT_MEASURE"].value),
                str(o.attached_attribute["VINTAGE"].value),
            )
            for o in observations
        }
    return found


def test_sdmx_data_parses_back_with_the_structure(hub: Hub, tmp_path: Path) -> None:
    db, store = hub
    structure = _read_sdmx(
        tmp_path, "structure.xml", publish_sdmx.sdmx_structure(["trade"], demo=False)
    )
    dsd = structure.structure["DSD_TRADE"]
    data = publish_sdmx.sdmx_data(db, store, "trade", "value_cny", demo=True)
    assert b"StructureSpecificData" in data
    msg = _read_sdmx(tmp_path, "data.xml", data, structure=dsd)
    series = _series(msg)
    cz = ("EXPORT", "CZ", "_Z", "_Z", "_Z", "VALUE_CNY")
    assert set(series) == {
        cz,
        ("IMPORT", "AE", "_Z", "_Z", "_Z", "VALUE_CNY"),
        ("IMPORT", "VN", "_Z", "_Z", "_Z", "VALUE_CNY"),
    }
    vintages = {v for obs in series.values() for _, _, v in obs.values()}
    assert len(vintages) == 2
    assert series[cz]["2020-04"][:2] == ("12345000", "CNY")
    assert series[cz]["2020-05"][:2] == ("40000000", "CNY")
    assert series[cz]["2020-04"][2] != series[cz]["2020-05"][2]  # May was revised
    assert msg.header.test is True and "synthetic" in msg.header.source.localizations["en"]

    older = publish_sdmx.sdmx_data(db, store, "trade", "value_cny", as_of=BETWEEN, demo=False)
    series = _series(_read_sdmx(tmp_path, "older.xml", older, structure=dsd))
    assert series[cz]["2020-05"][0] == "39091200"
    assert series[("EXPORT", "VN", "_Z", "_Z", "_Z", "VALUE_CNY")]["2020-05"][0] == "10000000"

    empty = publish_sdmx.sdmx_data(db, store, "trade", "value_usd", demo=False)
    assert _read_sdmx(tmp_path, "usd.xml", empty, structure=dsd).data[0].series == {}
    rail = _read_sdmx(
        tmp_path, "rail-structure.xml", publish_sdmx.sdmx_structure(["rail"], demo=False)
    )
    nothing = publish_sdmx.sdmx_data(db, store, "rail", "teu", demo=False)  # never imported
    parsed = _read_sdmx(tmp_path, "rail.xml", nothing, structure=rail.structure["DSD_RAIL"])
    assert parsed.data[0].series == {}
    with pytest.raises(InvalidInput) as error:
        publish_sdmx.sdmx_data(db, store, "trade", "quantity", demo=False)
    assert error.value.problems[0].code == "not_an_sdmx_measure"


def test_sdmx_csv_has_the_2_0_columns_and_parses_back(hub: Hub, tmp_path: Path) -> None:
    db, store = hub
    data = publish_sdmx.sdmx_csv(db, store, "trade", "value_cny", demo=True)
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == [
        "STRUCTURE",
        "STRUCTURE_ID",
        "ACTION",
        "FLOW",
        "PARTNER",
        "HS_CODE",
        "REGION",
        "TRADE_MODE",
        "MEASURE",
        "TIME_PERIOD",
        "OBS_VALUE",
        "UNIT_MEASURE",
        "VINTAGE",
    ]
    assert rows[1][:11] == [
        "dataflow",
        "SILKHUB:DF_TRADE(1.0)",
        "I",
        "EXPORT",
        "CZ",
        "_Z",
        "_Z",
        "_Z",
        "VALUE_CNY",
        "2020-04",
        "12345000",
    ]
    assert len(rows) == 5
    assert {r[10] for r in rows[1:]} == {"12345000", "40000000", "200000", "70000"}
    structure = _read_sdmx(
        tmp_path, "structure.xml", publish_sdmx.sdmx_structure(["trade"], demo=False)
    )
    msg = _read_sdmx(
        tmp_path, "data.csv", data, structure=structure.dataflow["DF_TRADE"], format="csv"
    )
    values = sorted(float(o.value) for ds in msg.data for o in ds.obs)
    assert values == [70_000, 200_000, 12_345_000, 40_000_000]


def test_data_package_validates_and_carries_the_demo_label(hub: Hub, tmp_path: Path) -> None:
    import frictionless

    db, store = hub
    target = publish_frictionless.data_package(
        db, store, ["trade", "rail"], tmp_path / "package", demo=True
    )
    assert target == tmp_path / "package" / "datapackage.json"
    report = frictionless.validate(target)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads(target.read_text("utf-8"))
    assert descriptor["description"].startswith(publish.DEMO_LABEL.zh)
    assert any("synthetic" in s["title"] for s in descriptor["sources"])
    assert descriptor["silkhub_demo"] is True
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert (tmp_path / "package" / "README.md").read_text("utf-8").startswith("**演示数据")
    trade, rail = descriptor["resources"]
    assert (trade["name"], trade["path"], rail["path"]) == ("trade", "trade.csv", "rail.csv")
    fields = {f["name"]: f for f in trade["schema"]["fields"]}
    assert fields["value_cny"]["type"] == "integer" and fields["value_cny"]["unit"] == "CNY"
    assert fields["value_cny"]["title"] == "金额（人民币） / Value (CNY)"
    assert fields["month"]["type"] == "date"
    assert fields["flow"]["constraints"]["enum"] == ["export", "import"]
    assert fields["vintage"]["type"] == "integer"
    assert "primaryKey" not in trade["schema"]  # hs_code, region, trade mode may be empty
    assert {s["title"].split(" ")[0] for s in trade["sources"]} == {"v1.csv", "v2.csv"}
    rows = list(csv.DictReader(io.StringIO((tmp_path / "package" / "trade.csv").read_text())))
    got = sorted((r["month"][:7], r["flow"], r["partner"], int(r["value_cny"])) for r in rows)
    assert got == LATEST
    assert (tmp_path / "package" / "rail.csv").read_text().startswith("month,line,")

    plain = publish_frictionless.data_package(
        db, store, ["trade"], tmp_path / "older", demo=False, as_of=BETWEEN
    )
    assert frictionless.validate(plain).valid
    descriptor = json.loads(plain.read_text("utf-8"))
    assert "synthetic" not in json.dumps(descriptor)
    assert [s["title"].split(" ")[0] for s in descriptor["resources"][0]["sources"]] == ["v1.csv"]


def test_table_schema_has_a_primary_key_when_the_key_is_required() -> None:
    from silkhub.stats.datasets import dataset

    assert publish_frictionless.table_schema(dataset("air"))["primaryKey"] == ["month", "airport"]
    schema = publish_frictionless.table_schema(dataset("port"))
    assert "primaryKey" not in schema  # a row without a cargo kind is the port's total
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["cargo_kind"]["constraints"]["enum"] == [
        "containers",
        "dry_bulk",
        "liquid_bulk",
        "general_cargo",
    ]
    assert "total of every kind" in fields["cargo_kind"]["description"]
    assert "containers or empty" in fields["containers_teu"]["description"]
    assert fields["cargo_tonnes"]["type"] == "number" and fields["cargo_tonnes"]["unit"] == "T"
    assert fields["containers_teu"]["constraints"] == {"minimum": 0}
