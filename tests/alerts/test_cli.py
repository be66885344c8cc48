"""``silkhub alerts``: the demo's year at the command line, and the editorial steps acting as a
named person (the four-eyes rule holds there too)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from silkhub.cli.context import state
from silkhub.cli.main import app
from silkhub.settings import Settings
from silkhub.stores.database import Database
from tests.alerts.conftest import Cast
from tests.alerts.test_notices_import import CSV
from tests.conftest import DemoHub


def run(*args: str) -> tuple[int, str]:
    try:
        result = CliRunner().invoke(app, ["--lang", "en", *args])
    finally:
        state.reset()
    return result.exit_code, result.output


def test_coverage_of_the_demo_year(demo_hub: DemoHub) -> None:
    code, out = run("--data-dir", str(demo_hub.data_dir), "alerts", "coverage")
    assert code == 0, out
    words = " ".join(out.split())
    assert (
        "61 issues" in words
        and "reaching 38 government departments, 1000 enterprises and 40" in words
    )
    code, out = run("--data-dir", str(demo_hub.data_dir), "alerts", "coverage", "--csv")
    lines = out.splitlines()
    assert lines[0] == "kind,targeted,reached,read" and lines[1].startswith("department,38,38,")
    assert lines[2].startswith("enterprise,1000,1000,") and lines[3].startswith(
        "service_agency,40,40,"
    )
    code, out = run("--data-dir", str(demo_hub.data_dir), "alerts", "list", "--status", "submitted")
    assert code == 0 and "submitted" in out


def test_import_and_the_four_eyes_rule(
    settings: Settings, store: Database, cast: Cast, tmp_path: Path
) -> None:
    path = tmp_path / "eping.csv"
    path.write_text(CSV, encoding="utf-8")
    data = ["--data-dir", str(settings.data_dir)]
    if settings.database_url:
        data = ["--database-url", settings.database_url, *data]
    code, out = run(*data, "alerts", "import", str(path), "--as", "editor@example.org")
    assert code == 0, out
    uid = out.split(": ")[-1].split(",")[0].strip()
    assert run(*data, "alerts", "submit", uid, "--as", "editor@example.org")[0] == 0
    code, out = run(*data, "alerts", "approve", uid, "--as", "editor@example.org")
    assert code != 0  # an editor is no approver
    code, out = run(*data, "alerts", "approve", uid, "--as", "approver@example.org")
    assert code == 0 and "approved" in out
    assert (
        run(*data, "alerts", "publish", uid, "--as", "approver@example.org")[1]
        .strip()
        .endswith("published")
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("symbol,hs_codes\nG/TBT/N/EU/77,95x\n", encoding="utf-8")
    code, out = run(*data, "alerts", "import", str(bad), "--as", "editor@example.org")
    assert code != 0 and "bad.csv" in out and "row 2" in " ".join(out.split())
