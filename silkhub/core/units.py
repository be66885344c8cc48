"""Units of the hub's figures (元, 万元, 亿美元, 吨, 万标箱...) and conversion between them.

Chinese releases and customs files state money in 元, 万元 or 亿元 and in 美元, 千美元, 万美元
or 亿美元, and the unit usually sits in the column header ("金额（万元）"), so a unit is a
scale (``factor``) of one *dimension*'s base unit. Converting within a dimension is exact
decimal arithmetic on powers of ten; converting between dimensions is refused, and so is
yuan to dollars: that needs an exchange rate for a date, which is data, not a unit.

``parse_unit`` reads the spellings people use in both languages; lookups go through a
dictionary keyed on the text with case, width, spaces, commas and apostrophes removed, so
"USD 10,000", "usd10000" and "ＵＳＤ １０，０００" are one key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from silkhub.core.errors import InvalidUnit, Message

__all__ = [
    "UNITS",
    "Dimension",
    "Unit",
    "as_unit",
    "convert",
    "parse_unit",
    "to_decimal",
    "try_parse_unit",
    "unit_from_header",
]


class Dimension(StrEnum):
    MONEY_CNY = "money_cny"  # base: 元
    MONEY_USD = "money_usd"  # base: US dollar
    MASS = "mass"  # base: tonne
    CONTAINERS = "containers"  # base: TEU
    COUNT = "count"  # base: one item (a train, a project, an enterprise...)
    RATIO = "ratio"  # base: a fraction (1 = 100%)


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    dimension: Dimension
    factor: Decimal  # base units in one of this unit: 亿元 -> 100000000
    symbol_zh: str
    symbol_en: str  # as an English table header says it: "CNY 100 million"

    def symbol(self, lang: str) -> str:
        return self.symbol_en if lang == "en" else self.symbol_zh

    def __str__(self) -> str:
        return self.code


def _unit(code: str, dimension: Dimension, factor: int | str, zh: str, en: str) -> Unit:
    return Unit(code, dimension, Decimal(factor), zh, en)


_D = Dimension
_ALL = [
    _unit("CNY", _D.MONEY_CNY, 1, "元", "CNY"),
    _unit("CNY_1K", _D.MONEY_CNY, 1_000, "千元", "CNY thousand"),
    _unit("CNY_10K", _D.MONEY_CNY, 10_000, "万元", "CNY 10,000"),
    _unit("CNY_100M", _D.MONEY_CNY, 100_000_000, "亿元", "CNY 100 million"),
    _unit("USD", _D.MONEY_USD, 1, "美元", "USD"),
    _unit("USD_1K", _D.MONEY_USD, 1_000, "千美元", "USD thousand"),
    _unit("USD_10K", _D.MONEY_USD, 10_000, "万美元", "USD 10,000"),
    _unit("USD_1M", _D.MONEY_USD, 1_000_000, "百万美元", "USD million"),
    _unit("USD_100M", _D.MONEY_USD, 100_000_000, "亿美元", "USD 100 million"),
    _unit("KG", _D.MASS, "0.001", "千克", "kg"),
    _unit("T", _D.MASS, 1, "吨", "tonnes"),
    _unit("T_10K", _D.MASS, 10_000, "万吨", "10,000 tonnes"),
    _unit("T_100M", _D.MASS, 100_000_000, "亿吨", "100 million tonnes"),
    _unit("TEU", _D.CONTAINERS, 1, "标箱", "TEU"),
    _unit("TEU_10K", _D.CONTAINERS, 10_000, "万标箱", "10,000 TEU"),
    _unit("COUNT", _D.COUNT, 1, "个", "number"),
    _unit("PERCENT", _D.RATIO, "0.01", "%", "%"),
]
UNITS: MappingProxyType[str, Unit] = MappingProxyType({u.code: u for u in _ALL})

# Spellings beside each unit's code and symbols. Keys go through _key(), so spaces, case,
# commas and full-width forms need not be listed.
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "CNY": ("人民币", "人民币元", "rmb", "yuan", "rmb yuan", "yuan renminbi", "¥", "cny yuan"),
    "CNY_1K": ("人民币千元", "thousand yuan", "rmb thousand", "cny 1000", "cny '000", "1000 yuan"),
    "CNY_10K": (
        "人民币万元",
        "万元人民币",
        "万人民币",
        "rmb 10000",
        "10000 yuan",
        "ten thousand yuan",
        "cny 10k",
        "10k yuan",
        "10000 rmb",
        "10000 cny",
    ),
    "CNY_100M": (
        "人民币亿元",
        "亿元人民币",
        "亿人民币",
        "rmb 100 million",
        "100 million yuan",
        "hundred million yuan",
        "cny 100m",
        "100 million rmb",
        "100 million cny",
    ),
    "USD": ("us$", "$", "us dollar", "us dollars", "u.s. dollars", "dollars", "usd dollars"),
    "USD_1K": (
        "usd thousand",
        "thousand us dollars",
        "thousand usd",
        "thousand dollars",
        "usd 1000",
        "usd '000",
        "us$ thousand",
        "us$ '000",
        "1000 usd",
        "1000 us dollars",
        "usd k",
    ),
    "USD_10K": (
        "usd 10000",
        "10000 us dollars",
        "10000 usd",
        "ten thousand us dollars",
        "us$ 10000",
        "10k usd",
        "usd 10k",
    ),
    "USD_1M": (
        "usd million",
        "million us dollars",
        "million usd",
        "usd mn",
        "us$ million",
        "usd m",
    ),
    "USD_100M": (
        "usd 100 million",
        "100 million us dollars",
        "100 million usd",
        "us$ 100 million",
        "hundred million us dollars",
        "usd 100m",
    ),
    "KG": ("公斤", "kilogram", "kilograms", "kgs"),
    "T": ("t", "tonne", "tons", "ton", "metric tons", "metric tonnes", "公吨"),
    "T_10K": ("10000 tonnes", "10000 tons", "ten thousand tonnes", "10k tonnes", "10000 t"),
    "T_100M": ("100 million tonnes", "100 million tons", "hundred million tonnes", "100m tonnes"),
    "TEU": ("teu", "teus", "标准箱", "标准集装箱", "twenty-foot equivalent units"),
    "TEU_10K": ("万teu", "万标准箱", "10000 teu", "ten thousand teu", "10k teu"),
    "COUNT": (
        "count",
        "number",
        "no.",
        "列",
        "项",
        "家",
        "条",
        "次",
        "期",
        "对",
        "所",
        "件",
        "艘",
        "架",
        "人",
        "个数",
        "数量",
        "trains",
        "projects",
        "enterprises",
    ),
    "PERCENT": ("percent", "per cent", "pct", "百分比", "百分数", "％"),
}


def _key(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in s if not ch.isspace() and ch not in ",'’").strip("()[]:：")


def _build_index() -> dict[str, Unit]:
    index: dict[str, Unit] = {}
    for unit in _ALL:
        spellings = (unit.code, unit.symbol_zh, unit.symbol_en, *_SPELLINGS.get(unit.code, ()))
        for spelling in spellings:
            key = _key(spelling)
            seen = index.setdefault(key, unit)
            if seen is not unit:
                raise ValueError(f"unit spelling {spelling!r} is claimed by {seen} and {unit}")
    return index


_INDEX = _build_index()
_UNIT_PREFIX = re.compile(r"^(?:单位|计量单位|units?):")  # on a key: NFKC'd, casefolded


def try_parse_unit(text: str) -> Unit | None:
    key = _key(text)
    return _INDEX.get(key) or _INDEX.get(_UNIT_PREFIX.sub("", key).strip("()[]"))


def parse_unit(text: str) -> Unit:
    """The unit ``text`` names, in Chinese or English; ``InvalidUnit`` when none does."""
    found = try_parse_unit(text)
    if found is None:
        zh = "、".join(u.symbol_zh for u in _ALL)
        en = ", ".join(f"{u.code} ({u.symbol_en})" for u in _ALL)
        raise InvalidUnit.single(
            "invalid_unit",
            Message(
                f"无法识别的计量单位“{text}”。可用单位：{zh}。",
                f"Unknown unit {text!r}. Known units: {en}.",
            ),
            value=text,
        )
    return found


def as_unit(unit: Unit | str) -> Unit:
    return unit if isinstance(unit, Unit) else parse_unit(unit)


def to_decimal(value: Decimal | int | float) -> Decimal:
    """A Decimal that keeps the digits a float was written with (117.1, not 117.09999...)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def convert(value: Decimal | int | float, from_unit: Unit | str, to_unit: Unit | str) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit``, exactly."""
    src, dst = as_unit(from_unit), as_unit(to_unit)
    if src.dimension is not dst.dimension:
        money = {Dimension.MONEY_CNY, Dimension.MONEY_USD}
        if {src.dimension, dst.dimension} == money:
            message = Message(
                f"不能把{src.symbol_zh}换算为{dst.symbol_zh}：人民币与美元的换算需要某一日期的汇率，"
                "不是单位换算。",
                f"Cannot convert {src.symbol_en} to {dst.symbol_en}: yuan and US dollars are "
                "converted with an exchange rate for a date, not as units.",
            )
        else:
            message = Message(
                f"不能把{src.symbol_zh}换算为{dst.symbol_zh}：两者计量的不是同一种量。",
                f"Cannot convert {src.symbol_en} to {dst.symbol_en}: they measure different "
                f"things ({src.dimension} and {dst.dimension}).",
            )
        raise InvalidUnit.single("incompatible_units", message, value=f"{src.code}->{dst.code}")
    if src is dst:
        return to_decimal(value)
    return to_decimal(value) * src.factor / dst.factor


_BRACKETED = re.compile(
    r"^(?P<label>.*?)\s*[(\[（【]\s*(?P<unit>[^()\[\]（）【】]+?)\s*[)\]）】]\s*$"
)
_SLASH = re.compile(r"^(?P<label>.+?)\s*[/／]\s*(?P<unit>[^/／]+)$")
_UNIT_CLAUSE = re.compile(
    r"^(?P<label>.*?)[\s,，;；]*(?P<unit>(?:单位|计量单位|units?)[:：].+)$", re.I
)
_COMMA = re.compile(r"[,，]")
_LABEL_EDGE = " \t,，;；:：/／-"


def unit_from_header(header: str) -> tuple[str, Unit | None]:
    """Split a column header into its label and unit: "金额（万元）" -> ("金额", 万元).

    Recognised: a bracketed unit at the end ("Value (USD thousand)", "金额【单位：万元】"), a
    unit after a slash ("出口额/亿元"), after a comma ("Exports, USD 10,000") or after
    "单位：". A header with no recognisable unit comes back whole, with ``None``.
    """
    text = header.strip()
    for pattern in (_BRACKETED, _UNIT_CLAUSE, _SLASH):
        match = pattern.match(text)
        if match is not None:
            unit = try_parse_unit(match["unit"])
            if unit is not None:
                return match["label"].strip(_LABEL_EDGE), unit
    # A comma may also sit inside the unit ("USD 10,000"): try the longest tail first.
    for comma in _COMMA.finditer(text):
        unit = try_parse_unit(text[comma.end() :])
        if unit is not None:
            return text[: comma.start()].strip(_LABEL_EDGE), unit
    return text, None
