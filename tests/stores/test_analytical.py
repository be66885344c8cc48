"""The analytical store, against real Parquet files in a temporary directory.

The last tests run one Ibis expression on DuckDB and on PySpark (local mode) and check both
against a plain-Python computation of the same figures, so the two engines cannot agree on a
wrong answer unnoticed.
"""

from __future__ import annotations

import math
import random
import threading
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from silkhub.core.errors import InvalidInput, NotFound
from silkhub.stores.analytical import AnalyticalStore, normalise, unbound

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AnalyticalStore]:
    with AnalyticalStore(tmp_path / "analytical") as store:
        yield store


def small(values: list[int], partner: str = "VN") -> pa.Table:
    return pa.table(
        {
            "partner": pa.array([partner] * len(values), pa.string()),
            "value": pa.array(values, pa.int64()),
        }
    )


def leftovers(store: AnalyticalStore) -> list[str]:
    """Staging or set-aside directories still in the store root."""
    return sorted(p.name for p in store.root.iterdir() if p.name.startswith((".tmp-", ".old-")))


def read_all(store: AnalyticalStore, name: str) -> pa.Table:
    return pa.concat_tables(pq.read_table(f) for f in store.files(name))


# -- writes ------------------------------------------------------------------------------------


def test_first_write_creates_the_dataset(store: AnalyticalStore) -> None:
    assert store.datasets() == []
    result = store.write("trade", small([1, 2, 3]))

    assert result.dataset == "trade"
    assert result.created
    assert result.rows == 3
    assert result.file.parent == store.root / "trade"
    assert result.file.name.startswith("part-")
    assert store.datasets() == ["trade"]
    assert store.exists("trade")
    assert store.files("trade") == [result.file]
    assert store.schema("trade") == small([]).schema
    assert read_all(store, "trade").equals(small([1, 2, 3]))
    assert leftovers(store) == []


def test_append_adds_a_file_and_reorders_columns(store: AnalyticalStore) -> None:
    store.write("trade", small([1, 2]))
    reordered = small([3], partner="TH").select(["value", "partner"])
    result = store.write("trade", reordered)

    assert not result.created
    assert len(store.files("trade")) == 2
    assert store.files("trade")[-1] == result.file  # files() lists oldest first
    table = read_all(store, "trade")
    assert table.column_names == ["partner", "value"]
    assert table.column("value").to_pylist() == [1, 2, 3]
    assert table.column("partner").to_pylist() == ["VN", "VN", "TH"]


def test_replace_swaps_the_whole_dataset(store: AnalyticalStore) -> None:
    store.write("trade", small([1]))
    store.write("trade", small([2]))
    new_schema = pa.table({"code": ["a", "b"], "n": pa.array([1, 2], pa.int32())})
    result = store.write("trade", new_schema, mode="replace")

    assert not result.created
    assert store.files("trade") == [result.file]
    assert read_all(store, "trade").equals(new_schema)
    assert store.schema("trade") == new_schema.schema  # replace may change the schema
    assert leftovers(store) == []


def test_replace_creates_a_missing_dataset(store: AnalyticalStore) -> None:
    result = store.write("ports", small([5]), mode="replace")
    assert result.created
    assert read_all(store, "ports").equals(small([5]))


def test_unknown_mode_is_refused(store: AnalyticalStore) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.write("trade", small([1]), mode="upsert")  # type: ignore[arg-type]
    assert caught.value.code == "invalid_write_mode"
    assert not store.exists("trade")


class WriteFailed(OSError):
    pass


