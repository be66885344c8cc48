"""Journey: a visitor reads the hub at a glance in Chinese, switches to English, and finds the
same figures (each number read back from the page, at the scale each language writes it:
"815.9亿元" is "CNY 81.59 billion")."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from tests.browser.conftest import LiveHub, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

SCALES = {
    "万亿": Decimal(10) ** 12,
    "亿": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
    "trillion": Decimal(10) ** 12,
    "billion": Decimal(10) ** 9,
    "million": Decimal(10) ** 6,
}
# A number with its sign or direction ("下降39.7%", "down 39.7%", "+3.07%") and its scale word.
FIGURE = re.compile(
    r"(?P<down>下降|down )?(?P<sign>[+-])?(?P<number>\d[\d,]*(?:\.\d+)?)\s*"
    r"(?P<scale>万亿|亿|万|trillion|billion|million)?"
)


def figures_of(line: str, lang: str) -> list[Decimal]:
    """The numbers a home-page line states after its label and period, as plain values."""
    # "label（period）：figures" in Chinese, "label (period): figures" in English (a label may
    # hold brackets of its own, hence the last one).
    text = line.split("：", 1)[1] if lang == "zh" else line.rsplit("): ", 1)[1]
    out = []
    for m in FIGURE.finditer(text):
        value = Decimal(m["number"].replace(",", "")) * SCALES.get(m["scale"] or "", Decimal(1))
        out.append(-value if m["down"] or m["sign"] == "-" else value)
    return out


def test_figures_of_reads_both_languages() -> None:
    assert figures_of("贸易（2020年1-12月）：1.1万亿元，增长9.3%，占35.3%", "zh") == [
        Decimal("1.1E12"),
        Decimal("9.3"),
        Decimal("35.3"),
    ]
    assert figures_of("Trade (CEEC) (Jan–Dec 2020): USD 4.91 billion, down 39.7%", "en") == [
        Decimal("4.91E9"),
        Decimal("-39.7"),
    ]


def card_lines(page: Page, heading_id: str) -> list[str]:
    """The lines of the home page's card whose heading has ``heading_id``."""
    card = page.locator("section.card").filter(has=page.locator(f"#{heading_id}"))
    return card.locator(".card-lines li").all_inner_texts()


def test_a_visitor_switches_language_and_sees_the_same_figures(hub: LiveHub) -> None:
    with hub.person(locale="zh-CN") as page:
        # The bare address sends a Chinese browser to the Chinese pages.
        page.goto(hub.url("/"))
        assert page.url == hub.url("/zh/")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert page.get_by_role("heading", level=1).inner_text() == "“一带一路”枢纽一览"
        zh = {card: card_lines(page, card) for card in ("c-stats", "c-indices")}

        page.get_by_role("link", name="English").click()
        page.wait_for_url(hub.url("/en/"))
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", level=1).inner_text() == (
            "The Belt and Road hub at a glance"
        )
        en = {card: card_lines(page, card) for card in ("c-stats", "c-indices")}

        assert len(zh["c-stats"]) >= 3 and len(zh["c-indices"]) == 1
        for card, lines in zh.items():
            assert len(en[card]) == len(lines)
            for zh_line, en_line in zip(lines, en[card], strict=True):
                numbers = figures_of(zh_line, "zh")
                assert numbers, zh_line
                assert figures_of(en_line, "en") == numbers, (zh_line, en_line)
        page.wait_for_load_state("networkidle")  # the map's shapes, for the screenshot
        screenshot(page, "visitor-language")


def test_nothing_leaves_the_server_unnoticed(hub: LiveHub) -> None:
    """The guard every journey relies on: a request for another host is stopped and recorded,
    and a script error is recorded, so that the journeys' final checks can fail."""
    from tests.browser.support import local_context

    with local_context(hub.browser, hub.origin) as (page, watch):
        page.goto(hub.url("/en/"))
        assert watch.problems() == []
        # 192.0.2.0/24 is reserved for documentation: even unguarded, this reaches nobody.
        page.evaluate("fetch('http://192.0.2.1/tile.png').catch(() => null)")
        # Wait for the error itself, not a fixed time: the home page's two maps may keep a
        # busy machine's main thread for longer than any fixed wait.
        with page.expect_event("pageerror"):
            page.evaluate("setTimeout(() => { throw new Error('deliberate') }, 0)")
        assert watch.outside == ["http://192.0.2.1/tile.png"]
        assert len(watch.script_errors) == 1 and "deliberate" in watch.script_errors[0]
