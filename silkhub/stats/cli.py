"""``silkhub stats``: datasets, imports and (later) measures at the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from silkhub.cli.context import cli_actor, console, err_console, problems_table, state
from silkhub.core.errors import InvalidInput, Location, Message, Report, SilkhubError
from silkhub.stats import briefing, registers, registers_footprint, service
from silkhub.stats.briefing_period import briefing_month
from silkhub.stats.datasets import DATASETS
from silkhub.stats.exports import FORMATS, export_dataset
from silkhub.stats.presentation import sentence
from silkhub.stats.validate import report_to_csv

app = typer.Typer(help="Hub statistics: datasets, imports, measures.", no_args_is_help=True)
COMMANDS = {"stats": app}


def _zh() -> bool:
    return state.language == "zh"


@app.command("datasets")
def datasets() -> None:
    """List the datasets and their fields."""
    lang = state.language
    for ds in DATASETS.values():
        table = Table(title=f"{ds.name} — {ds.name_in(lang)}", title_justify="left")
        for title in (
            ("字段", "含义", "类型", "单位", "必填")
            if _zh()
            else ("field", "meaning", "kind", "unit", "required")
        ):
            table.add_column(title)
        for f in ds.fields:
            table.add_row(
                f.name, f.label(lang), f.kind.value, f.base_unit or "", "✓" if f.required else ""
            )
        console.print(table)


class ImportRejected(SilkhubError):
    status = 422
    code = "import_rejected"


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV or .xlsx file.", exists=True, dir_okay=False)],
    dataset: Annotated[str, typer.Option(help="Dataset: " + ", ".join(DATASETS))],
    mapping: Annotated[
        Path | None,
        typer.Option(
            help="Mapping file (TOML) for this source's headers and units.",
            exists=True,
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            help="Encoding of a CSV file (default: detected; e.g. gbk, utf-8).", show_default=False
        ),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option(help="Excel sheet to read.", show_default=False)
    ] = None,
    published: Annotated[
        datetime | None,
        typer.Option(
            help="When the figures were published (default: now).",
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
            show_default=False,
        ),
    ] = None,
    report_csv: Annotated[
        Path | None,
        typer.Option(
            help="Also write the problem report to this CSV file.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Import a file as a new vintage: all of it, or nothing and a problem report."""
    # One call does the reading, checking and writing; a spinner shows it is at work.
    with console.status("正在导入…" if _zh() else "Importing…"):
        outcome = _import(file, dataset, mapping, encoding, sheet, published)
    lang = state.language
    if report_csv is not None and len(outcome.report):
        report_csv.write_text(report_to_csv(outcome.report), encoding="utf-8")
    if len(outcome.report):
        err_console.print(problems_table(outcome.report.problems, lang))
    if outcome.status == "rejected":
        raise ImportRejected(_rejected_message(outcome.report))
    if outcome.status == "duplicate":
        console.print(
            f"此文件已于导入 {outcome.import_id} 中导入，未作任何改动。"
            if _zh()
            else f"This file was imported already (import {outcome.import_id}); nothing changed."
        )
        return
    months = ", ".join(p.strftime("%Y-%m") for p in outcome.periods)
    console.print(
        f"已导入 {outcome.rows} 行（导入 {outcome.import_id}，期间：{months}）。"
        if _zh()
        else f"Imported {outcome.rows} rows (import {outcome.import_id}; periods: {months})."
    )


def _import(
    file: Path,
    dataset: str,
    mapping: Path | None,
    encoding: str | None,
    sheet: str | None,
    published: datetime | None,
) -> service.ImportOutcome:
    settings = state.settings
    return service.import_file(
        state.database(),
        state.analytical(),
        file,
        dataset_name=dataset,
        data_dir=settings.data_dir,
        actor=cli_actor(),
        max_bytes=settings.import_max_bytes,
        revision_factor=settings.import_revision_factor,
        mapping_path=mapping,
        encoding=encoding,
        sheet=sheet,
        published_at=published.replace(tzinfo=UTC) if published else None,
    )


