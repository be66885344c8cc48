"""``silkhub stats``: datasets, import (all or nothing, with a report), imports."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from silkhub.cli import context
from silkhub.cli.main import app

runner = CliRunner()
CSV = "月份,进出口,国别（地区）,金额（万元）\n2020-05,出口,捷克,3909.12\n2020-05,进口,阿联酋,20\n"


@pytest.fixture
def hub(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    for key in ("SILKHUB_DATABASE_URL", "SILKHUB_DATA_DIR"):
        monkeypatch.delenv(key, raising=False)
    # Rich wraps at 80 columns when not on a terminal; give it room for whole messages.
    monkeypatch.setattr(context.console, "width", 200)
    monkeypatch.setattr(context.err_console, "width", 200)
    options = ["--data-dir", str(tmp_path / "data"), "--database-url", db_url]
    assert runner.invoke(app, [*options, "init"]).exit_code == 0
    yield options
    context.state.reset()


def test_datasets(hub: list[str]) -> None:
    result = runner.invoke(app, [*hub, "--lang", "en", "stats", "datasets"])
    assert result.exit_code == 0, result.output
    assert "trade — Trade in goods" in result.stdout
    assert "value_cny" in result.stdout


def test_import_then_list(hub: list[str], tmp_path: Path) -> None:
    path = tmp_path / "trade.csv"
    path.write_bytes(CSV.encode("gbk"))
    done = runner.invoke(
        app, [*hub, "--lang", "en", "stats", "import", str(path), "--dataset", "trade"]
    )
    assert done.exit_code == 0, done.output
    assert "Imported 2 rows" in done.stdout
    assert "periods: 2020-05" in done.stdout
    again = runner.invoke(
        app, [*hub, "--lang", "en", "stats", "import", str(path), "--dataset", "trade"]
    )
    assert again.exit_code == 0
    assert "imported already" in again.stdout
    listed = runner.invoke(app, [*hub, "stats", "imports"])
    assert "trade.csv" in listed.stdout


def test_rejected_import_prints_and_writes_the_report(hub: list[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes((CSV + "2020-05,出口,亚特兰蒂斯,1\n").encode("gbk"))
    report = tmp_path / "report.csv"
    result = runner.invoke(
        app,
        [
            *hub,
            "--lang",
            "en",
            "stats",
            "import",
            str(path),
            "--dataset",
            "trade",
            "--report-csv",
            str(report),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "nothing was imported" in " ".join(result.stderr.split())
    assert "亚特兰蒂斯" in result.stderr
    text = report.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel shows the Chinese
    rows = list(csv.DictReader(text.decode("utf-8-sig").splitlines()))
    assert [(r["code"], r["row"]) for r in rows] == [("unknown_country", "4")]
    listed = runner.invoke(app, [*hub, "stats", "imports"])
    assert "bad.csv" not in listed.stdout


def test_measure(hub: list[str], tmp_path: Path) -> None:
    path = tmp_path / "trade.csv"
    path.write_bytes(CSV.encode("gbk"))
    assert (
        runner.invoke(app, [*hub, "stats", "import", str(path), "--dataset", "trade"]).exit_code
        == 0
    )
    result = runner.invoke(
        app,
        [
            *hub,
            "stats",
            "measure",
            "--dataset",
            "trade",
            "--value",
            "value_cny",
            "--period",
            "2020年5月",
            "--filter",
            "flow=出口",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2020年5月：3909.1万元" in result.stdout  # one decimal, as releases print
    # Nothing was published for May 2019, so no growth, and the gap is said.
    assert "2019-05" in result.stderr


def test_export(hub: list[str], tmp_path: Path) -> None:
    path = tmp_path / "trade.csv"
    path.write_bytes(CSV.encode("gbk"))
    assert (
        runner.invoke(app, [*hub, "stats", "import", str(path), "--dataset", "trade"]).exit_code
        == 0
    )
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(
        app, [*hub, "stats", "export", "--dataset", "trade", "--format", "xlsx", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    written = list(out.iterdir())
    assert [p.suffix for p in written] == [".xlsx"]
    assert written[0].read_bytes().startswith(b"PK")
    bad = runner.invoke(app, [*hub, "stats", "export", "--dataset", "trade", "--format", "doc"])
    assert bad.exit_code == 1
