"""The logistics workspaces of the portal: the operator's event upload
(``/{lang}/logistics/upload``) and a consumer's callback subscriptions
(``/{lang}/logistics/subscriptions``). Thin over ``uploads`` and ``subscriptions``: the
rules (one file, one batch, nothing stored with any error; a secret shown once) are theirs.

Who may use them is what the API admits: posting events is the logistics operators'
(``POST /dcsa/tnt/v3/events``); subscriptions are held by subscribers, API clients and
logistics operators (``/api/logistics/subscriptions``), each seeing their own and an admin
everyone's.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal, get_user
from silkhub.core.errors import InvalidInput, Message, Problem, SilkhubError
from silkhub.logistics import subscriptions, tracking
from silkhub.logistics.dcsa_api import sender_for
from silkhub.logistics.events import EVENT_TYPES
from silkhub.logistics.models import Subscription
from silkhub.logistics.uploads import UploadSummary, upload_events
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.security import (
    app_db,
    app_settings,
    check_form_csrf,
    require_roles,
    resolve_principal,
)
from silkhub.web.templating import page_language, templates_of

router = APIRouter(include_in_schema=False)

SUBSCRIBER_ROLES = (Role.SUBSCRIBER, Role.API_CLIENT, Role.LOGISTICS_OPERATOR)
Lang = Annotated[str, Depends(page_language)]
Db = Annotated[Database, Depends(app_db)]
Config = Annotated[Settings, Depends(app_settings)]
Operator = Annotated[Principal, Depends(require_roles(Role.LOGISTICS_OPERATOR))]
Subscriber = Annotated[Principal, Depends(require_roles(*SUBSCRIBER_ROLES))]
Csrf = Depends(check_form_csrf)

#: The workspace tabs, each with the roles that see it.
TABS: tuple[tuple[str, Message, tuple[Role, ...]], ...] = (
    ("/logistics/upload", Message("事件上传", "Event upload"), (Role.LOGISTICS_OPERATOR,)),
    ("/logistics/subscriptions", Message("事件订阅", "Event subscriptions"), SUBSCRIBER_ROLES),
)
#: How many transports and containers the upload's summary links, at most.
SHOWN = 50
FORMATS = ("ndjson", "csv")
#: The form's fields, as the service's problems name them (``body.<field>``).
FORM_FIELDS = {
    "callbackUrl": Message("回调地址", "Callback URL"),
    "filters": Message("筛选条件", "Filters"),
    "filters.eventTypes": Message("事件类型", "Event types"),
}
EVENT_TYPE_NAMES = {
    "EQUIPMENT": Message("集装箱事件", "Equipment events"),
    "TRANSPORT": Message("运输事件", "Transport events"),
    "SHIPMENT": Message("货运单证事件", "Shipment events"),
    "IOT": Message("物联网事件", "IoT events"),
    "REEFER": Message("冷藏箱事件", "Reefer events"),
}


def workspace_tabs(request: Request, lang: str) -> list[dict[str, Any]]:
    """The workspace tabs the signed-in person may use (none for a visitor)."""
    principal = _principal_or_none(request)
    if principal is None:
        return []
    here = request.url.path
    return [
        {"href": f"/{lang}{p}", "label": m.in_(lang), "current": here == f"/{lang}{p}"}
        for p, m, roles in TABS
        if principal.has(*roles)
    ]


def _principal_or_none(request: Request) -> Principal | None:
    # A public page must render even for a request with a bad token.
    try:
        return resolve_principal(request)
    except SilkhubError:
        return None


def _tabs(request: Request, lang: str) -> list[dict[str, Any]]:
    # The public pages' tabs first, as on those pages (imported here: pages imports us).
    from silkhub.logistics.pages import _tabs as all_tabs

    return all_tabs(request, lang)


def problem_rows(problems: list[Problem], lang: str) -> list[dict[str, Any]]:
    """Each problem as the report's table shows it: the line, and the CSV column or the
    event's JSON path."""
    return [
        {
            "severity": p.severity.value,
            "line": "" if p.location.row is None else p.location.row,
            "field": p.location.column or p.location.field or "",
            "value": "" if p.value is None else str(p.value)[:200],
            "code": p.code,
            "message": p.message.in_(lang),
        }
        for p in problems
    ]


