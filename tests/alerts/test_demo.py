"""The demonstration year of the alerts service: the source document's figures counted from
recorded deliveries, the public feed and its CAP documents, and every feature present."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from silkhub.accounts.models import Organisation
from silkhub.alerts import coverage, publishing
from silkhub.alerts.cap import schema_errors
from silkhub.alerts.models import AlertItem, Delivery, ItemStatus
from silkhub.settings import Settings
from silkhub.web.app import create_app
from tests.conftest import DemoHub

YEAR = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2021, 1, 1, tzinfo=UTC))


def test_the_year_in_the_source_documents_words(demo_hub: DemoHub) -> None:
    with demo_hub.db.reading() as session:
        totals = coverage.period_totals(session, *YEAR)
        deliveries = session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.bulletin_id.is_not(None))
        )
    assert totals.bulletins == 61 and totals.items > 3000
    reached = {k: (v.targeted, v.reached) for k, v in totals.kinds.items()}
    assert reached == {
        "department": (38, 38),
        "enterprise": (1000, 1000),
        "service_agency": (40, 40),
    }
    assert (
        totals.sentence("zh")
        == f"编发61期，推送信息{totals.items}条，覆盖38个政府部门、1000家企业、40家服务机构。"
    )
    assert totals.deliveries == deliveries  # counted from the log, not entered


def test_every_demo_organisation_is_labelled(demo_hub: DemoHub) -> None:
    with demo_hub.db.reading() as session:
        names = session.execute(select(Organisation.name_zh, Organisation.name_en)).all()
    assert all(zh.startswith("演示") and en.startswith("Demo") for zh, en in names)


def test_public_feed_parses_and_every_linked_cap_document_validates(demo_hub: DemoHub) -> None:
    settings = Settings(data_dir=demo_hub.data_dir, secret_key="test-secret-key-not-for-production")
    with TestClient(create_app(settings, db=demo_hub.db)) as client:
        answer = client.get("/feeds/alerts.atom")
        feed = feedparser.parse(answer.content)
        assert answer.status_code == 200 and not feed.bozo and len(feed.entries) >= 20
        caps = [
            link.href
            for entry in feed.entries
            for link in entry.links
            if link.type == "application/cap+xml" and link.rel == "alternate"
        ]
        assert len(caps) >= 10
        for href in caps:
            document = client.get(href.replace(settings.base_url, ""))
            assert document.status_code == 200
            assert schema_errors(document.content) == [], href


def test_the_workflow_shows_in_the_demo(demo_hub: DemoHub) -> None:
    with demo_hub.db.reading() as session:
        statuses = dict(
            session.execute(select(AlertItem.status, func.count()).group_by(AlertItem.status)).all()
        )
        updated = session.scalars(select(AlertItem).where(AlertItem.published_version > 1)).all()
        kinds = {v.msg_type for i in updated for v in i.versions}
        tbt = session.scalars(
            select(AlertItem.symbol).where(AlertItem.original_id.is_not(None))
        ).all()
    assert statuses[ItemStatus.DRAFT] >= 1 and statuses[ItemStatus.SUBMITTED] >= 1
    assert statuses[ItemStatus.CANCELLED] >= 1
    assert {"Alert", "Update", "Cancel"} <= kinds
    assert tbt == ["G/TBT/N/EU/9001/Add.1"]
    assert publishing.sender_of("http://127.0.0.1:8000") == "alerts@127.0.0.1"
