"""Accounts and access: organisations, people, roles, passwords, API tokens, portal sessions.

Every function takes a ``Session`` inside the caller's unit of work (``Database.transaction``),
except ``authenticate``, which must keep its record of a failed attempt even though it then
raises; it takes the ``Database`` and runs its own transactions.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from silkhub.accounts.models import (
    ApiToken,
    LoginThrottle,
    Organisation,
    OrgKind,
    Role,
    User,
    UserRole,
    WebSession,
)
from silkhub.core import countries
from silkhub.core.errors import (
    BadCredentials,
    Conflict,
    Location,
    LoginThrottled,
    Message,
    NotFound,
    PermissionDenied,
    Problem,
    Report,
    TokenInvalid,
    UnknownCountry,
)
from silkhub.stores.audit import Actor, AuditEntry
from silkhub.stores.database import Database
from silkhub.stores.operational import utcnow

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so that a wrong address takes as long as a
# wrong password and response times do not tell which accounts exist.
_DUMMY_HASH = _hasher.hash("silkhub-no-such-account")

TOKEN_PREFIX = "shk"  # noqa: S105 - a visible marker, not a secret
MIN_PASSWORD_LENGTH = 10
MAX_LOCK_SECONDS = 900
# Many people may sit behind one address (an office NAT), so an address gets more tries.
ADDRESS_FAILURE_FACTOR = 4
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Principal:
    """Who is making a request, and with which roles."""

    user_id: int
    email: str
    display_name: str
    roles: frozenset[Role]
    language: str
    organisation_id: int | None
    via: Literal["session", "token", "cli"]
    token_prefix: str | None = None

    def has(self, *roles: Role) -> bool:
        """True when the principal holds one of ``roles``; an admin holds them all."""
        return Role.ADMIN in self.roles or any(r in self.roles for r in roles)

    @property
    def actor(self) -> Actor:
        label = f"{self.email} (token {self.token_prefix})" if self.token_prefix else self.email
        return Actor(self.user_id, label)


def _principal(
    user: User,
    via: Literal["session", "token", "cli"],
    *,
    roles: frozenset[Role] | None = None,
    token_prefix: str | None = None,
) -> Principal:
    return Principal(
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        roles=user.roles if roles is None else roles,
        language=user.language,
        organisation_id=user.organisation_id,
        via=via,
        token_prefix=token_prefix,
    )


def principal_for(user: User) -> Principal:
    """The principal of a person acting from the command line."""
    return _principal(user, "cli")


# --- validation -----------------------------------------------------------------------------


def _field_problem(field: str, code: str, zh: str, en: str, value: object = None) -> Problem:
    return Problem(code, Message(zh, en), Location(field=field), value)


def parse_roles(values: Iterable[str], field: str = "roles") -> frozenset[Role]:
    report = Report()
    roles: set[Role] = set()
    for value in values:
        try:
            roles.add(Role(value.strip().lower().replace("-", "_")))
        except ValueError:
            valid = ", ".join(r.value for r in Role)
            report.add(
                _field_problem(
                    field,
                    "unknown_role",
                    f"未知角色“{value}”。可用角色：{valid}。",
                    f"Unknown role {value!r}. Valid roles: {valid}.",
                    value,
                )
            )
    report.raise_if_invalid()
    return frozenset(roles)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_length(report: Report, field: str, value: str, limit: int) -> None:
    # The columns' own limits, said as a problem rather than met as a database error.
    if len(value) > limit:
        report.add(
            _field_problem(
                field,
                "too_long",
                f"最多{limit}个字符（现有{len(value)}个）。",
                f"At most {limit} characters (this has {len(value)}).",
            )
        )


def _check_country(report: Report, country: str) -> str:
    try:
        return countries.resolve(country).alpha2
    except UnknownCountry as exc:
        report.add(Problem(exc.code, exc.message, Location(field="country"), country))
        return country


def _check_password(password: str, report: Report, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        report.add(
            _field_problem(
                field,
                "password_too_short",
                f"密码至少需要{MIN_PASSWORD_LENGTH}个字符。",
                f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
            )
        )


# --- organisations and people -----------------------------------------------------------------


def _checked_organisation(
    name_zh: str, name_en: str, kind: str, country: str
) -> tuple[str, str, OrgKind, str]:
    report = Report()
    try:
        org_kind = OrgKind(kind)
    except ValueError:
        valid = ", ".join(k.value for k in OrgKind)
        report.add(
            _field_problem(
                "kind",
                "unknown_kind",
                f"未知机构类型“{kind}”。可用：{valid}。",
                f"Unknown organisation kind {kind!r}. Valid kinds: {valid}.",
                kind,
            )
        )
    for field, value in (("name_zh", name_zh), ("name_en", name_en)):
        if not value.strip():
            report.add(_field_problem(field, "required", "不能为空。", "Must not be empty."))
        _check_length(report, field, value.strip(), 200)
    alpha2 = _check_country(report, country)
    report.raise_if_invalid()
    return name_zh.strip(), name_en.strip(), org_kind, alpha2


def create_organisation(
    session: Session, *, name_zh: str, name_en: str, kind: str, country: str = "CN"
) -> Organisation:
    zh, en, org_kind, alpha2 = _checked_organisation(name_zh, name_en, kind, country)
    org = Organisation(name_zh=zh, name_en=en, kind=org_kind.value, country=alpha2)
    session.add(org)
    session.flush()
    return org


def update_organisation(
    session: Session, org: Organisation, *, name_zh: str, name_en: str, kind: str, country: str
) -> Organisation:
    """Change an organisation's names, kind or country (checked as at creation)."""
    zh, en, org_kind, alpha2 = _checked_organisation(name_zh, name_en, kind, country)
    org.name_zh, org.name_en, org.kind, org.country = zh, en, org_kind.value, alpha2
    session.flush()
    return org


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str | None,
    roles: Iterable[Role] = (),
    organisation_id: int | None = None,
    language: str = "zh",
) -> User:
    """Add a person. Raises InvalidInput (with a problem per bad field) or Conflict."""
    email = normalise_email(email)
    report = Report()
    _check_length(report, "email", email, 254)
    _check_length(report, "display_name", display_name.strip(), 200)
    if not _EMAIL.match(email):
        report.add(
            _field_problem(
                "email",
                "bad_email",
                "电子邮件地址格式不正确。",
                "This is not a valid e-mail address.",
                email,
            )
        )
    if not display_name.strip():
        report.add(
            _field_problem(
                "display_name", "required", "姓名不能为空。", "The name must not be empty."
            )
        )
    if password is not None:
        _check_password(password, report)
    if language not in ("zh", "en"):
        report.add(
            _field_problem(
                "language",
                "bad_language",
                "语言只能是 zh 或 en。",
                "The language must be zh or en.",
                language,
            )
        )
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        report.add(
            _field_problem(
                "organisation_id",
                "unknown_organisation",
                "机构不存在。",
                "No such organisation.",
                organisation_id,
            )
        )
    report.raise_if_invalid()
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(Message(f"用户 {email} 已存在。", f"A user {email} exists already."))
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=_hasher.hash(password) if password is not None else None,
        organisation_id=organisation_id,
        language=language,
    )
    user.role_rows = [UserRole(role=r.value) for r in sorted(set(roles))]
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    report = Report()
    _check_password(password, report)
    report.raise_if_invalid()
    user.password_hash = _hasher.hash(password)


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(Message(f"用户 {user_id} 不存在。", f"No user {user_id}."))
    return user


