"""The statistics of the demonstration hub: built by the real builder through the real ingest,
and every figure of the seed article computed back with silkhub's own measures and printed
the way a release prints it (``silkhub.core.formatting``)."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from silkhub.core import groups
from silkhub.core.formatting import (
    format_amount,
    format_count,
    format_growth,
    format_number,
    format_percent,
)
from silkhub.core.periods import Month, Period, Year, YearToDate
from silkhub.settings import Settings
from silkhub.stats import service
from silkhub.stats.datasets import DATASETS
from silkhub.stats.demo import SOURCES_FOLDER, write_sources
from silkhub.stats.demo_common import LABEL, LABEL_ZH, month_range
from silkhub.stats.measures import MeasureQuery, MeasureResult, measure_result, run, top_n
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database
from silkhub.web.app import create_app
from tests.stats.conftest import DEMO_SEED, DemoHub

SEED = DEMO_SEED
BEIJING = timezone(timedelta(hours=8))
JAN_MAY_2020 = YearToDate(2020, 5)
JAN_JUN_2020 = YearToDate(2020, 6)


@dataclass
class Hub:
    data_dir: Path
    db: Database
    store: AnalyticalStore
    vintage_periods: pa.Table
    imports: list[dict[str, object]]

    def figure(
        self,
        dataset: str,
        value: str,
        period: Period,
        *,
        whole: MeasureQuery | None = None,
        **kwargs: object,
    ) -> MeasureResult:
        query = MeasureQuery(dataset, value, period, **kwargs)  # type: ignore[arg-type]
        result = measure_result(
            self.store, query, vintage_periods=self.vintage_periods, whole=whole
        )
        assert result.complete, result.missing_months
        return result

    def current_rows(self, dataset: str) -> pa.Table:
        """The stored rows of ``dataset`` that are current (the latest vintage of each
        month), read with pyarrow."""
        table = pq.read_table(self.store.path(dataset))
        latest: dict[date, int] = {}
        for record in self.vintage_periods.to_pylist():
            if record["dataset"] == dataset:
                period = record["period"]
                latest[period] = max(latest.get(period, 0), record["vintage"])
        period_field = DATASETS[dataset].period_field
        months = [date(d.year, d.month, 1) for d in table.column(period_field).to_pylist()]
        keep = [
            latest.get(m) == v
            for m, v in zip(months, table.column("vintage").to_pylist(), strict=True)
        ]
        return table.filter(pa.array(keep))


@pytest.fixture(scope="module")
def hub(demo_hub: DemoHub) -> Hub:
    data_dir, db, store = demo_hub.data_dir, demo_hub.db, demo_hub.store
    with db.reading() as session:
        periods = service.vintage_periods(session)
        imports = [
            {
                "id": r.id,
                "dataset": r.dataset,
                "source": r.source,
                "sha256": r.sha256,
                "notes": list(r.notes),
                "imported_by": r.imported_by,
                "published_at": r.published_at,
                "mapping": r.mapping,
                "computed_from": r.computed_from,
                "vintage": r.vintage,
            }
            for r in service.list_imports(session)
        ]
    return Hub(data_dir, db, store, periods, imports)


def route_members() -> frozenset[str]:
    return groups.members("along_route_64", date(2020, 1, 1))


# --- the figures of the seed article ---------------------------------------------------------


def test_trade_with_the_belt_and_road_countries(hub: Hub) -> None:
    jan_may = hub.figure("trade", "value_cny", JAN_MAY_2020, group="along_route_64")
    assert format_amount(jan_may.value, "CNY", "zh") == "3909亿元"
    assert format_amount(jan_may.value, "CNY", "en") == "CNY 390.9 billion"
    year = hub.figure("trade", "value_cny", Year(2019), group="along_route_64")
    assert year.value is not None
    assert 10**12 < year.value < 1.05 * 10**12  # "跨过了1万亿元大关"
    assert format_amount(year.value, "CNY", "zh") == "1万亿元"
    # The route countries are a plausible share of all the province's trade.
    assert year.share_pct is not None
    assert 28 < year.share_pct < 40


def test_china_ceec_trade_and_its_true_share(hub: Hub) -> None:
    members = groups.members("china_ceec", date(2020, 1, 1))
    assert len(members) == 17 and "GR" in members
    route = MeasureQuery("trade", "value_cny", JAN_MAY_2020, group="along_route_64")
    ceec = hub.figure("trade", "value_cny", JAN_MAY_2020, group="china_ceec", whole=route)
    assert format_amount(ceec.value, "CNY", "zh") == "288亿元"
    assert format_amount(ceec.whole, "CNY", "zh") == "3909亿元"
    # The article says 10.4%; computed from the data, 288 of 3909 is 7.4%.
    assert ceec.share_pct is not None
    assert format_percent(ceec.share_pct, "zh") == "7.4%"
    assert format_percent(ceec.share_pct, "zh") != "10.4%"


def test_outward_investment_filed_to_the_route_countries(hub: Hub) -> None:
    year = hub.figure("odi", "amount_usd", Year(2019), group="along_route_64")
    assert format_amount(year.value, "USD", "zh") == "81.3亿美元"
    assert year.growth_pct is not None
    assert format_growth(year.growth_pct, "zh") == "增长70.1%"
    assert format_amount(year.previous, "USD", "zh") == "47.8亿美元"

    jan_may = hub.figure("odi", "amount_usd", JAN_MAY_2020, group="along_route_64")
    assert format_amount(jan_may.value, "USD", "zh", digits=2) == "15.19亿美元"

    # Counts of filings: the measures sum, they do not count, so pyarrow counts the rows.
    rows = hub.current_rows("odi")
    on_route = pc.is_in(rows.column("destination"), pa.array(sorted(route_members())))
    day = rows.column("filing_date")
    in_2020 = pc.and_(
        pc.greater_equal(day, pa.scalar(date(2020, 1, 1))),
        pc.less(day, pa.scalar(date(2020, 6, 1))),
    )
    filings = rows.filter(pc.and_(on_route, in_2020))
    assert filings.num_rows == 128
    assert pc.sum(filings.column("amount_usd")).as_py() == jan_may.value

    in_2019 = pc.equal(pc.year(day), 2019)
    big = rows.filter(
        pc.and_(
            pc.and_(on_route, in_2019), pc.greater_equal(rows.column("amount_usd"), 100_000_000)
        )
    )
    assert big.num_rows == 16
    assert len(set(big.column("destination").to_pylist())) == 13


def test_foreign_investment_from_the_route_countries(hub: Hub) -> None:
    fdi = hub.figure("fdi", "actual_usd", JAN_MAY_2020, group="along_route_64")
    assert format_amount(fdi.value, "USD", "zh") == "3.6亿美元"
    assert fdi.growth_pct is not None
    assert format_growth(fdi.growth_pct, "zh") == "增长18.0%"


def test_ningbo_zhoushan_port(hub: Hub) -> None:
    port = {"port": "宁波舟山港"}
    cargo = hub.figure("port", "cargo_tonnes", Year(2019), filters=port)
    assert format_amount(cargo.value, "T", "zh") == "11.2亿吨"
    boxes = hub.figure("port", "containers_teu", Year(2019), filters=port)
    assert boxes.value is not None and boxes.value > 27_000_000  # "首次突破2700万标准箱"
    assert format_amount(boxes.value, "TEU", "zh") == "2753.5万标箱"

    cargo = hub.figure("port", "cargo_tonnes", JAN_MAY_2020, filters=port)
    assert format_amount(cargo.value, "T", "zh") == "4.5亿吨"
    assert cargo.times is not None and cargo.growth_pct is not None
    assert format_number(cargo.times * 100, "zh", 1) == "100.4"  # "为去年同期的100.4%"
    assert format_growth(cargo.growth_pct, "zh") == "增长0.4%"
    boxes = hub.figure("port", "containers_teu", JAN_MAY_2020, filters=port)
    assert format_amount(boxes.value, "TEU", "zh") == "1071.7万标箱"

    # By cargo kind (synthetic shares), adding up to those totals: every port and month has
    # the four kinds and no row without one; TEU only on the container rows.
    rows = hub.current_rows("port")
    assert set(rows.column("cargo_kind").to_pylist()) == {
        "containers",
        "dry_bulk",
        "liquid_bulk",
        "general_cargo",
    }
    teu_kinds = {r["cargo_kind"] for r in rows.to_pylist() if r["containers_teu"] is not None}
    assert teu_kinds == {"containers"}
    shares = {}
    for kind in ("containers", "dry_bulk", "liquid_bulk", "general_cargo"):
        part = hub.figure("port", "cargo_tonnes", Year(2019), filters={**port, "cargo_kind": kind})
        assert part.value is not None
        shares[kind] = part.value / 1_119_000_000
    assert sum(shares.values()) == pytest.approx(1.0)
    assert 0.2 < shares["containers"] < 0.3 and 0.4 < shares["dry_bulk"] < 0.5

    # The province's other ports are there, and smaller.
    ports = set(rows.column("port").to_pylist())
    assert ports == {"宁波舟山港", "嘉兴港", "温州港", "台州港"}
    for other in ("嘉兴港", "温州港", "台州港"):
        smaller = hub.figure("port", "cargo_tonnes", Year(2019), filters={"port": other})
        assert smaller.value is not None and 0 < smaller.value < cargo.value


def test_cross_border_ecommerce_retail_exports(hub: Hub) -> None:
    retail = hub.figure("ecommerce", "exports_cny", JAN_MAY_2020, filters={"mode": "零售"})
    assert format_amount(retail.value, "CNY", "zh") == "325.6亿元"
    assert retail.growth_pct is not None
    assert format_growth(retail.growth_pct, "zh") == "增长16.1%"


@pytest.mark.parametrize(
    ("line", "trains", "teu", "growth"),
    [("义新欧", "294列", "24466标箱", "增长117.1%"), ("中亚班列", "59列", "4758标箱", "增长60.0%")],
)
def test_rail_from_yiwu(hub: Hub, line: str, trains: str, teu: str, growth: str) -> None:
    count = hub.figure("rail", "trains", JAN_JUN_2020, filters={"line": line})
    assert count.value is not None
    assert format_count(count.value, "zh", counter_zh="列") == trains
    boxes = hub.figure("rail", "teu", JAN_JUN_2020, filters={"line": line})
    assert format_amount(boxes.value, "TEU", "zh") == teu
    assert boxes.growth_pct is not None
    assert format_growth(boxes.growth_pct, "zh") == growth


def test_rail_runs_to_june_2020_by_destination_and_direction(hub: Hub) -> None:
    periods = hub.vintage_periods.filter(pc.equal(hub.vintage_periods.column("dataset"), "rail"))
    months = periods.column("period").to_pylist()
    assert min(months) == date(2018, 1, 1) and max(months) == date(2020, 6, 1)
    rows = hub.current_rows("rail")
    assert {"ES", "DE", "PL", "CZ", "BY", "RU", "KZ", "UZ"} <= set(
        rows.column("destination").to_pylist()
    )
    outbound = pc.sum(rows.filter(pc.equal(rows.column("direction"), "outbound"))["teu"])
    inbound = pc.sum(rows.filter(pc.equal(rows.column("direction"), "inbound"))["teu"])
    assert outbound.as_py() > 2 * inbound.as_py() > 0


def test_international_air_cargo_routes(hub: Hub) -> None:
    def routes(month: Month) -> int:
        value = hub.figure("air", "routes", month).value
        assert isinstance(value, int)
        return value

    assert routes(Month(2019, 12)) == 13
    assert routes(Month(2020, 6)) == 19  # "总数达到19条" when the article was written
    assert routes(Month(2020, 12)) == 19  # the last month of the demo's data
    assert routes(Month(2020, 12)) - routes(Month(2019, 12)) == 6  # "今年新开通6条"
    airports = set(hub.current_rows("air").column("airport").to_pylist())
    assert airports == {"杭州萧山国际机场", "宁波栎社国际机场"}


# --- plausible detail --------------------------------------------------------------------------


def test_trade_detail_is_plausible(hub: Hub) -> None:
    rows = hub.current_rows("trade")
    assert 100_000 < rows.num_rows < 300_000
    hs = rows.column("hs_code").to_pylist()
    assert {len(code) for code in hs} == {4, 6}
    assert len(set(rows.column("partner").to_pylist())) > 100
    assert len(set(rows.column("region").to_pylist())) == 11  # the province's cities
    assert rows.column("value_usd").null_count == 0

    exports = hub.figure("trade", "value_cny", Year(2019), filters={"flow": "export"})
    imports = hub.figure("trade", "value_cny", Year(2019), filters={"flow": "import"})
    assert exports.value is not None and imports.value is not None
    assert exports.value > 2 * imports.value

    # The largest route partners are the large ones of the real trade.
    query = MeasureQuery("trade", "value_cny", Year(2019), group="along_route_64", by="partner")
    top = run(hub.store, top_n(query, 5), vintage_periods=hub.vintage_periods)
    assert set(top.column("partner").to_pylist()) <= {"RU", "IN", "VN", "ID", "MY", "TH", "AE"}

    # The New Year dip, and the epidemic's in February 2020.
    def month(m: Month) -> int:
        value = hub.figure("trade", "value_cny", m).value
        assert isinstance(value, int)
        return value

    assert month(Month(2019, 2)) < 0.8 * month(Month(2019, 1))
    assert month(Month(2020, 2)) < 0.8 * month(Month(2019, 2))
    assert month(Month(2020, 5)) > month(Month(2019, 5))


def test_a_revision_is_shown_by_the_vintages(hub: Hub) -> None:
    vp = hub.vintage_periods.to_pylist()
    march = sorted(
        (r["published_at"], r["vintage"])
        for r in vp
        if r["dataset"] == "trade" and r["period"] == date(2020, 3, 1)
    )
    assert len(march) == 2
    (first_at, first), (revised_at, revised) = march
    assert first_at < revised_at and first < revised
    # Every other month of every dataset is published once, but the rail months of January
    # 2019 to June 2020, published again as computed from the tracked train runs' events
    # (silkhub/logistics/demo_history.py).
    computed = [i for i in hub.imports if i["computed_from"] is not None]
    assert [i["dataset"] for i in computed] == ["rail"]
    again = [r for r in vp if r["vintage"] == computed[0]["vintage"]]
    tracked = month_range(Month(2019, 1), Month(2020, 6))
    assert sorted(r["period"] for r in again) == [m.start for m in tracked]
    assert len(vp) == len({(r["dataset"], r["period"]) for r in vp}) + 1 + len(again)

    before = datetime(2020, 5, 1, tzinfo=BEIJING)
    old = hub.figure("trade", "value_cny", Month(2020, 3), group="along_route_64", as_of=before)
    new = hub.figure("trade", "value_cny", Month(2020, 3), group="along_route_64")
    assert [v.vintage for v in old.vintages if v.month == Month(2020, 3)] == [first]
    assert [v.vintage for v in new.vintages if v.month == Month(2020, 3)] == [revised]
    assert old.value is not None and new.value is not None
    assert 0.97 * new.value < old.value < new.value  # revised up: late declarations came in

    # As of before May's release, January-May is not complete, so no figure is given.
    query = MeasureQuery("trade", "value_cny", JAN_MAY_2020, group="along_route_64", as_of=before)
    early = measure_result(hub.store, query, vintage_periods=hub.vintage_periods)
    assert early.value is None and not early.complete
    revision = [i for i in hub.imports if "修订" in str(i["source"])]
    assert len(revision) == 1


# --- labelled, seeded, imported as files ----------------------------------------------------------


def test_every_file_and_import_is_labelled_synthetic(hub: Hub) -> None:
    folder = hub.data_dir / SOURCES_FOLDER
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    data_files = [p for p in files if p.suffix in (".csv", ".xlsx")]
    # Every import but the rail figures computed from the tracked events is one of the files.
    assert len(data_files) == len([i for i in hub.imports if i["computed_from"] is None])
    for path in data_files:
        assert LABEL_ZH in path.name and "synthetic" in path.name, path.name
        if path.suffix == ".csv":
            raw = path.read_bytes()
            text = raw.decode("gbk" if path.parent.name == "trade" else "utf-8-sig")
            title = text.splitlines()[0]
        else:
            sheet = openpyxl.load_workbook(path).active
            assert sheet is not None
            title = str(sheet["A1"].value)
        assert title.startswith(LABEL), (path.name, title)
    for path in files:
        if path not in data_files:  # the port authority's mapping file
            assert LABEL in path.read_text(encoding="utf-8")

    assert {i["dataset"] for i in hub.imports} == set(DATASETS)
    for record in hub.imports:
        assert LABEL_ZH in str(record["source"]) and "synthetic" in str(record["source"])
        assert record["imported_by"] == "demo"
        notes = record["notes"]
        assert isinstance(notes, list)
        assert any("synthetic demonstration data" in n for n in notes), record["source"]

    enterprises = set(hub.current_rows("odi").column("enterprise").to_pylist())
    assert len(enterprises) > 50
    assert all(name.startswith("演示·") for name in enterprises)


def test_the_imports_read_the_files_written_and_were_published_after_their_month(
    hub: Hub,
) -> None:
    folder = hub.data_dir / SOURCES_FOLDER
    written = {
        hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.suffix in (".csv", ".xlsx")
    }
    files = [i for i in hub.imports if i["computed_from"] is None]
    assert {i["sha256"] for i in files} == written
    encodings = {i["dataset"]: i for i in files}
    assert encodings["port"]["mapping"] == "demo_port.toml"
    assert encodings["rail"]["mapping"] == "yiwu_rail.toml"
    for record in hub.vintage_periods.to_pylist():
        assert record["published_at"] > datetime.combine(
            record["period"], datetime.min.time(), tzinfo=UTC
        ) + timedelta(days=31)


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    def digests(folder: Path, seed: int) -> dict[str, str]:
        write_sources(folder, random.Random(seed))
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    first = digests(tmp_path / "a", 5)
    assert first == digests(tmp_path / "b", 5)
    other = digests(tmp_path / "c", 6)
    assert other.keys() == first.keys()
    assert sum(first[k] != other[k] for k in first) > len(first) / 2


def test_the_portal_states_the_seed_figures(hub: Hub) -> None:
    """The headline page of the demo, for January to May 2020, in both languages, and the
    home page's statistics card: figures computed, none typed in."""
    settings = Settings(data_dir=hub.data_dir, secret_key="test-secret-key-not-for-production")
    with TestClient(create_app(settings, db=hub.db)) as client:
        zh = client.get("/zh/stats", params={"period": "2020年1-5月"}).text
        en = client.get("/en/stats", params={"period": "2020-YTD05"}).text
        home = client.get("/zh/").text
    for text in (
        "3909亿元",
        "288亿元",
        "占7.4%",
        "325.6亿元，增长16.1%",
        "4.5亿吨，增长0.4%",
        "1071.7万标箱",
        "3.6亿美元，增长18.0%",
    ):
        assert text in zh, text
    assert "CNY 390.9 billion" in en
    assert "尚未导入统计数据" not in home
    assert "与“一带一路”沿线国家进出口" in home
