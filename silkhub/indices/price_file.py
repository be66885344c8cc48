"""Price and quantity indices from a long CSV file of ``item,period,price,quantity`` rows:
what ``silkhub index price-index`` computes for an analyst.

The file is checked as a whole, column by column with Arrow compute (no loop over rows), and
every problem is reported with its row and column before anything is computed: a missing
column, an empty or non-numeric price or quantity, a value that is zero or negative, the same
item twice in a period. Periods are put in time order when they are periods silkhub reads
("2020-01", "2020-Q1", "2015"), in numeric order when they are numbers, and in text order
otherwise.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from silkhub.core.errors import InvalidInput, InvalidPeriod, Location, Message, Problem, Report
from silkhub.core.periods import parse_period
from silkhub.indices.formulas import Formula, Panel, index_series

__all__ = ["COLUMNS", "PriceIndex", "compute", "order_periods", "read_panel", "to_csv"]

COLUMNS = ("item", "period", "price", "quantity")
#: At most this many problems of one kind are listed (the count says how many there were).
_LIST_AT_MOST = 20
_NUMBER = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"


@dataclass(frozen=True)
class PriceIndex:
    periods: tuple[str, ...]
    values: tuple[float, ...]
    formula: Formula
    base: str
    chained: bool
    quantity: bool


def order_periods(labels: Sequence[str]) -> list[str]:
    """Distinct period labels in time order (see the module's docstring)."""
    distinct = list(dict.fromkeys(labels))
    try:
        parsed = {label: parse_period(label) for label in distinct}
    except InvalidPeriod:
        pass
    else:
        return sorted(distinct, key=lambda x: (parsed[x].start, parsed[x].end))
    try:
        numbers = {label: float(label) for label in distinct}
    except ValueError:
        return sorted(distinct)
    return sorted(distinct, key=numbers.__getitem__)


def _problem(
    code: str, zh: str, en: str, file: str, row: int | None, column: str, value: object
) -> Problem:
    return Problem(code, Message(zh, en), Location(file=file, row=row, column=column), value)


def read_panel(path: Path) -> Panel:
    """The panel of a long CSV file; ``InvalidInput`` with every problem found, else."""
    name = path.name
    if not path.is_file():
        raise InvalidInput.single(
            "file_not_found",
            Message(f"找不到文件 {path}。", f"There is no file {path}."),
            location=Location(file=name),
        )
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    table = _read_strings(raw, name)
    report = Report()
    columns = {c.strip().lower(): c for c in table.column_names}
    missing = [c for c in COLUMNS if c not in columns]
    for column in missing:
        report.add(
            _problem(
                "missing_column",
                f"缺少列“{column}”：需要 item,period,price,quantity 四列。",
                f"The column {column!r} is missing: the file needs item,period,price,quantity.",
                name,
                1,
                column,
                None,
            )
        )
    report.raise_if_invalid(_rejected(report))
    cols = {c: table.column(columns[c]) for c in COLUMNS}
    rows = pa.array(np.arange(2, table.num_rows + 2))  # the header is row 1
    for column in ("item", "period"):
        empty = pc.equal(pc.utf8_trim_whitespace(cols[column]), "")
        _flag(report, empty, rows, cols[column], "missing_value", column, name)
    numbers: dict[str, pa.Array] = {}
    for column in ("price", "quantity"):
        text = pc.utf8_trim_whitespace(cols[column])
        empty = pc.equal(text, "")
        _flag(report, empty, rows, text, "missing_value", column, name)
        numeric = pc.match_substring_regex(text, _NUMBER)
        _flag(
            report,
            pc.and_(pc.invert(numeric), pc.invert(empty)),
            rows,
            text,
            "not_a_number",
            column,
            name,
        )
        value = pc.cast(pc.if_else(numeric, text, pa.scalar(None, pa.string())), pa.float64())
        numbers[column] = value.combine_chunks() if isinstance(value, pa.ChunkedArray) else value
        _flag(report, pc.less_equal(value, 0), rows, text, "not_positive", column, name)
    items = pc.utf8_trim_whitespace(cols["item"])
    periods = pc.utf8_trim_whitespace(cols["period"])
    _duplicates(report, items, periods, rows, name)
    report.raise_if_invalid(_rejected(report))
    period_list = periods.to_pylist()
    return Panel.from_rows(
        items.to_pylist(),
        period_list,
        numbers["price"].to_numpy(zero_copy_only=False),
        numbers["quantity"].to_numpy(zero_copy_only=False),
        period_order=order_periods(period_list),
    )


def _read_strings(raw: bytes, name: str) -> pa.Table:
    try:
        header = next(csv.reader(io.StringIO(raw.split(b"\n", 1)[0].decode("utf-8"))), [])
        return pacsv.read_csv(
            io.BytesIO(raw),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, StopIteration) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InvalidInput.single(
            "unreadable_file",
            Message(
                f"无法按 UTF-8 CSV 读取该文件：{detail}",
                f"The file cannot be read as UTF-8 CSV: {detail}",
            ),
            location=Location(file=name),
        ) from None


_TEXTS = {
    "missing_value": ("“{column}”为空。", "The {column} is empty."),
    "not_a_number": ("“{column}”不是数字。", "The {column} is not a number."),
    "not_positive": (
        "“{column}”须大于零（指数取比值和对数）。",
        "The {column} must be greater than zero (indices take ratios and logarithms).",
    ),
}


def _flag(
    report: Report,
    mask: pa.Array | pa.ChunkedArray,
    rows: pa.Array,
    values: pa.Array | pa.ChunkedArray,
    code: str,
    column: str,
    name: str,
) -> None:
    mask = pc.fill_null(mask, False)
    count = pc.sum(mask).as_py() or 0
    if not count:
        return
    zh, en = _TEXTS[code]
    where = pc.indices_nonzero(mask)[:_LIST_AT_MOST]
    for row, value in zip(
        pc.take(rows, where).to_pylist(), pc.take(values, where).to_pylist(), strict=True
    ):
        report.add(
            _problem(
                code, zh.format(column=column), en.format(column=column), name, row, column, value
            )
        )
    if count > _LIST_AT_MOST:
        report.add(
            _problem(
                code,
                f"另有{count - _LIST_AT_MOST}行同样的问题（共{count}行）。",
                f"{count - _LIST_AT_MOST} more rows have the same problem ({count} in all).",
                name,
                None,
                column,
                None,
            )
        )


def _duplicates(
    report: Report, items: pa.Array, periods: pa.Array, rows: pa.Array, name: str
) -> None:
    keyed = pa.table({"item": items, "period": periods, "row": rows})
    counts = keyed.group_by(["item", "period"]).aggregate([("row", "min"), ("row", "count")])
    repeated = counts.filter(pc.greater(counts["row_count"], 1))
    if not repeated.num_rows:
        return
    first = {(r["item"], r["period"]): r["row_min"] for r in repeated.to_pylist()}
    mask = pc.is_in(
        pc.binary_join_element_wise(items, periods, "\x1f"),
        value_set=pa.array([f"{i}\x1f{p}" for i, p in first]),
    )
    mask = pc.and_(mask, pc.invert(pc.is_in(rows, value_set=pa.array(list(first.values())))))
    where = pc.indices_nonzero(mask)[:_LIST_AT_MOST]
    for row, item, period in zip(
        pc.take(rows, where).to_pylist(),
        pc.take(items, where).to_pylist(),
        pc.take(periods, where).to_pylist(),
        strict=True,
    ):
        earlier = first[(item, period)]
        report.add(
            _problem(
                "duplicate_row",
                f"项目“{item}”在 {period} 已出现于第{earlier}行：每个项目每期只能有一行。",
                f"Item {item!r} already has a row for {period} (row {earlier}): one row per "
                "item and period.",
                name,
                row,
                "item",
                f"{item}/{period}",
            )
        )


def _rejected(report: Report) -> Message:
    n = len(report.errors)
    return Message(
        f"文件有{n}处问题，未计算指数。", f"The file has {n} problem(s); no index was computed."
    )


def compute(
    panel: Panel,
    formula: Formula,
    *,
    base: str | None = None,
    chained: bool = False,
    quantity: bool = False,
) -> PriceIndex:
    """The index of every period of ``panel`` with ``base`` (default: the first period) = 100."""
    chosen = panel.periods[0] if base is None else base.strip()
    if chosen not in panel.periods:
        first = panel.periods[:12]
        more = "…" if len(panel.periods) > len(first) else ""
        raise InvalidInput.single(
            "unknown_base",
            Message(
                f"基期“{chosen}”不在文件的期间中（{'、'.join(first)}{more}）。",
                f"The base period {chosen!r} is not a period of the file "
                f"({', '.join(first)}{more}).",
            ),
            location=Location(field="base"),
            value=chosen,
        )
    values = index_series(
        panel, formula, base=panel.periods.index(chosen), chained=chained, quantity=quantity
    )
    return PriceIndex(
        panel.periods, tuple(float(v) for v in values), formula, chosen, chained, quantity
    )


def to_csv(index: PriceIndex) -> str:
    """``period,index`` with a row per period; every value to ten significant digits,
    trailing zeros kept ("100.0000000"), so a reader sees the precision is there."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("period", "index"))
    for period, value in zip(index.periods, index.values, strict=True):
        writer.writerow((period, format(value, "#.10g")))
    return out.getvalue()
