"""Issue 7's "done when": a visitor can reach every public figure's source in at most two
clicks. The checker (``tests/web/figure_sources.py``) is first shown to catch what it must
on made-up pages, then run over the public pages of the demonstration hub in both languages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.figure_sources import Site, check, parse

# --- the checker, on made-up pages ----------------------------------------------------------


def _html(main: str) -> str:
    return f"<html><body><nav><a href='/en/'>Home</a></nav><main>{main}</main></body></html>"


def _site(pages: dict[str, str]) -> Site:
    return Site(lambda url: _html(pages[url]) if url in pages else None)


SOURCE = (
    "<div data-source-of='stats:trade'>"
    "<table><tr data-vintage='7'><td>file.csv</td></tr></table></div>"
)


def test_a_source_one_or_two_clicks_away_is_found() -> None:
    site = _site(
        {
            "/en/": "<p data-figure='stats:trade' data-vintages='7'>CNY 5 billion "
            "<a href='/en/sources/trade'>Source</a></p>"
            "<p data-figure='stats:trade'>CNY 6 billion <a href='/en/dashboard'>More</a></p>",
            "/en/dashboard": "<p><a href='/en/sources/trade'>Source</a></p>",
            "/en/sources/trade": SOURCE,
        }
    )
    found = check(site, ["/en/"], "en")
    assert found.problems == []
    assert sorted(found.clicks) == [1, 2]


def test_three_clicks_are_too_many() -> None:
    site = _site(
        {
            "/en/": "<p data-figure='stats:trade'>CNY 5 billion <a href='/en/a'>More</a></p>",
            "/en/a": "<p><a href='/en/b'>More</a></p>",
            "/en/b": "<p><a href='/en/sources/trade'>Source</a></p>",
            "/en/sources/trade": SOURCE,
        }
    )
    found = check(site, ["/en/"], "en")
    assert len(found.problems) == 1 and "no source of 'stats:trade'" in found.problems[0]


def test_the_first_click_must_be_on_the_figure_or_its_card() -> None:
    # A source linked elsewhere on the page (here: beside the figure, not inside its marked
    # element) does not count: the visitor must see where this figure comes from.
    site = _site(
        {
            "/en/": "<p data-figure='stats:trade'>CNY 5 billion</p>"
            "<p><a href='/en/sources/trade'>Sources</a></p>",
            "/en/sources/trade": SOURCE,
        }
    )
    assert len(check(site, ["/en/"], "en").problems) == 1


def test_the_source_must_list_the_vintages_the_figure_names() -> None:
    site = _site(
        {
            "/en/": "<p data-figure='stats:trade' data-vintages='7 8'>CNY 5 billion "
            "<a href='/en/sources/trade'>Source</a></p>",
            "/en/sources/trade": SOURCE,  # lists vintage 7 only
        }
    )
    assert len(check(site, ["/en/"], "en").problems) == 1


def test_every_key_of_a_figure_must_be_reached() -> None:
    site = _site(
        {
            "/en/": "<div data-figure='stats:trade stats:port'>CNY 5 billion, 3 million TEU "
            "<a href='/en/sources/trade'>Source</a></div>",
            "/en/sources/trade": SOURCE,
        }
    )
    found = check(site, ["/en/"], "en")
    assert len(found.problems) == 1 and "'stats:port'" in found.problems[0]


def test_a_figure_on_its_own_source_page_needs_no_click() -> None:
    site = _site({"/en/sources/trade": SOURCE + "<p data-figure='stats:trade'>12 rows</p>"})
    found = check(site, ["/en/sources/trade"], "en")
    assert found.problems == [] and found.clicks == [0]


@pytest.mark.parametrize(
    "main",
    [
        "<p class='figure'>1.1</p>",  # a figure class
        "<div class='headline'><span>2,479.50</span></div>",
        "<table><tr><td class='num'>42</td></tr></table>",  # a numeric cell
        "<p>Trade: CNY 1.1 trillion</p>",  # text that reads as a figure
        "<p>贸易：1.1万亿元，增长9.3%</p>",
        "<p>Containers: <b>28.705</b> million TEU</p>",  # a unit in the tail text
    ],
)
def test_an_unmarked_figure_is_caught(main: str) -> None:
    found = check(_site({"/en/": main}), ["/en/"], "en")
    assert any("without data-figure" in p for p in found.problems), found.problems


def test_marked_figures_and_plain_text_pass_the_marker_check() -> None:
    page = parse(
        "/en/",
        _html(
            "<p>Updated in 2020, see page 3.</p>"
            "<div data-figure='stats:trade'><p class='figure'>CNY 1.1 trillion</p></div>"
        ),
    )
    from tests.web.figure_sources import unmarked

    assert unmarked(page) == []


# --- the demonstration hub ----------------------------------------------------------------

#: The public pages of the demonstration hub, after the language; every page the home page
#: links to is checked as well (the alerts, trains and footprint kinds it shows), and the
#: journey of a container on the first of those trains.
PUBLIC_PAGES = (
    "/",
    "/stats",
    "/stats?dataset=port",
    "/stats?dataset=rail",
    "/stats/briefing",
    "/stats/sources",
    "/stats/footprint",
    "/indices",
    "/indices/methodology",
    "/alerts",
    "/alerts/bulletins",
    "/countries/KZ",
    "/countries/DE",
    "/countries/TH",
    "/track",
    "/logistics/transports",
)


@pytest.fixture(scope="module")
def site(demo_client: TestClient) -> Site:
    def fetch(url: str) -> str | None:
        response = demo_client.get(url, headers={"accept": "text/html"})
        if response.status_code != 200 or "text/html" not in response.headers["content-type"]:
            return None
        return response.text

    return Site(fetch)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_public_figure_reaches_its_source_in_two_clicks(site: Site, lang: str) -> None:
    home = site.page(f"/{lang}/")
    assert home is not None
    linked = [
        a.get("href")
        for a in home.main.xpath(".//a[@href]")
        if a.get("href").startswith(f"/{lang}/") and a.get("download") is None
    ]
    # A container's journey: the first one on board the first train the home page shows.
    train = next(u for u in linked if u.startswith(f"/{lang}/logistics/transports/"))
    train_page = site.page(train)
    assert train_page is not None
    journey = next(
        a.get("href")
        for a in train_page.main.xpath(".//a[@href]")
        if a.get("href").startswith(f"/{lang}/track?ref=")
    )
    urls = list(dict.fromkeys([f"/{lang}{p}" for p in PUBLIC_PAGES] + linked + [journey]))
    found = check(site, urls, lang)
    assert found.problems == [], "\n".join(found.problems[:30])
    # Not vacuous: the home page's figures of every kind are among those checked.
    keys = " ".join(el.get("data-figure") for el in home.main.xpath(".//*[@data-figure]"))
    families = [
        *("stats:trade", "stats:odi", "stats:port", "stats:rail", "stats:footprint"),
        *("indices:freight", "alerts:", "logistics:transports", "logistics:RAIL/"),
    ]
    for family in families:
        assert family in keys, family
    assert found.checked >= 60 and 1 in found.clicks


def test_every_dataset_has_a_source_page(site: Site) -> None:
    from silkhub.stats.datasets import DATASETS

    for lang in ("zh", "en"):
        for name in DATASETS:
            page = site.page(f"/{lang}/stats/sources/{name}")
            assert page is not None and f"stats:{name}" in page.sources, (lang, name)
    rail = site.page("/en/stats/sources/rail")
    assert rail is not None and rail.vintages
    assert "Publisher" in rail.main.text_content()
