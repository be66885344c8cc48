"""``silkhub index releases|approve|recompute`` on a real store: a week approved at the command
line, the history recomputed (exit 0), then a quote slipped into a released week without a
restatement makes ``recompute`` list the difference and fail."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from silkhub.accounts.models import Organisation, OrgKind
from silkhub.cli.context import state
from silkhub.cli.main import app
from silkhub.core.periods import IsoWeek
from silkhub.indices import freight_reads, service
from silkhub.indices.freight_compute import next_week
from silkhub.indices.freight_schedule import window
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database
from tests.conftest import DemoHub

ACTOR = Actor(None, "test")
M = service.methodology()


def run(*args: str) -> tuple[int, str]:
    try:
        result = CliRunner().invoke(app, ["--lang", "en", *args])
    finally:
        state.reset()
    return result.exit_code, result.output


def test_recompute_and_releases_on_the_demo(demo_hub: DemoHub) -> None:
    code, out = run("--data-dir", str(demo_hub.data_dir), "index", "recompute")
    assert code == 0, out
    assert "All 154 released weeks recompute exactly" in out
    with demo_hub.db.reading() as session:
        latest = freight_reads.release_views(session)[-1].value()
    assert latest is not None
    code, out = run("--data-dir", str(demo_hub.data_dir), "index", "releases", "--last", "2")
    assert code == 0 and "2020-W53" in out and str(latest.value) in out and "2020-W51" not in out


def test_approve_then_a_tampered_history_fails_the_recompute(tmp_path: Path) -> None:
    data = tmp_path / "hub"
    code, out = run("--data-dir", str(data), "init")
    assert code == 0, out
    db = Database.from_url(f"sqlite:///{data / 'silkhub.db'}")
    quotes = [
        service.QuoteIn(r, c, Decimal(1000 + 100 * k))
        for r in M.baskets[0].weights
        for k, c in enumerate(("20GP", "40GP", "40HQ"))
    ]
    with db.transaction(ACTOR) as session:
        members = []
        for code_ in ("A", "B", "C"):
            org = Organisation(name_zh=code_, name_en=code_, kind=OrgKind.PANEL_MEMBER)
            session.add(org)
            session.flush()
            members.append(service.join_panel(session, org.id, code_))
        week = IsoWeek(2018, 1)
        while week <= IsoWeek(2018, 5):
            for member in members:
                at = window(M, week)[0] + timedelta(hours=1)
                service.submit_quotes(
                    session, member, week, quotes, actor=ACTOR, source="api", now=at
                )
            week = next_week(week)
    code, out = run("--data-dir", str(data), "index", "approve", "2018-W05")
    # Approved late: released at once rather than at its (past) scheduled time.
    assert code == 0 and "2018-W05 approved; released at 20" in out
    assert run("--data-dir", str(data), "index", "recompute")[0] == 0
    with db.transaction(ACTOR) as session:
        service.correct_quote(
            session,
            IsoWeek(2018, 5),
            "A",
            service.QuoteIn("EUR", "20GP", Decimal("5000")),
            actor=ACTOR,
        )
    db.dispose()
    code, out = run("--data-dir", str(data), "index", "recompute")
    assert code != 0
    assert (
        "2018-W05" in out
        and "EUR" in out
        and "differ from the recomputation" in " ".join(out.split())
    )
