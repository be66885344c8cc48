"""The two registers of the statistics capability, on real stores (SQLite and PostgreSQL):
flagship projects with targets and progress, and the footprint abroad with its map layer."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

import silkhub.stats.registers_models  # noqa: F401  (until silkhub.stats.models imports them)
from silkhub.core.errors import InvalidInput
from silkhub.stats import registers, service
from silkhub.stats import registers_footprint as fp
from silkhub.stats.registers_common import data_file
from silkhub.stats.registers_models import (
    StatsEntry,
    StatsFootprint,
    StatsIndicator,
    StatsProject,
)
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database

ACTOR = Actor(None, "test")
ARTICLE = "徐幸"


@pytest.fixture
def db(engine: Engine) -> Database:
    return Database(engine)


@pytest.fixture
def loaded(db: Database) -> Database:
    with db.transaction(ACTOR) as session:
        registers.load_register(session)
        fp.load_footprint(session)
    return db


def fields(error: InvalidInput) -> dict[str | None, set[str]]:
    out: dict[str | None, set[str]] = {}
    for p in error.problems:
        out.setdefault(p.location.field, set()).add(p.code)
        assert p.message.zh and p.message.en
    return out


# --- flagship projects ---------------------------------------------------------------------------


def test_the_shipped_register_loads_once(db: Database) -> None:
    with db.transaction(ACTOR) as session:
        first = registers.load_register(session)
    assert first.created["stats_projects"] == 10
    with db.transaction(ACTOR) as session:
        again = registers.load_register(session)
    assert again.created == {} and again.updated == {}
    with db.reading() as session:
        projects = registers.list_projects(session)
        assert [p.code for p in projects][:2] == ["ftz", "port"]
        assert len(projects) == 10
        for project in projects:
            assert ARTICLE in project.source
            for indicator in project.indicators:
                assert ARTICLE in indicator.source
        for entry in session.scalars(select(StatsEntry)):
            assert ARTICLE in entry.source, entry.source
            assert entry.entered_by == "register:flagship_projects.toml"
        measured = session.scalars(
            select(StatsIndicator).where(StatsIndicator.method == "measure")
        ).all()
        assert {i.code for i in measured} >= {"ceec_trade", "port_cargo", "yxe_teu"}
        assert all(i.dataset is not None for i in measured)


def test_article_targets_met_and_not_yet(loaded: Database) -> None:
    with loaded.transaction(ACTOR) as session:
        wenzhou = registers.progress(session, "wenzhou_market_procurement_exports", "2020")
        assert wenzhou.target == 3_000_000_000  # 30亿美元, in dollars
        assert wenzhou.met is True
        assert wenzhou.at_least is True
        assert wenzhou.percent_of_target == 100.0

        qingtian = registers.progress(session, "qingtian_import_city_sales", "2020")
        assert qingtian.target == 4_000_000_000
        assert qingtian.value is None and qingtian.met is None  # the article gives no figure

        registers.enter_value(
            session,
            "qingtian_import_city_sales",
            "2020年1-5月",
            12.5,
            unit="亿元",
            source="test",
            entered_by="tester",
        )
        partial = registers.progress(session, "qingtian_import_city_sales", "2020")
        assert partial.value == 1_250_000_000
        assert partial.through == "2020-YTD05"
        assert partial.percent_of_target == 1_250_000_000 / 4_000_000_000 * 100
        assert partial.remaining == 2_750_000_000
        assert partial.met is False

        registers.enter_value(
            session,
            "qingtian_import_city_sales",
            "2020",
            4_100_000_000,
            unit="CNY",
            source="test",
            entered_by="tester",
        )
        full = registers.progress(session, "qingtian_import_city_sales", "2020")
        assert (full.through, full.met, full.remaining) == ("2020", True, 0)
        # Asking for the part still gives the part.
        part = registers.progress(
            session, "qingtian_import_city_sales", "2020", through="2020年1-5月"
        )
        assert part.value == 1_250_000_000


def test_entry_values_are_stored_in_base_units(loaded: Database) -> None:
    with loaded.reading() as session:
        bunker = registers.progress(session, "ftz_bunker_fuel", "2020")
    assert bunker.value == 1_700_400  # 170.04万吨, in tonnes
    assert bunker.target is None and bunker.met is None
    assert bunker.to_dict()["unit"] == "T_10K"


HEADER = "月份,进出口,国别（地区）,金额（万元）\n"
ROWS = [
    "2020-04,出口,捷克,1234.5",
    "2020-04,进口,阿联酋,20",
    "2020-05,出口,捷克,3909.12",
    '2020-05,出口,Viet Nam,"1,000"',
]

REGISTER = """
article = "test register"
[[projects]]
code = "t"
name_zh = "测试"
name_en = "Test"
  [[projects.indicators]]
  code = "exports_cz"
  name_zh = "对捷克出口"
  name_en = "Exports to Czechia"
  unit = "CNY_100M"
  method = "measure"
  dataset = "trade"
  value = "value_cny"
  filters = { flow = "出口", partner = ["捷克"] }
    [[projects.indicators.targets]]
    period = "2020-05"
    value = 0.3
    [[projects.indicators.targets]]
    period = "2020"
    value = 1
  [[projects.indicators]]
  code = "exports_all"
  name_zh = "出口"
  name_en = "Exports"
  unit = "万元"
  method = "measure"
  dataset = "trade"
  value = "value_cny"
  filters = { flow = "export" }
    [[projects.indicators.targets]]
    period = "2020-05"
    value = 4000
