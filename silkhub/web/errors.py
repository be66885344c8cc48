"""One error shape for every error the application answers (datasette's ``error_body``).

Every 4xx and 5xx answer of the API, and of any route whose caller does not ask for HTML, is::

    {"error": {"status": 404, "code": "not_found", "message": "…",
               "problems": [{"code", "severity", "message", "messages", "location", "value"}],
               "request_id": "…"}}

``message`` is in the caller's language (``/en/`` or ``/zh/`` in the path, then ``?lang=``,
then ``Accept-Language``). A person's browser asking for a portal page gets the same error as
a readable page. ``tests/web/test_error_shape.py`` holds every kind of error to this shape.

Routes under ``/dcsa/`` answer in the DCSA error shape instead: a capability's ``api.py`` may
declare ``ERROR_SHAPES`` (path prefix -> renderer), which the app factory puts in
``app.state.error_shapes``; ``respond`` hands every error under such a prefix to its renderer
(logistics does so for DCSA Track and Trace).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from silkhub.core.errors import Location as ProblemLocation
from silkhub.core.errors import (
    LoginThrottled,
    Message,
    Problem,
    SilkhubError,
)
from silkhub.web.i18n import request_language

log = logging.getLogger("silkhub.web")

#: Render an error as an HTML page; set by the app factory (templates live above this module).
HtmlErrorRenderer = Callable[[Request, int, str, str, Sequence[Problem]], Awaitable[Response]]
#: Render an error in another shape (request, status, code, message, problems, headers).
ErrorShape = Callable[
    [Request, int, str, Message, Sequence[Problem], Mapping[str, str] | None], Response
]

_HTTP_CODES: dict[int, tuple[str, Message]] = {
    400: ("bad_request", Message("请求有误。", "Bad request.")),
    401: (
        "not_authenticated",
        Message("请先登录或提供 API 令牌。", "Sign in or send an API token."),
    ),
    403: ("forbidden", Message("您无权执行此操作。", "You may not do this.")),
    404: ("not_found", Message("找不到该页面或资源。", "There is nothing at this address.")),
    405: (
        "method_not_allowed",
        Message("该地址不支持此请求方法。", "This method is not allowed here."),
    ),
    406: (
        "not_acceptable",
        Message("无法提供所请求的格式。", "The requested format is not available."),
    ),
    409: ("conflict", Message("与现有数据冲突。", "This conflicts with existing data.")),
    413: ("payload_too_large", Message("请求内容过大。", "The request body is too large.")),
    415: ("unsupported_media_type", Message("不支持的内容类型。", "Unsupported content type.")),
    422: ("invalid_input", Message("输入有误。", "The input is not valid.")),
    429: (
        "too_many_requests",
        Message("请求过于频繁，请稍后再试。", "Too many requests; try later."),
    ),
    500: ("internal_error", Message("服务器内部错误。", "Internal server error.")),
    503: ("unavailable", Message("服务暂不可用。", "The service is unavailable.")),
}


def error_body(
    status: int,
    code: str,
    message: str,
    problems: Sequence[Problem] = (),
    *,
    lang: str = "zh",
    request_id: str | None = None,
) -> dict[str, Any]:
    return {
        "error": {
            "status": status,
            "code": code,
            "message": message,
            "problems": [p.to_dict(lang) for p in problems],
            "request_id": request_id,
        }
    }


def _request_id(request: Request) -> str:
    rid = getattr(request.state, "request_id", None)
    if rid is None:
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex
        request.state.request_id = rid
    return str(rid)


def wants_html(request: Request) -> bool:
    """A portal page asked for by a browser (not the API, not a script)."""
    path = request.url.path
    if path.startswith(("/api/", "/dcsa/", "/feeds/", "/static/")) or path == "/api":
        return False
    return "text/html" in request.headers.get("accept", "")


async def respond(
    request: Request,
    status: int,
    code: str,
    message: Message,
    problems: Sequence[Problem] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    shapes: Sequence[tuple[str, ErrorShape]] = getattr(request.app.state, "error_shapes", ())
    for prefix, shape in shapes:
        if request.url.path.startswith(prefix):
            return shape(request, status, code, message, problems, headers)
    lang = request_language(request)
    rid = _request_id(request)
    if wants_html(request):
        renderer: HtmlErrorRenderer | None = getattr(request.app.state, "html_errors", None)
        if renderer is not None:
            page = await renderer(request, status, code, message.in_(lang), problems)
            if headers:
                page.headers.update(headers)
            return page
    body = error_body(status, code, message.in_(lang), problems, lang=lang, request_id=rid)
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def _validation_problems(exc: RequestValidationError) -> tuple[str, Message, list[Problem]]:
    problems: list[Problem] = []
    code = "invalid_input"
    summary = Message("请求中有字段不正确。", "Some fields of the request are not valid.")
    for err in exc.errors():
        kind = str(err.get("type", ""))
        where = ".".join(str(part) for part in err.get("loc", ()))
        if kind == "json_invalid":
            code = "malformed_json"
            summary = Message("请求体不是有效的 JSON。", "The request body is not valid JSON.")
            ctx = err.get("ctx") or {}
            detail = str(ctx.get("error", ""))
            problems.append(
                Problem(
                    "malformed_json",
                    Message(f"JSON 格式错误：{detail}", f"Malformed JSON: {detail}"),
                    ProblemLocation(field=where),
                )
            )
            continue
        msg = str(err.get("msg", ""))
        problems.append(
            Problem(
                kind or "invalid",
                # pydantic's messages are English only; the Chinese says where and what kind.
                Message(f"字段 {where} 不正确：{msg}", f"Field {where}: {msg}"),
                ProblemLocation(field=where),
                _short(err.get("input")),
            )
        )
    return code, summary, problems


def _short(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value if not isinstance(value, str) or len(value) <= 200 else value[:200] + "…"
    return None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SilkhubError)
    async def _silkhub_error(request: Request, exc: SilkhubError) -> Response:
        headers = None
        if isinstance(exc, LoginThrottled):
            headers = {"Retry-After": str(exc.retry_after)}
        if exc.status >= 500:
            log.error("request %s failed: %s", _request_id(request), exc.message.en)
        return await respond(request, exc.status, exc.code, exc.message, exc.problems, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        code, summary, problems = _validation_problems(exc)
        status = 400 if code == "malformed_json" else 422
        return await respond(request, status, code, summary, problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code, message = _HTTP_CODES.get(
            exc.status_code, (f"http_{exc.status_code}", Message(str(exc.detail), str(exc.detail)))
        )
        return await respond(request, exc.status_code, code, message, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Logged with the traceback; the caller gets the request id to quote, never internals.
        log.exception("request %s failed", _request_id(request), exc_info=exc)
        code, message = _HTTP_CODES[500]
        return await respond(request, 500, code, message)
