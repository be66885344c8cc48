"""What every command needs: the settings (with the global options applied), the store, the
console, and the language messages are printed in."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from silkhub.core.errors import InvalidInput, Problem, SilkhubError
from silkhub.settings import Settings, load_settings
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database

console = Console()
err_console = Console(stderr=True)


@dataclass
class CliState:
    overrides: dict[str, Any] = field(default_factory=dict)
    lang: str | None = None
    _settings: Settings | None = None
    _db: Database | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(**self.overrides)
        return self._settings

    @property
    def language(self) -> str:
        if self.lang:
            return self.lang
        try:
            return self.settings.default_language
        except InvalidInput:  # bad settings must not hide the error being printed
            return "zh"

    def reset(self) -> None:
        """Forget the previous invocation's options (tests run many in one process)."""
        if self._db is not None:
            self._db.dispose()
        self.overrides.clear()
        self.lang = None
        self._settings = None
        self._db = None

    def database(self) -> Database:
        """The operational store, refusing one whose schema is not this version's."""
        if self._db is None:
            from silkhub.migrations import ensure_current

            db = Database.from_url(self.settings.resolved_database_url)
            try:
                ensure_current(db.engine)
            except BaseException:
                db.dispose()
                raise
            self._db = db
        return self._db

    def analytical(self) -> AnalyticalStore:
        return AnalyticalStore(self.settings.resolved_analytical_dir)

    def use_data_dir(self, data_dir: Path, *, embedded: bool = False) -> None:
        self.overrides["data_dir"] = data_dir
        if embedded:
            self.overrides["database_url"] = None
            self.overrides["analytical_dir"] = None
        self._settings = None
        self._db = None


state = CliState()


def cli_actor() -> Actor:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Actor.system(f"cli:{who}")


def print_error(exc: SilkhubError, lang: str) -> None:
    err_console.print(f"[bold red]{'错误' if lang == 'zh' else 'Error'}:[/] {exc.in_(lang)}")
    if exc.problems and not (len(exc.problems) == 1 and exc.problems[0].message == exc.message):
        err_console.print(problems_table(exc.problems, lang))


def problems_table(problems: list[Problem], lang: str) -> Table:
    zh = lang == "zh"
    table = Table(show_lines=False)
    for title_zh, title_en in (
        ("位置", "Where"),
        ("代码", "Code"),
        ("问题", "Problem"),
        ("值", "Value"),
    ):
        table.add_column(title_zh if zh else title_en)
    for p in problems:
        table.add_row(
            p.location.describe(lang),
            p.code,
            p.message.in_(lang),
            "" if p.value is None else str(p.value),
        )
    return table
