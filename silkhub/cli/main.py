"""The ``silkhub`` command. Thin: each command parses its options, calls the library, and
prints. Errors are turned into messages here, at the edge, in the chosen language."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core
from typer import _click as click

from silkhub import __version__
from silkhub.cli import jobs
from silkhub.cli.context import console, print_error, state
from silkhub.core.errors import SchemaMismatch, SilkhubError
from silkhub.logs import configure_logging
from silkhub.registry import CAPABILITIES, capability_module


class SilkhubGroup(typer.core.TyperGroup):
    """Turns silkhub's errors into a readable message and an exit code, at the edge."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SilkhubError as exc:
            print_error(exc, state.language)
            raise typer.Exit(2 if isinstance(exc, SchemaMismatch) else 1) from None


app = typer.Typer(
    name="silkhub",
    cls=SilkhubGroup,
    help="silkhub: data and services of a Belt and Road trade hub.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"silkhub {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Data directory (overrides SILKHUB_DATA_DIR).", show_default=False),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="Operational store URL (overrides SILKHUB_DATABASE_URL).", show_default=False
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            help="Language of messages: zh or en (default: SILKHUB_DEFAULT_LANGUAGE).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """silkhub: data and services of a Belt and Road trade hub."""
    state.reset()
    if data_dir is not None:
        state.overrides["data_dir"] = data_dir
    if database_url is not None:
        state.overrides["database_url"] = database_url
    if lang is not None:
        if lang not in ("zh", "en"):
            raise typer.BadParameter("zh or en", param_hint="--lang")
        state.lang = lang


@app.command()
def init() -> None:
    """Create the data directory and the operational store, or upgrade the store's schema."""
    from silkhub.migrations import schema_state, upgrade
    from silkhub.stores.operational import make_engine

    settings = state.settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.resolved_analytical_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    try:
        before = schema_state(engine).current
        after = upgrade(engine)
    finally:
        engine.dispose()
    zh = state.language == "zh"
    if before == after.current:
        console.print(
            ("数据库已是最新结构：" if zh else "The store is up to date: ") + str(after.current)
        )
    else:
        console.print(
            ("数据库结构已升级：" if zh else "Store schema upgraded: ")
            + f"{before or '∅'} → {after.current}"
        )
    # Datasets written before their definition gained a column (the port's cargo kind) get it,
    # empty: the analytical store refuses to mix schemas.
    from silkhub.stats.service import upgrade_datasets
    from silkhub.stores.analytical import AnalyticalStore

    with AnalyticalStore(settings.resolved_analytical_dir) as store:
        for name in upgrade_datasets(store):
            console.print(
                f"统计数据集“{name}”已补齐新增的列。"
                if zh
                else f"Dataset {name!r}: new columns added."
            )
    console.print(("数据目录：" if zh else "Data directory: ") + str(settings.data_dir.resolve()))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the portal and the REST API."""
    from silkhub.web.server import run_server

    configure_logging(state.settings.log_level)
    db = state.database()
    run_server(state.settings, db, host=host, port=port)


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Run at most one job, then stop.")] = False,
    until_empty: Annotated[
        bool, typer.Option(help="Stop when no job is due (for cron and tests).")
    ] = False,
    max_jobs: Annotated[
        int | None, typer.Option(help="Stop after this many jobs.", show_default=False)
    ] = None,
) -> None:
    """Run background jobs from the outbox: deliveries, scheduled releases, callbacks."""
    from silkhub.workers.runner import run_worker

    code = run_worker(state.settings, once=once, until_empty=until_empty, max_jobs=max_jobs)
    raise typer.Exit(code)


@app.command()
def demo(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Where to build the demonstration hub (default: the global --data-dir if "
            "given, else ./silkhub-demo).",
            show_default=False,
        ),
    ] = None,
    port: Annotated[int, typer.Option(help="Port of the portal.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    serve: Annotated[bool, typer.Option(help="Serve the portal once built.")] = True,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data generator.")] = 2020,
    mail_port: Annotated[
        int,
        typer.Option(
            help="Port of the demo's own mail sink on 127.0.0.1 (e-mails are kept as files)."
        ),
    ] = 8025,
    admin_password: Annotated[
        str | None,
        typer.Option(
            help="Password of every demo login (default: a random one, printed).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Build a fresh demonstration hub (synthetic data) and serve it."""
    from silkhub.demo.builder import build_demo
    from silkhub.web.server import run_server

    # The demonstration hub always runs on embedded stores in its own directory, whatever
    # SILKHUB_DATABASE_URL says, so that it can never wipe a real database.
    state.use_data_dir(
        data_dir or state.overrides.get("data_dir") or Path("silkhub-demo"), embedded=True
    )
    hub = build_demo(state.settings, seed=seed, password=admin_password)
    zh = state.language == "zh"
    address = f"http://{host}:{port}/"
    console.rule("silkhub 演示枢纽" if zh else "silkhub demonstration hub")
    console.print(("数据目录：" if zh else "Data directory: ") + str(hub.data_dir))
    console.print(
        "所有数据均为合成的演示数据。" if zh else "All data is synthetic demonstration data."
    )
    console.print(
        ("登录账户（密码均为 " if zh else "Logins (password for all: ")
        + f"[bold]{hub.password}[/]):"
    )
    for login in hub.logins:
        console.print(f"  {login.email:<32} {', '.join(login.roles)}")
    if serve:
        from silkhub.demo import mailbox

        console.print(("门户地址：" if zh else "Portal: ") + f"[bold]{address}[/]")
        configure_logging(state.settings.log_level)
        sink = mailbox.start(state.settings, port=mail_port)
        console.print(
            (
                f"演示邮件（本机 SMTP 127.0.0.1:{mail_port}，不外发）保存在："
                if zh
                else f"Demo e-mails (local SMTP 127.0.0.1:{mail_port}, nothing leaves): "
            )
            + str(sink.folder)
        )
        try:
            run_server(state.settings, state.database(), host=host, port=port)
        finally:
            sink.stop()


def _mount_subcommands() -> None:
    app.add_typer(jobs.app, name="jobs")

    for capability in CAPABILITIES:
        module = capability_module(capability, "cli")
        if module is None:
            continue
        for name, group in module.COMMANDS.items():
            app.add_typer(group, name=name)


_mount_subcommands()


def main() -> None:
    """Entry point of the ``silkhub`` command."""
    app()
