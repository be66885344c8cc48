"""The short cuts the ingest takes for speed give exactly what the plain way gives.

- A GB18030 (GBK) file is read from its bytes (``readers_bytes``), not decoded whole: the same
  table and problems as the text path, which it falls back to whenever it cannot be sure.
- Cells are trimmed only when their end bytes say they may need it (``may_need_tidying``).
- Validation's working table (``validate_stage``) cleans ASCII cells in Arrow and the rest once
  per distinct value: the same texts and values as ``validate_sql``'s SQL applied cell by cell.
- The duplicate check runs its GROUP BY only when integer codes of the keys repeat.

The SQL of the comparisons is assembled from ``validate_sql``'s fragments, as validation's is
(hence the noqa: S608).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from silkhub.core.errors import Report
from silkhub.stats import readers_csv
from silkhub.stats.datasets import DATASETS
from silkhub.stats.mapping import default_mapping, resolve_columns
from silkhub.stats.raw import ROW_COLUMN, RawTable
from silkhub.stats.readers import read_data
from silkhub.stats.readers_bytes import may_need_tidying
from silkhub.stats.validate import validate_raw
from silkhub.stats.validate_precheck import keys_may_repeat
from silkhub.stats.validate_sql import (
    clean_sql,
    col,
    compact_sql,
    factor_sql,
    hs_code_sql,
    number_scale,
    number_sql,
    trim_sql,
    value_sql,
)
from silkhub.stats.validate_stage import stage

HINTS = ("月份", "进出口", "国别（地区）", "商品编码", "金额（万元）")
TODAY = date(2020, 6, 15)


def read_both(
    data: bytes, monkeypatch: pytest.MonkeyPatch, **kwargs: Any
) -> tuple[tuple[Any, ...], tuple[Any, ...], bool]:
    """What ``read_data`` gives, what the text path alone gives, and whether the byte path
    was taken."""
    taken: list[bool] = []
    byte_path = readers_csv._read_gb18030_bytes

    def spy(*args: Any, **kw: Any) -> Any:
        found = byte_path(*args, **kw)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(readers_csv, "_read_gb18030_bytes", spy)
    fast = _summary(
        *read_data(data, source="t.csv", max_bytes=1 << 30, header_hints=HINTS, **kwargs)
    )
    monkeypatch.setattr(readers_csv, "_read_gb18030_bytes", lambda *a, **k: None)
    text = _summary(
        *read_data(data, source="t.csv", max_bytes=1 << 30, header_hints=HINTS, **kwargs)
    )
    return fast, text, any(taken)


def _summary(table: RawTable | None, report: Report) -> tuple[Any, ...]:
    problems = [(p.code, p.message, p.location, p.value, p.severity) for p in report]
    if table is None:
        return (None, problems)
    cells = (table.cells.schema, table.cells.to_pydict())
    return (table.headers, cells, table.skipped, table.notes, table.encoding, problems)


CLEAN = "\r\n".join(
    [
        "2020年1-5月浙江省对“一带一路”沿线国家进出口",
        "月份,进出口,国别（地区）,商品编码,金额（万元）",
        "2020-05,出口,俄罗斯联邦,851712,3909.12",
        "2020-05, 进口 ,\u3000越南,8517.12,1520.5",
        '2020-05,出口,"哈萨克斯坦,",  ,"1,234.5"',
        "",
        "2020-05,出口,—,０１,-",
        "2020-05,,,,",
        "合计,,,,5740.1",
    ]
)


@pytest.mark.parametrize(
    ("text", "encoding", "byte_path"),
    [
        (CLEAN + "\r\n", "gbk", True),
        (CLEAN.replace("\r\n", "\n"), "gb18030", True),
        (CLEAN.replace("俄罗斯联邦", "𠮷国"), "gb18030", True),  # four bytes in GB18030
        (CLEAN.replace(",", "\t"), "gbk", True),
        (CLEAN.replace(",", ";"), "gbk", True),
        (CLEAN.replace(",", "|"), "gbk", False),  # "|" can be a GBK trail byte
        (CLEAN + "\r\n注：初步统计。\r\n", "gbk", False),  # a line of one field
        (CLEAN.replace("\r\n", "\r"), "gbk", False),  # classic Mac line ends
        ("\ufeff" + CLEAN, "gb18030", False),  # a byte-order mark
        (CLEAN.replace("1520.5", '"15\n20"'), "gbk", True),  # a line break in quotes
    ],
)
def test_the_byte_path_reads_what_the_text_path_reads(
    monkeypatch: pytest.MonkeyPatch, text: str, encoding: str, byte_path: bool
) -> None:
    fast, plain, taken = read_both(text.encode(encoding), monkeypatch)
    assert fast == plain
    assert taken is byte_path


@pytest.mark.parametrize("where", ["head", "body", "end"])
def test_undecodable_bytes_are_reported_as_the_text_path_does(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    data = (CLEAN + "\r\n").encode("gbk")
    at = {"head": 10, "body": data.index("越南".encode("gbk")) + 1, "end": len(data) - 1}[where]
    broken = data[:at] + b"\xff" + data[at:]
    fast, plain, taken = read_both(broken, monkeypatch)
    assert fast == plain and not taken
    assert [p[0] for p in fast[-1]] == ["bad_encoding"]


def test_an_encoding_given_takes_the_byte_path_too(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, plain, taken = read_both((CLEAN + "\r\n").encode("gbk"), monkeypatch, encoding="GBK")
    assert fast == plain and taken


def test_many_rows_in_many_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    partners = ["俄罗斯联邦", "越南", " 泰国", "Kazakhstan", "—", ""]
    lines = [
        f"2020-{rng.randint(1, 5):02d},出口,{rng.choice(partners)},{i:06d},{i}.5"
        for i in range(60_000)
    ]
    text = "月份,进出口,国别（地区）,商品编码,金额（万元）\n" + "\n".join(lines) + "\n"
    fast, plain, taken = read_both(text.encode("gbk"), monkeypatch)
    assert fast == plain and taken


# --- trimming only where it may be needed ---------------------------------------------------


def test_every_space_arrow_trims_is_seen() -> None:
    """Arrow's utf8_trim_whitespace against ``may_need_tidying``, for every code point at either
    end of a cell (alone, after one or two characters, before one)."""
    points = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for form in ("{}", "a{}", "{}a", "中{}", "ab{}", "{}中"):
        cells = pa.array([form.format(chr(c)) for c in points])
        trimmed = pc.utf8_trim_whitespace(cells)
        changed = pc.or_(pc.not_equal(trimmed, cells), pc.equal(pc.binary_length(trimmed), 0))
        for i in pc.indices_nonzero(changed).to_pylist():
            cell = pa.array(["x", cells[i].as_py(), "y"]).slice(1, 1)
            assert may_need_tidying(cell), (form, hex(points[i]))


def test_cells_without_spaces_need_no_tidying() -> None:
    assert not may_need_tidying(pa.array(["2020-05", "俄罗斯联邦", None, "3909.12", "出口"]))
    assert may_need_tidying(pa.array(["a", ""]))
    assert not may_need_tidying(pa.array([None, None], pa.string()))


# --- validation's working table -------------------------------------------------------------

TEXTS = {
    "month": [
        "2020-05",
        " 2020-05 ",
        "２０２０－０５",
        "2020年5月",
        "\u30002020-05",
        "-",
        "May 2020",
        None,
    ],
    "flow": ["出口", " 进口", "export", "出 口", "x", "—", "", None],
    "partner": ["俄罗斯联邦", "\u3000越南", " US ", "其他", "Narnia", "……", None],
    "hs_code": [
        "851712",
        " 8517.12 ",
        "８５１７",
        "85 17",
        "1",
        "12345678901",
        "0101·10",
        "/",
        None,
    ],
    "region": ["杭州", " 宁波\u3000", "Hangzhou ", "...", "\u200b温州", None],
    "value_cny": [
        "3909.12",
        " 12 ",
        "1,234.5",
        "１，２３４．５",
        "−5",
        "abc",
        "--",
        "12345678901234567890123",
        "0.0000005",
        "92233720368.547758",
        "\u00a012",
        None,
    ],
}
HEADERS = {
    "month": "月份",
    "flow": "进出口",
    "partner": "国别（地区）",
    "hs_code": "商品编码",
    "region": "地市",
    "value_cny": "金额（亿元）",
}


def messy_raw(rows: int, seed: int) -> RawTable:
    rng = random.Random(seed)
    names = list(TEXTS)
    columns = {}
    for i, name in enumerate(names):
        values = [rng.choice(TEXTS[name]) for _ in range(rows)]
        size = rng.choice([rows // 2 + 1, 2048, 4000])  # chunks of one column and another differ
        chunks = [pa.array(values[i : i + size], pa.string()) for i in range(0, rows, size)]
        columns[RawTable.column_name(i)] = pa.chunked_array(chunks, pa.string())
    columns[ROW_COLUMN] = pa.chunked_array([pa.array(range(2, rows + 2), pa.int64())])
    return RawTable("m.csv", None, [HEADERS[n] for n in names], pa.table(columns))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_staged_columns_are_what_the_sql_gives_cell_by_cell(seed: int) -> None:
    """In several chunks, so that DuckDB's threads may finish them in any order."""
    raw = messy_raw(20_000, seed)
    mapping = default_mapping("trade")
    plan, _ = resolve_columns(raw, mapping)
    ds = DATASETS["trade"]
    (block,) = plan.blocks
    present = set(block.sources)
    scales = {n: number_scale([block.sources[n]]) for n in present}
    con = duckdb.connect()
    staged, _ = stage(con, raw, plan, ds, present=present, scales=scales)
    con.register("raw", raw.cells)
    con.register("staged", staged)
    for name in ("month", "flow", "partner", "hs_code", "region", "value_cny"):
        f, source = ds.field(name), block.sources[name]
        cleaned = f"SELECT {clean_sql(trim_sql(f, source))} FROM raw ORDER BY {ROW_COLUMN}"  # noqa: S608
        expected = con.execute(cleaned).fetchall()
        assert staged.column(f"{name}__t").to_pylist() == [e[0] for e in expected], name
    t = col("hs_code", "t")
    by_row = f"SELECT {hs_code_sql(t)} FROM staged ORDER BY {ROW_COLUMN}"  # noqa: S608
    hs = con.execute(by_row).fetchall()
    assert staged.column("hs_code__v").to_pylist() == [h[0] for h in hs]
    value, scale = ds.field("value_cny"), scales["value_cny"]
    d, factor = col("value_cny", "d"), col("value_cny", "f")
    read = (
        f"SELECT {number_sql(compact_sql(value), scale)} AS {d}, "  # noqa: S608
        f"{factor_sql(block.sources['value_cny'])} AS {factor}, {ROW_COLUMN} FROM staged"
    )
    typed = f"SELECT {d}, {value_sql(value, scale)} FROM ({read}) ORDER BY {ROW_COLUMN}"  # noqa: S608
    numbers = con.execute(typed).fetchall()
    assert staged.column("value_cny__d").to_pylist() == [n[0] for n in numbers]
    assert staged.column("value_cny__v").to_pylist() == [n[1] for n in numbers]


