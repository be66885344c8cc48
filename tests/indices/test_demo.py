"""The demonstration panel: twelve members, three years of weekly releases, the basket change
of 2019 and one restatement, and the whole published history recomputed exactly from the
stored quotes (a "Done when" of the indices issue)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from silkhub.accounts.models import Organisation
from silkhub.indices import freight_reads, service
from silkhub.indices.demo import RESTATED_WEEK
from silkhub.indices.freight_schedule import release_time
from silkhub.indices.models import COMPOSITE, FreightQuote, PanelMember
from tests.conftest import DemoHub


def test_the_published_history_is_recomputed_exactly(demo_hub: DemoHub) -> None:
    with demo_hub.db.reading() as session:
        assert service.recompute(session) == []


def test_the_demo_panel_and_its_history(demo_hub: DemoHub) -> None:
    m = service.methodology()
    with demo_hub.db.reading() as session:
        members = session.scalars(select(PanelMember).order_by(PanelMember.code)).all()
        assert [p.code for p in members] == [f"F{k:02d}" for k in range(1, 13)]
        names = session.scalars(
            select(Organisation.name_en).where(
                Organisation.id.in_([p.organisation_id for p in members])
            )
        )
        assert all(n.startswith("Demo ") for n in names)  # labelled as invented
        assert session.scalar(select(func.count()).select_from(FreightQuote)) > 100_000
        views = freight_reads.release_views(session)
    weeks = [v.week for v in views]
    assert weeks[0] == "2018-W04" and weeks[-1] == "2020-W53" and len(weeks) == 154
    # Released at their scheduled times: Friday 16:00 in Ningbo.
    assert all(v.release_at == release_time(m, service.parse_week(v.week)) for v in views)
    by_week = {v.week: v for v in views}
    assert by_week["2019-W26"].basket == 1 and by_week["2019-W27"].basket == 2
    assert by_week["2019-W26"].value("EAF") is None and by_week["2019-W27"].value("EAF") is not None
    # The second half of 2020: Europe rose the most, the composite more than doubled.
    composite = {w: v.value().value for w, v in by_week.items() if v.value()}
    assert composite["2020-W53"] > 2 * composite["2020-W26"] > Decimal("1800")
    europe = by_week["2020-W53"].value("EUR")
    west_coast = by_week["2020-W53"].value("USWC")
    assert europe is not None and west_coast is not None and europe.value > west_coast.value
    # New Zealand is thin: some weeks carry its average forward, flagged.
    assert any(v.value("NZ") and v.value("NZ").carried_forward for v in views)  # type: ignore[union-attr]
    # One restatement, with its reason, both values and its time.
    restated = by_week[RESTATED_WEEK.code].restatements
    assert restated and {r.series for r in restated} >= {"EUR", COMPOSITE}
    assert all(r.old_value != r.new_value and "F05" in r.reason for r in restated)
    assert sum(len(v.restatements) for v in views) == len(restated)
