"""Real receivers on 127.0.0.1 for delivery tests: an SMTP server and an HTTP server.

Both are fixtures (registered for every test folder by ``tests/conftest.py``), listen on a free
port, record everything they are sent, can be told to fail on demand, and stop at the end of
the test. They are real servers, not mocks: the code under test opens real sockets, speaks
real SMTP and HTTP, and meets real refusals, timeouts and dropped connections.

    def test_something(smtp_server: SmtpServer, http_receiver: HttpReceiver) -> None:
        smtp_server.refuse("nobody@example.org", 550)      # that recipient: permanent
        smtp_server.refuse("later@example.org", 451)       # that recipient: temporary
        smtp_server.drop("gone@example.org")               # hang up at that recipient
        http_receiver.script("/hook", 503, 503, 200)       # three answers, in turn
        http_receiver.script("/slow", Reply(200, delay=5)) # answer after 5 s
        ... smtp_server.messages, http_receiver.requests ...
"""

from __future__ import annotations

import socket
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

HOST = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it; it stays free for the test,
    barring a rare race with another process)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connecting is refused."""
    return free_port()


# --- SMTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the server got it: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes  # the raw DATA, as sent
    message: EmailMessage  # parsed with the modern policy: headers decoded, get_body() works


class _SmtpHandler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, smtp: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        rule = self.server.rules.get(address.lower())
        if rule == "drop" and address.lower() in self.server.drops_left:
            left = self.server.drops_left[address.lower()]
            if left <= 0:
                rule = None
            else:
                self.server.drops_left[address.lower()] = left - 1
        if rule == "drop":
            # Hang up mid-conversation, as a crashing or overloaded server does.
            if smtp.transport is not None:
                smtp.transport.abort()
            return "421 4.3.2 closing"
        if rule is not None:
            return rule
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_EHLO(
        self, smtp: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        with self.server.lock:
            self.server.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        data = cast(bytes, envelope.original_content or envelope.content)
        message = cast(EmailMessage, message_from_bytes(data, policy=policy.default))
        mail = ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), data, message)
        with self.server.lock:
            self.server.messages.append(mail)
        return "250 Message accepted"


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that keeps every message it accepts."""

    def __init__(self, *, smtputf8: bool = True) -> None:
        self.host = HOST
        self.port = 0
        self.smtputf8 = smtputf8  # offer SMTPUTF8 (addresses in any script)
        self.messages: list[ReceivedMail] = []
        self.rules: dict[str, str] = {}  # recipient -> SMTP reply, or "drop"
        self.drops_left: dict[str, int] = {}  # recipient -> drops before accepting again
        self.connections = 0  # SMTP sessions opened by clients
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def refuse(self, recipient: str, code: int, text: str | None = None) -> None:
        """Answer RCPT TO ``recipient`` with ``code`` (451: try later; 550: no such user)."""
        default = "4.3.0 Try again later" if code < 500 else "5.1.1 No such user here"
        self.rules[recipient.lower()] = f"{code} {text or default}"

    def drop(self, recipient: str, *, times: int | None = None) -> None:
        """Close the connection, without a word, when the client names ``recipient``
        (every time, or only the first ``times`` times)."""
        self.rules[recipient.lower()] = "drop"
        if times is not None:
            self.drops_left[recipient.lower()] = times

    def to(self, recipient: str) -> list[ReceivedMail]:
        """The messages accepted for ``recipient``."""
        with self.lock:
            return [m for m in self.messages if recipient in m.rcpt_tos]

    def start(self) -> None:
        last: Exception | None = None
        for _ in range(5):  # a free port can be taken between choosing and binding it
            port = free_port()
            controller = Controller(
                _SmtpHandler(self), hostname=HOST, port=port, enable_SMTPUTF8=self.smtputf8
            )
            try:
                controller.start()
            except Exception as exc:  # noqa: BLE001 - try another port
                last = exc
                continue
            self._controller, self.port = controller, port
            return
        raise RuntimeError(f"the test SMTP server could not start: {last}")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 at a free port, recording every message."""
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- HTTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One scripted answer: status, headers, and how long to wait before answering."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: bytes = b"{}"


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased; repeated headers joined with ", "
    body: bytes  # exactly the bytes received

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and
    # the client's delayed ACK hold every answer back ~40 ms (20 requests a second).
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        receiver = self.server.receiver
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            # A header sent twice is kept as HTTP reads it, "first, second": a test sees it.
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        request = ReceivedRequest(self.command, self.path, headers, body)
        reply = receiver._record(request)
        if reply.delay and receiver._stopping.wait(reply.delay):
            return  # the test is over: do not answer
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    do_POST = do_GET = do_PUT = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests look at .requests


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: HttpReceiver


class HttpReceiver:
    """A threaded HTTP server on 127.0.0.1 that records every request and answers each path
    from its script (then 200 when the script runs out)."""

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self._scripts: dict[str, deque[Reply]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server((HOST, 0), _Handler)
        self._server.receiver = self
        self.port = int(self._server.server_address[1])
        # A short poll interval: shutdown() waits for the loop's next look at its flag.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str = "/hook") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def script(self, path: str, *replies: Reply | int) -> None:
        """Answer the next requests to ``path`` with these, in turn (an int: that status)."""
        with self._lock:
            queue = self._scripts.setdefault(path, deque())
            queue.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    def to(self, path: str) -> list[ReceivedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _record(self, request: ReceivedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            queue = self._scripts.get(request.path)
            return queue.popleft() if queue else Reply()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()  # cut scripted delays short
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    """A real HTTP server on 127.0.0.1 at a free port, scripted per path."""
    receiver = HttpReceiver()
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
