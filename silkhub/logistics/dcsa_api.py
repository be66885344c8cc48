"""DCSA Track and Trace 3.0.0 under ``/dcsa/tnt/v3``: ``POST /events`` (silkhub is the
event consumer: carriers and rail or terminal operators send their events) and
``GET /events`` (silkhub as a producer, for consumers holding a token).

- Every response carries ``API-Version: 3.0.0``; a request naming another major version in
  its own ``API-Version`` header is refused.
- Errors on these routes are DCSA documents (``PostEventsError`` / ``GetEventsError``:
  ``feedbackElements`` with severity, message in the caller's language, and the JSONPath of
  the field), never silkhub's own error shape. Input errors answer 400, as DCSA's APIs do.
- ``POST`` takes a batch all or nothing (``service.ingest``); warnings come back as ``WARN``
  feedback with the 200. Only API tokens may post: a browser session could be led by another
  site into posting (no CSRF token travels with these requests).
- ``GET`` supports the filter combinations DCSA requires, ``eventTypes``,
  ``eventUpdatedDateTimeMin/Max``, and pagination with ``limit``, ``cursor`` and the
  ``Next-Page-Cursor`` header. Unknown query parameters are refused (400) rather than ignored,
  so that a misspelt filter does not silently return everything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Request
from fastapi.responses import JSONResponse, Response

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal
from silkhub.core.errors import (
    InvalidInput,
    Location,
    Message,
    PermissionDenied,
    Problem,
    Severity,
)
from silkhub.logistics import service
from silkhub.logistics.events import parse_time
from silkhub.stores.database import Database
from silkhub.web.i18n import request_language
from silkhub.web.security import app_db, require_roles

PREFIX = "/dcsa/tnt/v3"
API_VERSION = "3.0.0"
VERSION_HEADERS = {"API-Version": API_VERSION}
GET_PARAMETERS = frozenset(
    {
        "carrierBookingReference",
        "transportDocumentReference",
        "equipmentReference",
        "eventTypes",
        "eventUpdatedDateTimeMin",
        "eventUpdatedDateTimeMax",
        "limit",
        "cursor",
        "lang",
    }
)

router = APIRouter(prefix=PREFIX, tags=["DCSA Track and Trace"])
Db = Annotated[Database, Depends(app_db)]
Operator = Annotated[Principal, Depends(require_roles(Role.LOGISTICS_OPERATOR))]
Consumer = Annotated[Principal, Depends(require_roles())]


def dcsa_error(
    request: Request,
    status: int,
    code: str,
    message: Message,
    problems: Sequence[Problem],
    headers: Mapping[str, str] | None,
) -> Response:
    """An error as DCSA's ``feedbackElements``: the summary first, then each problem."""
    lang = request_language(request)
    if status == 422:
        status = 400  # DCSA answers a request it cannot process with 400
    elements: list[dict[str, str]] = [
        {"severity": "ERROR", "message": f"{message.in_(lang)} ({code})"[:5000]}
    ]
    for p in problems:
        element = {
            "severity": "ERROR" if p.severity is Severity.ERROR else "WARN",
            "message": f"{p.describe(lang)} ({p.code})"[:5000],
        }
        if p.location.field and p.location.field.startswith("$"):
            element["propertyPath"] = p.location.field[:1000]
        elements.append(element)
    return JSONResponse(
        {"feedbackElements": elements},
        status_code=status,
        headers={**VERSION_HEADERS, **(headers or {})},
    )


def _check_version(api_version: str | None) -> None:
    if api_version is not None and api_version.split(".")[0] != API_VERSION.split(".")[0]:
        raise InvalidInput.single(
            "unsupported_api_version",
            Message(
                f"不支持 API 版本“{api_version}”；本接口实现 DCSA TNT {API_VERSION}。",
                f"API version {api_version!r} is not supported; this is DCSA TNT {API_VERSION}.",
            ),
            location=Location(field="header.API-Version"),
            value=api_version,
        )


