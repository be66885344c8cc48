"""Portal pages of accounts: sign in, sign out, and one's own account and API tokens; the
administrator's workspace (people, organisations, tokens, audit log) is in ``pages_admin``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from silkhub.accounts import pages_admin, service
from silkhub.accounts.models import ROLE_NAMES, Role
from silkhub.core.errors import AuthError, InvalidInput, LoginThrottled, Message, PermissionDenied
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.stores.operational import utcnow
from silkhub.web.i18n import request_language
from silkhub.web.security import (
    ANON_COOKIE,
    SESSION_COOKIE,
    OptionalPrincipal,
    app_db,
    app_settings,
    check_form_csrf,
    client_address,
)
from silkhub.web.templating import page_language, safe_next, templates_of

router = APIRouter(include_in_schema=False)
router.include_router(pages_admin.router)

#: The administrator's workspace, linked in the navigation for admins only.
WORKSPACES = [("/admin", Message("管理", "Administration"), Role.ADMIN)]

Lang = Annotated[str, Depends(page_language)]
Db = Annotated[Database, Depends(app_db)]
Config = Annotated[Settings, Depends(app_settings)]
Csrf = Depends(check_form_csrf)


@router.get("/{lang}/login")
def login_page(request: Request, lang: Lang, next: str | None = None) -> Response:
    return templates_of(request).render(
        request, "accounts/login.html", {"next": safe_next(next, lang), "email": ""}
    )


@router.post("/{lang}/login", dependencies=[Csrf])
def login(
    request: Request,
    lang: Lang,
    db: Db,
    settings: Config,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    try:
        principal = service.authenticate(
            db,
            email,
            password,
            client=client_address(request),
            max_failures=settings.login_max_failures,
        )
    except AuthError as exc:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, LoginThrottled) else None
        return templates_of(request).render(
            request,
            "accounts/login.html",
            {"error": exc.in_(lang), "email": email, "next": safe_next(next, lang)},
            status=exc.status,
            headers=headers,
        )
    with db.transaction(principal.actor) as session:
        key = service.start_web_session(session, principal, hours=settings.session_hours)
    response = RedirectResponse(safe_next(next, lang), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        key,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(ANON_COOKIE)
    return response


@router.post("/{lang}/logout", dependencies=[Csrf])
def logout(request: Request, lang: Lang, db: Db, principal: OptionalPrincipal) -> Response:
    key = request.cookies.get(SESSION_COOKIE)
    if key:
        actor = principal.actor if principal else None
        with db.transaction(actor) as session:
            service.end_web_session(session, key)
    response = RedirectResponse(f"/{lang}/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _account_page(
    request: Request, db: Database, principal: service.Principal, **extra: object
) -> Response:
    with db.reading() as session:
        lang = request_language(request)
        tokens = service.list_tokens(session, principal.user_id)
        user = service.get_user(session, principal.user_id)
        organisation = user.organisation
        context = {
            "user": user,
            "organisation": organisation,
            "token_rows": [pages_admin.token_row(t, lang) for t in tokens],
            "token_role_names": {r.value: m.in_(lang) for r, m in ROLE_NAMES.items()},
            "roles": sorted(principal.roles),
            "role_names": ROLE_NAMES,
            **extra,
        }
        return templates_of(request).render(request, "accounts/account.html", context)


def _signed_in(principal: service.Principal | None) -> service.Principal:
    if principal is None:
        raise AuthError("sign-in required")  # the error page turns this into a redirect
    return principal


@router.get("/{lang}/account")
def account(request: Request, lang: Lang, db: Db, principal: OptionalPrincipal) -> Response:
    return _account_page(request, db, _signed_in(principal))


@router.post("/{lang}/account/tokens", dependencies=[Csrf])
def create_token(
    request: Request,
    lang: Lang,
    db: Db,
    principal: OptionalPrincipal,
    name: Annotated[str, Form()] = "",
    roles: Annotated[list[str] | None, Form()] = None,
    expires_days: Annotated[int | None, Form(ge=1, le=3650)] = None,
) -> Response:
    who = _signed_in(principal)
    try:
        wanted = service.parse_roles(roles or [])
        with db.transaction(who.actor) as session:
            issued = service.create_token(
                session,
                service.get_user(session, who.user_id),
                name=name,
                roles=wanted or None,
                ceiling=who.roles,
                expires_at=utcnow() + timedelta(days=expires_days) if expires_days else None,
            )
    except (InvalidInput, PermissionDenied) as exc:
        return _account_page(
            request, db, who, error=exc.in_(lang), problems=[p.to_dict(lang) for p in exc.problems]
        )
    return _account_page(request, db, who, issued=issued.secret, issued_name=issued.token.name)


@router.post("/{lang}/account/tokens/{token_id}/revoke", dependencies=[Csrf])
def revoke_token(
    request: Request, lang: Lang, token_id: int, db: Db, principal: OptionalPrincipal
) -> Response:
    who = _signed_in(principal)
    with db.transaction(who.actor) as session:
        service.revoke_token(session, who, token_id)
    return RedirectResponse(f"/{lang}/account", status_code=303)
