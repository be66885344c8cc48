"""The statistics' part of the portal's search: flagship projects and the footprint abroad."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.accounts.service import Principal
from silkhub.core.errors import Message
from silkhub.core.search_text import SearchHit, query_terms, score, search_key
from silkhub.stats.registers_models import StatsFootprint, StatsProject


def search(
    session: Session, query: str, principal: Principal | None, countries: list[str]
) -> list[SearchHit]:
    del principal  # projects and the footprint are public
    terms = query_terms(query)
    hits: list[SearchHit] = []
    for project in session.scalars(select(StatsProject)):
        key = search_key(project.name_zh, project.name_en, project.code, project.owner)
        value = score(key, terms)
        if value:
            hits.append(
                SearchHit(
                    "project",
                    Message(project.name_zh, project.name_en),
                    f"/api/stats/projects/{project.code}/progress",
                    value,
                    Message(project.description_zh[:120], project.description_en[:160]),
                )
            )
    for place in session.scalars(select(StatsFootprint)):
        key = search_key(place.name_zh, place.name_en, place.city, place.partner, place.code)
        value = score(key, terms) or (0.5 if place.country in countries else 0.0)
        if value:
            hits.append(
                SearchHit(
                    "footprint",
                    Message(place.name_zh, place.name_en),
                    f"/api/stats/footprint?country={place.country}",
                    value,
                    Message(place.city or "", place.city or ""),
                )
            )
    return hits