def test_trimmed_cells_validate_as_untrimmed_ones() -> None:
    raw = messy_raw(300, 4)
    clean = {n: pc.utf8_trim_whitespace(raw.cells[n]) for n in raw.cells.column_names[:-1]}
    clean = {
        n: pc.if_else(pc.equal(c, ""), pa.scalar(None, pa.string()), c) for n, c in clean.items()
    }
    cells = pa.table({**clean, ROW_COLUMN: raw.cells[ROW_COLUMN]})
    plain = RawTable("m.csv", None, raw.headers, cells)
    marked = RawTable("m.csv", None, raw.headers, cells, trimmed=True)
    mapping = default_mapping("trade")
    first = validate_raw(plain, mapping, today=TODAY)
    second = validate_raw(marked, mapping, today=TODAY)
    assert list(first[1]) == list(second[1])


# --- the duplicate check's short cut --------------------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_keys_said_not_to_repeat_do_not(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.choice([1, 5, 50, 400])
    months = [rng.choice(["a", "b", None]) for _ in range(n)]
    partners = [rng.choice(["US", "DE", "ZZ", None]) for _ in range(n)]
    codes = [rng.choice(["01", "02", "03", "04", None]) for _ in range(n)]
    staged = pa.table(
        {
            "_empty": pa.array([rng.random() < 0.1 for _ in range(n)]),
            "month__v": pa.array(months, pa.string()).dictionary_encode(),
            "month__t": pa.array(months, pa.string()),
            "partner__v": pa.array(partners, pa.string()),
            "partner__t": pa.array(partners, pa.string()),
            "hs_code__v": pa.array(codes, pa.string()),
            "hs_code__t": pa.array(
                [c if c is not None or rng.random() < 0.5 else "x" for c in codes], pa.string()
            ),
        }
    )
    keys = {"month": True, "partner": True, "hs_code": False}
    rows = staged.to_pylist()
    live = [
        (r["month__v"], r["partner__v"], r["hs_code__v"])
        for r in rows
        if not r["_empty"]
        and r["month__v"] is not None
        and r["partner__v"] is not None
        and (r["hs_code__t"] is None or r["hs_code__v"] is not None)
    ]
    repeated = any(count > 1 for count in Counter(live).values())
    assert keys_may_repeat(staged, keys) is repeated
