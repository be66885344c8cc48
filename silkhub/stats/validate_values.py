"""Reading one value at a time: what the vectorised validation leaves to Python.

``silkhub.stats.validate`` types whole columns in DuckDB. A few things are lookups in Python
dictionaries that SQL cannot reach: country names (``silkhub.core.countries``), the spellings
of a choice, and the period forms the SQL patterns do not cover (``parse_period``). These run
on the DISTINCT values of a column only (a customs file of a million rows names a few hundred
countries and a dozen months), and their answers are joined back in SQL. The mapping module uses
them too, to check the constants a mapping file declares.

Partners that are not a country but a bucket ("其他", "Other", "未知") are kept, as the
ISO 3166 user-assigned code ``ZZ`` (``UNKNOWN_COUNTRY``), so that the file's total still adds
up; validation warns when such rows carry more than a small share of the value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from silkhub.core.countries import normalize_name, suggest, try_resolve
from silkhub.core.errors import InvalidPeriod, Message
from silkhub.core.periods import Month, parse_period
from silkhub.core.units import Dimension, Unit
from silkhub.stats.datasets import Field, Kind

__all__ = [
    "KIND_DIMENSIONS",
    "UNKNOWN_COUNTRY",
    "CountryReading",
    "PeriodReading",
    "canonical",
    "choice_index",
    "choice_key",
    "choices_described",
    "constant_problem",
    "field_aliases",
    "is_unknown_bucket",
    "read_choice",
    "read_country",
    "read_date",
    "read_hs_code",
    "read_month",
    "unit_misfit",
]

#: ISO 3166-1 reserves ZZ for user assignment; silkhub stores "unknown or other partner" as it.
UNKNOWN_COUNTRY = "ZZ"

_BUCKETS = (
    "其他",
    "其它",
    "其他国家",
    "其它国家",
    "其他地区",
    "其他国家(地区)",
    "其他国家和地区",
    "其他国家或地区",
    "未知",
    "不详",
    "未列明",
    "未列明国家(地区)",
    "未知国家(地区)",
    "other",
    "others",
    "other countries",
    "other countries and regions",
    "others and unknown",
    "rest of world",
    "rest of the world",
    "unknown",
    "unspecified",
    "not specified",
    "zz",
)
_BUCKET_KEYS = frozenset(normalize_name(n) for n in _BUCKETS)


def is_unknown_bucket(text: str) -> bool:
    """Whether a partner name means "other or unknown countries" rather than a country."""
    return normalize_name(text) in _BUCKET_KEYS


@dataclass(frozen=True, slots=True)
class CountryReading:
    code: str | None  # alpha-2, UNKNOWN_COUNTRY for a bucket, None when unknown
    suggestions: tuple[str, ...] = ()


def read_country(text: str) -> CountryReading:
    if is_unknown_bucket(text):
        return CountryReading(UNKNOWN_COUNTRY)
    found = try_resolve(text)
    if found is not None:
        return CountryReading(found.alpha2)
    return CountryReading(None, tuple(suggest(text)))


def choice_key(text: str) -> str:
    """Spellings of a choice are compared NFKC'd, casefolded and without any whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def choice_index(field: Field) -> dict[str, str]:
    """Every accepted spelling of ``field``'s choices (keyed by ``choice_key``) -> stored value."""
    index: dict[str, str] = {}
    for choice in field.choices:
        for spelling in (choice.value, choice.zh, choice.en, *choice.aliases):
            index.setdefault(choice_key(spelling), choice.value)
    return index


def read_choice(field: Field, text: str) -> str | None:
    return choice_index(field).get(choice_key(text))


def choices_described(field: Field) -> Message:
    """The accepted spellings, for a message: "出口（export）、进口（import）"."""
    zh = "、".join(f"{c.zh}（{c.value}）" for c in field.choices)
    en = ", ".join(f"{c.value} ({c.zh}, {c.en})" for c in field.choices)
    return Message(zh, en)


@dataclass(frozen=True, slots=True)
class PeriodReading:
    month: date | None  # the month's first day
    code: str | None = None  # the problem code when month is None
    message: Message | None = None


def read_month(text: str) -> PeriodReading:
    """A month as ``parse_period`` reads it, or a date's month (the slow path, for DISTINCT
    values and constants)."""
    day = read_date(text)
    if day is not None:
        return PeriodReading(day.replace(day=1))
    try:
        period = parse_period(text)
    except InvalidPeriod as error:
        return PeriodReading(None, "invalid_period", error.message)
    if isinstance(period, Month):
        return PeriodReading(period.start)
    kind_zh, kind_en = _PERIOD_KINDS.get(period.kind, (period.kind, period.kind))
    return PeriodReading(
        None,
        "not_a_month",
        Message(
            f"“{text}”是{kind_zh}（{period.label('zh')}），不是单个月份：此列每行应为一个月"
            "（如2020-05、2020年5月）。累计数或季度数请先换算为当月数。",
            f"{text!r} is {kind_en} ({period.label('en')}), not a single month: each row of "
            "this column must give one month (e.g. 2020-05, 2020年5月). Turn cumulative or "
            "quarterly figures into monthly ones first.",
        ),
    )


