"""The analytical store's datasets on Apache Spark, for the same Ibis expressions.

``SparkStore(store, session)`` registers every dataset as a Spark temporary view named after it
(``session.read.parquet(<dataset directory>)``) and runs expressions there. Nothing here imports
PySpark at module level: it is an optional dependency (``silkhub[spark]``), and only this module
needs it.

In production Spark usually reads the same directories from shared storage: pass ``base_uri``
(``s3a://bucket/analytical``, ``hdfs:///silkhub/analytical``) and each dataset is read from
``<base_uri>/<name>``. The list of datasets still comes from the store's root, which must
therefore hold the same datasets (a mount of, or the source synced to, that storage).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa

from silkhub.stores.analytical import AnalyticalStore, IbisExpr, normalise

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PySparkBackend = Any  # ibis.backends.pyspark.Backend (ibis ships no type information)


def spark_backend(
    store: AnalyticalStore, session: SparkSession, *, base_uri: str | None = None
) -> PySparkBackend:
    """Register each dataset of ``store`` as a temp view in ``session``; an Ibis backend on it.

    Note that ``ibis.pyspark.connect`` sets the session's time zone to UTC (Ibis relies on it).
    """
    register_datasets(store, session, base_uri=base_uri)
    return ibis.pyspark.connect(session)


def register_datasets(
    store: AnalyticalStore, session: SparkSession, *, base_uri: str | None = None
) -> list[str]:
    """(Re)create a temp view per dataset; return their names.

    Spark lists a directory's files when the view is made, so views made before a write do
    not see it: call this again (``SparkStore.refresh``) after writing.
    """
    names = store.datasets()
    for name in names:
        location = f"{base_uri.rstrip('/')}/{name}" if base_uri else str(store.path(name))
        session.read.parquet(location).createOrReplaceTempView(name)
    return names


class SparkStore:
    """An ``AnalyticalStore``'s datasets, queried on Spark; ``execute`` mirrors the store's."""

    def __init__(
        self, store: AnalyticalStore, session: SparkSession, *, base_uri: str | None = None
    ) -> None:
        self.store = store
        self.session = session
        self.base_uri = base_uri
        self.backend: PySparkBackend = spark_backend(store, session, base_uri=base_uri)

    def refresh(self) -> None:
        """Re-register the dataset views, so they see writes made since."""
        register_datasets(self.store, self.session, base_uri=self.base_uri)

    def execute(self, expr: IbisExpr, *, extra: Mapping[str, pa.Table] | None = None) -> pa.Table:
        """Run ``expr`` on Spark; the result as a pyarrow Table of the expression's schema.

        ``extra`` tables become temp views for this call only. Temp views belong to the
        session, so two concurrent calls on one session must not use the same extra names.
        """
        extra = dict(extra or {})
        self.store.check(expr, extra=extra)
        try:
            for name, table in extra.items():
                _dataframe(self.session, table).createOrReplaceTempView(name)
            return normalise(self._collect(expr.as_table()), expr)
        finally:
            for name in extra:
                self.session.catalog.dropTempView(name)

    def _collect(self, table_expr: IbisExpr) -> Any:
        # Ibis's own to_pyarrow goes through pandas (toPandas, then a conversion that trips a
        # pandas 3 deprecation warning); DataFrame.toArrow (PySpark 4) skips pandas entirely.
        self.backend._run_pre_execute_hooks(table_expr)  # registers memtables and UDFs, if any
        frame = self.backend.raw_sql(self.backend.compile(table_expr))
        if not hasattr(frame, "toArrow"):  # PySpark 3.5
            return frame.toPandas()
        with warnings.catch_warnings():
            # PySpark leaves the result socket to the garbage collector ("The socket will be
            # automatically closed when garbage-collected", pyspark/util.py).
            warnings.filterwarnings("ignore", r"unclosed <socket\.socket", ResourceWarning)
            return frame.toArrow()


def _dataframe(session: SparkSession, table: pa.Table) -> Any:
    """A Spark DataFrame of an Arrow table (PySpark 4 takes Arrow; 3.5 needs pandas)."""
    import pyspark

    if int(pyspark.__version__.split(".")[0]) >= 4:
        return session.createDataFrame(table)
    return session.createDataFrame(table.to_pandas())