def user_by_email(session: Session, email: str) -> User:
    email = normalise_email(email)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        raise NotFound(Message(f"用户 {email} 不存在。", f"No user {email}."))
    return user


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.id)).all()


def search_users(
    session: Session,
    *,
    text: str = "",
    role: Role | None = None,
    organisation_id: int | None = None,
    active: bool | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[Sequence[User], int]:
    """People whose e-mail or name contains ``text`` (any case), holding ``role``, of an
    organisation, active or not (every filter left empty admits everyone): a page of them
    and how many there are in all."""
    query = select(User)
    if text.strip():
        needle = f"%{text.strip().lower()}%"
        query = query.where(
            func.lower(User.email).like(needle) | func.lower(User.display_name).like(needle)
        )
    if role is not None:
        query = query.where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role == role.value))
        )
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    if active is not None:
        query = query.where(User.is_active.is_(active))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(User.id).offset(offset)
    if limit is not None:
        page = page.limit(limit)
    return session.scalars(page).all(), total


def member_counts(session: Session) -> dict[int, int]:
    """How many people each organisation has (those with none are absent)."""
    rows = session.execute(
        select(User.organisation_id, func.count())
        .where(User.organisation_id.is_not(None))
        .group_by(User.organisation_id)
    ).all()
    return {org_id: count for org_id, count in rows if org_id is not None}


