"""The alerts' portal pages as people meet them: the list and its filters, an item with its
versions, the bulletins, the inbox and its read receipt, subscriptions, the desk's workflow
from a draft to a subscriber's inbox, the delivery log and coverage, the coverage of a
period; and the confidentiality test carried to the pages: every GET page route as the
public, an enterprise, a department and staff, for items and bulletins of every
confidentiality.

Real SQLite stores (the fixtures of ``tests/alerts/conftest.py``); people sign in with portal
sessions and post the pages' own forms with their CSRF tokens."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from silkhub.accounts import service as accounts
from silkhub.accounts.models import User
from silkhub.accounts.service import Principal
from silkhub.alerts import attachments, audience, bulletins, coverage, inbox, service
from silkhub.alerts.models import AlertItem, Delivery, DeliveryStatus, ItemStatus
from silkhub.alerts.pages_common import HUB_ZONE
from silkhub.alerts.pages_public import PAGE_SIZE
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.app import create_app
from silkhub.web.security import SESSION_COOKIE, resolve_principal
from tests.alerts.conftest import Cast, alert_data
from tests.conftest import DemoHub
from tests.web.conftest import csrf_from
from tests.web.test_access_matrix import app_routes

HTML = {"accept": "text/html"}
NOW = datetime(2020, 5, 6, 2, 0, tzinfo=UTC)
LEVELS = ("public", "registered", "government")


@pytest.fixture
def app(settings: Settings, store: Database) -> FastAPI:
    return create_app(settings, db=store)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def keys(store: Database, cast: Cast) -> dict[str, str]:
    """A portal session for each person of the cast."""
    out = {}
    with store.transaction() as session:
        for name in ("editor", "approver", "official", "trader", "adviser"):
            principal: Principal = getattr(cast, name)
            out[name] = accounts.start_web_session(session, principal, hours=1)
    return out


def as_(client: TestClient, key: str | None) -> TestClient:
    client.cookies.clear()
    if key is not None:
        client.cookies.set(SESSION_COOKIE, key)
    return client


def post_form(client: TestClient, page_url: str, url: str, data: dict[str, Any], **kw: Any) -> Any:
    """Post a form of a page with that page's CSRF token."""
    page = client.get(page_url, headers=HTML)
    return client.post(
        url,
        data={"csrf_token": csrf_from(page.text), **data},
        headers=HTML,
        follow_redirects=False,
        **kw,
    )


def table_rows(page: str, table_id: str) -> list[list[str]]:
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


def uid_of(cell: str) -> str:
    """The item number in a list's first cell (title, number, symbol...)."""
    found = re.search(r"SH-[A-Z]+-\d{4}-\d{5}", cell)
    assert found, cell
    return found[0]


def publish(
    store: Database, cast: Cast, kind: str = "alert", *, now: datetime = NOW, **overrides: Any
) -> str:
    data = alert_data(**overrides) if kind == "alert" else overrides
    with store.transaction() as s:
        uid = service.create_item(s, cast.editor, kind, data).uid
        service.submit(s, cast.editor, uid)
        service.approve(s, cast.approver, uid)
        service.publish(s, cast.approver, uid, now=now)
    return uid


def bulletin(
    store: Database,
    cast: Cast,
    code: str,
    level: str = "public",
    *,
    subscribers: tuple[Principal, ...] = (),
    **kw: Any,
) -> None:
    """Series ``code`` (with these subscribers) and its issue 1 over the day of NOW,
    published."""
    with store.transaction() as s:
        bulletins.create_series(
            s, code, f"系列{code}", f"Series {code}", confidentiality=level, **kw
        )
        for person in subscribers:
            audience.subscribe(s, person.user_id, {"series": [code]})
        b = bulletins.compile_bulletin(
            s,
            cast.editor,
            code,
            period_from=NOW - timedelta(days=1),
            period_to=NOW + timedelta(days=1),
        )
        bulletins.publish_bulletin(s, cast.editor, b.id, now=NOW)


def page_routes(app: FastAPI) -> set[str]:
    return {p for m, p in app_routes(app) if m == "GET" and p.startswith("/{lang}/alerts")}


# --- the public list ------------------------------------------------------------------------


def test_the_list_filters_pages_and_shows_severity_by_word(
    client: TestClient, store: Database, cast: Cast
) -> None:
    strike = publish(store, cast)
    quake = publish(
        store,
        cast,
        title={"zh": "某国地震", "en": "Earthquake"},
        countries=["Japan"],
        category="natural_disaster",
        severity="red",
    )
    tbt = publish(
        store,
        cast,
        "tbt",
        symbol="G/TBT/N/EU/1001",
        title_en="Toy safety",
        body_en="Toys.",
        hs_codes="9503 950300",
    )
    zh, en = client.get("/zh/alerts"), client.get("/en/alerts")
    assert zh.status_code == en.status_code == 200
    assert '<html lang="zh-CN">' in zh.text and '<html lang="en">' in en.text
    # Newest first; the same items in both languages.
    assert [uid_of(r[0]) for r in table_rows(zh.text, "table-items")] == [tbt, quake, strike]
    assert [uid_of(r[0]) for r in table_rows(en.text, "table-items")] == [tbt, quake, strike]
    # A severity is its colour and its word.
    assert re.search(r'class="severity severity-red">.*?</span>红色</span>', zh.text)
    assert re.search(r'class="severity severity-orange">.*?</span>Orange</span>', en.text)

    def uids(**params: str) -> list[str]:
        page = client.get("/en/alerts", params=params).text
        if 'id="table-items"' not in page:
            return []
        return [uid_of(r[0]) for r in table_rows(page, "table-items")]

    assert uids(kind="tbt") == [tbt]
    assert uids(country="JP") == [quake] and uids(country="日本") == [quake]
    assert uids(category="economic") == [strike]
    assert uids(severity="red") == [quake]
    assert uids(hs="9503") == [tbt] and uids(hs="01") == []
    assert uids(q="Earthquake") == [quake] and uids(q=tbt) == [tbt]
    assert uids(kind="alert", severity="orange") == [strike]
    # A country it does not know: said next to the field, the other filters still apply.
    bad = client.get("/en/alerts", params={"country": "Atlantis", "kind": "tbt"})
    assert bad.status_code == 200
    assert re.search(r'id="country-errors"><li>Unknown country &#39;Atlantis&#39;', bad.text)
    assert 'aria-describedby="country-errors"' in bad.text
    assert [uid_of(r[0]) for r in table_rows(bad.text, "table-items")] == [tbt]
    # The public feed, in the head and on the page.
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Public risk alerts (Atom)" '
        'href="/feeds/alerts.atom">' in en.text
    )
    assert 'href="/feeds/alerts.atom" type="application/atom+xml"' in en.text


