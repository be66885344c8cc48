"""The schema adapter itself: it accepts DCSA's own examples and refuses what it must, so a
passing response check means something."""

from __future__ import annotations

import json

import pytest

from tests.logistics.dcsa_schema import EXAMPLES, errors


@pytest.mark.parametrize("name", ["equipment", "shipment", "transport"])
def test_the_published_example_requests_are_valid(name: str) -> None:
    doc = json.loads((EXAMPLES / f"tnt-300-request-{name}.json").read_text())
    assert errors(doc, "PostEventsRequest") == []


def test_the_published_example_response_is_valid() -> None:
    doc = json.loads((EXAMPLES / "tnt-300-response.json").read_text())
    assert errors(doc, "GetEventsResponse") == []


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda e: e.update(eventDateTime="2026-01-20 12:30"), "date-time"),
        (lambda e: e.update(eventDateTime="2026-01-20T12:30:00"), "date-time"),
        (lambda e: e.update(surprise=1), "Additional properties"),
        (lambda e: e["eventClassification"].update(eventClassifierCode="MAYBE"), "is not one of"),
        (lambda e: e["equipmentDetails"].update(equipmentReference="APZU48120901"), "too long"),
        (lambda e: e.update(isRetracted="yes"), "is not of type"),
    ],
)
def test_the_checks_bite(change, fragment: str) -> None:
    doc = json.loads((EXAMPLES / "tnt-300-request-equipment.json").read_text())
    change(doc["events"][0])
    found = errors(doc, "PostEventsRequest")
    assert any(fragment in e for e in found), found


def test_silkhubs_documented_extensions_pass_and_others_do_not() -> None:
    doc = json.loads((EXAMPLES / "tnt-300-request-transport.json").read_text())
    call = doc["events"][0]["transportDetails"]["transportCall"]
    call["modeOfTransport"] = "AIR"
    del call["vesselTransport"]
    assert errors(doc, "PostEventsRequest") == []
    call["modeOfTransport"] = "CAMEL"
    assert errors(doc, "PostEventsRequest") != []
