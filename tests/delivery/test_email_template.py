"""EmailTemplate: one message built once, each recipient's copy assembled from bytes; parsed,
a copy says what build_email would, and it goes through a real SMTP server."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

from silkhub.delivery import build_email
from silkhub.delivery.email import EmailTemplate, SmtpMailer
from silkhub.settings import Settings
from tests.receivers import SmtpServer

TEXT = (
    "港口工人罢工，预计持续一周。\nDock workers strike.\n\n退订 Unsubscribe: " + EmailTemplate.LINK
)
HTML = '<p>港口工人罢工 &amp; strike</p><p><a href="' + EmailTemplate.LINK + '">退订</a></p>'
LINK = "https://hub.example.org/alerts/unsubscribe?token=abc.def&x=1"


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, smtp_sender="silkhub <alerts@hub.example.org>")


def _parts(message: email.message.EmailMessage) -> dict[str, str]:
    return {p.get_content_type(): p.get_content() for p in message.walk() if not p.is_multipart()}


@pytest.mark.parametrize("html", [HTML, None])
def test_a_copy_reads_like_build_email(tmp_path: Path, html: str | None) -> None:
    settings = _settings(tmp_path)
    template = EmailTemplate(
        settings, subject="【橙色】某国港口罢工 Port strike", text=TEXT, html=html, language="zh"
    )
    copy = email.message_from_bytes(
        template.render(
            to="trader@example.org", idempotency_key="k1", link=LINK, unsubscribe_url=LINK
        ),
        policy=policy.default,
    )
    plain = build_email(
        settings,
        to="trader@example.org",
        subject="【橙色】某国港口罢工 Port strike",
        text=TEXT.replace(EmailTemplate.LINK, LINK),
        html=None if html is None else html.replace(EmailTemplate.LINK, LINK.replace("&", "&amp;")),
        idempotency_key="k1",
        unsubscribe_url=LINK,
        language="zh",
        date=template.date,
    )
    for header in (
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "Content-Language",
        "Auto-Submitted",
    ):
        assert copy[header] == plain[header], header
    assert _parts(copy) == _parts(plain)
    assert copy.get_content_type() == plain.get_content_type()


def test_copies_differ_only_in_their_recipient(tmp_path: Path) -> None:
    template = EmailTemplate(_settings(tmp_path), subject="s", text=TEXT, html=HTML)
    a = email.message_from_bytes(
        template.render(to="a@example.org", idempotency_key="k", link="https://x/a"),
        policy=policy.default,
    )
    b = email.message_from_bytes(
        template.render(to="b@example.org", idempotency_key="k", link="https://x/b"),
        policy=policy.default,
    )
    assert a["Message-ID"] != b["Message-ID"] and a["Subject"] == b["Subject"]
    assert "https://x/a" in _parts(a)["text/plain"] and "https://x/b" in _parts(b)["text/plain"]


def test_an_address_that_needs_smtputf8_is_refused(tmp_path: Path) -> None:
    template = EmailTemplate(_settings(tmp_path), subject="s", text="t", html=None)
    with pytest.raises(ValueError, match="ASCII address"):
        template.render(to="用户@例子.中国", idempotency_key="k")
    assert template.message(to="用户@例子.中国", idempotency_key="k")["To"]


def test_copies_go_through_a_real_server(tmp_path: Path, smtp_server: SmtpServer) -> None:
    settings = _settings(tmp_path).model_copy(
        update={"smtp_host": smtp_server.host, "smtp_port": smtp_server.port}
    )
    template = EmailTemplate(settings, subject="测试", text=TEXT, html=HTML)
    smtp_server.refuse("no@example.org", 550)
    with SmtpMailer(settings) as mailer:
        ok = mailer.send_bytes(
            template.render(to="yes@example.org", idempotency_key="k", link=LINK),
            sender=template.sender,
            recipient="yes@example.org",
        )
        refused = mailer.send_bytes(
            template.render(to="no@example.org", idempotency_key="k", link=LINK),
            sender=template.sender,
            recipient="no@example.org",
        )
    assert ok.sent and refused.permanent
    (mail,) = smtp_server.to("yes@example.org")
    assert (
        "港口工人罢工" in _parts(mail.message)["text/plain"]
        and LINK in _parts(mail.message)["text/plain"]
    )
