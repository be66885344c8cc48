"""The portal as a person meets it: languages, signing in and out, forms and their CSRF
tokens, throttled sign-in, tokens made and revoked in the browser, limits, static files."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from silkhub.accounts.models import ApiToken, Role, WebSession
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.app import create_app
from silkhub.web.i18n import parse_accept_language
from silkhub.web.security import ANON_COOKIE, SESSION_COOKIE
from tests.web.conftest import PASSWORD, Person, csrf_from, signed_in

HTML = {"accept": "text/html"}


def sign_in(
    client: TestClient, email: str, password: str = PASSWORD, lang: str = "zh", next_: str = ""
) -> object:
    page = client.get(f"/{lang}/login", headers=HTML)
    return client.post(
        f"/{lang}/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_from(page.text),
            "next": next_,
        },
        headers=HTML,
        follow_redirects=False,
    )


def sessions(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(WebSession)) or 0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9,zh;q=0.8", "en"),
        ("fr-FR, zh-CN;q=0.5, en;q=0.4", "zh"),
        ("zh-Hans-CN", "zh"),
        ("en;q=0, zh;q=0.1", "zh"),
        ("fr, de", None),
        ("", None),
        ("en;q=abc", None),
    ],
)
def test_accept_language(header: str, expected: str | None) -> None:
    assert parse_accept_language(header) == expected


def test_root_sends_each_visitor_to_their_language(client: TestClient) -> None:
    en = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"}, follow_redirects=False)
    assert en.headers["location"] == "/en/"
    zh = client.get("/", headers={"accept-language": "zh-CN"}, follow_redirects=False)
    assert zh.headers["location"] == "/zh/"
    unknown = client.get("/", headers={"accept-language": "fr"}, follow_redirects=False)
    assert unknown.headers["location"] == "/zh/"  # the configured default


def test_default_language_is_configurable(settings: Settings, db: Database) -> None:
    english = settings.model_copy(update={"default_language": "en"})
    with TestClient(create_app(english, db=db)) as c:
        assert c.get("/", follow_redirects=False).headers["location"] == "/en/"


def test_home_page_in_both_languages(client: TestClient) -> None:
    zh = client.get("/zh/")
    en = client.get("/en/")
    assert '<html lang="zh-CN">' in zh.text
    assert '<html lang="en">' in en.text
    assert "首页" in zh.text and "“一带一路”枢纽一览" in zh.text
    assert "Home" in en.text and "The Belt and Road hub at a glance" in en.text
    assert 'href="/en/"' in zh.text  # the switch goes to the same page
    assert 'href="/zh/"' in en.text
    # The same figures in both languages: the map's groups and their member counts.
    groups_zh = json.loads(re.search(r'id="group-map-data">(.*?)</script>', zh.text, re.S)[1])
    groups_en = json.loads(re.search(r'id="group-map-data">(.*?)</script>', en.text, re.S)[1])
    assert [(g["code"], len(g["members"])) for g in groups_zh] == [
        (g["code"], len(g["members"])) for g in groups_en
    ]
    along = next(g for g in groups_zh if g["code"] == "along_route_64")
    assert len(along["members"]) == 64
    assert "捷克" in {m["name"] for m in along["members"]}


def test_language_switch_keeps_the_page(client: TestClient) -> None:
    page = client.get("/en/login?next=/en/account")
    assert 'href="/zh/login?next=/en/account"' in page.text


def test_demo_banner_only_on_a_demo_hub(settings: Settings, db: Database) -> None:
    with TestClient(create_app(settings, db=db)) as c:
        assert "synthetic demonstration data" not in c.get("/en/").text
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "demo.json").write_text('{"synthetic": true, "seed": 7}')
    with TestClient(create_app(settings, db=db)) as c:
        page = c.get("/en/").text
        assert "synthetic demonstration data" in page
        assert "seed 7" in page
        assert "合成的演示数据" in c.get("/zh/").text


def test_sign_in_and_out(client: TestClient, db: Database, people: dict[Role, Person]) -> None:
    before = sessions(db)
    response = sign_in(client, people[Role.EDITOR].email, next_="/zh/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/zh/account"
    assert sessions(db) == before + 1
    cookie = client.cookies[SESSION_COOKIE]
    account = client.get("/zh/account")
    assert "Test editor" in account.text
    assert "编辑" in account.text  # the role, named in Chinese
    out = client.post(
        "/zh/logout", data={"csrf_token": csrf_from(account.text)}, follow_redirects=False
    )
    assert out.status_code == 303
    assert sessions(db) == before
    client.cookies.set(SESSION_COOKIE, cookie)  # an old cookie opens nothing
    assert client.get("/zh/account", headers=HTML, follow_redirects=False).status_code == 303


def test_wrong_password_shows_the_form_again(
    client: TestClient, people: dict[Role, Person]
) -> None:
    response = sign_in(client, people[Role.EDITOR].email, password="wrong password", lang="en")
    assert response.status_code == 401
    assert "The e-mail address or the password is wrong." in response.text
    assert people[Role.EDITOR].email in response.text  # the address is kept in the form
    assert SESSION_COOKIE not in response.cookies


def test_failed_sign_ins_are_slowed_down(
    settings: Settings, db: Database, people: dict[Role, Person]
) -> None:
    strict = settings.model_copy(update={"login_max_failures": 2})
    with TestClient(create_app(strict, db=db)) as c:
        for _ in range(2):
            assert sign_in(c, people[Role.EDITOR].email, password="nope nope").status_code == 401
        locked = sign_in(c, people[Role.EDITOR].email)  # the right password, too soon
        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) >= 1
        assert "登录失败次数过多" in locked.text


def test_next_cannot_leave_the_site(client: TestClient, people: dict[Role, Person]) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = sign_in(client, people[Role.EDITOR].email, next_=target)
        assert response.headers["location"] == "/zh/", target


def test_forged_csrf_writes_nothing(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    before = sessions(db)
    client.get("/zh/login", headers=HTML)  # gets the anonymous cookie
    forged = client.post(
        "/zh/login",
        data={"email": people[Role.EDITOR].email, "password": PASSWORD, "csrf_token": "f" * 64},
        headers=HTML,
    )
    assert forged.status_code == 403
    assert "CSRF" in forged.text
    assert sessions(db) == before

    signed_in(client, people[Role.EDITOR])
    with db.reading() as session:
        tokens = session.scalar(select(func.count()).select_from(ApiToken))
    missing = client.post("/zh/account/tokens", data={"name": "sneaky"}, headers=HTML)
    assert missing.status_code == 403
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(ApiToken)) == tokens


def test_csrf_token_of_another_visitor_is_refused(app: object, people: dict[Role, Person]) -> None:
    with TestClient(app) as alice, TestClient(app) as mallory:  # type: ignore[arg-type]
        token = csrf_from(mallory.get("/zh/login").text)
        alice.get("/zh/login")
        response = alice.post(
            "/zh/login",
            data={"email": people[Role.EDITOR].email, "password": PASSWORD, "csrf_token": token},
            headers=HTML,
        )
        assert response.status_code == 403
        assert ANON_COOKIE in alice.cookies


def test_tokens_in_the_browser(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.EDITOR])
    page = client.get("/en/account")
    made = client.post(
        "/en/account/tokens",
        data={
            "name": "my script",
            "roles": ["editor"],
            "expires_days": "30",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert made.status_code == 200
    secret = re.search(r'id="new-token">(shk_[^<]+)<', made.text)
    assert secret, "the new token is shown"
    again = client.get("/en/account")
    assert secret[1] not in again.text  # shown once
    assert "my script" in again.text
    with db.reading() as session:
        token = session.scalars(select(ApiToken).where(ApiToken.name == "my script")).one()
    # The table's revoke button is one's own account's, not the administrator's.
    assert f'action="/en/account/tokens/{token.id}/revoke"' in again.text
    revoked = client.post(
        f"/en/account/tokens/{token.id}/revoke",
        data={"csrf_token": csrf_from(again.text)},
        follow_redirects=True,
    )
    assert "Revoked" in revoked.text
    api = client.get("/api/accounts/me", headers={"authorization": f"Bearer {secret[1]}"})
    assert api.status_code == 401


def test_token_form_refuses_roles_one_lacks(client: TestClient, people: dict[Role, Person]) -> None:
    signed_in(client, people[Role.EDITOR])
    page = client.get("/en/account")
    response = client.post(
        "/en/account/tokens",
        data={"name": "x", "roles": ["admin"], "csrf_token": csrf_from(page.text)},
    )
    assert "A token cannot carry roles its owner lacks: admin." in response.text


def chunks(total: int, size: int = 1000) -> Iterator[bytes]:
    for _ in range(total // size):
        yield b"x" * size


def test_streamed_body_over_the_limit_is_refused(settings: Settings, db: Database) -> None:
    small = settings.model_copy(update={"max_body_bytes": 5000})
    with TestClient(create_app(small, db=db)) as c:
        response = c.post(
            "/api/accounts/tokens",
            content=chunks(20_000),
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"


def test_static_files_come_from_the_package(client: TestClient) -> None:
    for path in (
        "/static/css/silkhub.css",
        "/static/js/group-map.js",
        "/static/vendor/echarts/echarts.min.js",
        "/static/vendor/world-geo-json-zh/world.zh.json",
    ):
        assert client.get(path).status_code == 200, path
    page = client.get("/zh/").text
    assert re.findall(r'<script src="([^"]+)"', page) == [
        "/static/vendor/echarts/echarts.min.js?v=0.1.0",
        "/static/js/group-map.js?v=0.1.0",
    ]


def test_openapi_document(client: TestClient) -> None:
    doc = client.get("/api/openapi.json").json()
    assert doc["info"]["title"] == "silkhub"
    assert "/api/health" in doc["paths"]
    assert "/api/accounts/tokens" in doc["paths"]
    assert not any(p.startswith("/{lang}") for p in doc["paths"])  # pages are not the API


def test_health(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body == {"status": "ok", "version": "0.1.0", "database": "ok"}


def test_health_is_503_when_the_store_is_unreachable(settings: Settings, tmp_path: object) -> None:
    gone = Database.from_url("sqlite:////nonexistent-dir/silkhub.db")
    try:
        with TestClient(create_app(settings, db=gone)) as c:
            response = c.get("/api/health")
    finally:
        gone.dispose()
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
