"""The data-source pages: ``/{lang}/stats/sources`` lists the datasets, who publishes them and
where their figures come from; ``/{lang}/stats/sources/{dataset}`` is one dataset's source
page: what it holds (methodology: its fields, key and units), the publisher, every imported
file (its vintage, the months it published, when, its rows and SHA-256) and the downloads.

These pages are where a statistics figure on the portal leads (``data-figure="stats:<name>"``
to ``data-source-of="stats:<name>"``, see docs/portal.md, "Every figure leads to its source").
Public, as the data package that lists the same imports is."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from silkhub.core.errors import Message, NotFound
from silkhub.core.periods import Month
from silkhub.stats import service
from silkhub.stats.datasets import DATASETS, Dataset
from silkhub.stats.exports import FORMATS
from silkhub.stats.pages_common import Db, Lang, tabs
from silkhub.stats.publish import PUBLISHER
from silkhub.web.templating import templates_of

router = APIRouter(include_in_schema=False)

#: Download formats that need a measured field (the first summable one is offered).
_NEEDS_VALUE = ("sdmx", "sdmx-csv")


def source_key(dataset_name: str) -> str:
    """The key a figure of ``dataset_name`` and its source page share."""
    return f"stats:{dataset_name}"


def source_url(lang: str, dataset_name: str) -> str:
    return f"/{lang}/stats/sources/{dataset_name}"


def _months_text(codes: list[str]) -> str:
    if not codes:
        return ""
    return codes[0] if len(codes) == 1 else f"{codes[0]} – {codes[-1]}"


def _summary(db: Db, ds: Dataset) -> dict[str, Any]:
    with db.reading() as session:
        imports = service.list_imports(session, ds.name)
        months = sorted({p.period for r in imports for p in r.periods})
        latest = max((r.published_at for r in imports), default=None)
    return {
        "imports": len(imports),
        "first": Month.from_date(months[0]).code if months else "",
        "last": Month.from_date(months[-1]).code if months else "",
        "published": latest.date().isoformat() if latest else "",
    }


@router.get("/{lang}/stats/sources")
def sources_page(request: Request, lang: Lang, db: Db) -> Response:
    rows = [
        {
            "name": ds.name,
            "title": ds.name_in(lang),
            "description": ds.description_en if lang == "en" else ds.description_zh,
            "href": source_url(lang, ds.name),
            "key": source_key(ds.name),
            **_summary(db, ds),
        }
        for ds in DATASETS.values()
    ]
    return templates_of(request).render(
        request,
        "stats/sources.html",
        {"tabs": tabs(request), "rows": rows, "publisher": PUBLISHER.in_(lang)},
    )


def _downloads(ds: Dataset, lang: str) -> list[tuple[str, str]]:
    summable = [f for f in ds.fields if f.base_unit is not None]
    out = []
    for fmt in FORMATS:
        query = {"format": fmt, "lang": lang}
        if fmt in _NEEDS_VALUE:
            if not summable:
                continue
            query["value"] = summable[0].name
        out.append((fmt, f"/api/stats/datasets/{ds.name}/download?" + urlencode(query)))
    return out


@router.get("/{lang}/stats/sources/{name}")
def source_page(request: Request, lang: Lang, db: Db, name: str) -> Response:
    ds = DATASETS.get(name)
    if ds is None:
        raise NotFound(
            Message(f"没有数据集“{name}”。", f"There is no dataset {name!r}."), code="no_dataset"
        )
    with db.reading() as session:
        imports: list[dict[str, Any]] = [
            {
                "vintage": r.vintage,
                "source": r.source,
                "months": _months_text([Month.from_date(p.period).code for p in r.periods]),
                "published": r.published_at.date().isoformat(),
                "rows": r.rows,
                "sha256": r.sha256,
                "notes": [str(n) for n in r.notes or []],
            }
            for r in service.list_imports(session, ds.name)
        ]
    fields = [
        {
            "name": f.name,
            "label": f.label(lang),
            "kind": f.kind.value,
            "unit": f.base_unit or "",
            "key": f.name in ds.key,
            "required": f.required,
        }
        for f in ds.fields
    ]
    notes = sorted({n for i in imports for n in i["notes"]})
    return templates_of(request).render(
        request,
        "stats/source.html",
        {
            "tabs": tabs(request),
            "ds": {
                "name": ds.name,
                "title": ds.name_in(lang),
                "description": ds.description_en if lang == "en" else ds.description_zh,
            },
            "key": source_key(ds.name),
            "publisher": PUBLISHER.in_(lang),
            "fields": fields,
            "imports": imports,
            "notes": notes,
            "downloads": _downloads(ds, lang),
            "dashboard": f"/{lang}/stats?" + urlencode({"dataset": ds.name}),
        },
    )
