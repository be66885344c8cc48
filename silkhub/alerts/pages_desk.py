"""The editors' and approvers' pages: the desk (``/{lang}/alerts/desk``: items by status, the
form to write or edit an item, the workflow's buttons, the TBT/SPS import), an item's or a
bulletin's delivery log and coverage (``/{lang}/alerts/desk/{uid}``), and the coverage of a
period (``/{lang}/alerts/coverage``) with its export.

The routes admit editors and approvers; what each may do is the service's decision
(``service._require``: an editor submits, an approver approves, rejects and cancels, and may
not approve what they wrote). The desk shows each person the buttons of their roles, and when
the service refuses anyway, its refusal, on the desk, in the reader's language.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.accounts.models import ORG_KIND_NAMES, Organisation, OrgKind, Role, User
from silkhub.accounts.service import Principal
from silkhub.alerts import (
    attachments,
    bulletins,
    coverage,
    deliveries,
    notices_import,
    service,
)
from silkhub.alerts.cap import Category, Severity
from silkhub.alerts.models import (
    CONFIDENTIALITY_NAMES,
    ITEM_KIND_NAMES,
    Bulletin,
    Confidentiality,
    ItemKind,
    ItemStatus,
)
from silkhub.alerts.pages_common import (
    HUB_ZONE,
    Csrf,
    Db,
    Lang,
    Posted,
    Staff,
    attachment_rows,
    entry_counts,
    field_errors,
    local_time,
    problem_rows,
    summary,
    tabs,
    text_of,
)
from silkhub.alerts.readers import reader_for
from silkhub.alerts.schemas import (
    CERTAINTIES,
    CERTAINTY_NAMES,
    NOTICE_TYPES,
    URGENCIES,
    URGENCY_NAMES,
)
from silkhub.core.errors import InvalidInput, Location, Message, NotFound, SilkhubError
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.security import app_settings, require_roles
from silkhub.web.templating import templates_of

router = APIRouter(include_in_schema=False)

Editor = Annotated[Principal, Depends(require_roles(Role.EDITOR))]
Config = Annotated[Settings, Depends(app_settings)]

#: Items listed per status on the desk, newest first.
PER_STATUS = 50
#: Rows of a delivery log shown (the counts above it cover every row).
LOG_ROWS = 500
#: The coverage page's period by default: the year of the source document.
DEFAULT_YEAR = 2020

_COLUMNS: tuple[tuple[str, Message, tuple[ItemStatus, ...]], ...] = (
    ("drafts", Message("草稿", "Drafts"), (ItemStatus.DRAFT,)),
    ("submitted", Message("待审核", "Submitted"), (ItemStatus.SUBMITTED,)),
    (
        "approved",
        Message("已审核 / 定时发布", "Approved or scheduled"),
        (ItemStatus.APPROVED, ItemStatus.SCHEDULED),
    ),
    ("published", Message("已发布", "Published"), (ItemStatus.PUBLISHED, ItemStatus.CANCELLED)),
)

#: The bilingual and the plain fields of the item form, as ``schemas.parse_content`` reads
#: them (a form sends ``title_zh``; the service reads that as ``title.zh``).
_TEXT_FIELDS = (
    "title_zh",
    "title_en",
    "body_zh",
    "body_en",
    "advice_zh",
    "advice_en",
    "category",
    "severity",
    "urgency",
    "certainty",
    "confidentiality",
    "symbol",
    "notifying_member",
    "notice_type",
    "products",
    "objective",
    "comment_deadline",
    "proposed_adoption",
    "entry_into_force",
    "text_url",
)
_LIST_FIELDS = ("countries", "groups", "hs_codes", "target_lists")
_TIME_FIELDS = ("valid_from", "valid_until")
_SPLIT = re.compile(r"[,，;；、\n]+")


# --- the item form -------------------------------------------------------------------------


def _beijing(value: str) -> str:
    """A ``datetime-local`` value is Beijing time (the form says so): give it its offset."""
    value = value.strip()
    if not value or re.search(r"(Z|[+-]\d\d:?\d\d)$", value):
        return value
    return value + "+08:00"


def _local_input(value: str | None) -> str:
    """A stored time as a ``datetime-local`` value in Beijing time."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(HUB_ZONE).strftime("%Y-%m-%dT%H:%M")


