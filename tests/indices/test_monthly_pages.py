"""The monthly indices on the portal, over the demonstration hub, in Chinese and English: the
trade index (value, price and volume, the formula in use, the table behind the chart, CSV)
and the port throughput index (a port and cargo kind chosen in a plain form, the table, the
weights, CSV), and both on the methodology page; before any statistics, the page says so."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from silkhub.core.formatting import format_number
from silkhub.core.periods import Year
from silkhub.indices.formulas import Formula
from silkhub.indices.port_reads import port_index_of, select_points
from silkhub.indices.trade_reads import trade_index_of
from silkhub.settings import Settings
from silkhub.web.app import create_app
from tests.conftest import DemoHub
from tests.indices.test_pages import table_rows

NINGBO = "宁波舟山港"
HEADINGS = {
    "zh": ("贸易指数（月）", "港口吞吐量指数（月）", "演示数据（合成）"),
    "en": ("Trade index (monthly)", "Port throughput index (monthly)", "Demonstration data"),
}


@pytest.fixture(scope="module")
def demo(demo_hub: DemoHub) -> Iterator[TestClient]:
    settings = Settings(data_dir=demo_hub.data_dir, secret_key="test-secret-key-not-for-production")
    with TestClient(create_app(settings, db=demo_hub.db)) as client:
        yield client


def monthly_data(page: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="indices-monthly-data">(.*?)</script>', page, re.S
    )
    assert found, "the page carries no data for the monthly charts"
    data: dict[str, Any] = json.loads(found[1])
    return data


def link(page: str, link_id: str) -> str:
    found = re.search(rf'<a[^>]*href="([^"]*)"[^>]*id="{link_id}"', page)
    assert found, f"no link {link_id}"
    return html.unescape(found[1])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_trade_index_on_the_page(demo: TestClient, demo_hub: DemoHub, lang: str) -> None:
    page = demo.get(f"/{lang}/indices", params={"flow": "export", "formula": "tornqvist"}).text
    trade, _, demo_label = HEADINGS[lang]
    assert trade in page and demo_label in page
    # The demo starts in 2018: the page says so and takes 2018 as the base year.
    assert "2015" in page and ("2018 = 100" in page)
    assert "exp Σ ½(s_0 + s_t)·ln(p_t / p_0)" in page  # the formula in use
    points = trade_index_of(
        demo_hub.db, demo_hub.store, flow="export", base=Year(2018), formula=Formula.TORNQVIST
    )
    rows = table_rows(page, "table-trade")
    latest = points[-1]
    assert rows[0][:4] == [
        latest.month.code,
        format_number(latest.value, lang, 2),
        format_number(latest.price, lang, 2),
        format_number(latest.volume, lang, 2),
    ]
    assert rows[0][4:] == [str(latest.items), str(latest.matched), str(latest.outliers)]
    assert len(rows) == 36
    chart = monthly_data(page)["trade"]
    assert chart["months"][-1] == latest.month.code
    assert [s["code"] for s in chart["series"]] == ["value", "price", "volume"]
    assert chart["series"][1]["values"][-1] == pytest.approx(latest.price, abs=1e-4)
    # The download gives the same figures as the table.
    download = demo.get(link(page, "download-trade"))
    assert download.status_code == 200 and "text/csv" in download.headers["content-type"]
    last = list(csv.DictReader(io.StringIO(download.text)))[-1]
    assert (last["month"], float(last["price_index"])) == (
        latest.month.code,
        pytest.approx(latest.price, abs=1e-4),
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_port_index_on_the_page(demo: TestClient, demo_hub: DemoHub, lang: str) -> None:
    _, port_heading, _ = HEADINGS[lang]
    page = demo.get(f"/{lang}/indices").text
    assert port_heading in page
    result = port_index_of(demo_hub.db, demo_hub.store, base=Year(2019))
    # By default the composite of the largest port, Ningbo-Zhoushan.
    ningbo = select_points(result, port=NINGBO, kind="composite")
    rows = table_rows(page, "table-port")
    assert rows[0][:2] == [ningbo[-1].month.code, format_number(ningbo[-1].index or 0, lang, 2)]
    assert ("宁波舟山港 · 综合指数" if lang == "zh" else "Ningbo-Zhoushan · Composite") in page
    weights = table_rows(page, "table-port-weights")
    assert len(weights) == 4  # containers, dry bulk, liquid bulk, general cargo of Ningbo

    chosen = demo.get(f"/{lang}/indices", params={"port": "嘉兴港", "kind": "dry_bulk"}).text
    jiaxing = select_points(result, port="嘉兴港", kind="dry_bulk")
    rows = table_rows(chosen, "table-port")
    assert rows[0][1] == format_number(jiaxing[-1].index or 0, lang, 2)
    volume = format_number(jiaxing[-1].volume or 0, lang, 0)
    assert rows[0][4] == f"{volume} {'吨' if lang == 'zh' else 't'}"
    chart = monthly_data(chosen)["port"]
    assert [round(v, 2) for v in chart["series"][0]["values"][-3:]] == [
        round(p.index or 0, 2) for p in jiaxing[-3:]
    ]
    assert len(chart["series"]) == 2  # with the port's composite beside it
    download = demo.get(link(chosen, "download-port"))
    body = list(csv.DictReader(io.StringIO(download.text)))
    assert {(r["port"], r["kind"]) for r in body} == {("嘉兴港", "dry_bulk")}
    assert float(body[-1]["index"]) == pytest.approx(jiaxing[-1].index, abs=1e-4)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_methodology_page_explains_both(demo: TestClient, lang: str) -> None:
    page = demo.get(f"/{lang}/indices/methodology").text
    trade, port, _ = HEADINGS[lang]
    assert trade in page and port in page
    if lang == "zh":
        assert "低于其1/5的" in page and "按标箱数 × 10 吨折算" in page
    else:
        assert "less than 1/5 of" in page and "TEU × 10 tonnes" in page
        assert "New and disappearing items are matched models" in page
    assert len(table_rows(page, "table-trade-formulas")) == 4
    weights = table_rows(page, "table-port-weights-all")
    assert len(weights) == 16  # four ports, four components each
    shares = [float(r[3].rstrip("%").replace(",", "")) for r in weights]
    assert sum(shares) == pytest.approx(100, abs=0.05)


@pytest.mark.parametrize(
    ("lang", "trade", "port"),
    [
        ("zh", "尚未导入贸易数据。", "尚未导入有完整年度的分货类港口吞吐量数据。"),
        ("en", "No trade figures have been imported yet.", "No port throughput figures"),
    ],
)
def test_before_any_statistics_the_page_says_so(
    client: TestClient, lang: str, trade: str, port: str
) -> None:
    page = client.get(f"/{lang}/indices").text
    assert trade in page and port in page
    assert "indices-monthly-data" not in page
