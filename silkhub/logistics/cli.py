"""``silkhub logistics`` (event files, equipment, transports) and ``silkhub track`` (where is
my container) at the command line."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from silkhub.cli.context import cli_actor, console, problems_table, state
from silkhub.logistics import service, tracking

app = typer.Typer(help="Four-port logistics: events, equipment, transports.", no_args_is_help=True)
track_app = typer.Typer(
    help="Where is my container: its journey, status, next milestone and delay.",
    invoke_without_command=True,
)
COMMANDS = {"logistics": app, "track": track_app}


def _zh() -> bool:
    return state.language == "zh"


def _t(zh: str, en: str) -> str:
    return zh if _zh() else en


def _when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def _delay(value: timedelta | None) -> str:
    if value is None:
        return ""
    hours = round(value.total_seconds() / 3600, 1)
    if hours == 0:
        return _t("准点", "on time")
    sign = "+" if hours > 0 else ""
    return f"{sign}{hours} h"


@app.command("import")
def import_events(
    file: Annotated[
        Path, typer.Argument(help="An NDJSON (.ndjson, .jsonl) or CSV file of events.")
    ],
    sender: Annotated[
        str,
        typer.Option(help="Who sent the events that name no originating party."),
    ] = "silkhub/cli",
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="ndjson or csv (default: from the file's extension).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Import a file of DCSA events as one batch: with any error nothing is written, and every
    problem is listed with its line and field."""
    actor = cli_actor()
    with console.status(_t("正在导入…", "Importing…")), state.database().transaction(actor) as s:
        result = service.import_file(
            s, file, sender=f"cli/{sender}", received_by=actor.label, fmt=fmt
        )
    console.print(
        _t(
            f"收到 {result.received} 个事件：新存 {result.stored} 个"
            f"（撤回 {result.retracted} 个），{result.unchanged} 个已存在未变。",
            f"Received {result.received} event(s): {result.stored} stored "
            f"({result.retracted} retraction(s)), {result.unchanged} already held unchanged.",
        )
    )
    if result.warnings:
        console.print(problems_table(result.warnings, state.language))


@app.command("equipment")
def equipment(
    limit: Annotated[int, typer.Option(help="How many references.")] = 20,
) -> None:
    """Known equipment references (containers) with their number of events."""
    with state.database().reading() as session:
        seen = service.list_equipment(session, limit=limit)
    table = Table()
    for title in (
        _t("箱号", "container"),
        _t("箱型", "size-type"),
        _t("事件", "events"),
        _t("最近事件（UTC）", "last event (UTC)"),
    ):
        table.add_column(title)
    for e in seen:
        table.add_row(e.reference, e.size_type or "", str(e.events), _when(e.last_event_at))
    console.print(table)


@app.command("transports")
def transports(
    mode: Annotated[
        str | None, typer.Option(help="VESSEL, RAIL, TRUCK, AIR...", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option(help="How many.")] = 50,
) -> None:
    """Voyages, train runs, flights and truck trips, with their routes."""
    with state.database().reading() as session:
        found = service.list_transports(session, mode=mode, limit=limit)
        rows = [(t.mode, t.reference, t.name, t.service or "",
                 " → ".join(s.un_locode for s in t.stops)) for t in found]  # fmt: skip
    table = Table()
    for title in (_t("方式", "mode"), _t("编号", "reference"), _t("名称", "name"),
                  _t("线路", "service"), _t("经停", "route")):  # fmt: skip
        table.add_column(title)
    for row in rows:
        table.add_row(*row)
    console.print(table)


@app.command("transport")
def transport(
    mode: Annotated[str, typer.Argument(help="VESSEL, RAIL, TRUCK or AIR.")],
    reference: Annotated[str, typer.Argument(help="Voyage number, train run, flight...")],
) -> None:
    """One voyage or train run: its stops with planned, estimated and actual times, its
    containers and TEU."""
    with state.database().reading() as session:
        view = tracking.transport_view(session, service.get_transport(session, mode, reference))
        title = f"{view.transport.mode} {view.transport.reference} {view.transport.name}"
    table = Table(title=title)
    for name in (_t("经停", "stop"), _t("类型", "kind"), _t("计划", "planned"),
                 _t("预计", "estimated"), _t("实际", "actual"), _t("延误", "delay")):  # fmt: skip
        table.add_column(name)
    for s in view.stops:
        place = s.place.name.in_(state.language) if s.place else s.un_locode
        table.add_row(
            f"{place} ({s.un_locode})",
            tracking.STOP_KIND_NAMES[s.kind].in_(state.language),
            _when(s.planned_departure or s.planned_arrival),
            _when(s.estimated_departure or s.estimated_arrival),
            _when(s.actual_departure or s.actual_arrival),
            _delay(s.delay),
        )
    console.print(table)
    done, total = view.progress
    console.print(
        _t(
            f"{len(view.containers)} 个集装箱，{view.teu:g} 标准箱；已到 {done}/{total} 站。",
            f"{len(view.containers)} container(s), {view.teu:g} TEU; {done} of {total} stops "
            "reached.",
        )
    )


@track_app.callback()
def track(
    reference: Annotated[str, typer.Argument(help="A container number (or a booking, with --by).")],
    by: Annotated[
        str, typer.Option(help="equipment, booking or document (transport document).")
    ] = "equipment",
) -> None:
    """Where is my container: current status and place, the journey across modes, the next
    milestone and the delay against plan."""
    lang = state.language
    with state.database().reading() as session:
        journey = tracking.track(session, by, reference)
    if journey.current is not None:
        place = journey.place.name.in_(lang) if journey.place else journey.current.un_locode
        console.print(
            _t(
                f"[bold]{journey.reference}[/]：{journey.current.name.in_(lang)}，{place}，"
                f"{_when(journey.current.actual)} UTC",
                f"[bold]{journey.reference}[/]: {journey.current.name.in_(lang)} at {place}, "
                f"{_when(journey.current.actual)} UTC",
            )
        )
    else:
        console.print(
            _t(f"{journey.reference}：尚无实际事件。", f"{journey.reference}: no actual event yet.")
        )
    if journey.next is not None:
        nxt = journey.next
        place = nxt.place.name.in_(lang) if nxt.place else (nxt.un_locode or "")
        console.print(
            _t(
                f"下一步：{nxt.name.in_(lang)}，{place}，{_when(nxt.expected)} UTC",
                f"Next: {nxt.name.in_(lang)} at {place}, {_when(nxt.expected)} UTC",
            )
        )
    if journey.delay is not None:
        console.print(
            _t(f"相对计划：{_delay(journey.delay)}", f"Against plan: {_delay(journey.delay)}")
        )
    table = Table()
    for title in (_t("时间（UTC）", "time (UTC)"), _t("事件", "event"), _t("地点", "place"),
                  _t("方式", "mode"), _t("运输", "transport"), _t("状态", "status"),
                  _t("延误", "delay")):  # fmt: skip
        table.add_column(title)
    for m in journey.milestones:
        place = m.place.name.in_(lang) if m.place else (m.un_locode or "")
        status = (
            _t("已跳过", "skipped") if m.skipped
            else _t("实际", "actual") if m.actual
            else _t("预计", "estimated") if m.estimated
            else _t("计划", "planned")
        )  # fmt: skip
        mode = tracking.MODE_NAMES[m.mode].in_(lang) if m.mode in tracking.MODE_NAMES else ""
        table.add_row(_when(m.expected), m.name.in_(lang), place, mode, m.transport_ref or "",
                      status, _delay(m.delay))  # fmt: skip
    console.print(table)
