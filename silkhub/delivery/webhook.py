"""Webhooks: POST a signed JSON body to a subscriber's URL and say what became of it.

The body is given as bytes, serialised once by the caller: the signature is over exactly the
bytes on the wire, and the receiver verifies those bytes before parsing them.

Redirects are not followed automatically: a subscriber's URL must not be able to send a signed
body to a host the subscriber does not control. A 307 or 308 to the *same* origin (scheme,
host, port), which keeps the method and the body, is followed up to ``MAX_REDIRECTS`` times;
any other redirect is a permanent failure that names the target, so that the subscription's
owner can correct the URL.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

import silkhub
from silkhub.core.errors import InvalidInput, Location, Message
from silkhub.delivery.outcome import Outcome, permanent, sent, temporary
from silkhub.delivery.signing import ALERTS_SIGNATURE_HEADER, sign
from silkhub.settings import Settings

IDEMPOTENCY_HEADER = "Idempotency-Key"
USER_AGENT = f"silkhub/{silkhub.__version__} (webhook delivery)"
MAX_REDIRECTS = 3
#: The most of a response body read (and thrown away) so the connection can be reused; a
#: receiver answering with more is cut off rather than allowed to make the sender read it all.
MAX_RESPONSE_BYTES = 64 * 1024
#: Statuses that mean "not now" although they are 4xx.
TEMPORARY_4XX = frozenset({408, 425, 429})


def check_webhook_url(url: str, *, field: str = "url") -> None:
    """Raise ``InvalidInput`` unless ``url`` is an absolute http(s) URL with a host.

    Services call it when a subscription is registered; ``post_webhook`` checks again, so a
    bad URL already stored fails permanently instead of being retried.
    """
    problem = _url_problem(url)
    if problem is not None:
        raise InvalidInput.single(
            "bad_webhook_url", problem, location=Location(field=field), value=url
        )


def _url_problem(url: str) -> Message | None:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return Message(f"网址无法解析：{url}", f"The URL cannot be parsed: {url}")
    if parsed.scheme not in ("http", "https"):
        return Message(
            f"回调网址必须以 http:// 或 https:// 开头：{url}",
            f"A webhook URL must start with http:// or https://: {url}",
        )
    if not parsed.host:
        return Message(f"网址缺少主机名：{url}", f"The URL has no host: {url}")
    return None


def webhook_client(settings: Settings) -> httpx.Client:
    """An HTTP client for deliveries: the configured timeout, silkhub's User-Agent, and no
    automatic redirects. Reuse one for many deliveries (it keeps connections open); close it,
    or use it in a ``with`` block."""
    return httpx.Client(
        timeout=httpx.Timeout(settings.webhook_timeout_seconds),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


def post_webhook(
    client: httpx.Client,
    url: str,
    body: bytes,
    *,
    secret: str | bytes,
    idempotency_key: str,
    signature_header: str = ALERTS_SIGNATURE_HEADER,
    headers: Mapping[str, str] | None = None,
) -> Outcome:
    """POST ``body`` (JSON bytes) to ``url``, signed under ``signature_header``, carrying
    ``Idempotency-Key``; classify the answer. Never raises for the receiver's behaviour.

    Sent on 2xx. Temporary on 408, 425, 429, 5xx, timeouts and connection failures
    (refused, reset, DNS), with ``retry_after`` from a ``Retry-After`` header. Permanent on
    410 (the receiver says stop: ``code == "gone"``), on other 4xx and 3xx, and for a URL
    that is not http(s).
    """
    problem = _url_problem(url)
    if problem is not None:
        return permanent("bad_url", problem)
    # The caller's extra headers cannot replace the signature, the key or the content type
    # (whatever their case: HTTP header names are case-insensitive).
    ours = {"content-type", signature_header.lower(), IDEMPOTENCY_HEADER.lower()}
    request_headers = {
        **{k: v for k, v in (headers or {}).items() if k.lower() not in ours},
        "Content-Type": "application/json",
        signature_header: sign(body, secret),
        IDEMPOTENCY_HEADER: idempotency_key,
    }
    target = httpx.URL(url)
    for _ in range(MAX_REDIRECTS + 1):
        try:
            status, response_headers = _post_once(client, target, body, request_headers)
        except httpx.TimeoutException:
            return temporary(
                "timeout",
                Message(
                    f"接收方 {target.host} 超时未应答。", f"{target.host} did not answer in time."
                ),
            )
        except httpx.TransportError as exc:
            # Refused, reset, DNS failure, TLS failure, a protocol error mid-answer: all can
            # pass (the receiver restarts, DNS recovers), so all are worth another try.
            return temporary(
                "connection_failed",
                Message(
                    f"无法连接接收方 {target.host}：{exc}",
                    f"Cannot reach {target.host}: {exc}",
                ),
            )
        if 300 <= status < 400:
            location = response_headers.get("location")
            next_target = _resolve(target, location)
            # Only 307/308 keep the method and body; 301-303 would turn the POST into a GET.
            if status in (307, 308) and next_target and _same_origin(target, next_target):
                target = next_target
                continue
            return _redirect_refused(status, location)
        return classify_http(status, response_headers.get("retry-after"), host=target.host)
    return permanent(
        "too_many_redirects",
        Message(
            f"重定向超过 {MAX_REDIRECTS} 次，未送达。",
            f"More than {MAX_REDIRECTS} redirects; not delivered.",
        ),
    )


def _post_once(
    client: httpx.Client, url: httpx.URL, body: bytes, headers: Mapping[str, str]
) -> tuple[int, httpx.Headers]:
    with client.stream("POST", url, content=body, headers=headers) as response:
        # The body is read only so that the connection can be reused. The client's timeout
        # bounds each read, not their sum: a receiver dripping bytes is cut off after twice
        # the timeout, or MAX_RESPONSE_BYTES; leaving the block then closes the connection.
        timeout = client.timeout.read or 10.0
        deadline = time.monotonic() + 2 * timeout
        read = 0
        for chunk in response.iter_raw():
            read += len(chunk)
            if read >= MAX_RESPONSE_BYTES or time.monotonic() > deadline:
                break
        return response.status_code, response.headers


def _resolve(base: httpx.URL, location: str | None) -> httpx.URL | None:
    if not location:
        return None
    try:
        return base.join(location)
    except httpx.InvalidURL:
        return None  # refused below, naming the unreadable Location


def _same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def _redirect_refused(status: int, location: str | None) -> Outcome:
    where = location or "?"
    return permanent(
        "redirect",
        Message(
            f"接收方重定向到 {where}（HTTP {status}），出于安全不予跟随；请更新回调网址。",
            f"The receiver redirects to {where} (HTTP {status}); not followed, for safety: "
            "update the webhook URL.",
        ),
        status,
    )


def classify_http(status: int, retry_after: str | None = None, *, host: str = "") -> Outcome:
    """The outcome of an HTTP answer with ``status`` (and its ``Retry-After`` value)."""
    who = f"接收方 {host} " if host else "接收方"
    who_en = host or "the receiver"
    if 200 <= status < 300:
        return sent(
            "sent",
            Message(f"{who}已接收（HTTP {status}）。", f"Accepted by {who_en} (HTTP {status})."),
            status,
        )
    if status == 410:
        return permanent(
            "gone",
            Message(
                f"{who}答复 HTTP 410 Gone：不再接收，停止推送。",
                f"{who_en} answered HTTP 410 Gone: it wants no more deliveries.",
            ),
            status,
        )
    wait = parse_retry_after(retry_after)
    if status in TEMPORARY_4XX or 500 <= status < 600:
        return temporary(
            f"http_{status}",
            Message(
                f"{who}暂时无法接收（HTTP {status}），稍后重试。",
                f"{who_en} cannot take it now (HTTP {status}); will retry.",
            ),
            status,
            wait,
        )
    if 300 <= status < 500:
        return permanent(
            f"http_{status}",
            Message(
                f"{who}拒绝接收（HTTP {status}），不再重试。",
                f"{who_en} refused it (HTTP {status}); not retried.",
            ),
            status,
        )
    # 1xx as a final answer or a status outside HTTP's range: the receiver is confused;
    # that may pass.
    return temporary(
        f"http_{status}",
        Message(
            f"{who}的答复无法理解（HTTP {status}）。",
            f"{who_en} gave an odd answer (HTTP {status}).",
        ),
        status,
        wait,
    )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delay-seconds or an HTTP date (RFC 9110
    10.2.3); None when absent or unreadable, 0 for a date in the past."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": UTC by RFC 5322
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
