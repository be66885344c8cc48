"""E-mail against a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, and each way a
send is classified."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from silkhub.delivery.email import SmtpMailer, build_email, message_id, send_email
from silkhub.delivery.outcome import Status
from silkhub.settings import Settings
from tests.receivers import HOST, SmtpServer

SUBJECT = "【红色预警】某国港口关闭 / Red alert: port closed"
TEXT = "尊敬的用户：\n某国主要港口自即日起关闭。\n\nDear subscriber: the main port is closed.\n"
HTML = "<p>尊敬的用户：某国主要港口自即日起关闭。</p><p>Dear subscriber: the port is closed.</p>"
UNSUBSCRIBE = "https://hub.example.org/zh/unsubscribe/abc.def"


@pytest.fixture
def smtp_settings(settings: Settings, smtp_server: SmtpServer) -> Settings:
    return settings.model_copy(
        update={"smtp_host": smtp_server.host, "smtp_port": smtp_server.port}
    )


def alert(
    settings: Settings, to: str = "张三 <zhang@example.org>", key: str = "d-1"
) -> EmailMessage:
    return build_email(
        settings,
        to=to,
        subject=SUBJECT,
        text=TEXT,
        html=HTML,
        idempotency_key=key,
        unsubscribe_url=UNSUBSCRIBE,
        unsubscribe_mailto="unsubscribe@hub.example.org",
        language="zh, en",
        date=datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
    )


def test_the_message_arrives_whole_in_both_languages(
    smtp_settings: Settings, smtp_server: SmtpServer
) -> None:
    outcome = send_email(smtp_settings, alert(smtp_settings))
    assert (outcome.status, outcome.code, outcome.status_code) == (Status.SENT, "sent", 250)
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["zhang@example.org"]
    assert mail.mail_from == "alerts@hub.example.org"
    received = mail.message
    assert received["Subject"] == SUBJECT
    assert received["To"] == "张三 <zhang@example.org>"
    assert received["From"] == "丝路枢纽 Silkhub <alerts@hub.example.org>"
    assert received["Date"] == "Sat, 28 Nov 2026 09:30:00 +0000"
    assert received["Content-Language"] == "zh, en"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received.get_content_type() == "multipart/alternative"
    plain = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert plain is not None and html is not None
    # Text travels in SMTP's canonical form, lines ending CRLF.
    assert plain.get_content().replace("\r\n", "\n") == TEXT
    assert html.get_content().strip() == HTML
    # On the wire, the headers are 7-bit (RFC 2047): any relay can carry them.
    header_block = mail.data.split(b"\r\n\r\n", 1)[0]
    assert header_block.isascii()


def test_unsubscribe_headers_for_one_click(
    smtp_settings: Settings, smtp_server: SmtpServer
) -> None:
    assert send_email(smtp_settings, alert(smtp_settings)).sent
    received = smtp_server.messages[0].message
    assert received["List-Unsubscribe"] == (
        f"<{UNSUBSCRIBE}>, <mailto:unsubscribe@hub.example.org>"
    )
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_plain_http_link_gets_no_one_click_header(smtp_settings: Settings) -> None:
    message = build_email(
        smtp_settings,
        to="a@example.org",
        subject="s",
        text="t",
        html=None,
        idempotency_key="k",
        unsubscribe_url="http://127.0.0.1:8000/en/unsubscribe/x.y",
    )
    assert message["List-Unsubscribe"] == "<http://127.0.0.1:8000/en/unsubscribe/x.y>"
    assert message["List-Unsubscribe-Post"] is None
    assert message.get_content_type() == "text/plain"


def test_bad_arguments_are_refused(smtp_settings: Settings) -> None:
    common = {"subject": "s", "text": "t", "html": None, "idempotency_key": "k"}
    with pytest.raises(ValueError, match="one recipient"):
        build_email(smtp_settings, to="a@example.org, b@example.org", **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="http"):
        build_email(
            smtp_settings,
            to="a@example.org",
            unsubscribe_url="javascript:alert(1)",
            **common,  # type: ignore[arg-type]
        )


def test_a_resend_carries_the_same_message_id(
    smtp_settings: Settings, smtp_server: SmtpServer
) -> None:
    with SmtpMailer(smtp_settings) as mailer:
        for message in (
            alert(smtp_settings, key="alerts:7:zhang"),
            alert(smtp_settings, key="alerts:7:zhang"),  # the same delivery, again
            alert(smtp_settings, key="alerts:8:zhang"),  # another delivery
            alert(smtp_settings, to="li@example.org", key="alerts:7:zhang"),  # another person
        ):
            assert mailer.send(message).sent
    ids = [m.message["Message-ID"] for m in smtp_server.messages]
    assert (
        ids[0]
        == ids[1]
        == message_id("alerts:7:zhang", "zhang@example.org", "alerts@hub.example.org")
    )
    assert ids[0].endswith("@hub.example.org>")
    assert len({ids[0], ids[2], ids[3]}) == 3


def test_outcomes_are_per_recipient_over_one_connection(
    smtp_settings: Settings, smtp_server: SmtpServer
) -> None:
    smtp_server.refuse("later@example.org", 451)
    smtp_server.refuse("nobody@example.org", 550)
    people = ["a@example.org", "later@example.org", "nobody@example.org", "b@example.org"]
    with SmtpMailer(smtp_settings) as mailer:
        outcomes = {p: mailer.send(alert(smtp_settings, to=p, key=f"k:{p}")) for p in people}
    assert {p: (o.status, o.code) for p, o in outcomes.items()} == {
        "a@example.org": (Status.SENT, "sent"),
        "later@example.org": (Status.TEMPORARY, "smtp_451"),
        "nobody@example.org": (Status.PERMANENT, "smtp_550"),
        "b@example.org": (Status.SENT, "sent"),
    }
    assert [m.rcpt_tos for m in smtp_server.messages] == [["a@example.org"], ["b@example.org"]]
    refused = outcomes["nobody@example.org"]
    assert refused.status_code == 550
    assert "nobody@example.org" in refused.reason.zh and "550" in refused.reason.en


def test_451_is_temporary_and_550_permanent_on_their_own_connection(
    smtp_settings: Settings, smtp_server: SmtpServer
) -> None:
    smtp_server.refuse("later@example.org", 451)
    smtp_server.refuse("nobody@example.org", 550)
    later = send_email(smtp_settings, alert(smtp_settings, to="later@example.org"))
    nobody = send_email(smtp_settings, alert(smtp_settings, to="nobody@example.org"))
    assert (later.status, later.status_code) == (Status.TEMPORARY, 451)
    assert (nobody.status, nobody.status_code) == (Status.PERMANENT, 550)
    assert smtp_server.messages == []


def test_a_dropped_connection_is_temporary_and_the_mailer_reconnects(
    smtp_settings: Settings, smtp_server: SmtpServer
) -> None:
    smtp_server.drop("flaky@example.org")
    with SmtpMailer(smtp_settings) as mailer:
        dropped = mailer.send(alert(smtp_settings, to="flaky@example.org"))
        after = mailer.send(alert(smtp_settings, to="a@example.org"))
    assert (dropped.status, dropped.code) == (Status.TEMPORARY, "connection_failed")
    assert after.sent
    assert [m.rcpt_tos for m in smtp_server.messages] == [["a@example.org"]]


def test_a_server_that_is_down_is_temporary(settings: Settings, closed_port: int) -> None:
    down = settings.model_copy(update={"smtp_host": HOST, "smtp_port": closed_port})
    outcome = send_email(down, alert(down))
    assert (outcome.status, outcome.code, outcome.status_code) == (
        Status.TEMPORARY,
        "connection_failed",
        None,
    )
    assert f"{HOST}:{closed_port}" in outcome.reason.en


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word (a hung mail server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


def test_a_server_that_never_answers_is_a_temporary_timeout(
    settings: Settings, silent_port: int
) -> None:
    hung = settings.model_copy(
        update={"smtp_host": HOST, "smtp_port": silent_port, "smtp_timeout_seconds": 0.3}
    )
    outcome = send_email(hung, alert(hung))
    assert (outcome.status, outcome.code) == (Status.TEMPORARY, "timeout")


def test_starttls_a_server_cannot_do_is_a_temporary_setup_failure(
    smtp_settings: Settings, smtp_server: SmtpServer
) -> None:
    # The test server offers no STARTTLS: the hub is misconfigured, not the recipient.
    wants_tls = smtp_settings.model_copy(update={"smtp_starttls": True})
    outcome = send_email(wants_tls, alert(wants_tls))
    assert (outcome.status, outcome.code) == (Status.TEMPORARY, "smtp_setup")
    assert "SILKHUB_SMTP_" in outcome.reason.en
    assert smtp_server.messages == []


def test_an_address_in_chinese_goes_through_a_server_with_smtputf8(
    smtp_settings: Settings, smtp_server: SmtpServer
) -> None:
    outcome = send_email(smtp_settings, alert(smtp_settings, to="张三@例子.中国"))
    assert outcome.sent, outcome
    assert smtp_server.messages[0].rcpt_tos == ["张三@例子.中国"]


def test_an_address_in_chinese_is_permanent_on_a_server_without_smtputf8(
    settings: Settings,
) -> None:
    server = SmtpServer(smtputf8=False)
    server.start()
    try:
        plain = settings.model_copy(update={"smtp_host": server.host, "smtp_port": server.port})
        outcome = send_email(plain, alert(plain, to="张三@例子.中国"))
        ascii_outcome = send_email(plain, alert(plain, to="zhang@example.org"))
    finally:
        server.stop()
    assert (outcome.status, outcome.code) == (Status.PERMANENT, "smtp_utf8")
    assert ascii_outcome.sent


def test_a_kept_connection_closed_by_the_server_is_reopened_once(
    smtp_settings: Settings, smtp_server: SmtpServer
) -> None:
    # The server hangs up once, on a connection the mailer has already used (as on an idle
    # timeout): the mailer tries once more on a new connection, and the message goes.
    smtp_server.drop("b@example.org", times=1)
    with SmtpMailer(smtp_settings) as mailer:
        first = mailer.send(alert(smtp_settings, to="a@example.org"))
        second = mailer.send(alert(smtp_settings, to="b@example.org"))
    assert first.sent and second.sent, second
    assert [m.rcpt_tos for m in smtp_server.messages] == [["a@example.org"], ["b@example.org"]]
    assert smtp_server.connections == 2