def _rejected_message(report: Report) -> Message:
    n = len(report.errors)
    return Message(
        f"文件有{n}处错误，未导入任何数据。", f"The file has {n} error(s); nothing was imported."
    )


@app.command("imports")
def imports(
    dataset: Annotated[
        str | None, typer.Option(help="Only this dataset.", show_default=False)
    ] = None,
) -> None:
    """List imports (vintages), newest first."""
    with state.database().reading() as session:
        rows = service.list_imports(session, dataset)
        table = Table("id", "dataset", "source", "rows", "periods", "published", "by")
        for r in rows:
            periods = [p.period for p in r.periods]
            span = f"{min(periods):%Y-%m}–{max(periods):%Y-%m}" if periods else ""
            table.add_row(
                str(r.id),
                r.dataset,
                r.source,
                str(r.rows),
                span,
                f"{r.published_at:%Y-%m-%d %H:%M}",
                r.imported_by,
            )
    console.print(table)


@app.command("measure")
def measure(
    dataset: Annotated[str, typer.Option(help="Dataset: " + ", ".join(DATASETS))],
    value: Annotated[str, typer.Option(help="The field summed, e.g. value_cny.")],
    period: Annotated[str, typer.Option(help="2020-05, 2020年1-5月, 2020-Q2, 2019 ...")],
    group: Annotated[
        str | None, typer.Option(help="Country group, e.g. along_route_64.", show_default=False)
    ] = None,
    filter: Annotated[
        list[str] | None,
        typer.Option(
            "--filter",
            help="field=value, repeatable (flow=出口, partner=越南).",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="Break down by this field (top values).", show_default=False)
    ] = None,
    top: Annotated[int, typer.Option(help="With --by: how many.", min=1, max=200)] = 10,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            help="As published by the end of this day.", formats=["%Y-%m-%d"], show_default=False
        ),
    ] = None,
) -> None:
    """A figure as a release gives it: value, year-on-year growth, share of the whole."""
    query = service.query_from_text(
        dataset,
        value,
        period,
        group=group,
        filters=filter or (),
        by=by,
        as_of=as_of.date() if as_of else None,
    )
    lang = state.language
    if by is not None:
        table = service.top(state.database(), state.analytical(), query, top)
        out = Table(*table.column_names)
        for row in table.to_pylist():
            out.add_row(
                *(
                    "" if v is None else f"{v:.1f}" if isinstance(v, float) else str(v)
                    for v in row.values()
                )
            )
        console.print(out)
        return
    result = service.measure(state.database(), state.analytical(), query)
    text = sentence(result, lang)
    label = query.period.label(lang)
    if text is None:
        console.print(f"{label}：无数据。" if _zh() else f"{label}: no data.")
    else:
        console.print(f"{label}：{text}" if _zh() else f"{label}: {text}")
    used = {(v.dataset, v.vintage) for v in result.vintages if v.vintage is not None}
    computed = sorted(
        {s.source for s in service.vintage_sources(state.database(), used).values() if s.computed}
    )
    if computed:
        # Figures silkhub computed (from tracked events) are another kind of source than a
        # reported file: say so beside the figure.
        names = "；".join(computed) if _zh() else "; ".join(computed)
        console.print(
            f"来源：由跟踪事件计算（{names}）"
            if _zh()
            else f"Source: computed from tracked events ({names})"
        )
    if not result.complete:
        missing = ", ".join(v.month.code for v in result.missing_months)
        err_console.print(
            f"注意：以下月份尚无数据：{missing}" if _zh() else f"Note: no data yet for {missing}"
        )


@app.command("export")
def export(
    dataset: Annotated[str, typer.Option(help="Dataset: " + ", ".join(DATASETS))],
    format: Annotated[str, typer.Option(help="Format: " + ", ".join(FORMATS))] = "csv",
    value: Annotated[
        str | None, typer.Option(help="Measured field (SDMX data).", show_default=False)
    ] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            help="As published by the end of this day.", formats=["%Y-%m-%d"], show_default=False
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="File or folder to write (default: here).", show_default=False),
    ] = None,
) -> None:
    """Write a dataset as CSV, Excel, SDMX-ML, SDMX-CSV or a Frictionless data package."""
    moment = service.end_of_day(as_of.date()) if as_of else None
    download = export_dataset(
        state.database(),
        state.analytical(),
        dataset,
        format,
        lang=state.language,
        demo=(state.settings.data_dir / "demo.json").is_file(),
        value=value,
        as_of=moment,
    )
    target = out or Path(download.filename)
    if target.is_dir():
        target = target / download.filename
    target.write_bytes(download.content)
    console.print(("已写入 " if _zh() else "Wrote ") + str(target))