def _content_from_form(form: Posted) -> tuple[dict[str, Any], dict[str, str]]:
    """The content the service is given, and the form's values to show again. Empty fields
    are left out, so that a missing category is the service's "missing", not an empty
    choice."""
    typed: dict[str, str] = {}
    data: dict[str, Any] = {}
    for name in (*_TEXT_FIELDS, *_LIST_FIELDS, *_TIME_FIELDS, "sources"):
        typed[name] = text_of(form, name)
    for name in _TEXT_FIELDS:
        if typed[name]:
            data[name] = typed[name]
    for name in _LIST_FIELDS:
        values = [v.strip() for v in _SPLIT.split(typed[name]) if v.strip()]
        if name in ("groups", "hs_codes", "target_lists"):
            values = [p for v in values for p in v.split()]
        if values:
            data[name] = values
    for name in _TIME_FIELDS:
        if typed[name]:
            data[name] = _beijing(typed[name])
    sources = []
    for line in typed["sources"].splitlines():
        line = line.strip()
        if not line:
            continue
        name, _, last = line.rpartition(" ")
        if last.startswith(("http://", "https://")):
            sources.append({"name": name.strip() or last, "url": last})
        else:
            sources.append({"name": line})
    if sources:
        data["sources"] = sources
    return data, typed


def _form_from_content(content: dict[str, Any]) -> dict[str, str]:
    """An item's stored content as the form's values (for editing it)."""
    typed: dict[str, str] = {}
    for key in ("title", "body", "advice"):
        text = content.get(key) or {}
        typed[f"{key}_zh"] = text.get("zh", "")
        typed[f"{key}_en"] = text.get("en", "")
    for key in ("category", "severity", "urgency", "certainty", "confidentiality"):
        typed[key] = content.get(key) or ""
    for key in _LIST_FIELDS:
        typed[key] = ", ".join(content.get(key) or [])
    for key in _TIME_FIELDS:
        typed[key] = _local_input(content.get(key))
    typed["sources"] = "\n".join(
        f"{s.get('name') or ''} {s.get('url') or ''}".strip() for s in content.get("sources") or []
    )
    notice = content.get("notice") or {}
    for key in (
        "symbol",
        "notifying_member",
        "notice_type",
        "products",
        "objective",
        "comment_deadline",
        "proposed_adoption",
        "entry_into_force",
        "text_url",
    ):
        typed[key] = str(notice.get(key) or "")
    return typed


# --- the desk ------------------------------------------------------------------------------


def _columns(session: Session, staff: Principal, lang: str) -> list[dict[str, Any]]:
    reader = reader_for(session, staff)
    out = []
    for key, label, statuses in _COLUMNS:
        rows: list[dict[str, Any]] = []
        total = 0
        for status in statuses:
            items, count = service.list_items(
                session, reader, status=status.value, limit=PER_STATUS
            )
            rows.extend(summary(i, lang) for i in items)
            total += count
        out.append({"key": key, "label": label.in_(lang), "rows": rows, "total": total})
    return out


def _choices(lang: str) -> dict[str, Any]:
    return {
        "kinds": [(k.value, ITEM_KIND_NAMES[k].in_(lang)) for k in ItemKind],
        "categories": [(c.value, c.label.in_(lang)) for c in Category],
        "severities": [(s.value, s.label.in_(lang)) for s in Severity],
        "urgencies": [(u, URGENCY_NAMES[u].in_(lang)) for u in URGENCIES],
        "certainties": [(c, CERTAINTY_NAMES[c].in_(lang)) for c in CERTAINTIES],
        "notice_types": NOTICE_TYPES,
        "confidentialities": [
            (c.value, CONFIDENTIALITY_NAMES[c].in_(lang)) for c in Confidentiality
        ],
    }


