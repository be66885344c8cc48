"""Walks every route of the application as every kind of caller and checks that nobody gets
in who should not (and that everybody who should is let through)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

try:  # FastAPI 0.16x keeps included routers nested; older versions flatten them.
    from fastapi.routing import iter_route_contexts
except ImportError:  # pragma: no cover - older FastAPI
    iter_route_contexts = None  # type: ignore[assignment]
from fastapi.testclient import TestClient

from silkhub.accounts import service
from silkhub.accounts.models import Role
from silkhub.stores.database import Database
from silkhub.web.security import SESSION_COOKIE
from tests.web.access_matrix import (
    ACCESS,
    FORM_SAMPLES,
    PATH_SAMPLES,
    PUBLIC,
    QUERY_SAMPLES,
    SIGNED_IN,
    Access,
)
from tests.web.conftest import Person, csrf_from

CALLERS: list[Role | None] = [None, *Role]  # None: an anonymous visitor


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every endpoint, through included routers (which FastAPI 0.16x keeps
    nested rather than copying into ``app.routes``)."""
    out = []
    routes = iter_route_contexts(app.routes) if iter_route_contexts else app.routes
    for route in routes:
        if getattr(route, "path", None) is None or getattr(route, "methods", None) is None:
            continue  # a mount (static files)
        for method in sorted(route.methods):
            if method not in ("HEAD", "OPTIONS"):
                out.append((method, route.path))
    return out


def test_every_route_is_in_the_matrix(app: FastAPI) -> None:
    missing = [r for r in app_routes(app) if r not in ACCESS]
    assert not missing, f"routes with no entry in tests/web/access_matrix.py: {missing}"
    stale = [r for r in ACCESS if r not in app_routes(app)]
    assert not stale, f"matrix entries for routes that do not exist: {stale}"


def admitted(access: Access, caller: Role | None) -> bool:
    if access == PUBLIC:
        return True
    if caller is None:
        return False
    if access == SIGNED_IN or caller is Role.ADMIN:
        return True
    assert isinstance(access, frozenset)
    return caller in access


def _fresh_credentials(db: Database, person: Person) -> tuple[str, str]:
    # Fresh for every call: some routes revoke tokens or end sessions.
    with db.transaction() as session:
        user = service.user_by_email(session, person.email)
        token = service.create_token(session, user, name="matrix").secret
        key = service.start_web_session(session, service.principal_for(user), hours=1)
    return token, key


def call(
    client: TestClient,
    db: Database,
    people: dict[Role, Person],
    method: str,
    path: str,
    caller: Role | None,
) -> tuple[int, str]:
    url = path
    for name, value in PATH_SAMPLES.items():
        url = url.replace("{" + name + "}", value)
    client.cookies.clear()
    headers: dict[str, str] = {}
    token = key = None
    if caller is not None:
        token, key = _fresh_credentials(db, people[caller])
    # The DCSA routes are machine APIs too: called with a token, like /api/.
    is_api = path.startswith(("/api/", "/dcsa/"))
    if is_api and token:
        headers["authorization"] = f"Bearer {token}"
    if not is_api:
        headers["accept"] = "text/html"
        if key:
            client.cookies.set(SESSION_COOKIE, key)
    kwargs: dict[str, object] = {"params": QUERY_SAMPLES.get((method, path))}
    if method in ("POST", "PUT", "PATCH"):
        if is_api:
            kwargs["json"] = {}
        else:
            page = client.get("/zh/login", headers={"accept": "text/html"})
            form = {"csrf_token": csrf_from(page.text), **FORM_SAMPLES.get((method, path), {})}
            kwargs["data"] = form
    response = client.request(method, url, headers=headers, follow_redirects=False, **kwargs)
    return response.status_code, response.headers.get("location", "")


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: c.value if c else "anonymous")
def test_access_matrix(
    app: FastAPI,
    client: TestClient,
    db: Database,
    people: dict[Role, Person],
    caller: Role | None,
) -> None:
    wrong = []
    for method, path in app_routes(app):
        access = ACCESS[(method, path)]
        status, location = call(client, db, people, method, path, caller)
        sent_to_login = status == 303 and "/login?next=" in location
        denied = status in (401, 403) or sent_to_login
        if admitted(access, caller):
            if denied:
                wrong.append(f"{method} {path}: admitted caller refused ({status} {location})")
        elif not denied:
            wrong.append(f"{method} {path}: answered {status} to a caller it must refuse")
        elif caller is None and path.startswith("/api/") and status != 401:
            wrong.append(f"{method} {path}: anonymous caller should get 401, got {status}")
        elif caller is not None and status != 403:
            wrong.append(f"{method} {path}: signed-in caller without the role should get 403")
        assert status < 500, f"{method} {path} as {caller}: server error {status}"
    assert not wrong, "\n".join(wrong)
