"""Done when: the demo's January-June 2020 rail figures come out of the events exactly.

Counted here twice: straight from the events (``throughput.compute``), and as the statistics
state them (the measures, the briefing, the measure API), which must say that they used the
vintage computed from the events. The figures are the source document's, written out here
rather than taken from the generator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from silkhub.core.formatting import format_growth
from silkhub.core.periods import Month
from silkhub.logistics import throughput
from silkhub.stats import briefing, service
from tests.conftest import DemoHub

#: line -> (trains, TEU) in January-June 2019 and 2020, and the growth of TEU as printed.
SEED = {
    "义新欧": ((135, 11_269), (294, 24_466), "增长117.1%"),
    "中亚班列": ((37, 2_974), (59, 4_758), "增长60.0%"),
}


def test_the_events_give_the_seed_figures(demo_hub: DemoHub) -> None:
    with demo_hub.db.reading() as session:
        h1_2019 = throughput.compute(session, Month(2019, 1), Month(2019, 6))
        h1_2020 = throughput.compute(session, Month(2020, 1), Month(2020, 6))
    for line, (before, now, _) in SEED.items():
        assert (len(h1_2019.runs_in(line)), sum(r.teu for r in h1_2019.runs_in(line))) == before
        assert (len(h1_2020.runs_in(line)), sum(r.teu for r in h1_2020.runs_in(line))) == now
    # Every run's TEU is its containers' size-types: no box without one.
    assert all(r.unsized == 0 and r.containers > 0 for r in h1_2020.runs)
    assert {r.direction for r in h1_2020.runs} == {"outbound", "inbound"}


@pytest.mark.parametrize("line", list(SEED))
def test_the_statistics_figures_are_the_events_and_say_so(demo_hub: DemoHub, line: str) -> None:
    (trains_19, teu_19), (trains_20, teu_20), growth = SEED[line]
    for value, now, before in (("trains", trains_20, trains_19), ("teu", teu_20, teu_19)):
        query = service.query_from_text("rail", value, "2020年1-6月", filters=[f"line={line}"])
        result = service.measure(demo_hub.db, demo_hub.store, query)
        assert (result.value, result.previous) == (now, before)
        used = {(v.dataset, v.vintage) for v in result.vintages}
        assert len(result.vintages) == 12 and None not in {v for _, v in used}
        sources = service.vintage_sources(demo_hub.db, used)  # type: ignore[arg-type]
        assert {s.computed_from for s in sources.values()} == {service.COMPUTED_FROM_EVENTS}
        if value == "teu":
            assert result.growth_pct is not None
            assert format_growth(result.growth_pct, "zh") == growth


def test_months_before_the_tracked_ones_stay_the_operators(demo_hub: DemoHub) -> None:
    query = service.query_from_text("rail", "trains", "2018", filters=["line=义新欧"])
    result = service.measure(demo_hub.db, demo_hub.store, query)
    assert result.value is not None and result.value > 0
    used = {(v.dataset, v.vintage) for v in result.vintages if v.vintage is not None}
    assert {s.computed_from for s in service.vintage_sources(demo_hub.db, used).values()} == {None}


def test_the_briefing_states_its_rail_source(demo_hub: DemoHub) -> None:
    with demo_hub.db.reading() as session:
        computed = [i.id for i in service.list_imports(session, "rail") if i.computed_from]
    assert len(computed) == 1
    for lang, figures, note in (
        ("zh", ("294列", "24466标箱", "增长117.1%", "59列", "4758标箱", "增长60.0%"),
         "由物流跟踪的班列事件计算"),
        ("en", ("294 trains", "24,466 TEU", "up 117.1%", "59 trains", "4,758 TEU", "up 60.0%"),
         "computed from the events of the tracked train runs"),
    ):  # fmt: skip
        made = briefing.briefing(
            demo_hub.db, demo_hub.store, Month(2020, 6), lang=lang, demo=True,
            now=datetime(2020, 7, 20, tzinfo=UTC),
        )  # fmt: skip
        text = briefing.render(made, "md").content
        text = text.decode() if isinstance(text, bytes) else text
        for figure in figures:
            assert figure in text, (lang, figure)
        notes = [n for n in made.vintage_note if note in n]
        assert len(notes) == 1, made.vintage_note
        # It names the computation by its import.
        assert f"#{computed[0]}" in notes[0]


def test_the_measure_api_names_the_computation(demo_client: TestClient) -> None:
    body = demo_client.get(
        "/api/stats/measure",
        params={
            "dataset": "rail",
            "value": "teu",
            "period": "2020年1-6月",
            "filter": "line=义新欧",
        },
    ).json()
    assert body["value"] == 24_466 and body["previous"] == 11_269
    assert {v["computed_from"] for v in body["vintages"]} == {"logistics_events"}
    assert all("tracked train runs" in v["source"] for v in body["vintages"])
    page = demo_client.get(
        "/en/stats", params={"dataset": "rail", "value": "teu", "period": "2020-06"}
    ).text
    assert "computed from the events of the tracked train runs" in page