# --- the upload --------------------------------------------------------------------------------


def _summary(summary: UploadSummary, lang: str) -> dict[str, Any]:
    names = {m: n.in_(lang) for m, n in tracking.MODE_NAMES.items()}
    return {
        "file": summary.file,
        "received": summary.received,
        "stored": summary.stored,
        "unchanged": summary.unchanged,
        "retracted": summary.retracted,
        "new": summary.new_events,
        "replaced": summary.replaced_events,
        "transports": [
            {
                "mode": names.get(mode, mode),
                "reference": ref,
                "href": f"/{lang}/logistics/transports/{mode}/{ref}" if registered else None,
            }
            for mode, ref, registered in summary.transports[:SHOWN]
        ],
        "more_transports": max(0, len(summary.transports) - SHOWN),
        "containers": [
            {"reference": c, "href": f"/{lang}/track?by=equipment&ref={c}"}
            for c in summary.containers[:SHOWN]
        ],
        "more_containers": max(0, len(summary.containers) - SHOWN),
        "warnings": problem_rows(summary.warnings, lang),
    }


def _render_upload(
    request: Request, lang: str, principal: Principal, *, status: int = 200, **extra: Any
) -> Response:
    context = {
        "tabs": _tabs(request, lang),
        "formats": FORMATS,
        "chosen": "",
        "sender": sender_for(principal),
        **extra,
    }
    return templates_of(request).render(request, "logistics/upload.html", context, status=status)


@router.get("/{lang}/logistics/upload")
def upload_page(request: Request, lang: Lang, operator: Operator) -> Response:
    return _render_upload(request, lang, operator)


@router.post("/{lang}/logistics/upload", dependencies=[Csrf])
def upload(
    request: Request,
    lang: Lang,
    operator: Operator,
    db: Db,
    settings: Config,
    fmt: Annotated[str, Form()] = "",
    file: UploadFile | None = None,
) -> Response:
    if file is None or not file.filename:
        missing = Message("请选择要上传的事件文件。", "Choose a file of events to upload.")
        return _render_upload(request, lang, operator, status=422, error=missing.in_(lang))
    if fmt and fmt not in FORMATS:
        bad = Message(f"未知的文件格式“{fmt}”。", f"Unknown file format {fmt!r}.")
        return _render_upload(request, lang, operator, status=422, error=bad.in_(lang))
    name = Path(file.filename).name or "events"
    work = settings.data_dir / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(dir=work) as tmp:
            # Saved under the name it was chosen by: problems name that file.
            path = Path(tmp) / name
            with path.open("wb") as out:
                shutil.copyfileobj(file.file, out)
            with db.transaction(operator.actor) as session:
                summary = upload_events(
                    session,
                    path,
                    sender=sender_for(operator),
                    received_by=operator.actor.label,
                    fmt=fmt or None,
                )
    except InvalidInput as exc:
        errors = sum(p.severity.value == "error" for p in exc.problems)
        return _render_upload(
            request,
            lang,
            operator,
            status=exc.status,
            chosen=fmt,
            rejected={
                "file": name,
                "message": exc.in_(lang),
                "errors": errors,
                "warnings": len(exc.problems) - errors,
                "problems": problem_rows(list(exc.problems), lang),
            },
        )
    return _render_upload(request, lang, operator, chosen=fmt, result=_summary(summary, lang))


# --- subscriptions -------------------------------------------------------------------------------


def _owner(principal: Principal) -> int | None:
    """Whose subscriptions a principal sees: its own; an admin's, everyone's (as the API)."""
    return None if principal.has(Role.ADMIN) else principal.user_id


def _subscription_row(s: Subscription, lang: str, owners: dict[int, str]) -> dict[str, Any]:
    filters = dict(s.filters)
    types = filters.pop("eventTypes", [])
    return {
        "id": s.id,
        "callback_url": s.callback_url,
        "filters": list(filters.items()),
        "event_types": [EVENT_TYPE_NAMES[t].in_(lang) for t in types if t in EVENT_TYPE_NAMES],
        "active": s.active,
        "created_at": s.created_at,
        "secret_rotated_at": s.secret_rotated_at,
        "owner": owners.get(s.user_id, str(s.user_id)),
    }


