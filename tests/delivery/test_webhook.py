"""Webhooks against a real HTTP receiver on 127.0.0.1: what it receives, and each way an
answer is classified."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from silkhub.core.errors import InvalidInput
from silkhub.delivery.outcome import Status
from silkhub.delivery.signing import ALERTS_SIGNATURE_HEADER, DCSA_SIGNATURE_HEADER, new_secret
from silkhub.delivery.webhook import (
    USER_AGENT,
    check_webhook_url,
    parse_retry_after,
    post_webhook,
    webhook_client,
)
from silkhub.settings import Settings
from tests.receivers import HttpReceiver, Reply

DOCS = Path(__file__).resolve().parents[2] / "docs" / "delivery.md"
BODY = json.dumps(
    {"id": "a-7", "title": {"zh": "红色预警：港口关闭", "en": "Red alert: port closed"}},
    ensure_ascii=False,
).encode()


def receiver_check() -> Callable[[bytes, str | None, str], bool]:
    """The verification function docs/delivery.md gives receivers, run as written there."""
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(r"```python\n(# A receiver checks a signature.*?)```", text, re.S)
    assert match, "docs/delivery.md has lost its receiver's verification snippet"
    namespace: dict[str, object] = {}
    exec(match.group(1), namespace)  # noqa: S102 - our own documentation, under test
    check = namespace["is_from_silkhub"]
    assert callable(check)
    return check  # type: ignore[return-value]


@pytest.fixture
def client(settings: Settings) -> Iterator[httpx.Client]:
    with webhook_client(settings.model_copy(update={"webhook_timeout_seconds": 0.5})) as c:
        yield c


@pytest.mark.parametrize("header", [ALERTS_SIGNATURE_HEADER, DCSA_SIGNATURE_HEADER])
def test_the_receiver_gets_the_exact_body_signed(
    http_receiver: HttpReceiver, client: httpx.Client, header: str
) -> None:
    secret = new_secret()
    outcome = post_webhook(
        client,
        http_receiver.url("/hook"),
        BODY,
        secret=secret,
        idempotency_key="alerts.deliver:7:webhook:12",
        signature_header=header,
    )
    assert outcome.sent, outcome
    [request] = http_receiver.to("/hook")
    assert request.method == "POST"
    assert request.body == BODY
    assert request.header("Content-Type") == "application/json"
    assert request.header("Idempotency-Key") == "alerts.deliver:7:webhook:12"
    assert request.header("User-Agent") == USER_AGENT
    is_from_silkhub = receiver_check()
    assert is_from_silkhub(request.body, request.header(header), secret)
    assert not is_from_silkhub(request.body + b"\n", request.header(header), secret)
    assert not is_from_silkhub(request.body, request.header(header), new_secret())


@pytest.mark.parametrize(
    ("status", "expected", "code"),
    [
        (200, Status.SENT, "sent"),
        (202, Status.SENT, "sent"),
        (204, Status.SENT, "sent"),
        (410, Status.PERMANENT, "gone"),
        (400, Status.PERMANENT, "http_400"),
        (401, Status.PERMANENT, "http_401"),
        (404, Status.PERMANENT, "http_404"),
        (422, Status.PERMANENT, "http_422"),
        (408, Status.TEMPORARY, "http_408"),
        (425, Status.TEMPORARY, "http_425"),
        (429, Status.TEMPORARY, "http_429"),
        (500, Status.TEMPORARY, "http_500"),
        (502, Status.TEMPORARY, "http_502"),
        (503, Status.TEMPORARY, "http_503"),
        (504, Status.TEMPORARY, "http_504"),
    ],
)
def test_each_answer_is_classified(
    http_receiver: HttpReceiver, client: httpx.Client, status: int, expected: Status, code: str
) -> None:
    http_receiver.script("/hook", status)
    outcome = post_webhook(
        client, http_receiver.url("/hook"), BODY, secret="s", idempotency_key="k"
    )
    assert (outcome.status, outcome.code, outcome.status_code) == (expected, code, status)
    assert outcome.retry_after is None
    assert str(status) in outcome.reason.en and str(status) in outcome.reason.zh
    assert len(http_receiver.to("/hook")) == 1


def test_429_with_retry_after_seconds(http_receiver: HttpReceiver, client: httpx.Client) -> None:
    http_receiver.script("/hook", Reply(429, {"Retry-After": "120"}))
    outcome = post_webhook(
        client, http_receiver.url("/hook"), BODY, secret="s", idempotency_key="k"
    )
    assert (outcome.status, outcome.retry_after) == (Status.TEMPORARY, 120.0)


def test_503_with_retry_after_as_a_date(http_receiver: HttpReceiver, client: httpx.Client) -> None:
    when = datetime.now(UTC) + timedelta(hours=1)
    http_receiver.script("/hook", Reply(503, {"Retry-After": format_datetime(when, usegmt=True)}))
    outcome = post_webhook(
        client, http_receiver.url("/hook"), BODY, secret="s", idempotency_key="k"
    )
    assert outcome.status is Status.TEMPORARY
    assert outcome.retry_after is not None
    assert 3000 < outcome.retry_after <= 3600


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert parse_retry_after(None) is None
    assert parse_retry_after(" 30 ") == 30.0
    assert parse_retry_after("Sat, 28 Nov 2026 12:00:45 GMT", now=now) == 45.0
    assert parse_retry_after("Sat, 28 Nov 2026 11:00:00 GMT", now=now) == 0.0  # past: now
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") is None


def test_retries_carry_the_same_key_until_one_succeeds(
    http_receiver: HttpReceiver, client: httpx.Client
) -> None:
    http_receiver.script("/hook", 503, 503, 200)
    statuses = [
        post_webhook(
            client, http_receiver.url("/hook"), BODY, secret="s", idempotency_key="same"
        ).status
        for _ in range(3)
    ]
    assert statuses == [Status.TEMPORARY, Status.TEMPORARY, Status.SENT]
    assert [r.header("Idempotency-Key") for r in http_receiver.to("/hook")] == ["same"] * 3


def test_a_receiver_too_slow_to_answer_is_a_temporary_timeout(
    http_receiver: HttpReceiver, client: httpx.Client
) -> None:
    # The client waits 0.5 s (the fixture's setting); the receiver would answer after 30 s.
    http_receiver.script("/slow", Reply(200, delay=30))
    outcome = post_webhook(
        client, http_receiver.url("/slow"), BODY, secret="s", idempotency_key="k"
    )
    assert (outcome.status, outcome.code) == (Status.TEMPORARY, "timeout")
    assert len(http_receiver.to("/slow")) == 1  # it did arrive; the answer did not


def test_connection_refused_is_temporary(client: httpx.Client, closed_port: int) -> None:
    outcome = post_webhook(
        client, f"http://127.0.0.1:{closed_port}/hook", BODY, secret="s", idempotency_key="k"
    )
    assert (outcome.status, outcome.code) == (Status.TEMPORARY, "connection_failed")
    assert outcome.status_code is None


def test_a_redirect_to_another_origin_is_not_followed(
    http_receiver: HttpReceiver, client: httpx.Client
) -> None:
    elsewhere = HttpReceiver()  # another port: another origin
    elsewhere.start()
    try:
        for status in (302, 307, 308):
            http_receiver.script("/hook", Reply(status, {"Location": elsewhere.url("/steal")}))
            outcome = post_webhook(
                client, http_receiver.url("/hook"), BODY, secret="s", idempotency_key="k"
            )
            assert (outcome.status, outcome.code, outcome.status_code) == (
                Status.PERMANENT,
                "redirect",
                status,
            )
            assert elsewhere.url("/steal") in outcome.reason.en
        assert elsewhere.requests == []
    finally:
        elsewhere.stop()


def test_a_same_origin_307_is_followed_with_method_and_body(
    http_receiver: HttpReceiver, client: httpx.Client
) -> None:
    http_receiver.script("/old", Reply(307, {"Location": "/new"}))
    outcome = post_webhook(client, http_receiver.url("/old"), BODY, secret="s", idempotency_key="k")
    assert outcome.sent
    [moved] = http_receiver.to("/new")
    assert (moved.method, moved.body, moved.header("Idempotency-Key")) == ("POST", BODY, "k")


def test_a_same_origin_302_is_not_followed(
    http_receiver: HttpReceiver, client: httpx.Client
) -> None:
    # 302 would turn the POST into a GET without its body: refused even on the same host.
    http_receiver.script("/old", Reply(302, {"Location": "/new"}))
    outcome = post_webhook(client, http_receiver.url("/old"), BODY, secret="s", idempotency_key="k")
    assert (outcome.status, outcome.code) == (Status.PERMANENT, "redirect")
    assert http_receiver.to("/new") == []


def test_a_redirect_loop_stops(http_receiver: HttpReceiver, client: httpx.Client) -> None:
    http_receiver.script("/loop", *[Reply(308, {"Location": "/loop"})] * 10)
    outcome = post_webhook(
        client, http_receiver.url("/loop"), BODY, secret="s", idempotency_key="k"
    )
    assert (outcome.status, outcome.code) == (Status.PERMANENT, "too_many_redirects")
    assert len(http_receiver.to("/loop")) == 4  # the first call and three redirects


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/hook", "file:///etc/passwd", "javascript:alert(1)", "/relative", "http://"],
)
def test_a_url_that_is_not_http_is_refused(client: httpx.Client, url: str) -> None:
    outcome = post_webhook(client, url, BODY, secret="s", idempotency_key="k")
    assert (outcome.status, outcome.code) == (Status.PERMANENT, "bad_url")
    with pytest.raises(InvalidInput) as caught:
        check_webhook_url(url, field="body.callbackUrl")
    [problem] = caught.value.problems
    assert problem.code == "bad_webhook_url"
    assert problem.location.field == "body.callbackUrl"
    assert problem.message.zh and problem.message.en


def test_good_urls_pass_the_check() -> None:
    check_webhook_url("https://receiver.example.org/silkhub?token=1")
    check_webhook_url("http://127.0.0.1:8080/hook")


def test_extra_headers_pass_but_cannot_replace_the_signature_or_key(
    http_receiver: HttpReceiver, client: httpx.Client
) -> None:
    outcome = post_webhook(
        client,
        http_receiver.url("/hook"),
        BODY,
        secret="s",
        idempotency_key="k",
        headers={
            "API-Version": "2.2.0",
            ALERTS_SIGNATURE_HEADER.lower(): "sha256=00",
            "idempotency-key": "x",
            "content-type": "text/plain",
        },
    )
    assert outcome.sent
    [request] = http_receiver.to("/hook")
    assert request.header("API-Version") == "2.2.0"
    assert request.header("Idempotency-Key") == "k"
    assert request.header("Content-Type") == "application/json"
    assert receiver_check()(request.body, request.header(ALERTS_SIGNATURE_HEADER), "s")
