"""Who is asking, and may they: API tokens for machines, sessions for people, CSRF for forms,
and the limit on request bodies.

- A machine sends ``Authorization: Bearer shk_…``. No cookie, no CSRF check.
- A person signs in through the portal and gets the ``silkhub_session`` cookie (HttpOnly,
  SameSite=Lax). Every form carries a CSRF token bound to that cookie (or, before sign-in,
  to an anonymous ``silkhub_anon`` cookie); an unsafe request to the API made with the cookie
  must send the same token in ``X-CSRF-Token``.
- Roles are checked by the ``require_roles`` dependency; an admin holds every role.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal, resolve_web_session, verify_token
from silkhub.core.errors import AuthError, Message, PayloadTooLarge, PermissionDenied
from silkhub.settings import Settings
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database
from silkhub.web.errors import respond

SESSION_COOKIE = "silkhub_session"
ANON_COOKIE = "silkhub_anon"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def app_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def app_analytical(request: Request) -> AnalyticalStore:
    store: AnalyticalStore = request.app.state.analytical
    return store


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise AuthError(
            Message(
                "Authorization 头应为“Bearer <令牌>”。",
                "The Authorization header must be 'Bearer <token>'.",
            ),
            code="bad_authorization_header",
        )
    return value.strip()


def resolve_principal(request: Request) -> Principal | None:
    """The principal of this request (cached on it), or None for an anonymous visitor.

    Synchronous: it reads the database, so FastAPI runs it in its thread pool.
    """
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    principal: Principal | None = None
    db = app_db(request)
    token = _bearer(request)
    if token is not None:
        with db.transaction() as session:
            principal = verify_token(session, token)
    else:
        key = request.cookies.get(SESSION_COOKIE)
        if key:
            with db.reading() as session:
                principal = resolve_web_session(session, key)
            if principal is not None and _needs_csrf_check(request):
                _check_csrf_value(request, request.headers.get(CSRF_HEADER))
    request.state.principal = principal
    return principal


def _needs_csrf_check(request: Request) -> bool:
    # Forms of the portal are checked by their handlers (the token is in the form body).
    return request.method not in SAFE_METHODS and request.url.path.startswith("/api/")


OptionalPrincipal = Annotated[Principal | None, Depends(resolve_principal)]


def require_roles(*roles: Role) -> Callable[..., Principal]:
    """A dependency admitting a signed-in principal holding one of ``roles`` (any, if none)."""

    def dependency(principal: OptionalPrincipal) -> Principal:
        if principal is None:
            raise AuthError(Message("请先登录或提供 API 令牌。", "Sign in or send an API token."))
        if roles and not principal.has(*roles):
            needed = ", ".join(r.value for r in roles)
            raise PermissionDenied(
                Message(
                    f"此操作需要以下角色之一：{needed}。",
                    f"This needs one of these roles: {needed}.",
                )
            )
        return principal

    dependency.__name__ = f"require_{'_or_'.join(r.value for r in roles) or 'user'}"
    return dependency


CurrentUser = Annotated[Principal, Depends(require_roles())]


# --- CSRF ----------------------------------------------------------------------------------


def _csrf_for(request: Request, base: str) -> str:
    key: bytes = request.app.state.secret_key
    return hmac.new(key, f"csrf:{base}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token to put in this page's forms; makes an anonymous cookie when there is none."""
    base = request.cookies.get(SESSION_COOKIE) or request.cookies.get(ANON_COOKIE)
    if base is None:
        base = getattr(request.state, "new_anon_cookie", None)
        if base is None:
            base = secrets.token_urlsafe(24)
            request.state.new_anon_cookie = base  # set on the response by the page renderer
    return _csrf_for(request, base)


def _check_csrf_value(request: Request, submitted: str | None) -> None:
    base = request.cookies.get(SESSION_COOKIE) or request.cookies.get(ANON_COOKIE)
    if (
        not submitted
        or base is None
        or not hmac.compare_digest(submitted, _csrf_for(request, base))
    ):
        raise PermissionDenied(
            Message(
                "表单已过期或来源不明（CSRF 校验失败）。请刷新页面后重试。",
                "This form has expired or did not come from this site (CSRF check failed). "
                "Reload the page and try again.",
            ),
            code="csrf_failed",
        )


async def check_form_csrf(request: Request) -> None:
    """Dependency for portal form posts: the form's token must match the cookie."""
    form = await request.form()
    value = form.get(CSRF_FIELD)
    _check_csrf_value(request, value if isinstance(value, str) else None)


# --- request bodies ------------------------------------------------------------------------------


class BodyLimitMiddleware:
    """Refuses bodies over ``max_bytes``: at once when Content-Length says so, and while
    reading when a chunked body grows past it, so a large upload never fills memory."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        exceeded = False

        async def limited_receive() -> AsgiMessage:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    exceeded = True
                    raise _too_large(self.max_bytes)
            return message

        async def guarded_send(message: AsgiMessage) -> None:
            # Frameworks answer an error raised while reading the body in their own way (FastAPI
            # with a 400); once the limit is passed, the answer is ours instead.
            if not exceeded:
                await send(message)
            elif message["type"] == "http.response.start":
                await self._refuse(scope, receive, send)

        await self.app(scope, limited_receive, guarded_send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        exc = _too_large(self.max_bytes)
        response = await respond(request, exc.status, exc.code, exc.message)
        await response(scope, receive, send)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        Message(
            f"请求内容超过上限（{limit}字节）。",
            f"The request body is larger than the limit of {limit} bytes.",
        )
    )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
