from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from silkhub.core.errors import InvalidInput, InvalidPeriod
from silkhub.core.periods import (
    IsoWeek,
    Month,
    Period,
    Quarter,
    Year,
    YearToDate,
    iso_weeks_in_year,
    parse_period,
)


def _all_periods(years: range) -> list[Period]:
    out: list[Period] = []
    for y in years:
        out.append(Year(y))
        out.extend(Quarter(y, q) for q in range(1, 5))
        out.extend(Month(y, m) for m in range(1, 13))
        out.extend(YearToDate(y, m) for m in range(1, 13))
        out.extend(IsoWeek(y, w) for w in range(1, iso_weeks_in_year(y) + 1))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-05", Month(2020, 5)),
        ("2020/05", Month(2020, 5)),
        ("202005", Month(2020, 5)),
        ("2020年5月", Month(2020, 5)),
        ("2020年05月", Month(2020, 5)),
        ("2020年5月份", Month(2020, 5)),
        ("2020年十二月", Month(2020, 12)),
        ("May 2020", Month(2020, 5)),
        ("Sept. 2020", Month(2020, 9)),
        ("２０２０年５月", Month(2020, 5)),
        (" 2020 年 5 月 ", Month(2020, 5)),
        ("2020年1-5月", YearToDate(2020, 5)),
        ("2020年1—5月", YearToDate(2020, 5)),
        ("2020年1–5月", YearToDate(2020, 5)),
        ("2020年1～5月", YearToDate(2020, 5)),
        ("2020年1~5月", YearToDate(2020, 5)),
        ("2020年1至5月", YearToDate(2020, 5)),
        ("2020年1月-5月", YearToDate(2020, 5)),
        ("２０２０年１－５月", YearToDate(2020, 5)),
        ("2020年前5个月", YearToDate(2020, 5)),
        ("2020年上半年", YearToDate(2020, 6)),
        ("2020年前三季度", YearToDate(2020, 9)),
        ("Jan–May 2020", YearToDate(2020, 5)),
        ("Jan-May 2020", YearToDate(2020, 5)),
        ("2020-YTD05", YearToDate(2020, 5)),
        ("2020-W23", IsoWeek(2020, 23)),
        ("2020W23", IsoWeek(2020, 23)),
        ("2020-w5", IsoWeek(2020, 5)),
        ("2020年第23周", IsoWeek(2020, 23)),
        ("Week 23, 2020", IsoWeek(2020, 23)),
        ("2020-Q2", Quarter(2020, 2)),
        ("2020Q2", Quarter(2020, 2)),
        ("2020q2", Quarter(2020, 2)),
        ("2020年第二季度", Quarter(2020, 2)),
        ("2020年二季度", Quarter(2020, 2)),
        ("2020年第2季度", Quarter(2020, 2)),
        ("Q2 2020", Quarter(2020, 2)),
        ("2020", Year(2020)),
        ("2020年", Year(2020)),
        ("2020年全年", Year(2020)),
        ("２０２０", Year(2020)),
    ],
)
def test_accepted_forms(text: str, expected: Period) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    ("text", "in_message"),
    [
        ("1-5月", "四位数年份"),
        ("5月", "四位数年份"),
        ("", "四位数年份"),
        ("2020-13", "月份13"),
        ("2020年13月", "月份13"),
        ("202000", "月份0"),
        ("2020-Q5", "第5季度"),
        ("2020年第五季度", "第5季度"),
        ("2020-W54", "第54周"),
        ("2021-W53", "共有52个ISO周"),
        ("2020年3-5月", "须从1月开始"),
        ("2020年5-3月", "须从1月开始"),
        ("Mar–May 2020", "须从1月开始"),
        ("1899", "1900"),
        ("2101年", "2100"),
        ("2020-05-01", "可接受的写法"),
        ("last year", "四位数年份"),
        ("2020年5日", "可接受的写法"),
    ],
)
def test_rejected_forms(text: str, in_message: str) -> None:
    with pytest.raises(InvalidPeriod) as caught:
        parse_period(text)
    error = caught.value
    assert isinstance(error, InvalidInput)
    assert in_message in error.message.zh
    assert error.message.en
    assert error.message.en != error.message.zh
    assert error.problems[0].code == "invalid_period"
    assert error.problems[0].value == text  # the text as written, not the parsed fields


def test_unparseable_message_lists_the_accepted_forms() -> None:
    with pytest.raises(InvalidPeriod) as caught:
        parse_period("2020-05-01")
    assert "2020年1-5月" in caught.value.message.zh
    assert "2020-W23" in caught.value.message.en


def test_invalid_constructions() -> None:
    with pytest.raises(InvalidPeriod):
        Month(2020, 0)
    with pytest.raises(InvalidPeriod):
        Quarter(2020, 0)
    with pytest.raises(InvalidPeriod):
        YearToDate(2020, 13)
    with pytest.raises(InvalidPeriod):
        IsoWeek(2021, 53)
    with pytest.raises(InvalidPeriod):
        Year(1899)
    with pytest.raises(InvalidPeriod):
        Year(1900).previous_year()


def test_round_trip_of_codes_over_two_centuries() -> None:
    periods = _all_periods(range(1900, 2101))
    assert len(periods) > 12_000
    codes = set()
    for p in periods:
        assert parse_period(p.code) == p, p
        assert str(p) == p.code
        codes.add(p.code)
    assert len(codes) == len(periods)  # no two periods share a code


