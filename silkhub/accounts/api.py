"""REST routes of accounts and access, under ``/api/accounts``. No logic here: each route
checks who is asking, calls the service, and shapes the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from silkhub.accounts import service
from silkhub.accounts.models import Role
from silkhub.accounts.schemas import (
    AuditEntryOut,
    AuditPage,
    IssuedTokenOut,
    Me,
    OrganisationIn,
    OrganisationOut,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
)
from silkhub.accounts.service import Principal
from silkhub.stores.database import Database
from silkhub.web.security import CurrentUser, app_db, require_roles

router = APIRouter(prefix="/api/accounts", tags=["accounts"])

Db = Annotated[Database, Depends(app_db)]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


@router.get("/me", response_model=Me, summary="Who am I")
def me(principal: CurrentUser) -> Me:
    return Me.model_validate(principal)


@router.get("/users", response_model=list[UserOut], summary="List people")
def list_users(_: Admin, db: Db) -> list[UserOut]:
    with db.reading() as session:
        return [UserOut.model_validate(u) for u in service.list_users(session)]


@router.post(
    "/users", response_model=UserOut, status_code=status.HTTP_201_CREATED, summary="Add a person"
)
def create_user(body: UserIn, admin: Admin, db: Db) -> UserOut:
    with db.transaction(admin.actor) as session:
        user = service.create_user(
            session,
            email=body.email,
            display_name=body.display_name,
            password=body.password,
            roles=body.roles,
            organisation_id=body.organisation_id,
            language=body.language,
        )
        return UserOut.model_validate(user)


@router.get("/organisations", response_model=list[OrganisationOut], summary="List organisations")
def list_organisations(_: Admin, db: Db) -> list[OrganisationOut]:
    with db.reading() as session:
        return [OrganisationOut.model_validate(o) for o in service.list_organisations(session)]


@router.post(
    "/organisations",
    response_model=OrganisationOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add an organisation",
)
def create_organisation(body: OrganisationIn, admin: Admin, db: Db) -> OrganisationOut:
    with db.transaction(admin.actor) as session:
        org = service.create_organisation(
            session,
            name_zh=body.name_zh,
            name_en=body.name_en,
            kind=body.kind.value,
            country=body.country,
        )
        return OrganisationOut.model_validate(org)


@router.get("/tokens", response_model=list[TokenOut], summary="My API tokens")
def list_tokens(principal: CurrentUser, db: Db) -> list[TokenOut]:
    with db.reading() as session:
        return [TokenOut.model_validate(t) for t in service.list_tokens(session, principal.user_id)]


@router.post(
    "/tokens",
    response_model=IssuedTokenOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create an API token (shown once)",
)
def create_token(body: TokenIn, principal: CurrentUser, db: Db) -> IssuedTokenOut:
    with db.transaction(principal.actor) as session:
        issued = service.create_token(
            session,
            service.get_user(session, principal.user_id),
            name=body.name,
            roles=body.roles,
            ceiling=principal.roles,
            expires_at=body.expires_at,
        )
        out = TokenOut.model_validate(issued.token)
        return IssuedTokenOut(**out.model_dump(), token=issued.secret)


@router.delete("/tokens/{token_id}", response_model=TokenOut, summary="Revoke an API token")
def revoke_token(token_id: int, principal: CurrentUser, db: Db) -> TokenOut:
    with db.transaction(principal.actor) as session:
        return TokenOut.model_validate(service.revoke_token(session, principal, token_id))


@router.get("/audit", response_model=AuditPage, summary="The audit log (newest first)")
def audit_log(
    _: Admin,
    db: Db,
    entity: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AuditPage:
    with db.reading() as session:
        rows, total = service.audit_entries(session, entity=entity, limit=limit, offset=offset)
        return AuditPage(
            total=total,
            limit=limit,
            offset=offset,
            entries=[AuditEntryOut.model_validate(r) for r in rows],
        )
