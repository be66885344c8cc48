"""The alerts API end to end, and the confidentiality test: every read route, as every kind of
reader, for items and bulletins of every confidentiality."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from silkhub.accounts import service as accounts
from silkhub.accounts.models import Organisation, OrgKind, Role
from silkhub.alerts import audience
from silkhub.alerts.cap import schema_errors
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.app import create_app
from tests.alerts.conftest import alert_data

NOW = datetime.now(UTC)


@dataclass
class Who:
    name: str
    headers: dict[str, str]
    user_id: int | None


@pytest.fixture
def app(settings: Settings, store: Database) -> FastAPI:
    return create_app(settings, db=store)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def readers(store: Database) -> dict[str, Who]:
    """Tokens for: an editor, an approver, a department official, an enterprise trader; and
    the public (no token)."""
    out = {"public": Who("public", {}, None)}
    with store.transaction() as session:
        orgs = {}
        for kind in (OrgKind.DEPARTMENT, OrgKind.ENTERPRISE):
            org = Organisation(name_zh=kind.value, name_en=kind.value, kind=kind)
            session.add(org)
            session.flush()
            orgs[kind] = org.id
        for name, role, org in (
            ("editor", Role.EDITOR, None),
            ("approver", Role.APPROVER, None),
            ("official", Role.SUBSCRIBER, orgs[OrgKind.DEPARTMENT]),
            ("trader", Role.SUBSCRIBER, orgs[OrgKind.ENTERPRISE]),
        ):
            user = accounts.create_user(
                session,
                email=f"{name}@example.org",
                display_name=name,
                password="correct horse battery",
                roles=[role],
            )
            user.organisation_id = org
            session.flush()
            token = accounts.create_token(session, user, name="t").secret
            out[name] = Who(name, {"authorization": f"Bearer {token}"}, user.id)
    return out


def _publish(client: TestClient, readers: dict[str, Who], **overrides: object) -> str:
    ed, ap = readers["editor"].headers, readers["approver"].headers
    made = client.post(
        "/api/alerts/items", json={"kind": "alert", "content": alert_data(**overrides)}, headers=ed
    )
    assert made.status_code == 201, made.text
    uid = made.json()["uid"]
    assert client.post(f"/api/alerts/items/{uid}/submit", headers=ed).status_code == 200
    assert client.post(f"/api/alerts/items/{uid}/approve", headers=ap).status_code == 200
    published = client.post(f"/api/alerts/items/{uid}/publish", headers=ap)
    assert published.status_code == 200 and published.json()["status"] == "published"
    return uid


def _publish_with_file(
    client: TestClient, readers: dict[str, Who], **overrides: object
) -> tuple[str, int]:
    ed, ap = readers["editor"].headers, readers["approver"].headers
    uid = client.post(
        "/api/alerts/items", json={"kind": "alert", "content": alert_data(**overrides)}, headers=ed
    ).json()["uid"]
    added = client.post(
        f"/api/alerts/items/{uid}/attachments",
        files={"file": ("circular.pdf", b"%PDF-1.4 test", "application/pdf")},
        headers=ed,
    )
    assert added.status_code == 201, added.text
    for step, who in (("submit", ed), ("approve", ap), ("publish", ap)):
        assert client.post(f"/api/alerts/items/{uid}/{step}", headers=who).status_code == 200
    return uid, added.json()["id"]


def test_attachments(client: TestClient, readers: dict[str, Who]) -> None:
    ed = readers["editor"].headers
    uid, file_id = _publish_with_file(client, readers)
    got = client.get(f"/api/alerts/items/{uid}/attachments/{file_id}")
    assert got.status_code == 200 and got.content == b"%PDF-1.4 test"
    assert "circular.pdf" in got.headers["content-disposition"]
    # A published version takes no more files; a renamed executable is refused.
    late = client.post(
        f"/api/alerts/items/{uid}/attachments",
        files={"file": ("b.pdf", b"%PDF-x", "application/pdf")},
        headers=ed,
    )
    assert late.status_code == 409
    draft = client.post(
        "/api/alerts/items", json={"kind": "alert", "content": alert_data()}, headers=ed
    ).json()["uid"]
    fake = client.post(
        f"/api/alerts/items/{draft}/attachments",
        files={"file": ("x.pdf", b"MZ\x90\x00", "application/pdf")},
        headers=ed,
    )
    assert fake.status_code == 422 and "x.pdf" in fake.text
    # An edit of the published item starts a new version that keeps the file; readers still
    # get it from the published version.
    client.put(f"/api/alerts/items/{uid}", json={"content": alert_data(severity="red")}, headers=ed)
    assert client.get(f"/api/alerts/items/{uid}/attachments/{file_id}").status_code == 200
    assert (
        client.get(f"/api/alerts/items/{uid}?latest=true", headers=ed).json()["content"][
            "attachments"
        ][0]["id"]
        == file_id
    )


def test_workflow_over_the_api(client: TestClient, readers: dict[str, Who]) -> None:
    ed = readers["editor"].headers
    made = client.post(
        "/api/alerts/items", json={"kind": "alert", "content": alert_data()}, headers=ed
    )
    uid = made.json()["uid"]
    # The author may not approve (an editor has no approver role: 403, named in the body).
    refused = client.post(f"/api/alerts/items/{uid}/approve", headers=ed)
    assert refused.status_code == 403
    # Bad content: 422 with every field named.
    bad = client.post(
        "/api/alerts/items",
        json={"kind": "alert", "content": alert_data(severity="purple", countries=["Atlantis"])},
        headers={**ed, "accept-language": "en"},
    )
    assert bad.status_code == 422
    fields = {p["location"].get("field") for p in bad.json()["error"]["problems"]}
    assert {"severity", "countries[0]"} <= fields


def test_cap_document_of_a_published_alert_validates(
    client: TestClient, readers: dict[str, Who]
) -> None:
    uid = _publish(client, readers)
    cap = client.get(f"/api/alerts/items/{uid}/cap.xml")
    assert cap.status_code == 200 and cap.headers["content-type"].startswith("application/cap+xml")
    assert schema_errors(cap.content) == []
    feed = feedparser.parse(client.get("/feeds/alerts.atom").content)
    (entry,) = feed.entries
    href = next(link.href for link in entry.links if link.type == "application/cap+xml")
    linked = client.get(href.replace(str(client.base_url), "").replace("http://127.0.0.1:8000", ""))
    assert schema_errors(linked.content) == []


# --- confidentiality ------------------------------------------------------------------------

#: Who may read what: reader -> the confidentialities they see.
MAY_READ = {
    "public": {"public"},
    "trader": {"public", "registered"},
    "official": {"public", "registered", "government"},
    "editor": {"public", "registered", "government"},
}

#: Every GET route of the alerts API and feeds, with how the test reaches it for an item or a
#: bulletin (``{uid}``, ``{series}``, ``{number}``, ``{token}`` filled in), and whether it is
#: for staff only (then: others get 401/403 whatever the confidentiality).
ROUTES: dict[str, tuple[str, str]] = {
    "/api/alerts/items": ("list", "/api/alerts/items"),
    "/api/alerts/items/{uid}": ("item", "/api/alerts/items/{uid}"),
    "/api/alerts/items/{uid}/versions": ("item", "/api/alerts/items/{uid}/versions"),
    "/api/alerts/items/{uid}/cap.xml": ("item", "/api/alerts/items/{uid}/cap.xml"),
    "/api/alerts/items/{uid}/attachments/{attachment_id}": (
        "item",
        "/api/alerts/items/{uid}/attachments/{attachment}",
    ),
    "/api/alerts/items/{uid}/deliveries": ("staff", "/api/alerts/items/{uid}/deliveries"),
    "/api/alerts/items/{uid}/coverage": ("staff", "/api/alerts/items/{uid}/coverage"),
    "/api/alerts/series": ("series", "/api/alerts/series"),
    "/api/alerts/bulletins": ("bulletin-list", "/api/alerts/bulletins"),
    "/api/alerts/bulletins/{series}/{number}": ("bulletin", "/api/alerts/bulletins/{series}/1"),
    "/api/alerts/bulletins/{series}/{number}/coverage": (
        "staff",
        "/api/alerts/bulletins/{series}/1/coverage",
    ),
    "/api/alerts/bulletins/{series}/{number}/deliveries": (
        "staff",
        "/api/alerts/bulletins/{series}/1/deliveries",
    ),
    "/api/alerts/coverage": (
        "staff",
        "/api/alerts/coverage?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
    ),
    "/api/alerts/me/preferences": ("me", "/api/alerts/me/preferences"),
    "/api/alerts/me/subscriptions": ("me", "/api/alerts/me/subscriptions"),
    "/api/alerts/me/inbox": ("inbox", "/api/alerts/me/inbox"),
    "/feeds/alerts.atom": ("feed", "/feeds/alerts.atom"),
    "/feeds/private/{token}.atom": ("private-feed", "/feeds/private/{token}.atom"),
}


def test_every_get_route_of_the_alerts_is_in_the_confidentiality_table(app: FastAPI) -> None:
    paths = {
        path
        for path, methods in app.openapi()["paths"].items()
        if "get" in methods and path.startswith(("/api/alerts", "/feeds"))
    }
    assert paths == set(ROUTES), "a new read route needs a confidentiality case here"


def test_confidentiality_on_every_route_for_every_reader(
    client: TestClient, readers: dict[str, Who], store: Database
) -> None:
    with store.transaction() as session:
        for level in ("public", "registered", "government"):
            audience.define_target_list(
                session, f"t-{level}", level, level, rule={"kind": "department"}
            )
        for who in ("official", "trader"):
            audience.subscribe(session, readers[who].user_id, {})
    uids: dict[str, str] = {}
    attached: dict[str, int] = {}
    for level in MAY_READ["official"]:
        title = {"zh": f"标题{level}", "en": f"Title {level}"}
        uids[level], attached[level] = _publish_with_file(
            client, readers, confidentiality=level, title=title
        )
    ed = readers["editor"].headers
    for level in uids:
        series = client.post(
            "/api/alerts/series",
            json={
                "code": f"s-{level}",
                "name_zh": level,
                "name_en": level,
                "confidentiality": level,
            },
            headers=ed,
        )
        assert series.status_code == 201
        made = client.post(
            "/api/alerts/bulletins",
            json={
                "series": f"s-{level}",
                "period_from": (NOW - timedelta(days=1)).isoformat(),
                "period_to": (NOW + timedelta(days=1)).isoformat(),
            },
            headers=ed,
        )
        assert made.status_code == 201, made.text
        assert (
            client.post(f"/api/alerts/bulletins/s-{level}/1/publish", headers=ed).status_code == 200
        )
    tokens = {}
    for who in ("official", "trader"):
        tokens[who] = (
            client.post("/api/alerts/me/feed-token", headers=readers[who].headers)
            .json()["url"]
            .rsplit("/", 1)[1]
            .removesuffix(".atom")
        )

    checked = 0
    for who, allowed in MAY_READ.items():
        headers = readers[who].headers
        for level, uid in uids.items():
            visible = level in allowed
            for shape, url in ROUTES.values():
                target = url.format(
                    uid=uid,
                    series=f"s-{level}",
                    token=tokens.get(who, "none"),
                    attachment=attached[level],
                )
                answer = client.get(target, headers=headers)
                body = answer.text
                if shape == "staff":
                    assert (answer.status_code == 200) is (who == "editor"), (
                        who,
                        target,
                        answer.status_code,
                    )
                elif shape in ("item", "bulletin"):
                    assert (answer.status_code == 200) is visible, (
                        who,
                        level,
                        target,
                        answer.status_code,
                    )
                    if not visible:
                        assert answer.status_code == 404  # not 403: existence does not leak
                elif shape in ("list", "bulletin-list", "feed"):
                    assert answer.status_code == 200
                    present = uid in body or f"s-{level}" in body
                    expected = visible and (shape != "feed" or level == "public")
                    assert present is expected, (who, level, target)
                elif shape == "series":
                    assert (f"s-{level}" in body) is visible, (who, level)
                elif shape in ("inbox", "private-feed", "me"):
                    if who not in tokens:
                        assert answer.status_code in (401, 404) or who == "editor"
                        continue
                    assert answer.status_code == 200
                    if shape != "me":
                        assert (
                            f"Title {level}" in body or f"标题{level}" in body or uid in body
                        ) is visible, (who, level, target)
                checked += 1
    assert checked > 150
