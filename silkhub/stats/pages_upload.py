"""The analyst's upload page (``/{lang}/stats/upload``): a file in, and what became of it —
imported (rows, months, warnings), seen before, or rejected with its problem report as a table
and as a CSV download; and the recent imports.

An import that is rejected writes nothing, so its report is kept apart, for a short while,
in the data directory's ``tmp/problem-reports/<user id>/<random id>.csv``: only the analyst
who uploaded the file can download it, and only for ``REPORT_LIFETIME``.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import Response

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal
from silkhub.core.errors import InvalidInput, Message, NotFound, Problem
from silkhub.core.periods import Month, month_runs
from silkhub.settings import Settings
from silkhub.stats import service
from silkhub.stats.datasets import DATASETS
from silkhub.stats.models import StatsImport
from silkhub.stats.pages_common import Db, Lang, Store, content_disposition, tabs
from silkhub.stats.validate import report_to_csv
from silkhub.stores.database import Database
from silkhub.web.security import app_settings, check_form_csrf, require_roles
from silkhub.web.templating import templates_of

router = APIRouter(include_in_schema=False)

Analyst = Annotated[Principal, Depends(require_roles(Role.ANALYST))]
Config = Annotated[Settings, Depends(app_settings)]
Csrf = Depends(check_form_csrf)

REPORT_LIFETIME = timedelta(hours=6)
RECENT_IMPORTS = 20
#: Text encodings offered besides detection (gb18030 reads GBK and GB2312 too).
ENCODINGS = ("utf-8", "gb18030", "big5")
_REPORT_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


# --- problem reports kept for download ---------------------------------------------------------


def _reports_dir(settings: Settings) -> Path:
    return settings.data_dir / "tmp" / "problem-reports"


def _expired(path: Path, now: float) -> bool:
    return now - path.stat().st_mtime > REPORT_LIFETIME.total_seconds()


def _sweep(root: Path, now: float) -> None:
    """Delete the reports that have outlived ``REPORT_LIFETIME``."""
    for path in root.glob("*/*.csv"):
        try:
            if _expired(path, now):
                path.unlink()
        except FileNotFoundError:  # another request swept it first
            continue


def keep_report(settings: Settings, principal: Principal, problems: Iterable[Problem]) -> str:
    """Store a problem report as CSV for its analyst; the id to download it by."""
    root = _reports_dir(settings)
    if root.is_dir():
        _sweep(root, time.time())
    folder = root / str(principal.user_id)
    folder.mkdir(parents=True, exist_ok=True)
    report_id = secrets.token_urlsafe(18)
    (folder / f"{report_id}.csv").write_text(report_to_csv(list(problems)), encoding="utf-8")
    return report_id


def kept_report(settings: Settings, principal: Principal, report_id: str) -> bytes:
    gone = NotFound(
        Message(
            "问题报告不存在或已过期，请重新上传文件。",
            "This problem report does not exist or has expired: upload the file again.",
        )
    )
    if not _REPORT_ID.fullmatch(report_id):
        raise gone
    path = _reports_dir(settings) / str(principal.user_id) / f"{report_id}.csv"
    if not path.is_file() or _expired(path, time.time()):
        raise gone
    return path.read_bytes()


# --- the page ------------------------------------------------------------------------------------


def _months_text(periods: Sequence[Any], lang: str) -> str:
    months = [Month.from_date(p) for p in periods]
    runs = []
    for first, last in month_runs(months):
        runs.append(first.code if first == last else f"{first.code}–{last.code}")
    return ("、" if lang == "zh" else ", ").join(runs) or "—"


def _problem_rows(problems: Iterable[Problem], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "severity": p.severity.value,
            "file": p.location.file or "",
            "sheet": p.location.sheet or "",
            "row": "" if p.location.row is None else p.location.row,
            "column": p.location.column or p.location.field or "",
            "value": "" if p.value is None else str(p.value),
            "code": p.code,
            "message": p.message.in_(lang),
        }
        for p in problems
    ]


def _recent(db: Database, lang: str) -> list[dict[str, Any]]:
    with db.reading() as session:
        records: Sequence[StatsImport] = service.list_imports(session)[:RECENT_IMPORTS]
        return [
            {
                "id": r.id,
                "dataset": DATASETS[r.dataset].name_in(lang)
                if r.dataset in DATASETS
                else r.dataset,
                "source": r.source,
                "rows": r.rows,
                "periods": _months_text([p.period for p in r.periods], lang),
                "published": r.published_at,
                "vintage": r.vintage,
                "warnings": r.warnings,
            }
            for r in records
        ]


def _render(
    request: Request, db: Database, lang: str, *, status: int = 200, **extra: Any
) -> Response:
    context = {
        "tabs": tabs(request),
        "datasets": [(d.name, d.name_in(lang)) for d in DATASETS.values()],
        "encodings": ENCODINGS,
        "imports": _recent(db, lang),
        "chosen": {"dataset": "trade", "encoding": "", "sheet": ""},
        **extra,
    }
    return templates_of(request).render(request, "stats/upload.html", context, status=status)


@router.get("/{lang}/stats/upload")
def upload_page(request: Request, lang: Lang, analyst: Analyst, db: Db) -> Response:
    return _render(request, db, lang)


def _saved(upload: UploadFile, folder: Path, default: str) -> Path:
    path = folder / (Path(upload.filename or default).name or default)
    with path.open("wb") as out:
        shutil.copyfileobj(upload.file, out)
    return path


def _given(upload: UploadFile | None) -> UploadFile | None:
    # A browser sends an empty part, with no file name, for a file field left empty.
    return upload if upload is not None and upload.filename else None


@router.post("/{lang}/stats/upload", dependencies=[Csrf])
def upload(
    request: Request,
    lang: Lang,
    analyst: Analyst,
    db: Db,
    store: Store,
    settings: Config,
    dataset: Annotated[str, Form()] = "",
    encoding: Annotated[str, Form()] = "",
    sheet: Annotated[str, Form()] = "",
    file: UploadFile | None = None,
    mapping_file: UploadFile | None = None,
) -> Response:
    chosen = {"dataset": dataset, "encoding": encoding, "sheet": sheet}
    data_file, mapping = _given(file), _given(mapping_file)
    if data_file is None or dataset not in DATASETS:
        missing = Message("请选择数据集和要导入的文件。", "Choose a dataset and a file to import.")
        return _render(request, db, lang, status=422, chosen=chosen, error=missing.in_(lang))
    source = Path(data_file.filename or "upload").name
    work = settings.data_dir / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(dir=work) as tmp:
            path = _saved(data_file, Path(tmp), "upload")
            mapping_path = _saved(mapping, Path(tmp), "mapping.toml") if mapping else None
            outcome = service.import_file(
                db,
                store,
                path,
                dataset_name=dataset,
                data_dir=settings.data_dir,
                actor=analyst.actor,
                max_bytes=settings.import_max_bytes,
                revision_factor=settings.import_revision_factor,
                source=source,
                mapping_path=mapping_path,
                encoding=encoding or None,
                sheet=sheet or None,
            )
    except (InvalidInput, NotFound) as exc:
        # Refused before the file was read: a mapping file for another dataset, a bad one.
        return _render(
            request,
            db,
            lang,
            status=exc.status,
            chosen=chosen,
            error=exc.in_(lang),
            problems=_problem_rows(exc.problems, lang),
        )
    problems = list(outcome.report)
    result = {
        "status": outcome.status,
        "dataset": DATASETS[outcome.dataset].name_in(lang),
        "source": outcome.source,
        "import_id": outcome.import_id,
        "rows": outcome.rows,
        "periods": _months_text(outcome.periods, lang),
        "errors": len(outcome.report.errors),
        "warnings": len(outcome.report.warnings),
        "problems": _problem_rows(problems, lang),
        "report_id": keep_report(settings, analyst, problems) if problems else None,
    }
    status = 422 if outcome.status == "rejected" else 200
    return _render(request, db, lang, status=status, chosen=chosen, result=result)


@router.get("/{lang}/stats/upload/reports/{report_id}.csv")
def problem_report(
    request: Request, lang: Lang, report_id: str, analyst: Analyst, settings: Config
) -> Response:
    """A problem report kept by ``upload``, as CSV (both languages' messages)."""
    content = kept_report(settings, analyst, report_id)
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": content_disposition(f"problems-{report_id[:8]}.csv")},
    )
