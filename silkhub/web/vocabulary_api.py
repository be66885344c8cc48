"""The shared vocabulary over HTTP: countries and name resolution, country groups with dated
membership, periods, and units. Public, read-only, and the place where a script checks how
silkhub will read a name, a period or a unit before it sends a file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from silkhub.core import countries, groups, periods, units
from silkhub.core.errors import InvalidInput, Location, Message, UnknownCountry
from silkhub.stores.operational import utcnow

router = APIRouter(prefix="/api", tags=["vocabulary"])


class CountryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    alpha2: str
    alpha3: str
    numeric: str
    name_zh: str
    name_en: str


class GroupOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    source: str


class GroupMembersOut(GroupOut):
    as_of: date
    members: list[CountryOut]


class PeriodOut(BaseModel):
    code: str
    kind: str
    start: date
    end: date
    label_zh: str
    label_en: str
    months: list[str]
    previous_year: str


class ConversionOut(BaseModel):
    value: str
    from_unit: str
    to_unit: str
    result: str


@router.get("/countries", response_model=list[CountryOut], summary="Every ISO 3166-1 country")
def list_countries() -> list[CountryOut]:
    return [CountryOut.model_validate(c) for c in countries.all_countries()]


@router.get(
    "/countries/resolve",
    response_model=CountryOut,
    summary="Resolve a country name as people write it",
)
def resolve_country(name: Annotated[str, Query(max_length=200)]) -> CountryOut:
    try:
        return CountryOut.model_validate(countries.resolve(name))
    except UnknownCountry as exc:
        # Said to be about the query parameter, so a client can point at its own field.
        raise UnknownCountry(
            exc.name, exc.suggestions, location=Location(field="query.name")
        ) from None


@router.get("/countries/{code}", response_model=CountryOut, summary="A country by ISO code")
def get_country(code: str) -> CountryOut:
    return CountryOut.model_validate(countries.get(code))


@router.get("/groups", response_model=list[GroupOut], summary="Country groups")
def list_groups() -> list[GroupOut]:
    return [GroupOut.model_validate(g) for g in groups.groups()]


@router.get(
    "/groups/{code}", response_model=GroupMembersOut, summary="Members of a country group on a date"
)
def group_members(
    code: str,
    as_of: Annotated[date | None, Query(alias="date", description="Default: today")] = None,
) -> GroupMembersOut:
    day = as_of or utcnow().date()
    g = groups.group(code)
    members = sorted(groups.members(code, day))
    return GroupMembersOut(
        **GroupOut.model_validate(g).model_dump(),
        as_of=day,
        members=[CountryOut.model_validate(countries.get(m)) for m in members],
    )


@router.get(
    "/periods/{text}",
    response_model=PeriodOut,
    summary="Read a period: 2020-05, 2020年1-5月, 2020-W23, 2020-Q2, ...",
)
def read_period(text: str) -> PeriodOut:
    p = periods.parse_period(text)
    return PeriodOut(
        code=p.code,
        kind=type(p).__name__,
        start=p.start,
        end=p.end,
        label_zh=p.label("zh"),
        label_en=p.label("en"),
        months=[m.code for m in p.months()],
        previous_year=p.previous_year().code,
    )


@router.get("/units/convert", response_model=ConversionOut, summary="Convert between units")
def convert_unit(
    value: str,
    from_unit: Annotated[str, Query(alias="from")],
    to_unit: Annotated[str, Query(alias="to")],
) -> ConversionOut:
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise InvalidInput.single(
            "not_a_number",
            Message(f"“{value}”不是数字。", f"{value!r} is not a number."),
            location=Location(field="query.value"),
            value=value,
        ) from None
    source = units.parse_unit(from_unit)
    target = units.parse_unit(to_unit)
    result = units.convert(number, source, target)
    return ConversionOut(
        value=str(number),
        from_unit=source.code,
        to_unit=target.code,
        result=format(result.normalize(), "f"),
    )
