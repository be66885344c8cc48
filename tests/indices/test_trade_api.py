"""The trade index over the demo's trade statistics, through the statistics service: the base
year averages 100, value = price x volume, the formulas agree closely on smooth data, and the
HTTP API and the command give the same months."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from silkhub.cli.context import state
from silkhub.cli.main import app as cli_app
from silkhub.core.periods import Month, Year
from silkhub.indices.formulas import Formula
from silkhub.indices.trade_reads import trade_index_of
from silkhub.settings import Settings
from silkhub.web.app import create_app
from tests.conftest import DemoHub


@pytest.mark.parametrize("chained", [False, True])
def test_the_base_year_averages_100(demo_hub: DemoHub, chained: bool) -> None:
    points = trade_index_of(
        demo_hub.db, demo_hub.store, flow="total", base=Year(2018), chained=chained
    )
    assert [p.month for p in points][:1] == [Month(2018, 1)] and points[-1].month.year == 2020
    base = [p for p in points if p.month.year == 2018]
    assert sum(p.value for p in base) / 12 == pytest.approx(100.0)
    assert sum(p.price for p in base) / 12 == pytest.approx(100.0, abs=0.5 if not chained else 1e-9)
    for p in points:
        assert p.volume == pytest.approx(p.value / p.price * 100)
        assert 0 < p.matched <= p.items


def test_formulas_agree_on_smooth_data(demo_hub: DemoHub) -> None:
    first = Month(2020, 1)
    series = {
        f: trade_index_of(
            demo_hub.db, demo_hub.store, flow="export", base=Year(2019), formula=f, first=first
        )
        for f in Formula
    }
    fisher = [p.price for p in series[Formula.FISHER]]
    for formula, points in series.items():
        assert points[0].month == first
        assert [p.price for p in points] == pytest.approx(fisher, rel=0.02), formula


def test_the_api_and_the_command_agree(demo_hub: DemoHub) -> None:
    settings = Settings(data_dir=demo_hub.data_dir, secret_key="test-secret-key-not-for-production")
    with TestClient(create_app(settings, db=demo_hub.db)) as client:
        params = {"flow": "import", "base": "2019", "from": "2020-01", "to": "2020-06"}
        body = client.get("/api/indices/trade", params=params).json()
        assert [r["month"] for r in body] == [f"2020-{m:02d}" for m in range(1, 7)]
        text = client.get("/api/indices/trade", params={**params, "format": "csv"}).text
        bad = client.get("/api/indices/trade", params={"base": "2015"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "incomplete_base_year"
        flow = client.get("/api/indices/trade", params={"flow": "transit", "base": "2019"})
        assert (
            flow.status_code == 422
            and flow.json()["error"]["problems"][0]["location"]["field"] == "flow"
        )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [float(r["price_index"]) for r in rows] == pytest.approx(
        [r["price_index"] for r in body], abs=1e-4
    )
    try:
        result = CliRunner().invoke(
            cli_app,
            [
                "--data-dir",
                str(demo_hub.data_dir),
                "index",
                "trade",
                "--flow",
                "import",
                "--base",
                "2019",
                "--from",
                "2020-01",
                "--to",
                "2020-06",
            ],
        )
    finally:
        state.reset()
    assert result.exit_code == 0, result.output
    assert result.stdout == text


def test_the_index_is_remembered_until_trade_is_imported_again(
    demo_hub: DemoHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Computing the index takes tens of milliseconds over the remembered rows; the portal
    asks for it on every page view, so it is kept until the trade dataset's state changes
    (``stats.dataset_state``, which changes with every import: tests/stats/test_service.py)."""
    from silkhub.indices import trade_index
    from silkhub.stats import service as stats

    calls: list[Formula] = []
    real = trade_index.trade_index

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(kwargs["formula"])  # type: ignore[arg-type]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("silkhub.indices.trade_reads.trade_index", counted)
    ask = {"flow": "export", "base": Year(2019), "formula": Formula.LASPEYRES, "chained": True}
    first = trade_index_of(demo_hub.db, demo_hub.store, **ask)  # type: ignore[arg-type]
    again = trade_index_of(demo_hub.db, demo_hub.store, **ask)  # type: ignore[arg-type]
    assert again == first and len(calls) <= 1  # computed at most once (maybe by an earlier test)
    computed = len(calls)
    real_state = stats.dataset_state
    monkeypatch.setattr(
        stats, "dataset_state", lambda db, name: (*real_state(db, name), "imported")
    )
    after = trade_index_of(demo_hub.db, demo_hub.store, **ask)  # type: ignore[arg-type]
    assert len(calls) == computed + 1 and after == first
