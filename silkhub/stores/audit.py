"""The audit log: who wrote what, when.

Services do not write audit rows by hand. ``install_audit`` hooks the session's flush and
records every insert, update and delete of a model that does not opt out
(``__audit__ = False``; columns named in ``__audit_ignore__`` are bookkeeping whose changes
alone are not recorded), in the same transaction as the change itself, so no write goes
unrecorded and no record exists for a write that was rolled back. The actor is whatever the
caller put in ``session.info["actor"]`` (see ``Actor``); with none, the write is recorded as
made by the system.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from silkhub.stores.operational import Base, utcnow


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person (user id), a machine token, or the system."""

    user_id: int | None
    label: str  # an e-mail, "<e-mail> (token <prefix>)", "system", "cli:<user>", "worker:<id>"

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(None, label)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __audit__ = False

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # No foreign key: the record outlives the account it names.
    actor_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))  # insert, update, delete
    entity: Mapped[str] = mapped_column(String(100), index=True)  # table name
    entity_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


_SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "secret", "csrf_token", "session_hash"})


def _value(v: Any) -> Any:
    if v is None or isinstance(v, str | int | float | bool):
        return v
    if isinstance(v, datetime):
        return v.isoformat()
    return str(v)


def _changes(obj: Any, action: str) -> dict[str, Any]:
    state = inspect(obj)
    ignored: frozenset[str] = getattr(obj, "__audit_ignore__", frozenset())
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        hist = state.attrs[key].history
        if action == "update" and (key in ignored or not hist.has_changes()):
            continue
        if key in _SECRET_COLUMNS:
            out[key] = "[redacted]"
            continue
        if action == "update":
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            out[key] = [_value(old), _value(new)]
        else:
            out[key] = _value(getattr(obj, key))
    return out


def _primary_key(obj: Any) -> str | None:
    identity = inspect(obj).identity
    if identity is None:
        return None
    return ",".join(str(part) for part in identity)


def _record(session: Session, pending: list[tuple[Any, str, dict[str, Any]]]) -> None:
    actor = session.info.get("actor") or Actor.system()
    for obj, action, changes in pending:
        session.add(
            AuditEntry(
                actor_user_id=actor.user_id,
                actor=actor.label,
                action=action,
                entity=obj.__tablename__,
                entity_id=_primary_key(obj),
                changes=changes,
            )
        )


def _audited(obj: Any) -> bool:
    return getattr(obj, "__audit__", True) and hasattr(obj, "__tablename__")


def install_audit(factory: sessionmaker[Session]) -> None:
    """Record every audited write made through sessions of ``factory``."""

    @event.listens_for(factory, "before_flush")
    def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
        # Updates and deletes are described before the flush, while the old values are known.
        pending = session.info.setdefault("audit_pending", [])
        for obj in session.dirty:
            if _audited(obj) and session.is_modified(obj, include_collections=False):
                changes = _changes(obj, "update")
                if changes:
                    pending.append((obj, "update", changes))
        for obj in session.deleted:
            if _audited(obj):
                pending.append((obj, "delete", _changes(obj, "delete")))
        session.info.setdefault("audit_new", []).extend(o for o in session.new if _audited(o))

    @event.listens_for(factory, "after_flush_postexec")
    def _after_flush(session: Session, _ctx: Any) -> None:
        # Inserts are described after the flush, when their primary keys exist; rows added
        # here are flushed by the session's next pass (commit flushes until clean).
        pending: list[tuple[Any, str, dict[str, Any]]] = session.info.pop("audit_pending", [])
        for obj in session.info.pop("audit_new", []):
            pending.append((obj, "insert", _changes(obj, "insert")))
        if pending:
            _record(session, pending)

    @event.listens_for(factory, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop("audit_pending", None)
        session.info.pop("audit_new", None)