registers_app = typer.Typer(
    help="The flagship-project and footprint registers.", no_args_is_help=True
)
app.add_typer(registers_app, name="registers")


@registers_app.command("load")
def registers_load() -> None:
    """Load (or refresh) the shipped registers: the ten flagship projects and the footprint."""
    with state.database().transaction(cli_actor()) as session:
        for summary in (
            registers.load_register(session),
            registers_footprint.load_footprint(session),
        ):
            created = sum(summary.created.values())
            updated = sum(summary.updated.values())
            console.print(
                f"{summary.file}：新增 {created}，更新 {updated}"
                if _zh()
                else f"{summary.file}: {created} created, {updated} updated"
            )


@registers_app.command("progress")
def registers_progress(
    period: Annotated[str, typer.Option(help="e.g. 2020, 2020年1-5月.")],
    project: Annotated[
        str | None, typer.Option(help="Only this project (code).", show_default=False)
    ] = None,
) -> None:
    """Each indicator of the flagship projects against its target."""
    db = state.database()
    store = state.analytical()
    lang = state.language
    table = Table("project", "indicator", "value", "target", "%", "met")
    with db.reading() as session:
        for p in registers.list_projects(session):
            if project is not None and p.code != project:
                continue
            for item in registers.project_progress(session, p.code, period, db=db, store=store):
                row = item.to_dict()
                table.add_row(
                    p.name_zh if lang == "zh" else p.name_en,
                    str(row.get("indicator", "")),
                    "" if row.get("value") is None else str(row["value"]),
                    "" if row.get("target") is None else str(row["target"]),
                    ""
                    if row.get("percent_of_target") is None
                    else f"{row['percent_of_target']:.1f}",
                    {True: "✓", False: "✗"}.get(row.get("met"), ""),  # type: ignore[arg-type]
                )
    console.print(table)


@app.command("briefing")
def briefing_command(
    period: Annotated[str, typer.Option(help="The month the briefing is for, e.g. 2020-05.")],
    lang: Annotated[str, typer.Option("--lang", help="zh or en.")] = "zh",
    format: Annotated[str, typer.Option(help="md, html, pdf or xlsx.")] = "md",
    out: Annotated[
        Path | None,
        typer.Option(
            help="File to write (default: print; pdf and xlsx need a file).", show_default=False
        ),
    ] = None,
) -> None:
    """The monthly hub briefing: headline sentences, tables, charts and data versions, all
    computed from the data."""
    month = briefing_month(period)
    if lang not in ("zh", "en"):
        raise InvalidInput.single(
            "bad_option",
            Message("语言须为 zh 或 en。", "The language must be zh or en."),
            location=Location(field="lang"),
            value=lang,
        )
    briefing.check_format(format)
    if out is None and format in ("pdf", "xlsx"):
        raise InvalidInput.single(
            "output_required",
            Message(
                f"{format} 是二进制格式，请用 --out 指定要写入的文件。",
                f"{format} is a binary format: name the file to write with --out.",
            ),
            location=Location(field="out"),
        )
    made = briefing.briefing(
        state.database(),
        state.analytical(),
        month,
        lang=lang,
        demo=(state.settings.data_dir / "demo.json").is_file(),
    )
    rendered = briefing.render(made, format)
    if out is None:
        text = rendered.content.decode()
        console.print(text, markup=False, highlight=False, soft_wrap=True)
        return
    # Written beside the target and renamed over it: a reader never sees half a file.
    partial = out.with_name(f".{out.name}.partial")
    partial.write_bytes(rendered.content)
    partial.replace(out)
    console.print(("已写入 " if _zh() else "Wrote ") + str(out))