DONE = {
    "deleted": Message("订阅已删除。", "The subscription was deleted."),
}


def _render_subscriptions(
    request: Request,
    lang: str,
    db: Database,
    principal: Principal,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    with db.reading() as session:
        found = subscriptions.list_for(session, _owner(principal))
        # An admin sees everyone's, and whose each is.
        owners = (
            {uid: get_user(session, uid).email for uid in {s.user_id for s in found}}
            if _owner(principal) is None
            else {}
        )
        rows = [_subscription_row(s, lang, owners) for s in found]
    done = DONE.get(request.query_params.get("done", ""))
    context = {
        "tabs": _tabs(request, lang),
        "rows": rows,
        "everyone": _owner(principal) is None,
        "event_types": [(t, EVENT_TYPE_NAMES[t].in_(lang)) for t in EVENT_TYPES],
        "form": {"callback_url": "", "booking": "", "document": "", "equipment": "", "types": []},
        "done": done.in_(lang) if done else None,
        **extra,
    }
    return templates_of(request).render(
        request, "logistics/subscriptions.html", context, status=status
    )


@router.get("/{lang}/logistics/subscriptions")
def subscriptions_page(request: Request, lang: Lang, db: Db, principal: Subscriber) -> Response:
    return _render_subscriptions(request, lang, db, principal)


def _field_label(problem: Problem, lang: str) -> str:
    name = (problem.location.field or "").removeprefix("body.")
    label = FORM_FIELDS.get(name)
    return label.in_(lang) if label else ""


@router.post("/{lang}/logistics/subscriptions", dependencies=[Csrf])
def create_subscription(
    request: Request,
    lang: Lang,
    db: Db,
    settings: Config,
    principal: Subscriber,
    callback_url: Annotated[str, Form()] = "",
    booking: Annotated[str, Form()] = "",
    document: Annotated[str, Form()] = "",
    equipment: Annotated[str, Form()] = "",
    event_types: Annotated[list[str] | None, Form()] = None,
) -> Response:
    form = {
        "callback_url": callback_url,
        "booking": booking,
        "document": document,
        "equipment": equipment,
        "types": event_types or [],
    }
    filters: dict[str, Any] = {
        "carrierBookingReference": booking,
        "transportDocumentReference": document,
        "equipmentReference": equipment,
    }
    if event_types:
        filters["eventTypes"] = event_types
    try:
        with db.transaction(principal.actor) as session:
            created = subscriptions.create(
                session,
                user_id=principal.user_id,
                callback_url=callback_url.strip(),
                filters=filters,
                own_host=urlsplit(settings.base_url).hostname,
            )
            sub_id = created.subscription.id
    except InvalidInput as exc:
        problems = [
            {"field": _field_label(p, lang), "message": p.message.in_(lang), "code": p.code}
            for p in exc.problems
        ]
        return _render_subscriptions(
            request, lang, db, principal, status=exc.status, form=form, problems=problems
        )
    return _render_subscriptions(
        request, lang, db, principal, secret=created.secret, secret_for=sub_id
    )


@router.post("/{lang}/logistics/subscriptions/{subscription_id}/secret", dependencies=[Csrf])
def rotate_secret(
    request: Request, lang: Lang, subscription_id: int, db: Db, principal: Subscriber
) -> Response:
    with db.transaction(principal.actor) as session:
        sub = subscriptions.owned(session, subscription_id, _owner(principal))
        secret = subscriptions.rotate(session, sub)
    return _render_subscriptions(
        request, lang, db, principal, secret=secret, secret_for=subscription_id, rotated=True
    )


@router.post("/{lang}/logistics/subscriptions/{subscription_id}/delete", dependencies=[Csrf])
def delete_subscription(
    request: Request, lang: Lang, subscription_id: int, db: Db, principal: Subscriber
) -> Response:
    with db.transaction(principal.actor) as session:
        subscriptions.delete(
            session, subscriptions.owned(session, subscription_id, _owner(principal))
        )
    return RedirectResponse(f"/{lang}/logistics/subscriptions?done=deleted", status_code=303)
