"""The rule "a visitor can reach every public figure's source in at most two clicks" (issue 7),
as a checker over pages fetched by a function (a TestClient's, or a dict of made-up pages in
the checker's own tests). The convention it reads (docs/portal.md, "Every figure leads to its
source"):

- ``data-figure="KEY …"`` marks a figure, or the card, table or row holding figures, with
  the key of its source (several keys: figures from several sources, each of which must be
  reached): ``stats:<dataset>``, ``stats:footprint``, ``indices:freight``,
  ``alerts:<uid>``, ``logistics:transports``, ``logistics:<mode>/<reference>``. Optionally
  ``data-vintages="v1 v2"``: the imports the figure was computed from.
- ``data-source-of="KEY …"`` marks a page (an element on it) as a source page of those keys;
  an element ``data-vintage="v"`` on it names an import it lists.
- A figure's first click is a link inside its marked element; the second, any link in the
  ``<main>`` of the page reached. A figure on a source page of its own key needs none.

And so that the rule cannot be dodged by leaving the marker off: in ``<main>``, every element
of the figure classes (``FIGURE_CLASS``), every numeric table cell (``td.num``) and every text
that reads as a figure (``FIGURE_TEXT``: an amount with its scale or unit, or a percentage)
must be inside an element marked ``data-figure``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urldefrag

from lxml import html as lxml_html

#: Class names that say "this is a figure" in silkhub's templates.
FIGURE_CLASS = (
    "figure",
    "figure-card",
    "figure-text",
    "figure-line",
    "home-figure",
    "headline",
    "change",
)

#: Text that reads as a statistical figure: an amount with a scale word or unit, a
#: percentage, a currency code before a number.
FIGURE_TEXT = re.compile(
    r"\d[\d,.]*\s*(?:%|万亿|亿|万吨|万标箱|万元|万美元|吨|标箱|列|TEU\b|tonnes\b|"
    r"trillion\b|billion\b|million\b)"
    r"|\b(?:CNY|USD)\s*\d"
)

#: Elements whose text is not read as content (scripts, form choices, the page's own
#: navigation among its sections).
_SKIP_TEXT = {"script", "style", "option", "select", "textarea", "code", "time"}

Fetch = Callable[[str], str | None]


@dataclass
class Page:
    url: str
    tree: lxml_html.HtmlElement
    sources: set[str]
    vintages: set[str]

    @property
    def main(self) -> lxml_html.HtmlElement:
        found = self.tree.xpath("//main")
        return found[0] if found else self.tree


@dataclass
class Findings:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    #: How many clicks each figure's source took (0, 1 or 2), for the tests' own checks.
    clicks: list[int] = field(default_factory=list)


def parse(url: str, text: str) -> Page:
    tree = lxml_html.fromstring(text)
    sources: set[str] = set()
    for el in tree.xpath("//*[@data-source-of]"):
        sources.update(el.get("data-source-of").split())
    vintages = {el.get("data-vintage") for el in tree.xpath("//*[@data-vintage]")}
    return Page(url, tree, sources, vintages)


class Site:
    """The pages of a site, each fetched once."""

    def __init__(self, fetch: Fetch) -> None:
        self.fetch = fetch
        self.pages: dict[str, Page | None] = {}

    def page(self, url: str) -> Page | None:
        if url not in self.pages:
            text = self.fetch(url)
            self.pages[url] = parse(url, text) if text is not None else None
        return self.pages[url]


def _links(element: lxml_html.HtmlElement, lang: str) -> list[str]:
    """The portal pages ``element`` links to (no downloads, no API, no in-page anchors)."""
    out = []
    for a in element.xpath(".//a[@href]"):
        href = urldefrag(a.get("href"))[0]
        if a.get("download") is not None or not href.startswith(f"/{lang}/"):
            continue
        if href not in out:
            out.append(href)
    return out


def _is_source(page: Page | None, key: str, vintages: list[str]) -> bool:
    return page is not None and key in page.sources and all(v in page.vintages for v in vintages)


def clicks_to_source(
    site: Site, page: Page, figure: lxml_html.HtmlElement, lang: str, key: str
) -> int | None:
    """The fewest clicks (0, 1 or 2) from ``figure`` on ``page`` to a source page of ``key``
    (listing the figure's vintages, if it names any), or None if it takes more."""
    vintages = (figure.get("data-vintages") or "").split()
    if _is_source(page, key, vintages):
        return 0
    first = [site.page(url) for url in _links(figure, lang)]
    if any(_is_source(p, key, vintages) for p in first):
        return 1
    for p in first:
        if p is None:
            continue
        for url in _links(p.main, lang):
            if _is_source(site.page(url), key, vintages):
                return 2
    return None


def _marked(element: lxml_html.HtmlElement) -> bool:
    return bool(element.xpath("ancestor-or-self::*[@data-figure]"))


def _describe(element: lxml_html.HtmlElement) -> str:
    text = " ".join(element.text_content().split())
    return f"<{element.tag} class={element.get('class')!r}> {text[:80]!r}"


def _own_text(element: lxml_html.HtmlElement) -> str:
    """``element``'s text without that of marked, skipped or navigation descendants."""
    if (
        not isinstance(element.tag, str)
        or element.tag in _SKIP_TEXT
        or element.tag == "nav"
        or element.get("data-figure") is not None
    ):
        return ""
    parts = [element.text or ""]
    for child in element:
        parts.append(_own_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def unmarked(page: Page) -> list[str]:
    """Figure-like elements and texts in ``page``'s main part outside any ``data-figure``."""
    out = []
    classes = " or ".join(
        f"contains(concat(' ', normalize-space(@class), ' '), ' {c} ')" for c in FIGURE_CLASS
    )
    for el in page.main.xpath(f".//*[{classes}] | .//td[contains(@class, 'num')]"):
        if not _marked(el):
            out.append(_describe(el))
    # Text that reads as a figure, reported at the smallest element holding it (a figure may
    # be split over elements: "<b>28.7</b> million TEU").
    for el in page.main.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP_TEXT or _marked(el):
            continue
        if el.xpath("ancestor::*[self::script or self::select or self::nav]"):
            continue
        match = FIGURE_TEXT.search(_own_text(el))
        if match is None:
            continue
        if any(FIGURE_TEXT.search(_own_text(child)) for child in el if isinstance(child.tag, str)):
            continue  # a child holds it: reported there
        out.append(f"text {match.group(0)!r} in {_describe(el)}")
    return out


def check(site: Site, urls: Iterable[str], lang: str) -> Findings:
    """Check every figure of the pages at ``urls`` (see the module docstring)."""
    findings = Findings()
    for url in urls:
        page = site.page(url)
        if page is None:
            findings.problems.append(f"{url}: no page")
            continue
        for problem in unmarked(page):
            findings.problems.append(f"{url}: a figure without data-figure: {problem}")
        for figure in page.main.xpath(".//*[@data-figure]"):
            keys = figure.get("data-figure").split()
            if not keys:
                findings.problems.append(f"{url}: data-figure names no source: {_describe(figure)}")
            for key in keys:
                findings.checked += 1
                clicks = clicks_to_source(site, page, figure, lang, key)
                if clicks is None:
                    findings.problems.append(
                        f"{url}: no source of {key!r} within two clicks from {_describe(figure)}"
                    )
                else:
                    findings.clicks.append(clicks)
    return findings
