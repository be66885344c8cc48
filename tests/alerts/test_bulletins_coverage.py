"""Bulletins compiled from published items, their rendering, and coverage counted from
deliveries."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from silkhub.alerts import audience, bulletins, coverage, deliveries
from silkhub.alerts.models import Bulletin
from silkhub.alerts.readers import PUBLIC
from silkhub.core.errors import InvalidInput
from silkhub.stores.database import Database
from tests.alerts.conftest import Cast
from tests.alerts.test_service import NOW, _publish


def _series(store: Database, cast: Cast) -> None:
    with store.transaction() as s:
        audience.define_target_list(
            s, "departments", "部门", "Departments", rule={"kind": "department"}
        )
        audience.define_target_list(
            s, "enterprises", "企业", "Enterprises", members=[cast.orgs["enterprise"]]
        )
        bulletins.create_series(
            s,
            "hotspots",
            "境外疫情防控热点动态",
            "Pandemic hotspots abroad",
            target_lists=["departments", "enterprises"],
        )
        audience.subscribe(s, cast.official.user_id, {"series": ["hotspots"]})


def test_bulletin_from_a_period_rendered_and_delivered(store: Database, cast: Cast) -> None:
    _series(store, cast)
    first = _publish(store, cast)
    _publish(store, cast, confidentiality="government")  # not in a public series
    with store.transaction() as s:
        b = bulletins.compile_bulletin(
            s,
            cast.editor,
            "hotspots",
            period_from=NOW - timedelta(days=1),
            period_to=NOW + timedelta(days=1),
        )
        assert b.number == 1 and [e.item.uid for e in b.entries] == [first]
        bulletins.publish_bulletin(s, cast.editor, b.id, now=NOW)
        bid = b.id
    with store.reading() as s:
        b = bulletins.get_bulletin(s, "hotspots", 1, PUBLIC)
        html = bulletins.to_html(b, "zh")
        assert "第1期" in html and "港口工人罢工" in html
        pdf = bulletins.to_pdf(b, "en")
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert "Pandemic hotspots abroad, issue 1" in text and "Dock workers strike" in text
        assert pdf == bulletins.to_pdf(b, "en")  # invariant
        log = deliveries.delivery_log(s, bulletin_id=bid)
        assert sorted(x.delivery.channel for x in log) == ["email", "inbox"]
        cov = coverage.of_bulletin(s, s.get(Bulletin, bid))
    assert cov.kinds["department"].targeted == 1 and cov.kinds["department"].reached == 1
    assert cov.kinds["enterprise"].reached == 0
    (missing,) = cov.not_reached
    assert missing.organisation_id == cast.orgs["enterprise"] and missing.reason == "no_subscriber"
    assert "no_subscriber" not in coverage.coverage_csv(cov, "en")  # reasons are words


def test_an_empty_period_is_refused(store: Database, cast: Cast) -> None:
    _series(store, cast)
    with store.transaction() as s, pytest.raises(InvalidInput):
        bulletins.compile_bulletin(
            s, cast.editor, "hotspots", period_from=NOW, period_to=NOW + timedelta(days=1)
        )


def test_period_totals_in_the_source_documents_words(store: Database, cast: Cast) -> None:
    _series(store, cast)
    _publish(store, cast)
    with store.transaction() as s:
        b = bulletins.compile_bulletin(
            s,
            cast.editor,
            "hotspots",
            period_from=NOW - timedelta(days=1),
            period_to=NOW + timedelta(days=1),
        )
        bulletins.publish_bulletin(s, cast.editor, b.id, now=NOW)
    with store.reading() as s:
        totals = coverage.period_totals(s, NOW - timedelta(days=30), NOW + timedelta(days=30))
    assert (totals.bulletins, totals.items) == (1, 1)
    assert totals.sentence("zh") == "编发1期，推送信息1条，覆盖1个政府部门、0/1家企业。"
    assert (
        totals.sentence("en")
        == "1 issue, 1 item pushed, reaching 1 government department and 0/1 enterprise."
    )


def test_period_totals_without_anyone_to_reach(store: Database) -> None:
    with store.reading() as s:
        totals = coverage.period_totals(s, NOW - timedelta(days=1), NOW)
    assert totals.sentence("en") == "0 issues, 0 items pushed."
    assert totals.sentence("zh") == "编发0期，推送信息0条。"
