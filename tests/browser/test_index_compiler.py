"""Journey: the panel's quotes for the first week of 2021 are in; the index compiler previews the
week on the console and approves it; a visitor sees nothing of it until its release time, and
then the very figure the compiler previewed. Time is the indices' clock (``app.state.clock``),
moved by the test, never waited for."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from silkhub.core.periods import IsoWeek
from silkhub.indices import service
from silkhub.indices.freight_schedule import release_time, window
from silkhub.indices.models import PanelMember
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database
from tests.browser.conftest import LiveHub, screenshot

M = service.methodology()
WEEK = IsoWeek(2021, 1)
LAST_RELEASED = IsoWeek(2020, 53)  # the demonstration hub's last released week


def quotes_come_in(db: Database, week: IsoWeek) -> int:
    """Every member of the demo panel quotes ``week`` 2 % above its quotes of the week before,
    inside the window; the number of quotes."""
    actor = Actor(None, "test")
    during = window(M, week)[0] + timedelta(hours=1)
    count = 0
    with db.transaction(actor) as session:
        for member in session.scalars(select(PanelMember)).all():
            before = service.quotes_of(session, member, LAST_RELEASED)
            latest = {
                (q.route, q.container): q.amount for q in reversed(before) if not q.withdrawn_at
            }
            quotes = [
                service.QuoteIn(
                    route, container, (amount * Decimal("1.02")).quantize(Decimal("0.01"))
                )
                for (route, container), amount in latest.items()
            ]
            if quotes:
                service.submit_quotes(
                    session, member, week, quotes, actor=actor, source="test", now=during
                )
                count += len(quotes)
    return count


def test_a_week_is_previewed_approved_and_seen_only_after_its_release(hub: LiveHub) -> None:
    assert quotes_come_in(hub.db, WEEK) > 500
    hub.clock.now = window(M, WEEK)[1] + timedelta(minutes=5)  # the window has just closed

    with hub.person() as visitor, hub.person() as compiler:
        visitor.goto(hub.url("/zh/indices"))
        assert visitor.locator("#latest-title").inner_text() == f"最新发布：{LAST_RELEASED.code}"
        released_before = visitor.locator("#latest-composite").inner_text()

        compiler.goto(hub.url("/zh/indices"))
        hub.sign_in(compiler, "compiler")
        # The console is one of the freight index's tabs for compilers.
        compiler.locator("main nav").get_by_role("link", name="编制台").click()
        compiler.wait_for_url(hub.url("/zh/indices/console"))
        # The console opens on the latest week with quotes, with its preview.
        assert compiler.locator("#week-title").inner_text().startswith(WEEK.code)
        previewed = compiler.locator("#preview-composite").inner_text()
        assert previewed not in ("", "—", released_before)

        compiler.get_by_role("button", name=f"批准发布 {WEEK.code}").click()
        assert compiler.locator("#console-done").inner_text().startswith(f"{WEEK.code} 已批准")
        assert "前保密" in compiler.locator("#week-status").inner_text()

        # Approved, but its release time (Friday 16:00 in Ningbo) has not come.
        visitor.reload()
        assert visitor.locator("#latest-title").inner_text() == f"最新发布：{LAST_RELEASED.code}"
        assert visitor.locator("#latest-composite").inner_text() == released_before
        assert visitor.locator("#table-released").get_by_text(WEEK.code).count() == 0

        hub.clock.now = release_time(M, WEEK) - timedelta(seconds=1)
        visitor.reload()
        assert visitor.locator("#latest-title").inner_text() == f"最新发布：{LAST_RELEASED.code}"

        hub.clock.now = release_time(M, WEEK)
        visitor.reload()
        assert visitor.locator("#latest-title").inner_text() == f"最新发布：{WEEK.code}"
        assert visitor.locator("#latest-composite").inner_text() == previewed
        screenshot(visitor, "index-release")
