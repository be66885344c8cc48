"""Signatures for what silkhub sends out, and signed tokens for links it hands out.

Webhook signatures
    ``sha256=<hex of HMAC-SHA256(secret, raw body)>``: GitHub's and DCSA TNT 2.2's
    ``Notification-Signature`` form. The HMAC is over the exact bytes sent, so a receiver must
    verify the raw body before parsing it (a parsed and re-serialised JSON is not the same
    bytes). Verification is constant-time (``hmac.compare_digest``), so a forger learns
    nothing from how long a wrong guess took to be refused.

Tokens
    ``<payload>.<mac>``, both base64url without padding; the payload is a small JSON object
    with the subject and the expiry (Unix seconds), the MAC an HMAC-SHA256 under a key derived
    from the hub's secret key and the token's *purpose*. A token made for one purpose
    (``"unsubscribe"``) is therefore refused for any other (``"feed"``): a leaked unsubscribe
    link cannot open a private feed. Tokens are stateless; to make them revocable, put a
    version in the subject that the capability stores and bumps (``"person:42:v3"``).

The standard library is enough here (hmac, hashlib, secrets); itsdangerous would add a
dependency for the same twenty lines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from silkhub.core.errors import Message, TokenInvalid

PREFIX = "sha256="

#: Header names the hub's channels sign under.
ALERTS_SIGNATURE_HEADER = "X-Silkhub-Signature"
DCSA_SIGNATURE_HEADER = "Notification-Signature"  # DCSA TNT 2.2 signed push


def _bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def new_secret() -> str:
    """A fresh per-subscriber signing secret: 256 random bits, URL-safe text (43 chars)."""
    return secrets.token_urlsafe(32)


def sign(body: bytes, secret: str | bytes) -> str:
    """The signature header value of ``body``: ``sha256=<64 hex digits>``."""
    digest = hmac.new(_bytes(secret), body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify(body: bytes, signature: str | None, secret: str | bytes | Sequence[str | bytes]) -> bool:
    """Whether ``signature`` (the header's value) signs ``body`` under ``secret``.

    ``secret`` may be several secrets, for the overlap while a secret is rotated: the
    signature is accepted if any of them made it. Every candidate is compared, so the time
    taken does not say which one matched. A missing or malformed header is simply False.
    """
    if signature is None:
        return False
    signature = signature.strip()
    if not signature.startswith(PREFIX):
        return False
    candidates = [secret] if isinstance(secret, str | bytes) else list(secret)
    given = signature.encode("ascii", errors="replace")
    matched = False
    for candidate in candidates:
        expected = sign(body, candidate).encode("ascii")
        matched |= hmac.compare_digest(expected, given)
    return matched


# --- tokens ----------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _purpose_key(key: bytes, purpose: str) -> bytes:
    # Domain separation: one derived key per purpose, so a MAC made for one purpose never
    # verifies under another, even with the same subject and expiry.
    return hmac.new(key, b"silkhub-token:" + purpose.encode("utf-8"), hashlib.sha256).digest()


def make_token(
    key: bytes,
    purpose: str,
    subject: str,
    *,
    expires_at: datetime | None = None,
    expires_in: timedelta | None = None,
    now: datetime | None = None,
) -> str:
    """A URL-safe token binding ``subject`` to ``purpose``, valid until ``expires_at`` (or
    ``now + expires_in``; neither: it never expires, and only the subject's version revokes
    it). ``key`` is the hub's secret key (``settings.resolved_secret_key()``)."""
    if not purpose:
        raise ValueError("a token needs a purpose")
    if expires_in is not None:
        if expires_at is not None:
            raise ValueError("give expires_at or expires_in, not both")
        expires_at = (now or datetime.now().astimezone()) + expires_in
    claims: dict[str, str | int] = {"s": subject}
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")
        claims["e"] = int(expires_at.timestamp())
    payload = _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    mac = hmac.new(_purpose_key(key, purpose), payload.encode("ascii"), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def _refused() -> TokenInvalid:
    # One message for every way a token can be bad, so a prober learns nothing about why.
    return TokenInvalid(
        Message("链接无效或已被撤销。", "The link is not valid or has been revoked.")
    )


def read_token(key: bytes, purpose: str, token: str, *, now: datetime | None = None) -> str:
    """The subject of a token made by ``make_token`` with the same key and purpose.

    Raises ``TokenInvalid`` (code ``token_invalid``) for a token that is malformed, altered,
    or made for another purpose, and ``TokenInvalid`` with code ``token_expired`` for one past
    its expiry (the only case a reader is told apart, so a page can say "ask for a new link").
    """
    payload, dot, mac_text = token.partition(".")
    if not dot or not payload or not mac_text:
        raise _refused()
    try:
        mac = _unb64(mac_text)
    except (binascii.Error, ValueError):
        raise _refused() from None
    expected = hmac.new(
        _purpose_key(key, purpose), payload.encode("ascii", errors="replace"), hashlib.sha256
    ).digest()
    if not hmac.compare_digest(expected, mac):
        raise _refused()
    try:
        claims = json.loads(_unb64(payload))
        subject = claims["s"]
        expiry = claims.get("e")
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise _refused() from None  # signed by us yet unreadable: treat as forged all the same
    if not isinstance(subject, str) or not (expiry is None or isinstance(expiry, int)):
        raise _refused()
    if expiry is not None:
        current = (now or datetime.now().astimezone()).timestamp()
        if current >= expiry:
            raise TokenInvalid(
                Message("链接已过期，请重新获取。", "The link has expired; ask for a new one."),
                code="token_expired",
            )
    return subject
