"""``silkhub alerts``: the alerts service at the command line — lists, the editorial steps
(acting as a named person, so that the four-eyes rule and the audit log hold), TBT imports,
delivery logs, resending to the failed, and coverage."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from silkhub.accounts import service as accounts
from silkhub.accounts.service import Principal
from silkhub.alerts import coverage, deliveries, notices_import, service
from silkhub.alerts.models import Confidentiality
from silkhub.alerts.readers import Reader
from silkhub.cli.context import console, state
from silkhub.core.errors import InvalidInput, Message

app = typer.Typer(
    help="Risk alerts, TBT notices, bulletins and their delivery.", no_args_is_help=True
)
COMMANDS = {"alerts": app}

STAFF = Reader(Confidentiality.GOVERNMENT, staff=True)
AsOption = Annotated[
    str, typer.Option("--as", help="E-mail of the person acting (their roles apply).")
]


def _zh() -> bool:
    return state.language == "zh"


def _person(session: Session, email: str) -> Principal:
    return accounts.principal_for(accounts.user_by_email(session, email))


def _moment(text: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            Message(
                f"{field} 应为日期，如 2020-01-01。", f"{field} must be a date such as 2020-01-01."
            ),
            code="bad_date",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command("list")
def list_items(
    kind: Annotated[str | None, typer.Option(help="alert, tbt, sps, brief or news.")] = None,
    status: Annotated[
        str | None,
        typer.Option(help="draft, submitted, approved, scheduled, published, cancelled."),
    ] = None,
    country: Annotated[str | None, typer.Option(help="ISO alpha-2 code.")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
) -> None:
    """Items, newest first (every confidentiality: the command line is staff)."""
    with state.database().reading() as session:
        items, total = service.list_items(
            session, STAFF, kind=kind, status=status, country=country, limit=limit
        )
        table = Table(caption=(f"共 {total} 条" if _zh() else f"{total} in all"))
        for title in (
            ("编号", "类型", "状态", "密级", "级别", "国家", "标题")
            if _zh()
            else ("uid", "kind", "status", "confidentiality", "severity", "countries", "title")
        ):
            table.add_column(title)
        for i in items:
            table.add_row(
                i.uid,
                i.kind,
                i.status,
                i.confidentiality,
                i.severity or "",
                i.countries,
                i.title_zh if _zh() else i.title_en,
            )
    console.print(table)


@app.command("import")
def import_notices(
    file: Annotated[Path, typer.Argument(help="A CSV or JSON export of TBT/SPS notifications.")],
    as_: AsOption,
) -> None:
    """Import TBT/SPS notifications as drafts (all or nothing; every problem listed with its row
    and field)."""
    data = file.read_bytes()
    with state.database().transaction() as session:
        person = _person(session, as_)
        session.info["actor"] = person.actor
        created = notices_import.import_notices(session, person, data, file.name)
        uids = [i.uid for i in created]
    console.print(
        (f"已导入 {len(uids)} 条草稿：" if _zh() else f"Imported {len(uids)} drafts: ")
        + ", ".join(uids)
    )


def _step(uid: str, email: str, action: str, reason: str | None = None) -> None:
    with state.database().transaction() as session:
        person = _person(session, email)
        session.info["actor"] = person.actor
        if action == "submit":
            item = service.submit(session, person, uid)
        elif action == "approve":
            item = service.approve(session, person, uid)
        elif action == "publish":
            item = service.publish(session, person, uid)
        else:
            item = service.cancel(session, person, uid, reason or "")
        status = item.status
    console.print(f"{uid}: {status}")


@app.command("submit")
def submit(uid: str, as_: AsOption) -> None:
    """Submit a draft for approval."""
    _step(uid, as_, "submit")


@app.command("approve")
def approve(uid: str, as_: AsOption) -> None:
    """Approve a submitted item (an approver who did not write it)."""
    _step(uid, as_, "approve")


@app.command("publish")
def publish(uid: str, as_: AsOption) -> None:
    """Publish an approved item now; its deliveries are queued for the worker."""
    _step(uid, as_, "publish")


@app.command("cancel")
def cancel(
    uid: str, as_: AsOption, reason: Annotated[str, typer.Option(help="Why (shown to readers).")]
) -> None:
    """Cancel a published item (a CAP Cancel, delivered like an update)."""
    _step(uid, as_, "cancel", reason)


@app.command("deliveries")
def delivery_log(
    uid: str,
    state_: Annotated[
        str | None, typer.Option("--state", help="queued, sent, retrying, dead, opened, read.")
    ] = None,
) -> None:
    """The delivery log of an item: one line per recipient and channel."""
    with state.database().reading() as session:
        item = service.get_item(session, uid, STAFF).item
        rows = deliveries.delivery_log(session, item_id=item.id, state=state_)
        table = Table()
        for title in (
            ("收件人", "渠道", "状态", "尝试", "原因")
            if _zh()
            else ("user", "channel", "state", "attempts", "error")
        ):
            table.add_column(title)
        for s in rows:
            table.add_row(
                str(s.delivery.user_id), s.delivery.channel, s.state, str(s.attempts), s.error or ""
            )
    console.print(table)


@app.command("resend")
def resend(uid: str) -> None:
    """Send again to the recipients whose delivery failed for good, and only to them."""
    with state.database().transaction() as session:
        item = service.get_item(session, uid, STAFF).item
        count = deliveries.resend_failed(session, item_id=item.id)
    console.print(f"已重新排队 {count} 条。" if _zh() else f"Requeued {count}.")


@app.command("coverage")
def period_coverage(
    start: Annotated[str, typer.Option("--from", help="First day (inclusive).")] = "2020-01-01",
    end: Annotated[str, typer.Option("--to", help="Last day (exclusive).")] = "2021-01-01",
    csv: Annotated[bool, typer.Option("--csv", help="CSV on standard output.")] = False,
) -> None:
    """Bulletins, items pushed and organisations reached over a period, counted from the
    delivery log."""
    with state.database().reading() as session:
        totals = coverage.period_totals(session, _moment(start, "--from"), _moment(end, "--to"))
    if csv:
        sys.stdout.write("kind,targeted,reached,read\n")
        for k in totals.kinds.values():
            sys.stdout.write(f"{k.kind},{k.targeted},{k.reached},{k.read}\n")
        return
    console.print(totals.sentence(state.language))
    table = Table()
    for title in (
        ("类型", "目标", "已送达", "已读") if _zh() else ("kind", "targeted", "reached", "read")
    ):
        table.add_column(title)
    for k in totals.kinds.values():
        table.add_row(k.kind, str(k.targeted), str(k.reached), str(k.read))
    console.print(table)
