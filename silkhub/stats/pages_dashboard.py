"""The statistics dashboard (``/{lang}/stats``): the headline figures, then for the dataset,
measure, period, country group and filters chosen in a plain GET form, the figure, the monthly
series with its year-on-year growth, the largest partners, the shares of the country groups
and a world map of the partners, each chart with the table of its numbers; and the shown
tables as CSV (``/{lang}/stats/measures.csv``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pyarrow as pa
from fastapi import APIRouter, Request
from fastapi.responses import Response

from silkhub.core import groups
from silkhub.core.errors import InvalidInput, Location, Message, NotFound
from silkhub.stats import pages_dashboard_data as data
from silkhub.stats import pages_dashboard_view as view
from silkhub.stats import service
from silkhub.stats.datasets import DATASETS
from silkhub.stats.exports import FORMATS
from silkhub.stats.measures import MeasureResult
from silkhub.stats.pages_common import Db, Lang, Store, content_disposition, headline_rows, tabs
from silkhub.stats.publish import download_name, measure_to_csv
from silkhub.stats.service import VintageSource
from silkhub.stores.database import Database
from silkhub.web.templating import templates_of

router = APIRouter(include_in_schema=False)

#: The tables the dashboard shows, each downloadable as CSV.
TABLES = ("series", "ranking", "groups")

#: Dataset download formats that need the measured field.
_NEEDS_VALUE = ("sdmx", "sdmx-csv")


def _form(selection: data.Selection, board: data.Dashboard, lang: str) -> dict[str, Any]:
    """The choices of the filter form, each with the chosen one."""
    ds = selection.dataset
    months = [(m.code, m.label(lang)) for m in selection.months]
    chosen_period = selection.month.code if selection.month else ""
    if selection.custom_period and selection.period is not None:
        chosen_period = selection.period.code
        months.insert(0, (selection.period.code, selection.period.label(lang)))
    facets = []
    for name, values in board.facet_values.items():
        f = ds.field(name)
        facets.append(
            {
                "name": name,
                "label": f.label(lang),
                "options": [(v, view.choice_label(f, v, lang)) for v in values],
                "chosen": selection.filters.get(name, ""),
            }
        )
    return {
        "datasets": [(d.name, d.name_in(lang)) for d in DATASETS.values()],
        "dataset": ds.name,
        "values": [(f.name, f.label(lang)) for f in data.summable_fields(ds)],
        "value": selection.value.name,
        "months": months,
        "period": chosen_period,
        "span": selection.span,
        "custom_period": selection.custom_period,
        "groups": (
            [(g, groups.group(g).name(lang)) for g in data.SHARE_GROUPS]
            if selection.country_field
            else []
        ),
        "group": selection.group or "",
        "facets": facets,
    }


def _described(selection: data.Selection, lang: str) -> list[str]:
    """What the figures are of, piece by piece: dataset, measure, period, group, filters."""
    ds = selection.dataset
    parts = [ds.name_in(lang), selection.value.label(lang)]
    if selection.period is not None:
        parts.append(selection.period.label(lang))
    if selection.country_field:
        parts.append(
            groups.group(selection.group).name(lang)
            if selection.group
            else Message("所有国家和地区", "all countries").in_(lang)
        )
    for name, value in selection.filters.items():
        f = ds.field(name)
        parts.append(f"{f.label(lang)}: {view.choice_label(f, value, lang)}")
    return parts


def _links(selection: data.Selection, lang: str) -> dict[str, Any]:
    ds = selection.dataset
    params = selection.params()
    measures = {
        table: f"/{lang}/stats/measures.csv?" + urlencode({**params, "table": table})
        for table in TABLES
    }
    downloads = []
    for fmt in FORMATS:
        query = {"format": fmt, "lang": lang}
        if fmt in _NEEDS_VALUE:
            query["value"] = selection.value.name
        downloads.append((fmt, f"/api/stats/datasets/{ds.name}/download?" + urlencode(query)))
    return {"measures": measures, "downloads": downloads}


def _sources(db: Database, result: MeasureResult | None) -> dict[tuple[str, int], VintageSource]:
    if result is None:
        return {}
    used = {(v.dataset, v.vintage) for v in result.vintages if v.vintage is not None}
    return service.vintage_sources(db, used)


@router.get("/{lang}/stats")
def dashboard_page(request: Request, lang: Lang, db: Db, store: Store) -> Response:
    selection = data.select(db, dict(request.query_params), lang)
    board = data.dashboard(db, store, selection)
    headline_period = selection.period if selection.period_asked else None
    base_unit = selection.value.base_unit
    context: dict[str, Any] = {
        "tabs": tabs(request),
        "figures": headline_rows(db, store, lang, headline_period),
        "form": _form(selection, board, lang),
        "notes": selection.notes,
        "described": _described(selection, lang),
        "has_data": selection.period is not None,
        "figure": view.figure_text(board.figure, lang),
        "figure_source": view.latest_vintage(board.figure, _sources(db, board.figure)),
        "is_country": selection.country_field is not None,
        "ranked_by": (
            selection.dataset.field(selection.ranked_by).label(lang)
            if selection.ranked_by
            else None
        ),
        "series": view.series_view(board.series, selection.value, lang)
        if board.series is not None
        else None,
        "ranking": (
            view.ranking_view(
                board.ranking,
                selection.ranked_by,
                selection.country_field is not None,
                base_unit,
                lang,
            )
            if board.ranking is not None and selection.ranked_by is not None
            else None
        ),
        "group_shares": view.groups_view(board.groups, base_unit, lang)
        if board.groups is not None
        else None,
        "links": _links(selection, lang),
        "top_shown": view.TOP_SHOWN,
    }
    return templates_of(request).render(request, "stats/dashboard.html", context)


def _unknown_table(table: str) -> InvalidInput:
    return InvalidInput.single(
        "unknown_table",
        Message(
            f"没有表格“{table}”。可用：{'、'.join(TABLES)}。",
            f"No table {table!r}. Tables: {', '.join(TABLES)}.",
        ),
        location=Location(field="table"),
        value=table,
    )


@router.get("/{lang}/stats/measures.csv")
def measures_csv(
    request: Request, lang: Lang, db: Db, store: Store, table: str = "series"
) -> Response:
    """One table the dashboard shows, for the same filters, as CSV (base units and codes,
    as every silkhub CSV: ``silkhub.stats.publish``)."""
    if table not in TABLES:
        raise _unknown_table(table)
    selection = data.select(db, dict(request.query_params), lang)
    if selection.period is None:
        raise NotFound(
            Message("该数据集尚无已发布的数据。", "Nothing has been published in this dataset.")
        )
    found: pa.Table | None
    if table == "series":
        found = data.series_table(db, store, selection)
    elif table == "ranking":
        found = data.ranking_table(db, store, selection)
    else:
        figure = data.dashboard_figure(db, store, selection)
        whole = figure.whole if selection.group is not None else figure.value
        found = data.groups_table(db, store, selection, whole)
    if found is None:
        raise NotFound(
            Message(
                "该数据集没有这张表（它没有国家字段）。",
                "This dataset has no such table (it has no country field).",
            )
        )
    stem = f"{selection.dataset.name}-{selection.value.name}-{table}-{selection.period.code}"
    demo = request.app.state.demo is not None
    return Response(
        measure_to_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": content_disposition(download_name(stem, "csv", demo=demo))},
    )