def fail_next_writes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Make Parquet writes die after their file exists (a full disk, a killed process).

    Returns the list of files so written, filled in as writes happen.
    """
    real = pq.write_table
    made: list[Path] = []

    def write_then_fail(table: pa.Table, where: Any, *args: Any, **kwargs: Any) -> None:
        real(table, where, *args, **kwargs)
        made.append(Path(where))
        assert made[-1].is_file()
        raise WriteFailed("disk full")

    monkeypatch.setattr(pq, "write_table", write_then_fail)
    return made


@pytest.mark.parametrize("mode", ["append", "replace"])
def test_failed_write_leaves_the_dataset_as_it_was(
    tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = AnalyticalStore(tmp_path / "analytical")
    store.write("trade", small([1, 2]))
    before_files = store.files("trade")
    before = read_all(store, "trade")
    made = fail_next_writes(monkeypatch)

    with pytest.raises(WriteFailed):
        store.write("trade", small([9, 9, 9]), mode=mode)  # type: ignore[arg-type]

    assert made, "the failure must come after the temporary file was written"
    assert not made[0].exists()
    assert store.files("trade") == before_files
    assert read_all(store, "trade").equals(before)
    assert leftovers(store) == []


def test_failed_first_write_creates_nothing(
    store: AnalyticalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = fail_next_writes(monkeypatch)
    with pytest.raises(WriteFailed):
        store.write("trade", small([1]))
    assert made
    assert not store.exists("trade")
    assert store.datasets() == []
    assert leftovers(store) == []


def test_append_with_another_schema_names_the_fields(store: AnalyticalStore) -> None:
    store.write("trade", small([1]))
    other = pa.table(
        {
            "partner": ["VN"],
            "value": pa.array([1.5], pa.float64()),  # type differs
            "unit": ["CNY"],  # not in the dataset
        }
    )
    with pytest.raises(InvalidInput) as caught:
        store.write("trade", other)

    error = caught.value
    assert error.code == "dataset_schema_mismatch"
    assert {(p.code, p.location.column) for p in error.problems} == {
        ("column_type_differs", "value"),
        ("unexpected_column", "unit"),
    }
    assert "'value'" in str(error)
    assert "'unit'" in str(error)
    assert "value" in error.in_("zh")
    assert len(store.files("trade")) == 1

    with pytest.raises(InvalidInput) as caught:
        store.write("trade", pa.table({"partner": ["VN"]}))
    assert [(p.code, p.location.column) for p in caught.value.problems] == [
        ("missing_column", "value")
    ]
    assert leftovers(store) == []


@pytest.mark.parametrize(
    "name", ["Trade", "1trade", "trade-2020", "../trade", "trade/x", "", "t" * 64, ".tmp", "贸易"]
)
def test_bad_dataset_names_are_refused(store: AnalyticalStore, name: str) -> None:
    for call in (
        lambda: store.write(name, small([1])),
        lambda: store.exists(name),
        lambda: store.schema(name),
        lambda: store.delete(name),
    ):
        with pytest.raises(InvalidInput) as caught:
            call()
        assert caught.value.code == "invalid_dataset_name"
        assert caught.value.problems[0].value == name
    assert not store.root.exists()  # refused before anything touched the disk


def test_duplicate_columns_are_refused(store: AnalyticalStore) -> None:
    table = pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["a", "a"])
    with pytest.raises(InvalidInput) as caught:
        store.write("trade", table)
    assert caught.value.code == "duplicate_columns"


def test_nanosecond_timestamps_are_stored_as_microseconds(store: AnalyticalStore) -> None:
    # Spark cannot read nanosecond Parquet timestamps, so the store never writes them.
    at = datetime(2020, 1, 2, 3, 4, 5, 123456)
    table = pa.table({"at": pa.array([at], pa.timestamp("ns"))})
    store.write("events", table)
    assert store.schema("events").field("at").type == pa.timestamp("us")
    assert read_all(store, "events").column("at").to_pylist() == [at]
    store.write("events", table)  # appending the same (nanosecond) table again matches

    lossy = pa.table({"at": pa.array([1_000_000_001], pa.timestamp("ns"))})
    with pytest.raises(InvalidInput) as caught:
        store.write("events", lossy)
    assert caught.value.code == "timestamp_precision"


def test_delete(store: AnalyticalStore) -> None:
    store.write("trade", small([1]))
    store.write("ports", small([1]))
    store.delete("trade")
    assert store.datasets() == ["ports"]
    assert leftovers(store) == []
    with pytest.raises(NotFound):
        store.delete("trade")
    with pytest.raises(NotFound):
        store.files("trade")


def test_recover_restores_a_dataset_lost_between_the_renames_of_a_replace(
    store: AnalyticalStore,
) -> None:
    store.write("trade", small([1, 2]))
    store.write("ports", small([3]))
    # A crash after "rename old aside" and before "rename new in", plus a dead staging dir.
    (store.root / "trade").rename(store.root / ".old-trade-0123abcd")
    (store.root / ".tmp-ports-xyz").mkdir()
    (store.root / ".tmp-ports-xyz" / "part-x.parquet").write_bytes(b"half a file")
    assert store.datasets() == ["ports"]

    done = store.recover()

    assert done == ["restored trade from .old-trade-0123abcd", "removed .tmp-ports-xyz"]
    assert store.datasets() == ["ports", "trade"]
    assert read_all(store, "trade").equals(small([1, 2]))
    assert leftovers(store) == []


def test_concurrent_appends_all_land(store: AnalyticalStore) -> None:
    store.write("trade", small([0]))
    errors: list[BaseException] = []

    def append(i: int) -> None:
        try:
            store.write("trade", small([i]))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(i,)) for i in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(read_all(store, "trade").column("value").to_pylist()) == list(range(9))


# -- DuckDB ------------------------------------------------------------------------------------


def views(backend: Any) -> set[str]:
    rows = backend.con.execute(
        "SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal"
    ).fetchall()
    return {name for (name,) in rows}


def test_duckdb_views_per_dataset_and_refresh(store: AnalyticalStore) -> None:
    store.write("trade", small([1, 2]))
    trade = unbound("trade", {"value": "int64"})
    total = trade.value.sum().name("total")
    backend = store.duckdb()
    try:
        assert views(backend) == {"trade"}
        assert backend.to_pyarrow(total).as_py() == 3  # unbound tables resolve to the views

        store.write("trade", small([3]))  # appends show without a refresh
        assert backend.to_pyarrow(total).as_py() == 6

        store.write("ports", small([7]))
        store.delete("trade")
        backend.con.execute("CREATE TEMP VIEW mine AS SELECT 1 AS x")  # not ours: left alone
        store.refresh(backend)
        assert views(backend) == {"ports", "mine"}
    finally:
        backend.disconnect()


def test_duckdb_settings(tmp_path: Path) -> None:
    with AnalyticalStore(tmp_path, threads=3, memory_limit="1GB") as store:
        backend = store.duckdb()
        try:
            [(threads, memory)] = backend.con.execute(
                "SELECT current_setting('threads'), current_setting('memory_limit')"
            ).fetchall()
        finally:
            backend.disconnect()
    assert threads == 3
    assert memory in {"953.6 MiB", "1.0 GiB", "1000.0 MiB"}  # DuckDB shows it in binary units
    assert AnalyticalStore(tmp_path).threads >= 1


def test_execute_on_duckdb(store: AnalyticalStore) -> None:
    store.write("trade", small([1, 2]))
    store.write("trade", small([10], partner="TH"))
    trade = unbound("trade", {"partner": "string", "value": "int64"})
    names = unbound("names", {"code": "string", "name_zh": "string"})
    expr = (
        trade.join(names, trade.partner == names.code)
        .group_by("name_zh")
        .aggregate(total=trade.value.sum())
        .order_by("name_zh")
    )
    extra = {"names": pa.table({"code": ["VN", "TH"], "name_zh": ["越南", "泰国"]})}

    result = store.execute(expr, extra=extra)

    assert result.schema == pa.schema([("name_zh", pa.string()), ("total", pa.int64())])
    assert result.to_pylist() == [
        {"name_zh": "泰国", "total": 10},
        {"name_zh": "越南", "total": 3},
    ]
    # A column or a scalar expression comes back as a one-column table.
    assert store.execute(trade.value.sum().name("s")).to_pylist() == [{"s": 13}]


def test_concurrent_queries_keep_their_extra_tables_apart(store: AnalyticalStore) -> None:
    # Same extra-table name, different contents, many threads, one shared DuckDB database.
    store.write("trade", small([1, 2, 3]))
    trade = unbound("trade", {"partner": "string", "value": "int64"})
    factor = unbound("factor", {"k": "int64"})
    expr = trade.cross_join(factor).aggregate(total=(trade.value * factor.k).sum())

    def run(k: int) -> int:
        table = store.execute(expr, extra={"factor": pa.table({"k": pa.array([k], pa.int64())})})
        return int(table.column("total")[0].as_py())

    with ThreadPoolExecutor(max_workers=8) as pool:
        totals = list(pool.map(run, range(40)))
    assert totals == [6 * k for k in range(40)]


def test_execute_checks_tables_before_running(store: AnalyticalStore) -> None:
    store.write("trade", small([1]))
    with pytest.raises(NotFound):
        store.execute(unbound("ports", {"value": "int64"}).count())

    stale = unbound("trade", {"partner": "string", "value": "float64", "year": "int32"})
    with pytest.raises(InvalidInput) as caught:
        store.execute(stale.count())
    assert caught.value.code == "declared_schema_mismatch"
    assert {p.location.column for p in caught.value.problems} == {"value", "year"}

    # Declaring fewer columns than the files have is fine.
    assert store.execute(unbound("trade", {"value": "int64"}).count().name("n")).to_pylist() == [
        {"n": 1}
    ]

    with pytest.raises(InvalidInput) as caught:
        store.execute(unbound("trade", {"value": "int64"}).count(), extra={"trade": small([1])})
    assert caught.value.code == "extra_table_shadows_dataset"


def test_unbound_accepts_the_store_schema(store: AnalyticalStore) -> None:
    store.write("trade", small([4]))
    trade = unbound("trade", store.schema("trade"))
    assert store.execute(trade.value.max().name("m")).to_pylist() == [{"m": 4}]
    with pytest.raises(InvalidInput):
        unbound("Trade", store.schema("trade"))


# -- one expression, two engines ---------------------------------------------------------------

PARTNERS = [
    "CN", "VN", "TH", "MY", "SG", "ID", "PH", "KZ", "UZ", "PK",
    "RU", "TR", "DE", "IT", "GR", "EG", "KE", "AE", "SA", "BD",
]  # fmt: skip
FLOWS = ["export", "import"]
HS_CHAPTERS = ["27", "61", "84", "85"]

TRADE_SCHEMA = pa.schema(
    [
        ("month", pa.date32()),  # first day of the month
        ("partner", pa.string()),  # ISO 3166-1 alpha-2
        ("flow", pa.string()),
        ("hs2", pa.string()),
        ("value", pa.int64()),  # yuan: integers, so that sums are exact
    ]
)
MEMBERSHIP_SCHEMA = pa.schema(
    [
        ("group", pa.string()),  # a reserved word in SQL: the engines must quote it
        ("country", pa.string()),
        ("start", pa.date32()),
        ("end", pa.date32()),  # null: still a member
    ]
)

# (group, country, start, end): a member on day d when start <= d and (end is null or d < end).
MEMBERSHIP = [
    ("east", "VN", date(2015, 1, 1), None),
    ("east", "TH", date(2015, 1, 1), None),
    ("east", "MY", date(2015, 1, 1), None),
    ("east", "SG", date(2015, 1, 1), None),
    ("east", "ID", date(2019, 7, 1), None),  # joins mid-2019
    ("east", "PH", date(2010, 1, 1), date(2020, 7, 1)),  # leaves mid-2020
    ("central", "KZ", date(2018, 1, 1), None),
    ("central", "UZ", date(2018, 1, 1), None),
    ("central", "PK", date(2019, 3, 15), None),  # joins mid-month: counted from April
    ("central", "RU", date(2018, 1, 1), None),
    ("west", "DE", date(2000, 1, 1), None),
    ("west", "IT", date(2000, 1, 1), None),
    ("west", "TR", date(2019, 7, 1), None),  # joins mid-2019
    ("west", "GR", date(2000, 1, 1), date(2020, 4, 1)),  # out from April 2020 ...
    ("west", "GR", date(2020, 10, 1), None),  # ... back from October 2020
    ("west", "EG", date(2000, 1, 1), date(2019, 1, 1)),  # left before the data starts
    ("east", "RU", date(2020, 1, 1), None),  # a country in two groups
]


def synthetic_trade(seed: int = 20200531) -> list[dict[str, Any]]:
    """A few thousand rows of monthly trade for 2019-2020, some combinations missing."""
    rng = random.Random(seed)
    rows = []
    for year in (2019, 2020):
        for month in range(1, 13):
            for partner in PARTNERS:
                for flow in FLOWS:
                    for hs2 in HS_CHAPTERS:
                        if rng.random() < 0.1:
                            continue
                        value = rng.randint(1, 2_000_000_000)
                        rows.append(
                            {
                                "month": date(year, month, 1),
                                "partner": partner,
                                "flow": flow,
                                "hs2": hs2,
                                "value": value,
                            }
                        )
    return rows


def membership_table() -> pa.Table:
    columns = list(zip(*MEMBERSHIP, strict=True))
    return pa.Table.from_arrays(
        [pa.array(c, f.type) for c, f in zip(columns, MEMBERSHIP_SCHEMA, strict=True)],
        schema=MEMBERSHIP_SCHEMA,
    )


def growth_expression() -> Any:
    """Totals by group, flow and year (full year and January-May), and growth on a year before.

    Growth is ``(current / previous - 1) * 100`` in percent, computed inside the expression by
    joining each year to the year before it.
    """
    trade = unbound("trade", TRADE_SCHEMA)
    members = unbound("membership", MEMBERSHIP_SCHEMA)
    joined = trade.join(
        members,
        [
            trade.partner == members.country,
            members.start <= trade.month,
            members.end.isnull() | (trade.month < members.end),
        ],
    )
    yearly = joined.group_by(
        group=members.group, flow=trade.flow, year=trade.month.year()
    ).aggregate(
        total=trade.value.sum(),
        ytd_may=trade.value.sum(where=trade.month.month() <= 5),
        rows=trade.value.count(),
    )
    before = yearly.view()
    paired = yearly.left_join(
        before,
        [
            yearly.group == before.group,
            yearly.flow == before.flow,
            yearly.year == before.year + 1,
        ],
    )
    return paired.select(
        group=yearly.group,
        flow=yearly.flow,
        year=yearly.year,
        rows=yearly.rows,
        total=yearly.total,
        ytd_may=yearly.ytd_may,
        total_growth=(yearly.total / before.total - 1) * 100,
        ytd_growth=(yearly.ytd_may / before.ytd_may - 1) * 100,
    ).order_by(["group", "flow", "year"])


def expected_growth(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same figures as ``growth_expression``, by hand, in plain Python."""
    total: dict[tuple[str, str, int], int] = defaultdict(int)
    ytd: dict[tuple[str, str, int], int] = defaultdict(int)
    count: dict[tuple[str, str, int], int] = defaultdict(int)
    for row in rows:
        d = row["month"]
        for group, country, start, end in MEMBERSHIP:
            if country == row["partner"] and start <= d and (end is None or d < end):
                key = (group, row["flow"], d.year)
                total[key] += row["value"]
                count[key] += 1
                if d.month <= 5:
                    ytd[key] += row["value"]

    def growth(figures: dict[tuple[str, str, int], int], key: tuple[str, str, int]) -> Any:
        group, flow, year = key
        previous = (group, flow, year - 1)
        if previous not in count:  # no rows that year: the left join gives null
            return None
        return (figures[key] / figures[previous] - 1) * 100

    return [
        {
            "group": key[0],
            "flow": key[1],
            "year": key[2],
            "rows": count[key],
            "total": total[key],
            "ytd_may": ytd[key],
            "total_growth": growth(total, key),
            "ytd_growth": growth(ytd, key),
        }
        for key in sorted(count)
    ]