def test_the_list_pages(client: TestClient, store: Database, cast: Cast) -> None:
    with store.transaction() as s:
        for i in range(PAGE_SIZE + 1):
            uid = service.create_item(
                s, cast.editor, "news", {"title": {"en": f"News {i}"}, "body": {"en": "."}}
            ).uid
            service.submit(s, cast.editor, uid)
            service.approve(s, cast.approver, uid)
            service.publish(s, cast.approver, uid, now=NOW + timedelta(minutes=i))
    first = client.get("/en/alerts", params={"kind": "news"}).text
    assert len(table_rows(first, "table-items")) == PAGE_SIZE and "Page 1 of 2" in first
    assert 'href="/en/alerts?kind=news&amp;page=2"' in first
    second = client.get("/en/alerts", params={"kind": "news", "page": "2"}).text
    (last,) = table_rows(second, "table-items")
    assert last[0].startswith("News 0 ")  # the oldest


# --- one item -------------------------------------------------------------------------------


def test_an_item_with_its_versions_cap_and_cancellation(
    client: TestClient, store: Database, cast: Cast
) -> None:
    uid = publish(
        store,
        cast,
        body={"zh": "**港口**关闭。<script>alert(1)</script>", "en": "The **port** is shut."},
        sources=[{"name": "Port authority"}],
    )
    first = client.get(f"/en/alerts/{uid}")
    assert first.status_code == 200 and '<html lang="en">' in first.text
    text = first.text
    assert "<strong>port</strong>" in text and "Reschedule sailings." in text
    assert "Expected" in text and "Likely" in text and "Germany" in text
    assert "Economic and financial" in text and "(CAP Severe)" in text
    assert "Port authority" in text
    assert f'href="/api/alerts/items/{uid}/cap.xml?version=1"' in text
    zh = client.get(f"/zh/alerts/{uid}").text
    assert "<strong>港口</strong>" in zh and "<script>alert(1)" not in zh  # no raw HTML
    # CAP's urgency and certainty in the reader's words (the codes stay CAP's in the XML).
    facts = re.search(r'id="item-facts">(.*?)</dl>', zh, re.S)[1]  # type: ignore[index]
    assert "<dd>即将</dd>" in facts and "<dd>很可能</dd>" in facts
    assert "Expected" not in facts and "Likely" not in facts
    assert "2020年5月6日 08:00" in zh  # valid from, in Beijing time
    # An update, then a cancellation with its reason: every version, what changed, why.
    with store.transaction() as s:
        service.edit_item(
            s, cast.editor, uid, alert_data(severity="red"), note="The strike spreads."
        )
        service.submit(s, cast.editor, uid)
        service.approve(s, cast.approver, uid)
        service.publish(s, cast.approver, uid, now=NOW + timedelta(hours=1))
        service.cancel(s, cast.approver, uid, "The strike ended.", now=NOW + timedelta(hours=2))
    page = client.get(f"/en/alerts/{uid}").text
    rows = table_rows(page, "table-versions")
    assert [r[:2] for r in rows] == [["1", "First issue"], ["2", "Update"], ["3", "Cancellation"]]
    assert "severity" in rows[1][3] and "text" in rows[1][3]  # v2 changed the body too
    assert rows[1][4] == "The strike spreads." and rows[2][4] == "The strike ended."
    assert 'id="cancel-reason"' in page and "Cancelled" in page
    assert f"/api/alerts/items/{uid}/cap.xml?version=3" in page
    # Unknown: not found, as a page.
    missing = client.get("/en/alerts/SH-ALERT-2020-99999", headers=HTML)
    assert missing.status_code == 404 and "<html" in missing.text


def test_a_notification_links_its_original_and_demo_items_say_so(
    client: TestClient, store: Database, cast: Cast
) -> None:
    # Both drafted before either is published: see test_a_published_notification_keeps...
    with store.transaction() as s:
        original = service.create_item(
            s,
            cast.editor,
            "tbt",
            {
                "symbol": "G/TBT/N/EU/2000",
                "title_en": "Batteries",
                "body_en": "Batteries regulation.",
                "products": "Batteries",
                "objective": "Protection of the environment",
                "comment_deadline": "2020-07-01",
                "text_url": "https://docs.wto.org/2000.pdf",
            },
        ).uid
        addendum = service.create_item(
            s,
            cast.editor,
            "tbt",
            {
                "symbol": "G/TBT/N/EU/2000/Add.1",
                "title_en": "Batteries, addendum",
                "body_en": "Dates changed.",
            },
        ).uid
        for uid in (original, addendum):
            service.submit(s, cast.editor, uid)
            service.approve(s, cast.approver, uid)
            service.publish(s, cast.approver, uid, now=NOW)
    page = client.get(f"/en/alerts/{addendum}").text
    assert f'<a href="/en/alerts/{original}" id="original-link">' in page
    assert "addendum" in page
    facts = client.get(f"/zh/alerts/{original}").text
    assert "G/TBT/N/EU/2000" in facts and "Protection of the environment" in facts
    assert "2020年7月1日" in facts and "cap.xml" not in facts  # no CAP for notifications
    assert 'id="demo-label"' not in facts
    with store.transaction() as s:
        s.scalars(select(AlertItem).where(AlertItem.uid == original)).one().demo = True
    assert 'id="demo-label"' in client.get(f"/zh/alerts/{original}").text


def test_a_published_notification_is_found_by_its_symbol_and_takes_addenda(
    client: TestClient, store: Database, cast: Cast
) -> None:
    uid = publish(store, cast, "tbt", symbol="G/TBT/N/EU/1001", title_en="Toys", body_en="T.")
    page = client.get("/en/alerts", params={"q": "G/TBT/N/EU/1001"}).text
    assert [uid_of(r[0]) for r in table_rows(page, "table-items")] == [uid]
    later = publish(
        store, cast, "tbt", symbol="G/TBT/N/EU/1001/Add.1", title_en="Toys, again", body_en="A."
    )
    assert f'href="/en/alerts/{uid}" id="original-link"' in client.get(f"/en/alerts/{later}").text


