"""``silkhub index``: the index-number tools, and the freight index's releases, at the command
line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from silkhub.cli.context import cli_actor, console, state
from silkhub.core.errors import Conflict, Message
from silkhub.core.periods import Year
from silkhub.indices import freight_reads, port_reads, service, trade_reads
from silkhub.indices.formulas import Formula
from silkhub.indices.port_index import DEFAULT_BASE_YEAR, DEFAULT_TEU_TONNES
from silkhub.indices.price_file import compute, read_panel, to_csv

app = typer.Typer(help="Maritime Silk Road indices and index-number tools.", no_args_is_help=True)
COMMANDS = {"index": app}


@app.command("price-index")
def price_index(
    file: Annotated[
        Path, typer.Argument(help="A CSV file with columns item,period,price,quantity.")
    ],
    formula: Annotated[
        str, typer.Option(help="laspeyres, paasche, fisher or tornqvist.")
    ] = "fisher",
    chained: Annotated[
        bool, typer.Option("--chained", help="Chain period-to-period links instead of fixed base.")
    ] = False,
    base: Annotated[
        str | None,
        typer.Option(help="The period that is 100 (default: the first).", show_default=False),
    ] = None,
    quantity: Annotated[
        bool, typer.Option("--quantity", help="The matching quantity index instead of prices.")
    ] = False,
) -> None:
    """A price (or quantity) index from item prices and quantities, printed as CSV with a
    header ``period,index`` and the base period = 100.

    Each comparison uses the items priced in both periods it compares. Every problem of the
    file (missing column, empty, non-numeric, zero or negative value, repeated item and
    period) is listed with its row and column, and nothing is printed on standard output.
    """
    chosen = Formula.parse(formula)
    index = compute(read_panel(file), chosen, base=base, chained=chained, quantity=quantity)
    # Plain text on stdout (no rich markup or wrapping): it is meant to be piped.
    sys.stdout.write(to_csv(index))


def _zh() -> bool:
    return state.language == "zh"


@app.command("releases")
def releases(
    last: Annotated[int, typer.Option(help="How many of the latest weeks.")] = 10,
    compiler: Annotated[
        bool, typer.Option("--all", help="Include approved weeks still under embargo.")
    ] = False,
) -> None:
    """The freight index's latest releases: composite, change on the week, restatements."""
    with state.database().reading() as session:
        views = freight_reads.release_views(session, compiler=compiler)[-last:]
    table = Table()
    for title in (
        ("周", "综合指数", "周环比（%）", "篮子", "发布时间（UTC）", "状态", "更正")
        if _zh()
        else ("week", "composite", "change (%)", "basket", "release (UTC)", "status", "restated")
    ):
        table.add_column(title)
    for view in views:
        composite = view.value()
        released = (
            ("已发布" if _zh() else "released")
            if view.released
            else ("禁发中" if _zh() else "embargoed")
        )
        table.add_row(
            view.week,
            "" if composite is None else str(composite.value),
            ""
            if composite is None or composite.change_pct is None
            else f"{composite.change_pct:+}",
            str(view.basket),
            view.release_at.strftime("%Y-%m-%d %H:%M"),
            released,
            str(len(view.restatements) or ""),
        )
    console.print(table)


@app.command("approve")
def approve(week: Annotated[str, typer.Argument(help="ISO week, e.g. 2020-W23.")]) -> None:
    """Approve a week of the freight index for release at its scheduled time."""
    chosen = service.parse_week(week)
    actor = cli_actor()
    with state.database().transaction(actor) as session:
        release = service.approve(session, chosen, actor=actor)
        at = release.release_at.strftime("%Y-%m-%d %H:%M UTC")
    console.print(
        f"{chosen.code} 已批准，将于 {at} 发布。"
        if _zh()
        else f"{chosen.code} approved; released at {at}."
    )


@app.command("recompute")
def recompute() -> None:
    """Recompute every released week of the freight index from the stored quotes and the
    methodology, and compare with what was published; exit status 1 if anything differs."""
    with state.database().reading() as session:
        count = len(service.visible_releases(session, compiler=True))
        differences = service.recompute(session)
    if not differences:
        console.print(
            f"{count} 周的发布值均可由存储的报价精确重算。"
            if _zh()
            else f"All {count} released weeks recompute exactly from the stored quotes."
        )
        return
    table = Table()
    for title in (
        ("周", "序列", "已发布", "重算") if _zh() else ("week", "series", "published", "recomputed")
    ):
        table.add_column(title)
    for d in differences:
        table.add_row(d.week, d.series, str(d.stored), str(d.recomputed))
    console.print(table)
    raise Conflict(
        Message(
            f"有{len(differences)}个已发布值与重算结果不一致。",
            f"{len(differences)} published value(s) differ from the recomputation.",
        ),
        code="recompute_differs",
    )


@app.command("trade")
def trade(
    base: Annotated[
        int, typer.Option(help="The base year (= 100).")
    ] = trade_reads.DEFAULT_BASE_YEAR,
    flow: Annotated[str, typer.Option(help="export, import or total.")] = "total",
    formula: Annotated[
        str, typer.Option(help="laspeyres, paasche, fisher or tornqvist.")
    ] = "fisher",
    chained: Annotated[
        bool, typer.Option("--chained", help="Month-to-month links instead of fixed base.")
    ] = False,
    group: Annotated[str, typer.Option(help="Country group, as of each month.")] = (
        trade_reads.DEFAULT_GROUP
    ),
    first: Annotated[
        str | None,
        typer.Option("--from", help="First month shown, e.g. 2019-01.", show_default=False),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option("--to", help="Last month (default: the latest).", show_default=False),
    ] = None,
) -> None:
    """The trade index: value, price and volume of trade with the Belt and Road partners, by
    month, as CSV on standard output."""

    points = trade_reads.trade_index_of(
        state.database(),
        state.analytical(),
        flow=flow,
        base=Year(base),
        formula=Formula.parse(formula),
        chained=chained,
        group=group,
        first=trade_reads.parse_month(first, "from"),
        last=trade_reads.parse_month(last, "to"),
    )
    sys.stdout.write(trade_reads.trade_index_csv(points))


@app.command("port")
def port(
    base: Annotated[int, typer.Option(help="The base year (= 100).")] = DEFAULT_BASE_YEAR,
    port_name: Annotated[
        str | None,
        typer.Option(
            "--port",
            help="A port as the data names it, or ALL (default: every one).",
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            help="containers, containers_tonnes, dry_bulk, liquid_bulk, general_cargo or "
            "composite (default: every one).",
            show_default=False,
        ),
    ] = None,
    teu_tonnes: Annotated[
        float,
        typer.Option(help="Tonnes a TEU weighs in the composite when a port reports none."),
    ] = DEFAULT_TEU_TONNES,
    first: Annotated[
        str | None,
        typer.Option("--from", help="First month shown, e.g. 2020-01.", show_default=False),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option("--to", help="Last month (default: the latest).", show_default=False),
    ] = None,
) -> None:
    """The port throughput index: volume indices by port and cargo kind and the composites
    (base-year tonnage weights), by month with month-on-month and year-on-year change, as
    CSV on standard output."""
    result = port_reads.port_index_of(
        state.database(),
        state.analytical(),
        base=Year(base),
        teu_tonnes=teu_tonnes,
        first=trade_reads.parse_month(first, "from"),
        last=trade_reads.parse_month(last, "to"),
    )
    points = port_reads.select_points(result, port=port_name, kind=kind)
    sys.stdout.write(port_reads.port_index_csv(points))
