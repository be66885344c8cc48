"""Fixtures of the store tests: a local Spark session shared by the whole test run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.spark_support import local_session, require_spark

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """A local SparkSession (see ``tests/spark_support.py``); skips, or fails in CI, without one.

    Session-scoped because starting the JVM takes seconds; tests must drop the temp views they
    make (``SparkStore`` does) so that they do not see each other's.
    """
    require_spark()
    with local_session() as session:
        yield session
