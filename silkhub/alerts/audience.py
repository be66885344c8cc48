"""The audience: people's delivery preferences and subscriptions, organisations' profiles,
and target lists ("the 38 departments", "enterprises with over 10 million US dollars abroad")
defined by a rule or by an uploaded list.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from silkhub.accounts.models import Organisation, OrgKind
from silkhub.alerts.cap import Category, Severity
from silkhub.alerts.models import (
    AudienceProfile,
    BulletinSeries,
    Channel,
    ItemKind,
    Subscriber,
    Subscription,
    TargetList,
    TargetMember,
)
from silkhub.core import countries as country_names
from silkhub.core import groups as country_groups
from silkhub.core.errors import (
    InvalidInput,
    Location,
    Message,
    NotFound,
    Problem,
    Report,
)

__all__ = [
    "define_target_list",
    "feed_subscriber",
    "issue_feed_token",
    "revoke_feed_token",
    "set_preferences",
    "subscribe",
    "target_organisations",
    "unsubscribe_email",
]


def _problem(report: Report, field: str, code: str, zh: str, en: str, value: Any = None) -> None:
    report.add(Problem(code, Message(zh, en), Location(field=field), value))


def _codes(raw: Any) -> list[str]:
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        return raw.replace(",", " ").split()
    return [str(v).strip() for v in raw if str(v).strip()]


def subscriber_of(session: Session, user_id: int) -> Subscriber:
    found = session.get(Subscriber, user_id)
    if found is None:
        found = Subscriber(user_id=user_id)
        session.add(found)
        session.flush()
    return found


def set_preferences(session: Session, user_id: int, data: Mapping[str, Any]) -> Subscriber:
    """Channels, language, digest and webhook of one person; every problem in one report."""
    report = Report()
    sub = subscriber_of(session, user_id)
    if "channels" in data:
        channels = _codes(data["channels"])
        for i, channel in enumerate(channels):
            if channel not in {c.value for c in Channel}:
                _problem(
                    report,
                    f"channels[{i}]",
                    "bad_channel",
                    "渠道应为 email、webhook、inbox 之一。",
                    "A channel is email, webhook or inbox.",
                    channel,
                )
        sub.channels = " ".join(dict.fromkeys(channels))
    if "language" in data:
        if data["language"] not in ("zh", "en"):
            _problem(
                report,
                "language",
                "bad_language",
                "语言应为 zh 或 en。",
                "Language is zh or en.",
                data["language"],
            )
        else:
            sub.language = str(data["language"])
    if "digest" in data:
        sub.digest = bool(data["digest"])
    if "digest_hour" in data:
        try:
            hour = int(data["digest_hour"])
            if not 0 <= hour <= 23:
                raise ValueError
            sub.digest_hour = hour
        except (TypeError, ValueError):
            _problem(
                report,
                "digest_hour",
                "bad_hour",
                "摘要时间为 0 至 23 点。",
                "The digest hour is 0 to 23.",
                data["digest_hour"],
            )
    if "webhook_url" in data:
        url = str(data["webhook_url"] or "").strip() or None
        if url and not url.startswith(("https://", "http://")):
            _problem(
                report,
                "webhook_url",
                "bad_url",
                "Webhook 地址须以 http(s):// 开头。",
                "A webhook URL starts with http(s)://.",
                url,
            )
        else:
            if url and url != sub.webhook_url:
                sub.webhook_secret = secrets.token_hex(32)  # a new receiver, a new secret
            sub.webhook_url = url
    if Channel.WEBHOOK.value in sub.channels.split() and not sub.webhook_url:
        _problem(
            report,
            "webhook_url",
            "missing_url",
            "选择 webhook 渠道须填写地址。",
            "The webhook channel needs a URL.",
        )
    report.raise_if_invalid()
    return sub


def subscribe(session: Session, user_id: int, data: Mapping[str, Any]) -> Subscription:
    """A new subscription; filters are lists (or space/comma separated strings) of codes."""
    report = Report()
    kinds = _codes(data.get("kinds"))
    for i, k in enumerate(kinds):
        if k not in {v.value for v in ItemKind}:
            _problem(report, f"kinds[{i}]", "bad_kind", "未知的条目类型。", "Unknown item kind.", k)
    countries: list[str] = []
    for i, name in enumerate(_codes(data.get("countries"))):
        found = country_names.try_resolve(name)
        if found is None:
            _problem(
                report,
                f"countries[{i}]",
                "unknown_country",
                f"无法识别国家“{name}”。",
                f"Unknown country {name!r}.",
                name,
            )
        else:
            countries.append(found.alpha2)
    groups = _codes(data.get("groups"))
    for i, code in enumerate(groups):
        try:
            country_groups.group(code)
        except NotFound:
            _problem(
                report,
                f"groups[{i}]",
                "unknown_group",
                f"未知的国家组“{code}”。",
                f"Unknown country group {code!r}.",
                code,
            )
    categories = _codes(data.get("categories"))
    for i, c in enumerate(categories):
        if c not in {v.value for v in Category}:
            _problem(
                report, f"categories[{i}]", "bad_category", "未知的类别。", "Unknown category.", c
            )
    min_severity = data.get("min_severity") or None
    if min_severity is not None and min_severity not in {s.value for s in Severity}:
        _problem(
            report,
            "min_severity",
            "bad_severity",
            "级别应为 red、orange、yellow、blue 之一。",
            "Severity is red, orange, yellow or blue.",
            min_severity,
        )
    hs = _codes(data.get("hs_prefixes"))
    for i, code in enumerate(hs):
        if not code.isdigit() or not 2 <= len(code) <= 10:
            _problem(
                report,
                f"hs_prefixes[{i}]",
                "bad_hs_code",
                "HS 编码前缀为 2 至 10 位数字。",
                "An HS prefix has 2 to 10 digits.",
                code,
            )
    series = _codes(data.get("series"))
    for i, code in enumerate(series):
        if session.scalar(select(BulletinSeries.id).where(BulletinSeries.code == code)) is None:
            _problem(
                report,
                f"series[{i}]",
                "unknown_series",
                f"没有简报系列“{code}”。",
                f"No bulletin series {code!r}.",
                code,
            )
    report.raise_if_invalid()
    subscriber_of(session, user_id)
    row = Subscription(
        user_id=user_id,
        kinds=" ".join(kinds),
        countries=" ".join(countries),
        groups=" ".join(groups),
        categories=" ".join(categories),
        min_severity=min_severity,
        hs_prefixes=" ".join(hs),
        series=" ".join(series),
    )
    session.add(row)
    session.flush()
    return row


def subscriptions_of(session: Session, user_id: int) -> Sequence[Subscription]:
    return session.scalars(
        select(Subscription).where(Subscription.user_id == user_id).order_by(Subscription.id)
    ).all()


def remove_subscription(session: Session, user_id: int, subscription_id: int) -> None:
    row = session.get(Subscription, subscription_id)
    if row is None or row.user_id != user_id:
        raise NotFound(Message("没有这项订阅。", "No such subscription."), code="no_subscription")
    session.delete(row)


def unsubscribe_email(session: Session, user_id: int, now: Any = None) -> None:
    """The e-mail's unsubscribe link: no more e-mail to this person (the inbox stays)."""
    from silkhub.stores.operational import utcnow

    subscriber_of(session, user_id).email_unsubscribed_at = now or utcnow()


