"""Reference data of logistics: places by UN/LOCODE, facilities, ISO 6346 size-type codes,
and the checks of container numbers (ISO 6346) and ship numbers (IMO).

The places, facilities and size-types are versioned package data (``data/*.csv``): what the
hub knows, changed by a commit, not by a request. Checks return ``Problem``s, never raise:
the caller decides where they sit (a file's line, an event's field) and whether to stop.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from stdnum import imo, iso6346
from stdnum.exceptions import ValidationError

from silkhub.core import countries
from silkhub.core.errors import InvalidInput, Location, Message, Problem, Severity

DATA = Path(__file__).resolve().parent / "data"

#: UN/LOCODE: two letters of ISO 3166-1, then three of A-Z or 2-9 (the list never uses 0, 1).
_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
_OWNER_CODE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
class Place:
    locode: str
    name: Message
    country: str
    latitude: float
    longitude: float
    kinds: frozenset[str]


@dataclass(frozen=True, slots=True)
class Facility:
    code: str
    locode: str
    type: str  # DCSA facilityTypeCode, or AIRP (extension)
    name: Message


@dataclass(frozen=True, slots=True)
class SizeType:
    code: str
    length_ft: int
    teu: float
    name: Message


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines))


@cache
def places() -> dict[str, Place]:
    return {
        r["locode"]: Place(
            r["locode"],
            Message(r["name_zh"], r["name_en"]),
            r["country"],
            float(r["latitude"]),
            float(r["longitude"]),
            frozenset(r["kind"].split("+")),
        )
        for r in _rows("places.csv")
    }


@cache
def facilities() -> dict[str, Facility]:
    return {
        r["code"]: Facility(r["code"], r["locode"], r["type"], Message(r["name_zh"], r["name_en"]))
        for r in _rows("facilities.csv")
    }


@cache
def size_types() -> dict[str, SizeType]:
    return {
        r["code"]: SizeType(
            r["code"], int(r["length_ft"]), float(r["teu"]), Message(r["name_zh"], r["name_en"])
        )
        for r in _rows("size_types.csv")
    }


def place(locode: str) -> Place:
    """The place of ``locode``, or ``InvalidInput`` saying what is wrong with the code."""
    problems = check_locode(locode, Location(field="locode"))
    if problems:
        raise InvalidInput(problems[0].message, problems=problems, code=problems[0].code)
    return places()[locode]


def teu(size_type: str | None) -> float:
    """TEU of one container of this size-type; an unknown or missing code counts as 1."""
    known = size_types().get(size_type or "")
    return known.teu if known is not None else 1.0


# --- checks --------------------------------------------------------------------------------


# Whether a value passes a check, remembered: a bulk import names the same places and
# containers over and over (ten events a container, a few hundred places), and the checks are
# pure functions of the value. Only a pass is answered from here; a failure is checked again
# to build its problem at its own location. Bounded, so a stream of distinct values cannot
# grow it without end.
_REMEMBERED = 200_000


@lru_cache(maxsize=_REMEMBERED)
def locode_ok(value: str) -> bool:
    return not check_locode(value, Location())


@lru_cache(maxsize=_REMEMBERED)
def container_ok(value: str) -> bool:
    return not check_container(value, Location())


def check_locode(value: str, where: Location) -> list[Problem]:
    """A UN/LOCODE must be well formed, of a real country, and known to the hub's register."""
    if not _LOCODE.match(value):
        return [
            Problem(
                "bad_locode",
                Message(
                    f"“{value}”不是有效的联合国贸易和运输地点代码（UN/LOCODE，两位国家代码加三位字母或数字2–9）。",
                    f"{value!r} is not a UN/LOCODE (two letters of the country, then three of "
                    "A-Z or 2-9).",
                ),
                where,
                value,
            )
        ]
    try:
        countries.get(value[:2])
    except InvalidInput:
        return [
            Problem(
                "bad_locode",
                Message(
                    f"UN/LOCODE“{value}”的国家代码“{value[:2]}”不存在。",
                    f"The UN/LOCODE {value!r} starts with {value[:2]!r}, which is no country.",
                ),
                where,
                value,
            )
        ]
    if value not in places():
        return [
            Problem(
                "unknown_locode",
                Message(
                    f"地点“{value}”不在本枢纽的地点登记中（silkhub/logistics/data/places.csv）。",
                    f"The place {value!r} is not in the hub's register of places "
                    "(silkhub/logistics/data/places.csv).",
                ),
                where,
                value,
            )
        ]
    return []


