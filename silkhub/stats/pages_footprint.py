"""The footprint map, ``/{lang}/stats/footprint``: overseas zones, industrial parks, service
stations, sister cities and Silk Road colleges on a world map, filterable by kind and country
(a plain GET form), with the table behind the map, the reported totals beside what is mapped,
and a page per place, ``/{lang}/stats/footprint/{code}``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from silkhub.core import countries
from silkhub.core.errors import Message, NotFound, SilkhubError
from silkhub.stats import registers_footprint
from silkhub.stats.pages_common import tabs
from silkhub.stats.registers_footprint import KIND_NAMES
from silkhub.stats.registers_models import FOOTPRINT_KINDS, StatsFootprint
from silkhub.web.security import app_db
from silkhub.web.templating import page_language, templates_of

router = APIRouter(include_in_schema=False)

#: The key a footprint figure and its source page, the footprint register with each place's
#: source and the reported totals' sources, share (docs/portal.md).
SOURCE_KEY = "stats:footprint"


def _place(item: StatsFootprint, lang: str) -> dict[str, Any]:
    country = countries.try_resolve(item.country)
    zh = lang != "en"
    return {
        "code": item.code,
        "kind": item.kind,
        "kind_name": KIND_NAMES[item.kind][0 if zh else 1],
        "name": item.name_zh if zh else item.name_en,
        "country": item.country,
        "country_name": country.name(lang) if country else item.country,
        "city": item.city or "",
        "partner": item.partner or "",
        "since": item.since,
        "latitude": item.latitude,
        "longitude": item.longitude,
        "description": item.description_zh if zh else item.description_en,
        "source": item.source,
        "synthetic": item.synthetic,
        "url": f"/{lang}/stats/footprint/{item.code}",
    }


@router.get("/{lang}/stats/footprint")
def footprint_page(
    request: Request,
    lang: Annotated[str, Depends(page_language)],
    kind: Annotated[str, Query(max_length=40)] = "",
    country: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    notes: list[str] = []
    chosen_kind = kind if kind in FOOTPRINT_KINDS else None
    if kind and chosen_kind is None:
        notes.append(f"Unknown kind {kind!r}." if lang == "en" else f"没有类型“{kind}”。")
    with app_db(request).reading() as session:
        try:
            items = registers_footprint.footprint(session, chosen_kind, country.strip() or None)
        except SilkhubError as exc:
            notes.append(exc.in_(lang))
            items = registers_footprint.footprint(session, chosen_kind)
        overview = registers_footprint.footprint_overview(session)
    places = [_place(i, lang) for i in items]
    return templates_of(request).render(
        request,
        "stats/footprint.html",
        {
            "tabs": tabs(request),
            "places": places,
            "kinds": [(k, KIND_NAMES[k][0 if lang != "en" else 1]) for k in FOOTPRINT_KINDS],
            "kind": chosen_kind or "",
            "country": country,
            "overview": overview,
            "notes": notes,
            "demo": any(p["synthetic"] for p in places),
            "source_key": SOURCE_KEY,
        },
    )


@router.get("/{lang}/stats/footprint/{code}")
def place_page(
    request: Request, lang: Annotated[str, Depends(page_language)], code: str
) -> Response:
    with app_db(request).reading() as session:
        item = next((i for i in registers_footprint.footprint(session) if i.code == code), None)
        if item is None:
            raise NotFound(
                Message(f"境外布局中没有“{code}”。", f"No place {code!r} in the footprint."),
                code="no_place",
            )
        place = _place(item, lang)
    return templates_of(request).render(
        request, "stats/footprint_place.html", {"tabs": tabs(request), "place": place}
    )
