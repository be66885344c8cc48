"""Value and quantity by commodity and month, over the demo's trade: the items add up to the
measure of the same query (same vintages, same group as of each month)."""

from __future__ import annotations

import pyarrow.compute as pc

from silkhub.core.periods import Month, Year
from silkhub.stats import service
from silkhub.stats.measures import MeasureQuery
from tests.conftest import DemoHub


def test_items_add_up_to_the_measure(demo_hub: DemoHub) -> None:
    for flow in ("export", "import"):
        query = MeasureQuery(
            "trade", "value_cny", Year(2019), group="bri_partners", filters={"flow": flow}
        )
        months = [Month(2019, m) for m in range(1, 13)]
        table = service.item_months(
            demo_hub.db, demo_hub.store, flow=flow, group="bri_partners", months=months
        )
        assert table.column_names == [
            "month",
            "hs_code",
            "quantity_unit",
            "value",
            "priced_value",
            "quantity",
        ]
        assert (
            pc.sum(table["value"]).as_py()
            == service.measure(demo_hub.db, demo_hub.store, query).value
        )
        assert pc.all(pc.less_equal(table["priced_value"], table["value"])).as_py()
        assert pc.min(table["quantity"]).as_py() >= 0
        assert len(set(table["month"].to_pylist())) == 12
