"""Take the README's picture of the portal's home page, in a real browser.

    python scripts/screenshot_home.py                       # docs/images/home.png, in Chinese
    python scripts/screenshot_home.py --lang en --out /tmp/home-en.png
    python scripts/screenshot_home.py --data-dir /tmp/hub   # reuse a demonstration hub there

Builds the demonstration hub (seed 2020, as ``silkhub demo`` does) in a temporary directory
unless ``--data-dir`` names one already built, serves it on 127.0.0.1, and photographs the top
of ``/{lang}/`` once its map is drawn, with the browser setup of the browser tests
(``tests/browser/support.py``: Debian's Chromium, every request kept on the server). Needs
the test extra (Playwright) and ``/usr/bin/chromium``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from silkhub.demo.builder import build_demo  # noqa: E402
from silkhub.settings import Settings  # noqa: E402
from silkhub.stores.database import Database  # noqa: E402
from silkhub.web.app import create_app  # noqa: E402
from tests.browser.support import (  # noqa: E402
    LiveServer,
    browser_missing,
    launch,
    local_context,
)

#: The top of the page, at a desktop width: the hero, the headline figures, the cards and the
#: map of the month's trains.
CLIP = {"x": 0, "y": 0, "width": 1280, "height": 1900}
#: ECharts animates the map in; the picture waits for it to settle.
SETTLE_MS = 1500


def complete_hub(data_dir: Path) -> bool:
    marker = data_dir / "demo.json"
    return marker.is_file() and bool(json.loads(marker.read_text(encoding="utf-8"))["complete"])


def photograph(data_dir: Path, lang: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    settings = Settings(data_dir=data_dir)
    db = Database.from_url(settings.resolved_database_url)
    app = create_app(settings, db=db)
    try:
        with LiveServer(app) as server, sync_playwright() as playwright:
            browser = launch(playwright)
            locale = "zh-CN" if lang == "zh" else "en-GB"
            with local_context(browser, server.origin, locale=locale) as (page, watch):
                with page.expect_response(lambda r: r.url.endswith(".json") and r.ok):
                    page.goto(f"{server.origin}/{lang}/")
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(SETTLE_MS)
                if watch.problems():
                    raise SystemExit("the page did not load cleanly: " + str(watch.problems()))
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out), full_page=True, clip=CLIP)
            browser.close()
    finally:
        app.state.analytical.close()
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "home.png")
    parser.add_argument("--data-dir", type=Path, help="a demonstration hub to use (or build)")
    args = parser.parse_args()
    missing = browser_missing()
    if missing is not None:
        raise SystemExit(f"cannot take the picture: {missing}")
    with tempfile.TemporaryDirectory(prefix="silkhub-screenshot-") as tmp:
        data_dir = args.data_dir or Path(tmp) / "hub"
        if not complete_hub(data_dir):
            print(f"building the demonstration hub in {data_dir} ...", file=sys.stderr)
            build_demo(Settings(data_dir=data_dir), seed=2020)
        photograph(data_dir, args.lang, args.out)
    print(args.out)


if __name__ == "__main__":
    main()
