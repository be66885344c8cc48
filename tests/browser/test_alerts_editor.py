"""Journey: an enterprise user subscribes to alerts about Germany; the editor drafts an alert
about Duisburg on the desk and submits it; the approver (another person: an approver may not
approve what they wrote) approves and publishes it; the worker sends its e-mails; the
enterprise user finds it, unread, in the portal inbox, opens it and reads its title and text.

Germany is not one of the 64 countries along the Belt and Road, the demo subscriber's standing
subscription, so the alert reaches them only through the subscription made here, in the page.
The inbox entry is written in the publisher's transaction (the portal inbox needs no job); the
worker sends the same delivery by e-mail to a real SMTP server on 127.0.0.1.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from silkhub.alerts import jobs
from silkhub.demo.builder import DEMO_DOMAIN
from silkhub.workers.runner import Worker
from tests.browser.conftest import LiveHub, screenshot
from tests.browser.test_accessibility import UNNAMED_FIELDS

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.receivers import SmtpServer

TITLE_ZH = "（演示）杜伊斯堡港铁路货场临时关闭"
TITLE_EN = "(Demo) Duisburg rail yard closes for a week"
BODY_ZH = "演示内容：杜伊斯堡港铁路货场因检修关闭一周，义新欧班列改在汉堡卸车。"
BODY_EN = "Demonstration text: the Duisburg rail yard closes for repairs; trains unload in Hamburg."
SUBSCRIBER = f"subscriber@{DEMO_DOMAIN}"
UID = re.compile(r"SH-ALERT-\d{4}-\d{5}")


def nav(page: Page, label: str) -> None:
    """Follow a link of the site's navigation (what a signed-in person's role offers); every
    field of the workspace it opens has a name a screen reader can say."""
    page.locator("header nav").get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()
    assert page.evaluate(UNNAMED_FIELDS) == [], page.url


def subscribe_to_germany(page: Page) -> None:
    nav(page, "订阅")
    form = page.locator("form").filter(has=page.get_by_role("button", name="订阅", exact=True))
    form.get_by_role("group", name="类型").get_by_label("风险提示").check()
    form.get_by_label("国家（名称或代码，以逗号分隔）").fill("德国")
    form.get_by_role("button", name="订阅", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#done").inner_text() == "已添加订阅。"
    rows = page.locator("#table-subscriptions tbody tr").all_inner_texts()
    assert any("风险提示" in r and "德国" in r for r in rows), rows


def draft_and_submit(page: Page) -> str:
    """The editor writes the alert and submits it; its number."""
    nav(page, "编辑台")
    form = page.locator("#item-form")
    form.get_by_label("标题（中文）").fill(TITLE_ZH)
    form.get_by_label("标题（英文）").fill(TITLE_EN)
    form.get_by_label("正文（中文）").fill(BODY_ZH)
    form.get_by_label("正文（英文）").fill(BODY_EN)
    form.get_by_label("国家（名称或代码，以逗号分隔）").fill("德国")
    form.get_by_label("类别").select_option(label="经济金融")
    form.get_by_label("级别").select_option(label="橙色")
    form.get_by_label("紧迫性").select_option(label="即将")
    form.get_by_label("确定性").select_option(label="很可能")
    form.get_by_role("button", name="保存为草稿").click()
    page.wait_for_load_state()
    saved = page.locator("#done").inner_text()
    found = UID.search(saved)
    assert found and saved.startswith("已保存草稿"), saved
    uid = found.group(0)
    row = page.locator(f"#table-drafts #row-{uid}")
    assert TITLE_ZH in row.inner_text()
    row.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    assert page.locator("#done").inner_text() == f"{uid} 已提交审核。"
    # The author has no approval to give: the row waits for someone else.
    waiting = page.locator(f"#table-submitted #row-{uid}")
    assert "等待审核人审核" in waiting.inner_text()
    assert waiting.get_by_role("button", name="审核通过").count() == 0
    return uid


def approve_and_publish(page: Page, uid: str) -> None:
    nav(page, "编辑台")
    page.locator(f"#table-submitted #row-{uid}").get_by_role("button", name="审核通过").click()
    page.wait_for_load_state()
    assert page.locator("#done").inner_text() == f"{uid} 已审核通过。"
    row = page.locator(f"#table-approved #row-{uid}")
    # The publication time left empty: now.
    assert row.get_by_label("发布时间（北京时间；留空为立即）").input_value() == ""
    row.get_by_role("button", name="发布", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#done").inner_text() == f"{uid} 已发布，推送已排队。"
    assert TITLE_ZH in page.locator(f"#table-published #row-{uid}").inner_text()


def facts_of(page: Page) -> dict[str, str]:
    """The alert page's facts, as {term: description}."""
    dl = page.locator("#item-facts")
    terms = dl.locator("dt").all_inner_texts()
    return dict(zip(terms, dl.locator("dd").all_inner_texts(), strict=True))


def send_emails(hub: LiveHub, smtp_server: SmtpServer) -> None:
    """One run of the worker over the hub's outbox (as ``silkhub worker --until-empty``),
    its mail going to the test's SMTP server."""
    settings = hub.app.state.settings.model_copy(
        update={"smtp_host": smtp_server.host, "smtp_port": smtp_server.port}
    )
    try:
        Worker(settings, hub.db.engine, jobs.HANDLERS, worker_id="journey").run(until_empty=True)
    finally:
        jobs.close_connections()


def test_an_alert_is_written_approved_published_and_read_in_the_inbox(
    hub: LiveHub, smtp_server: SmtpServer
) -> None:
    with (
        hub.person() as trader,
        hub.person() as editor,
        hub.person() as approver,
    ):
        trader.goto(hub.url("/zh/alerts"))
        hub.sign_in(trader, "subscriber")
        subscribe_to_germany(trader)
        nav(trader, "收件箱")
        assert trader.locator("#inbox-empty").is_visible()

        editor.goto(hub.url("/zh/alerts"))
        hub.sign_in(editor, "editor")
        uid = draft_and_submit(editor)

        approver.goto(hub.url("/zh/alerts"))
        hub.sign_in(approver, "approver")
        approve_and_publish(approver, uid)

        send_emails(hub, smtp_server)
        (mail,) = smtp_server.to(SUBSCRIBER)
        assert TITLE_ZH in mail.message["Subject"]

        trader.reload()
        assert trader.locator("#unread-count").inner_text() == "1 条未读"
        entry = trader.locator("#table-inbox tbody tr").filter(has_text=TITLE_ZH)
        assert "未读" in entry.inner_text()
        entry.get_by_role("button", name=TITLE_ZH).click()
        trader.wait_for_url(hub.url(f"/zh/alerts/{uid}"))
        assert trader.locator("#item-title").inner_text() == TITLE_ZH
        assert BODY_ZH in trader.locator("section.item-text").first.inner_text()
        facts = facts_of(trader)
        # Published just now, in Beijing time.
        assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", facts.pop("发布时间"))
        assert facts == {
            "级别": "橙色 (CAP Severe)",
            "国家": "德国",
            "类别": "经济金融",
            "紧迫性": "即将",
            "确定性": "很可能",
            "版本": "1",
        }
        screenshot(trader, "alert-inbox")

        # Opening it was the read receipt: the inbox says so, and so does the desk's log.
        nav(trader, "收件箱")
        assert (
            "已读" in trader.locator("#table-inbox tbody tr").filter(has_text=TITLE_ZH).inner_text()
        )
        approver.goto(hub.url(f"/zh/alerts/desk/{uid}"))
        log = approver.locator("main").inner_text()
        assert "演示企业用户 Demo Enterprise User" in log
