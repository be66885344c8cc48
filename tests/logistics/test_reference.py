"""The reference data and checks: places by UN/LOCODE (the codes that are easy to get wrong),
facilities on known places, ISO 6346 container numbers and size-types, IMO numbers."""

from __future__ import annotations

import pytest
from stdnum import iso6346

from silkhub.core.errors import InvalidInput, Location, Severity
from silkhub.logistics import reference

HERE = Location(file="f.csv", row=3, field="equipmentReference")


def test_every_place_is_well_formed_and_of_a_real_country() -> None:
    places = reference.places()
    assert len(places) >= 25
    for code, place in places.items():
        assert reference.check_locode(code, HERE) == [], code
        assert code[:2] == place.country
        assert -90 <= place.latitude <= 90 and -180 <= place.longitude <= 180
        assert place.name.zh and place.name.en


@pytest.mark.parametrize(
    ("code", "name"),
    [
        # The codes a hand-made list gets wrong: the UN/LOCODE list, not habit, decides.
        ("CNAKL", "Alashankou"),
        ("CNHRS", "Khorgos (Horgos)"),
        ("CNYIU", "Yiwu"),
        ("CNHAZ", "Hangzhou"),
        ("PLMAA", "Małaszewicze"),
        ("CNZOS", "Zhoushan"),
    ],
)
def test_places_that_are_easy_to_get_wrong(code: str, name: str) -> None:
    assert reference.place(code).name.en == name


@pytest.mark.parametrize("code", ["CNAKA", "CNKHG"])
def test_codes_of_other_places_are_not_the_border_crossings(code: str) -> None:
    # CNAKA is Ankang's airport and CNKHG Kashi's: neither is in the register.
    with pytest.raises(InvalidInput) as caught:
        reference.place(code)
    assert caught.value.code == "unknown_locode"


def test_facilities_stand_on_known_places() -> None:
    for facility in reference.facilities().values():
        assert facility.locode in reference.places(), facility.code
        assert facility.type in ("POTE", "RAMP", "DEPO", "INTE", "BORD", "AIRP")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("CNXXX", "unknown_locode"),
        ("QQABC", "bad_locode"),  # QQ is no country
        ("CN1AB", "bad_locode"),  # digits 0 and 1 are not used
        ("cnngb", "bad_locode"),
    ],
)
def test_bad_locodes(value: str, code: str) -> None:
    (problem,) = reference.check_locode(value, HERE)
    assert problem.code == code
    assert value in problem.message.en and value in problem.message.zh


def test_a_valid_container_number() -> None:
    assert reference.check_container("APZU4812090", HERE) == []


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("APZU4812091", "bad_check_digit"),
        ("AP1U4812090", "bad_owner_code"),
        ("APZX4812090", "bad_equipment_category"),
        ("APZU481209", "bad_container_number"),
        ("APZU48120A0", "bad_container_number"),
    ],
)
def test_bad_container_numbers(value: str, code: str) -> None:
    (problem,) = reference.check_container(value, HERE)
    assert problem.code == code
    assert problem.location == HERE and problem.severity is Severity.ERROR
    assert value in problem.message.zh and value in problem.message.en


def test_the_check_digit_message_names_the_right_digit() -> None:
    right = iso6346.calc_check_digit("TGHU761254")
    wrong = str((int(right) + 1) % 10)
    (problem,) = reference.check_container(f"TGHU761254{wrong}", HERE)
    assert f"should be {right}, not {wrong}" in problem.message.en


def test_size_types() -> None:
    for code in ("22G1", "42G1", "45G1", "45R1", "22GP"):
        assert reference.check_size_type(code, HERE) == []
    (problem,) = reference.check_size_type("99Z9", HERE)
    assert problem.code == "unknown_size_type"
    assert reference.teu("45G1") == 2 and reference.teu("22G1") == 1 and reference.teu(None) == 1


def test_imo_numbers_failing_the_check_digit_are_warnings() -> None:
    assert reference.check_imo("9321483", HERE) == []
    (warning,) = reference.check_imo("7654321", HERE)
    assert warning.severity is Severity.WARNING and warning.code == "imo_check_digit"
    (error,) = reference.check_imo("93214", HERE)
    assert error.severity is Severity.ERROR
