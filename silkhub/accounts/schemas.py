"""API payloads of accounts and access."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from silkhub.accounts.models import OrgKind, Role


class OrganisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    kind: OrgKind
    country: str = Field(
        default="CN", max_length=100, description="ISO code or a name; stored as alpha-2."
    )


class FromObject(BaseModel):
    """A response read straight from a model's (or a principal's) attributes."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


# Roles come from sets; answers list them in a stable order.
RoleList = Annotated[list[Role], AfterValidator(sorted)]


class OrganisationOut(FromObject):
    id: int
    name_zh: str
    name_en: str
    kind: OrgKind
    country: str
    created_at: datetime


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=254)
    display_name: str = Field(max_length=200)
    password: str | None = Field(default=None, max_length=1000)
    roles: list[Role] = Field(default_factory=list)
    organisation_id: int | None = None
    language: Literal["zh", "en"] = "zh"


class UserOut(FromObject):
    id: int
    email: str
    display_name: str
    roles: RoleList
    organisation_id: int | None
    language: str
    is_active: bool
    created_at: datetime


class Me(FromObject):
    user_id: int
    email: str
    display_name: str
    roles: RoleList
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


class TokenOut(FromObject):
    id: int
    name: str
    prefix: str
    # The model keeps roles as a string; its role_set is the parsed set.
    roles: RoleList = Field(validation_alias="role_set")
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class IssuedTokenOut(TokenOut):
    token: str = Field(description="The token itself. Shown this once; keep it safe.")


class AuditEntryOut(FromObject):
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
