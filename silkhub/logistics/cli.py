"""``silkhub logistics`` (event files, equipment, transports) and ``silkhub track`` (where is
my container) at the command line."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from silkhub.cli.context import cli_actor, console, problems_table, state
from silkhub.core.periods import Month, parse_period
from silkhub.logistics import service, throughput, tracking

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


def _month(value: str | None, option: str) -> Month | None:
    if value is None:
        return None
    period = parse_period(value)
    if not isinstance(period, Month):
        message = _t("应为月份，如 2020-06。", "a month, such as 2020-06.")
        raise typer.BadParameter(message, param_hint=option)
    return period


@app.command("throughput")
def throughput_command(
    first: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="First month (2019-01); default: the first with a train run.",
            show_default=False,
        ),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Last month (2020-06); default: the last with a train run.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Compute and show; write nothing to the statistics.")
    ] = False,
) -> None:
    """Throughput from the tracked events (train runs and TEU by month, line and direction;
    vessel calls and containers at the hub's ports; cargo flights), and the rail figures
    written into the statistics as a vintage computed from the events (again on the same
    events: nothing new is written)."""
    lang = state.language
    counted_first, counted_last = _month(first, "--from"), _month(last, "--to")
    db = state.database()
    with db.reading() as session:
        result = throughput.compute(session, counted_first, counted_last)
    table = Table(title=_t("班列（由事件计算）", "Train runs (computed from events)"))
    for title in (_t("月份", "month"), _t("线路", "line"), _t("方向", "direction"),
                  _t("开行列数", "trains"), _t("标箱", "TEU")):  # fmt: skip
        table.add_column(title)
    by_line: dict[tuple[str, str, str], list[float]] = {}
    for run in result.runs:
        sums = by_line.setdefault((run.month.code, run.line, run.direction), [0, 0.0])
        sums[0] += 1
        sums[1] += run.teu
    for (month, line, direction), (trains, teu) in sorted(by_line.items()):
        shown = _t("去程", "outbound") if direction == "outbound" else _t("回程", "inbound")
        table.add_row(month, line, shown, str(int(trains)), f"{teu:g}")
    console.print(table)
    if result.ports:
        ports = Table(title=_t("港口（由事件计算）", "Ports (computed from events)"))
        for title in (_t("月份", "month"), _t("港口", "port"), _t("船舶靠泊", "vessel calls"),
                      _t("装船（箱/标箱）", "loaded (boxes/TEU)"),
                      _t("卸船（箱/标箱）", "discharged (boxes/TEU)")):  # fmt: skip
            ports.add_column(title)
        for (port_month, port), f in sorted(result.ports.items()):
            ports.add_row(port_month.code, port, str(int(f[0])), f"{int(f[1])}/{f[2]:g}",
                          f"{int(f[3])}/{f[4]:g}")  # fmt: skip
        console.print(ports)
    if result.flights:
        air = Table(title=_t("航空货运航班（由事件计算）", "Cargo flights (computed from events)"))
        for title in (_t("月份", "month"), _t("机场", "airport"), _t("出港", "departures"),
                      _t("进港", "arrivals")):  # fmt: skip
            air.add_column(title)
        for (air_month, airport), (out, into) in sorted(result.flights.items()):
            air.add_row(air_month.code, airport, str(out), str(into))
        console.print(air)
    if result.unassigned:
        console.print(
            _t(
                f"{len(result.unassigned)} 列班列没有线路"
                "（运输未登记线路，事件也未写明），未计入。",
                f"{len(result.unassigned)} train run(s) have no line (no service registered or "
                "in their events) and are not counted.",
            )
        )
    if not result.runs:
        console.print(
            _t(
                "这些月份没有跟踪到班列，统计未改动。",
                "No tracked train run in these months; the statistics are unchanged.",
            )
        )
        return
    if dry_run:
        return
    settings = state.settings
    published = throughput.publish(
        db,
        state.analytical(),
        result,
        data_dir=settings.data_dir,
        actor=cli_actor(),
        max_bytes=settings.import_max_bytes,
    )
    outcome = published.outcome
    span = f"{published.months[0].code}–{published.months[-1].code}"
    if outcome.status == "imported":
        console.print(
            _t(
                f"已写入统计（数据集 rail，导入 #{outcome.import_id}）：{span} 共 "
                f"{len(published.months)} 个月，{published.runs} 列班列；"
                "这些月份今后取自事件计算。",
                f"Written to the statistics (dataset rail, import #{outcome.import_id}): "
                f"{len(published.months)} month(s), {span}, {published.runs} train runs; these "
                "months now come from the events.",
            )
        )
    else:
        console.print(
            _t(
                f"统计中已是这些数字（导入 #{outcome.import_id}），未写入新版本。",
                f"The statistics already hold these figures (import #{outcome.import_id}); no "
                "new version written.",
            )
        )
    if outcome.report.warnings:
        console.print(problems_table(outcome.report.warnings, lang))


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
