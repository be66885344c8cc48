"""Signatures of raw bodies, and purpose-bound expiring tokens."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from silkhub.core.errors import TokenInvalid
from silkhub.delivery.signing import make_token, new_secret, read_token, sign, verify

BODY = json.dumps({"alert": 7, "title": "红色预警"}, ensure_ascii=False).encode()


def test_a_signature_verifies_and_has_the_documented_form() -> None:
    secret = new_secret()
    signature = sign(BODY, secret)
    assert signature.startswith("sha256=")
    assert len(signature) == len("sha256=") + 64
    assert verify(BODY, signature, secret)


def test_a_known_vector() -> None:
    # RFC 4231 test case 2: HMAC-SHA256 of "what do ya want for nothing?" under "Jefe".
    assert sign(b"what do ya want for nothing?", "Jefe") == (
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b + b" ",
        lambda b: b.replace(b"7", b"8"),
        lambda b: json.dumps(json.loads(b)).encode(),  # same JSON, other bytes
    ],
)
def test_a_tampered_body_fails(tamper: object) -> None:
    secret = new_secret()
    signature = sign(BODY, secret)
    altered = tamper(BODY)  # type: ignore[operator]
    assert altered != BODY
    assert not verify(altered, signature, secret)


def test_a_wrong_secret_or_a_malformed_header_fails() -> None:
    signature = sign(BODY, "right")
    assert not verify(BODY, signature, "wrong")
    assert not verify(BODY, None, "right")
    assert not verify(BODY, signature.removeprefix("sha256="), "right")
    assert not verify(BODY, "sha256=zz", "right")
    assert not verify(BODY, "sha256=签名", "right")


def test_during_a_rotation_either_secret_verifies() -> None:
    old, new = new_secret(), new_secret()
    assert old != new
    assert verify(BODY, sign(BODY, old), [old, new])
    assert verify(BODY, sign(BODY, new), [old, new])
    assert not verify(BODY, sign(BODY, "third"), [old, new])


KEY = b"test-secret-key-not-for-production"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_a_token_round_trip() -> None:
    token = make_token(KEY, "unsubscribe", "person:42:v1", expires_in=timedelta(days=30), now=NOW)
    assert "/" not in token and "+" not in token and "=" not in token  # URL-safe as it is
    assert read_token(KEY, "unsubscribe", token, now=NOW) == "person:42:v1"
    forever = make_token(KEY, "feed", "person:42:v3")
    assert read_token(KEY, "feed", forever, now=NOW + timedelta(days=3650)) == "person:42:v3"


def test_an_expired_token_is_refused_as_expired() -> None:
    token = make_token(KEY, "unsubscribe", "person:42", expires_in=timedelta(hours=1), now=NOW)
    assert read_token(KEY, "unsubscribe", token, now=NOW + timedelta(minutes=59)) == "person:42"
    with pytest.raises(TokenInvalid) as caught:
        read_token(KEY, "unsubscribe", token, now=NOW + timedelta(hours=1))
    assert caught.value.code == "token_expired"
    assert caught.value.message.zh and caught.value.message.en


@pytest.mark.parametrize(
    ("key", "purpose", "mangle"),
    [
        (KEY, "feed", lambda t: t),  # made for "unsubscribe"
        (b"another hub's key", "unsubscribe", lambda t: t),
        (KEY, "unsubscribe", lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB")),
        (KEY, "unsubscribe", lambda t: "e30" + t[t.index(".") :]),  # payload swapped for {}
        (KEY, "unsubscribe", lambda t: t.replace(".", "")),
        (KEY, "unsubscribe", lambda t: "..."),
        (KEY, "unsubscribe", lambda t: "链接.无效"),
    ],
)
def test_a_token_for_another_purpose_key_or_altered_is_refused(
    key: bytes, purpose: str, mangle: object
) -> None:
    token = make_token(KEY, "unsubscribe", "person:42", expires_in=timedelta(days=1), now=NOW)
    with pytest.raises(TokenInvalid) as caught:
        read_token(key, purpose, mangle(token), now=NOW)  # type: ignore[operator]
    assert caught.value.code == "token_invalid"
