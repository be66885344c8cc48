"""Accounts and access, on a real store (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from silkhub.accounts import service
from silkhub.accounts.models import ApiToken, LoginThrottle, Role, User, WebSession
from silkhub.core.errors import (
    BadCredentials,
    Conflict,
    InvalidInput,
    LoginThrottled,
    NotFound,
    PermissionDenied,
    TokenInvalid,
)
from silkhub.stores.audit import Actor, AuditEntry
from silkhub.stores.database import Database
from silkhub.stores.operational import utcnow

PASSWORD = "a long enough password"


@pytest.fixture
def db(engine: Engine) -> Database:
    return Database(engine)


def add_user(
    db: Database, email: str = "ana@example.org", roles: tuple[Role, ...] = (Role.ANALYST,)
) -> int:
    with db.transaction() as session:
        return service.create_user(
            session, email=email, display_name="Ana", password=PASSWORD, roles=roles
        ).id


def test_create_user_normalises_and_hashes(db: Database) -> None:
    add_user(db, email="  Ana@Example.ORG ")
    with db.reading() as session:
        user = service.user_by_email(session, "ana@example.org")
        assert user.email == "ana@example.org"
        assert user.password_hash and user.password_hash.startswith("$argon2")
        assert PASSWORD not in user.password_hash
        assert user.roles == {Role.ANALYST}


def test_invalid_user_reports_every_field_and_writes_nothing(db: Database) -> None:
    with pytest.raises(InvalidInput) as caught, db.transaction() as session:
        service.create_user(
            session,
            email="nope",
            display_name="",
            password="short",
            language="fr",
            organisation_id=999,
        )
    fields = {p.location.field for p in caught.value.problems}
    assert fields == {"email", "display_name", "password", "language", "organisation_id"}
    assert all(p.message.zh and p.message.en for p in caught.value.problems)
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_duplicate_email_is_a_conflict(db: Database) -> None:
    add_user(db)
    with pytest.raises(Conflict):
        add_user(db, email="ANA@example.org")


def test_unknown_role_names_the_value() -> None:
    with pytest.raises(InvalidInput) as caught:
        service.parse_roles(["editor", "pirate"])
    assert [p.value for p in caught.value.problems] == ["pirate"]
    assert service.parse_roles(["Index-Compiler"]) == {Role.INDEX_COMPILER}


def test_authenticate(db: Database) -> None:
    add_user(db)
    principal = service.authenticate(
        db, "ANA@example.org", PASSWORD, client="1.2.3.4", max_failures=5
    )
    assert principal.email == "ana@example.org"
    assert principal.roles == {Role.ANALYST}
    with pytest.raises(BadCredentials):
        service.authenticate(db, "ana@example.org", "wrong", client="1.2.3.4", max_failures=5)
    with pytest.raises(BadCredentials):
        service.authenticate(db, "nobody@example.org", PASSWORD, client="1.2.3.4", max_failures=5)


def test_failed_logins_slow_down_and_lock(db: Database) -> None:
    add_user(db)
    now = utcnow()
    for _ in range(3):
        with pytest.raises(BadCredentials):
            service.authenticate(
                db, "ana@example.org", "wrong", client="9.9.9.9", max_failures=3, now=now
            )
    # Locked now: even the right password is refused, and the wait is said.
    with pytest.raises(LoginThrottled) as caught:
        service.authenticate(
            db, "ana@example.org", PASSWORD, client="9.9.9.9", max_failures=3, now=now
        )
    assert caught.value.retry_after == 1
    # Each further failure doubles the wait.
    later = now + timedelta(seconds=2)
    with pytest.raises(BadCredentials):
        service.authenticate(
            db, "ana@example.org", "wrong", client="9.9.9.9", max_failures=3, now=later
        )
    with pytest.raises(LoginThrottled) as caught:
        service.authenticate(
            db, "ana@example.org", PASSWORD, client="9.9.9.9", max_failures=3, now=later
        )
    assert caught.value.retry_after == 2
    # Once the wait is over, the right password works and clears the account's counter.
    service.authenticate(
        db,
        "ana@example.org",
        PASSWORD,
        client="9.9.9.9",
        max_failures=3,
        now=later + timedelta(seconds=3),
    )
    with db.reading() as session:
        keys = set(session.scalars(select(LoginThrottle.key)))
    assert keys == {"ip:9.9.9.9"}


def test_tokens(db: Database) -> None:
    user_id = add_user(db, roles=(Role.EDITOR, Role.APPROVER))
    with db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        issued = service.create_token(session, user, name="feed", roles=[Role.EDITOR])
    assert issued.secret.startswith(f"shk_{issued.token.prefix}_")
    with db.transaction() as session:
        stored = session.scalars(select(ApiToken)).one()
        assert issued.secret not in (stored.token_hash, stored.prefix)
        principal = service.verify_token(session, issued.secret)
        assert principal.roles == {Role.EDITOR}
        assert principal.via == "token"
        assert stored.last_used_at is not None
    with pytest.raises(TokenInvalid), db.transaction() as session:
        service.verify_token(session, issued.secret + "x")


def test_token_cannot_exceed_its_issuer(db: Database) -> None:
    user_id = add_user(db, roles=(Role.EDITOR,))
    with pytest.raises(PermissionDenied), db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        service.create_token(session, user, name="x", roles=[Role.ADMIN])
    with pytest.raises(PermissionDenied), db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        service.create_token(
            session, user, name="x", roles=[Role.EDITOR], ceiling=frozenset({Role.SUBSCRIBER})
        )


def test_expired_and_revoked_tokens(db: Database) -> None:
    user_id = add_user(db)
    now = utcnow()
    with db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        short = service.create_token(
            session, user, name="short", expires_at=now + timedelta(hours=1), now=now
        )
        revoked = service.create_token(session, user, name="gone")
        service.revoke_token(session, service.principal_for(user), revoked.token.id)
    with pytest.raises(TokenInvalid) as caught, db.transaction() as session:
        service.verify_token(session, short.secret, now=now + timedelta(hours=2))
    assert caught.value.code == "token_expired"
    with pytest.raises(TokenInvalid), db.transaction() as session:
        service.verify_token(session, revoked.secret)


def test_someone_elses_token_is_not_found(db: Database) -> None:
    a = add_user(db, email="a@example.org")
    b = add_user(db, email="b@example.org")
    with db.transaction() as session:
        user_a, user_b = session.get(User, a), session.get(User, b)
        assert user_a and user_b
        token = service.create_token(session, user_a, name="a").token
        with pytest.raises(NotFound):
            service.revoke_token(session, service.principal_for(user_b), token.id)


def test_token_loses_roles_its_owner_loses(db: Database) -> None:
    user_id = add_user(db, roles=(Role.EDITOR, Role.APPROVER))
    with db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        issued = service.create_token(session, user, name="both")
    with db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.role_rows = [r for r in user.role_rows if r.role != Role.APPROVER]
    with db.transaction() as session:
        assert service.verify_token(session, issued.secret).roles == {Role.EDITOR}


def test_web_sessions(db: Database) -> None:
    user_id = add_user(db)
    now = utcnow()
    with db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        key = service.start_web_session(session, service.principal_for(user), hours=2, now=now)
    with db.reading() as session:
        principal = service.resolve_web_session(session, key, now=now)
        assert principal is not None and principal.user_id == user_id
        assert service.resolve_web_session(session, key, now=now + timedelta(hours=3)) is None
        assert service.resolve_web_session(session, "forged", now=now) is None
    with db.transaction() as session:
        service.end_web_session(session, key)
    with db.reading() as session:
        assert service.resolve_web_session(session, key, now=now) is None


def test_every_write_is_audited_with_its_actor(db: Database) -> None:
    with db.transaction(Actor(None, "auditor-test")) as session:
        org = service.create_organisation(
            session, name_zh="测试", name_en="Test", kind="enterprise"
        )
        service.create_user(
            session,
            email="x@example.org",
            display_name="X",
            password=PASSWORD,
            organisation_id=org.id,
        )
    with db.transaction(Actor(None, "renamer")) as session:
        user = service.user_by_email(session, "x@example.org")
        user.display_name = "Y"
    with db.reading() as session:
        entries, total = service.audit_entries(session, limit=50)
    seen = {(e.actor, e.action, e.entity) for e in entries}
    assert ("auditor-test", "insert", "organisations") in seen
    assert ("auditor-test", "insert", "users") in seen
    assert ("auditor-test", "insert", "user_roles") not in seen  # no roles were given
    update = next(e for e in entries if e.action == "update")
    assert update.actor == "renamer"
    assert update.changes == {"display_name": ["X", "Y"]}
    user_insert = next(e for e in entries if e.entity == "users" and e.action == "insert")
    assert user_insert.changes["password_hash"] == "[redacted]"
    assert total == len(entries)


def test_rolled_back_writes_leave_no_audit(db: Database) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), db.transaction() as session:
        service.create_organisation(session, name_zh="甲", name_en="A", kind="other")
        raise Boom
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_bookkeeping_columns_alone_are_not_audited(db: Database) -> None:
    user_id = add_user(db)
    with db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        issued = service.create_token(session, user, name="t")
    with db.reading() as session:
        before = session.scalar(select(func.count()).select_from(AuditEntry))
    with db.transaction() as session:
        service.verify_token(session, issued.secret)  # sets last_used_at
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_production_hash_cost() -> None:
    # The module's own hasher (the fixture above swaps in a cheap one for other tests).
    import importlib

    from argon2 import extract_parameters

    fresh = importlib.reload(service)
    params = extract_parameters(fresh._hasher.hash("x" * 12))
    assert params.type.name == "ID"
    assert params.memory_cost >= 65536
    assert params.time_cost >= 3


def test_expired_sessions_are_swept_when_a_new_one_starts(db: Database) -> None:
    user_id = add_user(db)
    now = utcnow()
    with db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        principal = service.principal_for(user)
        old = service.start_web_session(session, principal, hours=1, now=now)
        service.start_web_session(session, principal, hours=1, now=now + timedelta(hours=2))
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 1
        assert service.resolve_web_session(session, old, now=now) is None


# --- the administrator's operations ----------------------------------------------------------


def admin_principal(db: Database) -> service.Principal:
    user_id = add_user(db, email="root@example.org", roles=(Role.ADMIN,))
    with db.reading() as session:
        return service.principal_for(service.get_user(session, user_id))


def test_search_users_by_text_role_organisation_and_status(db: Database) -> None:
    add_user(db, email="ana@example.org")
    bo = add_user(db, email="bo@example.org", roles=(Role.EDITOR,))
    with db.transaction() as session:
        org = service.create_organisation(session, name_zh="甲", name_en="A", kind="enterprise")
        service.set_organisation(session, service.get_user(session, bo), org.id)
        org_id = org.id
    with db.reading() as session:

        def emails(**kw: object) -> list[str]:
            found, total = service.search_users(session, **kw)  # type: ignore[arg-type]
            assert total == len(found)
            return [u.email for u in found]

        assert emails(text="ANA@") == ["ana@example.org"]  # both are called Ana
        assert emails(role=Role.EDITOR) == ["bo@example.org"]
        assert emails(organisation_id=org_id) == ["bo@example.org"]
        assert emails(active=False) == []
        assert emails() == ["ana@example.org", "bo@example.org"]
        page, total = service.search_users(session, limit=1, offset=1)
        assert [u.email for u in page] == ["bo@example.org"] and total == 2
        assert service.member_counts(session) == {org_id: 1}


def test_set_roles_records_each_role_added_and_removed(db: Database) -> None:
    admin = admin_principal(db)
    user_id = add_user(db, roles=(Role.ANALYST, Role.EDITOR))
    with db.transaction(admin.actor) as session:
        user = service.get_user(session, user_id)
        service.set_roles(session, admin, user, {Role.EDITOR, Role.APPROVER})
    with db.reading() as session:
        assert service.get_user(session, user_id).roles == {Role.EDITOR, Role.APPROVER}
        entries, _ = service.audit_entries(
            session, entity="user_roles", entity_id=str(user_id), actor_user_id=admin.user_id
        )
    assert sorted((e.action, e.entity_id) for e in entries) == [
        ("delete", f"{user_id},analyst"),
        ("insert", f"{user_id},approver"),
    ]


def test_an_admin_cannot_lock_themselves_out(db: Database) -> None:
    admin = admin_principal(db)
    with db.transaction(admin.actor) as session:
        me = service.get_user(session, admin.user_id)
        with pytest.raises(PermissionDenied) as drop:
            service.set_roles(session, admin, me, {Role.EDITOR})
        with pytest.raises(PermissionDenied):
            service.set_active(session, admin, me, False)
    assert drop.value.code == "self_lockout"
    with db.reading() as session:
        me = service.get_user(session, admin.user_id)
        assert me.is_active and me.roles == {Role.ADMIN}


def test_deactivation_ends_sessions_and_tokens(db: Database) -> None:
    admin = admin_principal(db)
    user_id = add_user(db)
    with db.transaction() as session:
        user = service.get_user(session, user_id)
        key = service.start_web_session(session, service.principal_for(user), hours=1)
        secret = service.create_token(session, user, name="t").secret
    with db.transaction(admin.actor) as session:
        service.set_active(session, admin, service.get_user(session, user_id), False)
    with db.transaction() as session:
        assert service.resolve_web_session(session, key) is None
        with pytest.raises(TokenInvalid):
            service.verify_token(session, secret)
    with pytest.raises(BadCredentials):
        service.authenticate(db, "ana@example.org", PASSWORD, client="t", max_failures=5)
    with db.transaction(admin.actor) as session:
        service.set_active(session, admin, service.get_user(session, user_id), True)
    assert service.authenticate(db, "ana@example.org", PASSWORD, client="t", max_failures=5)


def test_update_organisation_checks_as_creation_does(db: Database) -> None:
    with db.transaction() as session:
        org_id = service.create_organisation(
            session, name_zh="甲", name_en="A", kind="enterprise"
        ).id
    with db.transaction() as session, pytest.raises(InvalidInput) as bad:
        service.update_organisation(
            session,
            service.get_organisation(session, org_id),
            name_zh="",
            name_en="A",
            kind="guild",
            country="Atlantis",
        )
    assert sorted(p.location.field for p in bad.value.problems) == ["country", "kind", "name_zh"]
    with db.transaction() as session:
        service.update_organisation(
            session,
            service.get_organisation(session, org_id),
            name_zh="乙",
            name_en="B",
            kind="service_agency",
            country="Kazakhstan",
        )
    with db.reading() as session:
        org = service.get_organisation(session, org_id)
        assert (org.name_zh, org.kind, org.country) == ("乙", "service_agency", "KZ")
    with db.transaction() as session, pytest.raises(NotFound):
        service.set_organisation(session, service.get_user(session, add_user(db)), 999)


def test_audit_entries_by_dates(db: Database) -> None:
    add_user(db)
    now = utcnow()
    with db.reading() as session:
        _, everything = service.audit_entries(session)
        _, today = service.audit_entries(session, since=now - timedelta(hours=1))
        _, later = service.audit_entries(session, since=now + timedelta(hours=1))
        _, before = service.audit_entries(session, before=now - timedelta(hours=1))
        assert service.audited_tables(session) == ["user_roles", "users"]
    assert everything == today > 0 and later == before == 0
