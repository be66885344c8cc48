"""A page per country, ``/{lang}/countries/{code}``: what the hub has with it, gathered from
the capabilities that know something (each may have a ``country`` module with ``sections``):
trade and investment, alerts about it, the footprint there. Any name silkhub resolves leads
to the page (``/zh/countries/哈萨克斯坦`` redirects to ``/zh/countries/KZ``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from silkhub.core import countries as country_names
from silkhub.core import groups
from silkhub.core.errors import Message, NotFound
from silkhub.registry import CAPABILITIES, capability_module
from silkhub.stores.operational import utcnow
from silkhub.web.security import OptionalPrincipal, app_analytical, app_db
from silkhub.web.templating import page_language, templates_of

router = APIRouter(include_in_schema=False)


def _sections(request: Request, principal: Any, code: str, lang: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    db = app_db(request)
    for capability in CAPABILITIES:
        module = capability_module(capability, "country")
        if module is None:
            continue
        name = capability.rsplit(".", 1)[-1]
        if name == "stats":
            found.extend(module.sections(db, app_analytical(request), code, lang))
        else:
            with db.reading() as session:
                found.extend(module.sections(session, principal, code, lang))
    return found


@router.get("/{lang}/countries/{name}")
def country_page(
    request: Request,
    lang: Annotated[str, Depends(page_language)],
    principal: OptionalPrincipal,
    name: str,
) -> Response:
    country = country_names.try_resolve(name)
    if country is None:
        raise NotFound(
            Message(f"无法识别国家“{name}”。", f"No country {name!r}."), code="unknown_country"
        )
    if name != country.alpha2:
        return RedirectResponse(f"/{lang}/countries/{country.alpha2}", status_code=308)
    today = utcnow().date()
    member_of = [g.name(lang) for g in groups.groups_of(country.alpha2, today)]
    return templates_of(request).render(
        request,
        "country.html",
        {
            "country": country,
            "name": country.name(lang),
            "other_name": country.name("zh" if lang == "en" else "en"),
            "member_of": member_of,
            "sections": _sections(request, principal, country.alpha2, lang),
        },
    )