# --- bulletins -------------------------------------------------------------------------------


def test_the_bulletin_archive_and_an_issue(client: TestClient, store: Database, cast: Cast) -> None:
    publish(store, cast)
    bulletin(store, cast, "hotspots")
    archive = client.get("/zh/alerts/bulletins")
    assert archive.status_code == 200 and '<html lang="zh-CN">' in archive.text
    (row,) = table_rows(archive.text, "table-series-hotspots")
    assert row[0] == "1" and row[1] == "系列hotspots（第1期）" and row[3] == "1"
    issue = client.get("/en/alerts/bulletins/hotspots/1")
    assert issue.status_code == 200 and '<html lang="en">' in issue.text
    assert '<article class="bulletin" lang="en">' in issue.text
    assert "Series hotspots, issue 1" in issue.text and "Dock workers strike" in issue.text
    assert 'href="/api/alerts/bulletins/hotspots/1?format=pdf&amp;lang=en"' in issue.text
    pdf = client.get("/api/alerts/bulletins/hotspots/1?format=pdf&lang=en")
    assert pdf.headers["content-type"] == "application/pdf"
    css = client.get("/static/css/silkhub.css").text
    assert ".bulletin-body .bulletin section { page-break-inside: avoid; }" in css
    assert client.get("/en/alerts/bulletins/hotspots/2", headers=HTML).status_code == 404


# --- the inbox --------------------------------------------------------------------------------


def test_opening_an_inbox_entry_marks_it_read(
    client: TestClient, store: Database, cast: Cast, keys: dict[str, str]
) -> None:
    with store.transaction() as s:
        audience.subscribe(s, cast.trader.user_id, {})
    first = publish(store, cast, title={"zh": "第一条", "en": "First"})
    second = publish(store, cast, title={"zh": "第二条", "en": "Second"})
    as_(client, keys["trader"])
    page = client.get("/en/alerts/inbox")
    assert page.status_code == 200 and 'id="unread-count">2 unread' in page.text
    rows = table_rows(page.text, "table-inbox")
    assert [(r[0], r[1]) for r in rows] == [("Unread", "Second"), ("Unread", "First")]
    with store.reading() as s:
        delivery = s.scalars(
            select(Delivery).where(
                Delivery.user_id == cast.trader.user_id, Delivery.channel == "inbox"
            )
        ).all()
    by_uid = {}
    with store.reading() as s:
        for d in delivery:
            by_uid[s.get(AlertItem, d.item_id).uid] = d.id  # type: ignore[union-attr]
    opened = post_form(client, "/en/alerts/inbox", f"/en/alerts/inbox/{by_uid[first]}/open", {})
    assert opened.status_code == 303 and opened.headers["location"] == f"/en/alerts/{first}"
    with store.reading() as s:
        read = s.get(Delivery, by_uid[first])
        assert read is not None and read.status == DeliveryStatus.READ and read.read_at
    rows = table_rows(client.get("/en/alerts/inbox").text, "table-inbox")
    assert rows[0][:2] == ["Unread", "Second"] and rows[1][0].startswith("Read ")
    # Without the form's token nothing is marked; another person's entry is not theirs.
    forged = client.post(f"/en/alerts/inbox/{by_uid[second]}/open", headers=HTML)
    assert forged.status_code == 403
    as_(client, keys["official"])
    other = post_form(client, "/en/alerts/inbox", f"/en/alerts/inbox/{by_uid[second]}/open", {})
    assert other.status_code == 404
    with store.reading() as s:
        assert s.get(Delivery, by_uid[second]).read_at is None  # type: ignore[union-attr]
    # Signed out: to the sign-in page.
    as_(client, None)
    away = client.get("/en/alerts/inbox", headers=HTML, follow_redirects=False)
    assert away.status_code == 303 and "/en/login?next=" in away.headers["location"]


# --- subscriptions ----------------------------------------------------------------------------


def test_the_subscription_form_reports_each_problem_next_to_its_field(
    client: TestClient, store: Database, cast: Cast, keys: dict[str, str]
) -> None:
    as_(client, keys["trader"])
    url = "/zh/alerts/subscriptions"
    bad = post_form(client, url, url, {"countries": "德国, Atlantis", "hs_prefixes": "9x"})
    assert bad.status_code == 422
    errors = re.search(r'<ul class="field-errors" id="countries-errors">(.*?)</ul>', bad.text)
    assert errors and "无法识别国家“Atlantis”。" in html.unescape(errors[1])
    assert 'id="s-countries" name="countries" type="text" value="德国, Atlantis"' in bad.text
    assert "HS 编码前缀为 2 至 10 位数字。" in html.unescape(
        re.search(r'id="hs_prefixes-errors">(.*?)</ul>', bad.text)[1]  # type: ignore[index]
    )
    english = post_form(
        client, "/en/alerts/subscriptions", "/en/alerts/subscriptions", {"countries": "Atlantis"}
    )
    assert "Unknown country &#39;Atlantis&#39;." in english.text
    with store.reading() as s:
        assert audience.subscriptions_of(s, cast.trader.user_id) == []
    # A good one, then removed.
    made = post_form(
        client,
        url,
        url,
        {"countries": "德国, United Kingdom", "kinds": ["alert", "tbt"], "min_severity": "yellow"},
    )
    assert made.status_code == 200 and "已添加订阅。" in made.text
    (row,) = table_rows(made.text, "table-subscriptions")
    assert row[0] == "风险提示、TBT 通报" and row[1] == "德国、英国" and row[3] == "黄色"
    with store.reading() as s:
        (sub,) = audience.subscriptions_of(s, cast.trader.user_id)
        assert sub.countries == "DE GB" and sub.min_severity == "yellow"
    gone = post_form(client, url, f"/zh/alerts/subscriptions/{sub.id}/remove", {})
    assert gone.status_code == 200 and 'id="no-subscriptions"' in gone.text


