"""The indices capability's services: the freight index's panel, quotes, releases and
restatements, over the operational store.

Every read a reader who is not a compiler can reach goes through ``visible_releases``, which
keeps only releases whose ``release_at`` has passed: that is the embargo. Compilers pass
``compiler=True`` and see approved weeks before their release time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.accounts.models import Organisation, OrgKind
from silkhub.core.errors import (
    Conflict,
    InvalidInput,
    Location,
    Message,
    NotFound,
    PermissionDenied,
    Problem,
    Report,
    Severity,
)
from silkhub.core.periods import IsoWeek, parse_period
from silkhub.indices.freight_clean import Quote
from silkhub.indices.freight_compute import (
    History,
    WeekQuote,
    WeekResult,
    compute_history,
    published,
)
from silkhub.indices.freight_config import Methodology, default_methodology
from silkhub.indices.freight_schedule import release_time, window
from silkhub.indices.models import (
    COMPOSITE,
    FreightQuote,
    FreightRelease,
    FreightRestatement,
    FreightValue,
    PanelMember,
)
from silkhub.stores.audit import Actor

__all__ = [
    "QuoteIn",
    "Submission",
    "approve",
    "approve_weeks",
    "correct_quote",
    "find_quote",
    "history",
    "join_panel",
    "member_for",
    "parse_week",
    "preview",
    "quotes_of",
    "read_quote_csv",
    "recompute",
    "restate",
    "submit_quotes",
    "visible_releases",
    "withdraw_quote",
]


def methodology() -> Methodology:
    return default_methodology()


def parse_week(text: str, *, field: str = "week") -> IsoWeek:
    """An ISO week ("2020-W23") from what a person or a URL gives."""
    period = parse_period(text)
    if not isinstance(period, IsoWeek):
        raise InvalidInput.single(
            "not_a_week",
            Message(
                f"请给出 ISO 周，如 2020-W23，而不是“{text}”。",
                f"Give an ISO week such as 2020-W23, not {text!r}.",
            ),
            location=Location(field=field),
            value=text,
        )
    return period


# --- the panel ----------------------------------------------------------------------------------


def join_panel(
    session: Session, organisation_id: int, code: str, weight: float = 1.0
) -> PanelMember:
    """Put an organisation of kind ``panel_member`` on the panel under ``code``."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(Message("没有该机构。", "There is no such organisation."))
    if organisation.kind != OrgKind.PANEL_MEMBER:
        raise InvalidInput.single(
            "not_a_panel_member",
            Message(
                "只有“报价机构”类的机构可以加入运价指数样本。",
                "Only organisations of kind panel_member can join the panel.",
            ),
            location=Location(field="organisation_id"),
            value=organisation.kind,
        )
    member = PanelMember(organisation_id=organisation_id, code=code, weight=weight)
    session.add(member)
    session.flush()
    return member


def member_for(session: Session, organisation_id: int | None) -> PanelMember:
    """The panel member a person submits for (through their organisation)."""
    member = (
        session.scalar(select(PanelMember).where(PanelMember.organisation_id == organisation_id))
        if organisation_id is not None
        else None
    )
    if member is None or not member.active:
        raise PermissionDenied(
            Message(
                "您的机构不是运价指数的报价机构。",
                "Your organisation is not on the freight index's panel.",
            )
        )
    return member


# --- quotes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteIn:
    route: str
    container: str
    amount: Decimal
    currency: str = "USD"


@dataclass(frozen=True)
class Submission:
    week: IsoWeek
    ids: tuple[int, ...]
    #: Warnings the member sees at once (a jump against the member's quote a week earlier).
    warnings: tuple[Problem, ...] = field(default=())


def _local(m: Methodology, at: datetime) -> str:
    return at.astimezone(m.timezone).strftime("%Y-%m-%d %H:%M")


