"""Fixtures of the alerts tests: a migrated store with an editor, an approver, and people of a
department, an enterprise and a service agency."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine

from silkhub.accounts import service as accounts
from silkhub.accounts.models import Organisation, OrgKind, Role
from silkhub.accounts.service import Principal
from silkhub.stores.database import Database


@dataclass
class Cast:
    editor: Principal
    approver: Principal
    official: Principal  # a person of a government department
    trader: Principal  # a person of an enterprise
    adviser: Principal  # a person of a service agency
    orgs: dict[str, int]


@pytest.fixture
def store(engine: Engine) -> Database:
    return Database(engine)


@pytest.fixture
def cast(store: Database) -> Cast:
    with store.transaction() as session:
        orgs = {}
        for key, kind in (
            ("department", OrgKind.DEPARTMENT),
            ("enterprise", OrgKind.ENTERPRISE),
            ("agency", OrgKind.SERVICE_AGENCY),
        ):
            org = Organisation(name_zh=f"测试{key}", name_en=f"Test {key}", kind=kind)
            session.add(org)
            session.flush()
            orgs[key] = org.id

        def person(name: str, roles: list[Role], org: str | None = None) -> Principal:
            user = accounts.create_user(
                session,
                email=f"{name}@example.org",
                display_name=name,
                password="correct horse battery",
                roles=roles,
            )
            if org is not None:
                user.organisation_id = orgs[org]
            session.flush()
            return accounts.principal_for(user)

        return Cast(
            editor=person("editor", [Role.EDITOR]),
            approver=person("approver", [Role.APPROVER]),
            official=person("official", [Role.SUBSCRIBER], "department"),
            trader=person("trader", [Role.SUBSCRIBER], "enterprise"),
            adviser=person("adviser", [Role.SUBSCRIBER], "agency"),
            orgs=orgs,
        )


def alert_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": {"zh": "某国港口罢工", "en": "Port strike"},
        "body": {"zh": "港口工人罢工，预计持续一周。", "en": "Dock workers strike for a week."},
        "advice": {"zh": "请调整船期。", "en": "Reschedule sailings."},
        "countries": ["DE"],
        "category": "economic",
        "severity": "orange",
        "urgency": "Expected",
        "certainty": "Likely",
        "valid_from": "2020-05-06T08:00:00+08:00",
        "valid_until": "2020-05-20T08:00:00+08:00",
    }
    data.update(overrides)
    return data
