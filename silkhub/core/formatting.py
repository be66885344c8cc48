"""Figures written the way statistical releases write them, in Chinese and in English.

Chinese releases count in 万 (10^4) and 亿 (10^8) and write no thousands separators
("1万亿元", "3909亿元", "1071.7万标箱", "24466标箱"); English ones count in millions and
billions with separators ("CNY 390.9 billion", "10.717 million TEU", "24,466 TEU").
The two must state the *same* rounded figure, so an amount is rounded once, at the Chinese
scale, and the English text shows exactly that figure: 81.3亿美元 is "USD 8.13 billion",
not "USD 8.1 billion".

Rounding is half-up (``ROUND_HALF_UP``), as statistical offices round, never Python's
banker's rounding; floats are read through their shortest repr so 117.1 stays 117.1.

Growth follows the Chinese convention that "增长1.9倍" means +190% (2.9 times the base),
which English readers misread; the English text therefore always states the percentage.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from silkhub.core.errors import Message
from silkhub.core.units import Dimension, Unit, as_unit, convert, to_decimal

__all__ = [
    "format_amount",
    "format_count",
    "format_growth",
    "format_number",
    "format_percent",
    "format_points",
    "format_share",
    "round_half_up",
]

Number = Decimal | int | float

_WAN = Decimal(10_000)
_YI = Decimal(100_000_000)
_WAN_YI = Decimal(10**12)
# Below 10万 a release writes the number out ("24466标箱"); from there on it counts in 万.
_ZH_SCALES = ((_WAN_YI, "万亿"), (_YI, "亿"), (_WAN, "万"), (Decimal(1), ""))
_ZH_WAN_FROM = Decimal(100_000)
_EN_SCALES = (
    (Decimal(10**12), "trillion"),
    (Decimal(10**9), "billion"),
    (Decimal(10**6), "million"),
    (Decimal(1), ""),
)
_ZH_BASE = {
    Dimension.MONEY_CNY: "元",
    Dimension.MONEY_USD: "美元",
    Dimension.MASS: "吨",
    Dimension.CONTAINERS: "标箱",
    Dimension.COUNT: "",
    Dimension.RATIO: "%",
}
_EN_CURRENCY = {Dimension.MONEY_CNY: "CNY", Dimension.MONEY_USD: "USD"}
_EN_AFTER = {Dimension.MASS: "tonnes", Dimension.CONTAINERS: "TEU"}


def round_half_up(value: Number, digits: int) -> Decimal:
    rounded = to_decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    # -0.01 rounds to -0.0; a release prints 0.0 (copy_abs keeps the exponent, so "0.0").
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _plain(value: Decimal, lang: str) -> str:
    """All the digits ``value`` carries; separators in English only."""
    if lang == "en":
        # English grouping with Decimal's own formatting: the same text as Babel's
        # "#,##0.00" pattern in the "en" locale (tests/core/test_formatting.py holds them
        # equal), about ten times faster, which a page of a thousand figures notices.
        return format(value, f",.{_decimals(value)}f")
    return format(value, "f")


def _trim(value: Decimal) -> Decimal:
    """Drop trailing fractional zeros: 3909.0 -> 3909, 8.130 -> 8.13, 2700 stays 2700."""
    if _decimals(value) == 0:
        return value
    trimmed = value.normalize()
    return trimmed.quantize(Decimal(1)) if _decimals(trimmed) == 0 else trimmed


def format_number(value: Number, lang: str, digits: int | None = None) -> str:
    """A bare number: "24,466" in English, "24466" in Chinese; ``digits`` decimals if given."""
    number = to_decimal(value) if digits is None else round_half_up(value, digits)
    return _plain(number, lang)


def format_amount(
    value: Number,
    unit: Unit | str,
    lang: str,
    *,
    digits: int | None = None,
    display_unit: Unit | str | None = None,
) -> str:
    """An amount as a release states it: ``(3909, "亿元", "en")`` -> "CNY 390.9 billion".

    ``value`` is in ``unit``. The scale is chosen as a Chinese release would (万亿 from
    10^12, 亿 from 10^8, 万 from 10^5) and the figure rounded there, to ``digits``
    decimals or, by default, to one decimal with a trailing ".0" dropped; the English text
    states the same rounded figure in billions or millions. ``display_unit`` forces the
    unit shown ("亿元"), with ``digits`` decimals of it; English has no word for 万 or 亿, so
    there the unit is given as a table header would give it: "3,909 (CNY 100 million)".
    """
    src = as_unit(unit)
    if display_unit is not None:
        return _format_in(convert(value, src, display_unit), as_unit(display_unit), lang, digits)
    base = to_decimal(value) * src.factor
    dim = src.dimension
    if dim is Dimension.RATIO:
        return format_percent(base * 100, lang, 1 if digits is None else digits)
    if dim is Dimension.COUNT:
        return format_number(base, lang, digits)

    places = 1 if digits is None else digits
    rounded, scale, prefix = _round_at_zh_scale(base, places)
    if lang != "en":
        shown_zh = _trim(rounded) if digits is None else rounded
        return f"{_plain(shown_zh, 'zh')}{prefix}{_ZH_BASE[dim]}"
    # The same figure in billions or millions: 亿 -> billion moves the point one place left.
    exact = rounded * scale
    en_scale, word = next((s, w) for s, w in _EN_SCALES if abs(exact) >= s or s == 1)
    en_places = max(0, places + _log10(en_scale) - _log10(scale))
    shown = (exact / en_scale).quantize(Decimal(1).scaleb(-en_places), rounding=ROUND_HALF_UP)
    if digits is None:
        shown = _trim(shown)
    return _en_amount(_plain(shown, "en"), word, dim)


def _log10(power_of_ten: Decimal) -> int:
    return len(str(int(power_of_ten))) - 1


def _round_at_zh_scale(base: Decimal, digits: int) -> tuple[Decimal, Decimal, str]:
    magnitude = abs(base)
    floors = (_WAN_YI, _YI, _ZH_WAN_FROM, Decimal(0))
    index = next(i for i, floor in enumerate(floors) if magnitude >= floor)
    while True:
        scale, prefix = _ZH_SCALES[index]
        rounded = round_half_up(base / scale, digits)
        # 99999999 rounds to 10000.0万: say 1亿 instead.
        if index > 0 and scale != 1 and abs(rounded) >= _WAN:
            index -= 1
            continue
        return rounded, scale, prefix


def _en_amount(number: str, scale_word: str, dim: Dimension) -> str:
    words = " ".join(w for w in (number, scale_word) if w)
    if dim in _EN_CURRENCY:
        return f"{_EN_CURRENCY[dim]} {words}"
    return f"{words} {_EN_AFTER[dim]}" if dim in _EN_AFTER else words


def _format_in(value: Decimal, unit: Unit, lang: str, digits: int | None) -> str:
    number = _trim(round_half_up(value, 1)) if digits is None else round_half_up(value, digits)
    text = _plain(number, lang)
    if unit.dimension is Dimension.RATIO:
        return f"{text}%"
    if lang != "en":
        return f"{text}{unit.symbol_zh}" if unit.dimension is not Dimension.COUNT else text
    if unit.dimension is Dimension.COUNT:
        return text
    natural = {Decimal(1): "", Decimal(1000): "thousand", Decimal(10**6): "million"}
    if unit.factor in natural and unit.dimension in _EN_CURRENCY:
        return _en_amount(text, natural[unit.factor], unit.dimension)
    if unit.factor == 1 or unit.code == "KG":
        return f"{text} {unit.symbol_en}"
    return f"{text} ({unit.symbol_en})"


def format_count(value: Number, lang: str, *, counter_zh: str = "", noun_en: str = "") -> str:
    """A count with its measure word: ``format_count(294, "zh", counter_zh="列")`` -> "294列"."""
    text = format_number(value, lang)
    if lang == "en":
        return f"{text} {noun_en}" if noun_en else text
    return f"{text}{counter_zh}"


def format_percent(pct: Number, lang: str, digits: int = 1) -> str:
    """A percentage: 10.4 -> "10.4%" (the value is in percent, not a fraction)."""
    return f"{format_number(pct, lang, digits)}%"


def format_growth(
    pct: Number,
    lang: str,
    style: Literal["percent", "times"] = "percent",
    digits: int = 1,
) -> str:
    """Year-on-year change in percent: "增长18.0%" / "up 18.0%", "下降3.2%", "持平".

    With ``style="times"``, growth of 100% or more is written the Chinese way, "增长1.9倍" for
    +190%; in English "up 190.0% (2.9 times)", the level being 2.9 times the base.
    """
    value = to_decimal(pct)
    rounded = round_half_up(value, digits)
    if rounded == 0:
        return "unchanged" if lang == "en" else "持平"
    shown = format_number(abs(rounded), lang, digits)
    if style == "times" and value >= 100:
        times = round_half_up(value / 100, digits)
        if lang == "en":
            level = round_half_up(value / 100 + 1, digits)
            return f"up {shown}% ({format_number(level, lang, digits)} times)"
        return f"增长{format_number(times, lang, digits)}倍"
    if lang == "en":
        return f"{'up' if rounded > 0 else 'down'} {shown}%"
    return f"{'增长' if rounded > 0 else '下降'}{shown}%"


def format_points(pp: Number, lang: str, digits: int = 1) -> str:
    """A change of a rate or share: "提高1.5个百分点" / "up 1.5 percentage points"."""
    rounded = round_half_up(pp, digits)
    if rounded == 0:
        return "unchanged" if lang == "en" else "持平"
    shown = format_number(abs(rounded), lang, digits)
    if lang == "en":
        return f"{'up' if rounded > 0 else 'down'} {shown} percentage points"
    return f"{'提高' if rounded > 0 else '下降'}{shown}个百分点"


def format_share(pct: Number, lang: str, *, of: Message | None = None, digits: int = 1) -> str:
    """A share: "占10.4%" or "占全省进出口的10.4%"; "10.4% of the total" or "10.4% of trade"."""
    shown = format_percent(pct, lang, digits)
    if lang == "en":
        return f"{shown} of {of.en if of is not None else 'the total'}"
    return f"占{of.zh}的{shown}" if of is not None else f"占{shown}"
