"""Who gets what, on which channel: the delivery rows and the outbox jobs that send them.

Publishing an item (or a bulletin) finds the people it is for and, in the publisher's
transaction, writes one ``Delivery`` per person and channel, and outbox jobs that send them in
batches (``BATCH`` deliveries of one channel per job: one transaction per batch instead of one
per message is what makes hundreds of e-mails a second possible). The portal inbox needs no
job: its row is the delivery. Every delivery has an idempotency key
(``alert:<uid>:v<n>:<user>:<channel>``), unique, and carried by the e-mail's Message-ID and
the webhook's ``Idempotency-Key``: publishing twice, or a batch run twice after a crash, sends
nothing twice that the receiver cannot drop.

A batch job marks each delivery it sends ``sent``; a permanent failure marks it ``dead`` with
the reason; a temporary failure records the reason and enqueues a job of its own, keyed by
the delivery's key, which the worker retries with backoff until it succeeds or dead-letters.
So a delivery's state is its row, or, while its own job is retrying or dead, that job's
(``delivery_log``). "Resend to the failed only" requeues exactly the dead ones.

People who chose a daily digest get nothing at publication: ``run_digests`` sends each of them
one message per day at their hour with every item due, keyed by the day, so never two.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from silkhub.accounts.models import Organisation, User
from silkhub.alerts.matching import (
    SEVERITY_RANK,
    ItemFacets,
    SubscriptionRow,
    group_expander,
    matches,
    matching_users,
)
from silkhub.alerts.models import (
    AlertItem,
    Bulletin,
    BulletinSeries,
    Channel,
    Delivery,
    DeliveryStatus,
    Subscriber,
    Subscription,
)
from silkhub.alerts.readers import level_of
from silkhub.stores.operational import utcnow
from silkhub.stores.outbox import JobStatus, OutboxJob, enqueue, enqueue_many, requeue_dead

DELIVER_JOB = "alerts.deliver"
#: Deliveries of one channel per batch job.
BATCH = 200
DIGEST_JOB = "alerts.digest"
HUB_ZONE = ZoneInfo("Asia/Shanghai")
SENT_CHANNELS = (Channel.EMAIL.value, Channel.WEBHOOK.value)


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    organisation_id: int | None
    org_kind: str | None
    email: str
    language: str
    channels: tuple[str, ...]
    digest: bool
    digest_hour: int
    webhook_url: str | None
    email_ok: bool

    def may_read(self, confidentiality: str) -> bool:
        from silkhub.alerts.models import Confidentiality

        return Confidentiality(confidentiality).rank <= level_of(self.org_kind).rank

    def usable_channels(self) -> list[str]:
        usable = []
        for channel in self.channels:
            if channel == Channel.EMAIL.value and not self.email_ok:
                continue
            if channel == Channel.WEBHOOK.value and not self.webhook_url:
                continue
            usable.append(channel)
        if Channel.INBOX.value not in usable:
            usable.append(Channel.INBOX.value)  # everyone signed up has an inbox
        return usable


#: What a delivery needs to know of a person, read with their subscriptions or on its own.
_RECIPIENT_COLUMNS = (
    User.id,
    User.organisation_id,
    Organisation.kind,
    User.email,
    User.language,
    Subscriber.channels,
    Subscriber.language,
    Subscriber.digest,
    Subscriber.digest_hour,
    Subscriber.webhook_url,
    Subscriber.email_unsubscribed_at,
)


def _with_people(query: Any) -> Any:
    return query.join(Organisation, Organisation.id == User.organisation_id, isouter=True).join(
        Subscriber, Subscriber.user_id == User.id, isouter=True
    )


def _recipient(row: Sequence[Any]) -> Recipient:
    uid, org, kind, email, ulang, channels, slang, digest, hour, hook, unsub = row
    return Recipient(
        user_id=uid,
        organisation_id=org,
        org_kind=kind,
        email=email,
        language=slang or ulang or "zh",
        channels=tuple((channels or "email inbox").split()),
        digest=bool(digest),
        digest_hour=hour if hour is not None else 8,
        webhook_url=hook,
        email_ok=unsub is None,
    )


def _recipients(session: Session, user_ids: Iterable[int]) -> list[Recipient]:
    ids = sorted(set(user_ids))
    found: list[Recipient] = []
    for start in range(0, len(ids), 5000):  # keep IN lists well under driver limits
        chunk = ids[start : start + 5000]
        query = _with_people(select(*_RECIPIENT_COLUMNS)).where(
            User.id.in_(chunk), User.is_active.is_(True)
        )
        found.extend(_recipient(row) for row in session.execute(query))
    return found


def facets_of(item: AlertItem) -> ItemFacets:
    return ItemFacets(
        kind=item.kind,
        countries=frozenset(item.countries.split()),
        category=item.category,
        severity=item.severity,
        hs_codes=tuple(item.hs_codes.split()),
    )


def _candidate_filter(item: AlertItem) -> list[Any]:
    """The item subscriptions that may want ``item``: a superset, cut down in SQL by the
    facets a substring test can decide (kind, category, severity, named countries), so that
    Python's exact test (``matching``) reads thousands of rows rather than every one.
    Codes are whole space-separated tokens of fixed shape, so a substring never matches across
    two of them."""
    s = Subscription
    where = [
        s.active.is_(True),
        s.series == "",
        or_(s.kinds == "", s.kinds.contains(item.kind)),
    ]
    if item.category:
        where.append(or_(s.categories == "", s.categories.contains(item.category)))
    else:
        where.append(s.categories == "")
    if item.severity:
        rank = SEVERITY_RANK.get(item.severity, 0)
        allowed = [level for level, r in SEVERITY_RANK.items() if r <= rank]
        where.append(or_(s.min_severity.is_(None), s.min_severity.in_(allowed)))
    countries = item.countries.split()
    where.append(
        or_(
            and_(s.countries == "", s.groups == ""),
            s.groups != "",
            *[s.countries.contains(code) for code in countries],
        )
    )
    if not item.hs_codes:
        where.append(s.hs_prefixes == "")
    return where


def candidate_rows(session: Session, item: AlertItem) -> list[SubscriptionRow]:
    """The candidates' filters alone (digests; tests compare them with a plain scan)."""
    s = Subscription
    rows = session.execute(
        select(
            s.user_id, s.kinds, s.countries, s.groups, s.categories, s.min_severity, s.hs_prefixes
        ).where(*_candidate_filter(item))
    )
    return [SubscriptionRow(*row) for row in rows]


