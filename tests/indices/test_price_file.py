"""``silkhub index price-index``: a long CSV in, ``period,index`` out; the ILO manual's data set
for every formula, fixed base and chained; every problem of a bad file named by row and column,
and nothing on standard output then."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from silkhub.cli.context import state
from silkhub.cli.main import app
from silkhub.indices.formulas import Formula
from silkhub.indices.price_file import order_periods
from tests.indices.test_formulas import (
    ILO_CHAINED,
    ILO_FIXED,
    ILO_PRICES,
    ILO_QUANTITIES,
)

runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    try:
        result = runner.invoke(app, ["--lang", "en", "index", "price-index", *args])
    finally:
        state.reset()
    return result.exit_code, result.stdout, result.stderr


def _words(text: str) -> str:
    # The error console wraps long lines; most tests read the words, not the layout.
    return " ".join(text.split())


HEADER = "item,period,price,quantity"


def _write(path: Path, rows: list[tuple[object, ...]], header: str = HEADER) -> Path:
    path.write_text(header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return path


@pytest.fixture
def ilo_file(tmp_path: Path) -> Path:
    rows = [
        (f"good {i + 1}", f"2020-0{t + 1}", p, q)
        for t, (ps, qs) in enumerate(zip(ILO_PRICES, ILO_QUANTITIES, strict=True))
        for i, (p, q) in enumerate(zip(ps, qs, strict=True))
    ]
    rows.reverse()  # the order of the rows does not matter
    return _write(tmp_path / "ilo.csv", rows)


def _parse(stdout: str) -> list[tuple[str, float]]:
    reader = csv.reader(io.StringIO(stdout))
    assert next(reader) == ["period", "index"]
    return [(period, float(value)) for period, value in reader]


@pytest.mark.parametrize("formula", list(Formula))
@pytest.mark.parametrize("chained", [False, True])
def test_the_ilo_data_set_through_the_command(
    ilo_file: Path, formula: Formula, chained: bool
) -> None:
    args = [str(ilo_file), "--formula", formula.value] + (["--chained"] if chained else [])
    code, out, err = _run(*args)
    assert code == 0, err
    rows = _parse(out)
    assert [p for p, _ in rows] == [f"2020-0{t}" for t in range(1, 6)]
    expected = (ILO_CHAINED if chained else ILO_FIXED)[formula]
    assert [v / 100 for _, v in rows] == pytest.approx(expected, abs=1.1e-4)
    assert rows[0][1] == 100.0
    # At least six significant digits in every value.
    for line in out.splitlines()[2:]:
        digits = line.split(",")[1].replace(".", "").lstrip("0")
        assert len(digits) >= 6, line


def test_base_period_and_quantity_index(ilo_file: Path) -> None:
    code, out, _ = _run(str(ilo_file), "--formula", "fisher", "--base", "2020-03")
    assert code == 0
    rows = dict(_parse(out))
    assert rows["2020-03"] == 100.0
    code, prices, _ = _run(str(ilo_file), "--formula", "fisher")
    code, quantities, _ = _run(str(ilo_file), "--formula", "fisher", "--quantity")
    assert code == 0
    # Fisher: price × quantity = value, period by period.
    values = [
        sum(p * q for p, q in zip(ps, qs, strict=True))
        for ps, qs in zip(ILO_PRICES, ILO_QUANTITIES, strict=True)
    ]
    for (_, p), (_, q), v in zip(_parse(prices), _parse(quantities), values, strict=True):
        assert p * q / 10000 == pytest.approx(v / values[0], rel=1e-9)


def test_a_bom_and_header_case_and_spaces_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffItem, Period ,PRICE,Quantity\na,2020,1,1\na,2021, 1.5 ,2\n".encode())
    code, out, err = _run(str(path), "--formula", "laspeyres")
    assert code == 0, err
    assert _parse(out) == [("2020", 100.0), ("2021", 150.0)]


def test_every_problem_is_named_by_row_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bad.csv",
        [
            ("a", "2020-01", "1.0", "3"),
            ("a", "2020-01", "1.2", "3"),  # row 3: a second row for a in 2020-01
            ("b", "2020-01", "abc", "3"),  # row 4: text in a number column
            ("c", "2020-01", "0", "-1"),  # row 5: zero price, negative quantity
            ("", "2020-02", "", "2"),  # row 6: no item, no price
        ],
    )
    code, out, err = _run(str(path))
    assert code != 0
    assert out == ""
    assert "no index was computed" in _words(err)
    for expected in (
        ("row 3", "duplicate_row"),
        ("row 4", "not_a_number"),
        ("row 5", "not_positive"),
        ("row 6", "missing_value"),
    ):
        assert any(all(part in line for part in expected) for line in err.splitlines()), expected
    assert "'price'" in err and "'quantity'" in err and "bad.csv" in err


def test_missing_columns_file_and_options(tmp_path: Path) -> None:
    def run(*args: str) -> tuple[int, str, str]:
        code, out, err = _run(*args)
        return code, out, _words(err)

    code, out, err = run(str(_write(tmp_path / "f.csv", [("a", "1", "2")], "item,period,price")))
    assert code != 0 and out == "" and "missing_column" in err and "quantity" in err
    code, _, err = run(str(tmp_path / "nowhere.csv"))
    assert code != 0 and "nowhere.csv" in err
    good = _write(tmp_path / "g.csv", [("a", "1", "2", "1"), ("a", "2", "3", "1")])
    code, out, err = run(str(good), "--formula", "jevons")
    assert code != 0 and out == "" and "laspeyres, paasche, fisher, tornqvist" in err
    code, out, err = run(str(good), "--base", "7")
    assert (code != 0 and out == "" and "unknown_base" in err) or "base period" in err
    unmatched = _write(tmp_path / "u.csv", [("a", "1", "2", "1"), ("b", "2", "3", "1")])
    code, out, err = run(str(unmatched))
    assert code != 0 and out == "" and "both 1 and 2" in err


def test_errors_in_chinese(tmp_path: Path) -> None:
    path = _write(tmp_path / "z.csv", [("a", "1", "x", "1")])
    try:
        result = runner.invoke(app, ["--lang", "zh", "index", "price-index", str(path)])
    finally:
        state.reset()
    assert result.exit_code != 0
    assert "不是数字" in result.stderr and "第2行" in result.stderr


def test_periods_are_put_in_time_order() -> None:
    assert order_periods(["2020-10", "2020-9", "2020-02"]) == ["2020-02", "2020-9", "2020-10"]
    assert order_periods(["2021", "2019", "2020"]) == ["2019", "2020", "2021"]
    assert order_periods(["10", "9", "1.5"]) == ["1.5", "9", "10"]
    assert order_periods(["b", "a"]) == ["a", "b"]