def _self_lockout() -> PermissionDenied:
    # An administrator who took away their own administration could not give it back, and
    # nobody else might be left to do so.
    return PermissionDenied(
        Message(
            "不能取消自己的管理员角色或停用自己的账户；请由另一位管理员操作。",
            "You cannot remove your own administrator role or deactivate your own account; "
            "ask another administrator.",
        ),
        code="self_lockout",
    )


def set_roles(session: Session, principal: Principal, user: User, roles: Iterable[Role]) -> None:
    """Give ``user`` exactly ``roles`` (an administrator's act, recorded in the audit log as
    the rows of ``user_roles`` added and removed). The tokens of the person keep their roles
    on paper but never carry more than the person holds (``verify_token``)."""
    wanted = frozenset(roles)
    if user.id == principal.user_id and Role.ADMIN in user.roles and Role.ADMIN not in wanted:
        raise _self_lockout()
    keep = [row for row in user.role_rows if Role(row.role) in wanted]
    for row in user.role_rows:
        if Role(row.role) not in wanted:
            # Deleted outright rather than left to the orphan cascade, which happens inside
            # the flush where the audit hook would not see it.
            session.delete(row)
    have = {Role(row.role) for row in keep}
    user.role_rows = keep + [UserRole(role=r.value) for r in sorted(wanted - have)]
    session.flush()


def set_active(session: Session, principal: Principal, user: User, active: bool) -> None:
    """Deactivate or reactivate an account. A deactivated person cannot sign in, their open
    sessions end and their tokens stop working; nothing of theirs is deleted."""
    if not active and user.id == principal.user_id:
        raise _self_lockout()
    user.is_active = active
    if not active:
        for web_session in session.scalars(
            select(WebSession).where(WebSession.user_id == user.id)
        ).all():
            session.delete(web_session)
    session.flush()


def set_organisation(session: Session, user: User, organisation_id: int | None) -> None:
    if organisation_id is not None:
        get_organisation(session, organisation_id)
    user.organisation_id = organisation_id
    session.flush()


def list_organisations(session: Session) -> Sequence[Organisation]:
    return session.scalars(select(Organisation).order_by(Organisation.id)).all()


def get_organisation(session: Session, org_id: int) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(Message(f"机构 {org_id} 不存在。", f"No organisation {org_id}."))
    return org


# --- signing in -------------------------------------------------------------------------------


def _throttle_rows(session: Session, keys: Sequence[str]) -> dict[str, LoginThrottle]:
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    return {row.key: row for row in rows}


def _retry_after(rows: Iterable[LoginThrottle], now: datetime) -> int | None:
    waits = [
        (row.locked_until - now).total_seconds()
        for row in rows
        if row.locked_until is not None and row.locked_until > now
    ]
    return math.ceil(max(waits)) if waits else None


