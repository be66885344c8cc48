"""Risk alerts as OASIS Common Alerting Protocol 1.2 documents, and their check against the
standard's XML schema (``data/CAP-v1.2.xsd``, as published by OASIS).

What the alerts service knows maps onto CAP as follows:

- **Severity**: the four levels of Chinese consular advice, red, orange, yellow and blue, are
  CAP's ``Extreme``, ``Severe``, ``Moderate`` and ``Minor``.
- **Category**: political and security risks are CAP ``Security``; public health ``Health``;
  natural disasters ``Geo``; economic and financial, legal and regulatory, trade remedies and
  the rest ``Other`` (CAP has no finer word for them; the item's own category travels as an
  ``eventCode`` with ``valueName`` ``silkhub:category``).
- **Scope**: public items are ``Public``; items for registered organisations or for government
  departments only are ``Restricted``, with the rule in ``restriction``.
- **Languages**: one ``info`` block per language (``zh-CN``, ``en-US``), each complete.
- **Areas**: one ``area`` per country concerned, its ISO 3166-1 alpha-2 code as a ``geocode``
  with ``valueName`` ``ISO3166-1``.
- **Updates and cancellations**: ``msgType`` ``Update`` or ``Cancel`` with ``references`` naming
  the earlier message as ``sender,identifier,sent``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path

from lxml import etree

from silkhub.core.errors import Message

__all__ = [
    "CAP_NAMESPACE",
    "CapArea",
    "CapInfo",
    "CapMessage",
    "Category",
    "Severity",
    "cap_document",
    "cap_time",
    "schema_errors",
]

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
SCHEMA_FILE = Path(__file__).parent / "data" / "CAP-v1.2.xsd"


class Severity(StrEnum):
    """The four levels of consular travel and risk advice, most severe first."""

    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    BLUE = "blue"

    @property
    def cap(self) -> str:
        return _CAP_SEVERITY[self]

    @property
    def label(self) -> Message:
        return _SEVERITY_NAMES[self]

    @property
    def colour(self) -> str:
        """The level's colour (text on it is white for red, orange and blue, black for
        yellow: each pair meets WCAG AA contrast)."""
        return _SEVERITY_COLOURS[self]


_CAP_SEVERITY = {
    Severity.RED: "Extreme",
    Severity.ORANGE: "Severe",
    Severity.YELLOW: "Moderate",
    Severity.BLUE: "Minor",
}
_SEVERITY_NAMES = {
    Severity.RED: Message("红色", "Red"),
    Severity.ORANGE: Message("橙色", "Orange"),
    Severity.YELLOW: Message("黄色", "Yellow"),
    Severity.BLUE: Message("蓝色", "Blue"),
}
_SEVERITY_COLOURS = {
    Severity.RED: "#b3001b",
    Severity.ORANGE: "#b34700",
    Severity.YELLOW: "#f2c200",
    Severity.BLUE: "#1f5fa8",
}


class Category(StrEnum):
    POLITICAL = "political"
    SECURITY = "security"
    PUBLIC_HEALTH = "public_health"
    ECONOMIC = "economic"
    LEGAL = "legal"
    TRADE_REMEDY = "trade_remedy"
    NATURAL_DISASTER = "natural_disaster"
    OTHER = "other"

    @property
    def cap(self) -> str:
        return _CAP_CATEGORY.get(self, "Other")

    @property
    def label(self) -> Message:
        return _CATEGORY_NAMES[self]


_CAP_CATEGORY = {
    Category.POLITICAL: "Security",
    Category.SECURITY: "Security",
    Category.PUBLIC_HEALTH: "Health",
    Category.NATURAL_DISASTER: "Geo",
}
_CATEGORY_NAMES = {
    Category.POLITICAL: Message("政治风险", "Political"),
    Category.SECURITY: Message("安全风险", "Security"),
    Category.PUBLIC_HEALTH: Message("公共卫生", "Public health"),
    Category.ECONOMIC: Message("经济金融", "Economic and financial"),
    Category.LEGAL: Message("法律法规", "Legal and regulatory"),
    Category.TRADE_REMEDY: Message("贸易救济", "Trade remedy"),
    Category.NATURAL_DISASTER: Message("自然灾害", "Natural disaster"),
    Category.OTHER: Message("其他", "Other"),
}


def cap_time(moment: datetime) -> str:
    """A time as CAP writes it: seconds, and the offset as ``+00:00`` (the schema refuses
    ``Z`` and fractions)."""
    if moment.tzinfo is None:
        raise ValueError("CAP times need a time zone")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class CapArea:
    description: str
    country: str  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class CapInfo:
    language: str  # "zh-CN", "en-US"
    category: Category
    event: str
    urgency: str  # Immediate, Expected, Future, Past, Unknown
    severity: Severity
    certainty: str  # Observed, Likely, Possible, Unlikely, Unknown
    headline: str
    description: str
    instruction: str
    sender_name: str
    areas: Sequence[CapArea]
    effective: datetime | None = None
    expires: datetime | None = None
    web: str | None = None


@dataclass(frozen=True)
class CapMessage:
    identifier: str
    sender: str
    sent: datetime
    msg_type: str  # Alert, Update, Cancel
    scope: str  # Public, Restricted
    infos: Sequence[CapInfo]
    status: str = "Actual"
    restriction: str | None = None
    #: Earlier messages this one updates or cancels: (sender, identifier, sent).
    references: Sequence[tuple[str, str, datetime]] = field(default=())
    note: str | None = None


def _add(parent: etree._Element, tag: str, text: str | None) -> None:
    if text:
        etree.SubElement(parent, f"{{{CAP_NAMESPACE}}}{tag}").text = text


def cap_document(message: CapMessage) -> bytes:
    """The message as a CAP 1.2 XML document (UTF-8, with the XML declaration)."""
    root = etree.Element(f"{{{CAP_NAMESPACE}}}alert", nsmap={None: CAP_NAMESPACE})
    _add(root, "identifier", message.identifier)
    _add(root, "sender", message.sender)
    _add(root, "sent", cap_time(message.sent))
    _add(root, "status", message.status)
    _add(root, "msgType", message.msg_type)
    _add(root, "scope", message.scope)
    _add(root, "restriction", message.restriction)
    _add(root, "note", message.note)
    if message.references:
        refs = " ".join(f"{s},{i},{cap_time(t)}" for s, i, t in message.references)
        _add(root, "references", refs)
    for info in message.infos:
        block = etree.SubElement(root, f"{{{CAP_NAMESPACE}}}info")
        _add(block, "language", info.language)
        _add(block, "category", info.category.cap)
        _add(block, "event", info.event)
        _add(block, "urgency", info.urgency)
        _add(block, "severity", info.severity.cap)
        _add(block, "certainty", info.certainty)
        code = etree.SubElement(block, f"{{{CAP_NAMESPACE}}}eventCode")
        _add(code, "valueName", "silkhub:category")
        _add(code, "value", info.category.value)
        if info.effective is not None:
            _add(block, "effective", cap_time(info.effective))
        if info.expires is not None:
            _add(block, "expires", cap_time(info.expires))
        _add(block, "senderName", info.sender_name)
        _add(block, "headline", info.headline)
        _add(block, "description", info.description)
        _add(block, "instruction", info.instruction)
        _add(block, "web", info.web)
        for area in info.areas:
            element = etree.SubElement(block, f"{{{CAP_NAMESPACE}}}area")
            _add(element, "areaDesc", area.description)
            geocode = etree.SubElement(element, f"{{{CAP_NAMESPACE}}}geocode")
            _add(geocode, "valueName", "ISO3166-1")
            _add(geocode, "value", area.country)
    document: bytes = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return document


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


def schema_errors(document: bytes) -> list[str]:
    """What the CAP 1.2 schema finds wrong with ``document`` (empty: it is valid)."""
    try:
        tree = etree.fromstring(document)
    except etree.XMLSyntaxError as exc:
        return [str(exc)]
    schema = _schema()
    if schema.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
