"""What the generators of the statistics demo share: the synthetic label, seeded random streams,
exact integer allocation, the publication calendar, and writers of source files as offices
make them (GBK CSV with a title line and notes, .xlsx with merged headers).

Nothing here touches a store: the generators write files, ``silkhub.stats.demo`` imports them.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from silkhub.core.periods import Month

__all__ = [
    "BEIJING",
    "HUNDRED",
    "LABEL",
    "LABEL_EN",
    "LABEL_ZH",
    "NOTE",
    "Ints",
    "SourceFile",
    "allocate",
    "day_in_month",
    "file_name",
    "generator",
    "month_range",
    "published",
    "scale_blocks",
    "wan",
    "write_csv",
    "write_xlsx",
]

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

LABEL_ZH = "演示数据（合成）"
LABEL_EN = "synthetic demonstration data"
#: On every file's title line, and (as ``file_name`` writes it) in every file name.
LABEL = f"{LABEL_ZH}/ {LABEL_EN}"
#: The note under every table (kept by the import as the file's note).
NOTE = (
    "注：本表全部数据为合成的演示数据，并非官方统计，仅供 silkhub 演示使用。"
    " Note: all figures in this table are synthetic demonstration data (not official statistics)."
)

#: Offices publish in Beijing time.
BEIJING = timezone(timedelta(hours=8), "CST")

#: Every zip entry of a generated workbook carries this time, so that a seed gives the same bytes.
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
# openpyxl writes document times as naive UTC.
_FIXED_DOC_TIME = datetime(2020, 1, 1, tzinfo=UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class SourceFile:
    """One generated file and how it is to be imported."""

    dataset: str
    path: Path
    published_at: datetime
    mapping: Path | None = None
    #: A month published again with other numbers (the demo's one revision).
    revision: bool = False


def generator(seed: int, stream: str) -> np.random.Generator:
    """An independent random stream per dataset: adding one never shifts another."""
    return np.random.default_rng([seed, zlib.crc32(stream.encode())])


def month_range(first: Month, last: Month) -> list[Month]:
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [first.shift(k) for k in range(count)]


def published(month: Month, day: int, hour: int = 10) -> datetime:
    """Publication of ``month``'s figures: ``day`` of the following month, Beijing time."""
    after = month.shift(1)
    return datetime(after.year, after.month, day, hour, tzinfo=BEIJING)


def file_name(stem: str, month: Month | None, suffix: str) -> str:
    """``2020-05_浙江省货物进出口国别明细_演示数据（合成）_synthetic-demo.csv``."""
    when = f"{month.code}_" if month is not None else ""
    return f"{when}{stem}_{LABEL_ZH}_synthetic-demo{suffix}"


#: Amounts in US dollars are allocated in hundreds: files write them in 万美元, two decimals.
HUNDRED = 100


def wan(hundreds: int) -> str:
    """Hundreds of dollars written in 万美元 with two decimals, exactly: 123456 -> "1234.56"."""
    return f"{hundreds // 100}.{hundreds % 100:02d}"


# --- exact integers -------------------------------------------------------------------------


def allocate(total: int, weights: npt.ArrayLike) -> Ints:
    """Non-negative integers in proportion to ``weights`` that add up to exactly ``total``
    (largest remainder: each share is its quota rounded down, and the units left over go to
    the largest fractions; ties to the earlier item)."""
    w = np.asarray(weights, dtype=np.float64)
    if total < 0 or w.size == 0 or (w < 0).any() or not w.sum() > 0:
        raise ValueError(f"cannot allocate {total} over weights summing to {w.sum()}")
    quota = w / w.sum() * float(total)
    shares: Ints = np.minimum(np.floor(quota), total).astype(np.int64)
    left = total - int(shares.sum())
    remainder = quota - shares
    if left > 0:
        order = np.argsort(-remainder, kind="stable")
        # Float error may leave more units than items only in degenerate cases.
        while left > 0:
            step = order[: min(left, order.size)]
            shares[step] += 1
            left -= step.size
    elif left < 0:  # float error rounded a quota up past an integer
        order = np.argsort(remainder, kind="stable")
        for i in order:
            if left == 0:
                break
            if shares[i] > 0:
                shares[i] -= 1
                left += 1
    return shares


def scale_blocks(
    values: npt.ArrayLike, blocks: Sequence[tuple[npt.NDArray[np.bool_], int]]
) -> Ints:
    """``values`` as integers: each block (a mask, disjoint from the others) allocated to
    add up to its target exactly, everything else rounded."""
    v = np.asarray(values, dtype=np.float64)
    out = np.rint(v).astype(np.int64)
    taken = np.zeros(v.shape, dtype=bool)
    for mask, target in blocks:
        if (taken & mask).any():
            raise ValueError("calibration blocks overlap")
        taken |= mask
        out[mask] = allocate(target, v[mask])
    return out.astype(np.int64)


# --- files ----------------------------------------------------------------------------------


def write_csv(
    path: Path,
    *,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    encoding: str,
    subtitle: str | None = None,
    crlf: bool = False,
) -> None:
    """A CSV as an office exports it: a title line, maybe a line of units or source, the
    header, the rows, and the note saying the data is synthetic."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n")
    writer.writerow([f"{LABEL}：{title}"])
    if subtitle:
        writer.writerow([subtitle])
    writer.writerow(header)
    writer.writerows(rows)
    writer.writerow([NOTE])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(path: Path, sheet: str, fill: Callable[[Worksheet], None]) -> None:
    """A one-sheet workbook filled by ``fill``, saved with fixed timestamps (document
    properties and zip entries), so the same content always gives the same bytes."""
    workbook = openpyxl.Workbook()
    worksheet: Any = workbook.active
    worksheet.title = sheet
    fill(worksheet)
    workbook.properties.creator = "silkhub demo (synthetic)"
    workbook.properties.title = LABEL
    workbook.properties.created = _FIXED_DOC_TIME
    raw = io.BytesIO()
    workbook.save(raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip(raw.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """The workbook's zip with every entry timestamp, and the document's modified time, fixed."""
    out = io.BytesIO()
    stamp = _FIXED_DOC_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _fixed_modified(content, stamp)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


def _fixed_modified(core: bytes, stamp: str) -> bytes:
    text = core.decode("utf-8")
    start = text.find("<dcterms:modified")
    if start < 0:
        return core
    open_end = text.find(">", start) + 1
    close = text.find("</dcterms:modified>", open_end)
    return (text[:open_end] + stamp + text[close:]).encode("utf-8")


def day_in_month(month: Month, rng: np.random.Generator) -> date:
    """A working day (Monday to Friday) of ``month``."""
    days = [
        d
        for d in (month.start + timedelta(days=k) for k in range(31))
        if d.month == month.month and d.weekday() < 5
    ]
    return days[int(rng.integers(len(days)))]