def test_preferences_webhook_secret_once_and_the_private_feed(
    client: TestClient, store: Database, cast: Cast, keys: dict[str, str]
) -> None:
    as_(client, keys["trader"])
    url = "/en/alerts/subscriptions"
    prefs = f"{url}/preferences"
    # The webhook channel without an address: said next to the address field.
    bad = post_form(client, url, prefs, {"channels": ["email", "webhook"], "digest_hour": "8"})
    assert bad.status_code == 422
    assert (
        "The webhook channel needs a URL."
        in re.search(  # type: ignore[index]
            r'id="webhook_url-errors">(.*?)</ul>', bad.text
        )[1]
    )
    hook = {
        "channels": ["inbox", "webhook"],
        "webhook_url": "https://receiver.example/hook",
        "language": "en",
        "digest": "on",
        "digest_hour": "18",
    }
    saved = post_form(client, url, prefs, hook)
    assert saved.status_code == 200
    secret = re.search(r'id="webhook-secret">([0-9a-f]{64})<', saved.text)
    with store.reading() as s:
        sub = audience.subscriber_of(s, cast.trader.user_id)
        assert secret and sub.webhook_secret == secret[1]
        assert sub.digest and sub.digest_hour == 18 and sub.channels == "inbox webhook"
    again = post_form(client, url, prefs, hook)
    assert 'id="webhook-secret"' not in again.text  # shown once, when it is made
    assert '<option value="18" selected>18:00</option>' in again.text
    # The private feed: made (its address shown once), working, revoked.
    made = post_form(client, url, f"{url}/feed", {})
    address = re.search(r'id="feed-url">[^<]*(/feeds/private/[^<]+\.atom)<', made.text)
    assert address, made.text
    assert client.get(address[1]).status_code == 200
    assert "You have a private feed address." in client.get(url).text
    post_form(client, url, f"{url}/feed/revoke", {})
    assert client.get(address[1]).status_code == 404


# --- the desk ----------------------------------------------------------------------------------


def test_an_editor_drafts_an_approver_publishes_and_a_subscriber_finds_it(
    client: TestClient, store: Database, cast: Cast, keys: dict[str, str]
) -> None:
    # The trader subscribes on their page.
    as_(client, keys["trader"])
    subs = "/zh/alerts/subscriptions"
    assert post_form(client, subs, subs, {"countries": "Germany"}).status_code == 200
    # The editor writes a draft on the desk; a missing field is said next to it.
    as_(client, keys["editor"])
    desk = "/en/alerts/desk"
    form = {
        "kind": "alert",
        "title_zh": "汉堡港罢工",
        "title_en": "Hamburg port strike",
        "body_en": "Dock workers **strike**.",
        "countries": "Germany",
        "category": "economic",
        "urgency": "Expected",
        "certainty": "Likely",
        "valid_from": "2020-05-06T08:00",
    }
    missing = post_form(client, desk, f"{desk}/items", form)
    assert missing.status_code == 422
    assert (
        "An alert needs a severity."
        in re.search(  # type: ignore[index]
            r'id="severity-errors">(.*?)</ul>', missing.text
        )[1]
    )
    assert 'value="Hamburg port strike"' in missing.text  # what was typed stays
    made = post_form(client, desk, f"{desk}/items", {**form, "severity": "orange"})
    assert made.status_code == 200, made.text
    uid = re.search(r"Draft (SH-ALERT-\d{4}-\d{5}) saved\.", made.text)[1]  # type: ignore[index]
    with store.reading() as s:
        item = s.scalars(select(AlertItem).where(AlertItem.uid == uid)).one()
        assert item.valid_from == datetime(2020, 5, 6, 0, 0, tzinfo=UTC)  # Beijing 08:00
        assert item.status == ItemStatus.DRAFT
    # The editor may not approve: the service's refusal, on the desk.
    submitted = post_form(client, desk, f"{desk}/items/{uid}/submit", {})
    assert submitted.status_code == 200 and f"{uid} is submitted for approval." in submitted.text
    (waiting,) = table_rows(submitted.text, "table-submitted")
    assert uid in waiting[0] and waiting[4] == "Waiting for an approver"  # no button of theirs
    refused = post_form(client, desk, f"{desk}/items/{uid}/approve", {})
    assert refused.status_code == 403
    assert "This needs one of these roles: approver." in refused.text
    assert 'id="desk-error"' in refused.text
    # The approver approves and publishes through the desk's forms.
    as_(client, keys["approver"])
    page = client.get(desk).text
    assert f'action="/en/alerts/desk/items/{uid}/approve"' in page
    assert post_form(client, desk, f"{desk}/items/{uid}/approve", {}).status_code == 200
    done = post_form(client, desk, f"{desk}/items/{uid}/publish", {"at": ""})
    assert done.status_code == 200 and f"{uid} is published" in done.text
    assert uid in str(table_rows(done.text, "table-published"))
    # The subscriber finds it in the inbox page.
    as_(client, keys["trader"])
    inbox = client.get("/zh/alerts/inbox").text
    assert table_rows(inbox, "table-inbox")[0][:2] == ["未读", "汉堡港罢工"]
    assert re.search(r'class="severity severity-orange">.*?</span>橙色</span>', inbox)


def test_the_desks_problems_name_the_fields_as_the_form_does(
    client: TestClient, cast: Cast, keys: dict[str, str]
) -> None:
    """The list above the desk names each field by its label in the reader's language (not
    its code, ``category``), as a link that takes the keyboard to the field."""
    as_(client, keys["editor"])
    desk = "/zh/alerts/desk"
    refused = post_form(
        client, desk, f"{desk}/items", {"kind": "alert", "title_zh": "罢工", "hs_codes": "abc"}
    )
    assert refused.status_code == 422
    summary = re.search(r'id="desk-error">(.*?)</div>', refused.text, re.S)[1]  # type: ignore[index]
    links = dict(re.findall(r'<li><a href="#(i-[a-z_]+)">([^<]+)</a>：', summary))
    options = re.search(r'<select id="i-urgency"[^>]*>(.*?)</select>', refused.text, re.S)
    assert options and '<option value="Expected">即将</option>' in options[1]
    assert links == {
        "i-body_zh": "正文（中文或英文）",
        "i-countries": "国家（名称或代码，以逗号分隔）",
        "i-category": "类别",
        "i-severity": "级别",
        "i-hs_codes": "HS 编码",
    }
    for target in links:
        assert f'id="{target}"' in refused.text  # each link has its field on the page
    assert "<strong>category</strong>" not in summary and "category:" not in summary
    english = post_form(client, "/en/alerts/desk", "/en/alerts/desk/items", {"kind": "alert"})
    assert '<a href="#i-category">Category</a>: An alert needs a category.' in english.text


