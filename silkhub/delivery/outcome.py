"""What became of one delivery attempt, and how a job handler reports it to the worker.

Every channel (``webhook``, ``email``) returns an ``Outcome`` instead of raising, so that a
handler can record it (the delivery log: sent, failed and why) in its own transaction before
deciding whether the job failed. ``raise_for_outcome`` then turns a failure into the error the
worker understands: ``TemporaryJobError`` (retry with backoff) or ``PermanentJobError``
(dead-letter at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from silkhub.core.errors import Message, PermanentJobError, TemporaryJobError


class Status(StrEnum):
    SENT = "sent"
    TEMPORARY = "temporary"  # try again later: the receiver or the way to it is unwell
    PERMANENT = "permanent"  # do not try again: the receiver refused, or said stop


@dataclass(frozen=True, slots=True)
class Outcome:
    """One attempt at one recipient over one channel.

    ``code`` is stable and short, for logs and tables: ``sent``, ``http_503``, ``gone``,
    ``timeout``, ``connection_failed``, ``smtp_451``, ... ``reason`` says the same to a person,
    in both languages. ``status_code`` is the HTTP status or the SMTP reply code, when the
    other side answered. ``retry_after`` is the wait in seconds the receiver asked for
    (HTTP ``Retry-After``), if any.
    """

    status: Status
    code: str
    reason: Message
    status_code: int | None = None
    retry_after: float | None = None

    @property
    def sent(self) -> bool:
        return self.status is Status.SENT

    @property
    def temporary(self) -> bool:
        return self.status is Status.TEMPORARY

    @property
    def permanent(self) -> bool:
        return self.status is Status.PERMANENT


def sent(code: str, reason: Message, status_code: int | None = None) -> Outcome:
    return Outcome(Status.SENT, code, reason, status_code)


def temporary(
    code: str, reason: Message, status_code: int | None = None, retry_after: float | None = None
) -> Outcome:
    return Outcome(Status.TEMPORARY, code, reason, status_code, retry_after)


def permanent(code: str, reason: Message, status_code: int | None = None) -> Outcome:
    return Outcome(Status.PERMANENT, code, reason, status_code)


def raise_for_outcome(outcome: Outcome) -> None:
    """Return if the delivery was sent; else raise the job error the worker acts on.

    ``TemporaryJobError`` carries the receiver's ``retry_after``, which the worker honours
    within its bounds; ``PermanentJobError`` dead-letters the job at once. Both carry the
    bilingual reason and the outcome's ``code``, which the worker keeps as the job's error.
    """
    if outcome.status is Status.SENT:
        return
    if outcome.status is Status.TEMPORARY:
        raise TemporaryJobError(
            outcome.reason, retry_after=outcome.retry_after, code=f"delivery_{outcome.code}"
        )
    raise PermanentJobError(outcome.reason, code=f"delivery_{outcome.code}")
