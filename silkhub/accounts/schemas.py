"""API payloads of accounts and access."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from silkhub.accounts.models import ApiToken, Organisation, OrgKind, Role, User


class OrganisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    kind: OrgKind
    country: str = Field(
        default="CN", max_length=100, description="ISO code or a name; stored as alpha-2."
    )


class OrganisationOut(BaseModel):
    id: int
    name_zh: str
    name_en: str
    kind: OrgKind
    country: str
    created_at: datetime

    @classmethod
    def of(cls, org: Organisation) -> OrganisationOut:
        return cls(
            id=org.id,
            name_zh=org.name_zh,
            name_en=org.name_en,
            kind=OrgKind(org.kind),
            country=org.country,
            created_at=org.created_at,
        )


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=254)
    display_name: str = Field(max_length=200)
    password: str | None = Field(default=None, max_length=1000)
    roles: list[Role] = Field(default_factory=list)
    organisation_id: int | None = None
    language: Literal["zh", "en"] = "zh"


class UserOut(BaseModel):
    id: int
    email: str
    display_name: str
    roles: list[Role]
    organisation_id: int | None
    language: str
    is_active: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            roles=sorted(user.roles),
            organisation_id=user.organisation_id,
            language=user.language,
            is_active=user.is_active,
            created_at=user.created_at,
        )


class Me(BaseModel):
    user_id: int
    email: str
    display_name: str
    roles: list[Role]
    language: str
    organisation_id: int | None
    via: Literal["session", "token", "cli"]


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    roles: list[Role] | None = Field(
        default=None, description="Roles the token carries; default: all of its owner's."
    )
    expires_at: datetime | None = None


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    roles: list[Role]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        return cls(
            id=token.id,
            name=token.name,
            prefix=token.prefix,
            roles=sorted(token.role_set),
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            last_used_at=token.last_used_at,
        )


class IssuedTokenOut(TokenOut):
    token: str = Field(description="The token itself. Shown this once; keep it safe.")


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_user_id: int | None
    action: str
    entity: str
    entity_id: str | None
    changes: dict[str, Any]


class AuditPage(BaseModel):
    total: int
    limit: int
    offset: int
    entries: list[AuditEntryOut]
