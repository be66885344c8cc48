"""The editorial workflow, confidentiality of reads, and what publishing queues."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from silkhub.alerts import audience, deliveries, service
from silkhub.alerts.models import Confidentiality, Delivery, ItemStatus
from silkhub.alerts.readers import PUBLIC, Reader
from silkhub.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from silkhub.stores.database import Database
from silkhub.stores.outbox import OutboxJob
from tests.alerts.conftest import Cast, alert_data

NOW = datetime(2020, 5, 6, 2, 0, tzinfo=UTC)


def _publish(store: Database, cast: Cast, **overrides: object) -> str:
    with store.transaction() as s:
        uid = service.create_item(s, cast.editor, "alert", alert_data(**overrides)).uid
        service.submit(s, cast.editor, uid)
        service.approve(s, cast.approver, uid)
        service.publish(s, cast.approver, uid, now=NOW)
    return uid


def test_draft_to_published_keeps_every_step(store: Database, cast: Cast) -> None:
    with store.transaction() as s:
        item = service.create_item(s, cast.editor, "alert", alert_data())
        assert item.uid.startswith("SH-ALERT-") and item.status == "draft"
        assert item.countries == "DE" and item.severity == "orange"
        uid = item.uid
    with store.reading() as s, pytest.raises(NotFound):
        service.get_item(s, uid, PUBLIC)  # a draft is not there for the public
    with store.transaction() as s:
        service.submit(s, cast.editor, uid)
        service.approve(s, cast.approver, uid)
        published = service.publish(s, cast.approver, uid, now=NOW)
        assert published.status == ItemStatus.PUBLISHED and published.published_version == 1
    with store.reading() as s:
        view = service.get_item(s, uid, PUBLIC)
        assert view.content["title"]["en"] == "Port strike"


def test_the_author_cannot_approve_their_own_item(store: Database, cast: Cast) -> None:
    both = cast.editor.__class__(
        **{**cast.editor.__dict__, "roles": cast.editor.roles | cast.approver.roles}
    )
    with store.transaction() as s:
        uid = service.create_item(s, both, "alert", alert_data()).uid
        service.submit(s, both, uid)
        with pytest.raises(PermissionDenied) as caught:
            service.approve(s, both, uid)
        assert caught.value.code == "approver_is_author"


def test_an_editor_cannot_approve(store: Database, cast: Cast) -> None:
    with store.transaction() as s:
        uid = service.create_item(s, cast.editor, "alert", alert_data()).uid
        service.submit(s, cast.editor, uid)
        with pytest.raises(PermissionDenied):
            service.approve(s, cast.editor, uid)


def test_bad_content_names_every_field_and_writes_nothing(store: Database, cast: Cast) -> None:
    with store.transaction() as s, pytest.raises(InvalidInput) as caught:
        service.create_item(
            s,
            cast.editor,
            "alert",
            alert_data(countries=["Atlantis"], severity="purple", title={"zh": "", "en": ""}),
        )
    fields = {p.location.field for p in caught.value.problems}
    assert {"countries[0]", "severity", "title"} <= fields
    atlantis = next(p for p in caught.value.problems if p.location.field == "countries[0]")
    assert "Atlantis" in atlantis.message.en and "Atlantis" in atlantis.message.zh
    with store.reading() as s:
        assert service.list_items(s, Reader(Confidentiality.PUBLIC, staff=True))[1] == 0


def test_an_update_is_a_new_version_and_readers_keep_the_old_until_it_is_published(
    store: Database, cast: Cast
) -> None:
    uid = _publish(store, cast)
    with store.transaction() as s:
        service.edit_item(s, cast.editor, uid, alert_data(severity="red"), note="worse")
    with store.reading() as s:
        assert service.get_item(s, uid, PUBLIC).version.content["severity"] == "orange"
        staff = Reader(Confidentiality.GOVERNMENT, staff=True)
        assert service.get_item(s, uid, staff, latest=True).version.content["severity"] == "red"
    with store.transaction() as s:
        service.submit(s, cast.editor, uid)
        service.approve(s, cast.approver, uid)
        service.publish(s, cast.approver, uid, now=NOW + timedelta(hours=1))
    with store.reading() as s:
        view = service.get_item(s, uid, PUBLIC)
        assert view.version.number == 2 and view.version.msg_type == "Update"
        assert [v.number for v in service.versions_of(s, uid, PUBLIC)] == [1, 2]


def test_cancel_needs_a_reason_and_is_a_version(store: Database, cast: Cast) -> None:
    uid = _publish(store, cast)
    with store.transaction() as s:
        with pytest.raises(InvalidInput):
            service.cancel(s, cast.approver, uid, "  ")
        item = service.cancel(s, cast.approver, uid, "The strike ended.", now=NOW)
        assert item.status == "cancelled" and item.versions[-1].msg_type == "Cancel"
    with store.transaction() as s, pytest.raises(Conflict):
        service.submit(s, cast.editor, uid)


@pytest.mark.parametrize(
    ("confidentiality", "public", "registered", "government"),
    [
        ("public", True, True, True),
        ("registered", False, True, True),
        ("government", False, False, True),
    ],
)
def test_confidentiality_of_reads(
    store: Database,
    cast: Cast,
    confidentiality: str,
    public: bool,
    registered: bool,
    government: bool,
) -> None:
    uid = _publish(store, cast, confidentiality=confidentiality)
    readers = {
        "public": (PUBLIC, public),
        "registered": (Reader(Confidentiality.REGISTERED), registered),
        "government": (Reader(Confidentiality.GOVERNMENT), government),
    }
    with store.reading() as s:
        for reader, expected in readers.values():
            items, _ = service.list_items(s, reader)
            assert (uid in [i.uid for i in items]) is expected
            if not expected:
                with pytest.raises(NotFound):
                    service.get_item(s, uid, reader)


def test_publishing_queues_one_delivery_per_person_and_channel(store: Database, cast: Cast) -> None:
    with store.transaction() as s:
        audience.subscribe(s, cast.trader.user_id, {"countries": ["DE"]})
        audience.subscribe(s, cast.trader.user_id, {"groups": ["eu"]})  # matches too: still one
        audience.subscribe(s, cast.official.user_id, {"countries": ["FR"]})  # does not match
        audience.subscribe(s, cast.adviser.user_id, {"min_severity": "red"})  # orange < red
    uid = _publish(store, cast)
    with store.reading() as s:
        rows = s.scalars(select(Delivery)).all()
        assert sorted((r.user_id, r.channel, r.status) for r in rows) == [
            (cast.trader.user_id, "email", "queued"),
            (cast.trader.user_id, "inbox", "sent"),
        ]
        jobs = s.scalars(select(OutboxJob).where(OutboxJob.kind == deliveries.DELIVER_JOB)).all()
        assert [j.payload["keys"] for j in jobs] == [
            [f"alert:{uid}:v1:{cast.trader.user_id}:email"]
        ]
    with store.transaction() as s:  # queueing again sends nothing twice
        item = service.get_item(s, uid, PUBLIC).item
        deliveries.queue_item(s, item, now=NOW)
    with store.reading() as s:
        assert len(s.scalars(select(Delivery)).all()) == 2


def test_a_government_only_item_reaches_only_departments(store: Database, cast: Cast) -> None:
    with store.transaction() as s:
        for person in (cast.trader, cast.official, cast.adviser):
            audience.subscribe(s, person.user_id, {})
    _publish(store, cast, confidentiality="government")
    with store.reading() as s:
        users = {r.user_id for r in s.scalars(select(Delivery))}
    assert users == {cast.official.user_id}


def test_scheduled_publication_waits_for_its_job(store: Database, cast: Cast) -> None:
    with store.transaction() as s:
        audience.subscribe(s, cast.trader.user_id, {})
        uid = service.create_item(s, cast.editor, "alert", alert_data()).uid
        service.submit(s, cast.editor, uid)
        service.approve(s, cast.approver, uid)
        item = service.publish(s, cast.approver, uid, at=NOW + timedelta(hours=2), now=NOW)
        assert item.status == "scheduled"
    with store.reading() as s:
        with pytest.raises(NotFound):
            service.get_item(s, uid, PUBLIC)
        assert s.scalars(select(Delivery)).all() == []
    with store.transaction() as s:
        assert service.publish_due(s, uid, 1, NOW + timedelta(hours=2))
        assert not service.publish_due(s, uid, 1, NOW + timedelta(hours=2))  # once only
    with store.reading() as s:
        assert service.get_item(s, uid, PUBLIC).item.published_at == NOW + timedelta(hours=2)
        assert len(s.scalars(select(Delivery)).all()) == 2


def test_fanned_out_rows_are_stored_as_every_other_write(store: Database, cast: Cast) -> None:
    """The fan-out writes through the driver: its timestamps must compare like the ORM's."""
    with store.transaction() as s:
        audience.subscribe(s, cast.trader.user_id, {})
    _publish(store, cast)
    with store.reading() as s:
        found = s.scalars(select(Delivery).where(Delivery.queued_at == NOW)).all()
        assert {d.channel for d in found} == {"email", "inbox"}
        assert all(d.queued_at == NOW and d.demo is False for d in found)
        inbox = next(d for d in found if d.channel == "inbox")
        assert inbox.sent_at == NOW and inbox.status == "sent"