def _check_window(m: Methodology, week: IsoWeek, now: datetime) -> None:
    opens, closes = window(m, week)
    zone = str(m.timezone)
    if now < opens:
        raise Conflict(
            Message(
                f"{week.code} 的报价窗口尚未开放：开放时间为 {_local(m, opens)}（{zone}）。",
                f"Quotes for {week.code} open at {_local(m, opens)} ({zone}); it is too early.",
            ),
            code="window_not_open",
        )
    if now >= closes:
        raise Conflict(
            Message(
                f"{week.code} 的报价窗口已于 {_local(m, closes)}（{zone}）关闭，"
                "迟交的报价不予接受。",
                f"Quotes for {week.code} closed at {_local(m, closes)} ({zone}): late quotes are "
                "refused.",
            ),
            code="window_closed",
        )


def _validate(m: Methodology, quotes: Sequence[QuoteIn], report: Report) -> None:
    # Any configured route may be quoted in any week: a route joining the basket needs quotes
    # in its link week, the last week before it joins.
    routes = {r.code for r in m.routes}
    containers = {c.code for c in m.containers}
    seen: dict[tuple[str, str], int] = {}
    for i, q in enumerate(quotes):
        where = f"quotes[{i}]"

        def problem(
            field: str, code: str, zh: str, en: str, value: object, where: str = where
        ) -> None:
            report.add(Problem(code, Message(zh, en), Location(field=f"{where}.{field}"), value))

        if q.route not in routes:
            problem(
                "route",
                "unknown_route",
                f"未知航线“{q.route}”。",
                f"Unknown route {q.route!r}.",
                q.route,
            )
        if q.container not in containers:
            problem(
                "container",
                "unknown_container",
                f"未知箱型“{q.container}”。",
                f"Unknown container type {q.container!r}.",
                q.container,
            )
        if q.currency != m.currency:
            problem(
                "currency",
                "wrong_currency",
                f"报价须以 {m.currency} 计。",
                f"Quotes must be in {m.currency}.",
                q.currency,
            )
        if not m.min_rate <= float(q.amount) <= m.max_rate:
            problem(
                "amount",
                "implausible_rate",
                f"运价 {q.amount} 不在合理范围 {m.min_rate:g}–{m.max_rate:g} {m.currency} 内。",
                f"A rate of {q.amount} is outside the plausible range "
                f"{m.min_rate:g}–{m.max_rate:g} {m.currency}.",
                str(q.amount),
            )
        key = (q.route, q.container)
        if key in seen:
            problem(
                "route",
                "duplicate_quote",
                f"与第{seen[key] + 1}条报价重复。",
                f"Repeats quote {seen[key] + 1}.",
                f"{q.route}/{q.container}",
            )
        seen[key] = i


def _latest(session: Session, member_id: int, week: IsoWeek) -> dict[tuple[str, str], FreightQuote]:
    rows = session.scalars(
        select(FreightQuote)
        .where(
            FreightQuote.member_id == member_id,
            FreightQuote.week == week.code,
            FreightQuote.withdrawn_at.is_(None),
        )
        .order_by(FreightQuote.submitted_at, FreightQuote.id)
    )
    return {(q.route, q.container): q for q in rows}


def submit_quotes(
    session: Session,
    member: PanelMember,
    week: IsoWeek,
    quotes: Sequence[QuoteIn],
    *,
    actor: Actor,
    source: str,
    now: datetime | None = None,
    m: Methodology | None = None,
) -> Submission:
    """Record a member's quotes for ``week`` while its window is open: all or none; a quote
    for a cell already quoted this week replaces it (the latest counts)."""
    m = m or methodology()
    now = now or datetime.now(UTC)
    _check_window(m, week, now)
    report = Report()
    if not quotes:
        report.add(
            Problem(
                "no_quotes", Message("没有报价。", "There are no quotes."), Location(field="quotes")
            )
        )
    _validate(m, quotes, report)
    report.raise_if_invalid(
        Message(
            f"报价有{len(report.errors)}处问题，均未保存。",
            f"The quotes have {len(report.errors)} problem(s); none was saved.",
        )
    )
    before = _latest(session, member.id, _previous(week))
    warnings: list[Problem] = []
    rows: list[FreightQuote] = []
    for i, q in enumerate(quotes):
        earlier = before.get((q.route, q.container))
        if earlier is not None and earlier.amount > 0:
            jump = abs(q.amount / earlier.amount - 1)
            if jump > Decimal(str(m.max_jump)):
                warnings.append(
                    Problem(
                        "large_jump",
                        Message(
                            f"{q.route} {q.container}：{q.amount} 比您上周的报价 "
                            f"{earlier.amount} 变动了 {jump:.0%}。",
                            f"{q.route} {q.container}: {q.amount} is {jump:.0%} away from "
                            f"your quote of {earlier.amount} a week earlier.",
                        ),
                        Location(field=f"quotes[{i}].amount"),
                        str(q.amount),
                        Severity.WARNING,
                    )
                )
        rows.append(
            FreightQuote(
                member_id=member.id,
                week=week.code,
                route=q.route,
                container=q.container,
                amount=q.amount,
                currency=q.currency,
                submitted_at=now,
                submitted_by=actor.label,
                source=source,
            )
        )
    session.add_all(rows)
    session.flush()
    return Submission(week, tuple(r.id for r in rows), tuple(warnings))