def normalise_container(value: str) -> str:
    """Upper case, without the spaces and dashes people write ("MSKU 123456-7")."""
    return re.sub(r"[\s\-]", "", value).upper()


def check_container(value: str, where: Location) -> list[Problem]:
    """An ISO 6346 container number: owner code (three letters), category U, J or Z, six
    digits of serial number and the check digit, which must be right."""
    number = normalise_container(value)
    if len(number) != 11:
        return [
            _container_problem(
                "bad_container_number",
                "应为11位（如 MSKU1234565）",
                "must have 11 characters (like MSKU1234565)",
                where,
                value,
            )
        ]
    if not _OWNER_CODE.match(number[:3]):
        return [
            _container_problem(
                "bad_owner_code",
                f"箱主代码“{number[:3]}”应为三个字母",
                f"the owner code {number[:3]!r} must be three letters",
                where,
                value,
            )
        ]
    if number[3] not in "UJZ":
        return [
            _container_problem(
                "bad_equipment_category",
                f"设备类别“{number[3]}”应为 U、J 或 Z",
                f"the equipment category {number[3]!r} must be U, J or Z",
                where,
                value,
            )
        ]
    if not number[4:].isdigit():
        return [
            _container_problem(
                "bad_container_number",
                "后七位应为数字",
                "the last seven characters must be digits",
                where,
                value,
            )
        ]
    try:
        iso6346.validate(number)
    except ValidationError:
        expected = iso6346.calc_check_digit(number[:10])
        return [
            _container_problem(
                "bad_check_digit",
                f"校验位应为 {expected}，而不是 {number[10]}",
                f"the check digit should be {expected}, not {number[10]}",
                where,
                value,
            )
        ]
    return []


def _container_problem(code: str, zh: str, en: str, where: Location, value: str) -> Problem:
    return Problem(
        code,
        Message(f"集装箱号“{value}”有误：{zh}。", f"Container number {value!r}: {en}."),
        where,
        value,
    )


def check_size_type(value: str, where: Location) -> list[Problem]:
    if value in size_types():
        return []
    return [
        Problem(
            "unknown_size_type",
            Message(
                f"箱型代码“{value}”不是已知的 ISO 6346 尺寸类型代码（如 22G1、42G1、45G1、45R1）。",
                f"{value!r} is not a known ISO 6346 size-type code (like 22G1, 42G1, 45G1, 45R1).",
            ),
            where,
            value,
        )
    ]


def check_imo(value: str, where: Location) -> list[Problem]:
    """Seven digits; a failing check digit is only a warning, since ships registered before
    the scheme was tightened do carry such numbers."""
    digits = value.removeprefix("IMO").strip()
    if not re.fullmatch(r"\d{7}", digits):
        return [
            Problem(
                "bad_imo_number",
                Message(
                    f"船舶 IMO 编号“{value}”应为7位数字。",
                    f"The IMO ship number {value!r} must be seven digits.",
                ),
                where,
                value,
            )
        ]
    if not imo.is_valid(digits):
        return [
            Problem(
                "imo_check_digit",
                Message(
                    f"船舶 IMO 编号“{value}”的校验位不符（已接受：部分在册船舶确有此类编号）。",
                    f"The IMO ship number {value!r} fails its check digit (accepted: some "
                    "registered ships have such numbers).",
                ),
                where,
                value,
                Severity.WARNING,
            )
        ]
    return []
