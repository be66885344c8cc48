"""API payloads of the statistics capability."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from silkhub.stats.datasets import Dataset


class FieldOut(BaseModel):
    name: str
    kind: str
    zh: str
    en: str
    required: bool
    unit: str | None
    choices: list[str]


class DatasetOut(BaseModel):
    name: str
    zh: str
    en: str
    description_zh: str
    description_en: str
    key: list[str]
    fields: list[FieldOut]

    @classmethod
    def of(cls, ds: Dataset) -> DatasetOut:
        return cls(
            name=ds.name,
            zh=ds.zh,
            en=ds.en,
            description_zh=ds.description_zh,
            description_en=ds.description_en,
            key=list(ds.key),
            fields=[
                FieldOut(
                    name=f.name,
                    kind=f.kind.value,
                    zh=f.zh,
                    en=f.en,
                    required=f.required,
                    unit=f.base_unit,
                    choices=[c.value for c in f.choices],
                )
                for f in ds.fields
            ],
        )


class ImportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    vintage: int
    dataset: str
    source: str
    sha256: str
    sheet: str | None
    encoding: str | None
    mapping: str
    rows: int
    warnings: int
    notes: list[Any]
    published_at: datetime
    imported_at: datetime
    imported_by: str


class ImportResult(BaseModel):
    status: Literal["imported", "duplicate"]
    import_id: int | None
    dataset: str
    source: str
    rows: int
    periods: list[date]
    warnings: list[dict[str, Any]]


class PeriodOut(BaseModel):
    code: str
    label_zh: str
    label_en: str


class VintageOut(BaseModel):
    dataset: str
    month: str
    vintage: int | None
    published_at: datetime | None
    #: The import the month was read from, its file's (or computation's) name, and what
    #: silkhub computed it from (``logistics_events``; null for a file someone imported).
    import_id: int | None = None
    source: str | None = None
    computed_from: str | None = None


class MeasureOut(BaseModel):
    """One figure as a statistical release gives it, with where it came from."""

    dataset: str
    value_field: str
    unit: str | None
    period: PeriodOut
    previous_period: PeriodOut
    group: str | None
    filters: dict[str, list[str]]
    as_of: datetime | None
    value: float | int | None
    previous: float | int | None
    growth_pct: float | None
    times: float | None
    whole: float | int | None
    share_pct: float | None
    previous_share_pct: float | None
    share_change_pp: float | None
    contribution_pp: float | None
    complete: bool
    text_zh: str | None
    text_en: str | None
    vintages: list[VintageOut]


class IndicatorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str
    unit: str
    method: str


class ProjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    source: str
    indicators: list[IndicatorOut]