def _render(
    request: Request,
    db: Database,
    lang: str,
    staff: Principal,
    *,
    status: int = 200,
    edit: str | None = None,
    kind: str | None = None,
    form: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    editing = None
    with db.reading() as session:
        columns = _columns(session, staff, lang)
        if edit:
            try:
                view = service.get_item(session, edit, reader_for(session, staff), latest=True)
            except NotFound as exc:
                extra.setdefault("error", exc.in_(lang))
            else:
                editing = {
                    **summary(view.item, lang),
                    "version": view.version.number,
                    "attachments": attachment_rows(edit, view.version.content, lang),
                    # A published version takes no more files: saving the form first makes
                    # the new version they belong to.
                    "takes_files": view.version.published_at is None,
                }
                kind = view.item.kind
                if form is None:
                    form = _form_from_content(view.version.content)
    context: dict[str, Any] = {
        "tabs": tabs(request),
        "columns": columns,
        "editing": editing,
        "kind": kind if kind in {k.value for k in ItemKind} else ItemKind.ALERT.value,
        "form": form or {},
        "errors": {},
        "is_editor": staff.has(Role.EDITOR),
        "is_approver": staff.has(Role.APPROVER),
        **_choices(lang),
        **extra,
    }
    return templates_of(request).render(request, "alerts/desk.html", context, status=status)


@router.get("/{lang}/alerts/desk")
def desk_page(
    request: Request, lang: Lang, staff: Staff, db: Db, edit: str = "", kind: str = ""
) -> Response:
    return _render(request, db, lang, staff, edit=edit or None, kind=kind or None)


def _refused(
    request: Request, db: Database, lang: str, staff: Principal, exc: SilkhubError, **kw: Any
) -> Response:
    return _render(
        request,
        db,
        lang,
        staff,
        status=exc.status,
        error=exc.in_(lang),
        errors=field_errors(exc.problems, lang),
        **kw,
    )


@router.post("/{lang}/alerts/desk/items", dependencies=[Csrf])
def create_item(request: Request, lang: Lang, staff: Staff, db: Db, form: Posted) -> Response:
    data, typed = _content_from_form(form)
    kind = text_of(form, "kind") or ItemKind.ALERT.value
    try:
        with db.transaction(staff.actor) as session:
            uid = service.create_item(session, staff, kind, data).uid
    except SilkhubError as exc:
        return _refused(request, db, lang, staff, exc, kind=kind, form=typed)
    done = Message(f"已保存草稿 {uid}。", f"Draft {uid} saved.")
    return _render(request, db, lang, staff, done=done.in_(lang), edit=uid)


@router.post("/{lang}/alerts/desk/items/{uid}", dependencies=[Csrf])
def edit_item(
    request: Request, lang: Lang, staff: Staff, db: Db, uid: str, form: Posted
) -> Response:
    data, typed = _content_from_form(form)
    note = text_of(form, "note") or None
    try:
        with db.transaction(staff.actor) as session:
            item = service.edit_item(session, staff, uid, data, note=note)
            number = item.version
    except SilkhubError as exc:
        return _refused(request, db, lang, staff, exc, edit=uid, form=typed)
    done = Message(f"已保存 {uid} 第 {number} 版。", f"{uid} version {number} saved.")
    return _render(request, db, lang, staff, done=done.in_(lang), edit=uid)


_DONE = {
    "submit": Message("{uid} 已提交审核。", "{uid} is submitted for approval."),
    "approve": Message("{uid} 已审核通过。", "{uid} is approved."),
    "reject": Message("{uid} 已退回作者。", "{uid} is sent back to its author."),
    "publish": Message(
        "{uid} 已发布，推送已排队。", "{uid} is published; its deliveries are queued."
    ),
    "schedule": Message("{uid} 将于 {at} 发布。", "{uid} will be published at {at}."),
    "cancel": Message("{uid} 已撤销。", "{uid} is cancelled."),
}


def _publish_at(text: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        return datetime.fromisoformat(_beijing(text))
    except ValueError:
        raise InvalidInput.single(
            "bad_time",
            Message("发布时间格式不正确。", "The publication time is not a valid time."),
            location=Location(field="at"),
            value=text,
        ) from None


# Declared before the workflow's buttons, whose ``{action}`` would otherwise take the path.
@router.post("/{lang}/alerts/desk/items/{uid}/attachments", dependencies=[Csrf])
def add_attachment(
    request: Request,
    lang: Lang,
    staff: Editor,
    db: Db,
    settings: Config,
    uid: str,
    file: UploadFile | None = None,
) -> Response:
    """Attach a file to the working version (the API's ``POST .../attachments``, from the
    desk): checked by kind, size and first bytes, listed by that version only."""
    if file is None or not file.filename:
        missing = Message("请选择要附加的文件。", "Choose a file to attach.")
        return _render(
            request, db, lang, staff, status=422, edit=uid, attachment_error=missing.in_(lang)
        )
    data = file.file.read()
    try:
        with db.transaction(staff.actor) as session:
            row = attachments.add(session, staff, uid, file.filename, data, settings.data_dir)
            name = row.filename
    except SilkhubError as exc:
        return _render(
            request, db, lang, staff, status=exc.status, edit=uid, attachment_error=exc.in_(lang)
        )
    done = Message(f"已附加 {name}。", f"{name} attached.")
    return _render(request, db, lang, staff, done=done.in_(lang), edit=uid)


@router.post("/{lang}/alerts/desk/items/{uid}/{action}", dependencies=[Csrf])
def transition(
    request: Request, lang: Lang, staff: Staff, db: Db, uid: str, action: str, form: Posted
) -> Response:
    """The workflow's buttons: submit, approve, reject, publish (now or at a time), cancel."""
    if action not in ("submit", "approve", "reject", "publish", "cancel"):
        raise NotFound(Message("没有这个操作。", "No such action."))
    reason = text_of(form, "reason")
    done_key = action
    when: datetime | None = None
    try:
        with db.transaction(staff.actor) as session:
            if action == "submit":
                service.submit(session, staff, uid)
            elif action == "approve":
                service.approve(session, staff, uid)
            elif action == "reject":
                if not reason:
                    raise InvalidInput.single(
                        "missing_reason",
                        Message("退回须说明理由。", "Say why it is sent back."),
                        location=Location(field="reason"),
                    )
                service.reject(session, staff, uid, reason)
            elif action == "publish":
                at = _publish_at(text_of(form, "at"))
                item = service.publish(session, staff, uid, at=at)
                if item.status == ItemStatus.SCHEDULED.value:
                    done_key, when = "schedule", item.publish_at
            else:
                service.cancel(session, staff, uid, reason)
    except SilkhubError as exc:
        return _refused(request, db, lang, staff, exc, action_uid=uid)
    text = _DONE[done_key].in_(lang).format(uid=uid, at=local_time(when, lang))
    return _render(request, db, lang, staff, done=text)


@router.post("/{lang}/alerts/desk/import", dependencies=[Csrf])
def import_notices(
    request: Request, lang: Lang, staff: Editor, db: Db, file: UploadFile | None = None
) -> Response:
    # Importing writes drafts, an editor's work: the route says so before the file is read.
    if file is None or not file.filename:
        missing = Message(
            "请选择要导入的 CSV 或 JSON 文件。", "Choose a CSV or JSON file to import."
        )
        return _render(request, db, lang, staff, status=422, import_error=missing.in_(lang))
    name = PurePath(file.filename).name
    data = file.file.read()
    try:
        with db.transaction(staff.actor) as session:
            created = [i.uid for i in notices_import.import_notices(session, staff, data, name)]
    except SilkhubError as exc:
        return _render(
            request,
            db,
            lang,
            staff,
            status=exc.status,
            import_error=exc.in_(lang),
            import_problems=problem_rows(exc.problems, lang),
        )
    done = Message(
        f"已从 {name} 导入 {len(created)} 条通报草稿。",
        f"{len(created)} notification draft(s) imported from {name}.",
    )
    return _render(request, db, lang, staff, done=done.in_(lang), imported=created)


# --- the delivery log and coverage of an item or a bulletin --------------------------------

_STATES = {
    "queued": Message("排队中", "Queued"),
    "sent": Message("已送达", "Sent"),
    "retrying": Message("失败，重试中", "Failed, retrying"),
    "dead": Message("失败，已停止", "Failed, stopped"),
    "opened": Message("已打开", "Opened"),
    "read": Message("已读", "Read"),
}
_CHANNEL_NAMES = {
    "email": Message("电子邮件", "E-mail"),
    "webhook": Message("Webhook", "Webhook"),
    "inbox": Message("收件箱", "Inbox"),
}


def _kind_name(kind: str, lang: str) -> str:
    try:
        return ORG_KIND_NAMES[OrgKind(kind)].in_(lang)
    except ValueError:
        return kind


def _log(
    session: Session,
    lang: str,
    *,
    item_id: int | None = None,
    bulletin_id: int | None = None,
    state: str | None = None,
) -> dict[str, Any]:
    states = deliveries.delivery_log(session, item_id=item_id, bulletin_id=bulletin_id)
    counts = Counter((s.delivery.channel, s.state) for s in states)
    shown = [s for s in states if state is None or s.state == state][:LOG_ROWS]
    users = {s.delivery.user_id for s in shown}
    people = {
        uid: (name, email, org_zh, org_en)
        for uid, name, email, org_zh, org_en in session.execute(
            select(
                User.id, User.display_name, User.email, Organisation.name_zh, Organisation.name_en
            )
            .join(Organisation, Organisation.id == User.organisation_id, isouter=True)
            .where(User.id.in_(users))
        ).all()
    }
    rows = []
    for s in shown:
        name, email, org_zh, org_en = people.get(s.delivery.user_id, ("?", "", None, None))
        rows.append(
            {
                "recipient": name,
                "email": email,
                "organisation": (org_en if lang == "en" else org_zh) or "",
                "channel": _CHANNEL_NAMES.get(s.delivery.channel, Message("?", "?")).in_(lang),
                "state": s.state,
                "state_label": _STATES.get(s.state, Message(s.state, s.state)).in_(lang),
                "attempts": s.attempts,
                "error": s.error or "",
                "queued": local_time(s.delivery.queued_at, lang),
                "sent": local_time(s.delivery.sent_at, lang),
                "read": local_time(s.delivery.read_at, lang),
            }
        )
    channels = sorted({c for c, _ in counts})
    return {
        "rows": rows,
        "total": len(states),
        "shown": len(rows),
        "summary": [
            {
                "channel": _CHANNEL_NAMES.get(c, Message(c, c)).in_(lang),
                "counts": [counts.get((c, st), 0) for st in _STATES],
            }
            for c in channels
        ],
        "states": [(st, label.in_(lang)) for st, label in _STATES.items()],
        "dead": sum(n for (_, st), n in counts.items() if st == "dead"),
        "state": state or "",
    }


def _coverage_context(result: coverage.Coverage, lang: str) -> dict[str, Any]:
    return {
        "kinds": [
            {
                "kind": _kind_name(k.kind, lang),
                "targeted": k.targeted,
                "reached": k.reached,
                "read": k.read,
            }
            for k in result.kinds.values()
        ],
        "targeted": result.targeted,
        "reached": result.reached,
        "not_reached": [
            {
                "name": n.name_en if lang == "en" else n.name_zh,
                "kind": _kind_name(n.kind, lang),
                "reason": coverage.REASONS[n.reason].in_(lang),
                "detail": n.detail or "",
            }
            for n in result.not_reached
        ],
    }


def _state_filter(state: str) -> str | None:
    return state if state in _STATES else None


def _log_page(
    request: Request,
    lang: str,
    staff: Principal,
    db: Database,
    *,
    uid: str | None = None,
    series: str = "",
    number: int = 0,
    state: str = "",
    done: str | None = None,
) -> Response:
    """The delivery log and coverage of an item (``uid``) or of a bulletin."""
    with db.reading() as session:
        reader = reader_for(session, staff)
        context: dict[str, Any] = {"tabs": tabs(request), "done": done}
        if uid is not None:
            item = service.get_item(session, uid, reader).item
            base = f"/{lang}/alerts/desk/{uid}"
            context.update(
                subject={**summary(item, lang), "href": f"/{lang}/alerts/{uid}"},
                log=_log(session, lang, item_id=item.id, state=_state_filter(state)),
                csv=f"/api/alerts/items/{uid}/coverage?format=csv&lang={lang}",
                target_lists=item.target_lists.split(),
            )
            subject_coverage: Callable[[], coverage.Coverage] = partial(
                coverage.of_item, session, item
            )
        else:
            b = bulletins.get_bulletin(session, series, number, reader)
            base = f"/{lang}/alerts/desk/bulletins/{series}/{number}"
            context.update(
                subject={
                    "uid": f"{series} {number}",
                    "title": b.title_en if lang == "en" else b.title_zh,
                    "published": local_time(b.published_at, lang),
                    "href": f"/{lang}/alerts/bulletins/{series}/{number}",
                    "demo": b.series.demo,
                },
                log=_log(session, lang, bulletin_id=b.id, state=_state_filter(state)),
                csv=f"/api/alerts/bulletins/{series}/{number}/coverage?format=csv&lang={lang}",
                target_lists=b.series.target_lists.split(),
            )
            subject_coverage = partial(coverage.of_bulletin, session, b)
        context.update(here=base, resend=f"{base}/resend")
        try:
            context["coverage"] = _coverage_context(subject_coverage(), lang)
        except NotFound as exc:  # a target list is named that does not exist (any more)
            context["coverage_error"] = exc.in_(lang)
    return templates_of(request).render(request, "alerts/desk_item.html", context)


def _resent(count: int, lang: str) -> str:
    return Message(
        f"已重新排队 {count} 条失败的推送（仅限失败的接收人）。",
        f"{count} failed deliveries queued again (the failed recipients only).",
    ).in_(lang)


@router.get("/{lang}/alerts/desk/{uid}")
def item_log_page(
    request: Request, lang: Lang, staff: Staff, db: Db, uid: str, state: str = ""
) -> Response:
    return _log_page(request, lang, staff, db, uid=uid, state=state)


@router.post("/{lang}/alerts/desk/{uid}/resend", dependencies=[Csrf])
def item_resend(request: Request, lang: Lang, staff: Staff, db: Db, uid: str) -> Response:
    with db.transaction(staff.actor) as session:
        item = service.get_item(session, uid, reader_for(session, staff)).item
        count = deliveries.resend_failed(session, item_id=item.id)
    return _log_page(request, lang, staff, db, uid=uid, done=_resent(count, lang))


@router.get("/{lang}/alerts/desk/bulletins/{series}/{number}")
def bulletin_log_page(
    request: Request,
    lang: Lang,
    staff: Staff,
    db: Db,
    series: str,
    number: int,
    state: str = "",
) -> Response:
    return _log_page(request, lang, staff, db, series=series, number=number, state=state)


@router.post("/{lang}/alerts/desk/bulletins/{series}/{number}/resend", dependencies=[Csrf])
def bulletin_resend(
    request: Request, lang: Lang, staff: Staff, db: Db, series: str, number: int
) -> Response:
    with db.transaction(staff.actor) as session:
        b = bulletins.get_bulletin(session, series, number, reader_for(session, staff))
        count = deliveries.resend_failed(session, bulletin_id=b.id)
    return _log_page(
        request, lang, staff, db, series=series, number=number, done=_resent(count, lang)
    )


# --- coverage over a period ----------------------------------------------------------------


def _period(start: str, end: str, lang: str) -> tuple[date, date, dict[str, list[str]]]:
    """The days asked for (``to`` included), by default the year 2020."""
    errors: dict[str, list[str]] = {}
    first, last = date(DEFAULT_YEAR, 1, 1), date(DEFAULT_YEAR, 12, 31)
    bad = Message("日期应为 YYYY-MM-DD。", "A date is YYYY-MM-DD.").in_(lang)
    for name, text in (("from", start), ("to", end)):
        if not text.strip():
            continue
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            errors[name] = [bad]
            continue
        if name == "from":
            first = day
        else:
            last = day
    if last < first:
        errors["to"] = [
            Message("结束日期不能早于开始日期。", "The end is before the start.").in_(lang)
        ]
        last = first
    return first, last, errors


def _sentence(totals: coverage.PeriodTotals, lang: str) -> str:
    """The source document's sentence; for a period whose bulletins had no one to reach (or
    no bulletins), the counts alone: ``sentence`` needs at least one kind of organisation."""
    if totals.kinds:
        return totals.sentence(lang)
    return Message(
        f"编发{totals.bulletins}期，推送信息{totals.items}条。",
        f"{totals.bulletins} issues, {totals.items} items pushed.",
    ).in_(lang)


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) in Beijing time, as the bulletins count days."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=HUB_ZONE)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=HUB_ZONE)
    return start, end


@router.get("/{lang}/alerts/coverage")
def coverage_page(
    request: Request,
    lang: Lang,
    staff: Staff,
    db: Db,
    from_: Annotated[str, Query(alias="from")] = "",
    to: str = "",
) -> Response:
    first, last, errors = _period(from_, to, lang)
    start, end = _bounds(first, last)
    with db.reading() as session:
        totals = coverage.period_totals(session, start, end)
        issued = session.scalars(
            select(Bulletin)
            .where(
                Bulletin.published_at >= start,
                Bulletin.published_at < end,
                Bulletin.status == ItemStatus.PUBLISHED.value,
            )
            .order_by(Bulletin.published_at, Bulletin.number)
        ).all()
        counts = entry_counts(session, (b.id for b in issued))
        rows = [
            {
                "title": b.title_en if lang == "en" else b.title_zh,
                "series": b.series.code,
                "number": b.number,
                "published": local_time(b.published_at, lang),
                "count": counts.get(b.id, 0),
                "href": f"/{lang}/alerts/bulletins/{b.series.code}/{b.number}",
                "coverage": f"/{lang}/alerts/desk/bulletins/{b.series.code}/{b.number}",
            }
            for b in issued
        ]
    context = {
        "tabs": tabs(request),
        "first": first.isoformat(),
        "last": last.isoformat(),
        "errors": errors,
        "totals": totals,
        "sentence": _sentence(totals, lang),
        "kinds": [
            {
                "kind": _kind_name(k.kind, lang),
                "targeted": k.targeted,
                "reached": k.reached,
                "read": k.read,
            }
            for k in totals.kinds.values()
        ],
        "bulletins": rows,
        "csv": f"/{lang}/alerts/coverage.csv?from={first.isoformat()}&to={last.isoformat()}",
    }
    return templates_of(request).render(request, "alerts/coverage.html", context)


@router.get("/{lang}/alerts/coverage.csv")
def coverage_csv(
    lang: Lang,
    staff: Staff,
    db: Db,
    from_: Annotated[str, Query(alias="from")] = "",
    to: str = "",
) -> Response:
    first, last, errors = _period(from_, to, lang)
    if errors:
        raise InvalidInput(
            Message("期间不正确：日期应为 YYYY-MM-DD。", "The period is not valid: YYYY-MM-DD."),
            code="bad_period",
        )
    start, end = _bounds(first, last)
    with db.reading() as session:
        totals = coverage.period_totals(session, start, end)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["from", "to", "bulletins", "items", "deliveries"])
    writer.writerow(
        [first.isoformat(), last.isoformat(), totals.bulletins, totals.items, totals.deliveries]
    )
    writer.writerow([])
    writer.writerow(["kind", "kind_name", "targeted", "reached", "read"])
    for k in totals.kinds.values():
        writer.writerow([k.kind, _kind_name(k.kind, lang), k.targeted, k.reached, k.read])
    writer.writerow([])
    writer.writerow(["sentence"])
    writer.writerow([_sentence(totals, lang)])
    name = f"coverage-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
