"""A small local Spark for tests: one core, loopback only, quiet, UTC.

Tests that need Spark use the ``spark`` fixture (``tests/stores/conftest.py``), which calls
``require_spark()`` and ``local_session()`` from here. Without PySpark or Java those tests skip;
with ``SILKHUB_TEST_REQUIRE_SPARK=1`` (CI sets it) they fail instead, so CI cannot go green
without having run them.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

REQUIRE_SPARK = os.environ.get("SILKHUB_TEST_REQUIRE_SPARK") == "1"

#: Settings of the test session, and why.
LOCAL_CONF = {
    "spark.master": "local[1]",  # one core: small data, and predictable on shared CI machines
    "spark.app.name": "silkhub-tests",
    "spark.ui.enabled": "false",  # no web UI port to bind (or collide on)
    "spark.ui.showConsoleProgress": "false",  # no progress bars in the test output
    "spark.sql.shuffle.partitions": "2",  # default 200 tasks per shuffle is slow on tiny data
    "spark.default.parallelism": "1",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.host": "127.0.0.1",  # stay on loopback: no DNS lookup of the host name,
    "spark.driver.bindAddress": "127.0.0.1",  # and nothing listening on outside interfaces
}

# Only errors from the JVM's logging: Spark's INFO/WARN startup chatter is noise in test output.
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def spark_unavailable() -> str | None:
    """Why Spark cannot run here, or None when it can."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'silkhub[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "java is not on PATH (PySpark needs a JDK 17)"
    return None


def require_spark() -> None:
    """Skip the calling test when Spark cannot run; fail if SILKHUB_TEST_REQUIRE_SPARK=1."""
    reason = spark_unavailable()
    if reason is None:
        return
    if REQUIRE_SPARK:
        pytest.fail(f"SILKHUB_TEST_REQUIRE_SPARK=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def local_session() -> Iterator[SparkSession]:
    """A local SparkSession with ``LOCAL_CONF``, stopped (and its JVM gone) on exit."""
    from pyspark.sql import SparkSession

    with tempfile.TemporaryDirectory(prefix="silkhub-spark-") as scratch:
        log_config = Path(scratch) / "log4j2.properties"
        log_config.write_text(_LOG4J2)
        builder = SparkSession.builder
        for key, value in LOCAL_CONF.items():
            builder = builder.config(key, value)
        builder = builder.config(
            "spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log_config}"
        ).config("spark.local.dir", scratch)
        # Otherwise Spark makes ./spark-warehouse in the working directory (the repository).
        builder = builder.config("spark.sql.warehouse.dir", str(Path(scratch) / "warehouse"))
        # SPARK_LOCAL_IP is read by the JVM that getOrCreate() launches, so it must be in the
        # environment before that; restored afterwards so nothing else sees the change.
        with pytest.MonkeyPatch.context() as env:
            env.setenv("SPARK_LOCAL_IP", "127.0.0.1")
            session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        try:
            yield session
        finally:
            session.stop()