"""


def test_progress_computed_from_a_measure(db: Database, tmp_path: Path) -> None:
    store = AnalyticalStore(tmp_path / "analytical")
    csv = tmp_path / "海关.csv"
    csv.write_bytes((HEADER + "\n".join(ROWS) + "\n").encode("gbk"))
    outcome = service.import_file(
        db,
        store,
        csv,
        dataset_name="trade",
        data_dir=tmp_path / "data",
        actor=ACTOR,
        max_bytes=10_000_000,
        today=date(2020, 6, 15),
    )
    assert outcome.status == "imported"
    path = tmp_path / "register.toml"
    path.write_text(REGISTER, encoding="utf-8")
    with db.transaction(ACTOR) as session:
        registers.load_register(session, path)
    with db.reading() as session:
        cz = registers.progress(session, "exports_cz", "2020-05", db=db, store=store)
        assert cz.method == "measure"
        assert cz.value == 39_091_200  # 3909.12万元
        assert cz.target == 30_000_000  # 0.3亿元
        assert cz.percent_of_target == 39_091_200 / 30_000_000 * 100
        assert (cz.met, cz.remaining, cz.complete) == (True, 0, True)

        every = registers.progress(session, "exports_all", "2020-05", db=db, store=store)
        assert every.value == 49_091_200
        assert every.percent_of_target == 49_091_200 / 40_000_000 * 100
        assert every.met is True

        # A 2020 target, measured through May: the value covers May.
        year = registers.progress(
            session, "exports_cz", "2020", db=db, store=store, through="2020-05"
        )
        assert (year.value, year.target, year.met) == (39_091_200, 100_000_000, False)
        assert year.remaining == 100_000_000 - 39_091_200
        # The whole year is not published: no value, and it says why.
        whole = registers.progress(session, "exports_cz", "2020", db=db, store=store)
        assert (whole.value, whole.met, whole.complete) == (None, None, False)

        with pytest.raises(InvalidInput) as caught:
            registers.progress(session, "exports_cz", "2020", db=db, store=store, through="2021")
        assert fields(caught.value) == {"through": {"through_outside_period"}}

        with pytest.raises(ValueError, match="needs db and store"):
            registers.progress(session, "exports_cz", "2020-05")


def test_enter_value_reports_every_problem_by_field(loaded: Database) -> None:
    with loaded.transaction(ACTOR) as session:
        with pytest.raises(InvalidInput) as caught:
            registers.enter_value(
                session,
                "qingtian_import_city_sales",
                "someday",
                -5,
                unit="吨",
                source=" ",
                entered_by="tester",
            )
        assert fields(caught.value) == {
            "period": {"invalid_period"},
            "value": {"negative_value"},
            "unit": {"unit_mismatch"},
            "source": {"missing_source"},
        }
        with pytest.raises(InvalidInput) as caught:
            registers.enter_value(
                session, "nope", "2020", 1, unit="个", source="s", entered_by="tester"
            )
        assert fields(caught.value) == {"indicator": {"unknown_indicator"}}
        with pytest.raises(InvalidInput) as caught:
            registers.enter_value(
                session, "ceec_trade", "2020", 1, unit="亿元", source="s", entered_by="tester"
            )
        assert fields(caught.value) == {"indicator": {"indicator_is_measured"}}
        with pytest.raises(InvalidInput) as caught:
            registers.enter_value(
                session,
                "sister_cities",
                "2020",
                float("nan"),
                unit="parsecs",
                source="s",
                entered_by="tester",
            )
        assert fields(caught.value) == {"value": {"not_a_number"}, "unit": {"unknown_unit"}}
        with pytest.raises(InvalidInput) as caught:
            registers.set_target(session, "sister_cities", "2021", 0, unit="对", source="s")
        assert fields(caught.value) == {"value": {"invalid_target"}}
        before = session.scalar(select(func.count()).select_from(StatsEntry))
    assert before == 19  # nothing was written by the refused calls


def test_a_bad_register_file_is_refused_whole(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        """
[[projects]]
code = "x"
name_zh = "坏"
name_en = "Bad"
source = "s"
  [[projects.indicators]]
  code = "i1"
  name_zh = "一"
  name_en = "One"
  unit = "furlongs"
  method = "measure"
  dataset = "nope"
  value = "v"
  source = "s"
  [[projects.indicators]]
  code = "i2"
  name_zh = "二"
  name_en = "Two"
  unit = "亿元"
  method = "entered"
    [[projects.indicators.entries]]
    period = "sometime"
    value = -1
