"""The portal in a real browser: Debian's Chromium driven by Playwright (sync API) against a copy
of the demonstration hub served by uvicorn on 127.0.0.1.

Each test module gets its own copy of the session's ``demo_hub`` (journeys write: an import, an
approved week), so the shared hub stays pristine for every other test. Every browser context is
kept on the server: a request for anything else is aborted and fails the journey.

Without Chromium or Playwright the journeys skip, unless ``SILKHUB_TEST_REQUIRE_BROWSER=1`` (CI
sets it), which makes a missing browser a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from silkhub.demo.builder import DEMO_DOMAIN
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.app import create_app
from tests.browser.support import (
    ARTIFACTS,
    Clock,
    LiveServer,
    browser_missing,
    copy_hub,
    launch,
    local_context,
)
from tests.conftest import DEMO_PASSWORD, DemoHub

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Browser, Page

REQUIRE_BROWSER = os.environ.get("SILKHUB_TEST_REQUIRE_BROWSER") == "1"
#: The Chinese and English words of the sign-in page's button.
SIGN_IN = {"zh": "登录", "en": "Sign in"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    missing = browser_missing()
    if missing is not None:
        if REQUIRE_BROWSER:
            pytest.fail(f"SILKHUB_TEST_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@dataclass
class LiveHub:
    """A copy of the demonstration hub, served, and the browser to visit it with."""

    origin: str
    app: FastAPI
    data_dir: Path
    db: Database
    clock: Clock
    browser: Browser

    def url(self, path: str) -> str:
        return self.origin + path

    @contextmanager
    def person(self, locale: str = "zh-CN") -> Iterator[Page]:
        """One person's browser (own cookies), in ``locale``. On leaving the block, whatever
        the person saw must have come from the server alone, with no script error."""
        with local_context(self.browser, self.origin, locale=locale) as (page, watch):
            yield page
            assert watch.problems() == []

    def sign_in(self, page: Page, who: str, lang: str = "zh") -> None:
        """Sign in as a demonstration login (``analyst``, ``compiler``...) from the page shown:
        the header's link, the form, and back to that page."""
        here = page.url
        page.locator("header").get_by_role("link", name=SIGN_IN[lang]).click()
        page.get_by_label("电子邮件地址" if lang == "zh" else "E-mail address").fill(
            f"{who}@{DEMO_DOMAIN}"
        )
        page.get_by_label("密码" if lang == "zh" else "Password").fill(DEMO_PASSWORD)
        page.locator("main").get_by_role("button", name=SIGN_IN[lang]).click()
        page.wait_for_url(here)


def screenshot(page: Page, journey: str) -> Path:
    """The journey's last page, whole, as ``test-artifacts/browser/<journey>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{journey}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="module")
def served_hub(
    browser: Browser, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveHub]:
    """This module's copy of the demonstration hub, served on 127.0.0.1."""
    # Asked for here rather than as a parameter, so that a missing browser skips before the
    # demonstration hub is built for nothing.
    demo_hub: DemoHub = request.getfixturevalue("demo_hub")
    data_dir = copy_hub(demo_hub.data_dir, tmp_path_factory.mktemp("browser-hub") / "hub")
    settings = Settings(data_dir=data_dir, secret_key="test-secret-key-not-for-production")
    db = Database.from_url(settings.resolved_database_url)
    app = create_app(settings, db=db)
    clock = Clock()
    app.state.clock = clock
    try:
        with LiveServer(app) as server:
            yield LiveHub(server.origin, app, data_dir, db, clock, browser)
    finally:
        app.state.analytical.close()
        db.dispose()


@pytest.fixture
def hub(served_hub: LiveHub) -> Iterator[LiveHub]:
    """The module's served hub, its clock back to the real time for each test."""
    served_hub.clock.now = None
    yield served_hub
    served_hub.clock.now = None
