"""REST routes of the statistics capability, under ``/api/stats``."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import pyarrow as pa
from fastapi import APIRouter, Depends, Form, Query, Request, Response, UploadFile, status

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal
from silkhub.core.errors import InvalidInput, Message
from silkhub.settings import Settings
from silkhub.stats import briefing, registers, registers_footprint, service
from silkhub.stats.briefing_period import briefing_month
from silkhub.stats.datasets import DATASETS, dataset
from silkhub.stats.exports import FORMATS, export_dataset
from silkhub.stats.measures import MeasureQuery
from silkhub.stats.presentation import describe
from silkhub.stats.schemas import (
    DatasetOut,
    ImportOut,
    ImportResult,
    MeasureOut,
    ProjectOut,
)
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database
from silkhub.web.i18n import request_language
from silkhub.web.security import app_analytical, app_db, app_settings, require_roles

router = APIRouter(prefix="/api/stats", tags=["statistics"])

Db = Annotated[Database, Depends(app_db)]
Store = Annotated[AnalyticalStore, Depends(app_analytical)]
Config = Annotated[Settings, Depends(app_settings)]
Analyst = Annotated[Principal, Depends(require_roles(Role.ANALYST))]


@router.get("/datasets", response_model=list[DatasetOut], summary="The statistical datasets")
def list_datasets() -> list[DatasetOut]:
    return [DatasetOut.of(ds) for ds in DATASETS.values()]


@router.get("/datasets/{name}", response_model=DatasetOut, summary="One dataset's fields")
def get_dataset(name: str) -> DatasetOut:
    return DatasetOut.of(dataset(name))


@router.get("/imports", response_model=list[ImportOut], summary="Imported files (vintages)")
def list_imports(_: Analyst, db: Db, dataset: str | None = None) -> list[ImportOut]:
    with db.reading() as session:
        return [ImportOut.model_validate(r) for r in service.list_imports(session, dataset)]


@router.get("/imports/{import_id}", response_model=ImportOut, summary="One import")
def get_import(import_id: int, _: Analyst, db: Db) -> ImportOut:
    with db.reading() as session:
        return ImportOut.model_validate(service.get_import(session, import_id))


@router.post(
    "/imports",
    response_model=ImportResult,
    status_code=status.HTTP_201_CREATED,
    summary="Import a file: all of it, or nothing and a problem report",
)
def create_import(
    request: Request,
    analyst: Analyst,
    db: Db,
    store: Store,
    settings: Config,
    file: UploadFile,
    dataset: Annotated[str, Form()],
    encoding: Annotated[str | None, Form()] = None,
    sheet: Annotated[str | None, Form()] = None,
    published_at: Annotated[datetime | None, Form()] = None,
    mapping_file: UploadFile | None = None,
) -> ImportResult:
    lang = request_language(request)
    work = settings.data_dir / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        path = Path(tmp) / Path(file.filename or "upload").name
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        mapping_path = None
        if mapping_file is not None:
            mapping_path = Path(tmp) / Path(mapping_file.filename or "mapping.toml").name
            with mapping_path.open("wb") as out:
                shutil.copyfileobj(mapping_file.file, out)
        outcome = service.import_file(
            db,
            store,
            path,
            dataset_name=dataset,
            data_dir=settings.data_dir,
            actor=analyst.actor,
            max_bytes=settings.import_max_bytes,
            revision_factor=settings.import_revision_factor,
            source=Path(file.filename or "upload").name,
            mapping_path=mapping_path,
            encoding=encoding,
            sheet=sheet,
            published_at=published_at,
        )
    if outcome.status == "rejected":
        errors = len(outcome.report.errors)
        raise InvalidInput(
            Message(
                f"文件有{errors}处错误，未导入任何数据。",
                f"The file has {errors} error(s); nothing was imported.",
            ),
            problems=outcome.report.problems,
            code="import_rejected",
        )
    return ImportResult(
        status=outcome.status,
        import_id=outcome.import_id,
        dataset=outcome.dataset,
        source=outcome.source,
        rows=outcome.rows,
        periods=outcome.periods,
        warnings=[p.to_dict(lang) for p in outcome.report.warnings],
    )


def _query(
    dataset: str,
    value: str,
    period: str,
    group: str | None,
    filter: list[str] | None,
    by: str | None,
    as_of: date | None,
) -> MeasureQuery:
    return service.query_from_text(
        dataset, value, period, group=group, filters=filter or (), by=by, as_of=as_of
    )


Filters = Annotated[
    list[str] | None,
    Query(description="field=value, repeatable: filter=flow=export&filter=partner=越南"),
]


@router.get("/measure", response_model=MeasureOut, summary="A figure, its growth and share")
def get_measure(
    db: Db,
    store: Store,
    dataset: str,
    value: str,
    period: Annotated[str, Query(description="2020-05, 2020年1-5月, 2020-Q2, 2019 ...")],
    group: str | None = None,
    filter: Filters = None,
    as_of: Annotated[date | None, Query(description="As published by the end of this day")] = None,
) -> MeasureOut:
    query = _query(dataset, value, period, group, filter, None, as_of)
    result = service.measure(db, store, query)
    used = {(v.dataset, v.vintage) for v in result.vintages if v.vintage is not None}
    return describe(result, service.vintage_sources(db, used))


def _table_response(table: pa.Table) -> list[dict[str, Any]]:
    return [
        {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}
        for row in table.to_pylist()
    ]


@router.get("/top", summary="The largest partners, commodities or other breakdown")
def get_top(
    db: Db,
    store: Store,
    dataset: str,
    value: str,
    period: str,
    by: str,
    n: Annotated[int, Query(ge=1, le=200)] = 10,
    group: str | None = None,
    filter: Filters = None,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    query = _query(dataset, value, period, group, filter, by, as_of)
    return _table_response(service.top(db, store, query, n))


@router.get("/series", summary="Month by month, with year-on-year growth and year to date")
def get_series(
    db: Db,
    store: Store,
    dataset: str,
    value: str,
    period: Annotated[str, Query(description="The range: 2019 or 2019-01..; its months")],
    group: str | None = None,
    filter: Filters = None,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    query = _query(dataset, value, period, group, filter, None, as_of)
    return _table_response(service.series(db, store, query))


@router.get(
    "/datasets/{name}/download",
    summary="A dataset as CSV, Excel, SDMX-ML, SDMX-CSV or a Frictionless data package",
    response_class=Response,
)
def download_dataset(
    request: Request,
    name: str,
    db: Db,
    store: Store,
    format: Annotated[str, Query(description=", ".join(FORMATS))] = "csv",
    value: Annotated[str | None, Query(description="Measured field (SDMX data)")] = None,
    as_of: Annotated[date | None, Query(description="As published by the end of this day")] = None,
) -> Response:
    moment = service.end_of_day(as_of) if as_of else None
    download = export_dataset(
        db,
        store,
        name,
        format,
        lang=request_language(request),
        demo=request.app.state.demo is not None,
        value=value,
        as_of=moment,
    )
    return Response(
        download.content,
        media_type=download.media_type,
        headers={"content-disposition": content_disposition(download.filename)},
    )


def content_disposition(filename: str) -> str:
    # RFC 6266: an ASCII fallback and the exact name in UTF-8.
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@router.get("/projects", response_model=list[ProjectOut], summary="The flagship projects")
def list_projects(db: Db) -> list[ProjectOut]:
    with db.reading() as session:
        return [ProjectOut.model_validate(p) for p in registers.list_projects(session)]


@router.get("/projects/{code}/progress", summary="A project's indicators against their targets")
def project_progress(
    code: str,
    db: Db,
    store: Store,
    period: Annotated[str, Query(description="e.g. 2020, 2020年1-5月")],
) -> list[dict[str, Any]]:
    with db.reading() as session:
        found = registers.project_progress(session, code, period, db=db, store=store)
        return [p.to_dict() for p in found]


@router.get("/footprint", summary="The hub's footprint abroad, as GeoJSON for the map")
def get_footprint(db: Db, kind: str | None = None, country: str | None = None) -> dict[str, Any]:
    with db.reading() as session:
        return registers_footprint.footprint_geojson(session, kind=kind, country=country)


@router.get("/footprint/overview", summary="Per kind: items mapped and reported totals")
def get_footprint_overview(db: Db) -> list[dict[str, Any]]:
    with db.reading() as session:
        return registers_footprint.footprint_overview(session)


@router.get(
    "/briefing",
    summary="The monthly hub briefing (Markdown, HTML, PDF or Excel)",
    response_class=Response,
    responses={
        200: {
            "content": {
                media: {}
                for media in (
                    "text/html",
                    "text/markdown",
                    "application/pdf",
                    briefing.FORMATS["xlsx"][0],
                )
            }
        }
    },
)
def get_briefing(
    request: Request,
    db: Db,
    store: Store,
    period: Annotated[str, Query(description="The month, e.g. 2020-05")],
    format: Annotated[str, Query(description="md, html, pdf or xlsx")] = "html",
    download: Annotated[bool, Query(description="As an attachment with a file name")] = False,
) -> Response:
    lang = request_language(request)
    briefing.check_format(format)
    made = briefing.briefing(
        db, store, briefing_month(period), lang=lang, demo=request.app.state.demo is not None
    )
    rendered = briefing.render(made, format)
    # PDF and Excel are files by nature; Markdown and HTML show in the browser unless asked.
    disposition = "attachment" if download or format in ("pdf", "xlsx") else "inline"
    return Response(
        rendered.content,
        media_type=rendered.media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{rendered.filename}"',
            "Content-Language": "en" if lang == "en" else "zh-CN",
        },
    )
