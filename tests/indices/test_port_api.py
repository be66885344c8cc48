"""The port index over the demo's port statistics (by cargo kind), through the statistics
service: every component averages 100 in the base year, the composites weigh base-year
tonnage, and the HTTP API (JSON, CSV, filters, errors), the list of indices and the command
give the same figures."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from silkhub.cli.context import state
from silkhub.cli.main import app as cli_app
from silkhub.core.periods import Month, Year
from silkhub.indices.port_index import ALL_PORTS, KINDS
from silkhub.indices.port_reads import port_index_of
from silkhub.settings import Settings
from silkhub.web.app import create_app
from tests.conftest import DemoHub

NINGBO = "宁波舟山港"


@pytest.fixture(scope="module")
def client(demo_hub: DemoHub) -> Iterator[TestClient]:
    settings = Settings(data_dir=demo_hub.data_dir, secret_key="test-secret-key-not-for-production")
    with TestClient(create_app(settings, db=demo_hub.db)) as client:
        yield client


def test_the_base_year_averages_100_and_the_composite_weighs_tonnage(demo_hub: DemoHub) -> None:
    result = port_index_of(demo_hub.db, demo_hub.store, base=Year(2019))
    months = sorted({p.month for p in result.points})
    assert months[0] == Month(2019, 1) and months[-1] == Month(2020, 12)
    series = {(p.port, p.kind) for p in result.points}
    assert series == {
        (port, kind) for port in (ALL_PORTS, NINGBO, "嘉兴港", "温州港", "台州港") for kind in KINDS
    }
    for key in series:
        base = [p.index for p in result.points if (p.port, p.kind) == key and p.month.year == 2019]
        assert len(base) == 12 and None not in base
        assert sum(b for b in base if b is not None) / 12 == pytest.approx(100.0), key
    weights = {(w.port, w.kind): w for w in result.weights}
    assert sum(w.share_overall for w in result.weights) == pytest.approx(1.0)
    # The demo reports container tonnage: about a quarter of Ningbo-Zhoushan's cargo.
    boxes = weights[(NINGBO, "containers")]
    assert boxes.source == "reported" and 0.2 < boxes.share_in_port < 0.3
    assert result.no_base == []
    # Changes: a year on from the base year's months, and the month before.
    by = {(p.port, p.kind, p.month): p for p in result.points}
    may = by[(NINGBO, "composite", Month(2020, 5))]
    assert may.index is not None and may.yoy_pct is not None and may.mom_pct is not None
    april = by[(NINGBO, "composite", Month(2020, 4))].index
    before = by[(NINGBO, "composite", Month(2019, 5))].index
    assert april is not None and before is not None
    assert may.mom_pct == pytest.approx((may.index / april - 1) * 100)
    assert may.yoy_pct == pytest.approx((may.index / before - 1) * 100)
    # Ningbo's containers in TEU: the index is the volume over the base-year average.
    teu = [by[(NINGBO, "containers", Month(2019, m))].volume for m in range(1, 13)]
    may_teu = by[(NINGBO, "containers", Month(2020, 5))]
    assert may_teu.unit == "TEU" and may_teu.volume is not None and None not in teu
    assert may_teu.index == pytest.approx(may_teu.volume / (sum(teu) / 12) * 100)  # type: ignore[arg-type]


def test_the_api_filters_and_the_command_agree(client: TestClient, demo_hub: DemoHub) -> None:
    params = {"port": NINGBO, "kind": "composite", "from": "2020-01", "to": "2020-06"}
    body = client.get("/api/indices/port", params=params).json()
    assert [(r["month"], r["port"], r["kind"]) for r in body] == [
        (f"2020-{m:02d}", NINGBO, "composite") for m in range(1, 7)
    ]
    text = client.get("/api/indices/port", params={**params, "format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [float(r["index"]) for r in rows] == pytest.approx([r["index"] for r in body], abs=1e-4)
    assert rows[0].keys() == {
        "month", "port", "kind", "volume", "unit", "index", "mom_pct", "yoy_pct"
    }  # fmt: skip

    across = client.get("/api/indices/port", params={"port": "all", "kind": "dry_bulk"}).json()
    assert {r["port"] for r in across} == {ALL_PORTS} and across[0]["unit"] == "T"
    assert across[0]["month"] == "2019-01" and across[-1]["month"] == "2020-12"

    for bad, field in (
        ({"kind": "coal"}, "kind"),
        ({"port": "鹿特丹港"}, "port"),
        ({"base": "2017"}, "base"),
        ({"from": "2020"}, "from"),
        ({"format": "xml"}, "format"),
    ):
        answer = client.get("/api/indices/port", params=bad)
        assert answer.status_code == 422, bad
        assert answer.json()["error"]["problems"][0]["location"]["field"] == field, bad

    weights = client.get("/api/indices/port/weights").json()
    assert weights["base"] == 2019 and weights["without_base_year"] == []
    assert {w["port"] for w in weights["weights"]} == {NINGBO, "嘉兴港", "温州港", "台州港"}

    try:
        result = CliRunner().invoke(
            cli_app,
            [
                "--data-dir",
                str(demo_hub.data_dir),
                "index",
                "port",
                "--port",
                NINGBO,
                "--kind",
                "composite",
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


def test_the_list_of_indices_names_all_three(client: TestClient) -> None:
    listed = {i["code"]: i for i in client.get("/api/indices").json()}
    assert list(listed) == ["freight", "trade", "port"]
    assert "COMPOSITE" in listed["freight"]["series"] and len(listed["freight"]["series"]) > 20
    assert listed["trade"]["series"] == ["export", "import", "total"]
    assert listed["port"]["series"] == list(KINDS)
    assert listed["port"]["ports"] == [ALL_PORTS, "台州港", "嘉兴港", NINGBO, "温州港"]
    for code, index in listed.items():
        for link in index["links"].values():
            # The trade index's default base year (2015) is before the demo's data.
            params = {"base": "2019"} if code == "trade" else {}
            assert client.get(link, params=params).status_code == 200, link
    english = client.get("/api/indices", headers={"Accept-Language": "en"}).json()
    assert english[2]["name"] == "Port throughput index"
