"""The freight methodology file: the shipped one is complete and consistent; a broken one is
refused with every problem named by file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkhub.core.errors import InvalidInput
from silkhub.core.periods import IsoWeek
from silkhub.indices.freight_config import DEFAULT_FILE, default_methodology, load_methodology


def test_the_shipped_methodology() -> None:
    m = default_methodology()
    assert len(m.routes) >= 20
    assert [c.code for c in m.containers] == ["20GP", "40GP", "40HQ"]
    assert {"BAF", "CAF"} <= set(m.included) and "THC" in m.excluded
    assert m.release.weekday == 5 and m.release.at.hour == 16 and str(m.timezone) == "Asia/Shanghai"
    assert len(m.baskets) == 2
    for basket in m.baskets:
        assert sum(basket.weights.values()) == pytest.approx(1.0)
        assert set(basket.weights) <= {r.code for r in m.routes}
    assert len(m.baskets[0].base_weeks) == 4
    assert m.basket_for(IsoWeek(2019, 26)).version == 1
    assert m.basket_for(IsoWeek(2019, 27)).version == 2
    assert len(m.fingerprint) == 64
    with pytest.raises(InvalidInput, match="before the index's first basket"):
        m.basket_for(IsoWeek(2017, 52))


def test_every_problem_of_a_broken_file_is_named(tmp_path: Path) -> None:
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    text = text.replace('timezone = "Asia/Shanghai"', 'timezone = "Asia/Ningbo"')
    text = text.replace("EUR = 0.15\nMEDW = 0.07", "EUR = 0.25\nMEDW = 0.07", 1)  # sum 1.1
    text = text.replace('effective = "2019-W27"', 'effective = "2019-27"')
    text = text.replace("RUFE = 0.03", "ATLANTIS = 0.03")
    text = text.replace("trim = 0.1 ", "trim = 0.7 ")
    broken = tmp_path / "freight.toml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_methodology(broken)
    fields = {p.location.field for p in caught.value.problems}
    assert {
        "schedule.timezone",
        "baskets[1].weights",
        "baskets[2].effective",
        "baskets[2].weights.ATLANTIS",
        "cleaning",
    } <= fields
    assert all(p.location.file == "freight.toml" for p in caught.value.problems)
    assert "freight.toml" in caught.value.message.en


def test_a_file_that_is_not_toml(tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text("version = = 1")
    with pytest.raises(InvalidInput, match="cannot be read"):
        load_methodology(bad)
