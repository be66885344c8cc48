"""What the statistics pages share: their dependencies, the tabs under the page title (the
dashboard, the briefing and, for analysts, the upload page), the headline figures and the
header of a download."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request

from silkhub.accounts.models import Role
from silkhub.core.errors import Message, SilkhubError
from silkhub.core.periods import Period
from silkhub.stats.headlines import headline_figures
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database
from silkhub.web.i18n import request_language
from silkhub.web.security import app_analytical, app_db, resolve_principal
from silkhub.web.templating import page_language

Lang = Annotated[str, Depends(page_language)]
Db = Annotated[Database, Depends(app_db)]
Store = Annotated[AnalyticalStore, Depends(app_analytical)]

#: The statistics pages' own tabs: (path after /{lang}, label, role needed or None).
TABS: tuple[tuple[str, Message, Role | None], ...] = (
    ("/stats", Message("统计数据看板", "Dashboard"), None),
    ("/stats/briefing", Message("月度简报", "Monthly briefing"), None),
    ("/stats/footprint", Message("境外布局", "Footprint abroad"), None),
    ("/stats/sources", Message("数据来源", "Data sources"), None),
    ("/stats/upload", Message("导入数据", "Upload data"), Role.ANALYST),
)


def is_analyst(request: Request) -> bool:
    """Whether the person asking may import files (an admin may too)."""
    try:
        principal = resolve_principal(request)
    except SilkhubError:
        return False
    return principal is not None and principal.has(Role.ANALYST)


def tabs(request: Request) -> list[dict[str, Any]]:
    """The tabs this person sees, the current one marked."""
    lang = request_language(request)
    analyst = is_analyst(request)
    here = request.url.path
    return [
        {"href": f"/{lang}{path}", "label": label.in_(lang), "current": here == f"/{lang}{path}"}
        for path, label, role in TABS
        if role is None or analyst
    ]


def headline_rows(
    db: Database, store: AnalyticalStore, lang: str, period: Period | None = None
) -> list[dict[str, Any]]:
    """The headline figures (``silkhub.stats.headlines``) as the pages show them."""
    return [
        {
            "key": f.headline.key,
            "dataset": f.headline.dataset,
            "label": f.headline.label.in_(lang),
            "period": f.period.label(lang),
            "text": f.text(lang),
            "growth": f.result.growth_pct,
            "vintages": sorted({v.vintage for v in f.result.vintages if v.vintage is not None}),
        }
        for f in headline_figures(db, store, period)
    ]


def content_disposition(filename: str) -> str:
    """An attachment named ``filename`` (RFC 6266: an ASCII fallback and the UTF-8 name)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
