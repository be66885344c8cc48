"""What the two registers share: reading their TOML data files field by field, collecting
every problem (located by file and dotted field, "projects[2].indicators[0].unit") before
anything is written, and values in units and periods as people write them."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from pathlib import Path
from typing import Any

from silkhub.core.errors import InvalidInput, Location, Message, Problem, Report
from silkhub.core.periods import IsoWeek, Month, Period, Quarter, Year, YearToDate, parse_period
from silkhub.core.units import Unit, try_parse_unit

__all__ = [
    "DATA_DIR",
    "PERIOD_KINDS",
    "FileReader",
    "LoadSummary",
    "data_file",
    "join",
    "period_kind",
    "to_base",
]

#: Kinds of period an indicator's targets and entries may be restricted to.
PERIOD_KINDS: tuple[str, ...] = ("year", "ytd", "quarter", "month")

DATA_DIR = "data"


def join(where: str, key: str) -> str:
    """A dotted field location: ``join("projects[0]", "code")`` is "projects[0].code"."""
    return f"{where}.{key}" if where else key


def data_file(name: str) -> Path:
    """A register data file shipped in ``silkhub/stats/data``."""
    return Path(str(files("silkhub.stats").joinpath(DATA_DIR, name)))


def period_kind(period: Period) -> str:
    """ "year", "ytd", "quarter", "month" or "week"."""
    if isinstance(period, Year):
        return "year"
    if isinstance(period, YearToDate):
        return "ytd"
    if isinstance(period, Quarter):
        return "quarter"
    if isinstance(period, Month):
        return "month"
    assert isinstance(period, IsoWeek)
    return "week"


def to_base(value: float | int | Decimal, unit: Unit) -> float:
    """``value`` in ``unit``, as a number of the dimension's base unit (exact decimal scaling,
    then a float: integers stay exact up to 2**53)."""
    return float(Decimal(str(value)) * unit.factor)


@dataclass
class LoadSummary:
    """What loading a data file did: rows created, updated, and left as they were."""

    file: str
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, table: str, outcome: str) -> None:
        tally = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        bucket = tally[outcome]
        bucket[table] = bucket.get(table, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
        }


class FileReader:
    """Reads one TOML data file, collecting a problem per wrong field instead of stopping."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.report = Report()

    def load(self) -> dict[str, Any]:
        try:
            with self.path.open("rb") as f:
                return tomllib.load(f)
        except FileNotFoundError:
            raise InvalidInput.single(
                "file_not_found",
                Message(f"找不到文件“{self.path}”。", f"No file {str(self.path)!r}."),
                location=Location(file=self.path.name),
                value=str(self.path),
            ) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput.single(
                "invalid_toml",
                Message(
                    f"文件“{self.path.name}”不是有效的 TOML（UTF-8）：{exc}",
                    f"{self.path.name} is not valid TOML (UTF-8): {exc}",
                ),
                location=Location(file=self.path.name),
            ) from None

    def problem(self, code: str, zh: str, en: str, where: str, value: Any = None) -> None:
        location = Location(file=self.path.name, field=where)
        self.report.add(Problem(code, Message(zh, en), location, value))

    def adopt(self, error: InvalidInput, where: str) -> None:
        """The problems of an ``InvalidInput`` raised while checking the field ``where``."""
        for p in error.problems or [Problem(error.code, error.message)]:
            inner = p.location.field
            place = where if inner is None or inner == where else f"{where}.{inner}"
            self.report.add(
                Problem(p.code, p.message, Location(file=self.path.name, field=place), p.value)
            )

    def raise_if_invalid(self) -> None:
        self.report.raise_if_invalid(
            Message(
                f"文件“{self.path.name}”有{len(self.report.errors)}处错误，未写入任何内容。",
                f"{self.path.name} has {len(self.report.errors)} error(s); nothing was written.",
            )
        )

    def tables(self, data: Mapping[str, Any], key: str, where: str) -> Iterator[tuple[str, Any]]:
        """The tables of an array of tables (``[[key]]``), each with its dotted location."""
        items = data.get(key, [])
        if not isinstance(items, list):
            self.problem(
                "not_a_list",
                f"“{key}”应为表数组（[[{key}]]）。",
                f"{key!r} must be an array of tables ([[{key}]]).",
                join(where, key),
            )
            return
        for i, item in enumerate(items):
            place = f"{join(where, key)}[{i}]"
            if isinstance(item, dict):
                yield place, item
            else:
                self.problem("not_a_table", "应为表。", "Must be a table.", place, str(item)[:100])

    def text(
        self,
        item: Mapping[str, Any],
        key: str,
        where: str,
        *,
        max_length: int,
        required: bool = True,
    ) -> str | None:
        value = item.get(key)
        place = join(where, key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem("missing", f"缺少“{key}”。", f"{key!r} is missing.", place)
            return None
        if not isinstance(value, str):
            self.problem("not_text", f"“{key}”应为文本。", f"{key!r} must be text.", place, value)
            return None
        text = value.strip()
        if len(text) > max_length:
            self.problem(
                "too_long",
                f"“{key}”超过{max_length}个字符。",
                f"{key!r} is longer than {max_length} characters.",
                place,
                text[:100],
            )
            return None
        return text

    def number(
        self,
        item: Mapping[str, Any],
        key: str,
        where: str,
        *,
        minimum: float | None = 0,
        maximum: float | None = None,
        required: bool = True,
    ) -> float | int | None:
        value = item.get(key)
        place = join(where, key)
        if value is None:
            if required:
                self.problem("missing", f"缺少“{key}”。", f"{key!r} is missing.", place)
            return None
        problem = check_number(value, key, minimum=minimum, maximum=maximum)
        if problem is not None:
            self.problem(problem[0], problem[1], problem[2], place, value)
            return None
        assert isinstance(value, int | float)
        return value

    def flag(self, item: Mapping[str, Any], key: str, where: str) -> bool:
        value = item.get(key, False)
        if not isinstance(value, bool):
            self.problem(
                "not_a_boolean",
                f"“{key}”应为 true 或 false。",
                f"{key!r} must be true or false.",
                join(where, key),
                value,
            )
            return False
        return value

    def period(self, item: Mapping[str, Any], key: str, where: str) -> Period | None:
        text = self.text(item, key, where, max_length=40)
        if text is None:
            return None
        try:
            return parse_period(text)
        except InvalidInput as exc:
            self.adopt(exc, join(where, key))
            return None

    def unit(self, item: Mapping[str, Any], key: str, where: str) -> Unit | None:
        text = self.text(item, key, where, max_length=40)
        if text is None:
            return None
        unit = try_parse_unit(text)
        if unit is None:
            self.problem(
                "unknown_unit",
                f"无法识别的单位“{text}”。",
                f"Unknown unit {text!r}.",
                join(where, key),
                text,
            )
        return unit


def check_number(
    value: object, name: str, *, minimum: float | None = 0, maximum: float | None = None
) -> tuple[str, str, str] | None:
    """A problem (code, zh, en) with ``value`` as a number in [minimum, maximum], or None."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return ("not_a_number", f"“{name}”应为数字。", f"{name!r} must be a number.")
    try:
        finite = math.isfinite(value)
    except (InvalidOperation, OverflowError):  # pragma: no cover - Decimal signalling NaN
        finite = False
    if not finite:
        return ("not_a_number", f"“{name}”应为有限的数字。", f"{name!r} must be a finite number.")
    if minimum is not None and value < minimum:
        if minimum == 0:
            return ("negative_value", f"“{name}”不能为负数。", f"{name!r} cannot be negative.")
        return (
            "out_of_range",
            f"“{name}”应不小于{minimum}。",
            f"{name!r} must be at least {minimum}.",
        )
    if maximum is not None and value > maximum:
        return (
            "out_of_range",
            f"“{name}”应不大于{maximum}。",
            f"{name!r} must be at most {maximum}.",
        )
    return None
