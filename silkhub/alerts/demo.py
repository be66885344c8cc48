"""The demonstration audience and year of the alerts service, after the source document: in
2020 the service centre compiled 61 issues of 《境外疫情防控热点动态》 and pushed more than
3,000 items to 38 government departments, 1,000 enterprises with more than 10 million US dollars
invested abroad, and 40 service agencies, all of them reached.

Everything is invented and labelled (“演示·” / “Demo”): organisation names, people (no one can
sign in as them: they have no password, and their addresses are under ``.invalid``), items and
their text. The year's items, bulletins and deliveries are written in bulk, as a store built
from nothing, not as audited edits; the alerts of the last weeks go through the service (the
editorial workflow, an update, a cancellation, TBT notices imported from a CSV), so every
feature shows. A further 60 enterprises with less than 10 million abroad subscribe too: they
are not on the target list, which shows that coverage counts the list, not the subscribers.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert, select

from silkhub.accounts import service as accounts
from silkhub.accounts.models import Organisation, OrgKind, Role, User, UserRole
from silkhub.alerts import audience, bulletins, notices_import, service
from silkhub.alerts.models import (
    AlertItem,
    AlertVersion,
    AudienceProfile,
    Bulletin,
    BulletinEntry,
    Delivery,
    Subscriber,
    Subscription,
)
from silkhub.core import groups as country_groups
from silkhub.settings import Settings
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database

__all__ = ["ISSUES", "SERIES", "build"]

SERIES = "pandemic-hotspots"
ISSUES = 61
ITEMS_PER_ISSUE = (46, 56)
DOMAIN = "demo.silkhub.invalid"
#: (code, name_zh, name_en, rule): a rule of None is a list by upload (the demo's own
#: departments and agencies, named one by one, as a service centre keeps such lists).
TARGETS: tuple[tuple[str, str, str, dict[str, Any] | None], ...] = (
    ("departments", "38个政府部门", "The 38 government departments", None),
    (
        "enterprises-10m",
        "境外投资超1000万美元的企业",
        "Enterprises with over 10 million US dollars invested abroad",
        {"kind": "enterprise", "min_outward_investment_musd": 10},
    ),
    ("agencies", "40家服务机构", "The 40 service agencies", None),
)

DEPARTMENTS = [
    ("商务厅", "Department of Commerce"), ("外事办公室", "Foreign Affairs Office"),
    ("发展改革委", "Development and Reform Commission"), ("财政厅", "Department of Finance"),
    ("交通运输厅", "Department of Transport"), ("卫生健康委", "Health Commission"),
    ("公安厅", "Department of Public Security"), ("文化和旅游厅", "Department of Culture and Tourism"),
    ("教育厅", "Department of Education"), ("科技厅", "Department of Science and Technology"),
    ("经济和信息化厅", "Department of Economy and Information Technology"),
    ("农业农村厅", "Department of Agriculture"), ("自然资源厅", "Department of Natural Resources"),
    ("生态环境厅", "Department of Ecology and Environment"), ("住房和城乡建设厅", "Department of Housing"),
    ("水利厅", "Department of Water Resources"), ("应急管理厅", "Department of Emergency Management"),
    ("市场监督管理局", "Market Regulation Administration"), ("地方金融监督管理局", "Financial Regulation Bureau"),
    ("统计局", "Statistics Bureau"), ("人力资源和社会保障厅", "Department of Human Resources"),
    ("司法厅", "Department of Justice"), ("国有资产监督管理委员会", "State Assets Commission"),
    ("贸促会", "Council for the Promotion of International Trade"), ("侨务办公室", "Overseas Chinese Affairs Office"),
    ("民政厅", "Department of Civil Affairs"), ("体育局", "Sports Bureau"),
    ("粮食和物资储备局", "Grain and Reserves Bureau"), ("能源局", "Energy Bureau"),
    ("药品监督管理局", "Medical Products Administration"), ("知识产权局", "Intellectual Property Office"),
    ("林业局", "Forestry Bureau"), ("港航管理中心", "Port and Shipping Centre"),
    ("口岸办公室", "Ports of Entry Office"), ("海洋经济发展厅", "Department of Marine Economy"),
    ("审计厅", "Audit Office"), ("大数据发展管理局", "Big Data Bureau"),
    ("机关事务管理局", "Government Offices Administration"),
]  # fmt: skip
PLACES = [
    ("之江", "Zhijiang"), ("钱塘", "Qiantang"), ("甬港", "Yonggang"), ("义新", "Yixin"),
    ("瓯越", "Ouyue"), ("东阳", "Dongyang"), ("南浔", "Nanxun"), ("天目", "Tianmu"),
    ("雁荡", "Yandang"), ("千岛", "Qiandao"), ("越州", "Yuezhou"), ("婺江", "Wujiang"),
]  # fmt: skip
TRADES = [
    ("国际贸易", "International Trading"), ("机电", "Machinery"), ("纺织", "Textiles"),
    ("新能源", "New Energy"), ("化工", "Chemicals"), ("汽车零部件", "Auto Parts"),
    ("电子", "Electronics"), ("医药", "Pharmaceuticals"), ("建材", "Building Materials"),
    ("家居", "Home Furnishings"), ("工程", "Engineering"), ("物流", "Logistics"),
]  # fmt: skip
AGENCIES = [
    ("律师事务所", "Law Firm"), ("会计师事务所", "Accounting Firm"), ("咨询公司", "Consultancy"),
    ("保险经纪公司", "Insurance Brokers"), ("认证中心", "Certification Centre"),
]  # fmt: skip
TOPICS = [
    ("调整入境管控措施", "changes its entry controls", "public_health"),
    ("新增确诊病例明显上升", "reports a sharp rise in new cases", "public_health"),
    ("暂停部分国际航班", "suspends some international flights", "public_health"),
    ("出台复工复产支持政策", "announces support for reopening businesses", "economic"),
    ("港口作业逐步恢复", "gradually resumes port operations", "economic"),
    ("收紧外汇管制", "tightens foreign exchange controls", "economic"),
    ("延长紧急状态", "extends its state of emergency", "legal"),
    ("调整外籍人员工作许可规定", "changes work permit rules for foreigners", "legal"),
    ("发生针对外国企业的抗议活动", "sees protests against foreign companies", "security"),
    ("对部分进口商品发起反倾销调查", "opens anti-dumping investigations on some imports", "trade_remedy"),
]  # fmt: skip
SEVERITIES = ["blue", "blue", "yellow", "yellow", "orange", "red"]


def _rows_of(model: type[Any]) -> Any:
    """A Core INSERT of ``model``'s table: one executemany for a list of rows. (The ORM's bulk
    insert splits the rows into groups by which values are None: thousands of statements.)"""
    table: Table = model.__table__
    return insert(table)


def _day(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = (end - start).total_seconds()
    return start + timedelta(seconds=int(rng.random() * span))


def _organisations(db: Database, rng: random.Random) -> list[tuple[int, str, int]]:
    """The audience: (organisation id, kind, user id) for each of 1,138 organisations."""
    rows: list[tuple[str, str, str, float | None]] = []
    for zh, en in DEPARTMENTS:
        rows.append((f"演示·省{zh}", f"Demo Provincial {en}", OrgKind.DEPARTMENT.value, None))
    for n in range(1060):
        place, trade = rng.choice(PLACES), rng.choice(TRADES)
        # 1,000 over 10 million US dollars abroad (log-normal, as investment is), 60 under.
        invested = (
            round(10.5 + rng.lognormvariate(3.0, 1.1), 1)
            if n < 1000
            else round(rng.uniform(0.5, 9.9), 1)
        )
        rows.append(
            (
                f"演示·{place[0]}{trade[0]}{n + 1:04d}有限公司",
                f"Demo {place[1]} {trade[1]} {n + 1:04d} Co., Ltd.",
                OrgKind.ENTERPRISE.value,
                invested,
            )
        )
    for n in range(40):
        place, kind = PLACES[n % len(PLACES)], AGENCIES[n % len(AGENCIES)]
        rows.append(
            (
                f"演示·{place[0]}{kind[0]}{n + 1:02d}",
                f"Demo {place[1]} {kind[1]} {n + 1:02d}",
                OrgKind.SERVICE_AGENCY.value,
                None,
            )
        )
    found: list[tuple[int, str, int]] = []
    with db.transaction(Actor.system("demo")) as session:
        session.execute(
            _rows_of(Organisation),
            [
                {"name_zh": zh, "name_en": en, "kind": kind, "country": "CN"}
                for zh, en, kind, _ in rows
            ],
        )
        orgs = session.execute(
            select(Organisation.id, Organisation.name_en, Organisation.kind).where(
                Organisation.name_en.in_([r[1] for r in rows])
            )
        ).all()
        by_name = {name: (org_id, kind) for org_id, name, kind in orgs}
        profiles = [
            {"organisation_id": by_name[en][0], "outward_investment_musd": invested, "demo": True}
            for _, en, _, invested in rows
            if invested is not None
        ]
        session.execute(_rows_of(AudienceProfile), profiles)
        users = []
        for n, (_, en, _, _) in enumerate(rows):
            org_id = by_name[en][0]
            users.append(
                {
                    "email": f"audience{n + 1:04d}@{DOMAIN}",
                    "display_name": f"Demo contact {n + 1:04d}",
                    "password_hash": None,
                    "organisation_id": org_id,
                    "language": "en" if rng.random() < 0.1 else "zh",
                    "is_active": True,
                }
            )
        session.execute(_rows_of(User), users)
        ids = dict(
            session.execute(
                select(User.email, User.id).where(User.email.like(f"audience%@{DOMAIN}"))
            ).all()
        )
        session.execute(
            _rows_of(UserRole),
            [{"user_id": uid, "role": Role.SUBSCRIBER.value} for uid in ids.values()],
        )
        for n, row in enumerate(rows):
            org_id, org_kind = by_name[row[1]]
            found.append((org_id, org_kind, ids[f"audience{n + 1:04d}@{DOMAIN}"]))
    return found


def _texts(rng: random.Random, country: Any) -> tuple[dict[str, str], dict[str, str], str]:
    topic_zh, topic_en, category = rng.choice(TOPICS)
    title = {"zh": f"{country.name_zh}{topic_zh}", "en": f"{country.name_en} {topic_en}"}
    body = {
        "zh": f"（演示）据公开信息，{country.name_zh}{topic_zh}。在{country.name_zh}有业务的企业请关注后续变化。",
        "en": f"(Demo) According to public sources, {country.name_en} {topic_en}. "
        f"Enterprises with business in {country.name_en} should follow developments.",
    }
    return title, body, category


def _year_of_bulletins(
    db: Database,
    rng: random.Random,
    audience_rows: Sequence[tuple[int, str, int]],
    editor_id: int | None,
) -> None:
    from silkhub.core import countries as country_names

    along = sorted(country_groups.members("along_route_64", date(2020, 1, 1)))
    countries = [country_names.get(code) for code in along]
    start = datetime(2020, 1, 27, 1, 0, tzinfo=UTC)
    # 61 issues from late January to the end of December: every 5 or 6 days.
    step = (datetime(2020, 12, 28, 1, 0, tzinfo=UTC) - start) / (ISSUES - 1)
    issue_times = [start + step * n for n in range(ISSUES)]
    with db.transaction(Actor.system("demo")) as session:
        series = bulletins.create_series(
            session,
            SERIES,
            "境外疫情防控热点动态",
            "Pandemic hotspots abroad",
            confidentiality="registered",
            target_lists=[code for code, *_ in TARGETS],
            demo=True,
        )
        series_id = series.id
    items: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    entries: list[tuple[int, int, int]] = []  # (issue, item index, position)
    previous = start - timedelta(days=5)
    for issue, when in enumerate(issue_times, start=1):
        count = rng.randint(*ITEMS_PER_ISSUE)
        for position in range(1, count + 1):
            country = rng.choice(countries)
            title, body, category = _texts(rng, country)
            published = _day(rng, previous, when - timedelta(hours=2))
            kind = "alert" if rng.random() < 0.25 else "news"
            severity = rng.choice(SEVERITIES) if kind == "alert" else None
            confidentiality = "public" if rng.random() < 0.4 else "registered"
            item_uid = f"SH-{kind.upper()}-2020-{len(items) + 1:05d}"
            content = {
                "title": title,
                "body": body,
                "advice": {"zh": "", "en": ""},
                "countries": [country.alpha2],
                "groups": [],
                "category": category if kind == "alert" else None,
                "severity": severity,
                "urgency": "Expected",
                "certainty": "Likely",
                "valid_from": published.isoformat(),
                "valid_until": None,
                "hs_codes": [],
                "sources": [],
                "notice": None,
                "confidentiality": confidentiality,
                "target_lists": [],
            }
            items.append(
                {
                    "uid": item_uid,
                    "kind": kind,
                    "status": "published",
                    "confidentiality": confidentiality,
                    "version": 1,
                    "published_version": 1,
                    "title_zh": title["zh"],
                    "title_en": title["en"],
                    "category": content["category"],
                    "severity": severity,
                    "countries": country.alpha2,
                    "hs_codes": "",
                    "target_lists": "",
                    "valid_from": published,
                    "author_id": editor_id,
                    "approver_id": editor_id,
                    "published_at": published,
                    "created_at": published,
                    "updated_at": published,
                    "demo": True,
                }
            )
            versions.append(
                {
                    "number": 1,
                    "msg_type": "Alert",
                    "content": content,
                    "created_by": editor_id,
                    "created_at": published,
                    "published_at": published,
                }
            )
            entries.append((issue, len(items) - 1, position))
        previous = when
    with db.transaction(Actor.system("demo")) as session:
        session.execute(_rows_of(AlertItem), items)
        ids = dict(
            session.execute(
                select(AlertItem.uid, AlertItem.id).where(AlertItem.demo.is_(True))
            ).all()
        )
        item_ids = [ids[i["uid"]] for i in items]
        for n, version in enumerate(versions):
            version["item_id"] = item_ids[n]
        session.execute(_rows_of(AlertVersion), versions)
        bulletin_rows = [
            {
                "series_id": series_id,
                "number": n,
                "period_from": (issue_times[n - 2] if n > 1 else start - timedelta(days=5)),
                "period_to": issue_times[n - 1],
                "title_zh": f"境外疫情防控热点动态（第{n}期）",
                "title_en": f"Pandemic hotspots abroad, issue {n}",
                "intro_zh": "",
                "intro_en": "",
                "status": "published",
                "compiled_by": editor_id,
                "created_at": issue_times[n - 1],
                "published_at": issue_times[n - 1],
            }
            for n in range(1, ISSUES + 1)
        ]
        session.execute(_rows_of(Bulletin), bulletin_rows)
        bulletin_ids = dict(
            session.execute(
                select(Bulletin.number, Bulletin.id).where(Bulletin.series_id == series_id)
            ).all()
        )
        session.execute(
            _rows_of(BulletinEntry),
            [
                {"bulletin_id": bulletin_ids[issue], "item_id": item_ids[index], "position": pos}
                for issue, index, pos in entries
            ],
        )
        # Everyone on the audience subscribes to the series; every issue went out by e-mail and
        # to the inbox, and was sent (the year's record: in the source, all were reached).
        session.execute(
            _rows_of(Subscriber),
            [
                {
                    "user_id": uid,
                    "channels": "email inbox",
                    "language": "zh",
                    "digest": False,
                    "digest_hour": 8,
                    "demo": True,
                }
                for *_, uid in audience_rows
            ],
        )
        subscriptions = [
            {
                "user_id": uid,
                "series": SERIES,
                "kinds": "",
                "countries": "",
                "groups": "",
                "categories": "",
                "hs_prefixes": "",
                "min_severity": None,
                "active": True,
            }
            for *_, uid in audience_rows
        ]
        for _org, org_kind, uid in audience_rows:
            if org_kind == OrgKind.ENTERPRISE.value and rng.random() < 0.3:
                subscriptions.append(
                    {
                        "user_id": uid,
                        "series": "",
                        "kinds": "alert",
                        "countries": " ".join(rng.sample(along, 3)),
                        "groups": "",
                        "categories": "",
                        "hs_prefixes": "",
                        "min_severity": "yellow",
                        "active": True,
                    }
                )
        session.execute(_rows_of(Subscription), subscriptions)
        rows: list[dict[str, Any]] = []
        for number, sent in enumerate(issue_times, start=1):
            for org_id, _kind, uid in audience_rows:
                for channel in ("email", "inbox"):
                    read = rng.random() < (0.55 if channel == "inbox" else 0.35)
                    status = ("read" if channel == "inbox" else "opened") if read else "sent"
                    rows.append(
                        {
                            "idempotency_key": f"bulletin:{SERIES}:{number}:{uid}:{channel}",
                            "user_id": uid,
                            "organisation_id": org_id,
                            "channel": channel,
                            "bulletin_id": bulletin_ids[number],
                            "status": status,
                            "attempts": 1 if channel == "email" else 0,
                            "queued_at": sent,
                            "sent_at": sent + timedelta(seconds=rng.randint(1, 600)),
                            "read_at": sent + timedelta(hours=rng.randint(1, 48)) if read else None,
                            "demo": True,
                        }
                    )
            if len(rows) > 20000:
                session.execute(_rows_of(Delivery), rows)
                rows = []
        if rows:
            session.execute(_rows_of(Delivery), rows)


def _current_alerts(db: Database) -> None:
    """The last weeks, through the service: drafts waiting, published alerts (one updated, one
    cancelled), and TBT notices imported from a CSV export."""
    with db.transaction(Actor.system("demo")) as session:
        editor = session.scalar(select(User).where(User.email == f"editor@{DOMAIN}"))
        approver = session.scalar(select(User).where(User.email == f"approver@{DOMAIN}"))
        if editor is None or approver is None:
            return  # a builder test without the demo people
        ed, ap = accounts.principal_for(editor), accounts.principal_for(approver)
        now = datetime(2020, 12, 29, 2, 0, tzinfo=UTC)

        def alert(
            country: str, zh: str, en: str, severity: str, category: str, **extra: Any
        ) -> dict[str, Any]:
            return {
                "title": {"zh": f"（演示）{zh}", "en": f"(Demo) {en}"},
                "body": {
                    "zh": f"演示内容：{zh}。请在当地的企业和人员注意安全，关注官方发布。",
                    "en": f"Demonstration text: {en}. Enterprises and staff there should take care and follow official announcements.",
                },
                "advice": {
                    "zh": "及时联系驻外使领馆；做好应急预案。",
                    "en": "Keep in touch with the consulate; prepare contingency plans.",
                },
                "countries": [country],
                "category": category,
                "severity": severity,
                "urgency": "Expected",
                "certainty": "Likely",
                "valid_from": now.isoformat(),
                "valid_until": (now + timedelta(days=30)).isoformat(),
                "target_lists": [code for code, *_ in TARGETS],
                **extra,
            }

        made = []
        for data in (
            alert(
                "TH",
                "泰国部分地区疫情反弹",
                "COVID-19 rebound in parts of Thailand",
                "orange",
                "public_health",
            ),
            alert(
                "PK",
                "巴基斯坦卡拉奇安全形势趋紧",
                "Security tightens in Karachi, Pakistan",
                "red",
                "security",
                confidentiality="registered",
            ),
            alert(
                "KZ",
                "哈萨克斯坦调整铁路口岸通关安排",
                "Kazakhstan changes rail border clearance",
                "yellow",
                "economic",
            ),
            alert(
                "TR",
                "土耳其里拉大幅波动",
                "Turkish lira swings sharply",
                "yellow",
                "economic",
                confidentiality="government",
            ),
            alert(
                "ID",
                "印度尼西亚发生强烈地震",
                "Strong earthquake in Indonesia",
                "orange",
                "natural_disaster",
            ),
        ):
            uid = service.create_item(session, ed, "alert", data, demo=True).uid
            service.submit(session, ed, uid)
            service.approve(session, ap, uid)
            service.publish(session, ap, uid, now=now)
            made.append(uid)
        # An update (worse than first thought) and a cancellation (the quake alert ends).
        service.edit_item(
            session,
            ed,
            made[0],
            alert(
                "TH",
                "泰国部分地区疫情反弹，曼谷实施封控",
                "COVID-19 rebound in Thailand; Bangkok locks down",
                "red",
                "public_health",
            ),
            note="Bangkok lockdown announced",
        )
        service.submit(session, ed, made[0])
        service.approve(session, ap, made[0])
        service.publish(session, ap, made[0], now=now + timedelta(hours=6))
        service.cancel(
            session,
            ap,
            made[4],
            "余震风险解除 / Aftershock risk over",
            now=now + timedelta(hours=8),
        )
        # Waiting on the desk: a draft and one submitted for approval.
        service.create_item(
            session,
            ed,
            "alert",
            alert(
                "VN", "越南港口拥堵加剧", "Port congestion worsens in Vietnam", "blue", "economic"
            ),
            demo=True,
        )
        waiting = service.create_item(
            session,
            ed,
            "alert",
            alert("RU", "俄罗斯调整进口许可", "Russia changes import licensing", "yellow", "legal"),
            demo=True,
        )
        service.submit(session, ed, waiting.uid)
        csv = (
            "symbol,notifying_member,title_zh,title_en,products,hs_codes,objective,comment_deadline,text_url\n"
            "G/TBT/N/EU/9001,EU,（演示）玩具安全要求修订,(Demo) Toy safety requirements revised,玩具 Toys,9503,保护儿童健康 Child safety,2021-02-15,https://eping.wto.org/\n"
            "G/TBT/N/EU/9001/Add.1,EU,（演示）玩具安全要求修订（增补）,(Demo) Toy safety requirements (addendum),玩具 Toys,9503,保护儿童健康 Child safety,2021-03-01,https://eping.wto.org/\n"
            "G/TBT/N/SAU/9002,,（演示）电动汽车充电设备技术法规,(Demo) EV charging equipment regulation,充电设备 Chargers,8504 8544,安全 Safety,2021-01-30,https://eping.wto.org/\n"
            "G/SPS/N/JPN/9003,,（演示）柑橘类水果农药残留限量,(Demo) Pesticide limits for citrus fruit,柑橘 Citrus,0805,食品安全 Food safety,2021-02-01,https://eping.wto.org/\n"
            "G/TBT/N/RUS/9004,,（演示）纺织品标签规定,(Demo) Textile labelling rules,纺织品 Textiles,61 62 63,消费者保护 Consumers,2021-02-20,https://eping.wto.org/\n"
        )
        for notice in notices_import.import_notices(session, ed, csv.encode(), "demo-eping.csv"):
            service.submit(session, ed, notice.uid)
            service.approve(session, ap, notice.uid)
            service.publish(session, ap, notice.uid, now=now)
        subscriber = session.scalar(select(User).where(User.email == f"subscriber@{DOMAIN}"))
        if subscriber is not None:
            audience.subscribe(
                session, subscriber.id, {"kinds": "alert tbt sps", "groups": "along_route_64"}
            )
            audience.subscribe(session, subscriber.id, {"series": SERIES})
            audience.subscribe(session, subscriber.id, {"kinds": "tbt", "hs_prefixes": "9503 85"})


def build(*, db: Database, settings: Settings, rng: random.Random) -> None:
    del settings  # nothing on disk: the alerts live in the operational store
    # Its own stream, seeded from the shared generator's state without drawing from it, so the
    # alerts' demo changes no other capability's data.
    own = random.Random(rng.getstate()[1][0] ^ 0xA1E27)
    audience_rows = _organisations(db, own)
    with db.reading() as session:
        editor_id = session.scalar(select(User.id).where(User.email == f"editor@{DOMAIN}"))
    with db.transaction(Actor.system("demo")) as session:
        for code, zh, en, rule in TARGETS:
            kind = {
                "departments": OrgKind.DEPARTMENT.value,
                "agencies": OrgKind.SERVICE_AGENCY.value,
            }.get(code)
            members = (
                [org for org, org_kind, _ in audience_rows if org_kind == kind]
                if rule is None
                else None
            )
            audience.define_target_list(session, code, zh, en, rule=rule, members=members)
    _year_of_bulletins(db, own, audience_rows, editor_id)
    _current_alerts(db)
