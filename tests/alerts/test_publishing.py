"""CAP documents of published alerts, and the feeds."""

from __future__ import annotations

from datetime import timedelta

import feedparser
from lxml import etree

from silkhub.alerts import audience, publishing, service
from silkhub.alerts.cap import schema_errors
from silkhub.alerts.models import Confidentiality
from silkhub.alerts.readers import PUBLIC, Reader
from silkhub.stores.database import Database
from tests.alerts.conftest import Cast, alert_data
from tests.alerts.test_service import NOW, _publish

BASE = "https://hub.example.org"
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}


def test_every_version_is_a_valid_cap_message_referencing_the_earlier(
    store: Database, cast: Cast
) -> None:
    uid = _publish(store, cast)
    with store.transaction() as s:
        service.edit_item(s, cast.editor, uid, alert_data(severity="red"), note="worse")
        service.submit(s, cast.editor, uid)
        service.approve(s, cast.approver, uid)
        service.publish(s, cast.approver, uid, now=NOW + timedelta(hours=1))
        service.cancel(s, cast.approver, uid, "over", now=NOW + timedelta(hours=2))
    with store.reading() as s:
        item = service.get_item(s, uid, PUBLIC).item
        docs = [publishing.cap_xml(item, v, BASE) for v in item.versions]
    for doc in docs:
        assert schema_errors(doc) == []
    kinds = [etree.fromstring(d).findtext("cap:msgType", namespaces=NS) for d in docs]
    assert kinds == ["Alert", "Update", "Cancel"]
    cancel = etree.fromstring(docs[2])
    refs = cancel.findtext("cap:references", namespaces=NS).split()
    assert [r.split(",")[1] for r in refs] == [uid, f"{uid}.2"]
    info = cancel.findall("cap:info", namespaces=NS)
    assert [i.findtext("cap:language", namespaces=NS) for i in info] == ["zh-CN", "en-US"]
    assert info[1].findtext("cap:severity", namespaces=NS) == "Extreme"  # red


def test_public_feed_lists_public_alerts_only_and_links_their_cap(
    store: Database, cast: Cast
) -> None:
    public = _publish(store, cast)
    restricted = _publish(store, cast, confidentiality="registered")
    with store.reading() as s:
        xml = publishing.public_feed(s, BASE, "en")
    feed = feedparser.parse(xml)
    assert not feed.bozo
    ids = [e.link for e in feed.entries]
    assert any(public in i for i in ids) and not any(restricted in i for i in ids)
    (entry,) = feed.entries
    cap = [link for link in entry.links if link.type == "application/cap+xml"]
    assert (
        cap and cap[0].rel == "alternate" and f"/api/alerts/items/{public}/cap.xml" in cap[0].href
    )


def test_private_feed_shows_a_persons_restricted_items(store: Database, cast: Cast) -> None:
    with store.transaction() as s:
        audience.subscribe(s, cast.trader.user_id, {})
        token = audience.issue_feed_token(s, cast.trader.user_id)
    uid = _publish(store, cast, confidentiality="registered")
    with store.reading() as s:
        sub = audience.feed_subscriber(s, token)
        xml = publishing.private_feed(
            s, sub.user_id, Reader(Confidentiality.REGISTERED), BASE, "zh", token
        )
    feed = feedparser.parse(xml)
    assert [uid in e.link for e in feed.entries] == [True]
