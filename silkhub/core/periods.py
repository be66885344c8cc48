"""Reporting periods: month, quarter, year, year to date, ISO week, and "the same period last year".

Chinese statistical releases report cumulative figures ("2020年1-5月", year to date) beside
monthly ones, and compare each with the same period a year earlier. Each kind of period is its
own frozen dataclass, ordered within its kind (comparing a month with a quarter raises
``TypeError``: there is no meaningful order between them), and each has a canonical ``code``
that ``parse_period`` reads back: ``2020-05``, ``2020-Q2``, ``2020``, ``2020-YTD05``,
``2020-W23``.

Conventions:

* ``end`` is the last day *in* the period (inclusive), as releases state periods.
* A year to date always starts in January: "2020年3-5月" is not a year to date and is refused
  rather than silently read as one.
* ``IsoWeek.months()`` returns the one or two months the week's days fall in: a week is not a
  part of a month, so figures cannot be summed from weeks to months through it.
* ``IsoWeek.previous_year()`` is the same week number of the previous ISO year, or week 52
  when that year has no week 53.

Years are limited to 1900..2100: anything outside is far likelier a typing error in a file
than a period anyone reports on.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar, TypeAlias

from silkhub.core.errors import InvalidPeriod, Message

__all__ = [
    "IsoWeek",
    "Month",
    "Period",
    "Quarter",
    "Year",
    "YearToDate",
    "iso_weeks_in_year",
    "parse_period",
]

MIN_YEAR = 1900
MAX_YEAR = 2100

_CODE = "invalid_period"
_ZH_QUARTERS = "一二三四"
_EN_MONTHS = [calendar.month_name[m] for m in range(1, 13)]  # English whatever the locale
_EN_MONTHS_SHORT = [m[:3] for m in _EN_MONTHS]


def _invalid(zh: str, en: str, value: object) -> InvalidPeriod:
    error = InvalidPeriod.single(_CODE, Message(zh, en), value=value)
    assert isinstance(error, InvalidPeriod)
    return error


def _check_year(year: int, value: object) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _invalid(
            f"年份{year}超出支持范围（{MIN_YEAR}—{MAX_YEAR}年）。",
            f"Year {year} is outside the supported range {MIN_YEAR}..{MAX_YEAR}.",
            value,
        )


def _check_month(month: int, value: object) -> None:
    if not 1 <= month <= 12:
        raise _invalid(
            f"月份{month}不存在：月份应为1—12。",
            f"There is no month {month}: months run from 1 to 12.",
            value,
        )


def iso_weeks_in_year(year: int) -> int:
    """52 or 53: 28 December always falls in the last ISO week of its year."""
    return date(year, 12, 28).isocalendar().week


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, order=True, slots=True)
class Month:
    year: int
    month: int

    kind: ClassVar[str] = "month"

    def __post_init__(self) -> None:
        _check_year(self.year, self.code)
        _check_month(self.month, self.code)

    @classmethod
    def from_date(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return _last_day(self.year, self.month)

    @property
    def code(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def shift(self, months: int) -> Month:
        """The month ``months`` later (earlier when negative)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def months(self) -> list[Month]:
        return [self]

    def previous_year(self) -> Month:
        return Month(self.year - 1, self.month)

    def label(self, lang: str) -> str:
        if lang == "en":
            return f"{_EN_MONTHS[self.month - 1]} {self.year}"
        return f"{self.year}年{self.month}月"

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    year: int
    quarter: int

    kind: ClassVar[str] = "quarter"

    def __post_init__(self) -> None:
        _check_year(self.year, self.code)
        if not 1 <= self.quarter <= 4:
            raise _invalid(
                f"第{self.quarter}季度不存在：季度应为1—4。",
                f"There is no quarter {self.quarter}: quarters run from 1 to 4.",
                self.code,
            )

    @classmethod
    def from_date(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        return _last_day(self.year, 3 * self.quarter)

    @property
    def code(self) -> str:
        return f"{self.year:04d}-Q{self.quarter}"

    def months(self) -> list[Month]:
        first = 3 * self.quarter - 2
        return [Month(self.year, m) for m in range(first, first + 3)]

    def previous_year(self) -> Quarter:
        return Quarter(self.year - 1, self.quarter)

    def label(self, lang: str) -> str:
        if lang == "en":
            return f"Q{self.quarter} {self.year}"
        return f"{self.year}年第{_ZH_QUARTERS[self.quarter - 1]}季度"

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True, order=True, slots=True)
class Year:
    year: int

    kind: ClassVar[str] = "year"

    def __post_init__(self) -> None:
        _check_year(self.year, self.code)

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31)

    @property
    def code(self) -> str:
        return f"{self.year:04d}"

    def months(self) -> list[Month]:
        return [Month(self.year, m) for m in range(1, 13)]

    def previous_year(self) -> Year:
        return Year(self.year - 1)

    def label(self, lang: str) -> str:
        return str(self.year) if lang == "en" else f"{self.year}年"

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True, order=True, slots=True)
class YearToDate:
    """January to ``month`` of ``year`` (1-N月), the cumulative figure releases lead with."""

    year: int
    month: int

    kind: ClassVar[str] = "ytd"

    def __post_init__(self) -> None:
        _check_year(self.year, self.code)
        _check_month(self.month, self.code)

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return _last_day(self.year, self.month)

    @property
    def code(self) -> str:
        return f"{self.year:04d}-YTD{self.month:02d}"

    def months(self) -> list[Month]:
        return [Month(self.year, m) for m in range(1, self.month + 1)]

    def previous_year(self) -> YearToDate:
        return YearToDate(self.year - 1, self.month)

    def label(self, lang: str) -> str:
        if lang == "en":
            if self.month == 1:
                return f"Jan {self.year}"
            return f"Jan–{_EN_MONTHS_SHORT[self.month - 1]} {self.year}"
        if self.month == 1:  # releases write 1月, not 1-1月
            return f"{self.year}年1月"
        return f"{self.year}年1-{self.month}月"

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True, order=True, slots=True)
class IsoWeek:
    """ISO 8601 week: Monday to Sunday, week 1 holds the year's first Thursday."""

    year: int
    week: int

    kind: ClassVar[str] = "week"

    def __post_init__(self) -> None:
        _check_year(self.year, self.code)
        weeks = iso_weeks_in_year(self.year)
        if not 1 <= self.week <= weeks:
            raise _invalid(
                f"{self.year}年没有第{self.week}周：该年共有{weeks}个ISO周。",
                f"ISO year {self.year} has no week {self.week}: it has {weeks} weeks.",
                self.code,
            )

    @classmethod
    def from_date(cls, day: date) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def start(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def code(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    def months(self) -> list[Month]:
        """The one or two months the week's days fall in (see the module docstring)."""
        first, last = Month.from_date(self.start), Month.from_date(self.end)
        return [first] if first == last else [first, last]

    def previous_year(self) -> IsoWeek:
        return IsoWeek(self.year - 1, min(self.week, iso_weeks_in_year(self.year - 1)))

    def label(self, lang: str) -> str:
        if lang == "en":
            return f"Week {self.week}, {self.year}"
        return f"{self.year}年第{self.week}周"

    def __str__(self) -> str:
        return self.code


Period: TypeAlias = Month | Quarter | Year | YearToDate | IsoWeek


# Parsing works on text that is NFKC-normalised (full-width digits and letters become
# ASCII), casefolded and stripped of all whitespace, so one pattern covers "2020 年 5 月"
# and "２０２０年５月".
_RANGE = "[-—–~〜至到]"
_ZH_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_NUM |= {"十": 10, "十一": 11, "十二": 12}
_MONTH_WORDS = {m.casefold(): i for i, m in enumerate(_EN_MONTHS, 1)}
_MONTH_WORDS |= {m.casefold(): i for i, m in enumerate(_EN_MONTHS_SHORT, 1)}
_MONTH_WORDS["sept"] = 9
_EN_MONTH = "(" + "|".join(sorted(_MONTH_WORDS, key=len, reverse=True)) + r")\.?"
_NUMBER = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), kind)
    for p, kind in [
        (r"(\d{4})年?(?:全年)?", "year"),
        (r"(\d{4})[-/.](\d{1,2})", "month"),
        (r"(\d{4})(\d{2})", "month"),
        (rf"(\d{{4}})年{_NUMBER}月份?", "month_zh"),
        (rf"{_EN_MONTH},?(\d{{4}})", "month_en"),
        (rf"(\d{{4}})年(\d{{1,2}})月?{_RANGE}(\d{{1,2}})月份?", "range"),
        (rf"{_EN_MONTH}{_RANGE}{_EN_MONTH},?(\d{{4}})", "range_en"),
        (r"(\d{4})-?ytd(\d{1,2})", "ytd"),
        (rf"(\d{{4}})年前{_NUMBER}个?月", "ytd_zh"),
        (r"(\d{4})年上半年", "h1"),
        (r"(\d{4})年前三季度", "q1_3"),
        (r"(\d{4})[-年]?q(\d)", "quarter"),
        (rf"(\d{{4}})年第?{_NUMBER}季度?", "quarter_zh"),
        (r"q(\d),?(\d{4})", "quarter_en"),
        (r"(\d{4})[-年]?w(?:eek)?(\d{1,2})", "week"),
        (r"(\d{4})年第(\d{1,2})周", "week"),
        (r"week(\d{1,2}),?(\d{4})", "week_en"),
    ]
]

