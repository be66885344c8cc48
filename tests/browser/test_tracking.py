"""Journey: a visitor, not signed in, opens the tracking page from the site's navigation, picks a
container from the demonstration hub's examples (the page offers them, labelled as synthetic),
types its number (a slip of the last digit first: the check digit's error, in Chinese, on the
field) and sees its journey: where it is, what comes next, how late it runs, the modes,
the timeline from Yiwu through Khorgos (its train was rerouted from Alashankou) to Duisburg, and
the route drawn on the map. From the timeline the visitor opens the train run's page, whose stops,
progress and containers on board agree.

The demo's clock stops at 31 December 2020: train X8005 left Yiwu on 18 December and is between
Brest and Małaszewicze, its arrival in Duisburg estimated 44 hours late."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.browser.conftest import LiveHub, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

TRAIN = "DEMO-X8005-20201218"
#: The places of the journey, in order, as the Chinese timeline and map name them.
ROUTE = ["义乌", "霍尔果斯", "布列斯特", "马拉舍维奇", "杜伊斯堡"]
# ECharts has drawn the route once the world map has come and its series are set.
MAP_DRAWN = """() => {
  const holder = document.getElementById('route-map');
  const chart = holder && window.echarts && echarts.getInstanceByDom(holder);
  const option = chart && chart.getOption();
  return !!(option && option.geo && option.geo.length && option.series.length >= 3
            && holder.querySelector('canvas'));
}"""


def facts(page: Page, section: str) -> dict[str, str]:
    """A ``<dl class="facts">`` of a section, as {term: description}."""
    dl = page.locator(f"{section} dl.facts")
    terms = dl.locator("dt").all_inner_texts()
    return dict(zip(terms, dl.locator("dd").all_inner_texts(), strict=True))


def map_route(page: Page) -> list[str]:
    data = json.loads(page.locator("#route-map-data").inner_text())
    return [p["name"] for p in data["route"]]


def test_a_visitor_tracks_a_container_and_opens_its_train(hub: LiveHub) -> None:
    with hub.person() as page:
        page.goto(hub.url("/zh/"))
        page.locator("header nav").get_by_role("link", name="货物追踪").click()
        page.wait_for_url(hub.url("/zh/track"))
        assert page.get_by_role("heading", level=1).inner_text() == "货物追踪"

        # Nothing of one's own to track on a demonstration hub: the page offers its containers.
        examples = page.locator("#track-examples")
        assert "演示数据（合成）" in examples.inner_text()
        # One per demo transport of December 2020 (trains and voyages), then the newest of the
        # 2019-2020 history.
        assert examples.locator("li").count() == 10
        example = examples.locator("li").filter(has_text="DEMO X8005")
        assert "义乌 → 杜伊斯堡" in example.inner_text()
        number = example.locator("code").inner_text()
        assert number.startswith("DMOU")

        # Typed into the form and sent with the keyboard; a slip of the last digit first.
        field = page.get_by_label("编号")
        slip = number[:-1] + str((int(number[-1]) + 1) % 10)
        field.fill(slip)
        field.press("Enter")
        page.wait_for_url(hub.url(f"/zh/track?ref={slip}&by=equipment"))
        problem = page.get_by_role("alert").inner_text()
        assert problem == f"集装箱号“{slip}”有误：校验位应为 {number[-1]}，而不是 {slip[-1]}。"
        field = page.get_by_label("编号")
        assert field.get_attribute("aria-invalid") == "true"
        assert field.input_value() == slip  # what was typed stays, to correct
        field.fill(number)
        assert page.get_by_label("查询方式").input_value() == "equipment"
        field.press("Enter")
        page.wait_for_url(hub.url(f"/zh/track?ref={number}&by=equipment"))

        assert page.locator("#status-title").inner_text() == number
        shown = facts(page, "main")
        assert shown["状态"] == "出发 · 布列斯特 · 2020-12-30 18:00"
        assert shown["下一步"] == "到达 · 马拉舍维奇 · 2020-12-31 22:00 (预计)"
        assert shown["相对计划"] == "晚 44 小时"
        assert shown["运输方式"] == "公路 → 铁路"
        assert page.locator("#track-examples").count() == 0

        timeline = page.locator("#table-timeline tbody tr")
        places = [p.split()[0] for p in timeline.locator("td:nth-child(3)").all_inner_texts()]
        # Planned through Alashankou, the train crossed at Khorgos: the plan is shown as not
        # having happened, and the journey runs through the places it did reach.
        skipped = page.locator("#table-timeline tr.milestone-skipped")
        assert {t.split()[0] for t in skipped.locator("td:nth-child(3)").all_inner_texts()} == {
            "阿拉山口"
        }
        reached = [p for p in dict.fromkeys(places) if p != "阿拉山口"]
        assert reached == ROUTE
        last = timeline.last.inner_text()
        assert "杜伊斯堡" in last and "待发生" in last and "晚 44 小时" in last
        assert map_route(page) == ROUTE
        page.wait_for_function(MAP_DRAWN)
        screenshot(page, "tracking-journey")

        # The train run's page, linked from the timeline.
        page.locator("#table-timeline").get_by_role("link", name=TRAIN).first.click()
        page.wait_for_url(hub.url(f"/zh/logistics/transports/RAIL/{TRAIN}"))
        assert page.get_by_role("heading", level=1).inner_text() == f"DEMO X8005 {TRAIN}"
        assert page.locator(".demo-tag").first.inner_text() == "演示数据（合成）"
        run = facts(page, "main")
        assert run["运输方式"] == "铁路" and run["相对计划"] == "晚 44 小时"
        assert "已到达 3/5 站" in run["进度"]
        # The run's page tells the same reroute: Alashankou passed by, Khorgos not in the plan.
        stops = page.locator("#table-stops tbody tr:not(.stop-skipped) th").all_inner_texts()
        assert [s.split()[0] for s in stops] == ROUTE
        passed_by = page.locator("#table-stops tbody tr.stop-skipped").all_inner_texts()
        assert len(passed_by) == 1 and "阿拉山口" in passed_by[0] and "未发生" in passed_by[0]
        khorgos = page.locator("#table-stops tbody tr").filter(has_text="霍尔果斯").inner_text()
        assert "计划外经停" in khorgos
        assert map_route(page) == ROUTE
        on_board = page.locator("section").filter(has=page.locator("#containers-title"))
        assert on_board.get_by_role("link", name=number).count() == 1
        assert len(on_board.locator("li").all()) == 40
        page.wait_for_function(MAP_DRAWN)
        screenshot(page, "tracking-train-run")
