"""Fixtures of the statistics tests: a real analytical store, the demonstration hub (built once
per run, read-only; defined in tests/conftest.py), and the shared Spark session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from silkhub.stores.analytical import AnalyticalStore
from tests.conftest import DEMO_SEED, DemoHub  # noqa: F401  (re-exported for the tests)
from tests.stores.conftest import spark  # noqa: F401  (the session-scoped Spark fixture)


@pytest.fixture
def analytical(tmp_path: Path) -> Iterator[AnalyticalStore]:
    """An empty analytical store in the test's temporary directory."""
    with AnalyticalStore(tmp_path / "analytical") as store:
        yield store