def authenticate(
    db: Database,
    email: str,
    password: str,
    *,
    client: str,
    max_failures: int,
    now: datetime | None = None,
) -> Principal:
    """Check an e-mail and password. Failed attempts are counted per account and per client
    address; past ``max_failures`` each further failure locks sign-in for twice as long as
    the last (up to 15 minutes), and a locked attempt is refused without checking the
    password."""
    now = now or utcnow()
    email = normalise_email(email)
    keys = [f"email:{email}", f"ip:{client}"]
    with db.transaction() as session:
        wait = _retry_after(_throttle_rows(session, keys).values(), now)
        if wait is not None:
            raise LoginThrottled(
                Message(
                    f"登录失败次数过多，请{wait}秒后再试。",
                    f"Too many failed sign-ins. Try again in {wait} seconds.",
                ),
                retry_after=wait,
            )
        user = session.scalar(select(User).where(User.email == email))
        ok = _verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
        if ok and user is not None and user.is_active and user.password_hash:
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            row = _throttle_rows(session, keys[:1]).get(keys[0])
            if row is not None:
                session.delete(row)
            return _principal(user, "session")
    # Recorded in a transaction of its own: the attempt must count although we raise.
    with db.transaction() as session:
        rows = _throttle_rows(session, keys)
        for key in keys:
            row = rows.get(key)
            if row is None:
                row = LoginThrottle(key=key, failures=0)
                session.add(row)
            row.failures += 1
            row.last_failure_at = now
            limit = max_failures * (ADDRESS_FAILURE_FACTOR if key.startswith("ip:") else 1)
            if row.failures >= limit:
                seconds = min(2 ** (row.failures - limit), MAX_LOCK_SECONDS)
                row.locked_until = now + timedelta(seconds=seconds)
    raise BadCredentials(
        Message("电子邮件或密码不正确。", "The e-mail address or the password is wrong.")
    )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# --- portal sessions ---------------------------------------------------------------------------


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def start_web_session(
    session: Session, principal: Principal, *, hours: int, now: datetime | None = None
) -> str:
    """Open a portal session; returns the cookie value (only its hash is stored)."""
    now = now or utcnow()
    # Expired sessions are swept here, where sessions are made, rather than by a job. A bulk
    # statement bypasses the audit hook, which suits housekeeping that no one asked for.
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    key = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            session_hash=_sha256(key),
            user_id=principal.user_id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    session.flush()
    return key


def resolve_web_session(
    session: Session, key: str, now: datetime | None = None
) -> Principal | None:
    now = now or utcnow()
    row = session.scalar(select(WebSession).where(WebSession.session_hash == _sha256(key)))
    if row is None or row.expires_at <= now or not row.user.is_active:
        return None
    return _principal(row.user, "session")


def end_web_session(session: Session, key: str) -> None:
    row = session.scalar(select(WebSession).where(WebSession.session_hash == _sha256(key)))
    if row is not None:
        session.delete(row)


# --- API tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole token, shown once


