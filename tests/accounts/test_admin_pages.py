"""The administrator's workspace: people (search, add, roles, organisation, deactivate),
organisations (add, edit, members), every API token (revoke) and the audit log (filtered,
paged, newest first, showing what changed). Admins only; every change audited under the
administrator's name; every form needs its CSRF token; mistakes named in zh and en."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from silkhub.accounts import service
from silkhub.accounts.models import ApiToken, Role, User
from silkhub.stores.audit import AuditEntry
from silkhub.stores.database import Database
from tests.web.conftest import Person, csrf_from, signed_in

HTML = {"accept": "text/html"}
PAGES = (
    "/{lang}/admin/people",
    "/{lang}/admin/organisations",
    "/{lang}/admin/tokens",
    "/{lang}/admin/audit",
)


def post(client: TestClient, path: str, data: dict[str, Any]) -> Any:
    page = client.get("/zh/admin/people", headers=HTML)
    assert page.status_code == 200, page.text
    return client.post(
        path,
        data={"csrf_token": csrf_from(page.text), **data},
        headers=HTML,
        follow_redirects=False,
    )


def user_id(db: Database, email: str) -> int:
    with db.reading() as session:
        return service.user_by_email(session, email).id


def audit(db: Database, entity: str) -> list[AuditEntry]:
    with db.reading() as session:
        return list(
            session.execute(
                select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
            ).scalars()
        )


# --- who may see them -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_admin_sees_every_page(
    client: TestClient, people: dict[Role, Person], lang: str
) -> None:
    signed_in(client, people[Role.ADMIN])
    for path in PAGES:
        page = client.get(path.format(lang=lang), headers=HTML)
        assert page.status_code == 200, (path, page.text)
        assert f'lang="{"zh-CN" if lang == "zh" else "en"}"' in page.text
    home = client.get(f"/{lang}/admin", headers=HTML, follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == f"/{lang}/admin/people"


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_everyone_else_is_refused(
    client: TestClient, people: dict[Role, Person], role: Role
) -> None:
    signed_in(client, people[role])
    for path in (*PAGES, "/{lang}/admin"):
        assert client.get(path.format(lang="en"), headers=HTML).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    for path in PAGES:
        url = path.format(lang="zh")
        answer = client.get(url, headers=HTML, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == f"/zh/login?next={url}"


def test_the_navigation_links_the_workspace_for_admins_only(
    client: TestClient, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.ADMIN])
    assert 'href="/zh/admin"' in client.get("/zh/account", headers=HTML).text
    signed_in(client, people[Role.EDITOR])
    assert 'href="/zh/admin"' not in client.get("/zh/account", headers=HTML).text


def test_forms_need_the_csrf_token(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.ADMIN])
    analyst = user_id(db, "analyst@example.org")
    for path, data in (
        ("/en/admin/people", {"email": "x@example.org", "display_name": "X"}),
        (f"/en/admin/people/{analyst}/active", {"active": "0"}),
        (f"/en/admin/people/{analyst}/roles", {"roles": ["editor"]}),
        ("/en/admin/organisations", {"name_zh": "甲", "name_en": "A", "kind": "enterprise"}),
        ("/en/admin/tokens/1/revoke", {}),
    ):
        answer = client.post(path, data=data, headers=HTML)
        assert answer.status_code == 403 and "CSRF" in answer.text, path
    with db.reading() as session:
        assert session.get(User, analyst).is_active  # type: ignore[union-attr]
        assert session.get(ApiToken, 1).revoked_at is None  # type: ignore[union-attr]


# --- people ---------------------------------------------------------------------------------------


def test_search_people_by_text_role_and_status(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.ADMIN])
    page = client.get("/en/admin/people?q=EDIT", headers=HTML).text
    assert "editor@example.org" in page and "analyst@example.org" not in page
    page = client.get("/en/admin/people?role=approver", headers=HTML).text
    assert "approver@example.org" in page and "editor@example.org" not in page
    with db.transaction() as session:
        service.get_user(session, user_id(db, "analyst@example.org")).is_active = False
    page = client.get("/en/admin/people?status=deactivated", headers=HTML).text
    assert "analyst@example.org" in page and "editor@example.org" not in page


def test_add_a_person_then_change_roles_organisation_and_deactivate(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.ADMIN])
    made = post(
        client,
        "/en/admin/people",
        {
            "email": "New.Person@Example.org",
            "display_name": "New Person",
            "password": "long enough password",
            "roles": ["subscriber", "editor"],
            "language": "en",
        },
    )
    assert made.status_code == 303
    page = client.get(made.headers["location"], headers=HTML)
    assert "Added." in page.text and "new.person@example.org" in page.text
    new_id = user_id(db, "new.person@example.org")

    changed = post(client, f"/en/admin/people/{new_id}/roles", {"roles": ["approver"]})
    assert changed.status_code == 303
    with db.reading() as session:
        assert service.get_user(session, new_id).roles == {Role.APPROVER}
    org = post(
        client,
        "/en/admin/organisations",
        {"name_zh": "演示企业", "name_en": "Demo Co.", "kind": "enterprise", "country": "CZ"},
    )
    org_id = int(org.headers["location"].split("/")[-1].split("?")[0])
    moved = post(client, f"/en/admin/people/{new_id}/organisation", {"organisation_id": org_id})
    assert moved.status_code == 303
    members = client.get(f"/en/admin/organisations/{org_id}", headers=HTML).text
    assert "new.person@example.org" in members

    # A session of the person, which deactivation ends.
    with db.transaction() as session:
        key = service.start_web_session(
            session, service.principal_for(service.get_user(session, new_id)), hours=1
        )
    off = post(client, f"/en/admin/people/{new_id}/active", {"active": "0"})
    assert off.status_code == 303
    page = client.get(off.headers["location"], headers=HTML).text
    assert "The account was deactivated" in page
    with db.reading() as session:
        assert not service.get_user(session, new_id).is_active
        assert service.resolve_web_session(session, key) is None

    entries = audit(db, "users")
    assert [e.action for e in entries if e.entity_id == str(new_id)] == [
        "insert",
        "update",
        "update",
    ]
    assert all(e.actor == "admin@example.org" for e in entries if e.entity_id == str(new_id))
    assert entries[-1].changes["is_active"] == [True, False]
    assert entries[0].changes["password_hash"] == "[redacted]"
    role_rows = [e for e in audit(db, "user_roles") if e.entity_id.startswith(f"{new_id},")]
    assert sorted((e.action, e.entity_id) for e in role_rows[2:]) == [
        ("delete", f"{new_id},editor"),
        ("delete", f"{new_id},subscriber"),
        ("insert", f"{new_id},approver"),
    ]


@pytest.mark.parametrize(
    ("lang", "data", "expected"),
    [
        ("en", {"email": "not-an-address", "display_name": "X"}, "not a valid e-mail address"),
        ("zh", {"email": "not-an-address", "display_name": "X"}, "电子邮件地址格式不正确"),
        ("en", {"email": "a@example.org", "display_name": ""}, "The name must not be empty"),
        (
            "zh",
            {"email": "a@example.org", "display_name": "A", "password": "short"},
            "至少需要10个字符",
        ),
        ("en", {"email": "editor@example.org", "display_name": "Again"}, "exists already"),
        ("zh", {"email": "a@example.org", "display_name": "A", "roles": ["king"]}, "未知角色"),
    ],
)
def test_bad_people_are_named_in_the_readers_language(
    client: TestClient,
    db: Database,
    people: dict[Role, Person],
    lang: str,
    data: dict[str, Any],
    expected: str,
) -> None:
    signed_in(client, people[Role.ADMIN])
    answer = post(client, f"/{lang}/admin/people", data)
    assert answer.status_code in (409, 422)
    assert expected in answer.text
    with db.reading() as session:
        assert len(service.list_users(session)) == len(Role)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "cannot remove your own administrator role"), ("zh", "不能取消自己")],
)
def test_an_admin_cannot_lock_themselves_out(
    client: TestClient, db: Database, people: dict[Role, Person], lang: str, expected: str
) -> None:
    signed_in(client, people[Role.ADMIN])
    me = user_id(db, "admin@example.org")
    for path, data in (
        (f"/{lang}/admin/people/{me}/active", {"active": "0"}),
        (f"/{lang}/admin/people/{me}/roles", {"roles": ["editor"]}),
    ):
        answer = post(client, path, data)
        assert answer.status_code == 403 and expected in answer.text
    with db.reading() as session:
        user = service.get_user(session, me)
        assert user.is_active and Role.ADMIN in user.roles


# --- organisations --------------------------------------------------------------------------------


def test_add_and_edit_an_organisation(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.ADMIN])
    made = post(
        client,
        "/zh/admin/organisations",
        {
            "name_zh": "义乌港",
            "name_en": "Yiwu Port",
            "kind": "logistics_operator",
            "country": "中国",
        },
    )
    assert made.status_code == 303
    org_id = int(made.headers["location"].split("/")[-1].split("?")[0])
    listed = client.get("/en/admin/organisations", headers=HTML).text
    assert "Yiwu Port" in listed and "Logistics operator" in listed
    edited = post(
        client,
        f"/en/admin/organisations/{org_id}",
        {
            "name_zh": "义乌国际陆港",
            "name_en": "Yiwu Inland Port",
            "kind": "enterprise",
            "country": "CN",
        },
    )
    assert edited.status_code == 303
    with db.reading() as session:
        org = service.get_organisation(session, org_id)
        assert (org.name_en, org.kind) == ("Yiwu Inland Port", "enterprise")
    update = [e for e in audit(db, "organisations") if e.action == "update"][-1]
    assert update.actor == "admin@example.org"
    assert update.changes["name_en"] == ["Yiwu Port", "Yiwu Inland Port"]
    assert update.changes["kind"] == ["logistics_operator", "enterprise"]


@pytest.mark.parametrize(
    ("lang", "expected"), [("en", "Unknown organisation kind"), ("zh", "未知机构类型")]
)
def test_a_bad_organisation_is_named(
    client: TestClient, people: dict[Role, Person], lang: str, expected: str
) -> None:
    signed_in(client, people[Role.ADMIN])
    answer = post(
        client,
        f"/{lang}/admin/organisations",
        {"name_zh": "甲", "name_en": "A", "kind": "guild", "country": "CN"},
    )
    assert answer.status_code == 422 and expected in answer.text
    assert 'value="甲"' in answer.text  # the form keeps what was typed


# --- tokens ---------------------------------------------------------------------------------------


def test_every_token_with_its_owner_and_revoking_one(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.ADMIN])
    page = client.get("/en/admin/tokens", headers=HTML).text
    for role in Role:
        assert f"{role.value}@example.org" in page
    with db.reading() as session:
        token_id = session.execute(
            select(ApiToken.id).join(User).where(User.email == "editor@example.org")
        ).scalar_one()
    revoked = post(client, f"/en/admin/tokens/{token_id}/revoke", {})
    assert revoked.status_code == 303
    page = client.get(revoked.headers["location"], headers=HTML).text
    assert "The token was revoked." in page and "editor@example.org" not in page
    assert "editor@example.org" in client.get("/en/admin/tokens?status=all", headers=HTML).text
    # The editor's token no longer opens the API.
    answer = client.get(
        "/api/accounts/me", headers={"authorization": f"Bearer {people[Role.EDITOR].token}"}
    )
    assert answer.status_code == 401
    entry = audit(db, "api_tokens")[-1]
    assert entry.action == "update" and entry.actor == "admin@example.org"
    assert entry.changes["revoked_at"][0] is None and entry.changes["revoked_at"][1]


# --- the audit log --------------------------------------------------------------------------------


def test_the_audit_log_filters_pages_and_shows_what_changed(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    signed_in(client, people[Role.ADMIN])
    for n in range(15):
        post(
            client,
            "/en/admin/organisations",
            {"name_zh": f"机构{n}", "name_en": f"Org {n}", "kind": "other", "country": "CN"},
        )
    page = client.get("/en/admin/audit?table=organisations", headers=HTML).text
    assert page.count("<code>organisations</code>") == 16  # the fixture's carrier and 15
    assert page.index("Org 14") < page.index("Org 0")  # newest first
    assert "<code>name_en</code>: Org 3<" in page  # an insert shows its values
    admin_id = user_id(db, "admin@example.org")
    mine = client.get(f"/en/admin/audit?person={admin_id}", headers=HTML).text
    assert mine.count("<code>organisations</code>") == 15  # the fixture wrote as the system
    with db.reading() as session:
        everything = service.audit_entries(session, limit=1)[1]
    assert everything > 50
    first = client.get("/en/admin/audit", headers=HTML).text
    assert f"Page 1 of {-(-everything // 50)}" in first and 'rel="next"' in first
    second = client.get("/en/admin/audit?page=2", headers=HTML).text
    assert 'rel="prev"' in second
    by_address = client.get("/en/admin/audit?person=ADMIN@example.org", headers=HTML).text
    assert by_address.count("<code>organisations</code>") == 15
    nobody = client.get("/zh/admin/audit?person=nobody@example.org", headers=HTML)
    assert nobody.status_code == 422 and "用户 nobody@example.org 不存在" in nobody.text
    assert "<code>organisations</code>" not in nobody.text
    later = client.get("/en/admin/audit?since=2999-01-01", headers=HTML).text
    assert "Nothing matches these filters." in later
    today = client.get("/en/admin/audit?table=organisations&until=2999-12-31", headers=HTML)
    assert today.text.count("<code>organisations</code>") == 16


@pytest.mark.parametrize(
    ("lang", "expected"), [("en", "must be written YYYY-MM-DD"), ("zh", "应写作 YYYY-MM-DD")]
)
def test_a_bad_date_is_named(
    client: TestClient, people: dict[Role, Person], lang: str, expected: str
) -> None:
    signed_in(client, people[Role.ADMIN])
    answer = client.get(f"/{lang}/admin/audit?since=yesterday", headers=HTML)
    assert answer.status_code == 422 and expected in answer.text


def test_people_and_organisations_come_a_page_at_a_time(
    client: TestClient, db: Database, people: dict[Role, Person]
) -> None:
    with db.transaction() as session:
        org = service.create_organisation(session, name_zh="大", name_en="Big", kind="enterprise")
        for n in range(60):
            service.create_user(
                session,
                email=f"p{n:02d}@example.org",
                display_name=f"P{n:02d}",
                password=None,
                organisation_id=org.id,
            )
            service.create_organisation(session, name_zh=f"机构{n}", name_en=f"O{n}", kind="other")
    signed_in(client, people[Role.ADMIN])
    first = client.get("/en/admin/people?q=p", headers=HTML).text
    assert "p00@example.org" in first and "p59@example.org" not in first
    assert "Page 1 of 2" in first and 'rel="next" href="/en/admin/people?q=p&amp;page=2"' in first
    second = client.get("/en/admin/people?q=p&page=2", headers=HTML).text
    assert "p59@example.org" in second and "p00@example.org" not in second
    assert "Page 2 of 2" in second and 'rel="prev"' in second
    orgs = client.get("/en/admin/organisations", headers=HTML).text
    assert "62 organisation(s)" in orgs and "Page 1 of 2" in orgs
    assert '<td class="num">60</td>' in orgs  # Big's members, counted
