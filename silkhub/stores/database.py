"""``Database``: the operational store as services see it — an engine, a session factory with
the audit hook installed, and units of work that say who is acting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from silkhub.stores.audit import Actor, install_audit
from silkhub.stores.operational import make_engine, session_factory


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = session_factory(engine)
        install_audit(self._sessions)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @contextmanager
    def transaction(self, actor: Actor | None = None) -> Iterator[Session]:
        """A unit of work: commits when the block ends, rolls back if it raises.

        Every write in it is audited as made by ``actor``.
        """
        with self._sessions.begin() as session:
            session.info["actor"] = actor or Actor.system()
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads. Closing it rolls back anything written in it; what it loaded
        stays readable afterwards (close detaches objects without expiring them)."""
        with self._sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