def _previous(week: IsoWeek) -> IsoWeek:
    return IsoWeek.from_date(week.start - timedelta(days=7))


def quotes_of(session: Session, member: PanelMember | None, week: IsoWeek) -> list[FreightQuote]:
    """The week's quotes, newest first: a member's own, or (``member`` None, for compilers)
    everyone's."""
    query = select(FreightQuote).where(FreightQuote.week == week.code)
    if member is not None:
        query = query.where(FreightQuote.member_id == member.id)
    return list(
        session.scalars(query.order_by(FreightQuote.submitted_at.desc(), FreightQuote.id.desc()))
    )


def find_quote(session: Session, quote_id: int) -> FreightQuote:
    quote = session.get(FreightQuote, quote_id)
    if quote is None:
        raise NotFound(Message("没有该报价。", "There is no such quote."))
    return quote


def withdraw_quote(
    session: Session,
    member: PanelMember,
    quote_id: int,
    *,
    now: datetime | None = None,
    m: Methodology | None = None,
) -> FreightQuote:
    """Withdraw one of the member's own quotes while its week's window is open."""
    m = m or methodology()
    now = now or datetime.now(UTC)
    quote = find_quote(session, quote_id)
    if quote.member_id != member.id:
        # Another member's quote is not found either: its existence is not anyone's business.
        raise NotFound(Message("没有该报价。", "There is no such quote."))
    _check_window(m, parse_week(quote.week), now)
    quote.withdrawn_at = now
    return quote


