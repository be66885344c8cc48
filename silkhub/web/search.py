"""Search across the portal, in Chinese and English: ``/{lang}/search?q=`` and
``/api/search?q=``.

Each capability that takes part has a ``search`` module with
``search(session, query, principal, countries) -> list[SearchHit]`` and answers only with what
the asking person may read (the alerts check confidentiality as everywhere else). The portal
adds the countries (names in both languages, pinyin, ISO codes) and its own pages. A query that
names a country (``哈萨克斯坦``, ``hasakesitan``, ``Kazakhstan``, ``KZ``) also finds what is
about that country.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from silkhub.accounts.service import Principal
from silkhub.core import countries as country_names
from silkhub.core.errors import Message
from silkhub.core.search_text import SearchHit, fold, query_terms, score, search_key
from silkhub.registry import CAPABILITIES, capability_module
from silkhub.web.i18n import request_language
from silkhub.web.security import OptionalPrincipal, app_db
from silkhub.web.templating import page_language, templates_of

router = APIRouter()

MAX_QUERY = 100
#: The portal's own pages a search may lead to, besides each capability's navigation entry.
PAGES: list[tuple[str, Message, str]] = [
    ("", Message("首页", "Home"), "一带一路 枢纽 概览 belt and road hub overview"),
    (
        "stats",
        Message("统计数据", "Statistics"),
        "贸易 投资 港口 班列 进出口 trade investment port rail",
    ),
    ("stats/briefing", Message("统计简报", "Statistical briefing"), "月报 简报 briefing monthly"),
    (
        "indices",
        Message("海上丝路指数", "Maritime Silk Road indices"),
        "运价 指数 freight index 集装箱",
    ),
    (
        "indices/methodology",
        Message("指数编制方法", "Index methodology"),
        "方法 methodology 权重 weights",
    ),
    ("alerts", Message("风险提示", "Risk alerts"), "风险 预警 境外 risk warning TBT SPS 通报"),
    ("alerts/bulletins", Message("简报", "Bulletins"), "简报 疫情 bulletin"),
    (
        "track",
        Message("货物追踪", "Where is my container"),
        "集装箱 追踪 班列 tracking container train",
    ),
]
_COUNTRY_KEYS: list[tuple[str, str]] | None = None


def _country_keys() -> list[tuple[str, str]]:
    global _COUNTRY_KEYS  # built once: ~250 names with their pinyin
    if _COUNTRY_KEYS is None:
        _COUNTRY_KEYS = [
            (c.alpha2, search_key(c.name_zh, c.name_en, c.alpha2, c.alpha3))
            for c in country_names.all_countries()
        ]
    return _COUNTRY_KEYS


def countries_named(query: str) -> list[str]:
    """Countries the query names: the whole query within a name or its pinyin
    (``ha sa ke``), or every term; a term of two letters matches only a code or the start of
    a name, never the inside of one (``de`` is Germany, not Sweden)."""
    whole = fold(query)
    if len(whole) == 2 and whole.isalpha():
        # Two letters are an ISO code first (``de``), not a pinyin syllable (得 in 佛得角).
        codes = {code for code, _ in _country_keys()}
        if whole.upper() in codes:
            return [whole.upper()]
    terms = query_terms(query)
    found = []
    for code, key in _country_keys():
        words = f"| {key} |"
        if (len(whole) > 2 and whole in key) or all(
            (len(t) > 2 and t in key) or f" {t} " in words or key.startswith(t) for t in terms
        ):
            found.append(code)
    return found


def search_all(
    request: Request, query: str, principal: Principal | None, limit: int = 50
) -> list[SearchHit]:
    terms = query_terms(query)
    if not terms:
        return []
    named = countries_named(query)
    hits: list[SearchHit] = []
    for code in named:
        c = country_names.get(code)
        hits.append(SearchHit("country", Message(c.name_zh, c.name_en), f"countries/{code}", 100.0))
    for path, title, words in PAGES:
        value = score(search_key(title.zh, title.en, words), terms)
        if value:
            hits.append(SearchHit("page", title, path, value))
    with app_db(request).reading() as session:
        for capability in CAPABILITIES:
            module = capability_module(capability, "search")
            if module is not None:
                hits.extend(module.search(session, query, principal, named))
    hits.sort(key=lambda h: (-h.score, -(h.when.timestamp() if h.when else 0)))
    return hits[:limit]


KIND_NAMES = {
    "country": Message("国家", "Country"),
    "page": Message("页面", "Page"),
    "alert": Message("风险提示", "Alert"),
    "tbt": Message("TBT 通报", "TBT notice"),
    "sps": Message("SPS 通报", "SPS notice"),
    "brief": Message("简报", "Brief"),
    "news": Message("资讯", "News"),
    "bulletin": Message("简报期刊", "Bulletin"),
    "project": Message("标志性工程", "Flagship project"),
    "footprint": Message("境外布局", "Footprint abroad"),
    "transport": Message("运输", "Transport"),
    "container": Message("集装箱", "Container"),
}


def hit_out(hit: SearchHit, lang: str) -> dict[str, Any]:
    url = hit.url if hit.url.startswith("/") else f"/{lang}/{hit.url}"
    return {
        "kind": hit.kind,
        "kind_name": KIND_NAMES.get(hit.kind, Message(hit.kind, hit.kind)).in_(lang),
        "title": hit.title.in_(lang) or hit.title.zh,
        "summary": hit.summary.in_(lang),
        "url": url,
        "when": hit.when,
    }


def _clean(q: str) -> str:
    return fold(q)[:MAX_QUERY]


@router.get(
    "/api/search",
    tags=["search"],
    summary="Search alerts, notices, bulletins, countries, projects and pages",
)
def api_search(
    request: Request,
    principal: OptionalPrincipal,
    q: Annotated[str, Query(max_length=MAX_QUERY)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    lang = request_language(request)
    hits = search_all(request, _clean(q), principal, limit)
    return {"query": q, "results": [hit_out(h, lang) for h in hits]}


@router.get("/{lang}/search", include_in_schema=False)
def search_page(
    request: Request,
    lang: Annotated[str, Depends(page_language)],
    principal: OptionalPrincipal,
    q: Annotated[str, Query(max_length=MAX_QUERY)] = "",
) -> Response:
    hits = search_all(request, _clean(q), principal) if q.strip() else []
    return templates_of(request).render(
        request, "search.html", {"q": q, "results": [hit_out(h, lang) for h in hits]}
    )
