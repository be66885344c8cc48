"""Background jobs of the alerts capability (see ``deliveries`` for the delivery model):

- ``alerts.deliver``: send a batch of e-mail or webhook deliveries (or one, on retry);
- ``alerts.publish``: publish an item at its scheduled time;
- ``alerts.digest``: send the daily digests due at an hour.

One SMTP connection and one HTTP client are kept per worker thread and reused across jobs:
opening a connection per message is what would make delivery slow.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from silkhub.accounts.models import User
from silkhub.alerts import deliveries, messages, service
from silkhub.alerts.models import (
    AlertItem,
    AlertVersion,
    Bulletin,
    Channel,
    Delivery,
    DeliveryStatus,
    Subscriber,
)
from silkhub.core.errors import Message, TemporaryJobError
from silkhub.delivery import (
    ALERTS_SIGNATURE_HEADER,
    Outcome,
    SmtpMailer,
    make_token,
    post_webhook,
    raise_for_outcome,
    webhook_client,
)
from silkhub.delivery.email import EmailTemplate
from silkhub.delivery.outcome import Status
from silkhub.jobs import Handler, JobContext
from silkhub.settings import Settings
from silkhub.stores.outbox import enqueue

UNSUBSCRIBE = "alerts-unsubscribe"
OPENED = "alerts-opened"

_local = threading.local()


def _mailer(settings: Settings) -> SmtpMailer:
    key = (settings.smtp_host, settings.smtp_port)
    held = getattr(_local, "mailer", None)
    if held is None or held[0] != key:
        if held is not None:
            held[1].close()
        held = (key, SmtpMailer(settings))
        _local.mailer = held
    mailer: SmtpMailer = held[1]
    return mailer


def _client(settings: Settings) -> httpx.Client:
    held = getattr(_local, "client", None)
    if held is None:
        held = webhook_client(settings)
        _local.client = held
    client: httpx.Client = held
    return client


def close_connections() -> None:
    """Close this thread's SMTP connection and HTTP client (tests, shutdown)."""
    held = getattr(_local, "mailer", None)
    if held is not None:
        held[1].close()
        _local.mailer = None
    client = getattr(_local, "client", None)
    if client is not None:
        client.close()
        _local.client = None


def receipt_url(settings: Settings, delivery: Delivery) -> str:
    """The read-receipt image of one e-mail delivery."""
    subject = f"{delivery.id}:{delivery.user_id}"
    token = make_token(settings.resolved_secret_key(), OPENED, subject)
    return f"{settings.base_url.rstrip('/')}/alerts/opened/{token}.gif"


def unsubscribe_url(settings: Settings, user_id: int) -> str:
    token = make_token(settings.resolved_secret_key(), UNSUBSCRIBE, str(user_id))
    return f"{settings.base_url.rstrip('/')}/alerts/unsubscribe?token={token}"


def _version(item: AlertItem, number: int | None) -> AlertVersion:
    return next(v for v in item.versions if v.number == (number or item.published_version))


