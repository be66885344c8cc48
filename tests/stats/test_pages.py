"""The statistics pages of the portal as a person meets them: the dashboard's figures are the
service's measures, its filters change them, every chart has its table and its data, the
shown tables download as CSV; the briefing as a page; the analyst's upload page with its
problem report, for analysts only.

Small imports made in each test, on the application fixtures of ``tests/web/conftest.py``;
one test reads the shared demonstration hub."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from silkhub.accounts.models import Role
from silkhub.core.periods import Month, YearToDate
from silkhub.settings import Settings
from silkhub.stats import briefing, service
from silkhub.stats.measures import MeasureQuery
from silkhub.stats.presentation import sentence
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database
from silkhub.web.app import create_app
from tests.stats.conftest import DemoHub
from tests.web.conftest import Person, app, as_token, client, csrf_from, db, people, signed_in

__all__ = ["app", "client", "db", "people"]  # the application fixtures, reused

HTML = {"accept": "text/html"}

TRADE = (
    "月份,进出口,国别（地区）,金额（万元）\n"
    + "\n".join(
        [
            "2019-05,出口,捷克,1000",
            "2019-05,出口,美国,3000",
            "2019-05,进口,越南,500",
            "2020-05,出口,捷克,1500",
            "2020-05,进口,捷克,500",
            "2020-05,出口,美国,2000",
            "2020-05,出口,越南,800",
            "2020-05,进口,越南,700",
        ]
    )
    + "\n"
)
MAY = {"period": "2020-05", "span": "month"}


def upload_via_api(client: TestClient, person: Person, text: str, name: str = "trade.csv") -> None:
    response = client.post(
        "/api/stats/imports",
        files={"file": (name, text.encode("gbk"), "text/csv")},
        data={"dataset": "trade"},
        headers=as_token(person),
    )
    assert response.status_code == 201, response.text


def stores(app: Any) -> tuple[Database, AnalyticalStore]:
    return app.state.db, app.state.analytical


def chart_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="stats-data">(.*?)</script>', html, re.S)
    assert found, "the page carries no chart data"
    data: dict[str, Any] = json.loads(found[1])
    return data


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The cells of each body row of a table, tags stripped."""
    found = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert found, f"no table {table_id}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", found[1], re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)
        ]
        for r in rows
    ]


# --- the dashboard ---------------------------------------------------------------------------


def test_an_empty_hub_says_so(client: TestClient) -> None:
    page = client.get("/zh/stats")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "尚未导入统计数据" in page.text or "该数据集尚未导入任何数据" in page.text
    assert 'id="stats-data"' not in page.text  # no chart without figures


def test_the_dashboard_shows_the_measured_figures(
    app: Any, client: TestClient, people: dict[Role, Person]
) -> None:
    upload_via_api(client, people[Role.ANALYST], TRADE)
    db, store = stores(app)
    query = MeasureQuery("trade", "value_cny", Month(2020, 5), group="china_ceec")
    expected = service.measure(db, store, query)
    assert expected.value == 20_000_000  # CZ: 1500万 + 500万

    page = client.get("/zh/stats", params={**MAY, "group": "china_ceec"})
    assert page.status_code == 200
    text = sentence(expected, "zh")
    assert text == "2000万元，增长100.0%，占36.4%"
    assert f'id="selection-figure">{text}<' in page.text

    data = chart_data(page.text)
    series = service.series(db, store, query, Month(2019, 1), Month(2020, 5)).to_pylist()
    may = next(r for r in series if r["month"].isoformat() == "2020-05-01")
    assert data["series"]["unit"] == "万元"
    assert data["series"]["values"][-1] == may["value"] / 10_000 == 2000
    assert data["series"]["growth"][-1] == round(may["growth_pct"], 1) == 100.0
    assert len(data["series"]["labels"]) == 17  # January 2019 to May 2020
    # Behind the chart, the same figures as a table.
    last = table_rows(page.text, "table-series")[-1]
    assert last == ["2020年5月", "2000.0", "1000.0", "+100.0%", "—", "—"]

    # The ranking and the map: the group's partners, named in Chinese.
    ranking = table_rows(page.text, "table-ranking")
    assert ranking == [["1", "捷克", "2000.0", "+100.0%", "100.0%"]]
    assert [(i["code"], i["value"]) for i in data["map"]["items"]] == [("CZ", 2000.0)]

    # Shares of the groups in all trade (5500万): CEEC 2000万, the route countries with
    # Viet Nam 3500万, ASEAN 1500万.
    shares = {row[0]: row[3] for row in table_rows(page.text, "table-groups")}
    assert shares["中国—中东欧国家合作"] == "36.4%"
    assert shares["“一带一路”沿线64国"] == "63.6%"
    assert shares["东盟"] == "27.3%"
    assert "区域全面经济伙伴关系协定（RCEP）" not in shares  # no members before 2022