def test_desk_reject_schedule_cancel_and_edit(
    client: TestClient, store: Database, cast: Cast, keys: dict[str, str]
) -> None:
    with store.transaction() as s:
        uid = service.create_item(s, cast.editor, "alert", alert_data()).uid
        service.submit(s, cast.editor, uid)
    as_(client, keys["approver"])
    desk = "/zh/alerts/desk"
    no_reason = post_form(client, desk, f"{desk}/items/{uid}/reject", {"reason": ""})
    assert no_reason.status_code == 422 and "退回须说明理由。" in no_reason.text
    back = post_form(client, desk, f"{desk}/items/{uid}/reject", {"reason": "缺少来源"})
    assert back.status_code == 200 and f"{uid} 已退回作者。" in back.text
    with store.transaction() as s:
        assert s.scalars(select(AlertItem).where(AlertItem.uid == uid)).one().status == "draft"
        service.submit(s, cast.editor, uid)
        service.approve(s, cast.approver, uid)
    later = datetime.now(UTC) + timedelta(days=30)
    at = later.astimezone(HUB_ZONE).strftime("%Y-%m-%dT%H:%M")
    scheduled = post_form(client, desk, f"{desk}/items/{uid}/publish", {"at": at})
    assert scheduled.status_code == 200 and f"{uid} 将于" in scheduled.text
    assert uid in str(table_rows(scheduled.text, "table-approved"))
    stopped = post_form(client, desk, f"{desk}/items/{uid}/cancel", {"reason": "改期"})
    assert stopped.status_code == 200
    with store.reading() as s:
        assert s.scalars(select(AlertItem).where(AlertItem.uid == uid)).one().status == "approved"
    post_form(client, desk, f"{desk}/items/{uid}/publish", {})
    # The editor edits the published item: a new version, the form filled from the item.
    as_(client, keys["editor"])
    edit = client.get(desk, params={"edit": uid}).text
    assert 'value="某国港口罢工"' in edit and 'value="2020-05-06T08:00"' in edit
    assert '<option value="orange" selected>' in edit
    changed = post_form(
        client,
        f"{desk}?edit={uid}",
        f"{desk}/items/{uid}",
        {
            "title_zh": "某国港口罢工扩大",
            "body_zh": "扩大。",
            "countries": "DE",
            "category": "economic",
            "severity": "red",
            "note": "罢工扩大",
        },
    )
    assert changed.status_code == 200 and f"已保存 {uid} 第 2 版。" in changed.text
    # Readers keep seeing the published version until the new one is published.
    as_(client, None)
    assert "某国港口罢工扩大" not in client.get(f"/zh/alerts/{uid}").text
    as_(client, keys["editor"])
    assert 'value="某国港口罢工扩大"' in client.get(desk, params={"edit": uid}).text


def test_the_import_reports_every_problem_as_a_table(
    client: TestClient, store: Database, keys: dict[str, str]
) -> None:
    as_(client, keys["editor"])
    desk = "/en/alerts/desk"
    page = client.get(desk).text
    broken = (
        b"symbol,title_en,hs_codes,comment_deadline\n"
        b"G/TBT/N/EU/3000,Toys,9503,2020-07-01\n"
        b"G/TBT/N/XX,Bad,12ab,tomorrow\n"
    )
    answer = client.post(
        f"{desk}/import",
        data={"csrf_token": csrf_from(page)},
        files={"file": ("notices.csv", broken, "text/csv")},
        headers=HTML,
    )
    assert answer.status_code == 422
    rows = table_rows(answer.text, "import-problems")
    assert {(r[0], r[1], r[2]) for r in rows} >= {
        ("notices.csv", "3", "symbol"),
        ("notices.csv", "3", "hs_codes[0]"),
        ("notices.csv", "3", "comment_deadline"),
    }
    with store.reading() as s:
        assert s.scalars(select(AlertItem)).all() == []  # all or nothing
    good = client.post(
        f"{desk}/import",
        data={"csrf_token": csrf_from(page)},
        files={"file": ("notices.csv", broken.rsplit(b"\n", 2)[0] + b"\n", "text/csv")},
        headers=HTML,
    )
    assert good.status_code == 200 and "1 notification draft(s) imported" in good.text


def test_the_delivery_log_coverage_and_resend_to_the_failed(
    client: TestClient, store: Database, cast: Cast, keys: dict[str, str]
) -> None:
    with store.transaction() as s:
        audience.define_target_list(
            s, "everyone-dept", "部门", "Departments", rule={"kind": "department"}
        )
        audience.define_target_list(
            s, "firms", "企业", "Firms", members=[cast.orgs["enterprise"], cast.orgs["agency"]]
        )
        audience.subscribe(s, cast.official.user_id, {})
        audience.subscribe(s, cast.trader.user_id, {})
    uid = publish(store, cast, target_lists=["everyone-dept", "firms"])
    with store.transaction() as s:
        # The trader's e-mail failed for good.
        d = s.scalars(
            select(Delivery).where(
                Delivery.user_id == cast.trader.user_id, Delivery.channel == "email"
            )
        ).one()
        d.status, d.last_error, d.attempts = DeliveryStatus.DEAD.value, "550 no such user", 1
        # and the trader's inbox copy is not there, so the enterprise is not reached.
        s.delete(
            s.scalars(
                select(Delivery).where(
                    Delivery.user_id == cast.trader.user_id, Delivery.channel == "inbox"
                )
            ).one()
        )
    with store.reading() as s:
        before = {o.id: o.status for o in s.scalars(select(Delivery).where(Delivery.id != d.id))}
    as_(client, keys["approver"])
    url = f"/en/alerts/desk/{uid}"
    page = client.get(url)
    assert page.status_code == 200
    assert table_rows(page.text, "table-coverage") == [
        ["Government department", "1", "1", "0"],
        ["Enterprise", "1", "0", "0"],
        ["Service agency", "1", "0", "0"],
    ]
    not_reached = table_rows(page.text, "table-not-reached")
    assert ["Test enterprise", "Enterprise", "Failed, stopped", "550 no such user"] in not_reached
    assert ["Test agency", "Service agency", "No one there subscribes", ""] in not_reached
    assert f'href="/api/alerts/items/{uid}/coverage?format=csv&amp;lang=en"' in page.text
    log = table_rows(page.text, "table-log")
    assert any(
        r[2] == "E-mail" and r[3] == "Failed, stopped" and r[5] == "550 no such user" for r in log
    )
    dead_only = client.get(url, params={"state": "dead"}).text
    assert len(table_rows(dead_only, "table-log")) == 1
    resent = post_form(client, url, f"{url}/resend", {})
    assert resent.status_code == 200
    assert "1 failed deliveries queued again (the failed recipients only)." in resent.text
    with store.reading() as s:
        assert s.get(Delivery, d.id).status == DeliveryStatus.QUEUED  # type: ignore[union-attr]
        # only that one: the others are as they were
        after = {o.id: o.status for o in s.scalars(select(Delivery).where(Delivery.id != d.id))}
        assert after == before and before