class _Content:
    """What one delivery says, rendered once per (thing, language) within a batch."""

    def __init__(self, session: Session, settings: Settings, now: datetime) -> None:
        self.session = session
        self.settings = settings
        self.now = now
        self.base = settings.base_url.rstrip("/")
        self._templates: dict[tuple[Any, ...], EmailTemplate] = {}
        self._payloads: dict[tuple[Any, ...], tuple[str, bytes]] = {}

    def email(self, d: Delivery, lang: str) -> EmailTemplate:
        """The message of ``d`` in ``lang``, built once per batch for everyone who reads it in
        that language; each person's unsubscribe link goes where ``EmailTemplate.LINK`` is."""
        key = ("email", d.item_id, d.item_version, d.bulletin_id, d.digest_items, lang)
        if key not in self._templates:
            rendered = self._render(d, lang, EmailTemplate.LINK, EmailTemplate.HTML_LINK)
            self._templates[key] = EmailTemplate(
                self.settings,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                language=lang,
                date=self.now,
            )
        return self._templates[key]

    def _render(
        self, d: Delivery, lang: str, unsubscribe: str | None, receipt: str | None
    ) -> messages.Rendered:
        if d.item_id is not None:
            item = self.session.get(AlertItem, d.item_id)
            assert item is not None
            return messages.item_message(
                item, _version(item, d.item_version), lang, self.base, unsubscribe, receipt
            )
        if d.bulletin_id is not None:
            bulletin = self.session.get(Bulletin, d.bulletin_id)
            assert bulletin is not None
            return messages.bulletin_message(bulletin, lang, self.base, unsubscribe, receipt)
        ids = [int(i) for i in (d.digest_items or "").split()]
        items = list(self.session.scalars(select(AlertItem).where(AlertItem.id.in_(ids))))
        return messages.digest_message(
            [(i, _version(i, None)) for i in items],
            d.digest_period or "",
            lang,
            self.base,
            unsubscribe,
            receipt,
        )

    def webhook(self, d: Delivery) -> bytes:
        # The payload is the same for every recipient: serialised once per batch.
        key = ("webhook", d.item_id, d.item_version, d.bulletin_id, d.digest_items)
        if key not in self._payloads:
            self._payloads[key] = self._webhook_payload(d)
        event, payload = self._payloads[key]
        return messages.webhook_body(event, d.idempotency_key, payload)

    def _webhook_payload(self, d: Delivery) -> tuple[str, bytes]:
        if d.item_id is not None:
            item = self.session.get(AlertItem, d.item_id)
            assert item is not None
            payload = messages.item_payload(item, _version(item, d.item_version), self.base)
            event = (
                "alert.cancelled" if payload["item"]["msg_type"] == "Cancel" else "alert.published"
            )
        elif d.bulletin_id is not None:
            bulletin = self.session.get(Bulletin, d.bulletin_id)
            assert bulletin is not None
            event = "bulletin.published"
            payload = {
                "bulletin": {
                    "series": bulletin.series.code,
                    "number": bulletin.number,
                    "title": {"zh": bulletin.title_zh, "en": bulletin.title_en},
                    "items": [e.item.uid for e in bulletin.entries],
                    "links": {
                        "pdf": f"{self.base}/api/alerts/bulletins/"
                        f"{bulletin.series.code}/{bulletin.number}?format=pdf"
                    },
                }
            }
        else:
            ids = [int(i) for i in (d.digest_items or "").split()]
            items = self.session.scalars(select(AlertItem).where(AlertItem.id.in_(ids)))
            event = "digest"
            payload = {
                "period": d.digest_period,
                "items": [
                    messages.item_payload(i, _version(i, None), self.base)["item"] for i in items
                ],
            }
        return event, messages.payload_json(payload)


def _send(
    ctx: JobContext, content: _Content, d: Delivery, user: User, sub: Subscriber | None
) -> Outcome:
    lang = (sub.language if sub else None) or user.language or "zh"
    if d.channel == Channel.EMAIL.value:
        unsubscribe = unsubscribe_url(ctx.settings, user.id)
        template = content.email(d, lang)
        mailer = _mailer(ctx.settings)
        if not user.email.isascii():  # needs SMTPUTF8: the email package's full path
            message = template.message(
                to=user.email,
                idempotency_key=d.idempotency_key,
                link=unsubscribe,
                html_link=receipt_url(ctx.settings, d),
                unsubscribe_url=unsubscribe,
            )
            return mailer.send(message)
        data = template.render(
            to=user.email,
            idempotency_key=d.idempotency_key,
            link=unsubscribe,
            html_link=receipt_url(ctx.settings, d),
            unsubscribe_url=unsubscribe,
        )
        return mailer.send_bytes(data, sender=template.sender, recipient=user.email)
    if sub is None or not sub.webhook_url or not sub.webhook_secret:
        return Outcome(
            Status.PERMANENT,
            "no_webhook",
            Message("此人已取消 webhook。", "This person no longer has a webhook."),
        )
    return post_webhook(
        _client(ctx.settings),
        sub.webhook_url,
        content.webhook(d),
        secret=sub.webhook_secret,
        idempotency_key=d.idempotency_key,
        signature_header=ALERTS_SIGNATURE_HEADER,
    )