def test_english_and_chinese_pages_show_the_same_figures(
    client: TestClient, people: dict[Role, Person]
) -> None:
    upload_via_api(client, people[Role.ANALYST], TRADE)
    zh = client.get("/zh/stats", params={**MAY, "group": ""})
    en = client.get("/en/stats", params={**MAY, "group": ""})
    assert '<html lang="en">' in en.text
    data_zh, data_en = chart_data(zh.text), chart_data(en.text)
    for key in ("series", "ranking", "map"):
        assert data_zh[key]["unit"] == "万元" and data_en[key]["unit"] == "CNY 10,000"
    assert data_zh["series"]["values"] == data_en["series"]["values"]
    assert [(i["code"], i["value"]) for i in data_zh["map"]["items"]] == [
        (i["code"], i["value"]) for i in data_en["map"]["items"]
    ]
    assert [i["share"] for i in data_zh["groups"]] == [i["share"] for i in data_en["groups"]]
    assert "5500万元，增长22.2%" in zh.text  # all countries: 5500万 against 4500万
    assert "CNY 55 million, up 22.2%" in en.text
    # A tie (2000万 each) goes to the smaller code: CZ before US.
    assert table_rows(en.text, "table-ranking")[:2] == [
        ["1", "Czechia", "2,000.0", "+100.0%", "36.4%"],
        ["2", "United States", "2,000.0", "-33.3%", "36.4%"],
    ]


def test_the_filters_change_the_figures(
    app: Any, client: TestClient, people: dict[Role, Person]
) -> None:
    upload_via_api(client, people[Role.ANALYST], TRADE)
    db, store = stores(app)
    seen = set()
    for flow, expected in (("export", 43_000_000), ("import", 12_000_000), ("", 55_000_000)):
        filters = {"flow": flow} if flow else {}
        query = MeasureQuery("trade", "value_cny", Month(2020, 5), filters=filters)
        result = service.measure(db, store, query)
        assert result.value == expected
        page = client.get("/zh/stats", params={**MAY, "group": "", "flow": flow})
        figure = sentence(result, "zh")
        assert figure is not None
        assert f'id="selection-figure">{figure}<' in page.text
        assert chart_data(page.text)["series"]["values"][-1] == expected / 10_000
        seen.add(figure)
        chosen = re.search(r'<select id="f-flow".*?</select>', page.text, re.S)
        assert chosen is not None
        if flow:
            assert f'value="{flow}" selected' in chosen[0]
    assert len(seen) == 3
    # The flow as a person writes it is the same filter.
    spelled = client.get("/zh/stats", params={**MAY, "group": "", "flow": "出口"})
    assert 'id="selection-figure">4300万元' in spelled.text
    # The group narrows the partners; the measure follows.
    asean = client.get("/zh/stats", params={**MAY, "group": "asean"})
    assert 'id="selection-figure">1500万元' in asean.text


def test_the_year_to_date_is_the_default_span(
    client: TestClient, people: dict[Role, Person]
) -> None:
    upload_via_api(client, people[Role.ANALYST], TRADE)
    page = client.get("/zh/stats").text  # latest month, year to date, route countries
    assert "2020年1-5月" in page
    assert 'value="2020-05" selected' in page
    assert 'value="along_route_64" selected' in page
    # Only May was imported: January to May is incomplete, so no figure is stated.
    assert "本期暂无已发布的数据" in page


def test_another_dataset_starts_from_its_own_defaults(client: TestClient) -> None:
    page = client.get(
        "/en/stats", params={"dataset": "port", "shown": "trade", "value": "value_cny"}
    )
    assert page.status_code == 200
    assert 'name="value"' in page.text and 'value="cargo_tonnes" selected' in page.text
    assert 'id="f-group"' not in page.text  # a port has no partner country
    assert 'id="f-port"' in page.text
    bad = client.get("/en/stats", params={"dataset": "nope", "period": "someday"})
    assert bad.status_code == 200
    assert "Unknown dataset" in bad.text
    assert 'role="alert"' in bad.text


