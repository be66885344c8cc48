"""The freight index over HTTP: a panel member submits (JSON, CSV) inside the window only and
sees its own quotes; compilers preview, approve, correct and restate; and the embargo: before
its release time an approved week is visible to no one but compilers, on any route."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import feedparser
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from silkhub.accounts.models import Organisation, OrgKind, Role
from silkhub.core.periods import IsoWeek
from silkhub.indices import service
from silkhub.indices.freight_compute import next_week
from silkhub.indices.freight_schedule import release_time, window
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database
from tests.web.access_matrix import PATH_SAMPLES
from tests.web.conftest import Person, as_token
from tests.web.test_access_matrix import app_routes

ACTOR = Actor(None, "test")
M = service.methodology()
ROUTES = list(M.baskets[0].weights)
SIZES = {"20GP": Decimal("1.0"), "40GP": Decimal("1.8"), "40HQ": Decimal("1.9")}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2018, 1, 1)

    def __call__(self) -> datetime:
        return self.now


def during(week: IsoWeek) -> datetime:
    return window(M, week)[0] + timedelta(hours=1)


def after(week: IsoWeek) -> datetime:
    return window(M, week)[1] + timedelta(minutes=1)


def full(rate: int) -> list[service.QuoteIn]:
    return [
        service.QuoteIn(r, c, (Decimal(rate) * size).quantize(Decimal("0.01")))
        for r in ROUTES
        for c, size in SIZES.items()
    ]


@pytest.fixture
def clock(app: FastAPI) -> Clock:
    app.state.clock = clock = Clock()
    return clock


@pytest.fixture
def panel(db: Database, people: dict[Role, Person]) -> list[str]:
    """Three members (the test panelist's carrier "TEST" and two more) with quotes for
    2018-W01 to 2018-W06."""
    with db.transaction(ACTOR) as session:
        for code in ("OTHER1", "OTHER2"):
            org = Organisation(name_zh=code, name_en=code, kind=OrgKind.PANEL_MEMBER)
            session.add(org)
            session.flush()
            service.join_panel(session, org.id, code)
    codes = ["TEST", "OTHER1", "OTHER2"]
    week = IsoWeek(2018, 1)
    while week <= IsoWeek(2018, 6):
        with db.transaction(ACTOR) as session:
            for k, code in enumerate(codes):
                member = session.scalars(
                    service.select(service.PanelMember).where(service.PanelMember.code == code)
                ).one()
                rate = 1000 + 10 * k + (50 if week == IsoWeek(2018, 6) else 0)
                service.submit_quotes(
                    session, member, week, full(rate), actor=ACTOR, source="demo", now=during(week)
                )
        week = next_week(week)
    return codes


def test_a_member_submits_in_the_window_and_sees_its_own(
    client: TestClient, people: dict[Role, Person], panel: list[str], clock: Clock
) -> None:
    week = IsoWeek(2018, 7)
    panelist = as_token(people[Role.PANELIST])
    body = {"week": week.code, "quotes": [{"route": "eur", "container": "20gp", "amount": "1600"}]}
    clock.now = window(M, week)[0] - timedelta(minutes=1)
    early = client.post("/api/indices/freight/quotes", json=body, headers=panelist)
    assert early.status_code == 409 and early.json()["error"]["code"] == "window_not_open"
    clock.now = during(week)
    made = client.post("/api/indices/freight/quotes", json=body, headers=panelist)
    assert made.status_code == 201, made.text
    assert made.json()["week"] == "2018-W07"
    # 1600 against 1050 a week earlier: a warning at once, in the caller's language.
    (warning,) = made.json()["warnings"]
    assert warning["code"] == "large_jump" and "52%" in warning["message"]
    upload = client.post(
        "/api/indices/freight/quotes/upload",
        data={"week": week.code},
        files={"file": ("q.csv", b"route,container,amount\nMEDW,40HQ,2100\n", "text/csv")},
        headers=panelist,
    )
    assert upload.status_code == 201, upload.text
    mine = client.get("/api/indices/freight/quotes", params={"week": week.code}, headers=panelist)
    assert sorted(q["route"] for q in mine.json()) == ["EUR", "MEDW"]
    all_quotes = client.get(
        "/api/indices/freight/quotes",
        params={"week": "2018-W06"},
        headers=as_token(people[Role.INDEX_COMPILER]),
    )
    assert len(all_quotes.json()) == 3 * len(ROUTES) * 3
    withdrawn = client.delete(
        f"/api/indices/freight/quotes/{made.json()['ids'][0]}", headers=panelist
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    clock.now = window(M, week)[1]
    late = client.post("/api/indices/freight/quotes", json=body, headers=panelist)
    assert late.status_code == 409 and late.json()["error"]["code"] == "window_closed"
    clock.now = during(IsoWeek(2018, 8))
    bad = client.post(
        "/api/indices/freight/quotes",
        json={"week": "2018-W08", "quotes": [{"route": "X", "container": "20GP", "amount": "5"}]},
        headers={**panelist, "accept-language": "en"},
    )
    assert bad.status_code == 422
    fields = {p["location"]["field"] for p in bad.json()["error"]["problems"]}
    assert fields == {"quotes[0].route", "quotes[0].amount"}


def _public_get_routes(app: FastAPI) -> list[str]:
    # The portal's pages under /{lang}/indices are walked the same way, in both languages and
    # with their own query parameters, by tests/indices/test_pages.py.
    return [p for m, p in app_routes(app) if m == "GET" and p.startswith("/api/indices")]


def _fetch(client: TestClient, path: str, headers: dict[str, str]) -> str:
    url = path
    for name, value in PATH_SAMPLES.items():
        url = url.replace("{" + name + "}", value)
    bodies = []
    for params in ({}, {"format": "csv"}, {"series": "EUR"}, {"week": "2018-W06"}):
        response = client.get(url, params=params, headers=headers)
        assert response.status_code < 500, (path, response.text)
        bodies.append(response.text)
    return "\n".join(bodies)


def test_the_embargo_holds_on_every_route_for_every_reader(
    app: FastAPI,
    client: TestClient,
    people: dict[Role, Person],
    db: Database,
    panel: list[str],
    clock: Clock,
) -> None:
    compiler = as_token(people[Role.INDEX_COMPILER])
    for week in (IsoWeek(2018, 4), IsoWeek(2018, 5), IsoWeek(2018, 6)):
        clock.now = after(week)
        assert (
            client.post(
                f"/api/indices/freight/weeks/{week.code}/approve", headers=compiler
            ).status_code
            == 200
        )
    # Thursday 17:01 in Ningbo: week 6 is approved, its release is Friday 16:00.
    secret = "2018-W06"
    releases = client.get("/api/indices/freight/releases", headers=compiler).json()
    values = {v["value"] for v in releases[-1]["values"]}
    earlier = {v["value"] for r in releases[:-1] for v in r["values"]}
    assert values and not values & earlier  # the week's figures are all new numbers
    routes = _public_get_routes(app)
    assert len(routes) >= 6
    readers: dict[str, dict[str, str]] = {"anonymous": {}}
    readers |= {role.value: as_token(p) for role, p in people.items()}
    for name, headers in readers.items():
        for path in routes:
            seen = _fetch(client, path, headers)
            if name in (Role.INDEX_COMPILER.value, Role.ADMIN.value):
                continue
            leaked = [v for v in values if v in seen]
            assert not leaked, f"{name} saw embargoed figures {leaked} at {path}"
            # A member's own quotes of that week are its own; any other mention is a leak.
            if not path.endswith("/freight/quotes"):
                assert secret not in seen, f"{name} saw the embargoed week at {path}"
        compiler_view = "".join(_fetch(client, path, compiler) for path in routes)
        assert all(v in compiler_view for v in values)
    # A compiler's view marks the week as not yet released.
    releases = client.get("/api/indices/freight/releases", headers=compiler).json()
    assert [r["released"] for r in releases] == [True, True, False]
    clock.now = release_time(M, IsoWeek(2018, 6))
    latest = client.get("/api/indices/freight/latest").json()
    assert latest["week"] == secret and latest["released"] is True
    composite = latest["values"][0]
    assert composite["series"] == "COMPOSITE" and Decimal(composite["change_pct"]) > 0
    feed = feedparser.parse(client.get("/api/indices/freight/feed.atom").text)
    assert not feed.bozo and len(feed.entries) == 3 and secret in feed.entries[-1].title


def test_compilers_preview_approve_correct_restate_and_recompute(
    client: TestClient, people: dict[Role, Person], panel: list[str], clock: Clock
) -> None:
    compiler = as_token(people[Role.INDEX_COMPILER])
    week = IsoWeek(2018, 5)
    clock.now = after(week)
    preview = client.get(f"/api/indices/freight/weeks/{week.code}/preview", headers=compiler).json()
    assert preview["basket"] == 1 and preview["missing"] == []
    assert len(preview["cells"]) == len(ROUTES) * 3
    approved = client.post(f"/api/indices/freight/weeks/{week.code}/approve", headers=compiler)
    assert approved.status_code == 200 and approved.json()["released"] is False
    again = client.post(f"/api/indices/freight/weeks/{week.code}/approve", headers=compiler)
    assert again.status_code == 409
    assert client.get("/api/indices/freight/recompute", headers=compiler).json() == []
    fix = client.post(
        f"/api/indices/freight/weeks/{week.code}/corrections",
        json={"member": "OTHER1", "route": "EUR", "container": "20GP", "amount": "3000"},
        headers=compiler,
    )
    assert fix.status_code == 201 and fix.json()["source"] == "restatement"
    differences = client.get("/api/indices/freight/recompute", headers=compiler).json()
    assert {d["series"] for d in differences} >= {"EUR", "COMPOSITE"}
    restated = client.post(
        f"/api/indices/freight/weeks/{week.code}/restate",
        json={"reason": "OTHER1 sent its 40GP rate as 20GP"},
        headers=compiler,
    )
    assert restated.status_code == 200
    assert {r["series"] for r in restated.json()} >= {"EUR", "COMPOSITE"}
    assert client.get("/api/indices/freight/recompute", headers=compiler).json() == []
    clock.now = release_time(M, week)
    public = client.get("/api/indices/freight/releases").json()
    (release,) = public
    assert release["restatements"] and release["restatements"][0]["reason"].startswith("OTHER1")


def test_series_as_csv_and_bad_requests(
    client: TestClient, people: dict[Role, Person], panel: list[str], clock: Clock
) -> None:
    compiler = as_token(people[Role.INDEX_COMPILER])
    for week in (IsoWeek(2018, 4), IsoWeek(2018, 5)):
        clock.now = after(week)
        client.post(f"/api/indices/freight/weeks/{week.code}/approve", headers=compiler)
    clock.now = release_time(M, IsoWeek(2018, 5))
    csv_text = client.get(
        "/api/indices/freight/series", params={"series": "eur", "format": "csv"}
    ).text
    lines = csv_text.splitlines()
    assert lines[0] == "week,series,value,change_pct,carried_forward"
    assert [line.split(",")[0] for line in lines[1:]] == ["2018-W04", "2018-W05"]
    unknown = client.get("/api/indices/freight/series", params={"series": "MARS"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_series"
    bad_week = client.get("/api/indices/freight/series", params={"from": "2018-13"})
    assert bad_week.status_code == 422
    methodology = client.get(
        "/api/indices/freight/methodology", headers={"accept-language": "en"}
    ).json()
    assert methodology["fingerprint"] == M.fingerprint and len(methodology["routes"]) == 22
    assert methodology["surcharges"]["included"][0] == {
        "code": "BAF",
        "name": "Bunker adjustment factor",
    }