def sender_for(principal: Principal) -> str:
    """Who stands for an event that names no originating party: the submitting account."""
    if principal.organisation_id is not None:
        return f"silkhub/organisation/{principal.organisation_id}"
    return f"silkhub/user/{principal.user_id}"


@router.post("/events", summary="Receive events (DCSA TNT 3.0.0 PostEventsRequest)")
def post_events(
    db: Db,
    principal: Operator,
    payload: Annotated[dict[str, Any], Body()],
    request: Request,
    api_version: Annotated[str | None, Header(alias="API-Version")] = None,
) -> JSONResponse:
    _check_version(api_version)
    if principal.via != "token":
        raise PermissionDenied(
            Message(
                "DCSA 事件只能用 API 令牌发送（Authorization: Bearer …）。",
                "DCSA events are sent with an API token (Authorization: Bearer …).",
            ),
            code="token_required",
        )
    events = payload.get("events")
    if not isinstance(events, list):
        raise InvalidInput.single(
            "missing",
            Message("请求体应有 events 数组。", "The body must have an events array."),
            location=Location(field="$.events"),
        )
    with db.transaction(principal.actor) as session:
        result = service.ingest(
            session,
            events,
            default_sender=sender_for(principal),
            received_by=principal.actor.label,
            source="api",
            max_events=service.MAX_BATCH_EVENTS,
        )
    lang = request_language(request)
    feedback = [
        {
            "severity": "WARN",
            "message": f"{w.describe(lang)} ({w.code})"[:5000],
            "propertyPath": w.location.field or "$",
        }
        for w in result.warnings
    ]
    summary = Message(
        f"收到 {result.received} 个事件：新存 {result.stored} 个"
        f"（其中撤回 {result.retracted} 个），{result.unchanged} 个已存在未变。",
        f"Received {result.received} event(s): {result.stored} stored ({result.retracted} "
        f"retraction(s)), {result.unchanged} already held unchanged.",
    )
    feedback.append({"severity": "INFO", "message": summary.in_(lang)})
    return JSONResponse({"feedbackElements": feedback}, headers=VERSION_HEADERS)


def _time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    parsed, problems = parse_time(value, name, lambda path: Location(field=f"query.{path}"))
    if problems:
        raise InvalidInput(problems[0].message, problems=problems, code=problems[0].code)
    return parsed


@router.get("/events", summary="Events by booking, transport document or equipment")
def get_events(
    request: Request,
    db: Db,
    principal: Consumer,
    # DCSA's own parameter names, camelCase as the standard spells them.
    carrierBookingReference: str | None = None,
    transportDocumentReference: str | None = None,
    equipmentReference: str | None = None,
    eventTypes: str | None = None,
    eventUpdatedDateTimeMin: str | None = None,
    eventUpdatedDateTimeMax: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
    api_version: Annotated[str | None, Header(alias="API-Version")] = None,
) -> JSONResponse:
    _check_version(api_version)
    unknown = sorted(set(request.query_params) - GET_PARAMETERS)
    if unknown:
        raise InvalidInput.single(
            "unsupported_parameter",
            Message(
                f"不支持的查询参数：{', '.join(unknown)}。",
                f"Unsupported query parameter(s): {', '.join(unknown)}.",
            ),
            location=Location(field=f"query.{unknown[0]}"),
            value=unknown[0],
        )
    query = service.EventQuery(
        carrier_booking_reference=carrierBookingReference or None,
        transport_document_reference=transportDocumentReference or None,
        equipment_reference=equipmentReference or None,
        event_types=tuple(t.strip() for t in (eventTypes or "").split(",") if t.strip()),
        updated_min=_time(eventUpdatedDateTimeMin, "eventUpdatedDateTimeMin"),
        updated_max=_time(eventUpdatedDateTimeMax, "eventUpdatedDateTimeMax"),
    )
    with db.reading() as session:
        page = service.query_events(session, query, limit=limit, cursor=cursor)
    headers = dict(VERSION_HEADERS)
    if page.next_cursor is not None:
        headers["Next-Page-Cursor"] = page.next_cursor
    return JSONResponse({"events": page.events}, headers=headers)