def test_text_from_the_address_is_escaped(client: TestClient, people: dict[Role, Person]) -> None:
    upload_via_api(client, people[Role.ANALYST], TRADE)
    evil = "</script><script>alert(1)</script>"
    page = client.get("/zh/stats", params={**MAY, "trade_mode": evil}).text
    assert "<script>alert(1)" not in page
    data_block = re.search(r'id="stats-data">(.*?)</script>', page, re.S)
    assert data_block is not None and "<" not in data_block[1]


def test_a_dataset_without_partners_ranks_its_own_breakdown(
    client: TestClient, people: dict[Role, Person]
) -> None:
    response = client.post(
        "/api/stats/imports",
        files={
            "file": (
                "port.csv",
                "月份,港口,货物吞吐量（万吨）\n2020-05,宁波舟山港,9000\n2020-05,温州港,700\n".encode(),
                "text/csv",
            )
        },
        data={"dataset": "port"},
        headers=as_token(people[Role.ANALYST]),
    )
    assert response.status_code == 201, response.text
    page = client.get("/zh/stats", params={"dataset": "port", **MAY}).text
    assert [r[1] for r in table_rows(page, "table-ranking")] == ["宁波舟山港", "温州港"]
    assert 'id="table-groups"' not in page and 'id="chart-map"' not in page
    assert 'id="selection-figure">9700万吨' in page


def test_every_chart_has_its_table_open_without_javascript(
    client: TestClient, people: dict[Role, Person]
) -> None:
    upload_via_api(client, people[Role.ANALYST], TRADE)
    page = client.get("/zh/stats", params=MAY).text
    charts = re.findall(r'<div id="(chart-[a-z]+)" class="chart[^"]*" role="img" hidden', page)
    assert charts == ["chart-series", "chart-ranking", "chart-groups", "chart-map"]
    for chart in charts:
        label = re.search(rf'id="{chart}"[^>]*aria-label="([^"]+)"', page, re.S)
        assert label and "表格" in label[1]
    assert page.count('<details class="data-behind" open>') == 4
    assert "/static/js/stats-dashboard.js" in page
    assert "/static/vendor/echarts/echarts.min.js" in page
    assert "http://" not in page and "https://" not in page  # nothing from elsewhere


def test_the_shown_tables_download_as_csv(
    app: Any, client: TestClient, people: dict[Role, Person]
) -> None:
    upload_via_api(client, people[Role.ANALYST], TRADE)
    db, store = stores(app)
    page = client.get("/zh/stats", params={**MAY, "flow": "export"}).text
    link = re.search(r'href="(/zh/stats/measures\.csv\?[^"]*table=ranking[^"]*)"', page)
    assert link is not None
    response = client.get(link[1].replace("&amp;", "&"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "trade-value_cny-ranking-2020-05.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    query = MeasureQuery(
        "trade",
        "value_cny",
        Month(2020, 5),
        filters={"flow": "export"},
        group="along_route_64",
        by="partner",
    )
    expected = service.top(db, store, query, 300).to_pylist()
    assert [(r["partner"], int(r["value"])) for r in rows] == [
        (e["partner"], e["value"]) for e in expected
    ]
    assert [r["partner"] for r in rows] == ["CZ", "VN"]

    series = client.get("/zh/stats/measures.csv", params={**MAY, "table": "series"})
    lines = series.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "month,value,previous,growth_pct,ytd_value,ytd_previous,ytd_growth_pct"
    assert lines[-1].startswith("2020-05-01,35000000,15000000,")  # route countries: CZ, VN
    groups = client.get("/zh/stats/measures.csv", params={**MAY, "table": "groups"})
    assert "china_ceec,20000000,10000000,100.0," in groups.text
    unknown = client.get("/zh/stats/measures.csv", params={"table": "nope"})
    assert unknown.status_code == 422
    # The dataset's own downloads, in the formats of the download route.
    for fmt in ("csv", "xlsx", "sdmx", "sdmx-csv", "sdmx-structure", "datapackage"):
        assert f"/api/stats/datasets/trade/download?format={fmt}" in page


def test_demonstration_data_is_labelled(settings: Settings, db: Database) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "demo.json").write_text('{"synthetic": true, "seed": 7}')
    with TestClient(create_app(settings, db=db)) as c:
        # Data imported by service, as the demo builder does.
        path = settings.data_dir / "trade.csv"
        path.write_bytes(TRADE.encode("gbk"))
        with AnalyticalStore(settings.resolved_analytical_dir) as store:
            outcome = service.import_file(
                db,
                store,
                path,
                dataset_name="trade",
                data_dir=settings.data_dir,
                actor=Actor.system("test"),
                max_bytes=10**6,
            )
        assert outcome.status == "imported"
        zh = c.get("/zh/stats", params=MAY).text
        en = c.get("/en/stats", params=MAY).text
        csv_file = c.get("/zh/stats/measures.csv", params=MAY)
    assert "演示数据（合成），非官方统计" in zh
    assert "Demonstration data (synthetic), not official statistics" in en
    assert chart_data(zh)["demo"] == "演示数据"  # drawn on every chart
    assert "DEMO-synthetic" in csv_file.headers["content-disposition"]


