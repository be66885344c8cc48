"""One entry to every download of a dataset: the format asked for, as a named file.

Shared by ``GET /api/stats/datasets/{name}/download`` and ``silkhub stats export``.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from silkhub.core.errors import InvalidInput, Location, Message
from silkhub.stats.datasets import dataset
from silkhub.stats.publish import dataset_rows, download_name, to_csv
from silkhub.stats.publish_excel import to_xlsx
from silkhub.stats.publish_frictionless import data_package
from silkhub.stats.publish_sdmx import sdmx_csv, sdmx_data, sdmx_structure
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database

Format = Literal["csv", "xlsx", "sdmx", "sdmx-csv", "sdmx-structure", "datapackage"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "sdmx", "sdmx-csv", "sdmx-structure", "datapackage")

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sdmx": "application/vnd.sdmx.structurespecificdata+xml; version=2.1",
    "sdmx-csv": "application/vnd.sdmx.data+csv; version=2.0.0",
    "sdmx-structure": "application/vnd.sdmx.structure+xml; version=2.1",
    "datapackage": "application/zip",
}


@dataclass(frozen=True)
class Download:
    filename: str
    media_type: str
    content: bytes


def export_dataset(
    db: Database,
    store: AnalyticalStore,
    name: str,
    fmt: str,
    *,
    lang: str,
    demo: bool,
    value: str | None = None,
    as_of: datetime | None = None,
) -> Download:
    """The dataset ``name`` in format ``fmt`` (``value`` names the measured field for SDMX)."""
    ds = dataset(name)
    if fmt not in FORMATS:
        raise InvalidInput.single(
            "unknown_format",
            Message(
                f"不支持的格式“{fmt}”。可用：{', '.join(FORMATS)}。",
                f"Unknown format {fmt!r}. Formats: {', '.join(FORMATS)}.",
            ),
            location=Location(field="format"),
            value=fmt,
        )
    if fmt in ("sdmx", "sdmx-csv") and value is None:
        raise InvalidInput.single(
            "value_required",
            Message(
                "SDMX 数据需要指明统计字段（value）。",
                "SDMX data needs the measured field (value).",
            ),
            location=Location(field="value"),
        )
    extension = {"sdmx": "xml", "sdmx-structure": "xml", "datapackage": "zip"}.get(fmt, fmt)
    stem = ds.name if value is None else f"{ds.name}-{value}"
    if fmt == "sdmx-structure":
        stem = f"{ds.name}-structure"
    filename = download_name(stem, extension, demo=demo, as_of=as_of)
    media = MEDIA_TYPES[fmt]
    if fmt == "csv":
        return Download(filename, media, to_csv(dataset_rows(db, store, ds.name, as_of=as_of)))
    if fmt == "xlsx":
        table = dataset_rows(db, store, ds.name, as_of=as_of)
        content = to_xlsx(table, ds, lang=lang, title=ds.name_in(lang), demo=demo, as_of=as_of)
        return Download(filename, media, content)
    if fmt == "sdmx":
        assert value is not None
        return Download(
            filename, media, sdmx_data(db, store, ds.name, value, as_of=as_of, demo=demo)
        )
    if fmt == "sdmx-csv":
        assert value is not None
        return Download(
            filename, media, sdmx_csv(db, store, ds.name, value, as_of=as_of, demo=demo)
        )
    if fmt == "sdmx-structure":
        return Download(filename, media, sdmx_structure([ds.name], demo=demo))
    return Download(filename, media, _zipped_package(db, store, ds.name, demo=demo, as_of=as_of))


def _zipped_package(
    db: Database, store: AnalyticalStore, name: str, *, demo: bool, as_of: datetime | None
) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data_package(db, store, [name], folder, demo=demo, as_of=as_of)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folder).as_posix())
        return buffer.getvalue()
