"""Headers to fields: which column of a ``RawTable`` feeds which field, in which unit.

``resolve_columns(raw, mapping)`` (re-exported by ``silkhub.stats.mapping``, whose docstring
describes the mapping files and the matching rules) returns a ``ColumnPlan`` and a ``Report``.

Problems (severity): ``missing_column`` (error: a required field, or every field of the
dataset's ``one_of``, has no column; lists the headers accepted and the headers the file has),
``ambiguous_column`` (error: two columns for one field), ``ambiguous_header`` (error: one header
fits two fields equally), ``unit_not_declared`` (error: a measured column whose unit nobody
states), ``unit_mismatch`` (error: the header's unit does not fit the field, 吨 for value_cny),
``unmapped_column`` (warning: a column that feeds nothing is ignored), ``unit_overridden``
(warning: the mapping's [units] contradicts the header's unit; the mapping wins).

Units are never guessed: a measured column takes the mapping's [units], else the unit in its
header ("金额（万元）"), else a header that is itself a unit ("标箱"); counts (trains, routes)
are counts; otherwise the base unit only when the mapping says ``assume_base_units = true``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import pyarrow.compute as pc

from silkhub.core.errors import Location, Message, Problem, Report, Severity
from silkhub.core.units import Unit, try_parse_unit, unit_from_header
from silkhub.stats.datasets import Dataset, Field, Kind
from silkhub.stats.raw import RawTable
from silkhub.stats.validate_values import KIND_DIMENSIONS, field_aliases, unit_misfit

if TYPE_CHECKING:
    from silkhub.stats.mapping import Mapping

__all__ = ["Block", "ColumnPlan", "Source", "normalize_header", "resolve_columns"]

#: pyarrow ships no type stubs; its arrays are typed as Any under this name.
ArrowArray: TypeAlias = Any


# --- header matching ----------------------------------------------------------------------

_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")"})
_SPACES = re.compile(r"\s+")
_LOOSE_SPACE = re.compile(r" ?([^\x00-\x7f()]) ?")
_BRACKET_SPACE = re.compile(r" ?([()]) ?")


def normalize_header(text: str) -> str:
    """The key headers are matched by (see the module docstring)."""
    s = unicodedata.normalize("NFKC", text).casefold().translate(_BRACKETS)
    s = _SPACES.sub(" ", s).strip()
    s = _LOOSE_SPACE.sub(r"\1", s)
    return _BRACKET_SPACE.sub(r"\1", s)


@dataclass(frozen=True, slots=True)
class _Key:
    full: str
    label: str
    unit: Unit | None

    @classmethod
    def of(cls, header: str) -> _Key:
        label, unit = unit_from_header(header)
        return cls(normalize_header(header), normalize_header(label), unit)


#: Where a field's text comes from: the shared columns (group None) or a [[wide]] group.
_Target: TypeAlias = tuple[int | None, str]


@dataclass(frozen=True, slots=True)
class _Alias:
    target: _Target
    key: _Key


def _matches(header: _Key, aliases: list[_Alias], ds: Dataset) -> list[_Alias]:
    """The aliases a header matches: an exact match if any; else those whose label matches,
    narrowed to the fields the header's unit fits, or (a header without a unit) to aliases
    without one. An alias that names a unit ("金额（美元）") never matches a header naming a unit
    of another dimension ("金额（万元）")."""
    found = [a for a in aliases if a.key.full == header.full or a.key.label == header.label]
    found = [a for a in found if a.key.label]
    exact = [a for a in found if a.key.full == header.full]
    if exact:
        return exact
    unit = header.unit
    if unit is None:
        bare = [a for a in found if a.key.unit is None]
        return bare or found
    found = [a for a in found if a.key.unit is None or a.key.unit.dimension is unit.dimension]
    fit = [a for a in found if unit_misfit(ds.field(a.target[1]), unit) is None]
    return fit or found


# --- the plan -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where one field's text comes from for one group of rows."""

    field: str
    column: str | None = None  # the raw column ("c3"); None for a constant
    header: str | None = None  # the column's header as the file writes it
    constant: str | None = None
    unit: Unit | None = None  # measured fields: the unit the cells are in
    shared: bool = True  # the same for every group of a wide layout

    @property
    def where(self) -> str:
        """For messages: the header, or the constant's key in the mapping."""
        return self.header if self.header is not None else f"constants.{self.field}"


@dataclass(frozen=True)
class Block:
    """The sources of one output row per raw row (a wide layout has one block per group)."""

    sources: dict[str, Source]
    set: dict[str, str] = field(default_factory=dict)  # a wide group's values, for messages

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.set.items())


@dataclass(frozen=True)
class ColumnPlan:
    """Which raw column (or constant) feeds each field of the dataset, in which unit."""

    dataset: str
    blocks: tuple[Block, ...]
    wide: bool = False
    ignored: tuple[str, ...] = ()  # headers that feed nothing
    #: The problems found while resolving (``resolve_columns``'s report); ``validate`` puts
    #: them at the head of its own report, and writes nothing when any is an error.
    problems: tuple[Problem, ...] = ()

    @property
    def valid(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)

    def source(self, name: str, block: int = 0) -> Source | None:
        return self.blocks[block].sources.get(name) if self.blocks else None