def test_the_dashboard_on_the_demonstration_hub(demo_hub: DemoHub) -> None:
    settings = Settings(data_dir=demo_hub.data_dir, secret_key="test-secret-key-not-for-production")
    with TestClient(create_app(settings, db=demo_hub.db)) as c:
        zh = c.get("/zh/stats", params={"period": "2020年1-5月"}).text
        en = c.get("/en/stats", params={"period": "2020-05", "span": "ytd"}).text
    # The headline figures follow the period asked for, and the selection states the seed's
    # figure for trade with the route countries.
    assert 'id="selection-figure">3909亿元' in zh
    assert 'id="selection-figure">CNY 390.9 billion' in en
    assert "325.6亿元，增长16.1%" in zh
    data = chart_data(zh)
    assert (
        data["series"]["labels"][0] == "2019年1月" and data["series"]["labels"][-1] == "2020年5月"
    )
    assert len(data["ranking"]["items"]) == 10 and len(data["map"]["items"]) > 40
    assert chart_data(en)["series"]["values"] == data["series"]["values"]


# --- the briefing ------------------------------------------------------------------------------


def test_the_briefing_as_a_page(app: Any, client: TestClient, people: dict[Role, Person]) -> None:
    upload_via_api(client, people[Role.ANALYST], TRADE)
    db, store = stores(app)
    made = briefing.briefing(db, store, Month(2020, 5), lang="zh", demo=False)
    page = client.get("/zh/stats/briefing", params={"period": "2020-05"})
    assert page.status_code == 200
    assert f'<h1 id="briefing-title">{made.title}</h1>' in page.text
    for section in made.sections:
        assert section.heading in page.text
        for table in section.tables:
            assert table.caption in page.text
    assert "演示数据" not in page.text  # not a demonstration hub
    for fmt in ("html", "md", "pdf", "xlsx"):
        assert f"/api/stats/briefing?period=2020-05&amp;format={fmt}&amp;lang=zh" in page.text
    assert 'value="2020-05" selected' in page.text  # the month picker
    english = client.get("/en/stats/briefing").text  # the latest month by default
    assert "Belt and Road hub monthly briefing, January–May 2020" in english
    wrong = client.get("/en/stats/briefing", params={"period": "2020"})
    assert wrong.status_code == 200 and "A briefing is monthly" in wrong.text


def test_the_briefing_without_data(client: TestClient) -> None:
    page = client.get("/zh/stats/briefing")
    assert page.status_code == 200
    assert "尚未导入贸易数据" in page.text


# --- the upload page ---------------------------------------------------------------------------


def post_file(
    client: TestClient,
    person: Person,
    content: bytes,
    name: str = "trade.csv",
    lang: str = "zh",
    **fields: str,
) -> Any:
    signed_in(client, person)
    form = client.get(f"/{lang}/stats/upload", headers=HTML)
    assert form.status_code == 200
    return client.post(
        f"/{lang}/stats/upload",
        data={"csrf_token": csrf_from(form.text), "dataset": "trade", **fields},
        files={"file": (name, content, "text/csv")},
        headers=HTML,
    )


def test_only_analysts_reach_the_upload_page(
    client: TestClient, people: dict[Role, Person]
) -> None:
    anonymous = client.get("/zh/stats/upload", headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/zh/login?next=/zh/stats/upload"
    signed_in(client, people[Role.EDITOR])
    assert client.get("/zh/stats/upload", headers=HTML).status_code == 403
    assert 'href="/zh/stats/upload"' not in client.get("/zh/stats").text  # no tab for them
    signed_in(client, people[Role.ANALYST])
    page = client.get("/zh/stats/upload", headers=HTML)
    assert page.status_code == 200
    assert 'href="/zh/stats/upload" aria-current="page"' in page.text  # the tab, current
    for field in ("u-dataset", "u-file", "u-encoding", "u-sheet", "u-mapping"):
        assert f'<label for="{field}">' in page.text
    signed_in(client, people[Role.ADMIN])
    assert client.get("/zh/stats/upload", headers=HTML).status_code == 200


def test_a_form_without_its_token_is_refused(
    client: TestClient, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.ANALYST])
    response = client.post(
        "/zh/stats/upload",
        data={"dataset": "trade"},
        files={"file": ("trade.csv", TRADE.encode("gbk"), "text/csv")},
        headers=HTML,
    )
    assert response.status_code == 403
    assert service_imports(client, people) == []