def recipients_of_item(session: Session, item: AlertItem) -> list[Recipient]:
    """The active people one of whose subscriptions wants ``item`` and who may read it: the
    candidates and what a delivery needs of each person come in one query."""
    as_of = (item.valid_from or item.published_at or utcnow()).date()
    facets = facets_of(item)
    members = group_expander(as_of)
    s = Subscription
    query = _with_people(
        select(
            s.user_id,
            s.kinds,
            s.countries,
            s.groups,
            s.categories,
            s.min_severity,
            s.hs_prefixes,
            *_RECIPIENT_COLUMNS,
        ).join(User, User.id == s.user_id)
    ).where(*_candidate_filter(item), User.is_active.is_(True))
    found: dict[int, Recipient] = {}
    for row in session.execute(query):
        if row[0] in found or not matches(SubscriptionRow(*row[:7]), facets, members):
            continue
        person = _recipient(row[7:])
        if person.may_read(item.confidentiality):
            found[person.user_id] = person
    return list(found.values())


def _insert_deliveries(
    session: Session, rows: Sequence[dict[str, Any]], same: dict[str, Any]
) -> None:
    """One executemany of ``rows`` (what differs per recipient), with ``same`` (what every row
    shares) written once into the statement: a fan-out of tens of thousands of rows spends its
    time converting parameters, and most of them are the same for every row."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    table: Any = Delivery.__table__
    varying = ("idempotency_key", "user_id", "organisation_id", "channel")
    # The shared values go through their columns' types once (a UTC timestamp as the store
    # keeps it), then into every row as they are; the driver's executemany does the rest. This
    # is the statement SQLAlchemy would build, without its per-row, per-parameter processing,
    # which at tens of thousands of rows costs more than the insert itself.
    shared = []
    for name, value in same.items():
        # ``dialect_impl``: the column type as this backend stores it (on SQLite a UTC
        # timestamp becomes the text SQLAlchemy writes and compares everywhere else).
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        shared.append(process(value) if process else value)
    names = [*varying, *same]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        # The table's own name and column names, not input.
        f"INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608
        f"VALUES ({', '.join([mark] * len(names))}) "
        "ON CONFLICT (idempotency_key) DO NOTHING"
    )
    connection.exec_driver_sql(sql, [(*(r[k] for k in varying), *shared) for r in rows])


def _fan_out(
    session: Session,
    recipients: Iterable[Recipient],
    key_prefix: str,
    fields: dict[str, Any],
    now: datetime,
    *,
    include_digest: bool = False,
) -> int:
    """Write the deliveries and jobs for ``recipients``; returns how many deliveries."""
    inbox_rows: list[dict[str, Any]] = []
    sent_rows: list[dict[str, Any]] = []
    batches: dict[str, list[str]] = {}
    for r in recipients:
        if r.digest and not include_digest:
            continue
        for channel in r.usable_channels():
            key = f"{key_prefix}:{r.user_id}:{channel}"
            row = {
                "idempotency_key": key,
                "user_id": r.user_id,
                "organisation_id": r.organisation_id,
                "channel": channel,
            }
            if channel == Channel.INBOX.value:
                inbox_rows.append(row)
            else:
                sent_rows.append(row)
                batches.setdefault(channel, []).append(key)
    same = {"queued_at": now, "attempts": 0, "demo": False, **fields}
    # In the inbox is delivered; the rest waits for the worker.
    _insert_deliveries(
        session, inbox_rows, {**same, "status": DeliveryStatus.SENT.value, "sent_at": now}
    )
    _insert_deliveries(session, sent_rows, {**same, "status": DeliveryStatus.QUEUED.value})
    jobs = [
        (f"{key_prefix}:{channel}:batch{start // BATCH}", {"keys": keys[start : start + BATCH]})
        for channel, keys in batches.items()
        for start in range(0, len(keys), BATCH)
    ]
    enqueue_many(session, DELIVER_JOB, jobs, now=now)
    return len(inbox_rows) + len(sent_rows)


def queue_item(session: Session, item: AlertItem, *, now: datetime | None = None) -> int:
    """Queue the published version of ``item`` to everyone it is for (immediate subscribers;
    digest subscribers get it in their next digest, for which a job is made ready)."""
    now = now or utcnow()
    recipients = recipients_of_item(session, item)
    count = _fan_out(
        session,
        recipients,
        f"alert:{item.uid}:v{item.published_version}",
        {"item_id": item.id, "item_version": item.published_version},
        now,
    )
    for hour in sorted({r.digest_hour for r in recipients if r.digest}):
        _schedule_digest(session, hour, now)
    return count


def queue_bulletin(session: Session, bulletin: Bulletin, *, now: datetime | None = None) -> int:
    """Queue a published bulletin to the subscribers of its series (digest or not: a bulletin
    is itself a compilation and goes out at once)."""
    now = now or utcnow()
    series: BulletinSeries = bulletin.series
    users = [
        row[0]
        for row in session.execute(
            select(Subscription.user_id)
            .where(Subscription.active.is_(True), Subscription.series != "")
            .where(Subscription.series.contains(series.code))
        ).all()
    ]
    recipients = [r for r in _recipients(session, users) if r.may_read(series.confidentiality)]
    return _fan_out(
        session,
        recipients,
        f"bulletin:{series.code}:{bulletin.number}",
        {"bulletin_id": bulletin.id},
        now,
        include_digest=True,
    )


# --- digests -------------------------------------------------------------------------------


def _next_hour_at(hour: int, now: datetime) -> datetime:
    local = now.astimezone(HUB_ZONE)
    due = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if due <= local:
        due += timedelta(days=1)
    return due.astimezone(UTC)


def _schedule_digest(session: Session, hour: int, now: datetime) -> None:
    due = _next_hour_at(hour, now)
    enqueue(
        session,
        DIGEST_JOB,
        {"due": due.isoformat()},
        idempotency_key=f"{DIGEST_JOB}:{due.isoformat()}",
        run_after=due,
        now=now,
    )


def run_digests(session: Session, due: datetime, *, now: datetime | None = None) -> int:
    """Send the digests due at ``due`` (a whole hour): to each person whose digest hour it is,
    one message per channel with every item published for them in the 24 hours before. The
    key holds the day, so a second run for the same hour sends nothing twice."""
    now = now or utcnow()
    local_due = due.astimezone(HUB_ZONE)
    period = local_due.date().isoformat()
    since = due - timedelta(days=1)
    items = list(
        session.scalars(
            select(AlertItem).where(AlertItem.published_at > since, AlertItem.published_at <= due)
        )
    )
    if not items:
        return 0
    wanted: dict[int, list[AlertItem]] = {}
    for item in items:
        as_of = (item.valid_from or item.published_at or due).date()
        for user in matching_users(candidate_rows(session, item), facets_of(item), as_of):
            wanted.setdefault(user, []).append(item)
    people = [
        r for r in _recipients(session, wanted) if r.digest and r.digest_hour == local_due.hour
    ]
    count = 0
    for r in people:
        mine = [i for i in wanted[r.user_id] if r.may_read(i.confidentiality)]
        if not mine:
            continue
        count += _fan_out(
            session,
            [r],
            f"digest:{period}:{r.user_id}",
            {"digest_period": period, "digest_items": " ".join(str(i.id) for i in mine)},
            now,
            include_digest=True,
        )
    return count


# --- the log -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryState:
    delivery: Delivery
    state: str  # queued, sent, retrying, dead, opened, read
    error: str | None
    attempts: int


def _state(delivery: Delivery, job: OutboxJob | None) -> DeliveryState:
    """The row says sent, dead, opened or read once it is; while it is queued, its own retry
    job (if any) says whether it is retrying or dead."""
    status = DeliveryStatus(delivery.status)
    if status is not DeliveryStatus.QUEUED:
        return DeliveryState(delivery, status.value, delivery.last_error, delivery.attempts)
    attempts = delivery.attempts + (job.attempts if job is not None else 0)
    if job is not None and job.status == JobStatus.DEAD.value:
        return DeliveryState(delivery, DeliveryStatus.DEAD.value, job.last_error, attempts)
    error = (job.last_error if job is not None else None) or delivery.last_error
    if error:
        return DeliveryState(delivery, "retrying", error, attempts)
    return DeliveryState(delivery, status.value, None, attempts)


def delivery_log(
    session: Session,
    *,
    item_id: int | None = None,
    bulletin_id: int | None = None,
    user_id: int | None = None,
    state: str | None = None,
    limit: int | None = None,
) -> list[DeliveryState]:
    query = select(Delivery, OutboxJob).join(
        OutboxJob, OutboxJob.idempotency_key == Delivery.idempotency_key, isouter=True
    )
    if item_id is not None:
        query = query.where(Delivery.item_id == item_id)
    if bulletin_id is not None:
        query = query.where(Delivery.bulletin_id == bulletin_id)
    if user_id is not None:
        query = query.where(Delivery.user_id == user_id)
    query = query.order_by(Delivery.id)
    states = [_state(d, j) for d, j in session.execute(query).all()]
    if state is not None:
        states = [s for s in states if s.state == state]
    return states[:limit] if limit else states


def resend_failed(
    session: Session,
    *,
    item_id: int | None = None,
    bulletin_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Give the dead deliveries of an item or bulletin another try: only those recipients."""
    now = now or utcnow()
    dead = delivery_log(session, item_id=item_id, bulletin_id=bulletin_id, state="dead")
    if not dead:
        return 0
    keys = [s.delivery.idempotency_key for s in dead]
    with_job = set(
        session.scalars(
            select(OutboxJob.idempotency_key).where(OutboxJob.idempotency_key.in_(keys))
        )
    )
    job_ids = session.scalars(
        select(OutboxJob.id).where(OutboxJob.idempotency_key.in_(with_job))
    ).all()
    requeued = requeue_dead(session, job_ids, extra_attempts=3, now=now)
    # Failed permanently inside a batch: no job of their own yet; give them one.
    fresh = [k for k in keys if k not in with_job]
    session.execute(
        update(Delivery)
        .where(Delivery.idempotency_key.in_(keys))
        .values(status=DeliveryStatus.QUEUED.value)
    )
    enqueue_many(session, DELIVER_JOB, [(k, {"keys": [k]}) for k in fresh], now=now)
    return requeued + len(fresh)


def mark_read(
    session: Session,
    delivery_id: int,
    user_id: int,
    *,
    opened: bool = False,
    now: datetime | None = None,
) -> bool:
    """A read receipt (the inbox) or an open (the e-mail's image); the first one counts."""
    status = DeliveryStatus.OPENED if opened else DeliveryStatus.READ
    result = session.execute(
        update(Delivery)
        .where(
            and_(
                Delivery.id == delivery_id,
                Delivery.user_id == user_id,
                Delivery.read_at.is_(None),
                Delivery.status == DeliveryStatus.SENT.value,
            )
        )
        .values(status=status.value, read_at=now or utcnow())
    )
    return bool(getattr(result, "rowcount", 0))