class _Resolver:
    def __init__(self, raw: RawTable, mapping: Mapping) -> None:
        self.raw = raw
        self.mapping = mapping
        self.ds = mapping.definition()
        self.report = Report()
        self.keys = [_Key.of(h) for h in raw.headers]
        self.failed: set[str] = set()  # fields whose columns matched but cannot be used

    def where(self, header: str | None = None) -> Location:
        return Location(file=self.raw.source, sheet=self.raw.sheet, column=header)

    def aliases(self) -> tuple[list[_Alias], list[_Alias]]:
        """The mapping's own aliases, then the defaults of fields it gives no source."""
        m = self.mapping
        explicit = [
            _Alias((None, name), _Key.of(h)) for name, headers in m.columns.items() for h in headers
        ]
        for i, group in enumerate(m.wide):
            explicit += [
                _Alias((i, name), _Key.of(h))
                for name, headers in group.columns.items()
                for h in headers
            ]
        fixed = m.fixed()
        defaults = [
            _Alias((None, f.name), _Key.of(h))
            for f in self.ds.fields
            if m.default_headers and f.name not in fixed
            for h in field_aliases(f)
        ]
        return explicit, defaults

    def assign(self) -> dict[_Target, list[int]]:
        explicit, defaults = self.aliases()
        assigned: dict[_Target, list[int]] = {}
        unassigned: list[int] = []
        for tier in (explicit, defaults):
            claimed = set(assigned)
            pending = unassigned if tier is defaults else range(len(self.keys))
            unassigned = []
            for i in pending:
                found = [
                    a for a in _matches(self.keys[i], tier, self.ds) if a.target not in claimed
                ]
                targets = sorted({a.target for a in found}, key=_target_order)
                if len(targets) > 1:
                    self.ambiguous_header(i, targets)
                elif targets:
                    assigned.setdefault(targets[0], []).append(i)
                else:
                    unassigned.append(i)
        for i in unassigned:
            self.unmapped(i)
        return assigned

    def ambiguous_header(self, i: int, targets: list[_Target]) -> None:
        header = self.raw.headers[i]
        names = ", ".join(name for _, name in targets)
        self.report.add(
            Problem(
                "ambiguous_header",
                Message(
                    f"表头“{header}”可能是以下任一字段：{names}。请在映射文件中指明。",
                    f"Header {header!r} could be any of the fields {names}; say which in a "
                    "mapping file.",
                ),
                self.where(header),
                header,
            )
        )

    def unmapped(self, i: int) -> None:
        header = self.raw.headers[i]
        if not header.strip() and _blank(self.raw.cells.column(RawTable.column_name(i))):
            return  # an empty spacer column
        self.report.add(
            Problem(
                "unmapped_column",
                Message(
                    f"“{header}”列不对应数据集“{self.ds.zh}”的任何字段，已忽略。",
                    f"Column {header!r} matches no field of {self.ds.en}; it is ignored.",
                ),
                self.where(header),
                header,
                Severity.WARNING,
            )
        )

    def source(self, target: _Target, columns: list[int]) -> Source | None:
        group, name = target
        headers = [self.raw.headers[i] for i in columns]
        if len(columns) > 1:
            listed = "、".join(f"“{h}”" for h in headers)
            self.report.add(
                Problem(
                    "ambiguous_column",
                    Message(
                        f"{listed}这{len(columns)}列都对应字段“{name}”，无法确定用哪一列。",
                        f"Columns {', '.join(map(repr, headers))} all map to field {name!r}; "
                        "only one may.",
                    ),
                    self.where(headers[1]),
                    headers[1],
                )
            )
            self.failed.add(name)
            return None
        i = columns[0]
        unit = self.unit(self.ds.field(name), headers[0], self.keys[i])
        return Source(name, RawTable.column_name(i), headers[0], unit=unit, shared=group is None)

    def unit(self, f: Field, header: str, key: _Key) -> Unit | None:
        if f.kind not in KIND_DIMENSIONS:
            return None
        declared = self.mapping.units.get(f.name)
        stated = key.unit or try_parse_unit(header)  # a header may be the unit itself: "标箱"
        if declared is not None:
            if stated is not None and stated != declared:
                self.report.add(
                    Problem(
                        "unit_overridden",
                        Message(
                            f"表头“{header}”写的单位是{stated.symbol_zh}，"
                            f"映射文件规定为{declared.symbol_zh}：按{declared.symbol_zh}读取。",
                            f"Header {header!r} says {stated.symbol_en}, the mapping file says "
                            f"{declared.symbol_en}: read as {declared.symbol_en}.",
                        ),
                        self.where(header),
                        header,
                        Severity.WARNING,
                    )
                )
            return declared
        if stated is not None:
            misfit = unit_misfit(f, stated)
            if misfit is None:
                return stated
            self.report.add(Problem("unit_mismatch", misfit, self.where(header), header))
            return None
        if f.kind is Kind.COUNT or self.mapping.assume_base_units:
            return try_parse_unit(f.base_unit or "")
        self.report.add(
            Problem(
                "unit_not_declared",
                Message(
                    f"“{header}”列（字段 {f.name}）未写明计量单位，无法换算为{f.base_unit}。"
                    "请在表头写明（如“金额（万元）”），或在映射文件的 [units] 中规定。",
                    f"Column {header!r} (field {f.name}) states no unit, so it cannot be "
                    f'converted to {f.base_unit}. Put the unit in the header ("Value (USD '
                    'thousand)") or declare it under [units] in a mapping file.',
                ),
                self.where(header),
                header,
            )
        )
        return None

    def expected(self, name: str) -> list[str]:
        m = self.mapping
        out = list(m.columns.get(name, ()))
        for group in m.wide:
            out += group.columns.get(name, ())
        if m.default_headers and name not in m.fixed():
            out += field_aliases(self.ds.field(name))
        return list(dict.fromkeys(out))

    def missing(self, names: list[str], *, one_of: bool) -> None:
        has = "、".join(f"“{h}”" for h in self.raw.headers) or "（无）"
        has_en = ", ".join(map(repr, self.raw.headers)) or "(none)"
        expected = {n: self.expected(n) for n in names}
        zh = "；".join(f"{n}：{'、'.join(f'“{h}”' for h in hs)}" for n, hs in expected.items())
        en = "; ".join(f"{n}: {', '.join(map(repr, hs))}" for n, hs in expected.items())
        if one_of:
            head_zh, head_en = "至少需要以下一列", "At least one of these columns is needed"
        else:
            head_zh, head_en = f"缺少字段“{names[0]}”所需的列", f"No column for field {names[0]!r}"
        self.report.add(
            Problem(
                "missing_column",
                Message(
                    f"{head_zh}。可接受的表头——{zh}。文件中的表头：{has}。",
                    f"{head_en}. Accepted headers: {en}. The file has: {has_en}.",
                ),
                Location(file=self.raw.source, sheet=self.raw.sheet, field=",".join(names)),
                ",".join(names),
            )
        )

    def plan(self) -> ColumnPlan:
        assigned = self.assign()
        sources: dict[_Target, Source] = {}
        for target, columns in assigned.items():
            found = self.source(target, columns)
            if found is not None:
                sources[target] = found
        shared = {name: s for (group, name), s in sources.items() if group is None}
        shared |= {
            name: Source(name, constant=value) for name, value in self.mapping.constants.items()
        }
        blocks: list[Block] = []
        for i, group in enumerate(self.mapping.wide):
            own = {name: s for (g, name), s in sources.items() if g == i}
            if not own and not any((i, n) in assigned for n in group.columns):
                continue  # none of the group's columns is in this file
            sets = {n: Source(n, constant=v, shared=False) for n, v in group.set.items()}
            blocks.append(Block(shared | sets | own, dict(group.set)))
        if not self.mapping.wide:
            blocks.append(Block(shared))
        self.check_complete(blocks, shared)
        used = {i for columns in assigned.values() for i in columns}
        ignored = tuple(h for i, h in enumerate(self.raw.headers) if i not in used)
        return ColumnPlan(
            self.ds.name,
            tuple(blocks),
            bool(self.mapping.wide),
            ignored,
            tuple(self.report.problems),
        )

    def check_complete(self, blocks: list[Block], shared: dict[str, Source]) -> None:
        # Fields whose columns matched but clash are reported as ambiguous_column already.
        done = set(self.failed)
        wide = self.mapping.wide
        if wide and not blocks:  # no [[wide]] group is in the file: say so once
            self.missing(sorted({n for g in wide for n in g.columns}), one_of=True)
            done |= {n for g in wide for n in (*g.set, *g.columns)} | set(self.ds.one_of)
        everywhere = blocks or [Block(shared)]
        for f in self.ds.fields:
            lacking = any(f.name not in b.sources for b in everywhere)
            if f.required and f.name not in done and lacking:
                self.missing([f.name], one_of=False)
        one_of = self.ds.one_of
        if (
            one_of
            and any(not any(n in b.sources for n in one_of) for b in everywhere)
            and not done.intersection(one_of)
        ):
            self.missing(list(one_of), one_of=True)


def _target_order(target: _Target) -> tuple[int, str]:
    return (-1 if target[0] is None else target[0], target[1])


def _blank(column: ArrowArray) -> bool:
    longest = pc.max(pc.utf8_length(pc.utf8_trim_whitespace(column))).as_py()
    return longest is None or longest == 0


def resolve_columns(raw: RawTable, mapping: Mapping) -> tuple[ColumnPlan, Report]:
    """Which raw column feeds which field, in which unit; problems about the headers."""
    resolver = _Resolver(raw, mapping)
    return resolver.plan(), resolver.report
