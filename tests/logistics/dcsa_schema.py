"""Validators for DCSA TNT 3.0.0 documents, built from the published OpenAPI file.

OpenAPI 3.0's schema objects are not quite JSON Schema, so the file is adapted, not trusted
blindly:

- ``$ref`` to ``#/components/schemas/...`` resolve against the whole OpenAPI document, and
  siblings of a ``$ref`` are ignored as OpenAPI 3.0 says (Draft 7 semantics; Draft 2020-12
  would apply them);
- ``format: date-time`` is checked (RFC 3339 with an offset), since jsonschema skips it
  without an optional package; OpenAPI's own formats (``int32``, ``float``) stay unchecked;
- ``example`` and other OpenAPI keywords are ignored by JSON Schema, as they should be.

``strict=True`` adds what the published schema leaves open: no property beyond those declared
(silkhub must not invent fields), and the code lists written in the descriptions
(``- `ACT` - Actual``) become enumerations, except silkhub's documented extensions.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SPEC = Path("/work/shared/specs/dcsa/TNT_v3.0.0.yaml")
EXAMPLES = SPEC.parent / "examples"
#: silkhub's documented extensions of DCSA's code lists (docs/logistics.md).
EXTENSIONS = {"modeOfTransport": {"AIR"}, "facilityTypeCode": {"AIRP"}}

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)
_CODE_LINE = re.compile(r"^\s*- `([A-Z0-9]+)` - ", re.MULTILINE)

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time")
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_RFC3339.match(value))


@FORMATS.checks("date")
def _date(value: object) -> bool:
    return not isinstance(value, str) or bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def _tighten(node: Any, name: str | None = None) -> Any:
    if isinstance(node, dict):
        out = {k: _tighten(v, k if k not in ("items",) else name) for k, v in node.items()}
        if "properties" in node:
            out["properties"] = {k: _tighten(v, k) for k, v in node["properties"].items()}
            out["additionalProperties"] = False
        if node.get("type") == "string" and isinstance(node.get("description"), str):
            codes = _CODE_LINE.findall(node["description"])
            if codes:
                out["enum"] = sorted({*codes, *EXTENSIONS.get(name or "", set())})
        return out
    if isinstance(node, list):
        return [_tighten(v, name) for v in node]
    return node


@cache
def _validator(component: str, strict: bool) -> jsonschema.Draft7Validator:
    components = copy.deepcopy(spec()["components"])
    if strict:
        components = _tighten(components)
    schema = {"$ref": f"#/components/schemas/{component}", "components": components}
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=FORMATS)


def errors(document: Any, component: str, *, strict: bool = True) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator(component, strict).iter_errors(document)
    ]


def assert_valid(document: Any, component: str, *, strict: bool = True) -> None:
    found = errors(document, component, strict=strict)
    assert not found, f"not a valid {component}: {found}"
