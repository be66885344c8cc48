"""Every figure the seed article quotes, written back the way the article writes it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from silkhub.core.errors import InvalidUnit, Message
from silkhub.core.formatting import (
    format_amount,
    format_count,
    format_growth,
    format_number,
    format_percent,
    format_points,
    format_share,
    round_half_up,
)
from silkhub.core.units import parse_unit


@pytest.mark.parametrize(
    ("value", "unit", "digits", "zh", "en"),
    [
        (3909, "亿元", None, "3909亿元", "CNY 390.9 billion"),
        (390_900_000_000, "元", None, "3909亿元", "CNY 390.9 billion"),
        (81.3, "亿美元", None, "81.3亿美元", "USD 8.13 billion"),
        (15.19, "亿美元", 2, "15.19亿美元", "USD 1.519 billion"),
        (325.6, "亿元", None, "325.6亿元", "CNY 32.56 billion"),
        (1071.7, "万标箱", None, "1071.7万标箱", "10.717 million TEU"),
        (10_717_000, "TEU", None, "1071.7万标箱", "10.717 million TEU"),
        (4.5, "亿吨", None, "4.5亿吨", "450 million tonnes"),
        (11.2, "亿吨", None, "11.2亿吨", "1.12 billion tonnes"),
        (3.6, "亿美元", None, "3.6亿美元", "USD 360 million"),
        (24466, "标箱", None, "24466标箱", "24,466 TEU"),
        (4758, "TEU", None, "4758标箱", "4,758 TEU"),
        (2700, "万标箱", None, "2700万标箱", "27 million TEU"),
        (288, "亿元", None, "288亿元", "CNY 28.8 billion"),
        (557.22, "亿元", 2, "557.22亿元", "CNY 55.722 billion"),
        (170.04, "万吨", 2, "170.04万吨", "1.7004 million tonnes"),
        (10_000, "亿元", None, "1万亿元", "CNY 1 trillion"),
        (10, "亿美元", None, "10亿美元", "USD 1 billion"),
        (30, "亿美元", None, "30亿美元", "USD 3 billion"),
        (40, "亿元", None, "40亿元", "CNY 4 billion"),
        (52, "万吨", None, "52万吨", "520,000 tonnes"),
        (1234.56, "元", None, "1234.6元", "CNY 1,234.6"),
        (-3.2, "亿元", None, "-3.2亿元", "CNY -320 million"),
    ],
)
def test_seed_amounts(value: float, unit: str, digits: int | None, zh: str, en: str) -> None:
    assert format_amount(value, unit, "zh", digits=digits) == zh
    assert format_amount(value, unit, "en", digits=digits) == en


def test_scale_moves_up_when_rounding_reaches_ten_thousand() -> None:
    assert format_amount(99_999_999, "元", "zh") == "1亿元"
    assert format_amount(99_999.99, "亿元", "zh") == "10万亿元"


def test_rounding_is_half_up() -> None:
    assert format_amount(1071.75, "万标箱", "zh") == "1071.8万标箱"
    assert format_amount(1071.65, "万标箱", "zh") == "1071.7万标箱"  # banker's would give .6
    assert round_half_up(2.5, 0) == Decimal(3)
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")


def test_a_small_negative_rounds_to_zero_without_a_sign() -> None:
    assert str(round_half_up(-0.01, 1)) == "0.0"
    assert format_number(-0.04, "en", 1) == "0.0"
    assert str(round_half_up(-0.05, 1)) == "-0.1"


def test_explicit_digits_keep_trailing_zeros() -> None:
    assert format_amount(81.3, "亿美元", "zh", digits=2) == "81.30亿美元"
    assert format_amount(3909, "亿元", "zh", digits=0) == "3909亿元"
    assert format_amount(3909.4, "亿元", "zh", digits=0) == "3909亿元"


def test_display_unit_forces_the_unit() -> None:
    value = 390_900_000_000
    assert format_amount(value, "元", "zh", display_unit=parse_unit("亿元")) == "3909亿元"
    assert format_amount(value, "元", "zh", display_unit="万元") == "39090000万元"
    assert format_amount(value, "元", "en", display_unit="亿元") == "3,909 (CNY 100 million)"
    assert format_amount(81.3, "亿美元", "en", display_unit="千美元") == "USD 8,130,000 thousand"
    assert format_amount(81.3, "亿美元", "en", display_unit="美元") == "USD 8,130,000,000"
    assert format_amount(11.2, "亿吨", "en", display_unit="吨") == "1,120,000,000 tonnes"
    assert format_amount(15.19, "亿美元", "zh", digits=1, display_unit="亿美元") == "15.2亿美元"
    with pytest.raises(InvalidUnit):
        format_amount(1, "亿元", "zh", display_unit="亿美元")


def test_counts_and_ratios_through_format_amount() -> None:
    assert format_amount(2685, "家", "zh") == "2685"
    assert format_amount(2685, "COUNT", "en") == "2,685"
    assert format_amount(10.4, "%", "zh") == "10.4%"


@pytest.mark.parametrize(
    ("pct", "zh", "en"),
    [
        (70.1, "增长70.1%", "up 70.1%"),
        (18, "增长18.0%", "up 18.0%"),
        (16.1, "增长16.1%", "up 16.1%"),
        (117.1, "增长117.1%", "up 117.1%"),
        (60, "增长60.0%", "up 60.0%"),
        (92.1, "增长92.1%", "up 92.1%"),
        (12.6, "增长12.6%", "up 12.6%"),
        (19.4, "增长19.4%", "up 19.4%"),
        (-3.2, "下降3.2%", "down 3.2%"),
        (0.0, "持平", "unchanged"),
        (0.04, "持平", "unchanged"),
        (-0.04, "持平", "unchanged"),
        (0.05, "增长0.1%", "up 0.1%"),
        (-0.05, "下降0.1%", "down 0.1%"),
        (Decimal("117.05"), "增长117.1%", "up 117.1%"),
    ],
)
def test_format_growth(pct: float | Decimal, zh: str, en: str) -> None:
    assert format_growth(pct, "zh") == zh
    assert format_growth(pct, "en") == en


def test_growth_in_times_the_chinese_way() -> None:
    assert format_growth(190, "zh", style="times") == "增长1.9倍"
    assert format_growth(190, "en", style="times") == "up 190.0% (2.9 times)"
    assert format_growth(100, "zh", style="times") == "增长1.0倍"
    # Below +100% the times style has nothing to say: it falls back to percent.
    assert format_growth(92.1, "zh", style="times") == "增长92.1%"
    assert format_growth(-30, "zh", style="times") == "下降30.0%"


def test_growth_digits() -> None:
    assert format_growth(117.14, "zh", digits=2) == "增长117.14%"
    assert format_growth(18, "en", digits=0) == "up 18%"


def test_format_points() -> None:
    assert format_points(1.5, "zh") == "提高1.5个百分点"
    assert format_points(-1.5, "zh") == "下降1.5个百分点"
    assert format_points(1.5, "en") == "up 1.5 percentage points"
    assert format_points(-0.25, "en") == "down 0.3 percentage points"
    assert format_points(0.01, "zh") == "持平"
    assert format_points(0, "en") == "unchanged"


def test_format_share() -> None:
    assert format_share(10.4, "zh") == "占10.4%"
    assert format_share(10.4, "en") == "10.4% of the total"
    whole = Message("全省对“一带一路”国家进出口", "trade with Belt and Road countries")
    assert format_share(7.4, "zh", of=whole) == "占全省对“一带一路”国家进出口的7.4%"
    assert format_share(7.4, "en", of=whole) == "7.4% of trade with Belt and Road countries"
    # The seed's CEEC share, recomputed: 288 of 3909.
    assert format_share(Decimal(288) / Decimal(3909) * 100, "zh") == "占7.4%"


def test_format_count() -> None:
    assert format_count(294, "zh", counter_zh="列") == "294列"
    assert format_count(294, "en", noun_en="trains") == "294 trains"
    assert format_count(24466, "en") == "24,466"
    assert format_count(2685, "zh", counter_zh="家") == "2685家"


def test_format_number() -> None:
    assert format_number(24466, "en") == "24,466"
    assert format_number(24466, "zh") == "24466"
    assert format_number(1234567.891, "en") == "1,234,567.891"
    assert format_number(Decimal("8.10"), "en") == "8.10"
    assert format_number(2.345, "en", 2) == "2.35"
    assert format_number(100.4, "zh", 1) == "100.4"
    assert format_number(Decimal("3.909E+11"), "zh") == "390900000000"


def test_english_numbers_are_written_as_babel_writes_them() -> None:
    """``format_number`` groups English digits itself, for speed; Babel's English pattern is
    the reference it must equal, whatever the sign, size and decimals."""
    import random

    from babel.numbers import format_decimal

    rng = random.Random(7)
    values = [Decimal("0"), Decimal("-0.0"), Decimal("1E+3"), Decimal("-1234.50"), Decimal("1E-7")]
    values += [
        Decimal(rng.randint(-(10**13), 10**13)).scaleb(-rng.randint(0, 8)) for _ in range(2000)
    ]
    for value in values:
        places = max(0, -int(value.as_tuple().exponent))
        pattern = "#,##0" + ("." + "0" * places if places else "")
        assert format_number(value, "en") == format_decimal(value, format=pattern, locale="en")


def test_format_percent() -> None:
    assert format_percent(100.4, "zh") == "100.4%"
    assert format_percent(10, "en") == "10.0%"
