"""TBT and SPS notifications imported from CSV and JSON exports."""

from __future__ import annotations

import json

import pytest

from silkhub.alerts import notices_import
from silkhub.core.errors import InvalidInput
from silkhub.stores.database import Database
from tests.alerts.conftest import Cast

CSV = (
    "symbol,notifying_member,title_en,products,hs_codes,objective,comment_deadline\n"
    "G/TBT/N/EU/1001,EU,Toy safety,Toys,9503,Safety,2020-07-01\n"
    "G/TBT/N/EU/1001/Add.1,EU,Toy safety (addendum),Toys,9503,Safety,\n"
)


def test_csv_import_links_an_addendum_to_its_original(store: Database, cast: Cast) -> None:
    with store.transaction() as s:
        items = notices_import.import_notices(s, cast.editor, CSV.encode(), "eping.csv")
        original, addendum = items
        assert addendum.original_id == original.id
        assert original.kind == "tbt" and original.hs_codes == "9503"
        assert addendum.versions[0].content["notice"]["notice_type"] == "addendum"


def test_errors_name_file_row_and_field_and_nothing_is_written(store: Database, cast: Cast) -> None:
    bad = CSV + "G/TBT/N/EU/2002/Add.1,EU,Orphan,,95x3,,2020-13-40\n"
    with store.transaction() as s, pytest.raises(InvalidInput) as caught:
        notices_import.import_notices(s, cast.editor, bad.encode(), "eping.csv")
    where = {(p.location.file, p.location.row, p.location.field) for p in caught.value.problems}
    assert ("eping.csv", 4, "symbol") in where  # the original is missing
    assert ("eping.csv", 4, "hs_codes[0]") in where
    assert ("eping.csv", 4, "comment_deadline") in where
    with store.transaction() as s:  # nothing was written: the good rows import now
        assert len(notices_import.import_notices(s, cast.editor, CSV.encode(), "eping.csv")) == 2


def test_json_export(store: Database, cast: Cast) -> None:
    data = json.dumps(
        {"notifications": [{"symbol": "G/SPS/N/JPN/700", "title_en": "MRLs", "hs_codes": ["0805"]}]}
    )
    with store.transaction() as s:
        (item,) = notices_import.import_notices(s, cast.editor, data.encode(), "export.json")
    assert item.kind == "sps" and item.symbol == "G/SPS/N/JPN/700" and item.countries == "JP"


def test_publishing_keeps_the_symbol_and_the_link(store: Database, cast: Cast) -> None:
    from silkhub.alerts import service

    with store.transaction() as s:
        items = notices_import.import_notices(s, cast.editor, CSV.encode(), "eping.csv")
        for item in items:
            service.submit(s, cast.editor, item.uid)
            service.approve(s, cast.approver, item.uid)
            service.publish(s, cast.approver, item.uid)
        assert [i.symbol for i in items] == ["G/TBT/N/EU/1001", "G/TBT/N/EU/1001/Add.1"]
        assert items[1].original_id == items[0].id
