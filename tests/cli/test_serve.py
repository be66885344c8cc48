"""``silkhub serve`` and ``silkhub demo`` as real processes, spoken to over HTTP.

Each test starts the installed ``silkhub`` command on a free port, in an environment built
here (no ``SILKHUB_*`` variable leaks in from the test run), waits for ``/api/health``, and
always kills the process at the end.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from silkhub import __version__
from silkhub.cli.context import state
from silkhub.cli.main import app

# The demonstration hub imports a few hundred generated files before it serves.
STARTUP_TIMEOUT = 180.0
STOP_TIMEOUT = 15.0
DEMO_PASSWORD = "demo-password-1"


def silkhub_command() -> list[str]:
    script = shutil.which("silkhub", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "silkhub"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SILKHUB_")}
    env.update(
        PYTHONUNBUFFERED="1",
        COLUMNS="200",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    return env


def listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Process:
    """A ``silkhub`` process writing to a log file; killed at the end whatever happens."""

    def __init__(
        self, args: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None
    ) -> None:
        self.log_path = log
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [*silkhub_command(), *args],
            cwd=cwd,
            env={**clean_env(), **(env or {})},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_health(self, port: int) -> dict[str, object]:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        with httpx.Client(trust_env=False, timeout=2.0) as client:
            while True:
                code = self.proc.poll()
                if code is not None:
                    pytest.fail(f"silkhub exited with {code} before answering:\n{self.output()}")
                try:
                    response = client.get(f"http://127.0.0.1:{port}/api/health")
                except httpx.TransportError:
                    response = None
                if response is not None and response.status_code == 200:
                    body: dict[str, object] = response.json()
                    return body
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"no answer on port {port} after {STARTUP_TIMEOUT} s:\n{self.output()}"
                    )
                time.sleep(0.1)

    def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"silkhub did not stop on SIGTERM:\n{self.output()}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
        self._log.close()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        process.kill()


def start(
    processes: list[Process], tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> Process:
    process = Process(list(args), tmp_path, tmp_path / f"silkhub-{len(processes) + 1}.log", env=env)
    processes.append(process)
    return process


def stopped_cleanly(process: Process) -> None:
    """SIGTERM, then a graceful shutdown (uvicorn re-raises the signal once it has finished,
    so the exit status may be -SIGTERM; older versions exit 0)."""
    code = process.terminate()
    output = process.output()
    assert code in (0, -signal.SIGTERM), output
    assert "Finished server process" in output
    assert "Traceback" not in output


def test_serve_answers_health_and_pages_then_stops_on_sigterm(
    tmp_path: Path, db_url: str, processes: list[Process], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in list(os.environ):
        if key.startswith("SILKHUB_"):
            monkeypatch.delenv(key)
    data_dir = tmp_path / "data"
    init = CliRunner().invoke(app, ["--data-dir", str(data_dir), "--database-url", db_url, "init"])
    state.reset()
    assert init.exit_code == 0, init.output

    port = free_port()
    server = start(
        processes,
        tmp_path,
        "--data-dir",
        str(data_dir),
        "--database-url",
        db_url,
        "serve",
        "--port",
        str(port),
    )
    health = server.wait_for_health(port)
    assert health == {"status": "ok", "version": __version__, "database": "ok"}

    with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as client:
        zh = client.get("/zh/")
        assert zh.status_code == 200
        assert zh.headers["content-type"].startswith("text/html")
        assert '<html lang="zh-CN">' in zh.text
        en = client.get("/en/")
        assert en.status_code == 200
        assert '<html lang="en">' in en.text
        assert "demo-banner" not in zh.text  # not a demonstration hub

    stopped_cleanly(server)
    assert not listening(port)


def test_serve_refuses_an_uninitialised_data_dir_without_listening(
    tmp_path: Path, processes: list[Process]
) -> None:
    data_dir = tmp_path / "empty"
    data_dir.mkdir()
    port = free_port()
    began = time.monotonic()
    server = start(processes, tmp_path, "--data-dir", str(data_dir), "serve", "--port", str(port))
    try:
        code = server.proc.wait(timeout=STARTUP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"serve kept running on an uninitialised store:\n{server.output()}")
    assert code == 2, server.output()
    assert time.monotonic() - began < 20
    output = " ".join(server.output().split())
    assert "silkhub init" in output
    assert "Traceback" not in output
    assert "Uvicorn running" not in output
    assert not listening(port)
    assert list(data_dir.iterdir()) == []  # no silkhub.db, no secret_key


def test_demo_builds_serves_and_signs_the_admin_in(
    tmp_path: Path, processes: list[Process]
) -> None:
    data_dir = tmp_path / "demo"
    port = free_port()
    demo = start(
        processes,
        tmp_path,
        "demo",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        "--mail-port",
        str(free_port()),
        "--admin-password",
        DEMO_PASSWORD,
    )
    health = demo.wait_for_health(port)
    assert health["status"] == "ok"
    printed = demo.output()
    assert "admin@demo.silkhub.invalid" in printed
    assert DEMO_PASSWORD in printed
    assert (data_dir / "demo.json").is_file()
    assert (data_dir / "silkhub.db").is_file()

    with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as client:
        home = client.get("/zh/")
        assert home.status_code == 200
        assert 'class="demo-banner"' in home.text
        assert 'class="demo-banner"' in client.get("/en/").text

        login = client.get("/zh/login")
        assert login.status_code == 200
        match = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert match, login.text
        csrf = match.group(1)

        wrong = client.post(
            "/zh/login",
            data={
                "email": "admin@demo.silkhub.invalid",
                "password": "not-the-password",
                "csrf_token": csrf,
            },
        )
        assert wrong.status_code == 401
        assert "silkhub_session" not in client.cookies

        signed_in = client.post(
            "/zh/login",
            data={
                "email": "admin@demo.silkhub.invalid",
                "password": DEMO_PASSWORD,
                "csrf_token": csrf,
                "next": "/zh/account",
            },
        )
        assert signed_in.status_code == 303, signed_in.text
        assert signed_in.headers["location"] == "/zh/account"
        assert client.cookies.get("silkhub_session")

        account = client.get("/zh/account")
        assert account.status_code == 200
        assert "演示管理员 Demo Admin" in account.text
        assert "admin@demo.silkhub.invalid" in account.text

    stopped_cleanly(demo)


def _sign_in_through(port: int, forwarded: dict[str, str]) -> str:
    """Sign in with forwarded headers; the Set-Cookie header of the session."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as client:
        page = client.get("/zh/login", headers=forwarded)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, page.text
        # Behind TLS the anonymous cookie is Secure, which a client speaking plain http to the
        # server keeps back; a browser talking to the proxy over https sends it, so do that.
        anon = page.cookies.get("silkhub_anon") or client.cookies.get("silkhub_anon")
        forwarded = {**forwarded, "cookie": f"silkhub_anon={anon}"}
        client.cookies.clear()
        response = client.post(
            "/zh/login",
            data={
                "email": "ops@example.org",
                "password": "a long enough password",
                "csrf_token": match.group(1),
            },
            headers=forwarded,
        )
        assert response.status_code == 303, response.text
        return next(
            v for v in response.headers.get_list("set-cookie") if v.startswith("silkhub_session=")
        )


@pytest.mark.parametrize("trusted", [False, True], ids=["untrusted", "trusted-proxy"])
def test_forwarded_headers_only_from_trusted_proxies(
    tmp_path: Path, processes: list[Process], trusted: bool
) -> None:
    data_dir = tmp_path / "data"
    runner = CliRunner()
    for args in (
        ["init"],
        ["user", "add", "ops@example.org", "--password", "a long enough password"],
    ):
        result = runner.invoke(app, ["--data-dir", str(data_dir), *args])
        state.reset()
        assert result.exit_code == 0, result.output
    port = free_port()
    env = {"SILKHUB_FORWARDED_ALLOW_IPS": "127.0.0.1"} if trusted else {}
    server = start(
        processes, tmp_path, "--data-dir", str(data_dir), "serve", "--port", str(port), env=env
    )
    server.wait_for_health(port)
    cookie = _sign_in_through(
        port, {"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7"}
    )
    # Behind a TLS proxy the cookie is marked Secure; from an untrusted peer the header is
    # ignored, as a client could otherwise pretend anything.
    assert ("secure" in cookie.lower().split("; ")) is trusted
    stopped_cleanly(server)
    # Log lines carry a timestamp and the level, for the operator's collector.
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO ", server.output(), re.M)
