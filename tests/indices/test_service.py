"""The freight index over the operational store (SQLite, and PostgreSQL in CI): members submit
within the window only, bad quotes are refused whole, jumps are warned of, members see only
their own quotes, a week is approved after its window and public only from its release time,
the published history is recomputed exactly, and a restatement keeps both values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from silkhub.accounts.models import Organisation, OrgKind
from silkhub.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from silkhub.core.periods import IsoWeek
from silkhub.indices import service
from silkhub.indices.freight_compute import next_week
from silkhub.indices.freight_schedule import release_time, window
from silkhub.indices.models import COMPOSITE, FreightQuote, FreightRestatement, PanelMember
from silkhub.indices.service import QuoteIn
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database

ACTOR = Actor(None, "test")
M = service.methodology()
ROUTES = list(M.baskets[0].weights)
SIZES = {"20GP": Decimal("1.0"), "40GP": Decimal("1.8"), "40HQ": Decimal("1.9")}
FIRST = IsoWeek(2018, 1)


@pytest.fixture
def db(engine: Engine) -> Database:
    return Database(engine)


@pytest.fixture
def members(db: Database) -> list[PanelMember]:
    with db.transaction(ACTOR) as session:
        out = []
        for k in range(4):
            org = Organisation(
                name_zh=f"货代{k}", name_en=f"Forwarder {k}", kind=OrgKind.PANEL_MEMBER
            )
            session.add(org)
            session.flush()
            out.append(service.join_panel(session, org.id, f"F{k}"))
        session.expunge_all()
    return out


def during(week: IsoWeek) -> datetime:
    return window(M, week)[0] + timedelta(hours=1)


def after(week: IsoWeek) -> datetime:
    return window(M, week)[1] + timedelta(minutes=1)


def full(rate: Decimal = Decimal("1000")) -> list[QuoteIn]:
    return [
        QuoteIn(r, c, (rate * size).quantize(Decimal("0.01")))
        for r in ROUTES
        for c, size in SIZES.items()
    ]


def submit_weeks(
    db: Database, members: list[PanelMember], last: IsoWeek, rate: Decimal = Decimal("1000")
) -> None:
    week = FIRST
    while week <= last:
        with db.transaction(ACTOR) as session:
            for k, member in enumerate(members):
                service.submit_quotes(
                    session,
                    member,
                    week,
                    full(rate + k),
                    actor=ACTOR,
                    source="api",
                    now=during(week),
                )
        week = next_week(week)


def test_quotes_only_inside_the_window(db: Database, members: list[PanelMember]) -> None:
    week = IsoWeek(2018, 5)
    opens, closes = window(M, week)
    # Monday 00:00 to Thursday 17:00 in Ningbo: Sunday 16:00 to Thursday 09:00 UTC.
    assert opens == datetime(2018, 1, 28, 16, tzinfo=UTC)
    assert closes == datetime(2018, 2, 1, 9, tzinfo=UTC)
    assert release_time(M, week) == datetime(2018, 2, 2, 8, tzinfo=UTC)
    with db.transaction(ACTOR) as session:
        for now, code in (
            (opens - timedelta(seconds=1), "window_not_open"),
            (closes, "window_closed"),
        ):
            with pytest.raises(Conflict) as caught:
                service.submit_quotes(
                    session, members[0], week, full(), actor=ACTOR, source="api", now=now
                )
            assert caught.value.code == code
        assert (
            "2018-02-01 17:00" in caught.value.message.en
            and "late quotes are refused" in caught.value.message.en
        )
        done = service.submit_quotes(
            session, members[0], week, full(), actor=ACTOR, source="api", now=opens
        )
        assert len(done.ids) == len(ROUTES) * 3


def test_bad_quotes_are_refused_whole(db: Database, members: list[PanelMember]) -> None:
    week = IsoWeek(2018, 5)
    bad = [
        QuoteIn("EUR", "20GP", Decimal("1200")),
        QuoteIn("ATLANTIS", "20GP", Decimal("1200")),
        QuoteIn("EUR", "45GP", Decimal("1200")),
        QuoteIn("MEDW", "20GP", Decimal("1200"), "CNY"),
        QuoteIn("MEDE", "20GP", Decimal("3")),
        QuoteIn("EUR", "20GP", Decimal("1250")),
    ]
    with pytest.raises(InvalidInput) as caught, db.transaction(ACTOR) as session:
        service.submit_quotes(
            session, members[0], week, bad, actor=ACTOR, source="api", now=during(week)
        )
    found = {(p.code, p.location.field) for p in caught.value.problems}
    assert found == {
        ("unknown_route", "quotes[1].route"),
        ("unknown_container", "quotes[2].container"),
        ("wrong_currency", "quotes[3].currency"),
        ("implausible_rate", "quotes[4].amount"),
        ("duplicate_quote", "quotes[5].route"),
    }
    with db.reading() as session:
        assert session.scalars(select(FreightQuote)).all() == []


def test_a_jump_against_last_week_is_warned_of(db: Database, members: list[PanelMember]) -> None:
    first, second = IsoWeek(2018, 5), IsoWeek(2018, 6)
    with db.transaction(ACTOR) as session:
        service.submit_quotes(
            session,
            members[0],
            first,
            [QuoteIn("EUR", "20GP", Decimal("1000"))],
            actor=ACTOR,
            source="form",
            now=during(first),
        )
        done = service.submit_quotes(
            session,
            members[0],
            second,
            [QuoteIn("EUR", "20GP", Decimal("1600")), QuoteIn("EUR", "40GP", Decimal("1800"))],
            actor=ACTOR,
            source="form",
            now=during(second),
        )
    (warning,) = done.warnings
    assert warning.code == "large_jump" and warning.location.field == "quotes[0].amount"
    assert "60%" in warning.message.en and len(done.ids) == 2


def test_members_see_and_withdraw_only_their_own(db: Database, members: list[PanelMember]) -> None:
    week = IsoWeek(2018, 5)
    with db.transaction(ACTOR) as session:
        mine = service.submit_quotes(
            session, members[0], week, full()[:2], actor=ACTOR, source="api", now=during(week)
        )
        theirs = service.submit_quotes(
            session, members[1], week, full()[:2], actor=ACTOR, source="api", now=during(week)
        )
    with db.transaction(ACTOR) as session:
        assert {q.id for q in service.quotes_of(session, members[0], week)} == set(mine.ids)
        assert len(service.quotes_of(session, None, week)) == 4
        with pytest.raises(NotFound):
            service.withdraw_quote(session, members[0], theirs.ids[0], now=during(week))
        service.withdraw_quote(session, members[0], mine.ids[0], now=during(week))
    with db.transaction(ACTOR) as session, pytest.raises(Conflict):
        service.withdraw_quote(session, members[0], mine.ids[1], now=after(week))


def test_only_panel_organisations_submit(db: Database, members: list[PanelMember]) -> None:
    with db.transaction(ACTOR) as session:
        assert service.member_for(session, members[2].organisation_id).code == "F2"
        other = Organisation(name_zh="某企业", name_en="A firm", kind=OrgKind.ENTERPRISE)
        session.add(other)
        session.flush()
        with pytest.raises(PermissionDenied):
            service.member_for(session, other.id)
        with pytest.raises(PermissionDenied):
            service.member_for(session, None)
        with pytest.raises(InvalidInput, match="panel_member"):
            service.join_panel(session, other.id, "X")


def test_approve_embargo_recompute_and_restate(db: Database, members: list[PanelMember]) -> None:
    last = IsoWeek(2018, 6)
    submit_weeks(db, members, last)
    week5 = IsoWeek(2018, 5)
    with db.transaction(ACTOR) as session, pytest.raises(Conflict) as early:
        service.approve(session, week5, actor=ACTOR, now=during(week5))
    assert early.value.code == "window_open"
    with db.transaction(ACTOR) as session:
        for week in (IsoWeek(2018, 4), week5, last):
            release = service.approve(session, week, actor=ACTOR, now=after(week))
        assert release.release_at == release_time(M, last)
        values = {v.series: v.value for v in release.values}
        assert values[COMPOSITE] == Decimal("1000.00") and values["EUR"] == Decimal("1000.00")
        assert release.fingerprint == M.fingerprint and release.basket == 1
    with db.transaction(ACTOR) as session, pytest.raises(Conflict):
        service.approve(session, last, actor=ACTOR, now=after(last))

    with db.reading() as session:
        before = release_time(M, last) - timedelta(seconds=1)
        public = [r.week for r in service.visible_releases(session, now=before)]
        assert public == ["2018-W04", "2018-W05"]  # week 6 is still under embargo
        assert [r.week for r in service.visible_releases(session, now=before, compiler=True)] == [
            "2018-W04",
            "2018-W05",
            "2018-W06",
        ]
        assert len(service.visible_releases(session, now=release_time(M, last))) == 3
        assert service.recompute(session) == []

    # A quote slipped into a released week without a restatement: the recompute finds it.
    with db.transaction(ACTOR) as session:
        correction = service.correct_quote(
            session, week5, "F0", QuoteIn("EUR", "40HQ", Decimal("9000")), actor=ACTOR
        )
        assert correction.source == "restatement"
    with db.reading() as session:
        differences = service.recompute(session)
    assert {(d.week, d.series) for d in differences} >= {
        ("2018-W05", "EUR"),
        ("2018-W05", COMPOSITE),
    }

    with db.transaction(ACTOR) as session, pytest.raises(InvalidInput):
        service.restate(session, week5, "  ", actor=ACTOR)
    with db.transaction(ACTOR) as session:
        changes = service.restate(session, week5, "F0 mistyped its EUR 40HQ rate", actor=ACTOR)
    assert {c.series for c in changes} >= {"EUR", COMPOSITE}
    with db.reading() as session:
        assert service.recompute(session) == []
        kept = session.scalars(select(FreightRestatement)).all()
        assert all(c.old_value != c.new_value and c.reason.startswith("F0") for c in kept)
        eur = next(c for c in kept if c.series == "EUR")
        assert eur.old_value == Decimal("1000.00") and eur.new_value > Decimal("1000.00")


def test_quote_csv_files(tmp_path: Path) -> None:
    good = tmp_path / "q.csv"
    good.write_text(
        '\ufeffRoute,Container,Amount,Currency\neur,20gp,"1,200.50",usd\n', encoding="utf-8"
    )
    assert service.read_quote_csv(good) == [QuoteIn("EUR", "20GP", Decimal("1200.50"), "USD")]
    bad = tmp_path / "b.csv"
    bad.write_text("route,container,amount\nEUR,20GP,abc\n")
    with pytest.raises(InvalidInput) as caught:
        service.read_quote_csv(bad)
    (problem,) = caught.value.problems
    assert (problem.location.row, problem.location.column, problem.code) == (
        2,
        "amount",
        "not_a_number",
    )
    missing = tmp_path / "m.csv"
    missing.write_text("route,amount\n")
    with pytest.raises(InvalidInput) as caught:
        service.read_quote_csv(missing)
    assert caught.value.problems[0].location.column == "container"
