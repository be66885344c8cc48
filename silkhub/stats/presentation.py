"""A measure's result as a release prints it ("3909亿元，增长5.2%，占全省的30.1%") and as the
API returns it, shared by the API and the command line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from silkhub.core.formatting import format_amount, format_growth, format_share
from silkhub.core.periods import Period
from silkhub.stats.datasets import dataset
from silkhub.stats.measures import MeasureResult
from silkhub.stats.schemas import MeasureOut, PeriodOut, VintageOut
from silkhub.stats.service import VintageSource


def _period(p: Period) -> PeriodOut:
    return PeriodOut(code=p.code, label_zh=p.label("zh"), label_en=p.label("en"))


def sentence(result: MeasureResult, lang: str) -> str | None:
    """The figure, its growth and its share, in the reader's language; None without a value."""
    unit = dataset(result.query.dataset).field(result.query.value).base_unit
    if result.value is None or unit is None:
        return None
    parts = [format_amount(result.value, unit, lang)]
    if result.growth_pct is not None:
        parts.append(format_growth(result.growth_pct, lang))
    if result.share_pct is not None:
        parts.append(format_share(result.share_pct, lang))
    return ("，" if lang == "zh" else ", ").join(parts)


def _source(found: VintageSource | None) -> dict[str, Any]:
    if found is None:
        return {}
    return {
        "import_id": found.import_id,
        "source": found.source,
        "computed_from": found.computed_from,
    }


def describe(
    result: MeasureResult, sources: Mapping[tuple[str, int], VintageSource] | None = None
) -> MeasureOut:
    """The answer of ``/measure``; with ``sources`` (``service.vintage_sources`` of the
    result's vintages) each month also says which import, file or computation it came from."""
    known = sources or {}
    query = result.query
    return MeasureOut(
        dataset=query.dataset,
        value_field=query.value,
        unit=dataset(query.dataset).field(query.value).base_unit,
        period=_period(query.period),
        previous_period=_period(query.period.previous_year()),
        group=query.group,
        filters={k: [str(x) for x in v] for k, v in dict(query.filters).items()},  # type: ignore[union-attr]
        as_of=query.as_of,
        value=result.value,
        previous=result.previous,
        growth_pct=result.growth_pct,
        times=result.times,
        whole=result.whole,
        share_pct=result.share_pct,
        previous_share_pct=result.previous_share_pct,
        share_change_pp=result.share_change_pp,
        contribution_pp=result.contribution_pp,
        complete=result.complete,
        text_zh=sentence(result, "zh"),
        text_en=sentence(result, "en"),
        vintages=[
            VintageOut(
                dataset=v.dataset,
                month=v.month.code,
                vintage=v.vintage,
                published_at=v.published_at,
                **_source(known.get((v.dataset, v.vintage)) if v.vintage is not None else None),
            )
            for v in result.vintages
        ],
    )
