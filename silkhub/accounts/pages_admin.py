"""The administrator's workspace (``/{lang}/admin/…``): people, organisations, every API token,
and the audit log. Admin only: everyone else is refused as by any role check (signed out: to
the sign-in page; signed in without the role: 403). Thin over ``service``; every change is
made in a transaction under the administrator's name, so the audit log records who did it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from silkhub.accounts import service
from silkhub.accounts.models import ORG_KIND_NAMES, ROLE_NAMES, ApiToken, OrgKind, Role, User
from silkhub.accounts.service import Principal
from silkhub.core.errors import (
    Conflict,
    InvalidInput,
    Location,
    Message,
    NotFound,
    PermissionDenied,
    Problem,
    SilkhubError,
)
from silkhub.stores.database import Database
from silkhub.stores.operational import utcnow
from silkhub.web.security import app_db, check_form_csrf, require_roles
from silkhub.web.templating import page_language, templates_of

router = APIRouter(include_in_schema=False)

Lang = Annotated[str, Depends(page_language)]
Db = Annotated[Database, Depends(app_db)]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Csrf = Depends(check_form_csrf)

TABS = (
    ("/admin/people", Message("人员", "People")),
    ("/admin/organisations", Message("机构", "Organisations")),
    ("/admin/tokens", Message("API 令牌", "API tokens")),
    ("/admin/audit", Message("审计日志", "Audit log")),
)
AUDIT_PAGE = 50
#: People and organisations a page (a hub has a thousand enterprises' people and more).
LIST_PAGE = 50

#: What the pages say after a change (``?done=<key>`` on the page redirected to).
DONE = {
    "created": Message("已添加。", "Added."),
    "roles": Message("角色已更改。", "The roles were changed."),
    "organisation": Message("所属机构已更改。", "The organisation was changed."),
    "deactivated": Message(
        "账户已停用：不能再登录，已登录的会话和 API 令牌随即失效。",
        "The account was deactivated: it cannot sign in, and its sessions and API tokens "
        "stop working.",
    ),
    "activated": Message("账户已重新启用。", "The account was activated again."),
    "saved": Message("已保存。", "Saved."),
    "revoked": Message("令牌已撤销。", "The token was revoked."),
}


def _tabs(request: Request, lang: str) -> list[dict[str, Any]]:
    here = request.url.path
    return [
        {
            "href": f"/{lang}{p}",
            "label": m.in_(lang),
            "current": here == f"/{lang}{p}" or here.startswith(f"/{lang}{p}/"),
        }
        for p, m in TABS
    ]


def _render(request: Request, name: str, context: dict[str, Any], *, status: int = 200) -> Response:
    lang = context["lang"]
    done = DONE.get(request.query_params.get("done", ""))
    page = {
        "tabs": _tabs(request, lang),
        "role_names": {r.value: m.in_(lang) for r, m in ROLE_NAMES.items()},
        "kind_names": {k.value: m.in_(lang) for k, m in ORG_KIND_NAMES.items()},
        "all_roles": [r.value for r in Role],
        "done": done.in_(lang) if done else None,
        **context,
    }
    return templates_of(request).render(request, f"accounts/{name}", page, status=status)


def _problems(exc: SilkhubError, lang: str) -> list[str]:
    return [
        f"{p.location.field}: {p.message.in_(lang)}" if p.location.field else p.message.in_(lang)
        for p in exc.problems
    ]


def _org_name(org: Any, lang: str) -> str:
    if org is None:
        return ""
    return str(org.name_en if lang == "en" else org.name_zh)


def _organisation_choices(session: Any, lang: str) -> list[tuple[int, str]]:
    return [(o.id, _org_name(o, lang)) for o in service.list_organisations(session)]


@router.get("/{lang}/admin")
def admin_home(lang: Lang, admin: Admin) -> Response:
    return RedirectResponse(f"/{lang}/admin/people", status_code=303)


# --- people ------------------------------------------------------------------------------------


def _optional_int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


def _page_number(request: Request) -> int:
    value = _optional_int(request.query_params.get("page", ""))
    return max(value or 1, 1)


def _pager(request: Request, page: int, total: int, size: int) -> dict[str, Any]:
    """Page ``page`` of ``total`` rows: its number, the count, and links to its neighbours
    keeping the other parameters."""
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "done") and v}

    def href(n: int) -> str:
        return f"{request.url.path}?" + urlencode({**params, "page": str(n)})

    pages = max(1, -(-total // size))
    return {
        "page": page,
        "pages": pages,
        "previous_href": href(page - 1) if page > 1 else None,
        "next_href": href(page + 1) if page < pages else None,
    }


def _person_row(user: User, lang: str) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.display_name,
        "roles": sorted(r.value for r in user.roles),
        "organisation": _org_name(user.organisation, lang),
        "active": user.is_active,
        "created_at": user.created_at,
    }


def _people_page(
    request: Request,
    lang: str,
    db: Database,
    *,
    status: int = 200,
    form: dict[str, Any] | None = None,
    **extra: Any,
) -> Response:
    q = request.query_params
    role_text = q.get("role", "")
    role = Role(role_text) if role_text in {r.value for r in Role} else None
    org_id = _optional_int(q.get("organisation", ""))
    state = q.get("status", "")
    active = {"active": True, "deactivated": False}.get(state)
    page = _page_number(request)
    with db.reading() as session:
        people, total = service.search_users(
            session,
            text=q.get("q", ""),
            role=role,
            organisation_id=org_id,
            active=active,
            limit=LIST_PAGE,
            offset=(page - 1) * LIST_PAGE,
        )
        context = {
            "lang": lang,
            "people": [_person_row(u, lang) for u in people],
            "total": total,
            "pager": _pager(request, page, total, LIST_PAGE),
            "organisations": _organisation_choices(session, lang),
            "filters": {
                "q": q.get("q", ""),
                "role": role.value if role else "",
                "organisation": org_id,
                "status": state if active is not None else "",
            },
            "form": form
            or {
                "email": "",
                "display_name": "",
                "roles": [],
                "organisation_id": None,
                "language": "zh",
            },
            **extra,
        }
        return _render(request, "admin_people.html", context, status=status)


@router.get("/{lang}/admin/people")
def people_page(request: Request, lang: Lang, admin: Admin, db: Db) -> Response:
    return _people_page(request, lang, db)


@router.post("/{lang}/admin/people", dependencies=[Csrf])
def create_person(
    request: Request,
    lang: Lang,
    admin: Admin,
    db: Db,
    email: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    roles: Annotated[list[str] | None, Form()] = None,
    organisation_id: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "zh",
) -> Response:
    form = {
        "email": email,
        "display_name": display_name,
        "roles": roles or [],
        "organisation_id": _optional_int(organisation_id),
        "language": language,
    }
    try:
        wanted = service.parse_roles(roles or [])
        with db.transaction(admin.actor) as session:
            user = service.create_user(
                session,
                email=email,
                display_name=display_name,
                # Empty: the person cannot sign in with a password until one is set.
                password=password or None,
                roles=wanted,
                organisation_id=_optional_int(organisation_id),
                language=language,
            )
            user_id = user.id
    except (InvalidInput, Conflict) as exc:
        return _people_page(
            request,
            lang,
            db,
            status=exc.status,
            form=form,
            error=exc.in_(lang),
            problems=_problems(exc, lang),
        )
    return RedirectResponse(f"/{lang}/admin/people/{user_id}?done=created", status_code=303)


def _person_page(
    request: Request,
    lang: str,
    db: Database,
    user_id: int,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    with db.reading() as session:
        user = service.get_user(session, user_id)
        tokens = service.list_tokens(session, user_id)
        context = {
            "lang": lang,
            "person": _person_row(user, lang),
            "organisation_id": user.organisation_id,
            "language": user.language,
            "organisations": _organisation_choices(session, lang),
            "tokens": [token_row(t, lang) for t in tokens],
            "audit_href": f"/{lang}/admin/audit?"
            + urlencode({"table": "users", "row": str(user_id)}),
            "acts_href": f"/{lang}/admin/audit?" + urlencode({"person": str(user_id)}),
            **extra,
        }
        return _render(request, "admin_person.html", context, status=status)


@router.get("/{lang}/admin/people/{user_id}")
def person_page(request: Request, lang: Lang, user_id: int, admin: Admin, db: Db) -> Response:
    return _person_page(request, lang, db, user_id)


def _person_action(
    request: Request, lang: str, db: Database, admin: Principal, user_id: int, act: Any, done: str
) -> Response:
    """Run ``act(session, user)`` as the administrator; its refusal is shown on the page."""
    try:
        with db.transaction(admin.actor) as session:
            act(session, service.get_user(session, user_id))
    except (InvalidInput, PermissionDenied) as exc:
        return _person_page(
            request,
            lang,
            db,
            user_id,
            status=exc.status,
            error=exc.in_(lang),
            problems=_problems(exc, lang),
        )
    return RedirectResponse(f"/{lang}/admin/people/{user_id}?done={done}", status_code=303)


@router.post("/{lang}/admin/people/{user_id}/roles", dependencies=[Csrf])
def change_roles(
    request: Request,
    lang: Lang,
    user_id: int,
    admin: Admin,
    db: Db,
    roles: Annotated[list[str] | None, Form()] = None,
) -> Response:
    def act(session: Any, user: User) -> None:
        service.set_roles(session, admin, user, service.parse_roles(roles or []))

    return _person_action(request, lang, db, admin, user_id, act, "roles")


@router.post("/{lang}/admin/people/{user_id}/organisation", dependencies=[Csrf])
def change_organisation(
    request: Request,
    lang: Lang,
    user_id: int,
    admin: Admin,
    db: Db,
    organisation_id: Annotated[str, Form()] = "",
) -> Response:
    def act(session: Any, user: User) -> None:
        try:
            service.set_organisation(session, user, _optional_int(organisation_id))
        except NotFound as exc:
            raise InvalidInput(
                exc.message,
                problems=[
                    Problem("unknown_organisation", exc.message, Location(field="organisation_id"))
                ],
            ) from exc

    return _person_action(request, lang, db, admin, user_id, act, "organisation")


@router.post("/{lang}/admin/people/{user_id}/active", dependencies=[Csrf])
def change_active(
    request: Request,
    lang: Lang,
    user_id: int,
    admin: Admin,
    db: Db,
    active: Annotated[str, Form()] = "",
) -> Response:
    if active not in ("0", "1"):
        bad = Message("请选择停用或启用。", "Choose to deactivate or to activate.")
        return _person_page(request, lang, db, user_id, status=422, error=bad.in_(lang))

    def act(session: Any, user: User) -> None:
        service.set_active(session, admin, user, active == "1")

    return _person_action(
        request, lang, db, admin, user_id, act, "activated" if active == "1" else "deactivated"
    )


# --- organisations -------------------------------------------------------------------------------


def _org_form(org: Any = None) -> dict[str, str]:
    if org is None:
        return {"name_zh": "", "name_en": "", "kind": OrgKind.ENTERPRISE.value, "country": "CN"}
    return {
        "name_zh": org.name_zh,
        "name_en": org.name_en,
        "kind": org.kind,
        "country": org.country,
    }


def _organisations_page(
    request: Request, lang: str, db: Database, *, status: int = 200, **extra: Any
) -> Response:
    page = _page_number(request)
    with db.reading() as session:
        organisations = service.list_organisations(session)
        counts = service.member_counts(session)
        rows = [
            {
                "id": o.id,
                "name_zh": o.name_zh,
                "name_en": o.name_en,
                "kind": o.kind,
                "country": o.country,
                "members": counts.get(o.id, 0),
                "created_at": o.created_at,
            }
            for o in organisations[(page - 1) * LIST_PAGE : page * LIST_PAGE]
        ]
    context = {
        "lang": lang,
        "rows": rows,
        "total": len(organisations),
        "pager": _pager(request, page, len(organisations), LIST_PAGE),
        "form": _org_form(),
        **extra,
    }
    return _render(request, "admin_organisations.html", context, status=status)


@router.get("/{lang}/admin/organisations")
def organisations_page(request: Request, lang: Lang, admin: Admin, db: Db) -> Response:
    return _organisations_page(request, lang, db)


@router.post("/{lang}/admin/organisations", dependencies=[Csrf])
def create_organisation(
    request: Request,
    lang: Lang,
    admin: Admin,
    db: Db,
    name_zh: Annotated[str, Form()] = "",
    name_en: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "CN",
) -> Response:
    form = {"name_zh": name_zh, "name_en": name_en, "kind": kind, "country": country}
    try:
        with db.transaction(admin.actor) as session:
            org = service.create_organisation(
                session, name_zh=name_zh, name_en=name_en, kind=kind, country=country
            )
            org_id = org.id
    except InvalidInput as exc:
        return _organisations_page(
            request,
            lang,
            db,
            status=exc.status,
            form=form,
            error=exc.in_(lang),
            problems=_problems(exc, lang),
        )
    return RedirectResponse(f"/{lang}/admin/organisations/{org_id}?done=created", status_code=303)


def _organisation_page(
    request: Request,
    lang: str,
    db: Database,
    org_id: int,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    with db.reading() as session:
        org = service.get_organisation(session, org_id)
        context = {
            "lang": lang,
            "org": {"id": org.id, "name": _org_name(org, lang), "created_at": org.created_at},
            "form": form or _org_form(org),
            "members": [_person_row(u, lang) for u in sorted(org.users, key=lambda u: u.id)],
            "audit_href": f"/{lang}/admin/audit?"
            + urlencode({"table": "organisations", "row": str(org_id)}),
            **extra,
        }
        return _render(request, "admin_organisation.html", context, status=status)


@router.get("/{lang}/admin/organisations/{org_id}")
def organisation_page(request: Request, lang: Lang, org_id: int, admin: Admin, db: Db) -> Response:
    return _organisation_page(request, lang, db, org_id)


@router.post("/{lang}/admin/organisations/{org_id}", dependencies=[Csrf])
def update_organisation(
    request: Request,
    lang: Lang,
    org_id: int,
    admin: Admin,
    db: Db,
    name_zh: Annotated[str, Form()] = "",
    name_en: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "",
) -> Response:
    form = {"name_zh": name_zh, "name_en": name_en, "kind": kind, "country": country}
    try:
        with db.transaction(admin.actor) as session:
            service.update_organisation(
                session,
                service.get_organisation(session, org_id),
                name_zh=name_zh,
                name_en=name_en,
                kind=kind,
                country=country,
            )
    except InvalidInput as exc:
        return _organisation_page(
            request,
            lang,
            db,
            org_id,
            status=exc.status,
            form=form,
            error=exc.in_(lang),
            problems=_problems(exc, lang),
        )
    return RedirectResponse(f"/{lang}/admin/organisations/{org_id}?done=saved", status_code=303)


# --- tokens ---------------------------------------------------------------------------------


def _token_status(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def token_row(token: ApiToken, lang: str, now: datetime | None = None) -> dict[str, Any]:
    """A token as the token tables show it (the admin's pages and one's own account)."""
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "roles": sorted(r.value for r in token.role_set),
        "owner": token.user.email,
        "owner_id": token.user_id,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "status": _token_status(token, now or utcnow()),
    }


@router.get("/{lang}/admin/tokens")
def tokens_page(
    request: Request, lang: Lang, admin: Admin, db: Db, status: str = "active"
) -> Response:
    now = utcnow()
    with db.reading() as session:
        rows = [token_row(t, lang, now) for t in service.list_tokens(session)]
    shown = rows if status == "all" else [r for r in rows if r["status"] == "active"]
    context = {
        "lang": lang,
        "rows": shown,
        "status": "all" if status == "all" else "active",
        "total": len(rows),
    }
    return _render(request, "admin_tokens.html", context)


@router.post("/{lang}/admin/tokens/{token_id}/revoke", dependencies=[Csrf])
def revoke_token(request: Request, lang: Lang, token_id: int, admin: Admin, db: Db) -> Response:
    with db.transaction(admin.actor) as session:
        service.revoke_token(session, admin, token_id)
    return RedirectResponse(f"/{lang}/admin/tokens?done=revoked", status_code=303)


# --- the audit log --------------------------------------------------------------------------


def _day(value: str, field: str, problems: list[Problem]) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        problems.append(
            Problem(
                "bad_date",
                Message(
                    f"日期“{value}”应写作 YYYY-MM-DD。",
                    f"The date {value!r} must be written YYYY-MM-DD.",
                ),
                Location(field=field),
                value,
            )
        )
        return None


def _change_lines(action: str, changes: dict[str, Any]) -> list[dict[str, Any]]:
    """Each changed column: for an update its old and new value, else its value."""
    lines = []
    for key in sorted(changes):
        value = changes[key]
        if action == "update" and isinstance(value, list) and len(value) == 2:
            lines.append({"field": key, "old": value[0], "new": value[1], "is_update": True})
        else:
            lines.append({"field": key, "value": value, "is_update": False})
    return lines


def _page_href(lang: str, params: dict[str, str], page: int) -> str:
    return f"/{lang}/admin/audit?" + urlencode({**params, "page": str(page)})


@router.get("/{lang}/admin/audit")
def audit_page(
    request: Request,
    lang: Lang,
    admin: Admin,
    db: Db,
    table: str = "",
    row: str = "",
    person: str = "",
    since: str = "",
    until: str = "",
    page: int = 1,
) -> Response:
    problems: list[Problem] = []
    first = _day(since, "since", problems)
    last = _day(until, "until", problems)
    person_id = _optional_int(person)
    if person.strip() and person_id is None:
        # Given as an e-mail address: it must name an account (an unknown one matches none).
        with db.reading() as session:
            try:
                person_id = service.user_by_email(session, person).id
            except NotFound as exc:
                problems.append(Problem(exc.code, exc.message, Location(field="person"), person))
                person_id = -1  # nobody: an unknown person's entries are none
    page = max(page, 1)
    params = {
        k: v
        for k, v in {
            "table": table,
            "row": row,
            "person": person,
            "since": since,
            "until": until,
        }.items()
        if v
    }
    with db.reading() as session:
        entries, total = service.audit_entries(
            session,
            entity=table or None,
            entity_id=row or None,
            actor_user_id=person_id,
            since=datetime.combine(first, time.min, tzinfo=UTC) if first else None,
            # "until" is a whole day, included.
            before=datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
            if last and last < date.max
            else None,
            limit=AUDIT_PAGE,
            offset=(page - 1) * AUDIT_PAGE,
        )
        context = {
            "lang": lang,
            "entries": [
                {
                    "id": e.id,
                    "at": e.at,
                    "actor": e.actor,
                    "actor_user_id": e.actor_user_id,
                    "action": e.action,
                    "entity": e.entity,
                    "entity_id": e.entity_id,
                    "changes": _change_lines(e.action, e.changes or {}),
                }
                for e in entries
            ],
            "total": total,
            "page": page,
            "pages": max(1, -(-total // AUDIT_PAGE)),
            "tables": service.audited_tables(session),
            "filters": {
                "table": table,
                "row": row,
                "person": person,
                "since": since,
                "until": until,
            },
            "previous_href": _page_href(lang, params, page - 1) if page > 1 else None,
            "next_href": _page_href(lang, params, page + 1) if page * AUDIT_PAGE < total else None,
            "problems": [p.message.in_(lang) for p in problems],
        }
    return _render(request, "admin_audit.html", context, status=422 if problems else 200)
