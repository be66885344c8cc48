"""CAP 1.2 documents of risk alerts: bilingual, valid against the OASIS schema, with the
consular colours mapped to CAP severities, updates and cancellations referencing the original,
and restricted scopes; the schema check catches what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from silkhub.alerts.cap import (
    CAP_NAMESPACE,
    CapArea,
    CapInfo,
    CapMessage,
    Category,
    Severity,
    cap_document,
    cap_time,
    schema_errors,
)

SENT = datetime(2020, 3, 12, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
NS = {"cap": CAP_NAMESPACE}


def infos(severity: Severity = Severity.ORANGE) -> list[CapInfo]:
    common = {
        "category": Category.PUBLIC_HEALTH,
        "urgency": "Expected",
        "severity": severity,
        "certainty": "Likely",
        "effective": SENT,
        "expires": SENT + timedelta(days=30),
    }
    return [
        CapInfo(
            language="zh-CN",
            event="境外疫情",
            headline="意大利疫情风险提示",
            description="意大利新冠肺炎确诊病例快速增加 <含特殊字符 & >。",
            instruction="暂缓前往；在意企业做好防护。",
            sender_name="演示·“一带一路”综合服务中心",
            areas=[CapArea("意大利", "IT")],
            **common,  # type: ignore[arg-type]
        ),
        CapInfo(
            language="en-US",
            event="Epidemic abroad",
            headline="Public health risk in Italy",
            description="Confirmed COVID-19 cases in Italy are rising fast.",
            instruction="Postpone travel; enterprises in Italy take precautions.",
            sender_name="Demo Belt and Road Service Centre",
            areas=[CapArea("Italy", "IT")],
            web="https://silkhub.example/en/alerts/17",
            **common,  # type: ignore[arg-type]
        ),
    ]


def test_a_bilingual_alert_is_valid_cap() -> None:
    message = CapMessage(
        "silkhub-alert-17-v1", "alerts@silkhub.example", SENT, "Alert", "Public", infos()
    )
    document = cap_document(message)
    assert schema_errors(document) == []
    root = etree.fromstring(document)
    assert root.findtext("cap:sent", namespaces=NS) == "2020-03-12T01:30:15+00:00"
    blocks = root.findall("cap:info", NS)
    assert [b.findtext("cap:language", namespaces=NS) for b in blocks] == ["zh-CN", "en-US"]
    assert {b.findtext("cap:severity", namespaces=NS) for b in blocks} == {"Severe"}
    assert {b.findtext("cap:category", namespaces=NS) for b in blocks} == {"Health"}
    assert blocks[0].findtext("cap:eventCode/cap:value", namespaces=NS) == "public_health"
    assert blocks[0].findtext("cap:area/cap:geocode/cap:value", namespaces=NS) == "IT"
    assert "<含特殊字符 & >" in blocks[0].findtext("cap:description", namespaces=NS)


def test_updates_cancellations_and_restricted_scope_are_valid() -> None:
    first = CapMessage(
        "silkhub-alert-17-v1", "alerts@silkhub.example", SENT, "Alert", "Public", infos()
    )
    for msg_type in ("Update", "Cancel"):
        later = CapMessage(
            "silkhub-alert-17-v2",
            first.sender,
            SENT + timedelta(days=2),
            msg_type,
            "Restricted",
            infos(Severity.RED),
            restriction="Government departments only",
            references=[(first.sender, first.identifier, first.sent)],
        )
        document = cap_document(later)
        assert schema_errors(document) == []
        root = etree.fromstring(document)
        assert root.findtext("cap:references", namespaces=NS) == (
            "alerts@silkhub.example,silkhub-alert-17-v1,2020-03-12T01:30:15+00:00"
        )
        assert root.findtext("cap:restriction", namespaces=NS) == "Government departments only"


def test_the_consular_levels_map_to_cap() -> None:
    assert [s.cap for s in Severity] == ["Extreme", "Severe", "Moderate", "Minor"]
    assert [s.label.zh for s in Severity] == ["红色", "橙色", "黄色", "蓝色"]
    assert {c.cap for c in Category} == {"Security", "Health", "Geo", "Other"}


def test_the_schema_check_finds_what_is_wrong() -> None:
    good = cap_document(CapMessage("x", "s", SENT, "Alert", "Public", infos()))
    bad = good.replace(b"<msgType>Alert</msgType>", b"<msgType>Warning</msgType>")
    assert any("msgType" in e for e in schema_errors(bad))
    assert schema_errors(b"<alert>") != []
    with pytest.raises(ValueError, match="time zone"):
        cap_time(datetime(2020, 1, 1))
    assert cap_time(datetime(2020, 1, 1, tzinfo=UTC)) == "2020-01-01T00:00:00+00:00"


def test_the_shipped_schema_is_the_published_one() -> None:
    shipped = Path(__file__).parents[2] / "silkhub" / "alerts" / "data" / "CAP-v1.2.xsd"
    published = Path(__file__).parents[3] / "shared" / "specs" / "cap" / "CAP-v1.2.xsd"
    if not published.exists():
        pytest.skip("the shared specifications are not beside this checkout")
    assert shipped.read_bytes() == published.read_bytes()


def test_the_oasis_example_is_valid() -> None:
    example = Path(__file__).parents[3] / "shared" / "specs" / "cap" / "cap_amber_alert_example.xml"
    if not example.exists():
        pytest.skip("the shared specifications are not beside this checkout")
    assert schema_errors(example.read_bytes()) == []