_ACCEPTED = Message(
    "可接受的写法：2020、2020年；2020-05、2020/05、202005、2020年5月、May 2020；"
    "2020-Q2、2020Q2、2020年第二季度、2020年二季度、Q2 2020；2020年1-5月、2020年1至5月、"
    "2020-YTD05、Jan–May 2020、2020年上半年、2020年前三季度；2020-W23、2020W23、2020年第23周。",
    "Accepted forms: 2020, 2020年; 2020-05, 2020/05, 202005, 2020年5月, May 2020; "
    "2020-Q2, 2020Q2, 2020年第二季度, 2020年二季度, Q2 2020; 2020年1-5月, 2020年1至5月, "
    "2020-YTD05, Jan–May 2020, 2020年上半年, 2020年前三季度; 2020-W23, 2020W23, 2020年第23周.",
)


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _ZH_NUM[token]


def _build(kind: str, groups: tuple[str, ...], text: str) -> Period:
    g = groups
    if kind == "year":
        return Year(int(g[0]))
    if kind == "month":
        return Month(int(g[0]), int(g[1]))
    if kind == "month_zh":
        return Month(int(g[0]), _number(g[1]))
    if kind == "month_en":
        return Month(int(g[1]), _MONTH_WORDS[g[0]])
    if kind in ("range", "range_en"):
        if kind == "range":
            year, first, last = int(g[0]), int(g[1]), int(g[2])
        else:
            year, first, last = int(g[2]), _MONTH_WORDS[g[0]], _MONTH_WORDS[g[1]]
        _check_month(first, text)
        _check_month(last, text)
        if first != 1 or last < first:
            raise _invalid(
                f"“{text}”不是年初至今的累计期：累计期须从1月开始（如“2020年1-5月”），"
                "其他月份区间不受支持，请按月或按季度填写。",
                f"{text!r} is not a year to date: a cumulative period starts in January "
                "(e.g. 2020年1-5月, Jan–May 2020); other month ranges are not supported, "
                "give months or quarters instead.",
                text,
            )
        return YearToDate(year, last)
    if kind in ("ytd", "ytd_zh"):
        return YearToDate(int(g[0]), _number(g[1]))
    if kind == "h1":
        return YearToDate(int(g[0]), 6)
    if kind == "q1_3":
        return YearToDate(int(g[0]), 9)
    if kind in ("quarter", "quarter_zh"):
        return Quarter(int(g[0]), _number(g[1]))
    if kind == "quarter_en":
        return Quarter(int(g[1]), int(g[0]))
    if kind == "week":
        return IsoWeek(int(g[0]), int(g[1]))
    assert kind == "week_en"
    return IsoWeek(int(g[1]), int(g[0]))


