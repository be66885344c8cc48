"""Delivery channels: signed webhooks and e-mail over SMTP, each attempt classified.

Foundation layer: imports only ``silkhub.core`` and ``silkhub.settings``, never a capability,
the web or the CLI. Capabilities' job handlers (alerts, logistics) call it; see
``docs/delivery.md``. The modules:

- ``signing``: ``sha256=<hex HMAC>`` signatures of raw bodies, secrets, purpose-bound tokens;
- ``webhook``: ``post_webhook`` and its client, ``check_webhook_url``;
- ``email``: ``build_email``, ``SmtpMailer``, ``send_email``;
- ``outcome``: ``Outcome`` and ``raise_for_outcome`` (an outcome into the worker's errors).
"""

from __future__ import annotations

from silkhub.delivery.email import SmtpMailer, build_email, send_email
from silkhub.delivery.outcome import Outcome, Status, raise_for_outcome
from silkhub.delivery.signing import (
    ALERTS_SIGNATURE_HEADER,
    DCSA_SIGNATURE_HEADER,
    make_token,
    new_secret,
    read_token,
    sign,
    verify,
)
from silkhub.delivery.webhook import (
    IDEMPOTENCY_HEADER,
    check_webhook_url,
    post_webhook,
    webhook_client,
)

__all__ = [
    "ALERTS_SIGNATURE_HEADER",
    "DCSA_SIGNATURE_HEADER",
    "IDEMPOTENCY_HEADER",
    "Outcome",
    "SmtpMailer",
    "Status",
    "build_email",
    "check_webhook_url",
    "make_token",
    "new_secret",
    "post_webhook",
    "raise_for_outcome",
    "read_token",
    "send_email",
    "sign",
    "verify",
    "webhook_client",
]
