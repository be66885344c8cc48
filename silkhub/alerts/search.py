"""The alerts' part of the portal's search: items and bulletins the reader may read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.accounts.service import Principal
from silkhub.alerts import service
from silkhub.alerts.models import Bulletin, BulletinSeries, Confidentiality, ItemStatus
from silkhub.alerts.readers import reader_for
from silkhub.core.errors import Message
from silkhub.core.search_text import SearchHit, query_terms, score, search_key


def search(
    session: Session, query: str, principal: Principal | None, countries: list[str]
) -> list[SearchHit]:
    reader = reader_for(session, principal)
    terms = query_terms(query)
    hits: list[SearchHit] = []
    for item in service.search_items(session, reader, terms, countries=countries):
        key = search_key(item.title_zh, item.title_en, item.symbol, item.uid)
        # An item found through a country the query named ranks below a title match.
        value = score(key, terms) or 1.0
        hits.append(
            SearchHit(
                kind=item.kind,
                title=Message(item.title_zh, item.title_en),
                url=f"alerts/{item.uid}",
                score=value,
                when=item.published_at,
            )
        )
    allowed = [c.value for c in Confidentiality if reader.may_read(c.value)]
    bulletins = session.execute(
        select(Bulletin, BulletinSeries)
        .join(BulletinSeries)
        .where(
            Bulletin.status == ItemStatus.PUBLISHED.value,
            BulletinSeries.confidentiality.in_(allowed),
        )
    ).all()
    for bulletin, series in bulletins:
        value = score(search_key(bulletin.title_zh, bulletin.title_en, series.code), terms)
        if value:
            hits.append(
                SearchHit(
                    kind="bulletin",
                    title=Message(bulletin.title_zh, bulletin.title_en),
                    url=f"alerts/bulletins/{series.code}/{bulletin.number}",
                    score=value,
                    when=bulletin.published_at,
                )
            )
    return hits
