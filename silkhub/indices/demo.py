"""The demonstration panel of the freight index: twelve forwarders (invented, labelled) quoting
every week from 2018 to 2020, rates that move like the market did (flat and seasonal through
2019, a dip in the spring of 2020, then the rise of the second half of 2020 on the Europe,
Mediterranean and US routes), every week released at its scheduled time, the basket change of
mid-2019 (in the methodology), and one restatement.

Quotes are written in bulk (about 120,000 rows): the demo is a store built from nothing, not a
sequence of audited edits. The releases and the restatement go through the service.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from silkhub.accounts.models import Organisation, OrgKind
from silkhub.core.periods import IsoWeek
from silkhub.indices import service
from silkhub.indices.freight_compute import next_week
from silkhub.indices.freight_schedule import window
from silkhub.indices.models import FreightQuote
from silkhub.settings import Settings
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database

__all__ = ["FIRST", "LAST", "RESTATED_WEEK", "build"]

FIRST = IsoWeek(2018, 1)
LAST = IsoWeek(2020, 53)
RESTATED_WEEK = IsoWeek(2019, 40)

#: (code, name_zh, name_en, weight): invented forwarders and carriers, labelled as such.
FORWARDERS = [
    ("F02", "演示·东海集运", "Demo Donghai Container Lines", 2.0),
    ("F03", "演示·北仑国际物流", "Demo Beilun International Logistics", 1.5),
    ("F04", "演示·镇海货运代理", "Demo Zhenhai Freight Forwarding", 1.0),
    ("F05", "演示·舟山远洋", "Demo Zhoushan Ocean Shipping", 2.5),
    ("F06", "演示·丝路海运", "Demo Silk Road Maritime", 1.0),
    ("F07", "演示·甬江船务", "Demo Yongjiang Shipping Agency", 1.0),
    ("F08", "演示·梅山供应链", "Demo Meishan Supply Chain", 1.5),
    ("F09", "演示·象山国际货代", "Demo Xiangshan International Forwarding", 1.0),
    ("F10", "演示·穿山港航", "Demo Chuanshan Port and Shipping", 2.0),
    ("F11", "演示·大榭物流", "Demo Daxie Logistics", 1.0),
    ("F12", "演示·金塘集装箱", "Demo Jintang Container Services", 1.0),
]

#: Spot rate per 20' container in January 2018, US dollars (the order of magnitude of the
#: published indices of the time; 40' containers cost about 1.8 to 1.9 times as much).
LEVELS = {
    "EUR": 900, "MEDW": 850, "MEDE": 950, "ME": 550, "PG": 650, "RS": 800,
    "USWC": 1300, "USEC": 2200, "SAE": 1900, "SAW": 1500, "WAF": 2400, "SAF": 800,
    "AUS": 650, "NZ": 850, "SEA": 150, "VN": 120, "TH": 130, "JP": 200, "KR": 120,
    "IPK": 550, "EAF": 1100, "RUFE": 950,
}  # fmt: skip
SIZES = {"20GP": 1.0, "40GP": 1.8, "40HQ": 1.9}

#: How far each route had risen by the end of 2020 (the rally began in the summer).
RISE_2020 = {"EUR": 4.2, "MEDW": 3.8, "MEDE": 3.4, "USWC": 2.9, "USEC": 2.2, "SAE": 3.0}
OTHER_RISE = 1.6


def _market(route: str, week: IsoWeek, t: int) -> float:
    """The market's level on ``route`` in ``week`` relative to January 2018."""
    season = 1 + 0.06 * math.sin(2 * math.pi * (week.week - 20) / 52)  # summer peak
    if week.year < 2020:
        return season * (1 + 0.03 * math.sin(t / 9 + len(route)))
    if week.week <= 18:  # blank sailings in the spring of 2020
        return season * (1 - 0.12 * math.sin(math.pi * week.week / 18))
    rally = max(0.0, (week.week - 26) / 27)
    return season * (1 + (RISE_2020.get(route, OTHER_RISE) - 1) * math.pow(rally, 1.5))


def _members(db: Database, actor: Actor) -> list[tuple[int, str]]:
    """The panel: the demo's own forwarder (the panelist's organisation) and eleven more."""
    with db.transaction(actor) as session:
        own = session.scalars(
            select(Organisation).where(Organisation.kind == OrgKind.PANEL_MEMBER)
        ).first()
        members = []
        if own is not None:
            members.append(service.join_panel(session, own.id, "F01", 1.5))
        for code, name_zh, name_en, weight in FORWARDERS:
            org = Organisation(name_zh=name_zh, name_en=name_en, kind=OrgKind.PANEL_MEMBER)
            session.add(org)
            session.flush()
            members.append(service.join_panel(session, org.id, code, weight))
        return [(m.id, m.code) for m in members]


def _quotes(members: list[tuple[int, str]], rng: random.Random) -> list[dict[str, object]]:
    m = service.methodology()
    joining = {r for b in m.baskets[1:] for r in b.weights} - set(m.baskets[0].weights)
    link_week = IsoWeek(2019, 26)
    bias = {code: rng.gauss(1.0, 0.03) for _, code in members}
    rows: list[dict[str, object]] = []
    week, t = FIRST, 0
    while week <= LAST:
        opens, closes = window(m, week)
        for route, level in LEVELS.items():
            if route in joining and week < link_week:
                continue
            market = level * _market(route, week, t)
            for member_id, code in members:
                # Not every member quotes every route every week; New Zealand is thin.
                if rng.random() < (0.55 if route == "NZ" else 0.06):
                    continue
                at = opens + timedelta(seconds=rng.uniform(0, (closes - opens).total_seconds()))
                for container, size in SIZES.items():
                    amount = market * size * bias[code] * rng.gauss(1.0, 0.025)
                    if rng.random() < 0.002:  # a typing slip: cleaning takes it out
                        amount *= 10
                    rows.append(
                        {
                            "member_id": member_id,
                            "week": week.code,
                            "route": route,
                            "container": container,
                            "amount": Decimal(f"{max(amount, 60):.2f}"),
                            "currency": "USD",
                            "submitted_at": at,
                            "submitted_by": f"demo:{code}",
                            "source": "demo",
                        }
                    )
        week, t = next_week(week), t + 1
    return rows


def build(*, db: Database, settings: Settings, rng: random.Random) -> None:
    """Build the demonstration panel, its quotes, the released history and a restatement."""
    del settings  # the freight index lives in the operational store only
    actor = Actor.system("demo")
    members = _members(db, actor)
    rows = _quotes(members, rng)
    with db.transaction(actor) as session:
        for start in range(0, len(rows), 5000):
            session.execute(insert(FreightQuote), rows[start : start + 5000])
    weeks = []
    week = service.methodology().baskets[0].base_weeks[-1]
    while week <= LAST:
        weeks.append(week)
        week = next_week(week)
    now = datetime(2021, 1, 8, tzinfo=UTC)
    with db.transaction(actor) as session:
        service.approve_weeks(session, weeks, actor=actor, now=now, backdate=True)
    # A member reported a wrong Europe rate for one week in October 2019, found after release.
    with db.transaction(actor) as session:
        service.correct_quote(
            session,
            RESTATED_WEEK,
            "F05",
            service.QuoteIn("EUR", "40HQ", Decimal("1890.00")),
            actor=actor,
            now=now,
        )
        service.restate(
            session,
            RESTATED_WEEK,
            "演示：F05 的欧洲航线 40HQ 报价录入有误，已更正。"
            " / Demo: F05's Europe 40HQ rate was keyed wrongly and has been corrected.",
            actor=actor,
            now=now + timedelta(days=1),
        )
