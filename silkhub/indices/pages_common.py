"""What the freight index's portal pages share: the clock every page reads (the API's
mechanism: ``app.state.clock``, so tests move time), their dependencies, the tabs under the
page title, and figures and times as the pages print them (times in the index's own time
zone, Asia/Shanghai)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from babel.dates import format_datetime
from fastapi import Depends, Request

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal
from silkhub.core.errors import Message, Problem, SilkhubError
from silkhub.core.formatting import format_number
from silkhub.core.periods import IsoWeek
from silkhub.indices.clock import Now, app_now
from silkhub.indices.freight_config import Methodology
from silkhub.indices.models import COMPOSITE
from silkhub.stores.database import Database
from silkhub.web.i18n import LOCALES, request_language
from silkhub.web.security import app_db, check_form_csrf, resolve_principal
from silkhub.web.templating import page_language

__all__ = [
    "TABS",
    "Csrf",
    "Db",
    "Lang",
    "Now",
    "app_now",
    "change_text",
    "is_compiler",
    "local_time",
    "pct_text",
    "principal_or_none",
    "problem_rows",
    "series_name",
    "tabs",
    "value_text",
    "week_dates",
]


Lang = Annotated[str, Depends(page_language)]
Db = Annotated[Database, Depends(app_db)]
Csrf = Depends(check_form_csrf)

#: The freight index's pages: (path after /{lang}, label, role needed or None).
TABS: tuple[tuple[str, Message, Role | None], ...] = (
    ("/indices", Message("运价指数", "Freight index"), None),
    ("/indices/methodology", Message("编制方法", "Methodology"), None),
    ("/indices/submit", Message("报价提交", "Submit quotes"), Role.PANELIST),
    ("/indices/console", Message("编制台", "Compiler's console"), Role.INDEX_COMPILER),
)


def principal_or_none(request: Request) -> Principal | None:
    try:
        return resolve_principal(request)
    except SilkhubError:
        return None


def is_compiler(principal: Principal | None) -> bool:
    return principal is not None and principal.has(Role.INDEX_COMPILER)


def tabs(request: Request) -> list[dict[str, Any]]:
    """The tabs this person sees (the panel's and the compilers' pages by role), the current
    one marked."""
    lang = request_language(request)
    principal = principal_or_none(request)
    here = request.url.path
    return [
        {"href": f"/{lang}{path}", "label": label.in_(lang), "current": here == f"/{lang}{path}"}
        for path, label, role in TABS
        if role is None or (principal is not None and principal.has(role))
    ]


# --- figures and times as printed ---------------------------------------------------------------

_PATTERNS = {"zh": "yyyy年M月d日 EEE HH:mm", "en": "EEE d MMM yyyy, HH:mm"}
_DAY_PATTERNS = {"zh": "yyyy年M月d日", "en": "d MMM yyyy"}


def local_time(m: Methodology, at: datetime, lang: str) -> str:
    """A moment in the index's time zone, as the reader's language writes it."""
    return format_datetime(at, _PATTERNS[lang], tzinfo=m.timezone, locale=LOCALES[lang])


def week_dates(week: IsoWeek, lang: str) -> str:
    """The days of a week: "2018年2月5日–2018年2月11日", "5 Feb 2018 – 11 Feb 2018"."""
    first, last = (
        format_datetime(
            datetime.combine(day, datetime.min.time()), _DAY_PATTERNS[lang], locale=LOCALES[lang]
        )
        for day in (week.start, week.end)
    )
    return f"{first}–{last}" if lang == "zh" else f"{first} – {last}"


def value_text(value: Decimal | float | None, lang: str, digits: int = 2) -> str:
    return "—" if value is None else format_number(value, lang, digits)


def change_text(change: Decimal | float | None, lang: str, digits: int = 2) -> str:
    """A signed change: "+12.34", "-0.50"."""
    if change is None:
        return "—"
    text = format_number(change, lang, digits)
    return text if text.startswith("-") or float(change) == 0 else f"+{text}"


def pct_text(pct: Decimal | float | None, lang: str) -> str:
    return "—" if pct is None else f"{change_text(pct, lang)}%"


def series_name(m: Methodology, code: str, lang: str) -> str:
    """The composite's or a route's name in ``lang``."""
    if code == COMPOSITE:
        return Message("综合指数", "Composite").in_(lang)
    try:
        return m.route(code).name.in_(lang)
    except KeyError:
        return code


def problem_rows(problems: list[Problem], lang: str) -> list[dict[str, str]]:
    return [
        {
            "severity": p.severity.value,
            "field": p.location.field or p.location.column or "",
            "row": "" if p.location.row is None else str(p.location.row),
            "message": p.message.in_(lang),
            "value": "" if p.value is None else str(p.value),
            "code": p.code,
        }
        for p in problems
    ]
