"""What the indices API reads and writes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class QuoteBody(BaseModel):
    route: str = Field(examples=["EUR"])
    container: str = Field(examples=["40HQ"])
    amount: Decimal = Field(
        gt=0, examples=["2350.00"], description="All-in spot rate per container"
    )
    currency: str = "USD"


class SubmissionBody(BaseModel):
    week: str | None = Field(
        default=None,
        description="ISO week, e.g. 2020-W23; default: the week now",
        examples=["2020-W23"],
    )
    quotes: list[QuoteBody]


class ProblemOut(BaseModel):
    code: str
    message: str
    field: str | None = None
    value: str | None = None


class SubmissionOut(BaseModel):
    week: str
    ids: list[int]
    warnings: list[ProblemOut]


class QuoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    week: str
    route: str
    container: str
    amount: Decimal
    currency: str
    submitted_at: datetime
    source: str
    withdrawn_at: datetime | None


class ValueOut(BaseModel):
    series: str
    value: Decimal
    #: Against the week before (None for the first release, or a series new this week).
    change: Decimal | None = None
    change_pct: Decimal | None = None
    carried_forward: bool = False


class RestatementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    series: str
    old_value: Decimal
    new_value: Decimal
    reason: str
    restated_by: str
    restated_at: datetime


class ReleaseOut(BaseModel):
    week: str
    release_at: datetime
    basket: int
    methodology_version: int
    fingerprint: str
    #: False only for compilers looking at an approved week before its release time.
    released: bool
    values: list[ValueOut]
    restatements: list[RestatementOut] = []


class CorrectionBody(BaseModel):
    member: str = Field(description="The panel member's code")
    route: str
    container: str
    amount: Decimal = Field(gt=0)
    currency: str = "USD"


class RestateBody(BaseModel):
    reason: str = Field(min_length=1)


class DifferenceOut(BaseModel):
    week: str
    series: str
    stored: Decimal | None
    recomputed: Decimal | None