def test_the_coverage_of_a_period(
    client: TestClient, store: Database, cast: Cast, keys: dict[str, str]
) -> None:
    with store.transaction() as s:
        audience.define_target_list(s, "depts", "部门", "Departments", rule={"kind": "department"})
    publish(store, cast)
    bulletin(store, cast, "hotspots", target_lists=["depts"], subscribers=(cast.official,))
    as_(client, keys["editor"])
    page = client.get("/zh/alerts/coverage")  # by default the year 2020
    assert page.status_code == 200 and 'value="2020-01-01"' in page.text
    start = datetime(2019, 12, 31, 16, tzinfo=UTC)  # 2020-01-01 00:00 in Beijing
    with store.reading() as s:
        totals = coverage.period_totals(s, start, start + timedelta(days=366))
    assert totals.bulletins == 1 and totals.items == 1
    assert f'id="sentence">{totals.sentence("zh")}<' in page.text
    assert totals.sentence("zh").startswith("编发1期，推送信息1条，覆盖1")
    assert table_rows(page.text, "table-kinds") == [["政府部门", "1", "1", "0"]]
    (issue,) = table_rows(page.text, "table-period-bulletins")
    assert issue[0] == "系列hotspots（第1期）"
    assert 'href="/zh/alerts/desk/bulletins/hotspots/1"' in page.text
    per_issue = client.get("/en/alerts/desk/bulletins/hotspots/1").text
    assert table_rows(per_issue, "table-coverage") == [["Government department", "1", "1", "0"]]
    exported = client.get(
        "/en/alerts/coverage.csv", params={"from": "2020-01-01", "to": "2020-12-31"}
    )
    assert exported.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(exported.text)))
    assert lines[1][:4] == ["2020-01-01", "2020-12-31", "1", "1"]
    assert ["department", "Government department", "1", "1", "0"] in lines
    assert lines[-1] == [totals.sentence("en")]
    empty = client.get("/en/alerts/coverage", params={"from": "2021-01-01", "to": "2021-12-31"})
    assert 'id="sentence">0 issues, 0 items pushed.<' in empty.text
    bad = client.get("/en/alerts/coverage", params={"from": "someday"})
    assert bad.status_code == 200 and 'id="from-errors"' in bad.text


# --- every page, both languages, every reader -----------------------------------------------

#: Every GET page route under /{lang}/alerts: how the test reaches it (``{uid}``,
#: ``{series}`` filled in) and what it is to a reader: a list that shows what the reader may
#: read, one thing that is 404 for those who may not, a person's own page, or a staff page.
PAGES: dict[str, tuple[str, str]] = {
    "/{lang}/alerts": ("list", "/{lang}/alerts"),
    "/{lang}/alerts/{uid}": ("item", "/{lang}/alerts/{uid}"),
    "/{lang}/alerts/bulletins": ("list", "/{lang}/alerts/bulletins"),
    "/{lang}/alerts/bulletins/{series}/{number}": (
        "bulletin",
        "/{lang}/alerts/bulletins/{series}/1",
    ),
    "/{lang}/alerts/inbox": ("own", "/{lang}/alerts/inbox"),
    "/{lang}/alerts/subscriptions": ("own", "/{lang}/alerts/subscriptions"),
    "/{lang}/alerts/desk": ("staff", "/{lang}/alerts/desk"),
    "/{lang}/alerts/desk/{uid}": ("staff", "/{lang}/alerts/desk/{uid}"),
    "/{lang}/alerts/desk/bulletins/{series}/{number}": (
        "staff",
        "/{lang}/alerts/desk/bulletins/{series}/1",
    ),
    "/{lang}/alerts/coverage": ("staff", "/{lang}/alerts/coverage"),
    "/{lang}/alerts/coverage.csv": ("staff", "/{lang}/alerts/coverage.csv"),
}

#: Who may read what, by their organisation (staff read everything).
MAY_READ = {
    "public": {"public"},
    "trader": {"public", "registered"},
    "official": {"public", "registered", "government"},
    "editor": {"public", "registered", "government"},
}


def test_every_alerts_page_route_is_in_the_confidentiality_table(app: FastAPI) -> None:
    assert page_routes(app) == set(PAGES), "a new alerts page needs a confidentiality case here"


