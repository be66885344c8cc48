"""What a keyboard or screen-reader user meets on every public page, in both languages: the
`lang` attribute, a skip link as the first stop, a visible focus ring on every stop, a name
for every form field, alt text for every image, and the figures of every chart also as a table
or list; and, signed in, workspace links only for the roles that may use them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import LiveHub, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

PUBLIC = ["/", "/stats", "/stats/briefing", "/indices", "/indices/methodology", "/track", "/login"]
LANG_ATTRIBUTE = {"zh": "zh-CN", "en": "en"}
SKIP_LINK = {"zh": "跳到正文", "en": "Skip to content"}
#: Keyboard stops checked on each page: past the header, into the page's own controls.
TAB_STOPS = 25

# Fields a person fills in, and what names them for assistive technology.
UNNAMED_FIELDS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => !['hidden', 'submit', 'button'].includes(el.type))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby') && !el.title)
  .map(el => el.outerHTML.slice(0, 120))"""
# Every chart names what it shows and has its figures, in its section, as a table or list
# that no script has hidden (the country-group map once hid every other chart's table).
CHARTS_WITHOUT_DATA = """() => [...document.querySelectorAll('.chart')]
  .filter(el => !el.getAttribute('aria-label')
                || !el.closest('section').querySelector(
                     '.data-behind:not([hidden]) table, .data-behind:not([hidden]) ul'))
  .map(el => el.id)"""
# How the element with the focus shows it: its outline, or a ring drawn as a box shadow.
FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  return {tag: el.tagName, text: (el.innerText || el.value || '').slice(0, 40),
          visible: outline || (s.boxShadow && s.boxShadow !== 'none')};
}"""


def focus_stops(page: Page, count: int) -> list[dict[str, object]]:
    stops = []
    for _ in range(count):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_RING)
        if stop is not None:
            stops.append(stop)
    return stops


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_public_page_can_be_used_by_keyboard_and_screen_reader(
    hub: LiveHub, lang: str
) -> None:
    charts = fields = 0
    with hub.person(locale=LANG_ATTRIBUTE[lang]) as page:
        for path in PUBLIC:
            page.goto(hub.url(f"/{lang}{path}"))
            where = f"/{lang}{path}"
            assert page.locator("html").get_attribute("lang") == LANG_ATTRIBUTE[lang], where
            assert page.evaluate(UNNAMED_FIELDS) == [], where
            assert page.evaluate(CHARTS_WITHOUT_DATA) == [], where
            assert page.locator("img:not([alt])").count() == 0, where
            charts += page.locator(".chart").count()
            fields += page.locator("main select, main input:not([type=hidden])").count()

            stops = focus_stops(page, TAB_STOPS)
            assert stops[0]["text"] == SKIP_LINK[lang], where
            hidden = [s for s in stops if not s["visible"]]
            assert hidden == [], where
            # The skip link takes the keyboard past the header, to the page itself.
            page.goto(hub.url(f"/{lang}{path}"))
            page.keyboard.press("Tab")
            page.keyboard.press("Enter")
            assert page.evaluate("document.activeElement.id") == "main", where
        screenshot(page, f"keyboard-{lang}")
    # The checks above looked at something: the dashboard's and the indices' charts, the
    # filter forms and the sign-in form.
    assert charts >= 6 and fields >= 8, (charts, fields)


#: The workspaces on each capability's pages, and the one role each is for (an admin has all).
WORKSPACES = {
    "/zh/stats": {"导入数据": "analyst"},
    "/zh/indices": {"报价提交": "panelist", "编制台": "compiler"},
}


@pytest.mark.parametrize("who", [None, "analyst", "compiler", "panelist", "subscriber", "admin"])
def test_workspace_links_only_for_the_roles_that_use_them(hub: LiveHub, who: str | None) -> None:
    with hub.person() as page:
        page.goto(hub.url("/zh/"))
        if who is not None:
            hub.sign_in(page, who)
        for path, workspaces in WORKSPACES.items():
            page.goto(hub.url(path))
            for label, role in workspaces.items():
                shown = 1 if who in (role, "admin") else 0
                # In the site's navigation, on every page, and in the capability's tabs.
                header = page.locator("header nav").get_by_role("link", name=label, exact=True)
                tabs = page.locator("main nav").get_by_role("link", name=label, exact=True)
                assert (header.count(), tabs.count()) == (shown, shown), (who, path, label)
        if who == "admin":
            # On a workspace, its own link is the current one, not its capability's too.
            page.locator("header nav").get_by_role("link", name="编制台").click()
            current = page.locator('header nav [aria-current="page"]')
            assert current.all_inner_texts() == ["编制台"]
            screenshot(page, "navigation-admin")


#: The workspaces, as an admin (who holds every role) meets them.
WORKSPACE_PAGES = [
    "/stats/upload",
    "/indices/console",
    "/alerts/desk",
    "/alerts/coverage",
    "/logistics/upload",
    "/logistics/subscriptions",
    "/admin/people",
    "/admin/organisations",
    "/admin/tokens",
    "/admin/audit",
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_workspace_can_be_used_by_keyboard_and_screen_reader(hub: LiveHub, lang: str) -> None:
    fields = 0
    with hub.person(locale=LANG_ATTRIBUTE[lang]) as page:
        page.goto(hub.url(f"/{lang}/"))
        hub.sign_in(page, "admin", lang)
        for path in WORKSPACE_PAGES:
            where = f"/{lang}{path}"
            response = page.goto(hub.url(where))
            assert response is not None and response.status == 200, where
            assert page.locator("html").get_attribute("lang") == LANG_ATTRIBUTE[lang], where
            assert page.evaluate(UNNAMED_FIELDS) == [], where
            assert page.evaluate(CHARTS_WITHOUT_DATA) == [], where
            assert page.locator("img:not([alt])").count() == 0, where
            fields += page.locator("main select, main input:not([type=hidden])").count()
            stops = focus_stops(page, TAB_STOPS)
            assert stops[0]["text"] == SKIP_LINK[lang], where
            assert [s for s in stops if not s["visible"]] == [], where
        screenshot(page, f"keyboard-workspaces-{lang}")
    assert fields >= 20, fields  # the upload, search, filter and edit forms were looked at
