"""The logistics workspaces: the operator's event upload (a file is one batch; its problem
report names line and field in the reader's language; a good file's summary counts new,
replaced, unchanged and retracted events and links the transports and containers) and the
callback subscriptions page (the secret shown once, rotated, deleted; mistakes named), each
for the roles that may use it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from silkhub.accounts.models import Role
from silkhub.logistics import service
from silkhub.logistics.models import Subscription, TntEvent
from silkhub.stores.audit import AuditEntry
from silkhub.stores.database import Database
from tests.logistics.factory import CONTAINER, equipment_event, shipment_event
from tests.web.conftest import Person, csrf_from, signed_in

HTML = {"accept": "text/html"}
UPLOAD = "/{lang}/logistics/upload"
SUBS = "/{lang}/logistics/subscriptions"
TRAIN = "X8001-20200501"
CALLBACK = "https://consumer.example.org/tnt/events"


def ndjson(*docs: dict[str, Any]) -> bytes:
    return "".join(json.dumps(d) + "\n" for d in docs).encode()


def post_file(client: TestClient, lang: str, name: str, content: bytes, **form: str) -> Any:
    page = client.get(UPLOAD.format(lang=lang), headers=HTML)
    assert page.status_code == 200, page.text
    return client.post(
        UPLOAD.format(lang=lang),
        data={"csrf_token": csrf_from(page.text), **form},
        files={"file": (name, content, "application/octet-stream")},
        headers=HTML,
    )


def events_stored(db: Database) -> int:
    with db.reading() as session:
        return session.execute(select(func.count()).select_from(TntEvent)).scalar_one()


# --- who may see them ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "upload", "subscriptions"),
    [
        (Role.LOGISTICS_OPERATOR, 200, 200),
        (Role.ADMIN, 200, 200),
        (Role.SUBSCRIBER, 403, 200),
        (Role.API_CLIENT, 403, 200),
        (Role.ANALYST, 403, 403),
        (Role.EDITOR, 403, 403),
    ],
)
def test_each_page_for_each_role(
    client: TestClient,
    people: dict[Role, Person],
    role: Role,
    upload: int,
    subscriptions: int,
) -> None:
    signed_in(client, people[role])
    assert client.get("/en/logistics/upload", headers=HTML).status_code == upload
    assert client.get("/en/logistics/subscriptions", headers=HTML).status_code == subscriptions


def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    for path in ("/zh/logistics/upload", "/zh/logistics/subscriptions"):
        answer = client.get(path, headers=HTML, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/zh/login?next={path}"


def test_the_navigation_links_each_workspace_for_its_roles(
    client: TestClient, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.LOGISTICS_OPERATOR])
    page = client.get("/zh/track", headers=HTML).text
    # In the site's navigation and in the logistics pages' tabs.
    assert page.count('href="/zh/logistics/upload"') == 2 and "事件上传" in page
    assert page.count('href="/zh/logistics/subscriptions"') == 2 and "事件订阅" in page
    upload = client.get("/zh/logistics/upload", headers=HTML).text
    assert 'href="/zh/track"' in upload  # the public tabs too
    client.cookies.clear()
    assert 'href="/zh/logistics/upload"' not in client.get("/zh/track", headers=HTML).text
    signed_in(client, people[Role.SUBSCRIBER])
    page = client.get("/en/track", headers=HTML).text
    assert 'href="/en/logistics/subscriptions"' in page
    assert 'href="/en/logistics/upload"' not in page


# --- the upload ------------------------------------------------------------------------------


def test_a_good_file_is_stored_and_summarised(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    with db.transaction() as session:
        service.register_transport(
            session,
            mode="RAIL",
            reference=TRAIN,
            name="X8001",
            stops=[service.StopIn("CNYIU", "origin"), service.StopIn("DEDUI", "destination")],
        )
    signed_in(client, people[Role.LOGISTICS_OPERATOR])
    first = post_file(client, "en", "first.ndjson", ndjson(equipment_event("e1")))
    assert first.status_code == 200, first.text
    assert 'data-count="new">1<' in first.text
    assert f'href="/en/logistics/transports/RAIL/{TRAIN}"' in first.text
    assert f'href="/en/track?by=equipment&amp;ref={CONTAINER}"' in first.text
    # A later version of e1, e1 again unchanged is not possible in one file (the same
    # version twice is refused), so: e1 replaced, e2 new, s1 new and then retracted.
    later = equipment_event("e1", updated="2020-05-01T09:00:00Z", type_code="DISC")
    retraction = {**shipment_event("s1", updated="2020-04-21T08:00:00Z"), "isRetracted": True}
    second = post_file(
        client,
        "en",
        "second.ndjson",
        ndjson(later, equipment_event("e2"), shipment_event("s1"), retraction),
    )
    assert second.status_code == 200, second.text
    text = second.text
    assert 'data-count="new">2<' in text  # e2 and s1
    assert 'data-count="replaced">1<' in text  # e1
    assert 'data-count="retracted">1<' in text
    assert 'data-count="stored">4<' in text
    third = post_file(client, "zh", "again.ndjson", ndjson(equipment_event("e2")))
    assert third.status_code == 200
    assert 'data-count="unchanged">1<' in third.text and 'data-count="new">0<' in third.text
    assert "已存有、未变的版本" in third.text
    with db.reading() as session:
        row = session.execute(select(TntEvent).where(TntEvent.event_id == "e2")).scalar_one()
    assert row.source == "file:second.ndjson"
    assert row.received_by == "logistics_operator@example.org"


def test_a_file_with_errors_stores_nothing_and_names_line_and_field(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.LOGISTICS_OPERATOR])
    bad = equipment_event("e2", container="APZU4812091")  # a wrong check digit
    content = ndjson(equipment_event("e1"), bad)
    en = post_file(client, "en", "bad.ndjson", content)
    assert en.status_code == 422
    assert "Rejected: nothing was stored" in en.text
    assert "the check digit should be 0, not 1" in en.text
    assert (
        '<td class="num">2</td><td><code>$.events[1].equipmentDetails.equipmentReference'
        in (en.text)
        or "equipmentDetails.equipmentReference" in en.text
    )
    zh = post_file(client, "zh", "bad.ndjson", content)
    assert zh.status_code == 422 and "未存入任何内容" in zh.text and "校验位" in zh.text
    assert events_stored(db) == 0


def test_csv_problems_name_the_column(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.ADMIN])
    content = b"eventID,eventUpdatedDateTime,Colour\nc1,2020-05-01T08:00:00Z,red\n"
    answer = post_file(client, "en", "events.csv", content)
    assert answer.status_code == 422
    assert "Unknown column &#39;Colour&#39;." in answer.text
    assert "<code>Colour</code>" in answer.text
    assert events_stored(db) == 0


def test_a_file_of_no_known_format_and_a_missing_file(
    client: TestClient, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.LOGISTICS_OPERATOR])
    wrong = post_file(client, "en", "events.xlsx", b"PK")
    assert wrong.status_code == 422 and "the format is not known" in wrong.text
    page = client.get("/zh/logistics/upload", headers=HTML)
    none = client.post(
        "/zh/logistics/upload", data={"csrf_token": csrf_from(page.text)}, headers=HTML
    )
    assert none.status_code == 422 and "请选择要上传的事件文件" in none.text


def test_the_upload_needs_the_forms_csrf_token(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.LOGISTICS_OPERATOR])
    answer = client.post(
        "/en/logistics/upload",
        files={"file": ("a.ndjson", ndjson(equipment_event("e1")), "application/x-ndjson")},
        headers=HTML,
    )
    assert answer.status_code == 403 and "CSRF" in answer.text
    assert events_stored(db) == 0


# --- subscriptions ----------------------------------------------------------------------------


def form_post(client: TestClient, lang: str, path: str, data: dict[str, Any]) -> Any:
    page = client.get(SUBS.format(lang=lang), headers=HTML)
    assert page.status_code == 200
    return client.post(
        path.format(lang=lang),
        data={"csrf_token": csrf_from(page.text), **data},
        headers=HTML,
        follow_redirects=False,
    )


def secret_on(html: str) -> str:
    start = html.index('id="new-secret">') + len('id="new-secret">')
    return html[start : html.index("<", start)]


def test_create_rotate_and_delete_a_subscription(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.SUBSCRIBER])
    made = form_post(
        client,
        "en",
        SUBS,
        {"callback_url": CALLBACK, "equipment": CONTAINER, "event_types": ["EQUIPMENT"]},
    )
    assert made.status_code == 200, made.text
    assert "Copy its secret now" in made.text
    secret = secret_on(made.text)
    with db.reading() as session:
        sub = session.execute(select(Subscription)).scalar_one()
        assert sub.secret == secret
        assert sub.filters == {"equipmentReference": CONTAINER, "eventTypes": ["EQUIPMENT"]}
        sub_id = sub.id
    listed = client.get("/en/logistics/subscriptions", headers=HTML).text
    assert CALLBACK in listed and secret not in listed  # shown once
    rotated = form_post(client, "zh", SUBS + f"/{sub_id}/secret", {})
    assert rotated.status_code == 200 and "已轮换" in rotated.text
    new_secret = secret_on(rotated.text)
    assert new_secret != secret
    with db.reading() as session:
        assert session.get(Subscription, sub_id).secret == new_secret  # type: ignore[union-attr]
        audited = (
            session.execute(
                select(AuditEntry).where(AuditEntry.entity == "logistics_subscriptions")
            )
            .scalars()
            .all()
        )
    assert [e.action for e in audited] == ["insert", "update"]
    assert all(e.actor == "subscriber@example.org" for e in audited)
    assert audited[1].changes["secret"] == "[redacted]"
    gone = form_post(client, "en", SUBS + f"/{sub_id}/delete", {})
    assert gone.status_code == 303
    page = client.get(gone.headers["location"], headers=HTML)
    assert "The subscription was deleted." in page.text and CALLBACK not in page.text


def test_someone_elses_subscription_is_not_found(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.SUBSCRIBER])
    form_post(client, "en", SUBS, {"callback_url": CALLBACK, "booking": "B1"})
    with db.reading() as session:
        sub_id = session.execute(select(Subscription.id)).scalar_one()
    signed_in(client, people[Role.API_CLIENT])
    assert CALLBACK not in client.get("/en/logistics/subscriptions", headers=HTML).text
    assert form_post(client, "en", SUBS + f"/{sub_id}/delete", {}).status_code == 404
    signed_in(client, people[Role.ADMIN])
    everyone = client.get("/en/logistics/subscriptions", headers=HTML).text
    assert CALLBACK in everyone and "subscriber@example.org" in everyone


@pytest.mark.parametrize(
    ("lang", "url", "expected"),
    [
        ("en", "ftp://consumer.example.org/x", "must be an http or https URL"),
        ("zh", "ftp://consumer.example.org/x", "应为 http 或 https 网址"),
        ("en", "http://127.0.0.1:9000/hook", "points at this server itself"),
        ("zh", "http://localhost/hook", "指向本服务器自身"),
    ],
)
def test_bad_callbacks_are_named_in_the_readers_language(
    client: TestClient, db: Database, people: dict[Role, Person], lang: str, url: str, expected: str
) -> None:
    signed_in(client, people[Role.LOGISTICS_OPERATOR])
    answer = form_post(client, lang, SUBS, {"callback_url": url, "booking": "B1"})
    assert answer.status_code == 422
    assert expected in answer.text
    assert ("Callback URL" if lang == "en" else "回调地址") in answer.text
    assert f'value="{url}"' in answer.text  # the form keeps what was typed
    with db.reading() as session:
        assert session.execute(select(func.count()).select_from(Subscription)).scalar_one() == 0


def test_a_subscription_needs_a_filter(client: TestClient, people: dict[Role, Person]) -> None:
    signed_in(client, people[Role.API_CLIENT])
    answer = form_post(client, "en", SUBS, {"callback_url": CALLBACK})
    assert answer.status_code == 422 and "at least one" in answer.text


def test_subscription_forms_need_the_csrf_token(
    client: TestClient, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.SUBSCRIBER])
    answer = client.post(
        "/en/logistics/subscriptions",
        data={"callback_url": CALLBACK, "booking": "B1"},
        headers=HTML,
    )
    assert answer.status_code == 403 and "CSRF" in answer.text