def test_confidentiality_on_every_page_for_every_reader(
    client: TestClient, store: Database, cast: Cast, keys: dict[str, str]
) -> None:
    with store.transaction() as s:
        audience.subscribe(s, cast.official.user_id, {})
        audience.subscribe(s, cast.trader.user_id, {})
    uids = {
        level: publish(
            store,
            cast,
            confidentiality=level,
            title={"zh": f"标题{level}", "en": f"Title-{level}"},
        )
        for level in LEVELS
    }
    for level in LEVELS:
        bulletin(store, cast, f"s-{level}", level)
    checked = 0
    for who, allowed in MAY_READ.items():
        as_(client, keys.get(who))
        for level, uid in uids.items():
            visible = level in allowed
            titles = (f"Title-{level}", f"标题{level}")
            for shape, template in PAGES.values():
                for lang in ("zh", "en"):
                    url = template.format(lang=lang, uid=uid, series=f"s-{level}")
                    answer = client.get(url, headers=HTML, follow_redirects=False)
                    body = answer.text
                    # A page refusing one thing echoes the address asked for (the language
                    # switch, the sign-in link): only what the address does not say leaks.
                    secret_marks = [
                        *titles,
                        *(m for m in (uid, f"s-{level}") if m not in url),
                    ]
                    assert answer.status_code < 500, (who, url)
                    if shape == "staff":
                        if who == "editor":
                            assert answer.status_code == 200, (who, url)
                        else:
                            assert answer.status_code in (303, 403), (who, url)
                            assert not any(m in body for m in secret_marks), (who, url)
                        checked += 1
                        continue
                    if shape == "own" and who == "public":
                        assert answer.status_code == 303, url
                        checked += 1
                        continue
                    if shape in ("item", "bulletin"):
                        assert answer.status_code == (200 if visible else 404), (who, level, url)
                    else:
                        assert answer.status_code == 200, (who, url)
                    if shape == "item" and visible:
                        assert f"Title-{level}" in body or f"标题{level}" in body
                    elif shape == "list" and visible:
                        assert uid in body or f"s-{level}" in body, (who, level, url)
                    elif shape == "own" and visible and url.endswith("/inbox"):
                        # What was delivered to them: official and trader subscribe.
                        assert who == "editor" or f"Title-{level}" in body or f"标题{level}" in body
                    if not visible:
                        leaked = [m for m in secret_marks if m in body]
                        assert not leaked, (who, level, url, leaked)
                    checked += 1
    assert checked == len(MAY_READ) * len(LEVELS) * len(PAGES) * 2


def test_every_page_in_both_languages_without_outside_addresses(
    app: FastAPI, client: TestClient, store: Database, cast: Cast, keys: dict[str, str]
) -> None:
    uid = publish(store, cast, sources=[{"name": "Port authority"}])
    bulletin(store, cast, "hotspots")
    as_(client, keys["editor"])
    css = client.get("/static/css/silkhub.css").text
    assert "url(" not in css and "@import" not in css
    for path in sorted(page_routes(app)):
        for lang in ("zh", "en"):
            url = path.format(lang=lang, uid=uid, series="hotspots", number=1)
            answer = client.get(url)
            assert answer.status_code == 200, (url, answer.status_code)
            if url.endswith(".csv"):
                continue
            body = answer.text
            assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in body, url
            # Every script, style, image, form and link of the page is on this server.
            for attr in re.findall(r'\s(?:src|action)="([^"]*)"', body):
                assert attr.startswith("/"), (url, attr)
            for link in re.findall(r"<link [^>]*>", body):
                href = re.search(r'href="([^"]*)"', link)
                assert href and href[1].startswith("/"), (url, link)
            # Every form field has a label: one naming it, or one around it.
            for field in re.findall(r"<(?:input|select|textarea)\b[^>]*>", body):
                if 'type="hidden"' in field:
                    continue
                name = re.search(r'\sid="([^"]+)"', field)
                labelled = name is not None and f'for="{name[1]}"' in body
                assert labelled or f'<label class="check">{field}' in body, (url, field)


def test_the_navigation_by_role(client: TestClient, keys: dict[str, str]) -> None:
    def nav(key: str | None) -> list[str]:
        as_(client, key)
        page = client.get("/en/alerts").text
        block = re.search(r'<nav class="site-nav".*?</nav>', page, re.S)
        assert block
        return re.findall(r'<a href="(/en/[^"]*)"', block[0])

    def alerts_part(links: list[str]) -> list[str]:
        return [link for link in links if link.startswith("/en/alerts")]

    public = nav(None)
    assert public[:4] == ["/en/", "/en/stats", "/en/indices", "/en/alerts"]
    assert alerts_part(public) == ["/en/alerts"]
    assert alerts_part(nav(keys["trader"])) == [
        "/en/alerts",
        "/en/alerts/inbox",
        "/en/alerts/subscriptions",
    ]
    assert alerts_part(nav(keys["editor"]))[-2:] == ["/en/alerts/desk", "/en/alerts/coverage"]
    # The entry of the page one is on is the one marked, not also the alerts' own.
    as_(client, keys["editor"])
    desk = client.get("/en/alerts/desk").text
    assert desk.count('aria-current="page"') == 2  # the site's navigation and the tabs
    assert '<a href="/en/alerts/desk" aria-current="page">' in desk


def test_the_home_page_lists_the_latest_public_alerts(
    client: TestClient, store: Database, cast: Cast, keys: dict[str, str]
) -> None:
    assert "No alert has been published yet." in client.get("/en/").text
    publish(store, cast, title={"zh": "公开提示", "en": "Open alert"})
    publish(
        store,
        cast,
        title={"zh": "部门提示", "en": "Departments only"},
        confidentiality="government",
    )
    cancelled = publish(store, cast, title={"zh": "已撤销提示", "en": "Withdrawn alert"})
    with store.transaction() as s:
        service.cancel(s, cast.approver, cancelled, "Over.")
    as_(client, keys["official"])  # even a department's person sees the public card
    en = client.get("/en/").text
    # Each alert links to its own page, its source (docs/portal.md).
    line = re.search(
        r'<li data-figure="alerts:([^"]+)"><a href="/en/alerts/\1">([^<]*)</a></li>', en
    )
    assert line is not None and line[2] == "[Orange] Open alert"
    assert 'href="/en/alerts">All alerts' in en
    assert "Departments only" not in en and "Withdrawn alert" not in en
    assert f'<a href="/zh/alerts/{line[1]}">【橙色】公开提示</a>' in client.get("/zh/").text


def test_the_demo_hub_pages_show_the_source_documents_year(demo_hub: DemoHub) -> None:
    """The demonstration year through the pages: the coverage page states the source
    document's figures, counted from the recorded deliveries; the list, the archive and the
    desk answer on the full year. The shared demo store is only read: the editor is given
    to the pages by overriding who is asking, not by a session written into it."""
    settings = Settings(data_dir=demo_hub.data_dir, secret_key="test-secret-key-not-for-production")
    app = create_app(settings, db=demo_hub.db)
    with demo_hub.db.reading() as session:
        editor = session.scalars(select(User).where(User.email.startswith("editor@"))).one()
        principal = accounts.principal_for(editor)
        year = coverage.period_totals(
            session, datetime(2019, 12, 31, 16, tzinfo=UTC), datetime(2020, 12, 31, 16, tzinfo=UTC)
        )
    app.dependency_overrides[resolve_principal] = lambda: principal
    with TestClient(app) as c:
        page = c.get("/zh/alerts/coverage").text
        assert f'id="sentence">{year.sentence("zh")}<' in page
        assert year.sentence("zh").startswith("编发61期")
        read = {k: str(v.read) for k, v in year.kinds.items()}
        assert table_rows(page, "table-kinds") == [
            ["政府部门", "38", "38", read["department"]],
            ["企业", "1000", "1000", read["enterprise"]],
            ["服务机构", "40", "40", read["service_agency"]],
        ]
        assert len(table_rows(page, "table-period-bulletins")) == 61
        assert "演示数据" in page  # the demonstration hub says so on every page
        listing = c.get("/en/alerts").text
        assert len(table_rows(listing, "table-items")) == PAGE_SIZE
        assert c.get("/en/alerts/bulletins").status_code == 200
        assert c.get("/en/alerts/desk").status_code == 200


