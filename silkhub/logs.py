"""Log records to standard error, one line each, with time, level and logger: what an
operator's log collector (journald, docker, a file) expects from a service."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Set up the root logger once; a process that configured logging itself is left alone."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic announces every migration context at INFO; that is noise at every start-up.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
