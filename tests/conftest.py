"""Fixtures shared by every test: real databases, a fresh data directory, settings.

The operational store is tested on a SQLite file, and again on PostgreSQL when
``SILKHUB_TEST_POSTGRES_URL`` is set (each test gets a schema of its own, dropped afterwards).
With ``SILKHUB_TEST_REQUIRE_POSTGRES=1`` (CI sets it) a missing server fails the run instead of
skipping, so CI cannot go green without having run them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from silkhub.demo.builder import build_demo
from silkhub.settings import Settings
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database
from silkhub.stores.operational import make_engine
from silkhub.web.app import create_app

# The real SMTP and HTTP receivers on 127.0.0.1, for any test folder (see tests/receivers.py).
from tests.receivers import closed_port, http_receiver, smtp_server  # noqa: F401

POSTGRES_URL = os.environ.get("SILKHUB_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("SILKHUB_TEST_REQUIRE_POSTGRES") == "1"


def _backends() -> list[object]:
    backends: list[object] = ["sqlite"]
    if POSTGRES_URL or REQUIRE_POSTGRES:
        backends.append(pytest.param("postgres", marks=pytest.mark.postgres))
    return backends


@pytest.fixture(params=_backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty operational store: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'silkhub.db'}"
        return
    if not POSTGRES_URL:
        pytest.fail("SILKHUB_TEST_REQUIRE_POSTGRES=1 but SILKHUB_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An operational store at this version's schema (migrated the way `silkhub init` does)."""
    from silkhub.migrations import upgrade

    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings for a fresh hub in a temporary data directory, on the store under test."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key="test-secret-key-not-for-production",
    )


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its production cost takes ~0.1 s a hash, which adds up over hundreds of test
    users; the algorithm is the same at its cheapest profile. ``test_production_hash_cost``
    checks the real parameters."""
    from argon2 import PasswordHasher, profiles

    from silkhub.accounts import service

    monkeypatch.setattr(service, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))


DEMO_SEED = 2020
#: The password of every login of the session's demonstration hub.
DEMO_PASSWORD = "demo-password-1"


@dataclass(frozen=True)
class DemoHub:
    """The demonstration hub's stores. Shared by every test of the run: read, never write."""

    data_dir: Path
    db: Database
    store: AnalyticalStore


@pytest.fixture(scope="session")
def demo_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoHub]:
    """The full demonstration hub (about 30 s to build), built once per test run."""
    data_dir = tmp_path_factory.mktemp("demo-hub") / "hub"
    settings = Settings(data_dir=data_dir, secret_key="test-secret-key-not-for-production")
    build_demo(settings, seed=DEMO_SEED, password=DEMO_PASSWORD)
    db = Database.from_url(f"sqlite:///{data_dir / 'silkhub.db'}")
    store = AnalyticalStore(data_dir / "analytical")
    yield DemoHub(data_dir, db, store)
    store.close()
    db.dispose()


@pytest.fixture(scope="module")
def demo_client(demo_hub: DemoHub) -> Iterator[TestClient]:
    """The portal and API of the demonstration hub, for tests that only read."""
    settings = Settings(data_dir=demo_hub.data_dir, secret_key="test-secret-key-not-for-production")
    with TestClient(create_app(settings, db=demo_hub.db)) as client:
        yield client