def assert_same_figures(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """Integers exactly; growth rates to 1e-12 relative and identical to 10 decimals."""
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        assert got.keys() == want.keys()
        for column, value in want.items():
            if isinstance(value, float):
                assert got[column] is not None, (column, want)
                assert math.isclose(got[column], value, rel_tol=1e-12, abs_tol=0), (column, want)
                assert round(got[column], 10) == round(value, 10), (column, want)
            else:
                assert got[column] == value, (column, want)


@pytest.fixture
def trade_store(store: AnalyticalStore) -> tuple[AnalyticalStore, list[dict[str, Any]]]:
    rows = synthetic_trade()
    for year in (2019, 2020):  # two appends: the dataset is more than one file
        part = [r for r in rows if r["month"].year == year]
        store.write("trade", pa.Table.from_pylist(part, schema=TRADE_SCHEMA))
    return store, rows


def test_growth_on_duckdb_matches_plain_python(
    trade_store: tuple[AnalyticalStore, list[dict[str, Any]]],
) -> None:
    store, rows = trade_store
    assert len(rows) > 3000
    result = store.execute(growth_expression(), extra={"membership": membership_table()})
    expected = expected_growth(rows)

    assert_same_figures(result.to_pylist(), expected)
    # The fixture really exercises the dated membership: these change the totals.
    by_key = {(r["group"], r["flow"], r["year"]): r for r in expected}
    assert by_key[("east", "export", 2019)]["rows"] < by_key[("east", "export", 2020)]["rows"]
    assert {r["group"] for r in expected} == {"central", "east", "west"}
    assert all(r["total_growth"] is None for r in expected if r["year"] == 2019)


@pytest.mark.spark
def test_duckdb_and_spark_agree(
    trade_store: tuple[AnalyticalStore, list[dict[str, Any]]], spark: SparkSession
) -> None:
    from silkhub.stores.analytical_spark import SparkStore

    store, rows = trade_store
    expr = growth_expression()
    extra = {"membership": membership_table()}

    on_duckdb = store.execute(expr, extra=extra)
    on_spark = SparkStore(store, spark).execute(expr, extra=extra)

    assert on_spark.schema == on_duckdb.schema
    assert on_duckdb.schema.field("total").type == pa.int64()
    assert on_duckdb.schema.field("total_growth").type == pa.float64()
    integers = ["group", "flow", "year", "rows", "total", "ytd_may"]
    assert on_spark.select(integers).equals(on_duckdb.select(integers))
    assert_same_figures(on_spark.to_pylist(), on_duckdb.to_pylist())
    assert_same_figures(on_spark.to_pylist(), expected_growth(rows))
    # The extra table was a temp view for that one query only.
    assert not spark.catalog.tableExists("membership")


@pytest.mark.spark
def test_spark_sees_writes_after_refresh(store: AnalyticalStore, spark: SparkSession) -> None:
    from silkhub.stores.analytical_spark import SparkStore

    store.write("trade", small([1, 2]))
    on_spark = SparkStore(store, spark)
    total = unbound("trade", {"value": "int64"}).value.sum().name("total")
    assert on_spark.execute(total).to_pylist() == [{"total": 3}]
    store.write("trade", small([4]))
    on_spark.refresh()
    assert on_spark.execute(total).to_pylist() == [{"total": 7}]
    assert on_spark.execute(total).schema == store.execute(total).schema

    with pytest.raises(NotFound):
        on_spark.execute(unbound("ports", {"value": "int64"}).count())
    spark.catalog.dropTempView("trade")


def test_normalise_makes_pandas_and_arrow_results_comparable() -> None:
    # Spark (before PySpark 4, or through ibis's execute) hands back pandas: int64 may come
    # back as float when there are nulls, strings as Python objects, dates as datetime64.
    import pandas as pd

    expr = unbound("t", {"d": "date", "code": "string", "n": "int64"}).select("n", "code", "d")
    frame = pd.DataFrame(
        {
            "d": pd.to_datetime(["2020-01-01", "2020-02-01"]),
            "code": ["VN", None],
            "n": [1.0, None],
        }
    )
    arrow = pa.table(
        {
            "n": pa.array([1, None], pa.int64()),
            "code": ["VN", None],
            "d": pa.array([date(2020, 1, 1), date(2020, 2, 1)], pa.date32()),
        }
    )
    assert normalise(frame, expr).equals(normalise(arrow, expr))
    assert normalise(frame, expr).schema == expr.schema().to_pyarrow()
