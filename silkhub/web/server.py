"""Running the application under uvicorn, and warming it up once it listens."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Sequence

import httpx
import uvicorn

from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.app import create_app

log = logging.getLogger("silkhub.web")

#: How long the warm-up waits for the server to answer before giving up (it only helps).
WARM_UP_WAIT_S = 120.0


def _loopback(host: str) -> str:
    """Where this machine reaches a server listening on ``host``."""
    if host in ("", "0.0.0.0", "localhost"):  # noqa: S104 (a comparison, not a bind)
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def warm_up(origin: str, paths: Sequence[str], *, wait_s: float = WARM_UP_WAIT_S) -> dict[str, int]:
    """Request each of ``paths`` once from the server at ``origin``, as soon as it answers its
    health check; the status of each (0 when it could not be fetched).

    The first request of a page in a process pays for what is then kept: the compiled
    catalogs and templates, the analytical engine's start, the figures computed from data that
    only an import changes. Paying it here, at start-up, spares the first visitors after a
    restart a wait of a second or more. Failures are logged and otherwise ignored."""
    statuses: dict[str, int] = {}
    # trust_env=False: a proxy configured for outbound calls must not carry these.
    with httpx.Client(base_url=origin, timeout=60, trust_env=False) as client:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                client.get("/api/health")
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    log.warning("warm-up: %s did not answer; nothing warmed", origin)
                    return statuses
                time.sleep(0.2)
        started = time.perf_counter()
        for path in paths:
            try:
                statuses[path] = client.get(path).status_code
            except httpx.HTTPError as exc:
                log.warning("warm-up: GET %s failed: %s", path, exc)
                statuses[path] = 0
    log.info("warm-up: %d pages in %.1f s", len(paths), time.perf_counter() - started)
    # What the warm-up kept (templates, catalogs, remembered figures, the ORM's metadata) lives
    # as long as the process: left to the collector, every full collection walks all of it
    # again, about 200 ms on the demonstration hub, a pause that fell on one request in five
    # of an allocation-heavy page such as search. Frozen, the collector leaves it alone.
    gc.freeze()
    return statuses


def run_server(settings: Settings, db: Database, *, host: str, port: int) -> None:
    app = create_app(settings, db=db)
    threading.Thread(
        target=warm_up,
        args=(f"http://{_loopback(host)}:{port}", app.state.warm_paths),
        name="silkhub-warm-up",
        daemon=True,
    ).start()
    # Forwarded headers are believed only from the proxies named in the settings: believed
    # from anyone, they would let a client pick the address that sign-in throttling counts.
    trusted = settings.forwarded_allow_ips
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        log_config=None,  # keep the format silkhub.logs set up
        proxy_headers=trusted is not None,
        forwarded_allow_ips=trusted,
    )
