"""Frictionless data packages (Data Package v1): datasets as CSV files with a Table Schema.

``data_package`` writes into a directory::

    datapackage.json     the descriptor (profile "tabular-data-package")
    <dataset>.csv        one per dataset: the rows current as of ``as_of`` (``dataset_rows``)
    README.md            what the package is, in both languages; first line the demo label

The descriptor is written as plain JSON (the ``frictionless`` package is only needed to
validate it, as the tests do). Choices made:

- The CSV files are UTF-8 *without* a byte-order mark (``encoding: utf-8``), as the Data
  Package specification expects; the BOM of ``publish.to_csv`` is for downloads opened in
  Excel.
- Field types: months and dates ``date`` (a month is its first day, "2020-05-01", as stored;
  the description says so), yuan, dollars, TEU and counts ``integer``, tonnes and quantities
  ``number``, the rest ``string``; ``vintage`` an ``integer``. Each field's ``title`` is
  "中文 / English"; ``title_zh``, ``title_en``, ``unit`` (a code of ``silkhub.core.units``:
  CNY, USD, T, TEU, COUNT) and ``kind`` are custom properties, which the specification allows.
  Constraints: ``required`` for required fields, ``enum`` for choices, a pattern for countries
  (ISO 3166-1 alpha-2) and HS codes, ``minimum: 0`` for fields that cannot be negative.
- ``primaryKey`` is the dataset's key (the current rows hold one vintage per month, so the key
  alone is unique; ``vintage`` is not part of it), given only when every key field is
  required: a Table Schema primary key may not be empty, and trade's HS code, region and trade
  mode, or rail's destination, may be.
- Licence CC-BY-4.0 unless another is given; ``sources`` name the publisher and, per
  resource, every import (file name, vintage, SHA-256) the rows come from; ``created`` is the
  generation time.
- Demonstration data: the package ``description`` starts with the label, ``sources`` has an
  entry saying the data are synthetic, the custom property ``silkhub_demo`` is true, and the
  README starts with the label.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from silkhub.stats import service
from silkhub.stats.datasets import Dataset, Field, Kind, dataset
from silkhub.stats.publish import DEMO_LABEL, PUBLISHER, dataset_rows, to_csv, vintages_in
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database

__all__ = ["CC_BY_4", "data_package", "table_schema"]

CC_BY_4: Mapping[str, str] = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}

_TYPES: dict[Kind, str] = {
    Kind.MONTH: "date",
    Kind.DATE: "date",
    Kind.MONEY_CNY: "integer",
    Kind.MONEY_USD: "integer",
    Kind.TEU: "integer",
    Kind.COUNT: "integer",
    Kind.TONNES: "number",
    Kind.NUMBER: "number",
}
_KIND_NOTES: dict[Kind, tuple[str, str]] = {
    Kind.MONTH: (
        "月份，以该月第一天表示（2020-05-01 即2020年5月）。",
        "The month, as its first day (2020-05-01 is May 2020).",
    ),
    Kind.COUNTRY: ("ISO 3166-1 二位字母代码。", "ISO 3166-1 alpha-2 code."),
    Kind.HS_CODE: (
        "协调制度（HS 2022）商品编码，2至10位。",
        "Harmonized System (HS 2022) code, 2 to 10 digits.",
    ),
    Kind.MONEY_CNY: ("单位：元（人民币）。", "In yuan (CNY)."),
    Kind.MONEY_USD: ("单位：美元。", "In US dollars."),
    Kind.TONNES: ("单位：吨。", "In tonnes."),
    Kind.TEU: ("单位：标准箱。", "In TEU."),
    Kind.COUNT: ("单位：个（列、条）。", "A count."),
}


def _field_schema(f: Field, ds: Dataset) -> dict[str, Any]:
    note_zh, note_en = _KIND_NOTES.get(f.kind, ("", ""))
    if f.name == ds.whole_when_empty:
        note_zh += "为空的行是其余键相同的各类合计（不与分类行同时出现）。"
        note_en += (
            " A row where it is empty is the total of every kind for the rest of its key "
            "(never beside rows by kind)."
        )
    for measure, dim, allowed in ds.only_for:
        if measure == f.name:
            note_zh += f"仅用于{dim}为{'、'.join(allowed)}或为空的行。"
            note_en += f" Only on rows whose {dim} is {', '.join(allowed)} or empty."
    descriptor: dict[str, Any] = {
        "name": f.name,
        "type": _TYPES.get(f.kind, "string"),
        "title": f"{f.zh} / {f.en}",
        "title_zh": f.zh,
        "title_en": f.en,
        "description": f"{f.zh}。{note_zh}\n{f.en}. {note_en}".rstrip(),
        "kind": f.kind.value,
    }
    if f.base_unit is not None:
        descriptor["unit"] = f.base_unit
    constraints: dict[str, Any] = {}
    if f.required:
        constraints["required"] = True
    if f.choices:
        constraints["enum"] = [c.value for c in f.choices]
        descriptor["description"] += "\n" + "; ".join(
            f"{c.value} = {c.zh} / {c.en}" for c in f.choices
        )
    if f.kind is Kind.COUNTRY:
        constraints["pattern"] = "[A-Z]{2}"
    if f.kind is Kind.HS_CODE:
        constraints["pattern"] = "[0-9]{2,10}"
    if f.name in ds.non_negative:
        constraints["minimum"] = 0
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def table_schema(ds: Dataset) -> dict[str, Any]:
    """The Table Schema of ``ds``'s published CSV (its fields, then ``vintage``)."""
    fields = [_field_schema(f, ds) for f in ds.fields]
    fields.append(
        {
            "name": "vintage",
            "type": "integer",
            "title": "数据版本 / Vintage",
            "title_zh": "数据版本",
            "title_en": "Vintage",
            "description": "发布该行的导入批次编号。\nThe id of the import that published the row.",
            "constraints": {"required": True},
        }
    )
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if all(ds.field(k).required for k in ds.key):
        schema["primaryKey"] = list(ds.key)
    return schema