# --- private feeds -------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_feed_token(session: Session, user_id: int) -> str:
    """A new secret for the person's private feed URL (the old one stops working)."""
    token = secrets.token_urlsafe(24)
    subscriber_of(session, user_id).feed_token_hash = _hash(token)
    return token


def revoke_feed_token(session: Session, user_id: int) -> None:
    subscriber_of(session, user_id).feed_token_hash = None


def feed_subscriber(session: Session, token: str) -> Subscriber:
    found = session.scalar(select(Subscriber).where(Subscriber.feed_token_hash == _hash(token)))
    if found is None:
        raise NotFound(
            Message("订阅源地址无效或已撤销。", "This feed address is unknown or revoked."),
            code="no_feed",
        )
    return found


# --- target lists --------------------------------------------------------------------------


def define_target_list(
    session: Session,
    code: str,
    name_zh: str,
    name_en: str,
    *,
    rule: Mapping[str, Any] | None = None,
    members: Sequence[int] | None = None,
) -> TargetList:
    """A list by rule (``{"kind": "enterprise", "min_outward_investment_musd": 10}``) or by
    organisation ids; redefining a code replaces it."""
    if (rule is None) == (members is None):
        raise InvalidInput(
            Message(
                "目标名单须按规则或按名单之一定义。",
                "A target list has a rule or members, not both.",
            )
        )
    if rule is not None and rule.get("kind") not in {k.value for k in OrgKind}:
        raise InvalidInput(
            Message("规则须指定机构类型。", "A rule names an organisation kind."), code="bad_rule"
        )
    target = session.scalar(select(TargetList).where(TargetList.code == code))
    if target is None:
        target = TargetList(code=code, name_zh=name_zh, name_en=name_en)
        session.add(target)
    target.name_zh, target.name_en, target.rule = name_zh, name_en, dict(rule) if rule else None
    session.flush()
    session.execute(delete(TargetMember).where(TargetMember.list_id == target.id))
    for org_id in dict.fromkeys(members or ()):
        session.add(TargetMember(list_id=target.id, organisation_id=org_id))
    session.flush()
    return target


