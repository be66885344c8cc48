"""Validation: the cells of a ``RawTable`` made typed rows of a dataset, or a problem report.

``validate(raw, plan, dataset, today=...)`` works column by column, never row by row in
Python: the working table of cleaned texts and typed values is built with Arrow kernels and
DuckDB (``silkhub.stats.validate_stage``, over the SQL of ``silkhub.stats.validate_sql``): text
is read once per DISTINCT value wherever it can be, the values that need Python (country names,
choices, months the SQL patterns do not read) included (``silkhub.stats.validate_values``);
then, in DuckDB, one aggregate counts every kind of problem and only the kinds that occur are
fetched, at most ``max_problems`` of each (``silkhub.stats.validate_problems``).

The table it returns has the dataset's stored schema without ``vintage``, in field order and
in the file's row order (a wide layout's rows grouped by source row); it is None whenever the
report, or the plan's own problems (``resolve_columns``), hold an error: an import with any
error writes nothing. The report holds validation's problems only; callers add the plan's.

Partners named "其他", "Other", "未知"... are stored as ``ZZ`` (``UNKNOWN_COUNTRY``) and a
warning says so when they carry more than ``UNKNOWN_SHARE_LIMIT`` of the value.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeAlias

import duckdb

from silkhub.core.errors import Location, Message, Problem, Report, Severity
from silkhub.stats.datasets import Dataset, Field, Kind
from silkhub.stats.mapping import KIND_DIMENSIONS, ColumnPlan, Mapping, resolve_columns
from silkhub.stats.raw import ROW_COLUMN, RawTable
from silkhub.stats.validate_lookups import LOOKUP_KINDS, Lookup
from silkhub.stats.validate_precheck import extreme, keys_may_repeat, may_hold, null_rows
from silkhub.stats.validate_problems import (
    ROWS_LISTED,
    Found,
    capped,
    cell_message,
    duplicate_message,
    future_message,
    no_measure_message,
    not_for_this_kind_message,
    report_to_csv,
    rows_suffix,
    unknown_share_message,
    whole_and_parts_message,
)
from silkhub.stats.validate_sql import (
    col,
    column_name,
    compact_sql,
    ident,
    literal,
    number_scale,
    raw_sql,
    scaled_sql,
)
from silkhub.stats.validate_stage import NUMERIC_KINDS, factor_columns, output_table, stage
from silkhub.stats.validate_values import UNKNOWN_COUNTRY

__all__ = [
    "UNKNOWN_COUNTRY",
    "UNKNOWN_SHARE_LIMIT",
    "report_to_csv",
    "validate",
    "validate_raw",
]

#: pyarrow ships no type stubs; its tables are typed as Any under this name.
ArrowTable: TypeAlias = Any

#: Above this share of the value, rows of unknown or "other" partners earn a warning.
UNKNOWN_SHARE_LIMIT = 0.05
# The SQL below is assembled from field names quoted by ident() and constants quoted by
# literal(); no cell text is ever part of a query (cells reach DuckDB as an Arrow table), hence
# the noqa: S608 on the statements.


def validate(
    raw: RawTable,
    plan: ColumnPlan,
    dataset: Dataset,
    *,
    today: date,
    max_problems: int = 1000,
    con: duckdb.DuckDBPyConnection | None = None,
) -> tuple[ArrowTable | None, Report]:
    """The typed rows of ``raw`` (None when there is any error) and the problems found.

    ``con`` is the DuckDB connection to work in, closed when done (``AnalyticalStore.cursor()``
    shares the store's database and its settings); by default a new in-memory database."""
    con = con if con is not None else duckdb.connect()
    return _Validation(raw, plan, dataset, today, max_problems, con).run()


def validate_raw(
    raw: RawTable,
    mapping: Mapping,
    *,
    today: date,
    max_problems: int = 1000,
    con: duckdb.DuckDBPyConnection | None = None,
) -> tuple[ArrowTable | None, Report]:
    """``resolve_columns`` then ``validate``, with both reports in one."""
    plan, report = resolve_columns(raw, mapping)
    table, found = validate(
        raw, plan, mapping.definition(), today=today, max_problems=max_problems, con=con
    )
    report.extend(found)
    return (table if report.valid else None), report


class _Validation:
    def __init__(
        self,
        raw: RawTable,
        plan: ColumnPlan,
        ds: Dataset,
        today: date,
        max_problems: int,
        con: duckdb.DuckDBPyConnection,
    ) -> None:
        self.raw, self.plan, self.ds = raw, plan, ds
        self.today, self.max = today, max(1, max_problems)
        self.con = con
        self.found: list[Found] = []
        self.total = 0
        self.lookups: dict[str, Lookup] = {}
        self.staged: ArrowTable = None
        self.index = {f.name: i for i, f in enumerate(ds.fields)}
        blocks = plan.blocks
        self.present = {f.name for f in ds.fields if any(f.name in b.sources for b in blocks)}
        self.scales = {
            f.name: number_scale([b.sources[f.name] for b in blocks if f.name in b.sources])
            for f in ds.fields
        }
        self.shared = {
            name
            for name in self.present
            if all(name not in b.sources or b.sources[name].shared for b in blocks)
        }

    # --- the working table ---------------------------------------------------------------

    def run(self) -> tuple[ArrowTable | None, Report]:
        try:
            if not self.plan.blocks:
                return None, Report()
            self.con.register("raw", self.raw.cells)
            self.staged, self.lookups = stage(
                self.con, self.raw, self.plan, self.ds, present=self.present, scales=self.scales
            )
            self.con.register("staged", self.staged)
            factors = "".join(f", {c}" for c in factor_columns(self.plan, self.ds, self.present))
            self.con.execute(f"CREATE TEMP VIEW typed AS SELECT *{factors} FROM staged")  # noqa: S608
            self.check_cells()
            self.check_no_measure()
            self.check_duplicates()
            self.check_only_for()
            self.check_whole_and_parts()
            self.check_unknown_share()
            report = Report(capped(self.found, self.total, self.max))
            valid = report.valid and self.plan.valid
            table = output_table(self.staged, self.ds, self.present) if valid else None
            return table, report
        finally:
            self.con.close()

    # --- checks ---------------------------------------------------------------------------

    def scope(self, name: str) -> str:
        """Shared columns are checked once per source row, a group's own on its live rows."""
        return "_block = 0" if name in self.shared else "NOT _empty"

    def header(self, name: str, block: int) -> tuple[str | None, str]:
        source = self.plan.blocks[block].sources.get(name)
        if source is None or source.column is None:
            return None, f"constants.{name}"
        return source.header, source.where

    def cell_checks(self) -> list[tuple[str, Field, str]]:
        """(code, field, condition) of every per-cell check that applies."""
        checks: list[tuple[str, Field, str]] = []
        for f in self.ds.fields:
            if f.name not in self.present:
                continue
            t, v, d = (col(f.name, p) for p in "tvd")
            scope = self.scope(f.name)
            if f.required:
                checks.append(("missing_value", f, f"{scope} AND {t} IS NULL"))
            if f.kind in NUMERIC_KINDS:
                unread = f"{scope} AND {t} IS NOT NULL AND {d} IS NULL"
                # CASE, not AND: DuckDB then reads the text as a DOUBLE only on unread rows.
                double = f"TRY_CAST({compact_sql(f)} AS DOUBLE)"
                not_number = f"CASE WHEN {unread} THEN {double} IS NULL ELSE FALSE END"
                checks.append(("not_a_number", f, not_number))
                if f.name in self.ds.non_negative:
                    checks.append(("negative_value", f, f"{scope} AND {d} < 0"))
                # Numbers of more than 20 integer digits, or values outside BIGINT.
                too_long = f"CASE WHEN {unread} THEN {double} IS NOT NULL ELSE FALSE END"
                too_big = f"({d} IS NOT NULL AND {v} IS NULL OR {too_long})"
                checks.append(("value_out_of_range", f, f"{scope} AND {too_big}"))
                if f.kind is Kind.COUNT:
                    narrow = f"DECIMAL(18,{self.scales[f.name]})"  # 64-bit: fast
                    scaled = f"TRY_CAST({scaled_sql(f, self.scales[f.name])} AS {narrow})"
                    checks.append(
                        (
                            "not_a_whole_number",
                            f,
                            f"{scope} AND {v} IS NOT NULL AND {scaled} <> round({scaled}, 0)",
                        )
                    )
            if f.kind is Kind.HS_CODE:
                checks.append(
                    ("invalid_hs_code", f, f"{scope} AND {t} IS NOT NULL AND {v} IS NULL")
                )
        return checks

    def value_checks(self) -> list[tuple[str, Field, str]]:
        """(code, field, condition) of the checks reported once per distinct value."""
        checks: list[tuple[str, Field, str]] = []
        month_start = self.today.replace(day=1)
        for f in self.ds.fields:
            if f.name not in self.present or f.kind not in LOOKUP_KINDS:
                continue
            t, v = col(f.name, "t"), col(f.name, "v")
            scope = self.scope(f.name)
            checks.append(("invalid", f, f"{scope} AND {t} IS NOT NULL AND {v} IS NULL"))
            if f.kind in (Kind.MONTH, Kind.DATE):
                limit = month_start if f.kind is Kind.MONTH else self.today
                checks.append(("future_period", f, f"{scope} AND {v} > DATE '{limit}'"))
        return checks

    def check_cells(self) -> None:
        cells = [c for c in self.cell_checks() if self.may_find(c[0], c[1])]
        values = [c for c in self.value_checks() if self.may_find(c[0], c[1])]
        counts = [f"count(*) FILTER (WHERE {cond})" for _, _, cond in cells]
        counts += [
            f"count(DISTINCT {col(f.name, 't')}) FILTER (WHERE {cond})" for _, f, cond in values
        ]
        if not counts:
            return
        totals = self.con.execute(f"SELECT {', '.join(counts)} FROM typed").fetchone()  # noqa: S608
        assert totals is not None
        for (code, f, cond), n in zip(cells, totals[: len(cells)], strict=True):
            if n:
                self.total += n
                self.fetch_cells(code, f, cond)
        for (code, f, cond), n in zip(values, totals[len(cells) :], strict=True):
            if n:
                self.total += n
                self.fetch_values(code, f, cond)

    def may_find(self, code: str, f: Field) -> bool:
        """False when the working table's NULL counts and extremes (no scan of its rows) show
        that a check finds nothing, as in a clean file; then its count is not computed."""
        staged = self.staged
        t, v, d = (null_rows(staged, column_name(f.name, p)) for p in "tvd")
        if code == "missing_value":
            return t != 0
        if code in ("invalid_hs_code", "invalid"):  # a text read as no value
            return t is None or v is None or v > t
        if code == "future_period":
            limit = self.today.replace(day=1) if f.kind is Kind.MONTH else self.today
            latest = extreme(staged, column_name(f.name, "v"), "max")
            return latest is not None and latest > limit
        unread = t is None or d is None or d > t  # a text not read as a number
        if code == "not_a_number":
            return unread
        if code == "negative_value":
            least = extreme(staged, column_name(f.name, "d"), "min")
            return least is not None and least < 0
        if code == "value_out_of_range":
            return unread or d is None or v is None or v > d
        return True

    def add(self, problem: Problem, row: int | None, name: str | None) -> None:
        order = (-1 if row is None else row, self.index.get(name or "", -1))
        self.found.append(Found(problem, order))

    def where(
        self, row: int | None, column: str | None = None, field: str | None = None
    ) -> Location:
        return Location(
            file=self.raw.source, sheet=self.raw.sheet, row=row, column=column, field=field
        )

    def fetch_cells(self, code: str, f: Field, cond: str) -> None:
        rows = self.con.execute(
            f"SELECT _row, _block FROM typed WHERE {cond} "  # noqa: S608
            f"ORDER BY _row, _block LIMIT {self.max}"
        ).fetchall()
        texts = self.raw_texts(f, [row for row, _ in rows])
        for row, block in rows:
            value = texts.get((row, block))
            header, where = self.header(f.name, block)
            message = cell_message(code, f, value, where)
            field = None if header is not None else where
            self.add(Problem(code, message, self.where(row, header, field), value), row, f.name)

    def raw_texts(self, f: Field, rows: list[int]) -> dict[tuple[int, int], str | None]:
        """The cells of field ``f`` on these rows as the file has them, by (row, block)."""
        if not rows:
            return {}
        texts = ", ".join(raw_sql(b.sources.get(f.name)) for b in self.plan.blocks)
        row = ident(ROW_COLUMN)
        listed = ", ".join(str(r) for r in sorted(set(rows)))
        found = self.con.execute(
            f"SELECT {row}, {texts} FROM raw WHERE {row} IN ({listed})"  # noqa: S608
        ).fetchall()
        return {(r[0], b): value for r in found for b, value in enumerate(r[1:])}

    def fetch_values(self, code: str, f: Field, cond: str) -> None:
        t = col(f.name, "t")
        rows = self.con.execute(
            f"SELECT {t}, min(_row) AS first, arg_min(_block, _row), "  # noqa: S608
            f"list_sort(list_distinct(list(_row)))[1:{ROWS_LISTED}], count(DISTINCT _row) "
            f"FROM typed WHERE {cond} GROUP BY {t} ORDER BY first LIMIT {self.max}"
        ).fetchall()
        for text, first, block, listed, count in rows:
            if code == "future_period":
                problem_code, message = code, future_message(f, text, self.today)
            else:
                problem_code, message = self.lookups[f.name].failure(f, text)
            suffix = rows_suffix(listed, count)
            message = Message(message.zh + suffix.zh, message.en + suffix.en)
            header, where = self.header(f.name, block)
            field = None if header is not None else where
            location = self.where(first, header, field)
            self.add(Problem(problem_code, message, location, text), first, f.name)

    def check_no_measure(self) -> None:
        one_of = [n for n in self.ds.one_of if n in self.present]
        if not self.ds.one_of and not self.plan.wide:
            return
        texts = [null_rows(self.staged, column_name(n, "t")) for n in one_of]
        if not self.plan.wide and 0 in texts:
            return  # a measure with a value on every row
        present = " OR ".join(f"{col(n, 't')} IS NOT NULL" for n in one_of) or "TRUE"
        if self.plan.wide:
            having = f"HAVING bool_and(_empty OR NOT ({present}))"
            query = f"SELECT _row FROM typed GROUP BY _row {having}"  # noqa: S608
        else:
            query = f"SELECT _row FROM typed WHERE NOT ({present})"  # noqa: S608
        count = self.con.execute(f"SELECT count(*) FROM ({query})").fetchone()  # noqa: S608
        if not count or not count[0]:
            return
        self.total += count[0]
        message = no_measure_message([self.ds.field(n) for n in self.ds.one_of])
        for (row,) in self.con.execute(f"{query} ORDER BY _row LIMIT {self.max}").fetchall():
            self.add(Problem("no_measure", message, self.where(row)), row, None)

    def check_duplicates(self) -> None:
        """Rows of one key: group without collecting rows (cheap when, as usual, there are
        none), then find the rows of the duplicated keys only."""
        keys = [k for k in self.ds.key if k in self.present]
        required = {k: self.ds.field(k).required for k in keys}
        if not keys or not keys_may_repeat(self.staged, required):
            return
        values = ", ".join(col(k, "v") for k in keys)
        # Keys that failed to read, or required keys left empty, are reported already.
        valid = " AND ".join(
            f"{col(k, 'v')} IS NOT NULL"
            if self.ds.field(k).required
            else f"({col(k, 't')} IS NULL OR {col(k, 'v')} IS NOT NULL)"
            for k in keys
        )
        live = f"NOT _empty AND {valid}"
        groups = (
            f"SELECT {values}, min(_row) AS _first FROM typed WHERE {live} "  # noqa: S608
            f"GROUP BY {values} HAVING count(*) > 1"
        )
        self.con.execute(f"CREATE TEMP TABLE dups AS {groups}")
        same = " AND ".join(f"d.{col(k, 'v')} IS NOT DISTINCT FROM t.{col(k, 'v')}" for k in keys)
        shown = ", ".join(f"d.{col(k, 'v')}" for k in keys)
        rank = "row_number() OVER (PARTITION BY d._first ORDER BY t._row, t._block) AS _n"
        ranked = (
            f"SELECT t._row, t._block, d._first, {shown}, {rank} "  # noqa: S608
            f"FROM (SELECT * FROM typed WHERE {live}) t JOIN dups d ON {same}"
        )
        rows = f"SELECT * FROM ({ranked}) WHERE _n > 1"  # noqa: S608
        self.con.execute(f"CREATE TEMP TABLE dup_rows AS {rows}")
        total = self.con.execute("SELECT count(*) FROM dup_rows").fetchone()
        if not total or not total[0]:
            return
        self.total += int(total[0])
        found = self.con.execute(f"FROM dup_rows ORDER BY _row, _block LIMIT {self.max}").fetchall()
        for row, _block, first, *key, _ in found:
            described = ", ".join(
                f"{k}={_shown(self.ds.field(k), v)}" for k, v in zip(keys, key, strict=True)
            )
            message = duplicate_message(row, first, described)
            self.add(Problem("duplicate_row", message, self.where(row), described), row, None)

    def check_only_for(self) -> None:
        """A measure of one kind only (TEU) on a row of another kind (a dry-bulk row)."""
        for measure, dim, allowed in self.ds.only_for:
            if measure not in self.present or dim not in self.present:
                continue
            kinds = ", ".join(literal(v) for v in allowed)
            cond = (
                f"{self.scope(measure)} AND {col(measure, 't')} IS NOT NULL "
                f"AND {col(dim, 'v')} IS NOT NULL AND {col(dim, 'v')} NOT IN ({kinds})"
            )
            rows = self.con.execute(
                f"SELECT _row, _block, {col(dim, 'v')} FROM typed WHERE {cond} "  # noqa: S608
                f"ORDER BY _row, _block"
            ).fetchall()
            if not rows:
                continue
            self.total += len(rows)
            f = self.ds.field(measure)
            message = not_for_this_kind_message(f, self.ds.field(dim), list(allowed))
            for row, block, kind in rows[: self.max]:
                header, where = self.header(measure, block)
                location = self.where(row, header, None if header is not None else where)
                self.add(Problem("not_for_this_kind", message, location, kind), row, measure)

    def check_whole_and_parts(self) -> None:
        """A total row (empty kind) beside rows by kind of the same observation: every sum
        would count the total twice."""
        dim = self.ds.whole_when_empty
        if dim is None or dim not in self.present:
            return  # no kind column: every row is a total
        others = [k for k in self.ds.key if k != dim and k in self.present]
        if not others:
            return
        values = ", ".join(col(k, "v") for k in others)
        kind, text = col(dim, "v"), col(dim, "t")
        known = " AND ".join(f"{col(k, 'v')} IS NOT NULL" for k in others)
        groups = (
            f"SELECT {values}, min(_row) FILTER (WHERE {kind} IS NOT NULL) AS _parts "  # noqa: S608
            f"FROM typed WHERE NOT _empty AND {known} GROUP BY {values} "
            f"HAVING count(*) FILTER (WHERE {text} IS NULL) > 0 "
            f"AND count(*) FILTER (WHERE {kind} IS NOT NULL) > 0"
        )
        same = " AND ".join(f"g.{col(k, 'v')} = t.{col(k, 'v')}" for k in others)
        shown = ", ".join(f"t.{col(k, 'v')}" for k in others)
        found = self.con.execute(
            f"SELECT t._row, g._parts, {shown} FROM ({groups}) g JOIN typed t ON {same} "  # noqa: S608
            f"WHERE NOT t._empty AND t.{text} IS NULL ORDER BY t._row"
        ).fetchall()
        if not found:
            return
        self.total += len(found)
        f = self.ds.field(dim)
        header, where = self.header(dim, 0)
        for row, parts, *key in found[: self.max]:
            described = ", ".join(
                f"{k}={_shown(self.ds.field(k), v)}" for k, v in zip(others, key, strict=True)
            )
            message = whole_and_parts_message(f, described, parts)
            location = self.where(row, header, None if header is not None else where)
            self.add(Problem("whole_and_parts", message, location, described), row, dim)

    def check_unknown_share(self) -> None:
        countries = [f for f in self.ds.fields if f.kind is Kind.COUNTRY and f.name in self.present]
        measures = [n for n in self.ds.one_of if n in self.present]
        measures += [
            f.name
            for f in self.ds.fields
            if f.kind in KIND_DIMENSIONS and f.name in self.present and f.name not in measures
        ]
        if not countries or not measures:
            return
        for c in countries:
            if not may_hold(self.staged, column_name(c.name, "v"), UNKNOWN_COUNTRY):
                continue  # no row of an unknown partner: no share to warn about
            zz = f"{col(c.name, 'v')} = {literal(UNKNOWN_COUNTRY)}"
            sums = ", ".join(
                f"sum({col(m, 'v')}) FILTER (WHERE {zz}), sum({col(m, 'v')})" for m in measures
            )
            query = f"SELECT {sums} FROM typed WHERE NOT _empty"  # noqa: S608
            found = self.con.execute(query).fetchone()
            assert found is not None
            for m, (part, whole) in zip(
                measures, zip(found[::2], found[1::2], strict=True), strict=True
            ):
                if whole:
                    share = float(part or 0) / float(whole)
                    if share > UNKNOWN_SHARE_LIMIT:
                        self.unknown_share(c, self.ds.field(m), share)
                    break

    def unknown_share(self, country: Field, measure: Field, share: float) -> None:
        header, _ = self.header(country.name, 0)
        message = unknown_share_message(country, measure, share, UNKNOWN_SHARE_LIMIT)
        problem = Problem(
            "unknown_partner_share",
            message,
            self.where(None, header),
            round(share, 4),
            Severity.WARNING,
        )
        self.total += 1
        self.add(problem, None, country.name)


def _shown(f: Field, value: Any) -> str:
    if value is None:
        return ""
    if f.kind is Kind.MONTH and isinstance(value, date):
        return value.strftime("%Y-%m")
    return str(value)
