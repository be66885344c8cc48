"""The portal's navigation: entries for everyone, for people signed in, and for roles
(``templating.visible_nav``), with the entry of the page one is on marked current."""

from __future__ import annotations

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal
from silkhub.core.errors import Message
from silkhub.web.templating import NavEntry, visible_nav

NAV: list[NavEntry] = [
    ("/stats", Message("统计", "Statistics")),
    ("/alerts", Message("风险提示", "Alerts")),
    ("/alerts/inbox", Message("收件箱", "Inbox"), ()),
    ("/alerts/desk", Message("编辑台", "Desk"), (Role.EDITOR, Role.APPROVER)),
]


def person(*roles: Role) -> Principal:
    return Principal(
        user_id=1,
        email="p@example.org",
        display_name="P",
        roles=frozenset(roles),
        language="en",
        organisation_id=None,
        via="session",
    )


def hrefs(principal: Principal | None, path: str = "/en/") -> list[str]:
    return [e["href"] for e in visible_nav(NAV, "en", principal, path)]


def test_entries_by_who_is_signed_in() -> None:
    assert hrefs(None) == ["/en/stats", "/en/alerts"]
    assert hrefs(person(Role.SUBSCRIBER)) == ["/en/stats", "/en/alerts", "/en/alerts/inbox"]
    assert hrefs(person(Role.APPROVER))[-1] == "/en/alerts/desk"
    assert hrefs(person(Role.ADMIN))[-1] == "/en/alerts/desk"  # an admin holds every role
    zh = visible_nav(NAV, "zh", None, "/zh/")
    assert [e["label"] for e in zh] == ["统计", "风险提示"]


def test_only_the_deepest_entry_the_page_is_under_is_current() -> None:
    def current(path: str) -> list[str]:
        entries = visible_nav(NAV, "en", person(Role.EDITOR), path)
        return [e["href"] for e in entries if e["current"]]

    assert current("/en/alerts/desk") == ["/en/alerts/desk"]
    assert current("/en/alerts/SH-ALERT-2020-00001") == ["/en/alerts"]
    assert current("/en/alerts") == ["/en/alerts"]
    assert current("/en/statistics") == []  # a prefix of the path is not a parent of it
    assert current("/en/") == []