def test_round_trip_of_labels() -> None:
    for p in _all_periods(range(2015, 2026)):
        for lang in ("zh", "en"):
            parsed = parse_period(p.label(lang))
            if isinstance(p, YearToDate) and p.month == 1:
                # "2020年1月" is both January and January-to-date; it reads as the month.
                assert parsed == Month(p.year, 1)
            else:
                assert parsed == p, (p, lang)


@pytest.mark.parametrize(
    ("period", "zh", "en"),
    [
        (Month(2020, 5), "2020年5月", "May 2020"),
        (YearToDate(2020, 5), "2020年1-5月", "Jan–May 2020"),
        (YearToDate(2020, 1), "2020年1月", "Jan 2020"),
        (Quarter(2020, 2), "2020年第二季度", "Q2 2020"),
        (Year(2020), "2020年", "2020"),
        (IsoWeek(2020, 23), "2020年第23周", "Week 23, 2020"),
    ],
)
def test_labels(period: Period, zh: str, en: str) -> None:
    assert period.label("zh") == zh
    assert period.label("en") == en


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        (Month(2020, 2), date(2020, 2, 1), date(2020, 2, 29)),
        (Month(2019, 2), date(2019, 2, 1), date(2019, 2, 28)),
        (Quarter(2020, 4), date(2020, 10, 1), date(2020, 12, 31)),
        (Year(2020), date(2020, 1, 1), date(2020, 12, 31)),
        (YearToDate(2020, 5), date(2020, 1, 1), date(2020, 5, 31)),
        (IsoWeek(2020, 1), date(2019, 12, 30), date(2020, 1, 5)),
        (IsoWeek(2020, 53), date(2020, 12, 28), date(2021, 1, 3)),
    ],
)
def test_start_and_end(period: Period, start: date, end: date) -> None:
    assert (period.start, period.end) == (start, end)


def test_months_tile_every_period() -> None:
    for p in _all_periods(range(2019, 2022)):
        months = p.months()
        assert months == sorted(months)
        if isinstance(p, IsoWeek):
            assert 1 <= len(months) <= 2
            assert months[0].start <= p.start
            assert p.end <= months[-1].end
        else:
            assert months[0].start == p.start
            assert months[-1].end == p.end
            for a, b in itertools.pairwise(months):
                assert b == a.shift(1)


def test_week_months_across_a_month_boundary() -> None:
    assert IsoWeek(2020, 5).months() == [Month(2020, 1), Month(2020, 2)]
    assert IsoWeek(2020, 23).months() == [Month(2020, 6)]


def test_previous_year() -> None:
    assert Month(2020, 5).previous_year() == Month(2019, 5)
    assert Quarter(2020, 2).previous_year() == Quarter(2019, 2)
    assert Year(2020).previous_year() == Year(2019)
    assert YearToDate(2020, 5).previous_year() == YearToDate(2019, 5)
    assert IsoWeek(2021, 23).previous_year() == IsoWeek(2020, 23)
    assert IsoWeek(2021, 1).previous_year() == IsoWeek(2020, 1)
    # 2020 has 53 ISO weeks, 2019 only 52.
    assert IsoWeek(2020, 53).previous_year() == IsoWeek(2019, 52)
    assert IsoWeek(2015, 53).previous_year() == IsoWeek(2014, 52)
    assert IsoWeek(2016, 52).previous_year() == IsoWeek(2015, 52)


def test_month_shift_and_from_date() -> None:
    assert Month(2020, 1).shift(-1) == Month(2019, 12)
    assert Month(2020, 12).shift(1) == Month(2021, 1)
    assert Month(2020, 5).shift(-17) == Month(2018, 12)
    assert Month(2020, 5).shift(0) == Month(2020, 5)
    day = date(1999, 12, 31)
    for _ in range(800):
        m = Month.from_date(day)
        assert m.start <= day <= m.end
        assert m.shift(13).shift(-13) == m
        day += timedelta(days=17)


def test_from_date_for_weeks_and_quarters() -> None:
    assert IsoWeek.from_date(date(2021, 1, 1)) == IsoWeek(2020, 53)
    assert Quarter.from_date(date(2020, 5, 31)) == Quarter(2020, 2)
    day = date(2018, 1, 1)
    for _ in range(400):
        w = IsoWeek.from_date(day)
        assert w.start <= day <= w.end
        day += timedelta(days=3)


def test_ordering_within_a_kind_and_hashing() -> None:
    assert Month(2019, 12) < Month(2020, 1) < Month(2020, 2)
    assert Quarter(2020, 4) < Quarter(2021, 1)
    assert sorted([YearToDate(2020, 5), YearToDate(2019, 12)])[0] == YearToDate(2019, 12)
    assert len({Month(2020, 5), Month(2020, 5), parse_period("2020年5月")}) == 1
    assert parse_period("2020-05") != parse_period("2020-YTD05")
    with pytest.raises(TypeError):
        _ = Month(2020, 5) < Quarter(2020, 2)  # type: ignore[operator]


def test_iso_weeks_in_year() -> None:
    assert iso_weeks_in_year(2020) == 53
    assert iso_weeks_in_year(2021) == 52
    assert iso_weeks_in_year(2015) == 53


def test_month_runs() -> None:
    from silkhub.core.periods import month_runs

    months = [Month(2020, 5), Month(2020, 1), Month(2020, 2), Month(2019, 12), Month(2020, 2)]
    assert month_runs(months) == [
        (Month(2019, 12), Month(2020, 2)),
        (Month(2020, 5), Month(2020, 5)),
    ]
    assert month_runs([]) == []
