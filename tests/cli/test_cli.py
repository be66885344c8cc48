"""The ``silkhub`` command, in process (``typer.testing.CliRunner``), on both store backends.

Every test passes ``--data-dir`` and ``--database-url`` explicitly and runs with no
``SILKHUB_*`` variable from the surrounding environment, in a temporary working directory
(so that no ``silkhub.toml`` is picked up).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from silkhub import __version__
from silkhub.accounts import service
from silkhub.accounts.models import Role
from silkhub.cli.context import console, err_console, state
from silkhub.cli.main import app
from silkhub.core.errors import BadCredentials, TokenInvalid
from silkhub.migrations import head_revision
from silkhub.stores import outbox
from silkhub.stores.database import Database

runner = CliRunner()
TOKEN_RE = re.compile(r"shk_[0-9a-f]{8}_[A-Za-z0-9_-]+")
PASSWORD = "correct-horse-1"


def flat(text_: str) -> str:
    """The text with every run of whitespace made one space (rich may still wrap)."""
    return " ".join(text_.split())


def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps at the width it found when the console was made (80 columns when the output
    is not a terminal, e.g. under pytest-xdist); wide enough here that no message or table cell
    is broken in the middle of what a test looks for."""
    for c in (console, err_console):
        monkeypatch.setattr(c, "_width", 250)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[Database]]:
    """No SILKHUB_* variable, a scratch working directory, and every store opened during the
    test closed at its end.

    ``CliState.database()`` does not close a store it refuses (see
    ``test_a_store_refused_at_start_is_closed``); on PostgreSQL the pooled connection is then
    garbage-collected open, a ResourceWarning at some random later moment. Recording every
    ``Database`` made and disposing of it here keeps that out of the other tests.
    """
    for key in list(os.environ):
        if key.startswith("SILKHUB_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    wide_consoles(monkeypatch)
    made: list[Database] = []
    from_url = Database.from_url.__func__  # type: ignore[attr-defined]

    def recording(cls: type[Database], url: str) -> Database:
        database = from_url(cls, url)
        made.append(database)
        return database

    monkeypatch.setattr(Database, "from_url", classmethod(recording))
    yield made
    state.reset()
    for database in made:
        database.dispose()


@dataclass
class Cli:
    data_dir: Path
    db_url: str

    def __call__(self, *args: str, lang: str | None = None, input: str | None = None) -> Result:
        options = ["--data-dir", str(self.data_dir), "--database-url", self.db_url]
        if lang is not None:
            options += ["--lang", lang]
        return runner.invoke(app, [*options, *args], input=input)


@pytest.fixture
def cli(tmp_path: Path, db_url: str) -> Cli:
    """The command on an empty store (not initialised)."""
    return Cli(tmp_path / "data", db_url)


@pytest.fixture
def hub(cli: Cli) -> Cli:
    """The command on an initialised store."""
    result = cli("init")
    assert result.exit_code == 0, result.output
    return cli


@pytest.fixture
def db(hub: Cli) -> Iterator[Database]:
    database = Database.from_url(hub.db_url)
    yield database
    database.dispose()


def ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    return result


def refused(result: Result, code: int = 1) -> Result:
    """The command stopped on purpose: the given exit code, a message, no traceback."""
    assert result.exit_code == code, f"exit {result.exit_code}\n{result.output}"
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stderr.strip(), "no message on stderr"
    return result


def emails(db: Database) -> list[str]:
    with db.reading() as session:
        return [u.email for u in service.list_users(session)]


def add_user(hub: Cli, email: str, *roles: str, password: str = PASSWORD) -> Result:
    role_args = [arg for role in roles for arg in ("--role", role)]
    return hub("user", "add", email, "--password", password, *role_args)


# --- version and init ------------------------------------------------------------------------


def test_version_prints_the_package_version() -> None:
    result = ok(runner.invoke(app, ["--version"]))
    assert result.stdout.strip() == f"silkhub {__version__}"


def test_init_creates_the_store_then_finds_it_up_to_date(cli: Cli) -> None:
    head = head_revision()
    first = ok(cli("init"))
    assert f"数据库结构已升级：∅ → {head}" in first.stdout
    assert str(cli.data_dir.resolve()) in flat(first.stdout)
    assert cli.data_dir.is_dir()
    assert (cli.data_dir / "analytical").is_dir()

    second = ok(cli("init"))
    assert f"数据库已是最新结构：{head}" in second.stdout
    assert "升级" not in second.stdout


def test_init_speaks_english_when_asked(cli: Cli) -> None:
    head = head_revision()
    first = ok(cli("init", lang="en"))
    assert f"Store schema upgraded: ∅ → {head}" in first.stdout
    assert "Data directory: " in first.stdout
    assert not re.search(r"[\u4e00-\u9fff]", first.stdout), first.stdout
    second = ok(cli("init", lang="en"))
    assert f"The store is up to date: {head}" in second.stdout


def test_default_language_comes_from_the_settings(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SILKHUB_DEFAULT_LANGUAGE", "en")
    assert "Store schema upgraded" in ok(cli("init")).stdout
    # --lang wins over the setting.
    assert "数据库已是最新结构" in ok(cli("init", lang="zh")).stdout


def test_an_unknown_language_is_a_usage_error(cli: Cli) -> None:
    result = cli("init", lang="fr")
    assert result.exit_code == 2
    assert "--lang" in result.output
    assert not cli.data_dir.exists()


# --- users -----------------------------------------------------------------------------------


def test_user_add_and_list(hub: Cli, db: Database) -> None:
    result = ok(
        hub(
            "user",
            "add",
            "Ana@Example.org",
            "--name",
            "Ana Li",
            "--role",
            "admin",
            "--role",
            "index-compiler",
            "--language",
            "en",
            "--password",
            PASSWORD,
        )
    )
    assert "已添加用户 1: ana@example.org" in result.stdout

    with db.reading() as session:
        (user,) = service.list_users(session)
        assert user.email == "ana@example.org"
        assert user.display_name == "Ana Li"
        assert user.roles == {Role.ADMIN, Role.INDEX_COMPILER}
        assert user.language == "en"
    principal = service.authenticate(db, "ana@example.org", PASSWORD, client="t", max_failures=5)
    assert principal.email == "ana@example.org"

    listing = flat(ok(hub("user", "list")).stdout)
    assert "ana@example.org" in listing
    assert "Ana Li" in listing
    assert "admin index_compiler" in listing


def test_user_add_asks_for_the_password_twice(hub: Cli, db: Database) -> None:
    ok(hub("user", "add", "bo@example.org", input=f"{PASSWORD}\n{PASSWORD}\n"))
    assert service.authenticate(db, "bo@example.org", PASSWORD, client="t", max_failures=5)


def test_user_add_without_password_makes_a_token_only_account(hub: Cli, db: Database) -> None:
    ok(hub("user", "add", "robot@example.org", "--no-password", "--role", "api_client"))
    with db.reading() as session:
        assert service.user_by_email(session, "robot@example.org").password_hash is None


def test_user_add_with_an_unknown_role_writes_nothing(hub: Cli, db: Database) -> None:
    result = refused(add_user(hub, "ana@example.org", "admin", "bogus"))
    assert "bogus" in result.stderr
    assert "unknown_role" in result.stderr
    assert emails(db) == []

    english = refused(
        hub("user", "add", "ana@example.org", "--password", PASSWORD, "--role", "nope", lang="en")
    )
    assert "Unknown role 'nope'" in flat(english.stderr)
    assert emails(db) == []


def test_user_add_refuses_a_duplicate_email(hub: Cli, db: Database) -> None:
    ok(add_user(hub, "ana@example.org", "analyst"))
    result = refused(add_user(hub, "ANA@example.org", "admin", password="other-password-9"))
    assert "ana@example.org" in result.stderr
    assert "已存在" in result.stderr
    assert emails(db) == ["ana@example.org"]
    with db.reading() as session:
        assert service.user_by_email(session, "ana@example.org").roles == {Role.ANALYST}


def test_user_add_refuses_a_short_password(hub: Cli, db: Database) -> None:
    result = refused(add_user(hub, "ana@example.org", "analyst", password="short"))
    assert "password_too_short" in result.stderr
    assert "密码至少需要10个字符" in result.stderr
    english = refused(hub("user", "add", "ana@example.org", "--password", "short", lang="en"))
    assert "at least 10 characters" in flat(english.stderr)
    assert emails(db) == []


def test_user_add_refuses_an_unknown_organisation(hub: Cli, db: Database) -> None:
    result = refused(hub("user", "add", "ana@example.org", "--no-password", "--org", "42"))
    assert "organisation_id" in result.stderr
    assert emails(db) == []


def test_user_passwd_changes_the_password(hub: Cli, db: Database) -> None:
    ok(add_user(hub, "ana@example.org", "analyst"))
    new = "a-brand-new-password"
    result = ok(hub("user", "passwd", "ANA@example.org", "--password", new))
    assert "密码已更新" in result.stdout
    assert service.authenticate(db, "ana@example.org", new, client="t", max_failures=99)
    with pytest.raises(BadCredentials):
        service.authenticate(db, "ana@example.org", PASSWORD, client="t", max_failures=99)

    # Asked for twice when not given.
    prompted = "prompted-password-1"
    ok(hub("user", "passwd", "ana@example.org", input=f"{prompted}\n{prompted}\n"))
    assert service.authenticate(db, "ana@example.org", prompted, client="t", max_failures=99)


def test_user_passwd_refuses_a_short_password_and_an_unknown_user(hub: Cli, db: Database) -> None:
    ok(add_user(hub, "ana@example.org", "analyst"))
    refused(hub("user", "passwd", "ana@example.org", "--password", "short"))
    assert service.authenticate(db, "ana@example.org", PASSWORD, client="t", max_failures=99)

    missing = refused(hub("user", "passwd", "nobody@example.org", "--password", PASSWORD))
    assert "nobody@example.org" in missing.stderr


# --- organisations ---------------------------------------------------------------------------


def test_org_add_and_list(hub: Cli, db: Database) -> None:
    args = ("--name-zh", "宁波港务局", "--name-en", "Ningbo Port Authority", "--kind", "department")
    result = ok(hub("org", "add", *args, "--country", "cn"))
    assert "已添加机构 1" in result.stdout
    with db.reading() as session:
        (org,) = service.list_organisations(session)
        assert (org.name_zh, org.name_en, org.kind, org.country) == (
            "宁波港务局",
            "Ningbo Port Authority",
            "department",
            "CN",
        )

    zh = flat(ok(hub("org", "list")).stdout)
    assert "宁波港务局" in zh
    assert "Ningbo Port Authority" not in zh
    en = flat(ok(hub("org", "list", lang="en")).stdout)
    assert "Ningbo Port Authority" in en
    assert "department" in en

    # A person can then belong to it.
    ok(hub("user", "add", "ana@example.org", "--no-password", "--org", str(org.id)))
    with db.reading() as session:
        assert service.user_by_email(session, "ana@example.org").organisation_id == org.id


def test_org_add_refuses_an_unknown_kind(hub: Cli, db: Database) -> None:
    result = refused(
        hub("org", "add", "--name-zh", "甲", "--name-en", "A", "--kind", "guild", lang="en")
    )
    assert "guild" in result.stderr
    assert "Unknown organisation kind" in flat(result.stderr)
    with db.reading() as session:
        assert service.list_organisations(session) == []


# --- tokens ----------------------------------------------------------------------------------


def create_token(hub: Cli, email: str, *roles: str, name: str = "feed") -> str:
    role_args = [arg for role in roles for arg in ("--role", role)]
    result = ok(hub("token", "create", email, "--name", name, *role_args))
    found = TOKEN_RE.findall(result.output)
    assert len(found) == 1, result.output
    assert result.output.count("shk_") == 1
    return found[0]


def test_token_create_prints_a_token_carrying_only_the_roles_asked(hub: Cli, db: Database) -> None:
    ok(add_user(hub, "ana@example.org", "analyst", "subscriber"))
    secret = create_token(hub, "ana@example.org", "analyst")
    with db.transaction() as session:
        principal = service.verify_token(session, secret)
        assert principal.email == "ana@example.org"
        assert principal.roles == {Role.ANALYST}
        assert principal.via == "token"

    # Without --role the token carries all of its owner's roles.
    every = create_token(hub, "ana@example.org", name="all")
    with db.transaction() as session:
        assert service.verify_token(session, every).roles == {Role.ANALYST, Role.SUBSCRIBER}


def test_token_create_refuses_a_role_the_owner_lacks(hub: Cli, db: Database) -> None:
    ok(add_user(hub, "ana@example.org", "analyst"))
    result = refused(
        hub("token", "create", "ana@example.org", "--name", "x", "--role", "editor", lang="en")
    )
    assert "editor" in result.stderr
    assert "shk_" not in result.output
    with db.reading() as session:
        assert service.list_tokens(session) == []


def test_token_create_refuses_an_unknown_role_and_an_unknown_owner(hub: Cli, db: Database) -> None:
    ok(add_user(hub, "ana@example.org", "analyst"))
    assert (
        "bogus"
        in refused(
            hub("token", "create", "ana@example.org", "--name", "x", "--role", "bogus")
        ).stderr
    )
    assert (
        "nobody@example.org"
        in refused(hub("token", "create", "nobody@example.org", "--name", "x")).stderr
    )
    with db.reading() as session:
        assert service.list_tokens(session) == []


def test_token_list_never_prints_the_secret(hub: Cli) -> None:
    ok(add_user(hub, "ana@example.org", "analyst"))
    secret = create_token(hub, "ana@example.org", "analyst", name="nightly-feed")
    _, prefix, tail = secret.split("_", 2)
    for args in (("token", "list"), ("token", "list", "ana@example.org")):
        listing = ok(hub(*args)).output
        assert secret not in listing
        assert tail[:12] not in listing
        assert prefix in listing
        assert "nightly-feed" in listing
        assert "ana@example.org" in listing


def test_token_revoke(hub: Cli, db: Database) -> None:
    ok(add_user(hub, "ana@example.org", "analyst"))
    secret = create_token(hub, "ana@example.org", "analyst")
    with db.reading() as session:
        (token,) = service.list_tokens(session)
    result = ok(hub("token", "revoke", str(token.id)))
    assert f"已撤销令牌 {token.prefix}" in result.stdout
    with db.transaction() as session, pytest.raises(TokenInvalid):
        service.verify_token(session, secret)
    with db.reading() as session:
        assert service.list_tokens(session)[0].revoked_at is not None

    assert str(token.id + 1) in refused(hub("token", "revoke", str(token.id + 1))).stderr


def test_token_create_with_zero_expiry_days_is_refused(hub: Cli, db: Database) -> None:
    ok(add_user(hub, "ana@example.org", "analyst"))
    result = hub("token", "create", "ana@example.org", "--name", "x", "--expires-days", "0")
    with db.reading() as session:
        tokens = service.list_tokens(session)
    # Either refused, or a token that does expire; never a token that lives for ever.
    assert result.exit_code == 1 or all(t.expires_at is not None for t in tokens)


def test_token_create_with_absurd_expiry_is_refused_readably(hub: Cli) -> None:
    ok(add_user(hub, "ana@example.org", "analyst"))
    # A bad option value is a usage error: click's exit code 2, with the option named.
    result = refused(
        hub("token", "create", "ana@example.org", "--name", "x", "--expires-days", "9999999"),
        code=2,
    )
    assert "--expires-days" in result.output


# --- input the database cannot hold ------------------------------------------------------------


def test_org_add_resolves_the_country_and_refuses_an_unknown_one(hub: Cli, db: Database) -> None:
    ok(
        hub(
            "org", "add", "--name-zh", "甲", "--name-en", "A", "--kind", "other", "--country", "CHN"
        )
    )
    ok(
        hub(
            "org",
            "add",
            "--name-zh",
            "乙",
            "--name-en",
            "B",
            "--kind",
            "other",
            "--country",
            "捷克",
        )
    )
    result = refused(
        hub(
            "org",
            "add",
            "--name-zh",
            "丙",
            "--name-en",
            "C",
            "--kind",
            "other",
            "--country",
            "Atlantis",
        )
    )
    assert "country" in result.stderr
    with db.reading() as session:
        assert [o.country for o in service.list_organisations(session)] == ["CN", "CZ"]


def test_user_add_refuses_an_email_longer_than_the_column(hub: Cli, db: Database) -> None:
    result = refused(hub("user", "add", "x" * 250 + "@example.org", "--no-password"))
    assert "email" in result.stderr
    assert emails(db) == []


# --- stores the command must not run on -------------------------------------------------------

NEEDS_STORE = [
    ("user", "list"),
    ("user", "add", "ana@example.org", "--password", PASSWORD),
    ("user", "passwd", "ana@example.org", "--password", PASSWORD),
    ("org", "list"),
    ("org", "add", "--name-zh", "甲", "--name-en", "A", "--kind", "other"),
    ("token", "list"),
    ("token", "create", "ana@example.org", "--name", "x"),
    ("token", "revoke", "1"),
    ("worker", "--until-empty"),
]


def test_commands_refuse_an_uninitialised_store(cli: Cli, db_url: str, tmp_path: Path) -> None:
    for args in NEEDS_STORE:
        result = refused(cli(*args), code=2)
        assert "silkhub init" in flat(result.stderr), (args, result.stderr)
        english = refused(cli(*args, lang="en"), code=2)
        assert "Run `silkhub init` first" in flat(english.stderr), (args, english.stderr)
    # Nothing was created: no SQLite file, no table in the PostgreSQL schema.
    assert not (tmp_path / "silkhub.db").exists()
    if db_url.startswith("postgresql"):
        db = Database.from_url(db_url)
        try:
            with db.engine.connect() as conn:
                assert inspect(conn).get_table_names() == []
        finally:
            db.dispose()


def test_default_store_in_a_fresh_data_dir_is_not_created(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"
    data_dir.mkdir()
    for args in NEEDS_STORE:
        result = refused(runner.invoke(app, ["--data-dir", str(data_dir), *args]), code=2)
        assert "silkhub init" in flat(result.stderr)
        assert str(data_dir / "silkhub.db") in flat(result.stderr)
    assert list(data_dir.iterdir()) == []
    assert not (tmp_path / "silkhub-data").exists()


def test_a_store_from_a_newer_silkhub_is_refused(hub: Cli, db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    for args in (("user", "list"), ("token", "list"), ("init",)):
        result = refused(hub(*args, lang="en"), code=2)
        assert "9999_future" in result.stderr
        assert "unknown to this silkhub" in flat(result.stderr)
    with db.engine.connect() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == "9999_future"


def test_an_unreachable_postgresql_server_is_a_readable_error(tmp_path: Path) -> None:
    url = "postgresql+psycopg://postgres:hunter2secret@127.0.0.1:1/test"
    for args in (("user", "list"), ("init",)):
        result = refused(
            runner.invoke(
                app,
                ["--data-dir", str(tmp_path / "d"), "--database-url", url, "--lang", "en", *args],
            ),
            code=1,
        )
        message = flat(result.stderr)
        assert "Cannot open the operational store" in message
        assert "127.0.0.1:1" in message
        assert "hunter2secret" not in result.output  # the password is never printed


def test_a_store_refused_at_start_is_closed(
    hub: Cli, db: Database, clean_environment: list[Database]
) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    before = len(clean_environment)
    refused(hub("user", "list"), code=2)
    opened = clean_environment[before:]
    assert opened, "the command opened no store"
    assert [d.engine.pool.checkedin() for d in opened] == [0] * len(opened)


def test_a_corrupt_sqlite_file_is_a_readable_error(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "silkhub.db").write_bytes(b"this is not a database" * 100)
    result = runner.invoke(app, ["--data-dir", str(data_dir), "user", "list"])
    refused(result, code=1)
    assert "silkhub.db" in result.stderr


# --- the audit log -----------------------------------------------------------------------------


def test_every_write_through_the_cli_is_audited_as_the_cli(hub: Cli, db: Database) -> None:
    ok(hub("org", "add", "--name-zh", "甲", "--name-en", "A", "--kind", "enterprise"))
    ok(hub("user", "add", "ana@example.org", "--password", PASSWORD, "--role", "analyst"))
    ok(hub("user", "passwd", "ana@example.org", "--password", "another-password"))
    create_token(hub, "ana@example.org", "analyst")
    ok(hub("token", "revoke", "1"))
    # Refused commands leave no trace.
    refused(add_user(hub, "bo@example.org", "bogus"))
    refused(hub("token", "create", "ana@example.org", "--name", "x", "--role", "admin"))

    with db.reading() as session:
        entries, total = service.audit_entries(session, limit=1000)
    assert total == len(entries) > 0
    assert all(e.actor.startswith("cli:") for e in entries), {e.actor for e in entries}
    assert all(e.actor_user_id is None for e in entries)
    done = {(e.entity, e.action) for e in entries}
    assert {
        ("organisations", "insert"),
        ("users", "insert"),
        ("user_roles", "insert"),
        ("users", "update"),
        ("api_tokens", "insert"),
        ("api_tokens", "update"),
    } <= done
    assert not any(
        e.entity == "users" and e.changes.get("email") == "bo@example.org" for e in entries
    )
    assert sum(1 for e in entries if e.entity == "api_tokens" and e.action == "insert") == 1
    # Secrets are never in the log.
    secret_values = [
        e.changes[column]
        for e in entries
        for column in ("password_hash", "token_hash")
        if column in e.changes
    ]
    assert len(secret_values) >= 3  # user insert, password change, token insert
    assert set(secret_values) == {"[redacted]"}


# --- background jobs -----------------------------------------------------------------------


def make_dead_job(db: Database, kind: str = "test.boom") -> int:
    with db.transaction() as session:
        outbox.enqueue(session, kind, {"n": 1}, max_attempts=1)
    claimed = outbox.claim(db.engine, "w1", lease_seconds=30)
    assert claimed is not None
    outbox.fail(db.engine, claimed, "receiver said 550 no such user", permanent=True, backoff=1.0)
    return claimed.id


def test_status_dead_and_requeue(hub: Cli, db: Database) -> None:
    job_id = make_dead_job(db)
    with db.transaction() as session:
        outbox.enqueue(session, "test.fine", {})
    status = flat(ok(hub("jobs", "status", lang="en")).stdout)
    assert "│ pending │ 1 │" in status
    assert "│ dead │ 1 │" in status
    dead = flat(ok(hub("jobs", "dead", lang="en")).stdout)
    assert "test.boom" in dead
    assert "550 no such user" in dead
    requeued = ok(hub("jobs", "requeue", str(job_id), "999", lang="en"))
    assert "Requeued 1 job(s)." in requeued.stdout
    assert "not dead" in requeued.stdout
    with db.reading() as session:
        assert outbox.stats(session)["dead"] == 0
        assert outbox.stats(session)["pending"] == 2
