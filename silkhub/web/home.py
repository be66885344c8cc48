"""The portal's own pages: the root, which sends a visitor to their language, and the home
page, "the hub at a glance", which the capabilities fill with their cards (``home_card`` in
each capability's ``pages.py``): the headline figures with their year-on-year change and the
footprint abroad (statistics), the latest index release (indices), the latest public alerts
(alerts), the map of the month's trains (logistics); and, from the shared vocabulary, the
members of the hub's country groups on a world map. Every figure carries ``data-figure`` and
leads to its source (docs/portal.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from silkhub.core import countries, groups
from silkhub.registry import CAPABILITIES, capability_module
from silkhub.stores.operational import utcnow
from silkhub.web.i18n import request_language
from silkhub.web.templating import page_language, templates_of

router = APIRouter(include_in_schema=False)

#: Groups shown on the home page map, in this order.
MAP_GROUPS = ("bri_partners", "along_route_64", "china_ceec", "rcep", "asean", "central_asia")


def group_map_data(lang: str) -> list[dict[str, Any]]:
    """Members of each map group as of today, named in ``lang`` by silkhub's vocabulary (not
    by the map file, so that names follow the PRC's official style)."""
    today = utcnow().date()
    out = []
    for code in MAP_GROUPS:
        group = groups.group(code)
        members = sorted(
            (countries.get(alpha2) for alpha2 in groups.members(code, today)),
            key=lambda c: c.name(lang),
        )
        out.append(
            {
                "code": code,
                "name": group.name(lang),
                "description": group.description(lang),
                "as_of": today.isoformat(),
                "members": [{"code": c.alpha2, "name": c.name(lang)} for c in members],
            }
        )
    return out


@router.get("/")
def root(request: Request) -> Response:
    # The path has no language, so this is the browser's (or the default).
    return RedirectResponse(f"/{request_language(request)}/", status_code=307)


def capability_cards(request: Request) -> dict[str, dict[str, Any]]:
    """Cards the capabilities put on the home page (``pages.home_card``: a card, a list of
    cards or None), by key."""
    cards: dict[str, dict[str, Any]] = {}
    for capability in CAPABILITIES:
        pages = capability_module(capability, "pages")
        provider = getattr(pages, "home_card", None)
        found = provider(request) if provider is not None else None
        for card in found if isinstance(found, list) else [found] if found else []:
            cards[card["key"]] = card
    return cards


@router.get("/{lang}/")
def home_page(request: Request, lang: Annotated[str, Depends(page_language)]) -> Response:
    return templates_of(request).render(
        request,
        "home.html",
        {"group_maps": group_map_data(lang), "cards": capability_cards(request)},
    )


@router.get("/{lang}")
def home_without_slash(lang: Annotated[str, Depends(page_language)]) -> Response:
    return RedirectResponse(f"/{lang}/", status_code=308)