_PERIOD_KINDS = {
    "ytd": ("年初至今的累计期", "a year to date"),
    "quarter": ("一个季度", "a quarter"),
    "year": ("一整年", "a whole year"),
    "week": ("一个周", "an ISO week"),
}


_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def read_date(text: str) -> date | None:
    """A calendar date as the SQL path reads it ("2020-05-13", "2020年5月13日", "20200513")."""
    s = unicodedata.normalize("NFKC", text).strip()
    match = _DATE.fullmatch(s) or _DATE_COMPACT.fullmatch(s)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


_HS_NOISE = re.compile(r"[\s.·]")
_HS = re.compile(r"[0-9]{2,10}")


def read_hs_code(text: str) -> str | None:
    """ "8517.12" -> "851712"; None unless 2 to 10 digits remain."""
    digits = _HS_NOISE.sub("", unicodedata.normalize("NFKC", text))
    return digits if _HS.fullmatch(digits) else None


# --- fields, units and constants ---------------------------------------------------------

#: The dimension (silkhub.core.units) of each measured kind; a unit must be of it.
KIND_DIMENSIONS: dict[Kind, Dimension] = {
    Kind.MONEY_CNY: Dimension.MONEY_CNY,
    Kind.MONEY_USD: Dimension.MONEY_USD,
    Kind.TONNES: Dimension.MASS,
    Kind.TEU: Dimension.CONTAINERS,
    Kind.COUNT: Dimension.COUNT,
}
_NUMERIC = frozenset({*KIND_DIMENSIONS, Kind.NUMBER})


def field_aliases(f: Field) -> tuple[str, ...]:
    return (f.name, f.zh, f.en, *f.headers)


def unit_misfit(f: Field, unit: Unit) -> Message | None:
    """Why ``unit`` cannot measure field ``f`` (吨 for value_cny), or None when it can."""
    dimension = KIND_DIMENSIONS.get(f.kind)
    if dimension is None:
        return Message(
            f"字段“{f.name}”（{f.zh}）不是计量值，不能指定单位“{unit.symbol_zh}”。",
            f"Field {f.name!r} ({f.en}) is not a measured quantity; it takes no unit "
            f"({unit.symbol_en}).",
        )
    if unit.dimension is not dimension:
        return Message(
            f"单位“{unit.symbol_zh}”不能用于字段“{f.name}”（{f.zh}），该字段以{f.base_unit}计。",
            f"Unit {unit.symbol_en} does not fit field {f.name!r} ({f.en}), which is measured "
            f"in {f.base_unit}.",
        )
    return None


def constant_problem(f: Field, text: str) -> Message | None:
    """Why ``text`` is not a valid value of ``f``, or None."""
    if f.kind in _NUMERIC:
        return Message(
            f"计量字段“{f.name}”不能设为常量。",
            f"A measured field ({f.name}) cannot be a constant.",
        )
    if f.kind is Kind.CHOICE and read_choice(f, text) is None:
        accepted = choices_described(f)
        return Message(
            f"“{text}”不是“{f.zh}”的可选值。可选：{accepted.zh}。",
            f"{text!r} is not a value of {f.en}. Values: {accepted.en}.",
        )
    if f.kind is Kind.COUNTRY and read_country(text).code is None:
        return Message(f"无法识别的国家或地区“{text}”。", f"Unknown country {text!r}.")
    if f.kind is Kind.MONTH:
        reading = read_month(text)
        return reading.message
    if f.kind is Kind.DATE and read_date(text) is None:
        return Message(
            f"“{text}”不是日期（如2020-05-13）。", f"{text!r} is not a date (2020-05-13)."
        )
    if f.kind is Kind.HS_CODE and read_hs_code(text) is None:
        return Message(
            f"“{text}”不是商品编码（2至10位数字）。", f"{text!r} is not an HS code (2-10 digits)."
        )
    return None


def canonical(f: Field, text: str) -> str:
    """A constant as it will be stored, for comparing two spellings ("出口" is "export")."""
    if f.kind is Kind.CHOICE:
        return read_choice(f, text) or text
    if f.kind is Kind.COUNTRY:
        return read_country(text).code or text
    if f.kind is Kind.MONTH:
        month = read_month(text).month
        return month.isoformat() if month else text
    return text
