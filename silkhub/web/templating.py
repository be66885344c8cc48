"""Rendering portal pages: one Jinja environment per language, with that language's catalog.

Two environments rather than one with per-request translations, because Jinja's i18n
extension installs ``gettext`` on the environment, which concurrent requests would share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from babel.dates import format_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    select_autoescape,
)
from starlette.exceptions import HTTPException as StarletteHTTPException

from silkhub import __version__
from silkhub.accounts.service import Principal
from silkhub.core.errors import Problem, SilkhubError
from silkhub.web.i18n import LANGUAGES, LOCALES, language_from_path, request_language, translations
from silkhub.web.security import ANON_COOKIE, csrf_token, resolve_principal

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def _switch_language(path: str, query: str, lang: str) -> str:
    """The same page in ``lang``: swap the /zh/ or /en/ prefix, or add one."""
    current = language_from_path(path)
    rest = path[len(current) + 1 :] if current else path
    target = f"/{lang}{rest if rest.startswith('/') else '/' + rest}"
    return f"{target}?{query}" if query else target


class Templates:
    """The portal's templates: the shared layout in ``web/templates``, and each capability's
    own under its name (``accounts/login.html`` is ``silkhub/accounts/templates/login.html``).
    """

    def __init__(self, capability_dirs: Mapping[str, Path] | None = None) -> None:
        loader = ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES_DIR),
                PrefixLoader(
                    {name: FileSystemLoader(path) for name, path in (capability_dirs or {}).items()}
                ),
            ]
        )
        self.envs: dict[str, Environment] = {}
        for lang in LANGUAGES:
            env = Environment(
                loader=loader,
                autoescape=select_autoescape(["html", "xml"]),
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
            locale = LOCALES[lang]
            env.filters["number"] = lambda v, fmt=None, _l=locale: format_decimal(
                v, format=fmt, locale=_l
            )
            env.filters["datetime"] = lambda v, fmt="medium", _l=locale: format_datetime(
                v, format=fmt, locale=_l
            )
            self.envs[lang] = env

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        lang = request_language(request)
        principal = _principal_or_none(request)
        settings = request.app.state.settings
        other = "en" if lang == "zh" else "zh"
        nav = _navigation(request, lang, principal)
        page = {
            "request": request,
            "lang": lang,
            "other_lang": other,
            "switch_url": _switch_language(request.url.path, request.url.query, other),
            "principal": principal,
            "csrf_token": csrf_token(request),
            "demo": request.app.state.demo,
            "version": __version__,
            "base_url": settings.base_url,
            "static": lambda path: f"/static/{path}?v={__version__}",
            "path": request.url.path,
            "nav": nav,
            "nav_current": _current(request.url.path, [href for href, _ in nav]),
            **(context or {}),
        }
        html = self.envs[lang].get_template(name).render(page)
        response = HTMLResponse(html, status_code=status, headers=dict(headers or {}))
        new_anon = getattr(request.state, "new_anon_cookie", None)
        if new_anon:
            response.set_cookie(
                ANON_COOKIE, new_anon, httponly=True, samesite="lax", secure=_secure(request)
            )
        return response

    async def error_page(
        self,
        request: Request,
        status: int,
        code: str,
        message: str,
        problems: Sequence[Problem],
    ) -> Response:
        lang = request_language(request)
        if status == 401:
            target = f"/{lang}/login?next={quote(request.url.path)}"
            return RedirectResponse(target, status_code=303)
        return self.render(
            request,
            "error.html",
            {
                "status": status,
                "code": code,
                "message": message,
                "problems": [p.to_dict(lang) for p in problems],
            },
            status=status,
        )


def _navigation(request: Request, lang: str, principal: Principal | None) -> list[tuple[str, str]]:
    """The capabilities' entries, then the workspaces this person's roles may use (none for a
    visitor): a link is shown only to those it can serve."""
    state = request.app.state
    entries = [(f"/{lang}{href}", label.in_(lang)) for href, label in state.nav]
    if principal is not None:
        entries += [
            (f"/{lang}{href}", label.in_(lang))
            for href, label, role in getattr(state, "workspaces", [])
            if principal.has(role)
        ]
    return entries


def _current(path: str, hrefs: Sequence[str]) -> str | None:
    """The one entry the page is under: the longest that the path starts with (the upload
    page is under "Upload data", not also under "Statistics")."""
    under = [h for h in hrefs if path == h or path.startswith(h + "/")]
    return max(under, key=len) if under else None


def _principal_or_none(request: Request) -> Principal | None:
    # An error page must render even when the error was the principal itself (a bad token).
    try:
        return resolve_principal(request)
    except SilkhubError:
        return None


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def page_language(lang: str) -> str:
    """Path dependency for ``/{lang}/…`` pages: only the portal's languages exist."""
    if lang not in LANGUAGES:
        raise StarletteHTTPException(404)
    return lang


def templates_of(request: Request) -> Templates:
    templates: Templates = request.app.state.templates
    return templates


def safe_next(target: str | None, lang: str) -> str:
    """Where to go after signing in: only a path on this site (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"/{lang}/"
