"""Schema migrations of the operational store (Alembic), and the checks made at start-up.

``silkhub init`` calls ``upgrade``; ``serve`` and ``worker`` call ``ensure_current`` and refuse
to start on a store at another revision, with a message that says what to do. A store that
has silkhub's tables but no revision stamp, or a revision this version does not know (made by a
newer silkhub), is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from silkhub.core.errors import Message, SchemaMismatch, StoreError

_HERE = Path(__file__).parent


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config_without_engine()).get_current_head()
    assert head is not None
    return head


def alembic_config_without_engine() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    return config


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # None: never initialised (or not stamped)
    head: str
    has_tables: bool
    known: bool  # the current revision is one this version of silkhub knows

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    @property
    def empty(self) -> bool:
        return self.current is None and not self.has_tables


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def schema_state(engine: Engine) -> SchemaState:
    script = ScriptDirectory.from_config(alembic_config_without_engine())
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
    except DBAPIError as exc:
        reason = str(exc.orig) if exc.orig is not None else str(exc)
        raise StoreError(
            Message(
                f"无法打开业务数据库 {_where(engine)}：{reason}",
                f"Cannot open the operational store {_where(engine)}: {reason}",
            )
        ) from exc
    known = current is None or _revision_known(script, current)
    head = script.get_current_head()
    assert head is not None
    return SchemaState(current, head, bool(tables), known)


def _revision_known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises several types for "no such revision"
        return False


def upgrade(engine: Engine) -> SchemaState:
    """Create the store, or upgrade it to this version's schema."""
    state = schema_state(engine)
    if not state.known:
        raise _newer_store(state)
    if state.current is None and state.has_tables:
        raise _foreign_store()
    if not state.up_to_date:
        command.upgrade(alembic_config(engine), "head")
    return schema_state(engine)


def _missing_sqlite_file(engine: Engine) -> bool:
    database = engine.url.database
    return (
        engine.dialect.name == "sqlite"
        and database not in (None, "", ":memory:")
        and not Path(database).exists()
    )


def ensure_current(engine: Engine) -> None:
    """Refuse to run on a store that is not exactly at this version's schema."""
    if _missing_sqlite_file(engine):
        # Checked before connecting: SQLite would create an empty file as a side effect.
        raise SchemaMismatch(
            Message(
                f"数据库尚未初始化（{engine.url.database} 不存在）。请先运行 `silkhub init`。",
                f"The database has not been initialised ({engine.url.database} does not "
                "exist). Run `silkhub init` first.",
            )
        )
    state = schema_state(engine)
    if state.up_to_date:
        return
    if not state.known:
        raise _newer_store(state)
    if state.current is None and state.has_tables:
        raise _foreign_store()
    if state.empty:
        raise SchemaMismatch(
            Message(
                "数据库尚未初始化。请先运行 `silkhub init`。",
                "The database has not been initialised. Run `silkhub init` first.",
            )
        )
    raise SchemaMismatch(
        Message(
            f"数据库结构版本为 {state.current}，本版本 silkhub 需要 {state.head}。"
            "请先备份，再运行 `silkhub init` 升级。",
            f"The database schema is at revision {state.current}; this silkhub needs "
            f"{state.head}. Back it up, then run `silkhub init` to upgrade.",
        )
    )


def _foreign_store() -> SchemaMismatch:
    return SchemaMismatch(
        Message(
            "数据库中已有数据表但没有 silkhub 的版本标记，silkhub 不会改动它。"
            "请使用一个空数据库，或从备份恢复。",
            "The database has tables but no silkhub revision stamp; silkhub will not "
            "touch it. Use an empty database, or restore from a backup.",
        )
    )


def _newer_store(state: SchemaState) -> SchemaMismatch:
    return SchemaMismatch(
        Message(
            f"数据库结构版本 {state.current} 不为本版本 silkhub 所知（可能由更新的版本创建）。"
            "请升级 silkhub，不要降级数据库。",
            f"The database schema revision {state.current} is unknown to this silkhub "
            "(a newer version made it). Upgrade silkhub; do not downgrade the database.",
        )
    )
