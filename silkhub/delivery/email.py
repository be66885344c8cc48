"""E-mail: build one message per recipient, send it over SMTP, say what became of it.

One message per recipient, so that every recipient has an outcome of their own (one refused
address does not fail the others) and an unsubscribe link of their own.

The Message-ID is derived from the delivery's idempotency key and the recipient: a resend
of the same delivery, after a worker died between sending and recording it, carries the same
Message-ID, and mail systems and readers that track Message-IDs can drop the duplicate.

``List-Unsubscribe`` and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 2369,
RFC 8058) let mail clients show an "unsubscribe" button that works without opening the
message. RFC 8058 allows one-click only over HTTPS, so a plain-http link (a local demo) gets
``List-Unsubscribe`` without the ``-Post`` header. Mailbox providers believe these headers
only under a DKIM signature that covers them: that is the outgoing relay's job.
"""

from __future__ import annotations

import base64
import hashlib
import smtplib
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses, parseaddr
from html import escape
from types import TracebackType

from silkhub.core.errors import Message
from silkhub.delivery.outcome import Outcome, permanent, sent, temporary
from silkhub.settings import Settings


def message_id(idempotency_key: str, recipient: str, sender: str) -> str:
    """``<hash@sender's domain>``: the same for the same delivery to the same recipient."""
    digest = hashlib.sha256(f"{idempotency_key}\0{recipient.lower()}".encode()).hexdigest()[:40]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "silkhub.invalid"
    return f"<{digest}@{domain}>"


def build_email(
    settings: Settings,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    idempotency_key: str,
    unsubscribe_url: str | None = None,
    unsubscribe_mailto: str | None = None,
    language: str | None = None,
    date: datetime | None = None,
) -> EmailMessage:
    """One message to one recipient, From ``settings.smtp_sender``.

    ``text`` and ``html`` are the same content (both languages in each, if the template is
    bilingual): the message is multipart/alternative with both, or text/plain alone when
    ``html`` is None. Any Unicode is fine: headers are RFC 2047-encoded and bodies UTF-8.
    ``unsubscribe_url`` must be http(s) (https for the one-click header); ``language`` is
    the Content-Language, such as ``"zh"``, ``"en"`` or ``"zh, en"``.
    """
    addresses = getaddresses([to])
    if len(addresses) != 1 or "@" not in addresses[0][1]:
        raise ValueError(f"one recipient address per message, got {to!r}")
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(date or datetime.now(UTC))
    message["Message-ID"] = message_id(idempotency_key, addresses[0][1], settings.smtp_sender)
    # RFC 3834: no auto-replies ("out of office") to a mailing.
    message["Auto-Submitted"] = "auto-generated"
    _add_unsubscribe(message, unsubscribe_url, unsubscribe_mailto)
    message.set_content(text, subtype="plain", charset="utf-8")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8")
    if language:
        # After the content: set_content drops every Content-* header already there.
        message["Content-Language"] = language
    return message


def _add_unsubscribe(message: EmailMessage, url: str | None, mailto: str | None) -> None:
    targets: list[str] = []
    if url is not None:
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"the unsubscribe URL must be http(s): {url!r}")
        targets.append(f"<{url}>")
    if mailto is not None:
        targets.append(f"<{mailto if mailto.startswith('mailto:') else 'mailto:' + mailto}>")
    if targets:
        message["List-Unsubscribe"] = ", ".join(targets)
    if url is not None and url.startswith("https://"):
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


# --- one message, many recipients -------------------------------------------------------------

_TEMPLATE_TO = "recipient@template.invalid"
_TEMPLATE_KEY = "template"