def create_token(
    session: Session,
    user: User,
    *,
    name: str,
    roles: Iterable[Role] | None = None,
    ceiling: frozenset[Role] | None = None,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """Issue a token for ``user`` carrying ``roles`` (default: all of ``ceiling``).

    ``ceiling`` is what the issuer holds: the user's roles, or, when a token asks for a new
    token, that token's roles, so that a token can never mint a stronger one. Only an admin
    issuer may grant roles beyond it.
    """
    now = now or utcnow()
    ceiling = user.roles if ceiling is None else ceiling
    wanted = frozenset(roles) if roles is not None else ceiling
    report = Report()
    if not name.strip():
        report.add(
            _field_problem("name", "required", "令牌名称不能为空。", "The token needs a name.")
        )
    _check_length(report, "name", name.strip(), 200)
    if not wanted:
        report.add(
            _field_problem(
                "roles", "required", "令牌至少需要一个角色。", "The token needs at least one role."
            )
        )
    if expires_at is not None and expires_at <= now:
        report.add(
            _field_problem(
                "expires_at",
                "in_past",
                "到期时间必须在将来。",
                "The expiry must be in the future.",
                expires_at,
            )
        )
    report.raise_if_invalid()
    extra = wanted - ceiling
    if extra and Role.ADMIN not in ceiling:
        names = ", ".join(sorted(r.value for r in extra))
        raise PermissionDenied(
            Message(
                f"不能授予本人没有的角色：{names}。",
                f"A token cannot carry roles its owner lacks: {names}.",
            )
        )
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user_id=user.id,
        name=name.strip(),
        prefix=prefix,
        token_hash=_sha256(secret),
        roles=" ".join(sorted(r.value for r in wanted)),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return IssuedToken(token, secret)


_TOKEN_INVALID = Message(
    "API 令牌无效、已过期或已被撤销。", "The API token is unknown, expired or revoked."
)


def verify_token(session: Session, secret: str, now: datetime | None = None) -> Principal:
    now = now or utcnow()
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        raise TokenInvalid(_TOKEN_INVALID)
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenInvalid(
            Message("API 令牌已过期。", "The API token has expired."), code="token_expired"
        )
    # Noted at most once a minute, so that a busy client does not write on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    # A token never holds more than its owner holds today (an admin owner holds every role).
    owner_roles = token.user.roles
    roles = token.role_set if Role.ADMIN in owner_roles else token.role_set & owner_roles
    return _principal(token.user, "token", roles=roles, token_prefix=token.prefix)


def list_tokens(session: Session, user_id: int | None = None) -> Sequence[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return session.scalars(query).all()


def revoke_token(
    session: Session, principal: Principal, token_id: int, now: datetime | None = None
) -> ApiToken:
    """Revoke one of the principal's own tokens (an admin may revoke anyone's)."""
    token = session.get(ApiToken, token_id)
    if token is not None and (token.user_id == principal.user_id or principal.has(Role.ADMIN)):
        return revoke_token_by_id(session, token_id, now)
    # The same answer whether it does not exist or is someone else's.
    raise NotFound(Message(f"令牌 {token_id} 不存在。", f"No token {token_id}."))


def revoke_token_by_id(session: Session, token_id: int, now: datetime | None = None) -> ApiToken:
    """Revoke any token (an operator at the command line)."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(Message(f"令牌 {token_id} 不存在。", f"No token {token_id}."))
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
    return token


# --- audit log ---------------------------------------------------------------------------------


def audit_entries(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    actor_user_id: int | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[Sequence[AuditEntry], int]:
    """A page of the audit log, newest first, and how many entries the filters admit:
    writes to one table (and one row of it), by one person, from ``since`` up to (not
    including) ``before``."""
    conditions = []
    if entity:
        conditions.append(AuditEntry.entity == entity)
    if entity_id:
        # A row of a composite key ("5,analyst" in user_roles) is found by its first part too.
        conditions.append(
            (AuditEntry.entity_id == entity_id) | AuditEntry.entity_id.like(f"{entity_id},%")
        )
    if actor_user_id is not None:
        conditions.append(AuditEntry.actor_user_id == actor_user_id)
    if since is not None:
        conditions.append(AuditEntry.at >= since)
    if before is not None:
        conditions.append(AuditEntry.at < before)
    query = select(AuditEntry).where(*conditions)
    count = select(func.count()).select_from(AuditEntry).where(*conditions)
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()
    return rows, session.scalar(count) or 0


def audited_tables(session: Session) -> list[str]:
    """The tables the audit log has entries for, to filter by."""
    return sorted(session.scalars(select(AuditEntry.entity).distinct()).all())


__all__ = [
    "IssuedToken",
    "Principal",
    "audit_entries",
    "audited_tables",
    "authenticate",
    "create_organisation",
    "create_token",
    "create_user",
    "end_web_session",
    "get_organisation",
    "get_user",
    "list_organisations",
    "list_tokens",
    "list_users",
    "member_counts",
    "parse_roles",
    "principal_for",
    "resolve_web_session",
    "revoke_token",
    "revoke_token_by_id",
    "search_users",
    "set_active",
    "set_organisation",
    "set_password",
    "set_roles",
    "start_web_session",
    "update_organisation",
    "user_by_email",
    "verify_token",
]
