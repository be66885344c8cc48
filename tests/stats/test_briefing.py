"""The monthly hub briefing, built on the full demonstration hub: every seed figure of January
to May (and June) 2020 and of 2019 appears as silkhub formats it, in Chinese and English,
Markdown and HTML; the HTML is standalone; a period without data says so."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from silkhub.core.periods import Month
from silkhub.settings import Settings
from silkhub.stats.briefing import Briefing, briefing, to_html, to_markdown
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database
from tests.stats.conftest import DemoHub

SEED = 2020
NOW = datetime(2024, 1, 2, 3, 4, tzinfo=UTC)


@dataclass
class Hub:
    db: Database
    store: AnalyticalStore
    data_dir: Path

    def briefing(self, month: Month, lang: str, *, demo: bool = True) -> Briefing:
        return briefing(self.db, self.store, month, lang=lang, demo=demo, now=NOW)


@pytest.fixture(scope="module")
def hub(demo_hub: DemoHub) -> Hub:
    return Hub(demo_hub.db, demo_hub.store, demo_hub.data_dir)


ZH_MAY = (
    "3909亿元",  # trade with the route countries, Jan-May 2020
    "288亿元",  # China-CEEC
    "占与沿线国家贸易的7.4%",  # its true share of the route trade
    "15.19亿美元",  # ODI filed, Jan-May 2020
    "3.6亿美元",  # FDI used
    "增长18.0%",
    "4.5亿吨",  # Ningbo-Zhoushan cargo
    "增长0.4%",
    "1071.7万标箱",
    "325.6亿元",  # cross-border e-commerce retail exports
    "增长16.1%",
    "81.3亿美元",  # ODI 2019
    "增长70.1%",
    "11.2亿吨",  # port cargo 2019
    "2753.5万标箱",
    "1万亿元",  # route trade 2019
    "演示数据（合成），非官方统计",
)
EN_MAY = (
    "CNY 390.9 billion",
    "CNY 28.8 billion",
    "7.4% of trade with the route countries",
    "USD 1.519 billion",
    "USD 360 million",
    "up 18.0%",
    "450 million tonnes",
    "up 0.4%",
    "10.717 million TEU",
    "CNY 32.56 billion",
    "up 16.1%",
    "USD 8.13 billion",
    "up 70.1%",
    "1.12 billion tonnes",
    "27.535 million TEU",
    "CNY 1 trillion",
    "Demonstration data (synthetic), not official statistics",
)
ZH_JUNE = ("294列", "24466标箱", "增长117.1%", "59列", "4758标箱", "增长60.0%")
EN_JUNE = ("294 trains", "24,466 TEU", "up 117.1%", "59 trains", "4,758 TEU", "up 60.0%")


def _text_of_html(document: str) -> str:
    """The visible text of an HTML document (entities decoded)."""

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.skip += tag in ("style", "script")

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in ("style", "script")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(document)
    parser.close()
    return "".join(parser.parts)


@pytest.mark.parametrize("render", [to_markdown, to_html])
def test_the_may_briefing_states_every_seed_figure_in_chinese(
    hub: Hub, render: Callable[[Briefing], str]
) -> None:
    b = hub.briefing(Month(2020, 5), "zh")
    text = render(b)
    if render is to_html:
        text = _text_of_html(text)
    for figure in ZH_MAY:
        assert figure in text, figure
    assert "10.4%" not in text  # the article's share of China-CEEC trade, which is wrong
    assert "1-5月，与“一带一路”沿线国家进出口3909亿元，" in text
    assert "浙江“一带一路”枢纽建设月度简报（2020年1-5月）" in text


def test_the_may_briefing_in_english(hub: Hub) -> None:
    b = hub.briefing(Month(2020, 5), "en")
    assert b.title == "Belt and Road hub monthly briefing, January–May 2020"
    for text in (to_markdown(b), _text_of_html(to_html(b))):
        for figure in EN_MAY:
            assert figure in text, figure
        assert "10.4%" not in text
        assert "亿" not in text and "万" not in text


@pytest.mark.parametrize(("lang", "figures"), [("zh", ZH_JUNE), ("en", EN_JUNE)])
def test_the_june_briefing_states_the_rail_figures(
    hub: Hub, lang: str, figures: tuple[str, ...]
) -> None:
    b = hub.briefing(Month(2020, 6), lang)
    for text in (to_markdown(b), _text_of_html(to_html(b))):
        for figure in figures:
            assert figure in text, figure


def test_the_title_the_label_and_the_sections(hub: Hub) -> None:
    b = hub.briefing(Month(2020, 5), "zh")
    lines = to_markdown(b).splitlines()
    assert lines[0] == "# 浙江“一带一路”枢纽建设月度简报（2020年1-5月）"
    assert lines[2] == "> **演示数据（合成），非官方统计**"
    assert b.has_data
    headlines, last_year, tables = b.sections
    assert len(headlines.sentences) == 9  # 7 figures and 2 rail lines (trains with TEU)
    assert all(s.startswith("1-5月，") and s.endswith("。") for s in headlines.sentences)
    assert all(s.startswith("2019年，") for s in last_year.sentences)
    top, shares = tables.tables
    assert len(top.rows) == 10
    assert [r[0] for r in top.rows] == [str(i) for i in range(1, 11)]
    assert top.rows[0][1] == "俄罗斯"
    names = [r[0] for r in shares.rows]
    assert names[0] == "全省进出口"
    assert "“一带一路”沿线64国" in names and "欧盟" in names
    route = shares.rows[names.index("“一带一路”沿线64国")]
    assert route[1:4] == ("3909.0", "0.1", "35.2")
    # RCEP entered into force in 2022: no row, a note instead.
    assert not any("RCEP" in n for n in names)
    assert any("RCEP" in n for n in shares.notes)

    real = hub.briefing(Month(2020, 5), "zh", demo=False)
    assert real.demo_label is None
    assert "演示数据" not in to_markdown(real) and "演示数据" not in to_html(real)


def test_the_vintage_note_names_the_imports_and_the_revision(hub: Hub) -> None:
    b = hub.briefing(Month(2020, 5), "zh")
    trade = [n for n in b.vintage_note if n.startswith("数据版本：货物贸易")]
    assert len(trade) == 1
    note = trade[0]
    assert "2018年1月至2020年5月" in note  # 2019 against 2018, Jan-May 2020 against 2019
    assert re.search(r"导入 #\d+…#\d+，共29次", note), note
    assert "发布于2018-02-20至2020-06-20" in note
    assert "其中1个月为修订后的版本" in note  # March 2020 was revised
    datasets = {n.split("：")[1].split(" ")[0] for n in b.vintage_note}
    assert datasets == {"货物贸易", "境外直接投资备案", "实际利用外资", "港口吞吐量"} | {
        "跨境电子商务",
        "中欧（中亚）班列",
    }
    en = hub.briefing(Month(2020, 5), "en")
    assert any(
        n.startswith("Data versions: Trade in goods") and "1 month revised" in n
        for n in en.vintage_note
    )
    assert b.footer == (
        "生成时间：2024-01-02 03:04 UTC。由 silkhub 计算生成，数字均由数据计算，未手工录入。"
    )
    assert en.footer.endswith("Computed by silkhub from the data; no figure is typed in.")


class _Checker(HTMLParser):
    """Tags opened and closed in order; attributes of interest collected."""

    VOID = frozenset({"meta", "br", "link", "img", "hr", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


@pytest.mark.parametrize(("lang", "attr"), [("zh", "zh-CN"), ("en", "en")])
def test_the_html_is_a_standalone_well_formed_document(hub: Hub, lang: str, attr: str) -> None:
    document = to_html(hub.briefing(Month(2020, 5), lang))
    assert document.startswith("<!DOCTYPE html>\n")
    checker = _Checker()
    checker.feed(document)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    html_tags = [a for t, a in checker.tags if t == "html"]
    assert html_tags == [{"lang": attr}]
    names = [t for t, _ in checker.tags]
    assert "script" not in names and "link" not in names
    # Tables 1 and 2, and the figures behind chart 1 (charts 2 and 3 draw tables 1 and 2).
    assert names.count("table") == names.count("caption") == 3
    assert names.count("figure") == names.count("svg") == names.count("figcaption") == 3
    svgs = [a for t, a in checker.tags if t == "svg"]
    assert all(a["role"] == "img" and a["aria-label"] for a in svgs)
    ids = [a["id"] for _, a in checker.tags if a.get("id")]
    assert len(ids) == len(set(ids))
    scopes = [a.get("scope") for t, a in checker.tags if t == "th"]
    assert scopes and all(s in ("col", "row") for s in scopes)
    # top 10; all trade and 4 groups (RCEP not in force); 5 months
    assert scopes.count("row") == 10 + 5 + 5
    assert not re.search(r"https?://", document)
    assert "@import" not in document and "url(" not in document


def test_text_is_escaped_in_html(hub: Hub) -> None:
    b = hub.briefing(Month(2020, 5), "en")
    hostile = Briefing(
        **{**b.__dict__, "title": '<script>alert("x")</script> & co'},
    )
    document = to_html(hostile)
    assert "<script>" not in document
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in document


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_period_without_data_says_so(hub: Hub, lang: str) -> None:
    b = hub.briefing(Month(2025, 5), lang)
    assert not b.has_data
    assert b.vintage_note == ()
    says = "本期暂无已发布的数据。" if lang == "zh" else "No figures have been published"
    markdown = to_markdown(b)
    assert markdown.count(says) == 4  # headlines, last year, and both tables
    assert says in _text_of_html(to_html(b))


def test_an_unknown_language_is_refused(hub: Hub) -> None:
    with pytest.raises(ValueError, match="lang"):
        hub.briefing(Month(2020, 5), "fr")


def test_no_framework_is_imported() -> None:
    source = Path(__file__).parents[2] / "silkhub" / "stats" / "briefing.py"
    text = source.read_text(encoding="utf-8")
    for name in ("fastapi", "starlette", "typer", "jinja2", "silkhub.web", "silkhub.cli"):
        assert f"import {name}" not in text and f"from {name}" not in text
    assert "silkhub.settings" not in text


def test_briefing_over_the_cli_and_http(hub: Hub) -> None:
    """The same briefing through ``silkhub stats briefing`` and ``GET /api/stats/briefing``."""
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from silkhub.cli.context import state
    from silkhub.cli.main import app as cli_app
    from silkhub.web.app import create_app

    data_dir = hub.data_dir
    result = CliRunner().invoke(
        cli_app, ["--data-dir", str(data_dir), "stats", "briefing", "--period", "2020-06"]
    )
    state.reset()
    assert result.exit_code == 0, result.output
    assert "294列" in result.stdout
    assert "24466标箱" in result.stdout
    settings = Settings(data_dir=data_dir, secret_key="test-secret-key-not-for-production")
    with TestClient(create_app(settings, db=hub.db)) as client:
        page = client.get(
            "/api/stats/briefing",
            params={"period": "2020年1-5月"},
            headers={"accept-language": "en"},
        )
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "CNY 390.9 billion" in page.text
        bad = client.get("/api/stats/briefing", params={"period": "2020"})
        assert bad.json()["error"]["code"] == "not_a_month"
