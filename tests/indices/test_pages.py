"""The freight index's portal pages as a person meets them: the public page shows the released
figures (the same as ``freight_reads``) with their charts, tables, downloads and calendar; the
methodology page is the configuration; a panel member submits on its page and sees warnings
or problems at once, and is refused after the window; the compiler's console previews,
approves, corrects and restates, and is closed to everyone else; and the embargo: while a
week is approved but not released, no page shows its figures or its code to anyone but the
compilers.

Real SQLite stores (the fixtures of ``tests/web/conftest.py``), the panel of
``tests/indices/test_api.py`` and its clock; one test reads the demonstration hub."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.requests import Request

from silkhub.accounts.models import Role
from silkhub.core.formatting import format_number
from silkhub.core.periods import IsoWeek
from silkhub.indices import freight_reads, pages, service
from silkhub.indices.freight_compute import published
from silkhub.indices.freight_schedule import release_time, window
from silkhub.indices.models import COMPOSITE, FreightQuote, FreightRelease, FreightRestatement
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.app import create_app
from tests.conftest import DemoHub
from tests.indices.test_api import ACTOR, ROUTES, Clock, M, after, clock, during, panel
from tests.web.conftest import Person, as_token, csrf_from, signed_in
from tests.web.test_access_matrix import app_routes

__all__ = ["clock", "panel"]  # the fixtures of test_api, reused

HTML = {"accept": "text/html"}
W04, W05, W06, W07 = IsoWeek(2018, 4), IsoWeek(2018, 5), IsoWeek(2018, 6), IsoWeek(2018, 7)


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """The cells of each body row of a table, tags stripped."""
    found = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert found, f"no table {table_id}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", found[1], re.S)
    return [
        [
            html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows
    ]


def chart_data(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="indices-data">(.*?)</script>', html, re.S
    )
    assert found, "the page carries no chart data"
    data: dict[str, Any] = json.loads(found[1])
    return data


def approve(db: Database, *weeks: IsoWeek) -> None:
    for week in weeks:
        with db.transaction(ACTOR) as session:
            service.approve(session, week, actor=ACTOR, now=after(week))


def as_person(client: TestClient, person: Person | None) -> TestClient:
    client.cookies.clear()
    return signed_in(client, person) if person is not None else client


def post_form(client: TestClient, page_url: str, url: str, data: dict[str, str], **kw: Any) -> Any:
    """Post a portal form with the CSRF token of the page it is on."""
    page = client.get(page_url, headers=HTML)
    return client.post(url, data={"csrf_token": csrf_from(page.text), **data}, headers=HTML, **kw)


# --- the public page ------------------------------------------------------------------------


def test_the_index_page_shows_the_released_figures(
    app: FastAPI, client: TestClient, db: Database, panel: list[str], clock: Clock
) -> None:
    clock.now = during(W04)
    assert "尚未发布" in client.get("/zh/indices").text  # before the first release
    approve(db, W04, W05, W06)
    clock.now = release_time(M, W06)
    with db.reading() as session:
        views = freight_reads.release_views(session, now=clock.now)
    latest = views[-1]
    assert latest.week == "2018-W06"
    zh, en = client.get("/zh/indices"), client.get("/en/indices")
    assert zh.status_code == en.status_code == 200
    assert '<html lang="zh-CN">' in zh.text and '<html lang="en">' in en.text
    # The latest release: every series, in the methodology's order, with its change.
    rows = table_rows(zh.text, "table-latest")
    assert [r[0].split()[-1] for r in rows] == [COMPOSITE, *ROUTES]
    for row in rows:
        value = latest.value(row[0].split()[-1])
        assert value is not None and value.change is not None and value.change_pct is not None
        assert row[1:5] == [
            format_number(value.value, "zh", 2),
            f"+{format_number(value.change, 'zh', 2)}",
            f"+{format_number(value.change_pct, 'zh', 2)}%",
            "—",  # nothing carried forward
        ]
    assert rows[0][:4] == ["综合指数 COMPOSITE", "1049.50", "+49.50", "+4.95%"]
    assert table_rows(en.text, "table-latest")[0][:4] == [
        "Composite COMPOSITE",
        "1,049.50",
        "+49.50",
        "+4.95%",
    ]
    assert 'id="latest-composite">1049.50<' in zh.text
    # The charts' data: every released week, the same figures in both languages.
    data = chart_data(zh.text)
    english = chart_data(en.text)

    def figures(d: dict[str, Any]) -> list[Any]:
        return [d["weeks"], [(s["code"], s["values"], s["pct"], s["carried"]) for s in d["series"]]]

    assert figures(data) == figures(english) and data["lang"] == "zh" != english["lang"]
    assert data["weeks"] == [v.week for v in views]
    series = {s["code"]: s for s in data["series"]}
    assert set(series) == {COMPOSITE, *ROUTES}
    for code, s in series.items():
        assert s["values"] == [float(v.value(code).value) for v in views]  # type: ignore[union-attr]
    # A real table behind each chart, newest week first.
    assert [r[:2] for r in table_rows(zh.text, "table-composite")] == [
        [v.week, format_number(v.value().value, "zh", 2)]  # type: ignore[union-attr]
        for v in reversed(views)
    ]
    assert 'id="chart-composite"' in zh.text and 'id="chart-route"' in zh.text
    eur = client.get("/en/indices", params={"route": "mede"}).text
    assert [r[0] for r in table_rows(eur, "table-route")] == [v.week for v in reversed(views)]
    assert "East Mediterranean (MEDE)" in eur and "/static/js/indices-charts.js" in eur
    # Downloads: the composite, each route, the feed.
    for code in (COMPOSITE, *ROUTES):
        assert f'href="/api/indices/freight/series?format=csv&amp;series={code}"' in zh.text
    assert 'href="/api/indices/freight/feed.atom"' in zh.text
    csv = client.get("/api/indices/freight/series?format=csv&series=COMPOSITE").text
    assert csv.splitlines()[-1] == "2018-W06,COMPOSITE,1049.50,4.95,0"
    # The calendar: the next releases by the schedule in Beijing time, the latest released.
    upcoming = table_rows(zh.text, "table-upcoming")
    assert len(upcoming) == 4 and "2018年第7周" in upcoming[0][0]
    assert upcoming[0][2] == "2018年2月16日 周五 16:00"  # W07: Friday 16 February
    assert release_time(M, W07).isoformat() == "2018-02-16T08:00:00+00:00"
    assert table_rows(en.text, "table-upcoming")[0][2] == "Fri 16 Feb 2018, 16:00"
    released = table_rows(zh.text, "table-released")
    assert [r[0] for r in released] == ["2018-W06", "2018-W05", "2018-W04"]
    assert released[0][1] == "2018年2月9日 周五 16:00"
    # Not a demonstration hub: no demonstration label.
    assert "演示数据" not in zh.text


def test_a_restatement_is_shown_with_both_values(
    client: TestClient, db: Database, panel: list[str], clock: Clock
) -> None:
    approve(db, W04, W05)
    clock.now = release_time(M, W05) + timedelta(days=1)
    with db.transaction(ACTOR) as session:
        service.correct_quote(
            session, W05, "OTHER1", service.QuoteIn("EUR", "20GP", Decimal("3000")), actor=ACTOR
        )
        changes = service.restate(session, W05, "OTHER1 keyed a 40GP rate", actor=ACTOR)
        old = {c.series: (c.old_value, c.new_value) for c in changes}
    page = client.get("/en/indices").text
    assert "This release was restated." in page and "OTHER1 keyed a 40GP rate" in page
    found = re.findall(r"<tr><th scope=\"row\">2018-W05</th><td>[^<]*<code>(\w+)</code>", page)
    assert set(found) == set(old)
    for before, now in old.values():
        assert f"<del>{format_number(before, 'en', 2)}</del>" in page
        assert f"<ins>{format_number(now, 'en', 2)}</ins>" in page


# --- the methodology ----------------------------------------------------------------------------


def test_the_methodology_page_is_the_configuration(client: TestClient) -> None:
    page = client.get("/en/indices/methodology")
    assert page.status_code == 200 and '<html lang="en">' in page.text
    text = page.text
    assert M.fingerprint in text and f"version {M.version}" in text
    assert [r[:3] for r in table_rows(text, "table-routes")] == [
        [r.code, r.name.en, r.destination] for r in M.routes
    ]
    assert [r[:3] for r in table_rows(text, "table-containers")] == [
        [c.code, c.name.en, str(c.teu)] for c in M.containers
    ]
    assert table_rows(text, "table-surcharges") == [
        [code, M.surcharge_names[code].en, "Included"] for code in M.included
    ] + [[code, M.surcharge_names[code].en, "Excluded"] for code in M.excluded]
    for basket in M.baskets:
        rows = table_rows(text, f"table-basket-{basket.version}")
        # "Europe (base ports) EUR", "East Africa EAF new": the code is the last in capitals.
        assert [re.findall(r"\b[A-Z]{2,5}\b", r[0])[-1] for r in rows] == list(basket.weights)
        assert [r[1] for r in rows] == [
            f"{format_number(w * 100, 'en', 1)}%" for w in basket.weights.values()
        ]
        assert f"Basket {basket.version}, from {basket.effective.code}" in text
    assert "Routes added: EAF, RUFE." in text
    # Cleaning and validation, with their parameters.
    c = M.cleaning
    params = re.search(r'id="cleaning-parameters">(.*?)</dl>', text, re.S)[1]  # type: ignore[index]
    for name in ("mad_k", "trim", "member_cap", "min_members", "min_for_outliers"):
        assert re.search(rf"<dt>{name}</dt><dd>{getattr(c, name)}</dd>", params), name
    assert f"than {c.mad_k} scaled median absolute deviations" in text
    assert "highest 10% of the quotes" in text and "fewer than 3 members" in text
    assert "Between 50 and 30,000 USD per container" in text and "More than 50% away" in text
    assert "Friday 16:00" in text and "Thursday 17:00" in text and "Asia/Shanghai" in text
    assert "No basket change has been linked" in text  # nothing released yet
    zh = client.get("/zh/indices/methodology").text
    assert '<html lang="zh-CN">' in zh and "燃油附加费" in zh and "星期五 16:00" in zh
    assert [r[0] for r in table_rows(zh, "table-routes")] == [r.code for r in M.routes]


def test_the_chain_links_of_the_demo_are_published_with_their_week(demo_hub: DemoHub) -> None:
    settings = Settings(data_dir=demo_hub.data_dir, secret_key="test-secret-key-not-for-production")
    app = create_app(settings, db=demo_hub.db)
    link_week = IsoWeek(2019, 26)
    with demo_hub.db.reading() as session:
        (link,) = service.history(session, link_week).links
    with TestClient(app) as c:
        rows = table_rows(c.get("/en/indices/methodology").text, "table-links")
        assert rows == [
            [
                "2019-W26",
                "2",
                format_number(link.composite_factor, "en", 6),
                "East Africa EAF , Russian Far East RUFE",
                "—",
            ]
        ]
        assert link.added == ("EAF", "RUFE") and rows[0][2] == "1.004248"
        # Before the link week was released, no link was public.
        app.state.clock = lambda: release_time(M, link_week) - timedelta(seconds=1)
        before = c.get("/en/indices/methodology").text
        assert 'id="table-links"' not in before and "1.004248" not in before
        app.state.clock = lambda: release_time(M, link_week)
        assert "1.004248" in c.get("/en/indices/methodology").text
        del app.state.clock
        # The demonstration hub says so on the index page, and shows every released week.
        page = c.get("/zh/indices").text
        assert "演示数据（合成）" in page
        assert len(chart_data(page)["weeks"]) == 154 and "2019-W40" in page


# --- the panel member's page --------------------------------------------------------------------


def test_a_member_submits_on_its_page(
    client: TestClient, db: Database, people: dict[Role, Person], panel: list[str], clock: Clock
) -> None:
    clock.now = during(W07)
    as_person(client, people[Role.PANELIST])
    page = client.get("/zh/indices/submit").text
    assert "本周：2018-W07" in page and 'id="window-state">开放中' in page
    assert "<code>TEST</code>" in page
    # One labelled input per route and container type.
    fields = re.findall(r'<input id="(q-[A-Z]+-\w+)" name="\1"', page)
    assert len(fields) == len(M.routes) * len(M.containers)
    for f in fields:
        assert f'<label class="visually-hidden" for="{f}">' in page
    url = "/zh/indices/submit"
    # A slip: nothing saved, the problem named by its cell, the amounts kept in the form.
    bad = post_form(client, url, url, {"q-EUR-20GP": "1600", "q-MEDW-40HQ": "2l00"})
    assert bad.status_code == 422
    assert table_rows(bad.text, "problems") == [["MEDW 40HQ", "运价不是数字。", "2l00"]]
    assert 'value="2l00"' in bad.text
    implausible = post_form(client, url, url, {"q-EUR-20GP": "5"})
    assert implausible.status_code == 422
    assert table_rows(implausible.text, "problems")[0][0] == "EUR 20GP amount"
    with db.reading() as session:
        assert (
            session.scalars(select(FreightQuote).where(FreightQuote.week == "2018-W07")).all() == []
        )
    # Saved, with the warning of a large jump on its own quote of the week before (1050).
    made = post_form(client, url, url, {"q-EUR-20GP": "1600", "q-MEDW-40HQ": "2000"})
    assert made.status_code == 200, made.text
    assert 'id="saved">已保存2018-W07的2条报价。' in made.text
    warnings = re.search(r'<ul id="warnings">(.*?)</ul>', made.text, re.S)[1]  # type: ignore[index]
    assert "EUR 20GP" in warnings and "52%" in warnings and "MEDW" not in warnings
    with db.reading() as session:
        member = session.scalars(
            select(service.PanelMember).where(service.PanelMember.code == "TEST")
        ).one()
        mine = service.quotes_of(session, member, W07)
    assert {(q.route, q.container, q.amount, q.source) for q in mine} == {
        ("EUR", "20GP", Decimal("1600.00"), "form"),
        ("MEDW", "40HQ", Decimal("2000.00"), "form"),
    }
    own = table_rows(made.text, "own-quotes")
    assert sorted((r[0], r[1], r[2], r[5]) for r in own) == [
        ("EUR", "20GP", "1600.00 USD", "有效"),
        ("MEDW", "40HQ", "2000.00 USD", "有效"),
    ]
    assert 'id="q-EUR-20GP-now">现报 1600.00<' in made.text
    # A CSV file: saved as a whole, or every problem by row.
    upload = "/zh/indices/submit/upload"
    page = client.get(url, headers=HTML).text
    broken = client.post(
        upload,
        data={"csrf_token": csrf_from(page)},
        files={"file": ("q.csv", b"route,container,amount\nEUR,40GP,abc\n", "text/csv")},
    )
    assert broken.status_code == 422 and "运价不是数字。" in broken.text
    saved = client.post(
        upload,
        data={"csrf_token": csrf_from(page)},
        files={"file": ("q.csv", b"route,container,amount\nEUR,40GP,1900\n", "text/csv")},
    )
    assert saved.status_code == 200 and "已保存2018-W07的1条报价。" in saved.text
    # Withdrawing its own quote.
    quote = next(q for q in mine if q.route == "MEDW")
    gone = post_form(client, url, f"/zh/indices/submit/quotes/{quote.id}/withdraw", {})
    assert gone.status_code == 200 and "已撤回报价：MEDW 40HQ 2000.00" in gone.text
    with db.reading() as session:
        assert session.get(FreightQuote, quote.id).withdrawn_at is not None  # type: ignore[union-attr]
    # No CSRF token, nothing written.
    forged = client.post(url, data={"q-EUR-40HQ": "1900"}, headers=HTML)
    assert forged.status_code == 403
    # Late: refused with the service's message; the form is disabled.
    clock.now = window(M, W07)[1]
    late = post_form(client, url, url, {"q-EUR-40HQ": "1900"})
    assert late.status_code == 409
    assert (
        "2018-W07 的报价窗口已于 2018-02-15 17:00（Asia/Shanghai）关闭，迟交的报价不予接受。"
        in late.text
    )
    assert "已关闭" in late.text and 'name="q-EUR-40HQ" type="text"' in late.text
    with db.reading() as session:
        quotes = session.scalars(select(FreightQuote).where(FreightQuote.week == "2018-W07")).all()
    assert len(quotes) == 3  # the two of the form and the one of the file
    english = client.get("/en/indices/submit").text
    assert "Closed: late quotes are refused" in english


def test_the_submission_page_is_for_panel_members(
    client: TestClient, people: dict[Role, Person], clock: Clock
) -> None:
    clock.now = during(W07)
    assert client.get("/zh/indices/submit", headers=HTML, follow_redirects=False).status_code == 303
    for role in (Role.ANALYST, Role.INDEX_COMPILER, Role.EDITOR):
        as_person(client, people[role])
        assert client.get("/zh/indices/submit", headers=HTML).status_code == 403
    # An admin may look, but its organisation is not on the panel: no form.
    as_person(client, people[Role.ADMIN])
    page = html.unescape(client.get("/en/indices/submit").text)
    assert "not on the freight index's panel" in page and 'id="quote-grid"' not in page


# --- the compiler's console -----------------------------------------------------------------------


def test_the_console_previews_approves_corrects_and_restates(
    client: TestClient, db: Database, people: dict[Role, Person], panel: list[str], clock: Clock
) -> None:
    approve(db, W04)
    clock.now = during(W05)
    as_person(client, people[Role.INDEX_COMPILER])
    url = "/zh/indices/console"
    # By default the latest week with quotes.
    page = client.get(url).text
    assert '<h2 id="week-title">2018-W06' in page
    page = client.get(url, params={"week": "2018-W05"}).text
    # Quotes received: three members on every route and container type of the basket.
    received = table_rows(page, "table-received")
    assert [r[0].split()[-1] for r in received] == [r.code for r in M.routes]
    by_route = {r[0].split()[-1]: r[1:] for r in received}
    assert all(by_route[code] == ["3", "3", "3", "3"] for code in ROUTES)
    assert by_route["EAF"] == ["0", "0", "0", "0"]
    # The preview is the service's.
    with db.reading() as session:
        preview = service.preview(session, W05)
    assert f'id="preview-composite">{published(preview.composite)}<' in page
    assert [r[:2] for r in table_rows(page, "table-preview")] == [
        [f"{M.route(code).name.zh} {code}", str(published(r.index))]
        for code, r in preview.routes.items()
    ]
    assert len(table_rows(page, "table-cleaning")) == len(ROUTES) * 3
    # Approving while the window is open: the service's conflict.
    early = post_form(client, url, f"{url}/approve", {"week": "2018-W05"})
    assert early.status_code == 409 and "之后才能批准" in early.text
    clock.now = after(W05)
    done = post_form(client, url, f"{url}/approve", {"week": "2018-W05"})
    assert done.status_code == 200, done.text
    assert "2018-W05 已批准，将于 2018年2月2日 周五 16:00 发布。" in done.text
    releases = table_rows(done.text, "table-releases")
    assert releases[0][:2] == ["2018-W05", "保密中"] and releases[1][:2] == ["2018-W04", "已发布"]
    again = post_form(client, url, f"{url}/approve", {"week": "2018-W05"})
    assert again.status_code == 409 and "2018-W05 已批准；更改请走更正流程。" in again.text
    # A correction, then a restatement with its reason.
    fixed = post_form(
        client,
        url,
        f"{url}/corrections",
        {
            "week": "2018-W05",
            "member": "other1",
            "route": "EUR",
            "container": "20GP",
            "amount": "3000",
        },
    )
    assert fixed.status_code == 200 and "已记录对 OTHER1" in fixed.text
    unknown = post_form(
        client,
        url,
        f"{url}/corrections",
        {
            "week": "2018-W05",
            "member": "NOBODY",
            "route": "EUR",
            "container": "20GP",
            "amount": "3000",
        },
    )
    assert unknown.status_code == 404 and "没有报价机构 NOBODY" in unknown.text
    no_reason = post_form(client, url, f"{url}/restate", {"week": "2018-W05", "reason": " "})
    assert no_reason.status_code == 422 and "更正须说明理由" in no_reason.text
    restated = post_form(
        client, url, f"{url}/restate", {"week": "2018-W05", "reason": "OTHER1 的 20GP 录入有误"}
    )
    assert restated.status_code == 200 and "已更正 2018-W05 起 1 期发布中的" in restated.text
    with db.reading() as session:
        changes = session.scalars(select(FreightRestatement)).all()
    assert {c.series for c in changes} >= {"EUR", COMPOSITE}
    made = table_rows(restated.text, "table-restatements")
    assert {r[1] for r in made} == {c.series for c in changes}
    assert all(r[0] == "2018-W05" and r[6] == "OTHER1 的 20GP 录入有误" for r in made)
    # Not a compiler: refused, and nothing approved.
    for role in (Role.PANELIST, Role.ANALYST):
        as_person(client, people[role])
        assert client.get(url, headers=HTML).status_code == 403
        page = client.get("/zh/login", headers=HTML).text
        refused = client.post(
            f"{url}/approve",
            data={"csrf_token": csrf_from(page), "week": "2018-W06"},
            headers=HTML,
        )
        assert refused.status_code == 403
    client.cookies.clear()
    assert client.get(url, headers=HTML, follow_redirects=False).status_code == 303
    # A compiler's form without its CSRF token writes nothing.
    as_person(client, people[Role.INDEX_COMPILER])
    clock.now = after(W06)
    forged = client.post(f"{url}/approve", data={"week": "2018-W06"}, headers=HTML)
    assert forged.status_code == 403
    with db.reading() as session:
        weeks = session.scalars(select(FreightRelease.week).order_by(FreightRelease.week)).all()
    assert weeks == ["2018-W04", "2018-W05"]


# --- the embargo ----------------------------------------------------------------------------------


def _page_routes(app: FastAPI) -> list[str]:
    return [p for m, p in app_routes(app) if m == "GET" and p.startswith("/{lang}/indices")]


def _spellings(value: Decimal) -> set[str]:
    """Every way a page may print a figure: "1049.50", "1,049.50", and 1049.5 in JSON."""
    return {
        f"{value}",
        format_number(value, "en", 2),
        repr(float(value)),
    }


#: Who may see an approved week before its release (an admin holds every role).
COMPILERS = (Role.INDEX_COMPILER.value, Role.ADMIN.value)
SUBMITTERS = (Role.PANELIST.value, Role.ADMIN.value)


def test_the_embargo_holds_on_every_page_for_every_reader(
    app: FastAPI,
    client: TestClient,
    db: Database,
    people: dict[Role, Person],
    panel: list[str],
    clock: Clock,
) -> None:
    approve(db, W04, W05, W06)
    # Thursday 17:01 in Ningbo: week 6 is approved, its release is Friday 16:00.
    clock.now = after(W06)
    secret = "2018-W06"
    with db.reading() as session:
        views = freight_reads.release_views(session, now=clock.now, compiler=True)
    assert [(v.week, v.released) for v in views] == [
        ("2018-W04", True),
        ("2018-W05", True),
        (secret, False),
    ]
    values = {v.value for v in views[-1].values}
    earlier = {v.value for view in views[:-1] for v in view.values}
    assert values and not values & earlier  # the week's figures are all new numbers
    spellings = {s for v in values for s in _spellings(v)}
    routes = _page_routes(app)
    assert set(routes) >= {
        "/{lang}/indices",
        "/{lang}/indices/methodology",
        "/{lang}/indices/submit",
        "/{lang}/indices/console",
    }
    # Every reader signed in to the portal, and again calling with an API token.
    readers: list[tuple[str, Person | None, dict[str, str]]] = [("anonymous", None, HTML)]
    for role, person in people.items():
        readers.append((role.value, person, HTML))
        readers.append((role.value, None, {**HTML, **as_token(person)}))
    for name, person, headers in readers:
        as_person(client, person)
        seen_by_reader = []
        for path in routes:
            for lang in ("zh", "en"):
                for params in ({}, {"route": "EUR"}, {"week": secret}):
                    url = path.replace("{lang}", lang)
                    response = client.get(url, params=params, headers=headers)
                    assert response.status_code < 500, (name, path, response.text)
                    # The page links to itself in the other language with the reader's own
                    # query: an echo of what was asked, not something the page knows.
                    text = response.text.replace(f"week={secret}", "week=…")
                    seen_by_reader.append(response.text)
                    if path.endswith("/console") and name in COMPILERS:
                        continue  # the console: where compilers see a week before its release
                    leaked = [s for s in spellings if s in text]
                    assert not leaked, f"{name} saw embargoed figures {leaked} at {path} {params}"
                    # The submission page names the week it takes quotes for (to the panel
                    # members, and admins, who may open it); no other page names the week
                    # being embargoed.
                    if not (path.endswith("/submit") and name in SUBMITTERS):
                        assert secret not in text, f"{name} saw {secret} at {path} {params}"
        if name in COMPILERS:
            # The console shows them the approved figures, marked as under embargo; the
            # public pages show them what the public sees.
            everything = "\n".join(seen_by_reader)
            assert all(any(s in everything for s in _spellings(v)) for v in values)
            assert "保密中" in everything and secret in everything
    # The home page's card of the index is public too.
    request = Request(
        {"type": "http", "app": app, "path": "/zh/", "headers": [], "query_string": b""}
    )
    card = pages.home_card(request)
    assert card is not None and "2018-W05" in card["lines"][0] and secret not in card["lines"][0]
    client.cookies.clear()
    home = client.get("/zh/").text
    assert "2018-W05" in home and secret not in home and "1049.50" not in home
    # From the release time on, everyone sees it.
    clock.now = release_time(M, W06)
    client.cookies.clear()
    page = client.get("/zh/indices").text
    assert "最新发布：2018-W06" in page and "1049.50" in page
    card = pages.home_card(request)
    assert card is not None and card["lines"][0].endswith("（2018-W06）：1049.50，+4.95%")
    assert card["lines"][0] in client.get("/zh/").text


def test_pages_answer_in_both_languages_with_the_same_figures(
    client: TestClient, db: Database, panel: list[str], clock: Clock
) -> None:
    approve(db, W04, W05, W06)
    clock.now = release_time(M, W06)
    zh = table_rows(client.get("/zh/indices").text, "table-latest")
    en = table_rows(client.get("/en/indices").text, "table-latest")
    assert [r[1].replace(",", "") for r in en] == [r[1] for r in zh]
    assert [r[3] for r in en] == [r[3] for r in zh]


@pytest.mark.parametrize("path", ["/xx/indices", "/xx/indices/methodology"])
def test_only_the_portal_languages_exist(client: TestClient, path: str) -> None:
    assert client.get(path, headers=HTML).status_code == 404