def parse_period(text: str) -> Period:
    """Read a period as people write it in Chinese or English, or as its canonical code."""
    compact = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(compact)
        if match is not None:
            try:
                return _build(kind, match.groups(), text)
            except InvalidPeriod as error:  # say which text was wrong, not which fields
                raise _invalid(error.message.zh, error.message.en, text) from None
    if not re.search(r"\d{4}", compact):
        raise _invalid(
            f"无法识别期间“{text}”：缺少四位数年份。{_ACCEPTED.zh}",
            f"Cannot read period {text!r}: it has no four-digit year. {_ACCEPTED.en}",
            text,
        )
    raise _invalid(
        f"无法识别期间“{text}”。{_ACCEPTED.zh}",
        f"Cannot read period {text!r}. {_ACCEPTED.en}",
        text,
    )


def month_runs(months: Iterable[Month]) -> list[tuple[Month, Month]]:
    """``months`` as runs of consecutive months, (first, last), in order: Jan, Feb, Mar, May
    becomes (Jan, Mar), (May, May)."""
    runs: list[tuple[Month, Month]] = []
    for m in sorted(set(months)):
        if runs and runs[-1][1].shift(1) == m:
            runs[-1] = (runs[-1][0], m)
        else:
            runs.append((m, m))
    return runs
