"""Every error the application answers has one JSON shape (datasette's test_error_shape).

Each case below provokes a different kind of error — unknown routes, wrong methods, bad
query values, malformed JSON, missing credentials, bad tokens, missing roles, forged CSRF,
oversized bodies, unknown countries, bad periods and units, conflicts, and an unexpected
crash — and the answer must validate against ``ErrorBody`` with no extra keys.
"""

from __future__ import annotations

from typing import Any, Literal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict

from silkhub.accounts.models import Role
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.app import create_app
from tests.web.conftest import Person, as_token, signed_in


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ProblemLocation(Strict):
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None


class ProblemBody(Strict):
    code: str
    severity: Literal["error", "warning"]
    message: str
    messages: dict[Literal["zh", "en"], str]
    location: ProblemLocation
    value: Any


class ErrorDetail(Strict):
    status: int
    code: str
    message: str
    problems: list[ProblemBody]
    request_id: str


class ErrorBody(Strict):
    error: ErrorDetail


def check(response: Any, status: int, code: str | None = None) -> ErrorDetail:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    detail = ErrorBody.model_validate(response.json()).error
    assert detail.status == status
    assert detail.message
    if code is not None:
        assert detail.code == code
    return detail


@pytest.fixture
def admin(people: dict[Role, Person]) -> dict[str, str]:
    return as_token(people[Role.ADMIN])


CASES: list[tuple[str, str, dict[str, Any], int, str]] = [
    ("GET", "/api/no-such-thing", {}, 404, "not_found"),
    ("GET", "/no-such-page", {}, 404, "not_found"),
    ("GET", "/static/no-such-file.js", {}, 404, "not_found"),
    ("DELETE", "/api/health", {}, 405, "method_not_allowed"),
    ("GET", "/api/accounts/me", {}, 401, "not_authenticated"),
    (
        "GET",
        "/api/accounts/me",
        {"headers": {"authorization": "Bearer shk_nope"}},
        401,
        "token_invalid",
    ),
    (
        "GET",
        "/api/accounts/me",
        {"headers": {"authorization": "Basic abc"}},
        401,
        "bad_authorization_header",
    ),
    ("GET", "/api/countries/resolve", {"params": {"name": "Atlantis"}}, 422, "unknown_country"),
    ("GET", "/api/countries/resolve", {}, 422, "invalid_input"),
    ("GET", "/api/countries/XX", {}, 422, "unknown_country"),
    ("GET", "/api/periods/2020年13月", {}, 422, "invalid_period"),
    ("GET", "/api/periods/2020-W54", {}, 422, "invalid_period"),
    ("GET", "/api/groups/nope", {}, 404, None),
    ("GET", "/api/groups/eu", {"params": {"date": "2020-02-30"}}, 422, "invalid_input"),
    (
        "GET",
        "/api/units/convert",
        {"params": {"value": "1", "from": "斤", "to": "吨"}},
        422,
        "invalid_unit",
    ),
    (
        "GET",
        "/api/units/convert",
        {"params": {"value": "1", "from": "亿元", "to": "亿美元"}},
        422,
        None,
    ),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "code"), CASES)
def test_error_shape(
    client: TestClient,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    code: str | None,
) -> None:
    check(client.request(method, path, **kwargs), status, code)


def test_malformed_json(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(
        "/api/accounts/organisations",
        content=b'{"name_zh": ',
        headers={**admin, "content-type": "application/json"},
    )
    detail = check(response, 400, "malformed_json")
    assert detail.problems[0].code == "malformed_json"


def test_validation_error_names_the_field(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(
        "/api/accounts/organisations",
        json={"name_zh": "x", "name_en": "x", "kind": "pirates"},
        headers=admin,
    )
    detail = check(response, 422, "invalid_input")
    assert [p.location.field for p in detail.problems] == ["body.kind"]


def test_service_validation_problems(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(
        "/api/accounts/users",
        json={"email": "not-an-address", "display_name": " ", "password": "short"},
        headers=admin,
    )
    detail = check(response, 422)
    fields = {p.location.field for p in detail.problems}
    assert fields == {"email", "display_name", "password"}


def test_conflict(client: TestClient, admin: dict[str, str]) -> None:
    body = {"email": "twice@example.org", "display_name": "Twice", "password": "long enough pw"}
    assert client.post("/api/accounts/users", json=body, headers=admin).status_code == 201
    check(client.post("/api/accounts/users", json=body, headers=admin), 409, "conflict")


def test_forbidden(client: TestClient, people: dict[Role, Person]) -> None:
    check(
        client.get("/api/accounts/users", headers=as_token(people[Role.EDITOR])), 403, "forbidden"
    )


def test_forged_csrf_on_api_with_session(client: TestClient, people: dict[Role, Person]) -> None:
    signed_in(client, people[Role.EDITOR])
    response = client.post(
        "/api/accounts/tokens", json={"name": "x"}, headers={"x-csrf-token": "forged"}
    )
    check(response, 403, "csrf_failed")


def test_payload_too_large(settings: Settings, db: Database) -> None:
    small = settings.model_copy(update={"max_body_bytes": 100})
    with TestClient(create_app(small, db=db)) as c:
        check(c.post("/api/accounts/tokens", content=b"x" * 101), 413, "payload_too_large")


def test_unexpected_error_is_hidden_behind_the_shape(app: FastAPI) -> None:
    @app.get("/api/test-crash")
    def crash() -> None:
        raise RuntimeError("internal detail that must not leak")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/api/test-crash")
    detail = check(response, 500, "internal_error")
    assert "internal detail" not in response.text
    assert detail.request_id


def test_message_in_the_callers_language(client: TestClient) -> None:
    zh = check(client.get("/api/nope", headers={"accept-language": "zh-CN"}), 404)
    en = check(client.get("/api/nope", headers={"accept-language": "en-GB,en;q=0.8"}), 404)
    forced = check(client.get("/api/nope?lang=en", headers={"accept-language": "zh"}), 404)
    assert zh.message != en.message
    assert en.message == forced.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.message)


def test_browsers_get_a_page_with_the_same_information(client: TestClient) -> None:
    response = client.get("/en/no-such-page", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is nothing at this address." in response.text
    assert '<html lang="en">' in response.text