def test_an_inbox_entry_is_found_however_old_and_only_by_its_owner(
    store: Database, cast: Cast
) -> None:
    """``inbox.entry``, what the inbox page opens: any of the person's own inbox deliveries
    (not only the newest the list shows), never someone else's or another channel's."""
    uid = publish(store, cast)
    with store.transaction() as s:
        item = s.scalars(select(AlertItem).where(AlertItem.uid == uid)).one()

        def add(key: str, user: int, channel: str, at: datetime) -> int:
            row = Delivery(
                idempotency_key=key,
                user_id=user,
                channel=channel,
                item_id=item.id,
                item_version=1,
                status=DeliveryStatus.SENT.value,
                queued_at=at,
            )
            s.add(row)
            s.flush()
            return row.id

        oldest = add("old", cast.trader.user_id, "inbox", NOW - timedelta(days=1))
        for n in range(60):  # more than the inbox list's default of 50
            add(f"new{n}", cast.trader.user_id, "inbox", NOW + timedelta(minutes=n))
        mail = add("mail", cast.trader.user_id, "email", NOW)
    with store.reading() as s:
        assert oldest not in {e.delivery_id for e in inbox.entries(s, cast.trader)}
        found = inbox.entry(s, cast.trader, oldest)
        assert found is not None and found.link == f"alerts/{uid}"
        assert inbox.entry(s, cast.official, oldest) is None  # not theirs
        assert inbox.entry(s, cast.trader, mail) is None  # not the inbox
        assert inbox.entry(s, cast.trader, 10**9) is None


def test_an_items_attachments_are_listed_for_those_who_may_read_it(
    client: TestClient, store: Database, cast: Cast, settings: Settings, keys: dict[str, str]
) -> None:
    with store.transaction() as s:
        uid = service.create_item(
            s, cast.editor, "alert", alert_data(confidentiality="registered")
        ).uid
        attachments.add(s, cast.editor, uid, "circular.pdf", b"%PDF-1.4 x" * 300, settings.data_dir)
        service.submit(s, cast.editor, uid)
        service.approve(s, cast.approver, uid)
        service.publish(s, cast.approver, uid, now=NOW)
    as_(client, keys["trader"])
    page = client.get(f"/en/alerts/{uid}").text
    link = re.search(r'<ul id="attachments"><li><a href="([^"]+)" type="application/pdf">', page)
    assert link and 'circular.pdf</a> <span class="muted">(2.9 KB)</span>' in page
    assert client.get(link[1]).content.startswith(b"%PDF")
    as_(client, None)
    assert client.get(f"/en/alerts/{uid}", headers=HTML).status_code == 404


def test_the_editor_attaches_files_on_the_desk(
    client: TestClient, store: Database, cast: Cast, keys: dict[str, str]
) -> None:
    with store.transaction() as s:
        uid = service.create_item(s, cast.editor, "alert", alert_data()).uid
    as_(client, keys["editor"])
    desk = f"/zh/alerts/desk?edit={uid}"
    page = client.get(desk, headers=HTML).text
    assert "此版本尚无附件。" in page and f"/zh/alerts/desk/items/{uid}/attachments" in page

    def attach(name: str, data: bytes, lang: str = "zh") -> Any:
        form = client.get(f"/{lang}/alerts/desk?edit={uid}", headers=HTML).text
        return client.post(
            f"/{lang}/alerts/desk/items/{uid}/attachments",
            data={"csrf_token": csrf_from(form)},
            files={"file": (name, data, "application/octet-stream")},
            headers=HTML,
        )

    done = attach("circular.pdf", b"%PDF-1.4 x" * 300)
    assert done.status_code == 200 and "已附加 circular.pdf。" in done.text
    listed = re.search(r'<ul id="desk-attachments"[^>]*><li><a href="([^"]+)"', done.text)
    assert listed and 'circular.pdf</a> <span class="muted">(2.9 KB)</span>' in done.text
    assert client.get(listed[1]).content.startswith(b"%PDF")
    # A file that is not what its name says is refused in the reader's language, and nothing
    # is listed.
    fake = attach("report.pdf", b"MZ\x90\x00 not a pdf", lang="en")
    assert fake.status_code == 422
    assert "Attachment &#39;report.pdf&#39;: its content is not a .pdf file." in fake.text
    assert "report.pdf</a>" not in fake.text
    # Only editors attach; without the page's CSRF token nothing happens.
    no_token = client.post(
        f"/zh/alerts/desk/items/{uid}/attachments",
        files={"file": ("b.pdf", b"%PDF-1.4", "application/pdf")},
        headers=HTML,
    )
    assert no_token.status_code == 403
    as_(client, keys["approver"])
    page = client.get(desk, headers=HTML).text
    refused = client.post(
        f"/zh/alerts/desk/items/{uid}/attachments",
        data={"csrf_token": csrf_from(page)},
        files={"file": ("c.pdf", b"%PDF-1.4", "application/pdf")},
        headers=HTML,
    )
    assert refused.status_code == 403
    # A published version takes no more files: the desk says to save a new version first.
    with store.transaction() as s:
        service.submit(s, cast.editor, uid)
        service.approve(s, cast.approver, uid)
        service.publish(s, cast.approver, uid, now=NOW)
    as_(client, keys["editor"])
    published = client.get(desk, headers=HTML).text
    assert "circular.pdf</a>" in published
    assert f"/zh/alerts/desk/items/{uid}/attachments" not in published
    assert "此版本已发布，不能再加附件" in published
