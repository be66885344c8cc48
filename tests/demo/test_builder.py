"""The demonstration hub builder, and ``silkhub demo`` building it (without serving)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from silkhub import __version__
from silkhub.accounts import service
from silkhub.accounts.models import Role
from silkhub.cli.context import console, err_console, state
from silkhub.cli.main import app
from silkhub.core.errors import Conflict
from silkhub.demo import builder
from silkhub.demo.builder import DEMO_DOMAIN, ORGANISATIONS, PEOPLE, build_demo
from silkhub.migrations import ensure_current, upgrade
from silkhub.settings import Settings
from silkhub.stores.database import Database

PASSWORD = "demo-password-1"


@pytest.fixture(autouse=True)
def without_capability_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the builder itself (directories, marker, logins); each
    capability's demonstration data has tests of its own (tests/stats/test_demo.py), and
    building it here a dozen times would take minutes."""
    monkeypatch.setattr("silkhub.demo.builder.CAPABILITIES", ("silkhub.accounts",))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith("SILKHUB_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    wide_consoles(monkeypatch)
    yield
    state.reset()


def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps at the width it found when the console was made (80 columns off a terminal);
    wide enough here that no line we look for is broken."""
    for c in (console, err_console):
        monkeypatch.setattr(c, "_width", 250)


def demo_settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, secret_key="test-secret-key-not-for-production")


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    return tmp_path / "demo"


def marker(data_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((data_dir / "demo.json").read_text(encoding="utf-8"))
    return data


def open_demo(data_dir: Path) -> Database:
    path = data_dir / "silkhub.db"
    assert path.is_file()
    return Database.from_url(f"sqlite:///{path}")


def snapshot(data_dir: Path) -> dict[str, list[tuple[object, ...]]]:
    """What a build made: its organisations and its people, as plain values."""
    db = open_demo(data_dir)
    try:
        with db.reading() as session:
            orgs = service.list_organisations(session)
            names = {o.id: o.name_en for o in orgs}
            return {
                "organisations": [(o.name_zh, o.name_en, o.kind, o.country) for o in orgs],
                "users": [
                    (
                        u.email,
                        u.display_name,
                        tuple(sorted(r.value for r in u.roles)),
                        names.get(u.organisation_id) if u.organisation_id else None,
                        u.is_active,
                    )
                    for u in service.list_users(session)
                ],
            }
    finally:
        db.dispose()


def test_build_makes_a_marked_demo_hub(demo_dir: Path) -> None:
    hub = build_demo(demo_settings(demo_dir), seed=7, password=PASSWORD)
    assert hub.data_dir == demo_dir
    assert hub.seed == 7
    assert hub.password == PASSWORD

    info = marker(demo_dir)
    assert info["synthetic"] is True
    assert info["complete"] is True
    assert info["seed"] == 7
    assert info["generator"] == f"silkhub {__version__}"
    assert "合成" in info["notice"]["zh"]
    assert "synthetic" in info["notice"]["en"]
    assert (demo_dir / "silkhub.db").is_file()
    assert (demo_dir / "analytical").is_dir()

    db = open_demo(demo_dir)
    try:
        ensure_current(db.engine)  # at this version's schema: `serve` accepts it
    finally:
        db.dispose()


def test_one_login_per_role_all_signing_in_with_the_password(demo_dir: Path) -> None:
    hub = build_demo(demo_settings(demo_dir), seed=7, password=PASSWORD)
    expected = [
        (f"{local}@{DEMO_DOMAIN}", tuple(r.value for r in roles)) for local, _, roles, _ in PEOPLE
    ]
    assert [(login.email, login.roles) for login in hub.logins] == expected
    roles = [login.roles for login in hub.logins]
    assert all(len(r) == 1 for r in roles)
    assert sorted(r[0] for r in roles) == sorted(r.value for r in Role)  # every role, once

    db = open_demo(demo_dir)
    try:
        with db.reading() as session:
            users = {u.email: u for u in service.list_users(session)}
            assert set(users) == {login.email for login in hub.logins}
            for login in hub.logins:
                user = users[login.email]
                assert {r.value for r in user.roles} == set(login.roles)
                assert user.organisation_id is not None
                assert user.is_active
        for login in hub.logins:
            principal = service.authenticate(
                db, login.email, PASSWORD, client="test", max_failures=5
            )
            assert principal.email == login.email
    finally:
        db.dispose()


def test_everything_made_is_labelled_as_demonstration_data(demo_dir: Path) -> None:
    build_demo(demo_settings(demo_dir), seed=7, password=PASSWORD)
    made = snapshot(demo_dir)
    assert len(made["organisations"]) == len(ORGANISATIONS)
    for name_zh, name_en, _, _ in made["organisations"]:
        assert "演示" in name_zh
        assert "Demo" in name_en
    for email, display_name, _, _, _ in made["users"]:
        assert email.endswith("@" + DEMO_DOMAIN)
        assert "演示" in display_name
        assert "Demo" in display_name

    db = open_demo(demo_dir)
    try:
        with db.reading() as session:
            entries, total = service.audit_entries(session, limit=1000)
        assert total > 0
        assert {e.actor for e in entries} == {"demo"}
    finally:
        db.dispose()


def test_a_random_password_is_made_when_none_is_given(tmp_path: Path) -> None:
    first = build_demo(demo_settings(tmp_path / "a"), seed=7)
    second = build_demo(demo_settings(tmp_path / "b"), seed=7)
    assert len(first.password) >= 12
    assert first.password != second.password
    db = open_demo(tmp_path / "a")
    try:
        assert service.authenticate(
            db, first.logins[0].email, first.password, client="test", max_failures=5
        )
    finally:
        db.dispose()


def test_the_same_seed_builds_the_same_hub(tmp_path: Path) -> None:
    build_demo(demo_settings(tmp_path / "a"), seed=11, password=PASSWORD)
    build_demo(demo_settings(tmp_path / "b"), seed=11, password="another-password")
    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert first == second
    assert len(first["users"]) == len(PEOPLE)


def test_rebuilding_wipes_the_previous_demo(demo_dir: Path) -> None:
    build_demo(demo_settings(demo_dir), seed=1, password=PASSWORD)
    before = snapshot(demo_dir)
    (demo_dir / "stray.txt").write_text("left over")
    (demo_dir / "uploads").mkdir()
    (demo_dir / "uploads" / "old.csv").write_text("a,b\n")

    hub = build_demo(demo_settings(demo_dir), seed=2, password="a-new-password")
    assert not (demo_dir / "stray.txt").exists()
    assert not (demo_dir / "uploads").exists()
    assert marker(demo_dir)["seed"] == 2
    assert marker(demo_dir)["complete"] is True
    assert snapshot(demo_dir) == before  # not doubled: a fresh store
    db = open_demo(demo_dir)
    try:
        assert service.authenticate(
            db, hub.logins[0].email, "a-new-password", client="test", max_failures=5
        )
    finally:
        db.dispose()


def test_a_directory_that_is_not_a_demo_is_never_wiped(demo_dir: Path) -> None:
    demo_dir.mkdir()
    (demo_dir / "silkhub.db").write_bytes(b"precious real data")
    (demo_dir / "notes.txt").write_text("keep me")

    with pytest.raises(Conflict) as caught:
        build_demo(demo_settings(demo_dir), seed=1, password=PASSWORD)
    assert str(demo_dir) in caught.value.in_("en")
    assert sorted(p.name for p in demo_dir.iterdir()) == ["notes.txt", "silkhub.db"]
    assert (demo_dir / "silkhub.db").read_bytes() == b"precious real data"
    assert (demo_dir / "notes.txt").read_text() == "keep me"


def test_an_empty_existing_directory_is_used(demo_dir: Path) -> None:
    demo_dir.mkdir()
    build_demo(demo_settings(demo_dir), seed=1, password=PASSWORD)
    assert marker(demo_dir)["complete"] is True


def test_an_interrupted_build_can_be_rebuilt(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0
    create_user = builder.accounts.create_user

    def failing(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt  # the operator pressed Ctrl-C half way
        return create_user(*args, **kwargs)

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(builder.accounts, "create_user", failing)
        build_demo(demo_settings(demo_dir), seed=1, password=PASSWORD)
    assert calls == 3
    assert marker(demo_dir)["complete"] is False
    (demo_dir / "half-written.tmp").write_text("x")

    hub = build_demo(demo_settings(demo_dir), seed=1, password=PASSWORD)
    assert marker(demo_dir)["complete"] is True
    assert not (demo_dir / "half-written.tmp").exists()
    assert len(hub.logins) == len(PEOPLE)
    assert len(snapshot(demo_dir)["users"]) == len(PEOPLE)


# --- `silkhub demo` ------------------------------------------------------------------------------


def test_demo_command_uses_its_own_sqlite_store_whatever_the_environment_says(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The configured store (SQLite file or PostgreSQL schema) is initialised and holds a user:
    # the demo must neither wipe it nor add to it.
    configured = Database.from_url(db_url)
    upgrade(configured.engine)
    with configured.transaction() as session:
        service.create_user(session, email="real@example.org", display_name="Real", password=None)
    configured.dispose()
    monkeypatch.setenv("SILKHUB_DATABASE_URL", db_url)
    monkeypatch.setenv("SILKHUB_ANALYTICAL_DIR", str(tmp_path / "real-analytical"))
    demo_dir = tmp_path / "demo"
    runner = CliRunner()

    result = runner.invoke(
        app,
        ["demo", "--data-dir", str(demo_dir), "--no-serve", "--admin-password", PASSWORD],
    )
    state.reset()
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    assert PASSWORD in result.stdout
    assert f"admin@{DEMO_DOMAIN}" in result.stdout
    assert "合成的演示数据" in result.stdout

    assert marker(demo_dir)["complete"] is True
    assert len(snapshot(demo_dir)["users"]) == len(PEOPLE)
    assert (demo_dir / "analytical").is_dir()
    assert not (tmp_path / "real-analytical").exists()

    # The store named by SILKHUB_DATABASE_URL was not touched.
    configured = Database.from_url(db_url)
    try:
        with configured.reading() as session:
            assert [u.email for u in service.list_users(session)] == ["real@example.org"]
            assert service.list_organisations(session) == []
            _, audited = service.audit_entries(session)
            assert audited == 1  # the insert of the real user, nothing since
    finally:
        configured.dispose()


def test_demo_command_refuses_a_directory_that_is_not_a_demo(tmp_path: Path) -> None:
    target = tmp_path / "real"
    target.mkdir()
    (target / "keep.txt").write_text("keep me")
    result = CliRunner().invoke(
        app,
        ["--lang", "en", "demo", "--data-dir", str(target), "--no-serve"],
    )
    state.reset()
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "will not be wiped" in " ".join(result.stderr.split())
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_demo_command_honours_the_global_data_dir(tmp_path: Path) -> None:
    target = tmp_path / "global"
    result = CliRunner().invoke(
        app, ["--data-dir", str(target), "demo", "--no-serve", "--admin-password", PASSWORD]
    )
    state.reset()
    assert result.exit_code == 0, result.output
    assert (target / "demo.json").is_file()
    assert (target / "silkhub.db").is_file()
