"""What a measure is asked for: ``MeasureQuery``, checked field by field when it is made.

Kept apart from the expressions (``silkhub.stats.measures_expr``) and the public API
(``silkhub.stats.measures``) because every measure starts from one of these, and the checks
and their bilingual messages are most of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeAlias

from silkhub.core import countries, groups
from silkhub.core.errors import InvalidInput, Location, Message, NotFound, UnknownCountry
from silkhub.core.periods import IsoWeek, Month, Period, Quarter, Year, YearToDate
from silkhub.stats.datasets import DATASETS, Dataset, Field, Kind
from silkhub.stats.vintages import check_as_of

__all__ = [
    "DIMENSION_KINDS",
    "SUMMABLE_KINDS",
    "FilterValue",
    "MeasureQuery",
    "country_field",
    "invalid",
]

#: One value a filter accepts: text for text, choice, country and HS code fields; a date for
#: date fields.
FilterValue: TypeAlias = str | date

#: Kinds a measure sums: each has one base unit, so a sum of them means something (a plain
#: ``number`` such as trade's ``quantity`` does not: its unit varies by row).
SUMMABLE_KINDS = frozenset({Kind.MONEY_CNY, Kind.MONEY_USD, Kind.TONNES, Kind.TEU, Kind.COUNT})

#: Kinds a query may filter on or break down by (the period field excepted: that is what
#: ``period`` and ``monthly_series`` are for).
DIMENSION_KINDS = frozenset({Kind.DATE, Kind.COUNTRY, Kind.HS_CODE, Kind.TEXT, Kind.CHOICE})

_PERIOD_KINDS = (Month, Quarter, Year, YearToDate)


def invalid(code: str, zh: str, en: str, where: str, value: Any = None) -> InvalidInput:
    """An ``InvalidInput`` about one field of a query (``where``: "group", "filters.flow"...)."""
    return InvalidInput.single(code, Message(zh, en), location=Location(field=where), value=value)


def country_field(dataset: Dataset) -> str | None:
    """The field naming the partner country (trade.partner, odi.destination, fdi.source,
    rail.destination); None for datasets that have none."""
    found = [f.name for f in dataset.fields if f.kind is Kind.COUNTRY]
    assert len(found) <= 1, f"{dataset.name} has several country fields"
    return found[0] if found else None


def _dataset(name: object) -> Dataset:
    if isinstance(name, str) and name in DATASETS:
        return DATASETS[name]
    valid = ", ".join(DATASETS)
    raise invalid(
        "unknown_dataset",
        f"没有名为“{name}”的数据集。可用：{valid}。",
        f"No dataset {name!r}. Datasets: {valid}.",
        "dataset",
        name,
    )


def _field(dataset: Dataset, name: object, where: str) -> Field:
    if isinstance(name, str) and name != "vintage" and name in dataset.field_names:
        return dataset.field(name)
    valid = ", ".join(dataset.field_names)
    raise invalid(
        "unknown_field",
        f"数据集“{dataset.zh}”（{dataset.name}）没有字段“{name}”。可用字段：{valid}。",
        f"Dataset {dataset.name!r} has no field {name!r}. Fields: {valid}.",
        where,
        name,
    )


def _dimension(dataset: Dataset, name: object, where: str, use: tuple[str, str]) -> Field:
    """A field ``where`` may name (a filter or ``by``): a dimension, not the period field."""
    f = _field(dataset, name, where)
    if f.name == dataset.period_field:
        raise invalid(
            "period_field_not_allowed",
            f"不能{use[0]}期间字段“{f.name}”：期间由 period 指定，逐月数据请用月度序列。",
            f"{use[1].capitalize()} the period field {f.name!r} is not allowed: the period "
            "is given by `period`; use the monthly series for month by month figures.",
            where,
            f.name,
        )
    if f.kind not in DIMENSION_KINDS:
        raise invalid(
            "not_a_dimension",
            f"不能{use[0]}数值字段“{f.name}”（{f.zh}）：只能{use[0]}分类字段。",
            f"{use[1].capitalize()} the measured field {f.name!r} ({f.en}) is not allowed; "
            "only descriptive fields (country, flow, HS code, text) can be used.",
            where,
            f.name,
        )
    return f


def _filter_value(f: Field, value: object, where: str) -> FilterValue:
    """One filter value, normalised to what is stored (choice value, alpha-2 code)."""
    if f.kind is Kind.DATE:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        raise invalid(
            "invalid_filter_value",
            f"字段“{f.name}”的筛选值应为日期，而不是“{value}”。",
            f"The filter on {f.name!r} takes dates, not {value!r}.",
            where,
            str(value),
        )
    if not isinstance(value, str) or not value.strip():
        raise invalid(
            "invalid_filter_value",
            f"字段“{f.name}”的筛选值应为非空文本，而不是“{value}”。",
            f"The filter on {f.name!r} takes non-empty text, not {value!r}.",
            where,
            str(value),
        )
    text = value.strip()
    if f.kind is Kind.CHOICE:
        wanted = text.casefold()
        for choice in f.choices:
            spellings = (choice.value, choice.zh, choice.en, *choice.aliases)
            if wanted in {s.casefold() for s in spellings}:
                return choice.value
        valid_zh = "、".join(f"{c.value}（{c.zh}）" for c in f.choices)
        valid_en = ", ".join(c.value for c in f.choices)
        raise invalid(
            "invalid_filter_value",
            f"字段“{f.name}”没有取值“{value}”。可用：{valid_zh}。",
            f"Field {f.name!r} has no value {value!r}. Values: {valid_en}.",
            where,
            value,
        )
    if f.kind is Kind.COUNTRY:
        country = countries.try_resolve(text)
        if country is None:
            raise UnknownCountry(text, countries.suggest(text), location=Location(field=where))
        return country.alpha2
    return text


@dataclass(frozen=True)
class MeasureQuery:
    """What to measure: one summable field of one dataset, over a period, for a part of it.

    - ``dataset``: a name of ``silkhub.stats.datasets.DATASETS`` ("trade").
    - ``value``: the field summed, one with a base unit ("value_cny"; not "quantity").
    - ``period``: a ``Month``, ``Quarter``, ``Year`` or ``YearToDate`` (1-5月); comparisons
      use ``period.previous_year()``. An ``IsoWeek`` is refused: the datasets are monthly.
    - ``filters``: ``{field: value or tuple of values}`` on descriptive fields, e.g.
      ``{"flow": "export"}`` or ``{"partner": ("VN", "TH")}``. Choice fields accept every
      spelling the dataset knows ("出口"), country fields any name silkhub resolves ("越南");
      values are stored normalised (``"export"``, ``"VN"``), always as tuples.
    - ``group``: a country group code (``silkhub.core.groups``); counts the countries that
      were members in each month of the data. Only for datasets with a country field.
    - ``by``: a descriptive field to break the figure down by ("partner", "hs_code", "flow").
    - ``as_of``: an aware datetime: use the vintages published by then; None: the latest.

    Every check runs when the query is made; a wrong query raises ``InvalidInput`` (its
    problem's location names the field: "value", "filters.flow", "group"...).
    """

    dataset: str
    value: str
    period: Period
    filters: Mapping[str, FilterValue | tuple[FilterValue, ...]] = field(
        default_factory=dict, hash=False
    )
    group: str | None = None
    by: str | None = None
    as_of: datetime | None = None

    def __post_init__(self) -> None:
        ds = _dataset(self.dataset)
        value = _field(ds, self.value, "value")
        if value.kind not in SUMMABLE_KINDS:
            summable = ", ".join(f.name for f in ds.fields if f.kind in SUMMABLE_KINDS)
            raise invalid(
                "not_a_measure",
                f"字段“{value.name}”（{value.zh}）不能求和。数据集“{ds.zh}”可统计的字段："
                f"{summable}。",
                f"Field {value.name!r} ({value.en}) cannot be summed. Measured fields of "
                f"{ds.name!r}: {summable}.",
                "value",
                value.name,
            )
        self._check_period()
        filters: dict[str, tuple[FilterValue, ...]] = {}
        for name, given in dict(self.filters).items():
            where = f"filters.{name}"
            f = _dimension(ds, name, where, ("按……筛选", "filtering on"))
            values = given if isinstance(given, tuple) else (given,)
            if not values:
                raise invalid(
                    "empty_filter",
                    f"字段“{name}”的筛选值为空。",
                    f"The filter on {name!r} has no values.",
                    where,
                )
            normalised = tuple(dict.fromkeys(_filter_value(f, v, where) for v in values))
            filters[name] = normalised
        object.__setattr__(self, "filters", filters)
        if self.group is not None:
            self._check_group(ds)
        if self.by is not None:
            _dimension(ds, self.by, "by", ("按……分组", "breaking down by"))
        object.__setattr__(self, "as_of", check_as_of(self.as_of))

    def _check_period(self) -> None:
        if isinstance(self.period, IsoWeek):
            raise invalid(
                "weekly_period_not_supported",
                f"数据集按月统计，不能按周（{self.period.code}）汇总：请用月份、季度、年份或"
                "年初至今（如2020年1-5月）。",
                f"The datasets are monthly and cannot be summed by week ({self.period.code}): "
                "use a month, quarter, year or year to date (e.g. Jan–May 2020).",
                "period",
                self.period.code,
            )
        if not isinstance(self.period, _PERIOD_KINDS):
            raise invalid(
                "invalid_period",
                f"期间“{self.period}”无效：应为月份、季度、年份或年初至今。",
                f"Invalid period {self.period!r}: give a month, quarter, year or year to date.",
                "period",
                str(self.period),
            )

    def _check_group(self, ds: Dataset) -> None:
        if country_field(ds) is None:
            with_countries = ", ".join(n for n, d in DATASETS.items() if country_field(d))
            raise invalid(
                "group_without_country",
                f"数据集“{ds.zh}”（{ds.name}）没有国家字段，不能按国家分组“{self.group}”统计。"
                f"有国家字段的数据集：{with_countries}。",
                f"Dataset {ds.name!r} has no country field, so it cannot be measured for "
                f"country group {self.group!r}. Datasets with countries: {with_countries}.",
                "group",
                self.group,
            )
        try:
            groups.group(str(self.group))
        except NotFound as exc:
            raise invalid(
                "unknown_group", exc.message.zh, exc.message.en, "group", self.group
            ) from None

    @property
    def ds(self) -> Dataset:
        """The dataset's definition."""
        return DATASETS[self.dataset]

    @property
    def country_field(self) -> str | None:
        return country_field(self.ds)

    @property
    def filter_values(self) -> dict[str, tuple[FilterValue, ...]]:
        """``filters`` with every value a tuple (as ``__post_init__`` leaves them)."""
        return {k: v if isinstance(v, tuple) else (v,) for k, v in self.filters.items()}

    @property
    def months(self) -> list[Month]:
        """The months of ``period``."""
        return self.period.months()

    @property
    def previous_months(self) -> list[Month]:
        """The months of the same period a year earlier."""
        return self.period.previous_year().months()
