"""The operational store's schema: created, upgraded, and never touched when it is not ours."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from silkhub.core.errors import SchemaMismatch
from silkhub.migrations import alembic_config, ensure_current, head_revision, schema_state, upgrade
from silkhub.registry import load_models
from silkhub.stores.operational import Base, make_engine


@pytest.fixture
def empty(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def test_upgrade_creates_every_table(empty: Engine) -> None:
    state = upgrade(empty)
    assert state.up_to_date
    assert state.current == head_revision()
    load_models()
    tables = set(inspect(empty).get_table_names())
    assert set(Base.metadata.tables) <= tables
    ensure_current(empty)


def test_upgrade_twice_changes_nothing(empty: Engine) -> None:
    upgrade(empty)
    assert upgrade(empty).current == head_revision()


def test_models_match_migrations(engine: Engine) -> None:
    load_models()
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == [], "models and migrations disagree: write a migration"


def test_empty_store_is_refused_until_initialised(empty: Engine) -> None:
    with pytest.raises(SchemaMismatch) as caught:
        ensure_current(empty)
    assert "silkhub init" in caught.value.message.en
    assert "silkhub init" in caught.value.message.zh


def test_older_store_is_refused_then_upgraded_with_its_data(empty: Engine) -> None:
    command.upgrade(alembic_config(empty), "0002_outbox")
    with empty.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, entity, changes) "
                "VALUES (:at, 'old', 'insert', 'x', '{}')"
            ),
            {"at": "2020-01-01 00:00:00+00:00"},
        )
    with pytest.raises(SchemaMismatch) as caught:
        ensure_current(empty)
    assert "0002_outbox" in caught.value.message.en
    upgrade(empty)
    ensure_current(empty)
    with empty.connect() as conn:
        assert conn.execute(text("SELECT actor FROM audit_log")).scalar_one() == "old"


def test_store_from_a_newer_silkhub_is_never_touched(empty: Engine) -> None:
    upgrade(empty)
    with empty.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    before = set(inspect(empty).get_table_names())
    with pytest.raises(SchemaMismatch) as caught:
        upgrade(empty)
    assert "newer" in caught.value.message.en
    with pytest.raises(SchemaMismatch):
        ensure_current(empty)
    assert set(inspect(empty).get_table_names()) == before
    assert schema_state(empty).current == "9999_future"


def test_foreign_tables_without_a_stamp_are_left_alone(empty: Engine) -> None:
    with empty.begin() as conn:
        conn.execute(text("CREATE TABLE someone_elses (id INTEGER PRIMARY KEY)"))
    with pytest.raises(SchemaMismatch):
        upgrade(empty)
    assert set(inspect(empty).get_table_names()) == {"someone_elses"}


def test_foreign_tables_are_named_as_such_at_start(empty: Engine) -> None:
    with empty.begin() as conn:
        conn.execute(text("CREATE TABLE someone_elses (id INTEGER PRIMARY KEY)"))
    with pytest.raises(SchemaMismatch) as caught:
        ensure_current(empty)
    assert "no silkhub revision stamp" in caught.value.message.en
