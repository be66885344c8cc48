"""The problems validation reports, their bilingual messages, the cap, and the CSV download.

Codes (severity): ``missing_value``, ``not_a_number``, ``negative_value``,
``value_out_of_range``, ``not_a_whole_number``, ``invalid_hs_code``, ``unknown_country``,
``invalid_choice``, ``invalid_period``, ``not_a_month``, ``invalid_date``, ``future_period``,
``no_measure``, ``duplicate_row``, ``not_for_this_kind``, ``whole_and_parts``,
``too_many_problems`` (errors); ``unknown_partner_share``
(warning). Problems about one distinct value (an unknown country, a month that does not parse)
are reported once per value, naming up to ``ROWS_LISTED`` of the rows it is on.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from silkhub.core.errors import Location, Message, Problem, Report
from silkhub.stats.datasets import Field, Kind
from silkhub.stats.validate_values import UNKNOWN_COUNTRY

__all__ = [
    "ROWS_LISTED",
    "Found",
    "capped",
    "cell_message",
    "duplicate_message",
    "future_message",
    "no_measure_message",
    "not_for_this_kind_message",
    "report_to_csv",
    "rows_suffix",
    "unknown_share_message",
    "whole_and_parts_message",
]

ROWS_LISTED = 10


@dataclass(frozen=True, slots=True)
class Found:
    """A problem and where it sorts: by row (file-wide problems first), then field order."""

    problem: Problem
    order: tuple[int, int]


def capped(found: list[Found], total: int, max_problems: int) -> list[Problem]:
    """The first ``max_problems`` problems by row, and ``too_many_problems`` for the rest.

    ``found`` holds at most ``max_problems`` problems of each check; ``total`` counts them all.
    """
    ordered = sorted(found, key=lambda f: f.order)
    kept = [f.problem for f in ordered[:max_problems]]
    more = total - len(kept)
    if more > 0:
        kept.append(
            Problem(
                "too_many_problems",
                Message(
                    f"问题太多：仅列出前{len(kept)}个，另有{more}个未列出。"
                    "请先改正以上问题再重新导入。",
                    f"Too many problems: the first {len(kept)} are listed, {more} more are "
                    "not. Correct these and import the file again.",
                ),
                Location(),
                more,
            )
        )
    return kept


def rows_suffix(rows: list[int], count: int) -> Message:
    """Where a value occurs: "（第5行）", or "（见第2、5、9行等，共40行）"."""
    if count == 1:
        return Message(f"（第{rows[0]}行）", f" (row {rows[0]})")
    listed = "、".join(map(str, rows))
    more = "等" if count > len(rows) else ""
    listed_en = ", ".join(map(str, rows)) + (", ..." if count > len(rows) else "")
    return Message(f"（见第{listed}行{more}，共{count}行）", f" (rows {listed_en}; {count} in all)")


def cell_message(code: str, f: Field, value: Any, where: str) -> Message:
    """The message of a problem about one cell."""
    v = "" if value is None else str(value)
    if code == "missing_value":
        return Message(
            f"“{where}”为空：{f.zh}（{f.name}）为必填项。",
            f"{where!r} is empty: {f.en} ({f.name}) is required.",
        )
    if code == "not_a_number":
        return Message(f"“{v}”不是数字。", f"{v!r} is not a number.")
    if code == "negative_value":
        return Message(f"{f.zh}不能为负数：“{v}”。", f"{f.en} cannot be negative: {v!r}.")
    if code == "value_out_of_range":
        return Message(
            f"“{v}”换算为{f.base_unit}后超出可存储的范围。",
            f"{v!r} in {f.base_unit} is out of the range that can be stored.",
        )
    if code == "not_a_whole_number":
        return Message(
            f"{f.zh}应为整数，“{v}”不是。", f"{f.en} must be a whole number; {v!r} is not."
        )
    if code == "invalid_hs_code":
        return Message(
            f"“{v}”不是有效的商品编码：应为2至10位数字（如8517、8517.12）。",
            f"{v!r} is not an HS code: 2 to 10 digits are expected (8517, 8517.12).",
        )
    raise ValueError(code)  # pragma: no cover - every cell check has a message above


def future_message(f: Field, text: str, today: date) -> Message:
    day = today.isoformat()
    if f.kind is Kind.MONTH:
        return Message(
            f"“{text}”晚于本月（今天是{day}）：不能导入未来月份的数据。",
            f"{text!r} is after the current month (today is {day}): figures for months to come "
            "cannot be imported.",
        )
    return Message(f"“{text}”晚于今天（{day}）。", f"{text!r} is after today ({day}).")


def no_measure_message(one_of: list[Field]) -> Message:
    if not one_of:
        return Message("这一行的数值全部为空。", "Every figure of this row is empty.")
    return Message(
        f"这一行没有任何数值：{'、'.join(f.zh for f in one_of)}均为空，至少应填一项。",
        f"This row has no figure: {', '.join(f.en for f in one_of)} are all empty; at least "
        "one is needed.",
    )


def duplicate_message(row: int, first: int, described: str) -> Message:
    return Message(
        f"第{row}行与第{first}行重复：{described}相同。",
        f"Row {row} duplicates row {first}: both have {described}.",
    )


def not_for_this_kind_message(measure: Field, dimension: Field, allowed: list[str]) -> Message:
    """A measure on a row of a kind it does not apply to (TEU on a dry-bulk row)."""
    choices = {c.value: c for c in dimension.choices}
    zh = "、".join(f"“{choices[v].zh}”" for v in allowed)
    en = ", ".join(allowed)
    return Message(
        f"“{measure.zh}”只能填在{dimension.zh}为{zh}或为空（合计）的行上。",
        f"{measure.en} ({measure.name}) belongs only on rows whose {dimension.name} is {en} "
        "or empty (the total).",
    )


def whole_and_parts_message(dimension: Field, described: str, parts_row: int) -> Message:
    """A total row (no kind) beside rows by kind of the same observation."""
    return Message(
        f"此行{dimension.zh}为空，是{described}的合计，而第{parts_row}行起还有其分{dimension.zh}"
        f"的数据：合计将被重复计算。请只给合计，或只给各{dimension.zh}。",
        f"This row has no {dimension.name}, so it is the total of {described}, but row "
        f"{parts_row} and others give the same by {dimension.name}: the total would be counted "
        f"twice. Give either the total or the rows by {dimension.name}, not both.",
    )


def unknown_share_message(country: Field, measure: Field, share: float, limit: float) -> Message:
    pct, most = f"{share:.1%}", f"{limit:.0%}"
    return Message(
        f"“其他/未知”{country.zh}（保存为代码{UNKNOWN_COUNTRY}）占{measure.zh}的{pct}，"
        f"超过{most}：按国别的统计将不完整。",
        f"Rows of other or unknown {country.en.lower()} (stored as {UNKNOWN_COUNTRY}) carry "
        f"{pct} of {measure.en}, more than {most}: figures by country will be incomplete.",
    )


def report_to_csv(report: Report | list[Problem]) -> str:
    """The problems as CSV for Excel: UTF-8 with a byte-order mark (Excel then reads the
    Chinese correctly), one problem a row. ``column`` holds the mapping-file key for problems
    about a mapping file."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["severity", "code", "file", "sheet", "row", "column", "value", "message_zh", "message_en"]
    )
    for p in report:
        loc = p.location
        writer.writerow(
            [
                p.severity.value,
                p.code,
                loc.file or "",
                loc.sheet or "",
                "" if loc.row is None else loc.row,
                loc.column if loc.column is not None else (loc.field or ""),
                "" if p.value is None else p.value,
                p.message.zh,
                p.message.en,
            ]
        )
    return out.getvalue()