def read_member_upload(session: Session, data: bytes, filename: str) -> list[int]:
    """Organisation ids from an uploaded CSV with a column ``organisation`` (an id or an exact
    name in either language); every unknown row is reported by row number."""
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    report = Report()
    if not reader.fieldnames or "organisation" not in reader.fieldnames:
        raise InvalidInput(
            Message(
                f"{filename}：缺少“organisation”列。",
                f"{filename}: the column 'organisation' is missing.",
            ),
            code="missing_column",
        )
    by_name = {}
    for org_id, zh, en in session.execute(
        select(Organisation.id, Organisation.name_zh, Organisation.name_en)
    ):
        by_name[zh] = org_id
        by_name[en] = org_id
        by_name[str(org_id)] = org_id
    found = []
    for row_number, row in enumerate(reader, start=2):
        value = (row.get("organisation") or "").strip()
        if value in by_name:
            found.append(by_name[value])
        else:
            report.add(
                Problem(
                    "unknown_organisation",
                    Message(f"未知机构“{value}”。", f"Unknown organisation {value!r}."),
                    Location(file=filename, row=row_number, column="organisation"),
                    value,
                )
            )
    report.raise_if_invalid()
    return found


def target_organisations(session: Session, target: TargetList) -> dict[int, str]:
    """The organisations on a list now: id -> kind."""
    if target.rule is None:
        rows = session.execute(
            select(Organisation.id, Organisation.kind)
            .join(TargetMember, TargetMember.organisation_id == Organisation.id)
            .where(TargetMember.list_id == target.id)
        ).all()
        return dict(rows)
    query = select(Organisation.id, Organisation.kind).where(
        Organisation.kind == target.rule["kind"]
    )
    minimum = target.rule.get("min_outward_investment_musd")
    if minimum is not None:
        query = query.join(
            AudienceProfile, AudienceProfile.organisation_id == Organisation.id
        ).where(AudienceProfile.outward_investment_musd > float(minimum))
    return dict(session.execute(query).all())


def target_list(session: Session, code: str) -> TargetList:
    found = session.scalar(select(TargetList).where(TargetList.code == code))
    if found is None:
        raise NotFound(
            Message(f"没有目标名单“{code}”。", f"No target list {code!r}."), code="no_target_list"
        )
    return found