class EmailTemplate:
    """The same message to many recipients at the cost of one: what the email package makes
    for every message (the encoded Subject, the From, the MIME structure) is made and
    serialised once; each recipient's copy is assembled from those bytes with its own ``To``,
    ``Message-ID`` and ``List-Unsubscribe``, and its own link where the text holds ``LINK``.

    Building a message with the email package costs about as much as sending it, so a
    fan-out of thousands builds once. ``render`` gives what ``build_email`` would (the tests
    compare both after parsing), as bytes for ``SmtpMailer.send_bytes``. Both parts are
    base64 (UTF-8), so the copy is 7-bit clean whatever the language; a recipient address that
    is not ASCII (it would need SMTPUTF8) takes the full ``build_email`` path instead.
    """

    LINK = "{{silkhub-personal-link}}"
    #: Replaced in the HTML part only (a read-receipt image, say).
    HTML_LINK = "{{silkhub-personal-html-link}}"

    def __init__(
        self,
        settings: Settings,
        *,
        subject: str,
        text: str,
        html: str | None,
        language: str | None = None,
        date: datetime | None = None,
    ) -> None:
        self.settings = settings
        self.subject, self.text, self.html = subject, text, html
        self.language, self.date = language, date or datetime.now(UTC)
        template = build_email(
            settings,
            to=_TEMPLATE_TO,
            subject=subject,
            text="",
            html=None,
            idempotency_key=_TEMPLATE_KEY,
            language=language,
            date=self.date,
        )
        del template["To"], template["Message-ID"]
        del template["Content-Type"], template["Content-Transfer-Encoding"]
        head = template.as_bytes(policy=SMTP).partition(b"\r\n\r\n")[0]
        self._boundary = (
            "=_silkhub_" + hashlib.sha256(f"{subject}\0{text}\0{html}".encode()).hexdigest()[:32]
        )
        kind = f'multipart/alternative; boundary="{self._boundary}"' if html is not None else None
        self._head = head + b"\r\n" if head else b""
        self._content_type = kind
        self.sender = parseaddr(settings.smtp_sender)[1]

    @staticmethod
    def _part(content: str, subtype: str) -> bytes:
        if not content.endswith("\n"):
            content += "\n"  # as the email package's set_content does
        encoded = base64.encodebytes(content.encode("utf-8")).replace(b"\n", b"\r\n")
        return (
            f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode() + encoded

    def render(
        self,
        *,
        to: str,
        idempotency_key: str,
        link: str = "",
        html_link: str = "",
        unsubscribe_url: str | None = None,
    ) -> bytes:
        """One recipient's copy: ``LINK`` replaced by ``link`` (HTML-escaped in the HTML),
        ``HTML_LINK`` by ``html_link``."""
        address = parseaddr(to)[1]
        if not to.isascii() or "@" not in address:
            raise ValueError(f"a template copy needs one ASCII address, got {to!r}")
        lines = [
            f"To: {to}",
            f"Message-ID: {message_id(idempotency_key, address, self.settings.smtp_sender)}",
        ]
        if unsubscribe_url is not None:
            if not unsubscribe_url.startswith(("https://", "http://")):
                raise ValueError(f"the unsubscribe URL must be http(s): {unsubscribe_url!r}")
            lines.append(f"List-Unsubscribe: <{unsubscribe_url}>")
            if unsubscribe_url.startswith("https://"):
                lines.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        text = self._part(self.text.replace(self.LINK, link), "plain")
        if self.html is None:
            lines.append('Content-Type: text/plain; charset="utf-8"')
            lines.append("Content-Transfer-Encoding: base64")
            return (
                self._head
                + ("\r\n".join(lines) + "\r\n\r\n").encode()
                + text.partition(b"\r\n\r\n")[2]
            )
        html = self._part(self._html(link, html_link), "html")
        lines.append(f"Content-Type: {self._content_type}")
        boundary = self._boundary.encode()
        return b"".join(
            [
                self._head,
                ("\r\n".join(lines) + "\r\n\r\n").encode(),
                b"--" + boundary + b"\r\n" + text,
                b"--" + boundary + b"\r\n" + html,
                b"--" + boundary + b"--\r\n",
            ]
        )

    def _html(self, link: str, html_link: str) -> str:
        assert self.html is not None
        return self.html.replace(self.LINK, escape(link)).replace(self.HTML_LINK, escape(html_link))

    def message(
        self,
        *,
        to: str,
        idempotency_key: str,
        link: str = "",
        html_link: str = "",
        unsubscribe_url: str | None = None,
    ) -> EmailMessage:
        """The same copy through the email package: for addresses ``render`` cannot take."""
        return build_email(
            self.settings,
            to=to,
            subject=self.subject,
            text=self.text.replace(self.LINK, link),
            html=None if self.html is None else self._html(link, html_link),
            idempotency_key=idempotency_key,
            unsubscribe_url=unsubscribe_url,
            language=self.language,
            date=self.date,
        )


# --- sending ---------------------------------------------------------------------------------


class SmtpMailer:
    """One SMTP connection, opened on first use and reused for every message sent through
    it; reopened after the server drops it. Use in a ``with`` block, or call ``close``.

    ``send`` never raises for the server's or the network's behaviour: it returns an
    ``Outcome``. SMTP 4xx, refused connections, timeouts and dropped connections are
    temporary; SMTP 5xx permanent; a failed login or TLS setup is temporary (it is the hub's
    configuration that is wrong, not the recipient, and it is retried once fixed).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()  # the server went away first; nothing to say goodbye to

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.smtp_ssl:
            smtp = smtplib.SMTP_SSL(
                s.smtp_host,
                s.smtp_port,
                timeout=s.smtp_timeout_seconds,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        try:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username:
                password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                smtp.login(s.smtp_username, password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> Outcome:
        """Send ``message`` (from ``build_email``) to its one ``To`` recipient."""
        recipient = parseaddr(str(message["To"]))[1]
        sender = parseaddr(str(message["From"]))[1]
        return self._deliver(
            recipient,
            lambda smtp: smtp.send_message(message, from_addr=sender, to_addrs=[recipient]),
        )

    def send_bytes(self, data: bytes, *, sender: str, recipient: str) -> Outcome:
        """Send a message already serialised (``EmailTemplate.render``) to ``recipient``."""
        return self._deliver(recipient, lambda smtp: smtp.sendmail(sender, [recipient], data))

    def _deliver(self, recipient: str, transmit: Callable[[smtplib.SMTP], object]) -> Outcome:
        reused = self._smtp is not None
        try:
            try:
                transmit(self._connection())
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                if not reused:
                    raise
                # A kept connection the server closed meanwhile (idle timeout, restart): one
                # more try on a fresh one before calling it a failure.
                self._drop()
                transmit(self._connection())
        except smtplib.SMTPRecipientsRefused as exc:
            # smtplib has reset the transaction: the connection stays usable.
            code, text = exc.recipients.get(recipient, next(iter(exc.recipients.values())))
            return _reply(code, text, recipient)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return _reply(exc.smtp_code, exc.smtp_error, recipient)
        except Exception as exc:  # noqa: BLE001 - _failure classifies, or re-raises a bug
            self._drop()
            return _failure(exc, self.settings)
        return sent(
            "sent",
            Message(
                f"已交给邮件服务器，收件人 {recipient}。",
                f"Handed to the mail server for {recipient}.",
            ),
            250,
        )

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def _drop(self) -> None:
        # After an unexpected failure the connection's state is unknown: start afresh.
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


def send_email(settings: Settings, message: EmailMessage) -> Outcome:
    """Send one message over a connection of its own (``SmtpMailer`` to reuse one)."""
    with SmtpMailer(settings) as mailer:
        return mailer.send(message)


def _reply(code: int, text: bytes | str, recipient: str) -> Outcome:
    said = (text.decode("utf-8", "replace") if isinstance(text, bytes) else text)[:200]
    if 500 <= code < 600:
        return permanent(
            f"smtp_{code}",
            Message(
                f"邮件服务器拒收 {recipient}（{code} {said}），不再重试。",
                f"The mail server refused {recipient} ({code} {said}); not retried.",
            ),
            code,
        )
    return temporary(
        f"smtp_{code}",
        Message(
            f"邮件服务器暂时无法投递给 {recipient}（{code} {said}），稍后重试。",
            f"The mail server cannot take mail for {recipient} now ({code} {said}); will retry.",
        ),
        code,
    )


def _failure(exc: Exception, settings: Settings) -> Outcome:
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    if isinstance(exc, smtplib.SMTPNotSupportedError) and "SMTPUTF8" in str(exc):
        # A non-ASCII address and a server without SMTPUTF8: no retry will change that.
        return permanent(
            "smtp_utf8",
            Message(
                f"邮件服务器 {server} 不支持含非 ASCII 字符的地址（SMTPUTF8）。",
                f"The mail server {server} does not accept non-ASCII addresses (SMTPUTF8).",
            ),
        )
    if isinstance(
        exc, smtplib.SMTPAuthenticationError | smtplib.SMTPNotSupportedError | ssl.SSLError
    ):
        return temporary(
            "smtp_setup",
            Message(
                f"无法登录或加密连接邮件服务器 {server}（{exc}）：请检查 SILKHUB_SMTP_* 配置。",
                f"Cannot log in to or secure the connection with {server} ({exc}): check the "
                "SILKHUB_SMTP_* settings.",
            ),
            getattr(exc, "smtp_code", None),
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        # Refused at connect, greeting or HELO (e.g. 421, 554): judged by its code.
        return _reply(exc.smtp_code, exc.smtp_error, server)
    # smtplib reports a read that timed out as SMTPServerDisconnected, the timeout chained.
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        return temporary(
            "timeout",
            Message(
                f"邮件服务器 {server} 超时未应答。",
                f"The mail server {server} did not answer in time.",
            ),
        )
    if isinstance(exc, smtplib.SMTPException | OSError):
        # Refused, reset, dropped mid-conversation, DNS failure: all can pass.
        return temporary(
            "connection_failed",
            Message(
                f"无法连接邮件服务器 {server}：{exc or type(exc).__name__}",
                f"Cannot reach the mail server {server}: {exc or type(exc).__name__}",
            ),
        )
    raise exc  # a bug (a malformed message...), not the network: let the worker see it
