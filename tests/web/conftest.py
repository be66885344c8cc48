"""An application on a real, migrated store, and people of every role to call it as."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from silkhub.accounts import service
from silkhub.accounts.models import Organisation, OrgKind, Role
from silkhub.indices import service as indices_service
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.app import create_app
from silkhub.web.security import SESSION_COOKIE

PASSWORD = "correct horse battery"


@dataclass
class Person:
    email: str
    role: Role
    token: str
    session_key: str


@pytest.fixture
def db(engine: Engine) -> Database:
    return Database(engine)


@pytest.fixture
def app(settings: Settings, db: Database) -> FastAPI:
    return create_app(settings, db=db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def people(db: Database) -> dict[Role, Person]:
    """One person per role, each with an API token and a portal session."""
    out: dict[Role, Person] = {}
    with db.transaction() as session:
        # The panelist works for a carrier on the freight index's panel, as in a real hub.
        carrier = Organisation(
            name_zh="测试船公司", name_en="Test Carrier", kind=OrgKind.PANEL_MEMBER
        )
        session.add(carrier)
        session.flush()
        indices_service.join_panel(session, carrier.id, "TEST")
        for role in Role:
            user = service.create_user(
                session,
                email=f"{role.value}@example.org",
                display_name=f"Test {role.value}",
                password=PASSWORD,
                roles=[role],
            )
            if role is Role.PANELIST:
                user.organisation_id = carrier.id
            issued = service.create_token(session, user, name="test")
            key = service.start_web_session(session, service.principal_for(user), hours=1)
            out[role] = Person(user.email, role, issued.secret, key)
    return out


def as_token(person: Person) -> dict[str, str]:
    return {"authorization": f"Bearer {person.token}"}


def signed_in(client: TestClient, person: Person) -> TestClient:
    client.cookies.set(SESSION_COOKIE, person.session_key)
    return client


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)
