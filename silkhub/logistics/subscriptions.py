"""Event subscriptions: a consumer registers a callback URL with filters; every new version of
a matching event (retractions included) is pushed to it through the outbox, signed.

- **Filters** are those of ``GET /events``: at least one of carrierBookingReference,
  transportDocumentReference, equipmentReference (all given must match), optionally
  eventTypes. A subscription to everything is not offered: one busy sender would flood it.
- **Matching** happens in the ingesting transaction: one ``logistics.push`` job per
  subscription and batch, written with the events, so a push exists exactly when its events
  do (``jobs.py`` sends it; the worker retries and dead-letters).
- **Signature** as in DCSA TNT 2.2: ``Notification-Signature: sha256=<hex>``, the HMAC-SHA256
  of the raw body under the subscription's secret. ``verify_signature`` is what a receiver
  does. The secret is shown once, at creation and at each rotation; a rotation takes effect
  for every push sent after it (including retries of earlier jobs).
- **Callback URLs** must be http(s), carry a host, and not point at this server: loopback and
  unspecified addresses, ``localhost``, and the host of ``SILKHUB_BASE_URL`` are refused
  (names are not resolved: a DNS name of this server that is not the base URL's is not seen).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.core.errors import InvalidInput, Location, Message, NotFound, Problem
from silkhub.logistics.events import EVENT_TYPES
from silkhub.logistics.models import Subscription
from silkhub.stores.operational import utcnow
from silkhub.stores.outbox import enqueue

PUSH_JOB = "logistics.push"
FILTER_KEYS = {
    "carrierBookingReference": "BKG",
    "transportDocumentReference": "TRD",
    "equipmentReference": "EQ",
}
_SELF_NAMES = frozenset({"localhost", "localhost.localdomain"})


@dataclass(frozen=True)
class Created:
    subscription: Subscription
    secret: str  # shown once


def sign(secret: str, body: bytes) -> str:
    """The ``Notification-Signature`` header's value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver checks: the header is the HMAC-SHA256 of the raw body it got."""
    return header is not None and hmac.compare_digest(sign(secret, body), header)


def _field(name: str) -> Location:
    return Location(field=f"body.{name}")


def check_callback(url: str, *, own_host: str | None) -> list[Problem]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [
            Problem(
                "bad_callback_url",
                Message(
                    f"回调地址“{url}”应为 http 或 https 网址。",
                    f"The callback URL {url!r} must be an http or https URL.",
                ),
                _field("callbackUrl"),
                url,
            )
        ]
    host = parts.hostname.lower().rstrip(".")
    itself = host in _SELF_NAMES or host == (own_host or "").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and (address.is_loopback or address.is_unspecified):
        itself = True
    if itself:
        return [
            Problem(
                "callback_to_self",
                Message(
                    f"回调地址“{url}”指向本服务器自身，不予接受。",
                    f"The callback URL {url!r} points at this server itself.",
                ),
                _field("callbackUrl"),
                url,
            )
        ]
    return []


def _check_filters(filters: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    clean: dict[str, Any] = {}
    for key in FILTER_KEYS:
        value = filters.get(key)
        if isinstance(value, str) and value.strip():
            clean[key] = value.strip()
    unknown = sorted(set(filters) - {*FILTER_KEYS, "eventTypes"})
    for key in unknown:
        problems.append(
            Problem(
                "unknown_filter",
                Message(f"未知的筛选条件“{key}”。", f"Unknown filter {key!r}."),
                _field(f"filters.{key}"),
                key,
            )
        )
    if not clean:
        problems.append(
            Problem(
                "filter_required",
                Message(
                    "订阅须至少按订舱号、运单号或集装箱号之一筛选。",
                    "A subscription filters by a booking, a transport document or a container "
                    "(at least one).",
                ),
                _field("filters"),
            )
        )
    types = filters.get("eventTypes") or []
    if not isinstance(types, list) or any(t not in EVENT_TYPES for t in types):
        problems.append(
            Problem(
                "bad_code",
                Message(
                    f"eventTypes 应为以下类型的列表：{', '.join(EVENT_TYPES)}。",
                    f"eventTypes must be a list of {', '.join(EVENT_TYPES)}.",
                ),
                _field("filters.eventTypes"),
                str(types),
            )
        )
    elif types:
        clean["eventTypes"] = sorted(set(types))
    return clean, problems


def create(
    session: Session,
    *,
    user_id: int,
    callback_url: str,
    filters: dict[str, Any],
    own_host: str | None,
) -> Created:
    clean, problems = _check_filters(filters)
    problems = check_callback(callback_url, own_host=own_host) + problems
    if problems:
        raise InvalidInput(problems[0].message, problems=problems, code=problems[0].code)
    secret = secrets.token_urlsafe(32)
    subscription = Subscription(
        user_id=user_id, callback_url=callback_url, filters=clean, secret=secret
    )
    session.add(subscription)
    session.flush()
    return Created(subscription, secret)


def owned(session: Session, subscription_id: int, user_id: int | None) -> Subscription:
    """The subscription, if ``user_id`` owns it (``None``: anyone's, for admins)."""
    found = session.get(Subscription, subscription_id)
    if found is None or (user_id is not None and found.user_id != user_id):
        raise NotFound(
            Message(f"没有编号为 {subscription_id} 的订阅。", f"No subscription {subscription_id}.")
        )
    return found


def list_for(session: Session, user_id: int | None) -> list[Subscription]:
    stmt = select(Subscription).order_by(Subscription.id)
    if user_id is not None:
        stmt = stmt.where(Subscription.user_id == user_id)
    return list(session.execute(stmt).scalars())


def rotate(session: Session, subscription: Subscription) -> str:
    secret = secrets.token_urlsafe(32)
    subscription.secret = secret
    subscription.secret_rotated_at = utcnow()
    session.flush()
    return secret


def delete(session: Session, subscription: Subscription) -> None:
    session.delete(subscription)
    session.flush()


@dataclass(frozen=True)
class NewVersion:
    """A stored event version, as matching sees it."""

    row_id: int
    event_type: str | None
    refs: Sequence[tuple[str, str]]


def matches(filters: dict[str, Any], version: NewVersion) -> bool:
    refs = set(version.refs)
    for key, kind in FILTER_KEYS.items():
        wanted = filters.get(key)
        if wanted and (kind, wanted) not in refs:
            return False
    types = filters.get("eventTypes")
    return not types or version.event_type in types


def enqueue_pushes(session: Session, versions: Iterable[NewVersion]) -> int:
    """One push job per active subscription that a version of this batch matches."""
    active = list(
        session.execute(select(Subscription).where(Subscription.active.is_(True))).scalars()
    )
    if not active:  # the usual bulk import: nothing to match, nothing to build
        return 0
    batch = list(versions)
    jobs = 0
    for sub in active:
        rows = [v.row_id for v in batch if matches(sub.filters, v)]
        if rows:
            enqueue(
                session,
                PUSH_JOB,
                {"subscription": sub.id, "events": rows},
                idempotency_key=f"{PUSH_JOB}:{sub.id}:{rows[0]}-{rows[-1]}:{len(rows)}",
            )
            jobs += 1
    return jobs
