"""``silkhub serve`` warms the portal up: once it listens, it requests every public page the
capabilities name (``WARM_UP``, or their navigation entries) in both languages."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from silkhub.web.server import _loopback, warm_up
from tests.browser.support import LiveServer


def test_the_warm_up_requests_every_public_page_once(app: FastAPI) -> None:
    paths = app.state.warm_paths
    for lang in ("zh", "en"):
        for page in ("/", "/stats", "/stats/briefing", "/indices", "/indices/methodology"):
            assert f"/{lang}{page}" in paths
    gc.unfreeze()
    try:
        with LiveServer(app) as server:
            statuses = warm_up(server.origin, paths, wait_s=10)
        assert statuses == dict.fromkeys(paths, 200)
        # What it kept is frozen out of the collector's full collections.
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_warm_up_gives_up_on_a_server_that_never_answers() -> None:
    # Port 9 (discard) on 127.0.0.1: nothing listens there in a test run.
    assert warm_up("http://127.0.0.1:9", ["/zh/"], wait_s=0.5) == {}


def test_the_warm_up_reaches_the_server_where_it_listens() -> None:
    assert _loopback("0.0.0.0") == "127.0.0.1"  # noqa: S104
    assert _loopback("::") == "[::1]"
    assert _loopback("192.0.2.7") == "192.0.2.7"
    assert _loopback("2001:db8::7") == "[2001:db8::7]"