def _resource_sources(db: Database, ds: Dataset, vintages: set[int]) -> list[dict[str, str]]:
    with db.reading() as session:
        records = [r for r in service.list_imports(session, ds.name) if r.vintage in vintages]
        return [
            {
                "title": f"{r.source} (vintage {r.vintage}, sha256 {r.sha256}, "
                f"published {r.published_at.isoformat()})",
            }
            for r in sorted(records, key=lambda r: r.vintage)
        ]


def _readme(names: Sequence[str], demo: bool, created: str, as_of: datetime | None) -> str:
    lines = []
    if demo:
        lines += [f"**{DEMO_LABEL.zh}**", "", f"**{DEMO_LABEL.en}**", ""]
    lines += [
        f"# {PUBLISHER.zh} / {PUBLISHER.en}",
        "",
        "Frictionless 数据包（datapackage.json 描述每个 CSV 文件的字段、类型、单位）。",
        "A Frictionless data package: datapackage.json describes each CSV file's fields, "
        "types and units.",
        "",
    ]
    for name in names:
        ds = dataset(name)
        lines.append(f"- `{ds.name}.csv`: {ds.zh} / {ds.en}")
    lines += [
        "",
        f"生成时间 / Created: {created}",
        f"数据截至 / As of: {as_of.isoformat() if as_of is not None else '最新 / latest'}",
        "",
    ]
    return "\n".join(lines)


def data_package(
    db: Database,
    store: AnalyticalStore,
    names: Sequence[str],
    directory: Path,
    *,
    demo: bool,
    as_of: datetime | None = None,
    license: Mapping[str, str] = CC_BY_4,
    created: datetime | None = None,
) -> Path:
    """Write a data package of datasets ``names`` into ``directory`` (created if needed) and
    return the path of its ``datapackage.json`` (see the module docstring)."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (created or datetime.now(UTC)).astimezone(UTC).isoformat()
    unique = [dataset(n).name for n in dict.fromkeys(names)]
    resources = []
    for name in unique:
        ds = dataset(name)
        table = dataset_rows(db, store, ds.name, as_of=as_of)
        content = to_csv(table, bom=False)
        path = directory / f"{ds.name}.csv"
        path.write_bytes(content)
        used = vintages_in(table, ds)
        resources.append(
            {
                "name": ds.name,
                "path": path.name,
                "profile": "tabular-data-resource",
                "title": f"{ds.zh} / {ds.en}",
                "description": f"{ds.description_zh}\n{ds.description_en}",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(content),
                "hash": f"sha256:{hashlib.sha256(content).hexdigest()}",
                "schema": table_schema(ds),
                "sources": _resource_sources(db, ds, {v for v, _ in used}),
                "silkhub_vintages": [{"vintage": v, "months": months} for v, months in used],
            }
        )
    description = "\n".join(
        [
            *([DEMO_LABEL.zh, DEMO_LABEL.en] if demo else []),
            f"{PUBLISHER.zh}发布的统计数据：" + "、".join(dataset(n).zh for n in unique) + "。",
            f"Statistics published by the {PUBLISHER.en}: "
            + ", ".join(dataset(n).en for n in unique)
            + ".",
        ]
    )
    sources: list[dict[str, str]] = [{"title": f"{PUBLISHER.zh} / {PUBLISHER.en}"}]
    if demo:
        sources.insert(0, {"title": f"{DEMO_LABEL.zh} / {DEMO_LABEL.en}"})
    descriptor: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": "silkhub-" + "-".join(unique) + ("-demo" if demo else ""),
        "title": f"{PUBLISHER.zh}统计数据 / {PUBLISHER.en} statistics"
        + ("（演示数据 / demonstration data）" if demo else ""),
        "description": description,
        "created": stamp,
        "licenses": [dict(license)],
        "sources": sources,
        "contributors": [{"title": f"{PUBLISHER.zh} / {PUBLISHER.en}", "role": "publisher"}],
        "keywords": ["silkhub", "Belt and Road", "一带一路", *unique],
        "silkhub_demo": demo,
        "silkhub_as_of": as_of.isoformat() if as_of is not None else None,
        "resources": resources,
    }
    (directory / "README.md").write_text(_readme(unique, demo, stamp, as_of), encoding="utf-8")
    target = directory / "datapackage.json"
    target.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return target
