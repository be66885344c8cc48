"""The fast shape check (``dcsa_model.fits``) gives the models' answer: on the published
examples, and on every declared property of them made null, of the wrong type, or too long."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from silkhub.logistics.dcsa_model import Event, fits
from tests.logistics.dcsa_schema import EXAMPLES
from tests.logistics.factory import equipment_event


def _models_accept(doc: Any) -> bool:
    try:
        Event.model_validate(doc)
    except ValidationError:
        return False
    return True


def _documents() -> list[dict[str, Any]]:
    docs = [equipment_event(), equipment_event(mode="VESSEL"), equipment_event(mode="TRUCK")]
    for name in ("equipment", "shipment", "transport"):
        body = json.loads((EXAMPLES / f"tnt-300-request-{name}.json").read_text())
        docs += body["events"] if isinstance(body, dict) and "events" in body else [body]
    return docs


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every property and list item of a document, depth first."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield (*path, i)
            yield from _paths(item, (*path, i))


def _changed(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    target: Any = out
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return out


def _variants() -> Iterator[dict[str, Any]]:
    for doc in _documents():
        yield doc
        for path in _paths(doc):
            for value in (None, 12345, "x" * 600, [], {}, True, 1.5, ["x"] * 7):
                yield _changed(doc, path, value)


def test_the_examples_fit() -> None:
    docs = _documents()
    assert len(docs) >= 6
    assert all(fits(d) and _models_accept(d) for d in docs)


def test_the_fast_check_agrees_with_the_models_on_every_variant() -> None:
    variants = list(_variants())
    refused = [v for v in variants if not _models_accept(v)]
    # The variants cover both answers, many times over.
    assert len(refused) > 500 and len(variants) - len(refused) > 50
    disagree = [v for v in variants if fits(v) != _models_accept(v)]
    assert disagree == []


@pytest.mark.parametrize(
    "doc",
    [
        {"eventID": None},
        {"eventLocation": {"address": {"addressLines": ["a"] * 6}}},
        {"shipmentDetails": {"priceCalculationDate": "1 May 2020"}},
        {"transportDetails": {"transportCall": {"transportCallSequenceNumber": "1"}}},
        {"x-unknown": None, "eventID": "e1"},  # an undeclared property may be anything
    ],
)
def test_single_cases(doc: dict[str, Any]) -> None:
    assert fits(doc) == _models_accept(doc)
