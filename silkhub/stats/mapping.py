"""Which column of a file feeds which field of a dataset, and in which unit.

Most files need nothing: ``default_mapping(dataset)`` knows every field by its name, its
Chinese and English labels and the ``headers`` aliases of ``silkhub.stats.datasets``. A source
whose headers are unusual, whose units are not written in the headers, or whose layout is wide,
gets a small TOML file (examples ship in ``silkhub/stats/sources/``)::

    dataset = "trade"                          # required: a name of silkhub.stats.datasets
    name = "Hangzhou Customs, trade by country" # optional: shown in reports
    assume_base_units = false   # optional: a measured header with no unit is in the base unit
                                # (元, US dollars, tonnes, TEU); otherwise that is an error
    default_headers = true      # optional: also know fields by their usual headers

    [columns]                   # field = header, or a list of the headers it goes by
    month = ["月份", "时间"]
    partner = ["国别（地区）", "国家（地区）"]
    value_cny = "金额（万元）"   # the unit in a header is used ("万元"); it is ignored for matching

    [constants]                 # fields the file does not carry, the same on every row
    flow = "export"             # any spelling the field accepts ("出口", "exports")

    [units]                     # explicit units win over the headers' (warning if they differ)
    value_usd = "千美元"

    [[wide]]                    # a wide layout: one group of value columns per ...
    set = { flow = "export" }   # ... value of these fields
    columns = { value_cny = "出口 金额（万元）", value_usd = "出口 金额（千美元）" }
    [[wide]]
    set = { flow = "import" }
    columns = { value_cny = "进口 金额（万元）" }

TOML puts every key after a ``[table]`` header into that table: write the top-level keys
first. In a wide layout each row of the file becomes one row per ``[[wide]]`` group, with the
group's ``set`` values; a group whose value cells are all empty on a row gives no row, and a
group none of whose columns is in the file is left out. Columns not named in any group
(``[columns]`` or the defaults) are shared by every group.

A field is known by the headers the mapping gives it and, unless ``default_headers = false``,
by its defaults (name, zh and en labels, ``Field.headers``): the mapping's own headers are tried
first, and a field's defaults count only when none of its own is in the file. Fields given as
constants or in ``[[wide]]`` groups are known by nothing else. A mapping header that matches
nothing is fine: one mapping serves the several editions of a source's table.

Headers are matched after normalisation: NFKC (full-width letters, digits and brackets become
ASCII), casefolded, ``【】［］`` read as brackets, runs of whitespace collapsed to one space and
dropped next to Chinese characters and brackets (a two-row header "出口 金额" matches
"出口金额"). A unit at the end of a header ("金额（万元）", "Value, USD thousand",
"出口额/亿元") is ignored for matching and taken as the column's unit. When a header matches
aliases of two fields (trade's "金额" is a label of both value_cny and value_usd), an exact
match wins, then the field whose kind fits the header's unit.

A mapping file is checked as it is read (``parse_mapping`` returns the problems,
``load_mapping`` raises ``InvalidInput`` carrying them), each problem naming the file and the
key: ``invalid_mapping`` (not TOML, or a value of the wrong shape), ``unknown_key``,
``unknown_dataset``, ``unknown_field``, ``invalid_unit`` (a unit nobody knows),
``unit_mismatch`` (a unit of another dimension: 吨 for value_cny, or a unit for a field that
is not measured) and ``invalid_constant`` (a constant its field cannot take: an unknown
country, "2020年1-5月" for a month, any constant for a measured field).
``Mapping.with_constants(month="2020-05")`` adds constants for one file at import.

``resolve_columns(raw, mapping)`` applies a mapping to a ``RawTable`` and returns a
``ColumnPlan`` (which column, constant and unit feeds each field) with a ``Report``; it lives
in ``silkhub.stats.validate_columns`` and is re-exported here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from silkhub.core.errors import InvalidInput, Location, Message, Problem, Report
from silkhub.core.units import Unit, try_parse_unit
from silkhub.stats.datasets import DATASETS, Dataset, Field
from silkhub.stats.validate_columns import (
    Block,
    ColumnPlan,
    Source,
    normalize_header,
    resolve_columns,
)
from silkhub.stats.validate_values import (
    KIND_DIMENSIONS,
    canonical,
    constant_problem,
    field_aliases,
    unit_misfit,
)

__all__ = [
    "KIND_DIMENSIONS",
    "SOURCES_DIR",
    "Block",
    "ColumnPlan",
    "Mapping",
    "Source",
    "WideGroup",
    "default_mapping",
    "load_mapping",
    "normalize_header",
    "parse_mapping",
    "resolve_columns",
    "shipped_mapping",
    "shipped_mappings",
]

#: The example mappings that ship with silkhub, one TOML file per source.
SOURCES_DIR = Path(__file__).resolve().parent / "sources"


# --- the mapping --------------------------------------------------------------------------


@dataclass(frozen=True)
class WideGroup:
    """One group of value columns of a wide layout, and the field values it stands for."""

    set: dict[str, str]  # field -> text, as a constant for the group's rows
    columns: dict[str, tuple[str, ...]]  # field -> headers


@dataclass(frozen=True)
class Mapping:
    """How the columns of one source's files feed a dataset's fields."""

    dataset: str
    name: str = ""
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    wide: tuple[WideGroup, ...] = ()
    assume_base_units: bool = False
    #: Also know each field by its name, zh/en labels and ``headers`` (after this mapping's own).
    default_headers: bool = True
    source: str | None = None  # the mapping file, for problems

    def definition(self) -> Dataset:
        return DATASETS[self.dataset]

    def header_hints(self) -> list[str]:
        """Every header this mapping knows a field by: readers look for them to find the
        header row of a file."""
        hints = [h for headers in self.columns.values() for h in headers]
        hints += [h for g in self.wide for headers in g.columns.values() for h in headers]
        if self.default_headers:
            fixed = self.fixed()
            hints += [
                h for f in self.definition().fields if f.name not in fixed for h in field_aliases(f)
            ]
        return list(dict.fromkeys(hints))

    def with_constants(self, **values: str) -> Mapping:
        """This mapping with more constants: what one file does not carry, given at import
        (the month of a table whose month is only in its title). ``InvalidInput`` when a value
        does not fit its field."""
        ds = self.definition()
        problems: list[Problem] = []
        for name, text in values.items():
            if name not in ds.field_names:
                message = Message(f"没有字段“{name}”。", f"No field {name!r}.")
                problems.append(Problem("unknown_field", message, Location(field=name), name))
                continue
            wrong = constant_problem(ds.field(name), text)
            if wrong is not None:
                problems.append(Problem("invalid_constant", wrong, Location(field=name), text))
        if problems:
            raise InvalidInput(problems[0].message, problems=problems, code=problems[0].code)
        columns = {k: v for k, v in self.columns.items() if k not in values}
        return replace(self, columns=columns, constants={**self.constants, **values})

    def fixed(self) -> set[str]:
        """Fields the default headers do not apply to: constants and [[wide]] fields. (A field
        under [columns] still goes by its defaults when none of its own headers is found.)"""
        in_groups = {n for g in self.wide for n in (*g.set, *g.columns)}
        return {*self.constants} | in_groups


def default_mapping(dataset: Dataset | str) -> Mapping:
    """The mapping of a file with ordinary headers: fields known by their usual names."""
    name = dataset if isinstance(dataset, str) else dataset.name
    if name not in DATASETS:
        raise InvalidInput.single("unknown_dataset", _unknown_dataset(name), value=name)
    return Mapping(dataset=name, name="default")


def _unknown_dataset(name: str) -> Message:
    valid = ", ".join(DATASETS)
    return Message(
        f"没有名为“{name}”的数据集。可用：{valid}。", f"No dataset {name!r}. Datasets: {valid}."
    )


_TOP_KEYS = frozenset(
    {"dataset", "name", "assume_base_units", "default_headers", "columns", "constants"}
    | {"units", "wide"}
)


class _MappingReader:
    """Reads the parsed TOML of a mapping file, collecting every problem it finds."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.report = Report()

    def problem(self, code: str, key: str, value: object, zh: str, en: str) -> None:
        where = Location(file=self.source, field=key)
        self.report.add(Problem(code, Message(zh, en), where, value))

    def bad_shape(self, key: str, value: object, zh: str, en: str) -> None:
        self.problem("invalid_mapping", key, value, zh, en)

    def read(self, data: dict[str, Any]) -> Mapping | None:
        known = sorted(_TOP_KEYS)
        for key in data:
            if key not in _TOP_KEYS:
                self.problem(
                    "unknown_key",
                    key,
                    key,
                    f"映射文件中有未知的键“{key}”。可用的键：{'、'.join(known)}。",
                    f"Unknown key {key!r} in the mapping file. Keys: {', '.join(known)}.",
                )
        name = data.get("dataset")
        if not isinstance(name, str) or name not in DATASETS:
            message = _unknown_dataset(str(name))
            if name is None:
                message = Message(
                    '映射文件必须用 dataset = "..." 指明数据集。',
                    'A mapping file must name its dataset: dataset = "...".',
                )
            self.problem("unknown_dataset", "dataset", name, message.zh, message.en)
            return None
        ds = DATASETS[name]
        columns = self.columns(ds, data.get("columns", {}), "columns")
        constants = self.constants(ds, data.get("constants", {}), "constants")
        units = self.units(ds, data.get("units", {}))
        wide = self.wide(ds, data.get("wide", []))
        flags = {k: self.flag(data, k) for k in ("assume_base_units", "default_headers")}
        self.check_overlaps(columns, constants, wide)
        label = data.get("name", "")
        if not isinstance(label, str):
            self.bad_shape("name", label, "name 应为文本。", "name must be a string.")
            label = ""
        if not self.report.valid:
            return None
        return Mapping(
            dataset=name,
            name=label,
            columns=columns,
            constants=constants,
            units=units,
            wide=wide,
            assume_base_units=flags["assume_base_units"] is True,
            default_headers=flags["default_headers"] is not False,
            source=self.source,
        )

    def flag(self, data: dict[str, Any], key: str) -> bool | None:
        value = data.get(key)
        if value is not None and not isinstance(value, bool):
            self.bad_shape(
                key, value, f"{key} 应为 true 或 false。", f"{key} must be true or false."
            )
            return None
        return value

    def table(self, value: object, key: str) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        self.bad_shape(key, value, f"“{key}”应为一个表。", f"{key!r} must be a table.")
        return {}

    def known_field(self, ds: Dataset, name: str, key: str) -> Field | None:
        try:
            return ds.field(name)
        except KeyError:
            fields = ", ".join(ds.field_names)
            self.problem(
                "unknown_field",
                key,
                name,
                f"数据集“{ds.name}”没有字段“{name}”。可用字段：{fields}。",
                f"Dataset {ds.name!r} has no field {name!r}. Fields: {fields}.",
            )
            return None

    def columns(self, ds: Dataset, value: object, key: str) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for name, headers in self.table(value, key).items():
            here = f"{key}.{name}"
            if self.known_field(ds, name, here) is None:
                continue
            if isinstance(headers, str):
                headers = [headers]
            if (
                not isinstance(headers, list)
                or not headers
                or not all(isinstance(h, str) and h.strip() for h in headers)
            ):
                self.bad_shape(
                    here,
                    headers,
                    "应为一个表头，或表头的列表。",
                    "Expected a header, or a list of headers.",
                )
                continue
            out[name] = tuple(headers)
        return out

    def constants(self, ds: Dataset, value: object, key: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, raw in self.table(value, key).items():
            here = f"{key}.{name}"
            f = self.known_field(ds, name, here)
            if f is None:
                continue
            if isinstance(raw, date):
                raw = raw.isoformat()
            if isinstance(raw, bool) or not isinstance(raw, str | int):
                self.bad_shape(here, raw, "常量应为文本。", "A constant must be a string.")
                continue
            text = str(raw)
            problem = constant_problem(f, text)
            if problem is not None:
                self.problem("invalid_constant", here, text, problem.zh, problem.en)
                continue
            out[name] = text
        return out

    def units(self, ds: Dataset, value: object) -> dict[str, Unit]:
        out: dict[str, Unit] = {}
        for name, text in self.table(value, "units").items():
            here = f"units.{name}"
            f = self.known_field(ds, name, here)
            if f is None:
                continue
            unit = try_parse_unit(text) if isinstance(text, str) else None
            if unit is None:
                self.problem(
                    "invalid_unit",
                    here,
                    text,
                    f"无法识别的计量单位“{text}”。",
                    f"Unknown unit {text!r}.",
                )
                continue
            misfit = unit_misfit(f, unit)
            if misfit is not None:
                self.problem("unit_mismatch", here, text, misfit.zh, misfit.en)
                continue
            out[name] = unit
        return out

    def wide(self, ds: Dataset, value: object) -> tuple[WideGroup, ...]:
        if not isinstance(value, list) or not all(isinstance(g, dict) for g in value):
            self.bad_shape(
                "wide", value, "wide 应写作 [[wide]] 表的数组。", "wide must be [[wide]] tables."
            )
            return ()
        groups: list[WideGroup] = []
        for i, group in enumerate(value, 1):
            here = f"wide[{i}]"
            for key in group:
                if key not in ("set", "columns"):
                    self.problem(
                        "unknown_key",
                        f"{here}.{key}",
                        key,
                        f"[[wide]] 中只能有 set 和 columns，不能有“{key}”。",
                        f"A [[wide]] group holds only set and columns, not {key!r}.",
                    )
            sets = self.constants(ds, group.get("set", {}), f"{here}.set")
            columns = self.columns(ds, group.get("columns", {}), f"{here}.columns")
            if not columns:
                self.bad_shape(
                    f"{here}.columns",
                    None,
                    "每个 [[wide]] 组都需要 columns。",
                    "Every [[wide]] group needs columns.",
                )
            groups.append(WideGroup(sets, columns))
        seen: dict[tuple[tuple[str, str], ...], int] = {}
        for i, group in enumerate(groups, 1):
            values = tuple(sorted((n, canonical(ds.field(n), v)) for n, v in group.set.items()))
            if values in seen:
                self.bad_shape(
                    f"wide[{i}].set",
                    dict(values),
                    f"第{i}组与第{seen[values]}组的 set 相同：同一组值的列应写在一个组里。",
                    f"Groups {seen[values]} and {i} set the same values: columns for one set of "
                    "values belong in one group.",
                )
            seen.setdefault(values, i)
        return tuple(groups)

    def check_overlaps(
        self,
        columns: dict[str, tuple[str, ...]],
        constants: dict[str, str],
        wide: tuple[WideGroup, ...],
    ) -> None:
        places: dict[str, list[str]] = {}
        for name in columns:
            places.setdefault(name, []).append("columns")
        for name in constants:
            places.setdefault(name, []).append("constants")
        in_groups = {n for g in wide for n in (*g.set, *g.columns)}
        for name in in_groups:
            places.setdefault(name, []).append("wide")
        for name, where in places.items():
            if len(where) > 1:
                self.bad_shape(
                    name,
                    name,
                    f"字段“{name}”同时出现在 {'、'.join(where)} 中：每个字段只能有一个来源。",
                    f"Field {name!r} is given in {', '.join(where)}: a field has one source.",
                )
        for i, group in enumerate(wide, 1):
            both = set(group.set) & set(group.columns)
            for name in sorted(both):
                self.bad_shape(
                    f"wide[{i}]",
                    name,
                    f"字段“{name}”同时在 set 和 columns 中。",
                    f"Field {name!r} is in both set and columns.",
                )


def parse_mapping(text: str, *, source: str) -> tuple[Mapping | None, Report]:
    """Read a mapping file's text; the mapping, or None with the problems found."""
    reader = _MappingReader(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        reader.problem(
            "invalid_mapping",
            "",
            str(error),
            f"映射文件不是有效的 TOML：{error}",
            f"The mapping file is not valid TOML: {error}",
        )
        return None, reader.report
    return reader.read(data), reader.report


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file; ``InvalidInput`` carrying every problem when it is wrong."""
    path = Path(path)
    mapping, report = parse_mapping(path.read_text(encoding="utf-8"), source=str(path))
    if mapping is None:
        raise InvalidInput(
            Message(
                f"映射文件 {path.name} 有{len(report.errors)}处错误。",
                f"The mapping file {path.name} has {len(report.errors)} error(s).",
            ),
            problems=report.problems,
            code="invalid_mapping",
        )
    return mapping


def shipped_mappings() -> dict[str, Path]:
    """The mapping files that ship with silkhub, by name (the file's stem)."""
    return {p.stem: p for p in sorted(SOURCES_DIR.glob("*.toml"))}


def shipped_mapping(name: str) -> Mapping:
    paths = shipped_mappings()
    if name not in paths:
        known = ", ".join(paths)
        raise InvalidInput.single(
            "unknown_mapping",
            Message(
                f"没有名为“{name}”的映射。可用：{known}。", f"No mapping {name!r}. Known: {known}."
            ),
            value=name,
        )
    return load_mapping(paths[name])
