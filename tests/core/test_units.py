from __future__ import annotations

from decimal import Decimal

import pytest

from silkhub.core.errors import InvalidInput, InvalidUnit
from silkhub.core.units import (
    UNITS,
    Dimension,
    Unit,
    as_unit,
    convert,
    parse_unit,
    to_decimal,
    try_parse_unit,
    unit_from_header,
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("元", "CNY"),
        ("万元", "CNY_10K"),
        ("亿元", "CNY_100M"),
        ("美元", "USD"),
        ("千美元", "USD_1K"),
        ("万美元", "USD_10K"),
        ("亿美元", "USD_100M"),
        ("百万美元", "USD_1M"),
        ("USD thousand", "USD_1K"),
        ("USD 10,000", "USD_10K"),
        ("usd10000", "USD_10K"),
        ("ＵＳＤ　１０，０００", "USD_10K"),
        ("thousand US dollars", "USD_1K"),
        ("USD million", "USD_1M"),
        ("CNY", "CNY"),
        ("RMB", "CNY"),
        ("yuan", "CNY"),
        ("人民币", "CNY"),
        ("万元人民币", "CNY_10K"),
        ("CNY 100 million", "CNY_100M"),
        ("吨", "T"),
        ("万吨", "T_10K"),
        ("亿吨", "T_100M"),
        ("tonnes", "T"),
        ("tons", "T"),
        ("千克", "KG"),
        ("kg", "KG"),
        ("TEU", "TEU"),
        ("teu", "TEU"),
        ("标箱", "TEU"),
        ("标准箱", "TEU"),
        ("万标箱", "TEU_10K"),
        ("万TEU", "TEU_10K"),
        ("10,000 TEU", "TEU_10K"),
        ("个", "COUNT"),
        ("列", "COUNT"),
        ("项", "COUNT"),
        ("%", "PERCENT"),
        ("％", "PERCENT"),
        ("（万元）", "CNY_10K"),
        ("单位：万元", "CNY_10K"),
        ("Unit: USD thousand", "USD_1K"),
        ("CNY_100M", "CNY_100M"),
    ],
)
def test_parse_unit(text: str, code: str) -> None:
    assert parse_unit(text).code == code


def test_every_unit_parses_from_its_code_and_symbols() -> None:
    for unit in UNITS.values():
        assert parse_unit(unit.code) is unit
        assert parse_unit(unit.symbol_zh) is unit
        assert parse_unit(unit.symbol_en) is unit
        assert unit.symbol("zh") == unit.symbol_zh
        assert unit.symbol("en") == unit.symbol_en


def test_unknown_unit_lists_the_known_ones() -> None:
    with pytest.raises(InvalidUnit) as caught:
        parse_unit("furlongs")
    error = caught.value
    assert isinstance(error, InvalidInput)
    assert "万元" in error.message.zh
    assert "亿美元" in error.message.zh
    assert "USD_1K" in error.message.en
    assert error.problems[0].value == "furlongs"
    assert try_parse_unit("furlongs") is None
    with pytest.raises(InvalidUnit):
        parse_unit("")


def test_factors_and_dimensions() -> None:
    assert parse_unit("亿元").factor == Decimal(100_000_000)
    assert parse_unit("亿元").dimension is Dimension.MONEY_CNY
    assert parse_unit("千美元").dimension is Dimension.MONEY_USD
    assert parse_unit("万标箱").factor == Decimal(10_000)
    assert parse_unit("%").dimension is Dimension.RATIO


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        (3909, "亿元", "万元", Decimal("39090000")),
        (3909, "亿元", "元", Decimal("390900000000")),
        (81.3, "亿美元", "千美元", Decimal("8130000")),
        (81.3, "亿美元", "USD", Decimal("8130000000")),
        (1071.7, "万标箱", "TEU", Decimal("10717000")),
        (24466, "TEU", "万标箱", Decimal("2.4466")),
        (11.2, "亿吨", "万吨", Decimal("112000")),
        (Decimal("1500"), "kg", "吨", Decimal("1.5")),
        (12345, "万元", "万元", Decimal("12345")),
        (50, "%", "%", Decimal("50")),
    ],
)
def test_convert(value: Decimal | int | float, src: str, dst: str, expected: Decimal) -> None:
    result = convert(value, src, dst)
    assert isinstance(result, Decimal)
    assert result == expected


def test_convert_is_exact_for_floats() -> None:
    # Binary floats would give 8130000.000000001 or similar.
    assert str(convert(0.1, "亿美元", "美元")) == "10000000.0"
    assert to_decimal(117.1) == Decimal("117.1")


def test_yuan_to_dollars_needs_an_exchange_rate() -> None:
    with pytest.raises(InvalidUnit) as caught:
        convert(1, "万元", "万美元")
    assert "汇率" in caught.value.message.zh
    assert "exchange rate" in caught.value.message.en


def test_across_dimensions_is_refused() -> None:
    with pytest.raises(InvalidUnit) as caught:
        convert(1, "吨", "TEU")
    assert "mass" in caught.value.message.en
    assert "containers" in caught.value.message.en


def test_as_unit() -> None:
    unit = parse_unit("万元")
    assert as_unit(unit) is unit
    assert as_unit("万元") is unit
    assert isinstance(unit, Unit)
    assert str(unit) == "CNY_10K"


@pytest.mark.parametrize(
    ("header", "label", "code"),
    [
        ("金额（万元）", "金额", "CNY_10K"),
        ("金额(万元)", "金额", "CNY_10K"),
        ("金额 (万元)", "金额", "CNY_10K"),
        ("Value (USD thousand)", "Value", "USD_1K"),
        ("出口额/亿元", "出口额", "CNY_100M"),
        ("出口额／亿元", "出口额", "CNY_100M"),
        ("Exports, USD 10,000", "Exports", "USD_10K"),
        ("Trade, total (USD 100 million)", "Trade, total", "USD_100M"),
        ("进口额（单位：万美元）", "进口额", "USD_10K"),
        ("出口额 单位：亿元", "出口额", "CNY_100M"),
        ("货运量,万吨", "货运量", "T_10K"),
        ("集装箱吞吐量【万标箱】", "集装箱吞吐量", "TEU_10K"),
        ("同比增长(%)", "同比增长", "PERCENT"),
    ],
)
def test_unit_from_header(header: str, label: str, code: str) -> None:
    found_label, unit = unit_from_header(header)
    assert found_label == label
    assert unit is not None
    assert unit.code == code


@pytest.mark.parametrize(
    "header", ["国家（地区）", "Value", "Partner, country", "HS编码", " 国别 "]
)
def test_headers_without_a_unit(header: str) -> None:
    assert unit_from_header(header) == (header.strip(), None)
