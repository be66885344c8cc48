"""Tables of accounts and access: organisations, people, roles, API tokens, portal sessions,
and the counters that slow down password guessing."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from silkhub.core.errors import Message
from silkhub.stores.operational import Base, utcnow


class OrgKind(StrEnum):
    DEPARTMENT = "department"  # government department (政府部门)
    ENTERPRISE = "enterprise"
    SERVICE_AGENCY = "service_agency"
    PANEL_MEMBER = "panel_member"  # carrier or forwarder submitting freight rates
    LOGISTICS_OPERATOR = "logistics_operator"
    OTHER = "other"


ORG_KIND_NAMES: dict[OrgKind, Message] = {
    OrgKind.DEPARTMENT: Message("政府部门", "Government department"),
    OrgKind.ENTERPRISE: Message("企业", "Enterprise"),
    OrgKind.SERVICE_AGENCY: Message("服务机构", "Service agency"),
    OrgKind.PANEL_MEMBER: Message("运价指数样本企业", "Index panel member"),
    OrgKind.LOGISTICS_OPERATOR: Message("物流运营方", "Logistics operator"),
    OrgKind.OTHER: Message("其他", "Other"),
}


class Role(StrEnum):
    ADMIN = "admin"  # may do everything, manages people and tokens
    ANALYST = "analyst"
    INDEX_COMPILER = "index_compiler"
    EDITOR = "editor"
    APPROVER = "approver"
    PANELIST = "panelist"
    SUBSCRIBER = "subscriber"
    API_CLIENT = "api_client"
    # carriers, rail and terminal operators sending track-and-trace events (DCSA POST /events)
    LOGISTICS_OPERATOR = "logistics_operator"


ROLE_NAMES: dict[Role, Message] = {
    Role.ADMIN: Message("管理员", "Administrator"),
    Role.ANALYST: Message("统计分析员", "Analyst"),
    Role.INDEX_COMPILER: Message("指数编制员", "Index compiler"),
    Role.EDITOR: Message("编辑", "Editor"),
    Role.APPROVER: Message("审核人", "Approver"),
    Role.PANELIST: Message("样本企业报价员", "Panel member"),
    Role.SUBSCRIBER: Message("订阅用户", "Subscriber"),
    Role.API_CLIENT: Message("接口客户端", "API client"),
    Role.LOGISTICS_OPERATOR: Message("物流运营方", "Logistics operator"),
}


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    country: Mapped[str] = mapped_column(String(2), default="CN")  # ISO 3166-1 alpha-2
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    display_name: Mapped[str] = mapped_column(String(200))
    # None: the account cannot sign in with a password (a machine, or not yet set).
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    language: Mapped[str] = mapped_column(String(2), default="zh")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(40), primary_key=True)


class ApiToken(Base):
    """A machine's key. Only its SHA-256 is stored: the token is shown once, at creation.

    SHA-256 rather than argon2 because the token is 256 random bits, not a guessable
    password, and it is checked on every API request.
    """

    __tablename__ = "api_tokens"
    __audit_ignore__ = frozenset({"last_used_at"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)  # shown in lists and logs
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    roles: Mapped[str] = mapped_column(String(400))  # space-separated Role values
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)

    user: Mapped[User] = relationship()

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r) for r in self.roles.split())


class WebSession(Base):
    """A signed-in browser. The cookie holds a random key; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Failed sign-ins per account and per client address (bookkeeping, not audited)."""

    __tablename__ = "login_throttle"
    __audit__ = False
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300))  # "email:<address>" or "ip:<address>"
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(nullable=True)
    last_failure_at: Mapped[datetime | None] = mapped_column(nullable=True)