""",
        encoding="utf-8",
    )
    with db.transaction(ACTOR) as session, pytest.raises(InvalidInput) as caught:
        registers.load_register(session, path)
    assert fields(caught.value) == {
        "projects[0].indicators[0].unit": {"unknown_unit"},
        "projects[0].indicators[0].dataset": {"unknown_dataset"},
        "projects[0].indicators[1].source": {"missing_source"},
        "projects[0].indicators[1].entries[0].period": {"invalid_period"},
        "projects[0].indicators[1].entries[0].value": {"negative_value"},
        "projects[0].indicators[1].entries[0].source": {"missing_source"},
    }
    assert {p.location.file for p in caught.value.problems} == {"bad.toml"}
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(StatsProject)) == 0


# --- footprint -----------------------------------------------------------------------------------


def test_footprint_filters(loaded: Database) -> None:
    with loaded.reading() as session:
        zones = fp.footprint(session, kind="zone")
        assert {z.code for z in zones} >= {
            "zone-th-rayong",
            "zone-ru-ussuriysk",
            "zone-vn-longjiang",
        }
        assert {z.country for z in zones} == {"TH", "RU", "VN", "ID"}
        for name in ("捷克", "Czechia", "CZ", "czech republic"):
            assert [i.code for i in fp.footprint(session, country=name)] == ["station-cz"]
        assert [i.code for i in fp.footprint(session, "service_station", "阿联酋")] == [
            "station-ae-dubai"
        ]
        assert fp.footprint(session, kind="college") == []
        assert all(not i.synthetic for i in fp.footprint(session))
        counts = fp.footprint_counts(session)
        assert set(counts) == set(fp.FOOTPRINT_KINDS)
        assert counts["service_station"] == 2
        assert counts["college"] == 0
        with pytest.raises(InvalidInput) as caught:
            fp.footprint(session, country="Atlantis")
        assert fields(caught.value) == {"country": {"unknown_country"}}
        with pytest.raises(InvalidInput) as caught:
            fp.footprint(session, kind="moon_base")
        assert fields(caught.value) == {"kind": {"invalid_kind"}}


def test_demonstration_items_stay_marked(loaded: Database) -> None:
    with loaded.transaction(ACTOR) as session:
        fp.load_footprint(session, data_file(fp.DEMO_FOOTPRINT_FILE))
        demo = fp.footprint(session, synthetic=True)
        assert demo
        assert all("demonstration data" in i.source for i in demo)
        assert fp.footprint_counts(session, synthetic=False)["college"] == 0
        assert fp.footprint_counts(session)["college"] == 2


def test_geojson_is_a_valid_feature_collection(loaded: Database) -> None:
    with loaded.reading() as session:
        collection = fp.footprint_geojson(session)
        total = session.scalar(select(func.count()).select_from(StatsFootprint))
        only_zones = fp.footprint_geojson(session, kind="zone")
    assert json.loads(json.dumps(collection)) == collection
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == total
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180
        assert -90 <= lat <= 90
        props = feature["properties"]
        for key in ("name", "kind", "country", "description"):
            assert props[f"{key}_zh"]
            assert props[f"{key}_en"]
        assert props["source"]
    prague = next(f for f in collection["features"] if f["id"] == "station-cz")
    assert prague["geometry"]["coordinates"] == [14.26, 50.1]  # [lon, lat], not [lat, lon]
    assert prague["properties"]["country_en"] == "Czechia"
    assert {f["properties"]["kind"] for f in only_zones["features"]} == {"zone"}


def test_reported_totals_beside_mapped_items(loaded: Database) -> None:
    with loaded.reading() as session:
        overview = {row["kind"]: row for row in fp.footprint_overview(session)}
        sisters = fp.reported_totals(session, "sister_city")
    assert [(t.measure, t.count, t.as_of) for t in sisters] == [("items", 500, "2020")]
    assert overview["sister_city"]["reported"]["items"]["count"] == 500
    assert overview["sister_city"]["mapped"] == 3
    assert overview["zone"]["reported"]["items"]["count"] == 15
    assert overview["college"]["reported"] == {
        "countries": overview["college"]["reported"]["countries"],
        "items": overview["college"]["reported"]["items"],
    }
    assert overview["college"]["reported"]["countries"]["count"] == 16
    assert overview["park"]["reported"]["projects"] == {
        "count": 300,
        "at_least": True,
        "as_of": "2020",
        "source": overview["park"]["reported"]["projects"]["source"],
    }
    assert ARTICLE in overview["park"]["reported"]["projects"]["source"]


def test_a_bad_footprint_file_is_refused_whole(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "fp.toml"
    path.write_text(
        """
[[items]]
code = "a"
kind = "zone"
name_zh = "甲"
name_en = "A"
country = "Atlantis"
latitude = 95
longitude = 10
source = "made up"
synthetic = true

[[items]]
code = "b"
kind = "castle"
name_zh = "乙"
name_en = "B"
country = "法国"
latitude = 48.9
longitude = 2.35
source = "demonstration data"

[[reported]]
kind = "zone"
measure = "hectares"
count = 1
as_of = "2020"
source = "s"
""",
        encoding="utf-8",
    )
    with db.transaction(ACTOR) as session, pytest.raises(InvalidInput) as caught:
        fp.load_footprint(session, path)
    assert fields(caught.value) == {
        "items[0].country": {"unknown_country"},
        "items[0].latitude": {"out_of_range"},
        "items[0].source": {"synthetic_source"},
        "items[1].kind": {"invalid_kind"},
        "items[1].source": {"synthetic_source"},
        "reported[0].measure": {"invalid_measure"},
    }
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(StatsFootprint)) == 0
