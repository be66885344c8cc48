"""The accounts API's answers: what each route returns, field by field."""

from __future__ import annotations

from fastapi.testclient import TestClient

from silkhub.accounts.models import Role
from tests.web.conftest import Person, as_token


def test_me(client: TestClient, people: dict[Role, Person]) -> None:
    body = client.get("/api/accounts/me", headers=as_token(people[Role.EDITOR])).json()
    assert body == {
        "user_id": body["user_id"],
        "email": "editor@example.org",
        "display_name": "Test editor",
        "roles": ["editor"],
        "language": "zh",
        "organisation_id": None,
        "via": "token",
    }


def test_people_and_organisations(client: TestClient, people: dict[Role, Person]) -> None:
    admin = as_token(people[Role.ADMIN])
    org = client.post(
        "/api/accounts/organisations",
        json={
            "name_zh": "演示企业",
            "name_en": "Demo Co.",
            "kind": "enterprise",
            "country": "Czech Republic",
        },
        headers=admin,
    )
    assert org.status_code == 201
    assert org.json()["country"] == "CZ"
    assert org.json()["kind"] == "enterprise"
    made = client.post(
        "/api/accounts/users",
        json={
            "email": "New@Example.org",
            "display_name": "New",
            "password": "long enough pw",
            "roles": ["subscriber", "editor"],
            "organisation_id": org.json()["id"],
        },
        headers=admin,
    ).json()
    assert made["email"] == "new@example.org"
    assert made["roles"] == ["editor", "subscriber"]
    assert made["organisation_id"] == org.json()["id"]
    assert made["is_active"] is True
    assert "password" not in str(made)
    listed = client.get("/api/accounts/users", headers=admin).json()
    assert "new@example.org" in [u["email"] for u in listed]
    orgs = client.get("/api/accounts/organisations", headers=admin).json()
    # The fixture's carrier (the panelist's organisation) and the one made here.
    assert sorted(o["name_en"] for o in orgs) == ["Demo Co.", "Test Carrier"]


def test_tokens_round_trip(client: TestClient, people: dict[Role, Person]) -> None:
    approver = as_token(people[Role.APPROVER])
    made = client.post("/api/accounts/tokens", json={"name": "ci"}, headers=approver)
    assert made.status_code == 201
    body = made.json()
    assert body["roles"] == ["approver"]
    assert body["token"].startswith(f"shk_{body['prefix']}_")
    assert body["revoked_at"] is None
    mine = client.get("/api/accounts/tokens", headers=approver).json()
    assert {t["name"] for t in mine} == {"test", "ci"}
    assert all("token" not in t for t in mine)  # never again
    # A token may not mint a stronger one.
    stronger = client.post(
        "/api/accounts/tokens",
        json={"name": "x", "roles": ["admin"]},
        headers={"authorization": f"Bearer {body['token']}"},
    )
    assert stronger.status_code == 403
    revoked = client.delete(f"/api/accounts/tokens/{body['id']}", headers=approver).json()
    assert revoked["revoked_at"] is not None
    gone = client.get("/api/accounts/me", headers={"authorization": f"Bearer {body['token']}"})
    assert gone.status_code == 401


def test_audit_log(client: TestClient, people: dict[Role, Person]) -> None:
    admin = as_token(people[Role.ADMIN])
    client.post(
        "/api/accounts/organisations",
        json={"name_zh": "甲", "name_en": "A", "kind": "other"},
        headers=admin,
    )
    page = client.get(
        "/api/accounts/audit", params={"entity": "organisations"}, headers=admin
    ).json()
    # Newest first: the organisation made here, then the fixture's carrier.
    assert page["total"] == 2
    entry = page["entries"][0]
    assert entry["action"] == "insert"
    assert entry["actor"] == "admin@example.org (token " + entry["actor"].split("token ")[1]
    assert entry["changes"]["name_en"] == "A"