def read_quote_csv(path: Path, *, name: str | None = None) -> list[QuoteIn]:
    """Quotes from a CSV file with the columns route, container, amount and (optionally)
    currency; every problem named by row and column."""
    shown = name or path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput.single(
            "not_utf8",
            Message("文件须为 UTF-8 编码的 CSV。", "The file must be CSV in UTF-8."),
            location=Location(file=shown),
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    report = Report()
    for column in ("route", "container", "amount"):
        if column not in header:
            report.add(
                Problem(
                    "missing_column",
                    Message(f"缺少列“{column}”。", f"The column {column!r} is missing."),
                    Location(file=shown, row=1, column=column),
                )
            )
    report.raise_if_invalid(
        Message("报价文件缺少必需的列。", "The quote file lacks required columns.")
    )
    quotes: list[QuoteIn] = []
    for row_number, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        try:
            amount = Decimal(row["amount"].replace(",", ""))
        except InvalidOperation:
            report.add(
                Problem(
                    "not_a_number",
                    Message("运价不是数字。", "The amount is not a number."),
                    Location(file=shown, row=row_number, column="amount"),
                    row["amount"],
                )
            )
            continue
        quotes.append(
            QuoteIn(
                row["route"].upper(),
                row["container"].upper(),
                amount,
                (row.get("currency") or "USD").upper(),
            )
        )
    report.raise_if_invalid(
        Message(
            f"报价文件有{len(report.errors)}处问题。",
            f"The quote file has {len(report.errors)} problem(s).",
        )
    )
    return quotes


def correct_quote(
    session: Session,
    week: IsoWeek,
    member_code: str,
    quote: QuoteIn,
    *,
    actor: Actor,
    now: datetime | None = None,
    m: Methodology | None = None,
) -> FreightQuote:
    """A compiler's correction of a member's quote after the window (it becomes that
    member's latest quote of the week); released values change only through ``restate``."""
    m = m or methodology()
    report = Report()
    _validate(m, [quote], report)
    report.raise_if_invalid()
    member = session.scalar(select(PanelMember).where(PanelMember.code == member_code))
    if member is None:
        raise NotFound(
            Message(f"没有报价机构 {member_code}。", f"There is no panel member {member_code}.")
        )
    row = FreightQuote(
        member_id=member.id,
        week=week.code,
        route=quote.route,
        container=quote.container,
        amount=quote.amount,
        currency=quote.currency,
        submitted_at=now or datetime.now(UTC),
        submitted_by=actor.label,
        source="restatement",
    )
    session.add(row)
    session.flush()
    return row


# --- computing ------------------------------------------------------------------------------------


def _stored_quotes(session: Session, through: IsoWeek) -> tuple[list[WeekQuote], dict[str, float]]:
    members = {p.id: p for p in session.scalars(select(PanelMember))}
    rows = session.execute(
        select(
            FreightQuote.id,
            FreightQuote.member_id,
            FreightQuote.week,
            FreightQuote.route,
            FreightQuote.container,
            FreightQuote.amount,
            FreightQuote.submitted_at,
        )
        .where(FreightQuote.withdrawn_at.is_(None), FreightQuote.week <= through.code)
        .order_by(FreightQuote.id)
    )
    weeks: dict[str, IsoWeek] = {}
    quotes = []
    for qid, member_id, week, route, container, amount, at in rows:
        iso = weeks.get(week) or weeks.setdefault(week, parse_week(week))
        quotes.append(
            WeekQuote(iso, route, container, Quote(members[member_id].code, float(amount), at, qid))
        )
    return quotes, {p.code: p.weight for p in members.values()}


def history(session: Session, through: IsoWeek, m: Methodology | None = None) -> History:
    """The index recomputed from every stored quote through ``through``."""
    quotes, weights = _stored_quotes(session, through)
    return compute_history(m or methodology(), quotes, through, member_weights=weights)


def preview(session: Session, week: IsoWeek, m: Methodology | None = None) -> WeekResult:
    """What ``week`` would be released as, from the quotes stored now (compilers only)."""
    return history(session, week, m).by_week[week]


def _values(result: WeekResult) -> dict[str, tuple[Decimal, bool]]:
    out: dict[str, tuple[Decimal, bool]] = {}
    composite = published(result.composite)
    if composite is not None:
        out[COMPOSITE] = (composite, any(r.carried_forward for r in result.routes.values()))
    for code, route in result.routes.items():
        value = published(route.index)
        if value is not None:
            out[code] = (value, route.carried_forward)
    return out


def approve(
    session: Session,
    week: IsoWeek,
    *,
    actor: Actor,
    now: datetime | None = None,
    m: Methodology | None = None,
) -> FreightRelease:
    """Approve ``week`` after its window has closed: its values are fixed now and released at
    the scheduled time (or at once, when that time has passed)."""
    (release,) = approve_weeks(session, [week], actor=actor, now=now, m=m)
    return release


def approve_weeks(
    session: Session,
    weeks: Sequence[IsoWeek],
    *,
    actor: Actor,
    now: datetime | None = None,
    m: Methodology | None = None,
    backdate: bool = False,
) -> list[FreightRelease]:
    """Approve several weeks from one computation of the history. A week whose release time
    has passed is released at once; with ``backdate`` (loading a history that was published
    elsewhere, or the demo's) at its scheduled time instead."""
    m = m or methodology()
    now = now or datetime.now(UTC)
    for week in weeks:
        _, closes = window(m, week)
        if now < closes:
            raise Conflict(
                Message(
                    f"{week.code} 的报价窗口到 {_local(m, closes)} 才关闭，之后才能批准。",
                    f"{week.code} can be approved once its window closes at {_local(m, closes)}.",
                ),
                code="window_open",
            )
    codes = [w.code for w in weeks]
    taken = set(session.scalars(select(FreightRelease.week).where(FreightRelease.week.in_(codes))))
    if taken:
        first = min(taken)
        raise Conflict(
            Message(
                f"{first} 已批准；更改请走更正流程。",
                f"{first} is already approved; change it by restating.",
            ),
            code="already_approved",
        )
    result = history(session, max(weeks), m)
    releases = []
    for week in weeks:
        week_result = result.by_week[week]
        if week_result.composite is None:
            raise InvalidInput.single(
                "incomplete_week",
                Message(
                    f"{week.code} 缺少航线：{'、'.join(week_result.missing)}，不能发布。",
                    f"{week.code} lacks routes ({', '.join(week_result.missing)}) and cannot be "
                    "released.",
                ),
                value=week.code,
            )
        cells = [c for c in week_result.cells.values() if c.route in week_result.routes]
        releases.append(
            FreightRelease(
                week=week.code,
                release_at=release_time(m, week) if backdate else max(release_time(m, week), now),
                basket=week_result.basket,
                methodology_version=m.version,
                fingerprint=m.fingerprint,
                quotes=sum(len(c.outcome.kept) + len(c.outcome.removed) for c in cells),
                removed=sum(len(c.outcome.removed) for c in cells),
                approved_by=actor.label,
                approved_at=now,
                values=[
                    FreightValue(series=s, value=v, carried_forward=f)
                    for s, (v, f) in _values(week_result).items()
                ],
            )
        )
    session.add_all(releases)
    session.flush()
    return releases


def visible_releases(
    session: Session, *, now: datetime | None = None, compiler: bool = False
) -> list[FreightRelease]:
    """Releases in week order: those whose release time has passed, or (``compiler``) every
    approved one. The embargo of every public read."""
    query = select(FreightRelease).order_by(FreightRelease.week)
    if not compiler:
        query = query.where(FreightRelease.release_at <= (now or datetime.now(UTC)))
    return list(session.scalars(query))


@dataclass(frozen=True)
class Difference:
    week: str
    series: str
    stored: Decimal | None
    recomputed: Decimal | None


def recompute(session: Session, m: Methodology | None = None) -> list[Difference]:
    """Every released value recomputed from the stored quotes and compared: the list of
    values that differ (empty when the published history is reproduced exactly)."""
    releases = visible_releases(session, compiler=True)
    if not releases:
        return []
    result = history(session, parse_week(releases[-1].week), m)
    differences: list[Difference] = []
    for release in releases:
        fresh = _values(result.by_week[parse_week(release.week)])
        stored = {v.series: v.value for v in release.values}
        for series in sorted(set(fresh) | set(stored)):
            again = fresh.get(series, (None, False))[0]
            if stored.get(series) != again:
                differences.append(Difference(release.week, series, stored.get(series), again))
    return differences


def restate(
    session: Session,
    week: IsoWeek,
    reason: str,
    *,
    actor: Actor,
    now: datetime | None = None,
    m: Methodology | None = None,
) -> list[FreightRestatement]:
    """Restate the released values of ``week`` and every later release from the quotes stored
    now (after ``correct_quote``), keeping both values, who, when and why."""
    if not reason.strip():
        raise InvalidInput.single(
            "reason_required",
            Message("更正须说明理由。", "A restatement needs a reason."),
            location=Location(field="reason"),
        )
    now = now or datetime.now(UTC)
    releases = [r for r in visible_releases(session, compiler=True) if r.week >= week.code]
    if not releases or releases[0].week != week.code:
        raise NotFound(Message(f"{week.code} 尚未发布。", f"{week.code} has not been released."))
    result = history(session, parse_week(releases[-1].week), m)
    changes: list[FreightRestatement] = []
    for release in releases:
        fresh = _values(result.by_week[parse_week(release.week)])
        for value in release.values:
            new, carried = fresh.get(value.series, (value.value, value.carried_forward))
            if new != value.value:
                changes.append(
                    FreightRestatement(
                        release_id=release.id,
                        series=value.series,
                        old_value=value.value,
                        new_value=new,
                        reason=reason.strip(),
                        restated_by=actor.label,
                        restated_at=now,
                    )
                )
                value.value = new
                value.carried_forward = carried
    session.add_all(changes)
    session.flush()
    return changes
