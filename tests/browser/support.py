"""What the browser journeys and ``scripts/screenshot_home.py`` share: Debian's Chromium launched
the one way silkhub allows (never a downloaded browser), a copy of a hub served by uvicorn on
127.0.0.1 in a background thread, and a guard that lets no request leave the server.

Playwright is a test dependency, so this lives with the tests rather than in the package; the
script imports it from the checkout.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request, Route

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"

#: Debian's package; ``SILKHUB_TEST_CHROMIUM`` names another build of the same browser.
CHROMIUM = Path(os.environ.get("SILKHUB_TEST_CHROMIUM", "/usr/bin/chromium"))
#: No sandbox (CI runs as root in a container), no GPU, and none of the browser's own traffic
#: (component updates, safe-browsing lists, first-run pings): the tests talk to 127.0.0.1 only.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: A desktop window; the journeys read the page as a person at a desk would.
VIEWPORT = {"width": 1280, "height": 900}
#: How long a step may wait for the page (Playwright's default is 30 s): long enough for a slow
#: shared machine, short enough that a broken journey fails soon.
STEP_TIMEOUT_MS = 15_000


def browser_missing() -> str | None:
    """Why the journeys cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def launch(playwright: Playwright) -> Browser:
    """Chromium from the system, headless; Playwright's own downloads are never used."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


# --- a hub served in a background thread --------------------------------------------------------


def copy_hub(source: Path, target: Path) -> Path:
    """A copy of a hub's data directory that a test may write to. The operational store is
    copied with SQLite's backup API, which gives a consistent copy even while the source has
    connections open (a plain file copy could miss pages still in its write-ahead log)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("silkhub.db*"))
    src = sqlite3.connect(source / "silkhub.db")
    dst = sqlite3.connect(target / "silkhub.db")
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


class LiveServer:
    """An ASGI app served by uvicorn on 127.0.0.1 at a free port, in a daemon thread. The socket
    is bound before the thread starts, so the port is known and nobody else can take it."""

    def __init__(self, app: Any) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        # log_config=None keeps the test run's logging as it is; lifespan off: the app has none.
        config = uvicorn.Config(app, log_config=None, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the test server stopped while starting")
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start within 30 s")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._socket.close()


class Clock:
    """The indices' clock (``app.state.clock``): the real time until a test sets ``now``."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def __call__(self) -> datetime:
        return self.now if self.now is not None else datetime.now(UTC)


# --- keeping every request on the server --------------------------------------------------------


@dataclass
class Watch:
    """What went wrong in a browser context: requests for anything but the server (blocked
    before they leave), scripts that threw, and assets the server did not deliver."""

    origin: str
    outside: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    broken_assets: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return (
            [f"request left {self.origin}: {url}" for url in self.outside]
            + [f"script error: {e}" for e in self.script_errors]
            + [f"asset not delivered: {a}" for a in self.broken_assets]
        )


def keep_local(context: BrowserContext, origin: str) -> Watch:
    """Let the context's pages reach ``origin`` only: anything else is recorded and aborted,
    so a page that would need the network fails its test instead of quietly loading a CDN."""
    watch = Watch(origin)

    def route(route: Route) -> None:
        url = route.request.url
        if url == origin or url.startswith(origin + "/"):
            route.continue_()
        else:
            watch.outside.append(url)
            route.abort("blockedbyclient")

    def failed(request: Request) -> None:
        # ERR_ABORTED: the page was left before the file arrived (a journey moving on while
        # a map still loads), not a file the server failed to deliver.
        if request.url.startswith(origin + "/static/") and request.failure != "net::ERR_ABORTED":
            watch.broken_assets.append(f"{request.url} ({request.failure})")

    context.route("**/*", route)
    context.on("requestfailed", failed)
    # Pages opened later in the context report their script errors too.
    context.on("page", lambda page: watch_page(page, watch))
    return watch


def watch_page(page: Page, watch: Watch) -> None:
    page.on(
        "pageerror",
        lambda error: watch.script_errors.append(f"{page.url}: {error} [{error.stack}]"),
    )

    def response(resp: Any) -> None:
        if "/static/" in resp.url and resp.status >= 400:
            watch.broken_assets.append(f"{resp.url} ({resp.status})")

    page.on("response", response)


@contextmanager
def local_context(browser: Browser, origin: str, **options: Any) -> Iterator[tuple[Page, Watch]]:
    """A fresh browser context (its own cookies: one person) kept on ``origin``, and its page."""
    context = browser.new_context(viewport=VIEWPORT, **options)  # type: ignore[arg-type]
    context.set_default_timeout(STEP_TIMEOUT_MS)
    watch = keep_local(context, origin)
    try:
        page = context.new_page()
        yield page, watch
    finally:
        context.close()