def service_imports(client: TestClient, people: dict[Role, Person]) -> list[Any]:
    listed: list[Any] = client.get(
        "/api/stats/imports", headers=as_token(people[Role.ANALYST])
    ).json()
    return listed


def test_a_bad_file_shows_its_problem_report(
    client: TestClient, people: dict[Role, Person], settings: Settings
) -> None:
    bad = TRADE + "2020-05,出口,亚特兰蒂斯,abc\n"
    response = post_file(client, people[Role.ANALYST], bad.encode("gbk"))
    assert response.status_code == 422
    assert "未通过校验：未导入任何数据" in response.text
    rows = table_rows(response.text, "problem-report")
    located = {(r[3], r[6]) for r in rows}  # (row, code)
    assert ("10", "unknown_country") in located
    assert ("10", "not_a_number") in located
    unknown = next(r for r in rows if r[6] == "unknown_country")
    assert unknown[0] == "错误" and unknown[1] == "trade.csv" and unknown[5] == "亚特兰蒂斯"
    assert "亚特兰蒂斯" in unknown[7]  # the message, in Chinese
    assert service_imports(client, people) == []  # nothing was written

    # The report downloads as CSV, for this analyst only, for a while.
    link = re.search(r'href="(/zh/stats/upload/reports/[^"]+\.csv)"', response.text)
    assert link is not None
    report = client.get(link[1])
    assert report.status_code == 200
    records = list(csv.DictReader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert {(r["row"], r["code"]) for r in records} >= {
        ("10", "unknown_country"),
        ("10", "not_a_number"),
    }
    assert all(r["file"] == "trade.csv" for r in records)
    assert all(r["message_zh"] and r["message_en"] for r in records)
    signed_in(client, people[Role.ADMIN])
    assert client.get(link[1], headers=HTML).status_code == 404  # another person's report
    signed_in(client, people[Role.ANALYST])
    (kept,) = (settings.data_dir / "tmp" / "problem-reports").glob("*/*.csv")
    old = time.time() - 7 * 3600
    os.utime(kept, (old, old))
    assert client.get(link[1], headers=HTML).status_code == 404  # expired
    traversal = client.get("/zh/stats/upload/reports/..%2F..%2Fsecret_key.csv", headers=HTML)
    assert traversal.status_code == 404

    # Corrected, the file imports; the recent imports list it.
    fixed = post_file(client, people[Role.ANALYST], TRADE.encode("gbk"), name="fixed.csv")
    assert fixed.status_code == 200
    assert "已导入" in fixed.text and "共8行" in fixed.text and "2019-05、2020-05" in fixed.text
    recent = table_rows(fixed.text, "recent-imports")
    assert [(r[1], r[2], r[3], r[4]) for r in recent] == [
        ("货物贸易", "fixed.csv", "8", "2019-05、2020-05")
    ]
    again = post_file(client, people[Role.ANALYST], TRADE.encode("gbk"), name="copy.csv")
    assert "此前已导入" in again.text
    assert len(service_imports(client, people)) == 1


def test_the_upload_page_in_english_and_its_mistakes(
    client: TestClient, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.ANALYST])
    form = client.get("/en/stats/upload", headers=HTML)
    no_file = client.post(
        "/en/stats/upload",
        data={"csrf_token": csrf_from(form.text), "dataset": "trade"},
        headers=HTML,
    )
    assert no_file.status_code == 422
    assert "Choose a dataset and a file to import." in no_file.text
    bad = post_file(client, people[Role.ANALYST], b"x,y\n1,2\n", lang="en", encoding="utf-8")
    assert bad.status_code == 422
    assert "Rejected: nothing was imported" in bad.text
    assert 'value="utf-8" selected' in bad.text  # the choices are kept
    assert "Problem report" in bad.text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_tabs_of_the_statistics_pages(client: TestClient, lang: str) -> None:
    page = client.get(f"/{lang}/stats/briefing").text
    assert f'href="/{lang}/stats/briefing" aria-current="page"' in page
    assert f'href="/{lang}/stats"' in page
    assert YearToDate(2020, 5).label(lang) not in page  # no data, no period
