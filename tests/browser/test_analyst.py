"""Journey: an analyst imports July 2020's rail figures. The first file has mistakes: the upload
page rejects it whole and names each bad row and column; the corrected file imports, and the
dashboard's headline figures move on to January–July with the new trains added."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.browser.conftest import LiveHub, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

HEADER = "月份,线路,方向,目的国,开行列数,标箱\n"
# The demo's Yiwu-Xinjiang-Europe trains for January–June 2020: 294 trains, 24,466 TEU.
JULY = HEADER + (
    "2020-07,义新欧,去程,德国,30,2580\n"
    "2020-07,义新欧,去程,西班牙,12,1032\n"
    "2020-07,义新欧,回程,德国,8,690\n"
)
# Row 3 of the data (line 4 of the file) names no real country; row 4's train count is words.
WITH_MISTAKES = HEADER + (
    "2020-07,义新欧,去程,德国,30,2580\n"
    "2020-07,义新欧,去程,亚特兰蒂斯,12,1032\n"
    "2020-07,义新欧,回程,德国,八列,690\n"
)


def upload(page: Page, content: str, name: str) -> None:
    page.get_by_label("数据集").select_option("rail")
    page.get_by_label("文件（CSV 或 Excel .xlsx）").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode("utf-8")}
    )
    page.get_by_role("button", name="导入", exact=True).click()
    page.wait_for_load_state()


def headline(page: Page, label: str) -> tuple[str, str]:
    """(period, figure) of a headline card on the dashboard."""
    card = page.locator(".figure-card").filter(has=page.locator(".figure-label", has_text=label))
    return card.locator(".figure-period").inner_text(), card.locator(".figure-text").inner_text()


def problem_report(page: Page) -> list[dict[str, str]]:
    table = page.locator("#problem-report")
    columns = table.locator("thead th").all_inner_texts()
    return [
        dict(zip(columns, row.locator("td").all_inner_texts(), strict=True))
        for row in table.locator("tbody tr").all()
    ]


def test_an_analyst_corrects_a_rejected_file_and_sees_the_new_figures(hub: LiveHub) -> None:
    with hub.person() as page:
        page.goto(hub.url("/zh/stats"))
        assert headline(page, "义新欧班列开行列数") == ("2020年1-6月", "294，增长117.8%")

        hub.sign_in(page, "analyst")
        # Signed in, the analyst's workspace is in the site's navigation.
        page.locator("header nav").get_by_role("link", name="导入数据").click()
        page.wait_for_url(hub.url("/zh/stats/upload"))

        upload(page, WITH_MISTAKES, "义乌班列-2020-07.csv")
        assert page.get_by_role("heading", name="未通过校验：未导入任何数据").is_visible()
        found = {(p["行"], p["列"], p["值"], p["代码"]) for p in problem_report(page)}
        assert ("3", "目的国", "亚特兰蒂斯", "unknown_country") in found
        assert ("4", "开行列数", "八列", "not_a_number") in found
        assert all(p["文件"] == "义乌班列-2020-07.csv" for p in problem_report(page))

        upload(page, JULY, "义乌班列-2020-07.csv")
        status = page.get_by_role("status")
        assert "共3行" in status.inner_text() and "2020-07" in status.inner_text()

        page.get_by_role("link", name="统计数据看板").click()
        page.wait_for_url(hub.url("/zh/stats"))
        # 294 trains and 24,466 TEU to June, and 50 trains and 4,302 TEU in July.
        period, trains = headline(page, "义新欧班列开行列数")
        assert period == "2020年1-7月" and trains.startswith("344，")
        assert headline(page, "义新欧班列发运标箱")[1].startswith("28768标箱，")
        screenshot(page, "analyst-upload")
