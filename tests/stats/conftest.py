"""Fixtures of the statistics tests: a real analytical store, the demonstration hub (built once
per run, read-only), and the shared Spark session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from silkhub.demo.builder import build_demo
from silkhub.settings import Settings
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database
from tests.stores.conftest import spark  # noqa: F401  (the session-scoped Spark fixture)


@pytest.fixture
def analytical(tmp_path: Path) -> Iterator[AnalyticalStore]:
    """An empty analytical store in the test's temporary directory."""
    with AnalyticalStore(tmp_path / "analytical") as store:
        yield store


DEMO_SEED = 2020


@dataclass(frozen=True)
class DemoHub:
    """The demonstration hub's stores. Shared by every test of the run: read, never write."""

    data_dir: Path
    db: Database
    store: AnalyticalStore


@pytest.fixture(scope="session")
def demo_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoHub]:
    """The full demonstration hub (about 20 s to build), built once per test run."""
    data_dir = tmp_path_factory.mktemp("demo-hub") / "hub"
    settings = Settings(data_dir=data_dir, secret_key="test-secret-key-not-for-production")
    build_demo(settings, seed=DEMO_SEED, password="demo-password-1")
    db = Database.from_url(f"sqlite:///{data_dir / 'silkhub.db'}")
    store = AnalyticalStore(data_dir / "analytical")
    yield DemoHub(data_dir, db, store)
    store.close()
    db.dispose()