def deliver(ctx: JobContext) -> None:
    keys: list[str] = list(ctx.job.payload["keys"])
    own = ctx.job.idempotency_key in keys  # a single delivery's own (retry) job
    session = ctx.session
    rows = session.execute(
        select(Delivery, User, Subscriber)
        .join(User, User.id == Delivery.user_id)
        .join(Subscriber, Subscriber.user_id == Delivery.user_id, isouter=True)
        .where(Delivery.idempotency_key.in_(keys))
        .order_by(Delivery.id)
    ).all()
    content = _Content(session, ctx.settings, ctx.now)
    # What each attempt came to, written at the end in one statement: a batch is hundreds of
    # rows, and one UPDATE each (the ORM's flush) costs as much as a webhook call.
    results: list[dict[str, Any]] = []
    for d, user, sub in rows:
        if d.status != DeliveryStatus.QUEUED.value:
            continue  # sent by an earlier run of this job, or read meanwhile
        if d.channel == Channel.EMAIL.value and sub is not None and sub.email_unsubscribed_at:
            results.append(_result(d, DeliveryStatus.DEAD, "unsubscribed", ctx.now, tried=False))
            continue
        outcome = _send(ctx, content, d, user, sub)
        if outcome.sent:
            results.append(_result(d, DeliveryStatus.SENT, None, ctx.now))
        elif outcome.permanent:
            error = f"{outcome.code}: {outcome.reason.en}"
            results.append(_result(d, DeliveryStatus.DEAD, error, ctx.now))
            if outcome.code == "gone" and sub is not None and d.channel == Channel.WEBHOOK.value:
                # 410 Gone: the receiver says stop. The channel is switched off (the URL is
                # kept, for the person to see and turn back on); nothing more is sent there.
                sub.channels = " ".join(
                    c for c in sub.channels.split() if c != Channel.WEBHOOK.value
                )
        elif own:
            raise_for_outcome(outcome)  # the worker retries this delivery with backoff
        else:
            error = f"{outcome.code}: {outcome.reason.en}"
            results.append(_result(d, DeliveryStatus.QUEUED, error, ctx.now))
            # Its own job waits the worker's first backoff (or what the receiver asked), then
            # backs off as every job does.
            wait = timedelta(
                seconds=max(outcome.retry_after or 0.0, ctx.settings.worker_backoff_seconds)
            )
            enqueue(
                session,
                deliveries.DELIVER_JOB,
                {"keys": [d.idempotency_key]},
                idempotency_key=d.idempotency_key,
                run_after=ctx.now + wait,
                now=ctx.now,
            )
    if results:
        table: Any = Delivery.__table__
        session.execute(
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values(
                status=bindparam("new_status"),
                attempts=bindparam("new_attempts"),
                last_error=bindparam("new_error"),
                sent_at=bindparam("new_sent_at"),
                failed_at=bindparam("new_failed_at"),
            ),
            results,
        )


def _result(
    d: Delivery, status: DeliveryStatus, error: str | None, now: datetime, *, tried: bool = True
) -> dict[str, Any]:
    sent = status is DeliveryStatus.SENT
    return {
        "row_id": d.id,
        "new_status": status.value,
        "new_attempts": d.attempts + (1 if tried else 0),
        "new_error": error,
        "new_sent_at": now if sent else d.sent_at,
        "new_failed_at": None if sent else now,
    }


def publish_scheduled(ctx: JobContext) -> None:
    service.publish_due(
        ctx.session, ctx.job.payload["uid"], int(ctx.job.payload["version"]), ctx.now
    )


def digest(ctx: JobContext) -> None:
    due = datetime.fromisoformat(ctx.job.payload["due"])
    if ctx.now < due:
        raise TemporaryJobError(
            "the digest hour has not come yet", retry_after=(due - ctx.now).total_seconds()
        )
    deliveries.run_digests(ctx.session, due, now=ctx.now)


HANDLERS: dict[str, Handler] = {
    deliveries.DELIVER_JOB: deliver,
    service.PUBLISH_JOB: publish_scheduled,
    deliveries.DIGEST_JOB: digest,
}
