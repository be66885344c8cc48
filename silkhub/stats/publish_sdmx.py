"""SDMX: the hub's datasets as SDMX-ML 2.1 structures and data, and as SDMX-CSV 2.0.

Written with the ``sdmx1`` package (``import sdmx``); agency ``SILKHUB``, version ``1.0``.

Structure (``sdmx_structure``), per dataset ``<D>`` (``TRADE``, ``RAIL``...):

- ``DSD_<D>``: a data structure whose dimensions are the dataset's key fields other than its
  period field (ids upper-cased: ``FLOW``, ``PARTNER``, ``HS_CODE``...), then ``MEASURE``
  (which measured field: ``VALUE_CNY``, ``VALUE_USD``...; codelist ``CL_MEASURE_<D>``), then
  ``TIME_PERIOD``; primary measure ``OBS_VALUE``; attributes ``UNIT_MEASURE`` (by series,
  codelist ``CL_UNIT_MEASURE``) and ``VINTAGE`` (by observation: the import the figure comes
  from, since each month may come from another one). ``MEASURE`` is there so that one dataflow
  per dataset can carry each of its measured fields without two series sharing a key; only
  fields with a unit of their own are measures (trade's ``quantity`` is in a unit that varies
  by row, so it is not published in SDMX).
- ``DF_<D>``: its dataflow; ``CS_<D>``: its concepts (names of the fields in both languages).
- Shared codelists, every name in Chinese and English (``xml:lang`` "zh" and "en"):
  ``CL_AREA`` (ISO 3166-1 alpha-2, from ``silkhub.core.countries``, plus ``_Z`` "not
  applicable" for a row without a country), ``CL_FLOW``, ``CL_DIRECTION``, ``CL_CARGO_KIND``,
  ``CL_UNIT_MEASURE``
  (CNY, USD, T, TEU, COUNT).
- Text key fields (``hs_code``, ``region``, ``line``...) are free text; a missing value is
  written ``_Z``, the SDMX code for "not applicable". The port's ``CARGO_KIND`` (codelist
  ``CL_CARGO_KIND``: ``CONTAINERS``, ``DRY_BULK``, ``LIQUID_BULK``, ``GENERAL_CARGO``) writes
  a row without a kind, the port's total, as ``_T``, the SDMX code for "total".

Data (``sdmx_data``) is SDMX-ML 2.1 *structure-specific* data (what ECB, Eurostat and the IMF
exchange; it needs the structure to be read, as ``sdmx.read_sdmx(data, structure=dsd)`` does),
one series per key, observations by month (``TIME_PERIOD`` "2020-05"; ODI, whose period field
is a date, by day "2020-05-17"). Rows whose measured field is empty give no observation.

SDMX-CSV 2.0 (``sdmx_csv``) is written here, not by ``sdmx1``: its writer gives floats for
integer yuan and returns a pandas text table rather than CSV. Columns as the SDMX-CSV 2.0
specification orders them: ``STRUCTURE`` ("dataflow"), ``STRUCTURE_ID``
("SILKHUB:DF_TRADE(1.0)"), ``ACTION`` ("I"), the dimensions, ``OBS_VALUE``, the attributes;
UTF-8 without a byte-order mark, as the specification asks.

Demonstration data: the message header's ``Source`` says so in both languages, ``Test`` is
true, the header id starts with ``DEMO-``, and in a structure each dataflow carries an
annotation of type ``SILKHUB_DEMO``. (``sdmx1`` cannot read annotations on a data set back, so
the data message does not carry one there.) SDMX-CSV has no metadata: its file name says it
(``publish.download_name``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeAlias

import pyarrow as pa

from silkhub.core import countries
from silkhub.core.errors import InvalidInput, Location, Message
from silkhub.stats.datasets import Choice, Dataset, Field, Kind, dataset
from silkhub.stats.publish import DEMO_LABEL, PUBLISHER, dataset_rows
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database

# sdmx1 ships a py.typed marker, but its model classes are built dynamically (dataclass
# descriptors, DictLike) and strict mypy rejects much of their use; these aliases say what is
# meant and keep the untyped surface in this module.
SdmxObject: TypeAlias = Any  # an instance of a class of sdmx.model (v21 or common)
SdmxMessage: TypeAlias = Any  # sdmx.message.StructureMessage or DataMessage

__all__ = [
    "AGENCY",
    "VERSION",
    "sdmx_csv",
    "sdmx_data",
    "sdmx_structure",
]

AGENCY = "SILKHUB"
VERSION = "1.0"
NOT_APPLICABLE = "_Z"
_UNIT_NAMES = {
    "CNY": ("元（人民币）", "Yuan renminbi"),
    "USD": ("美元", "US dollar"),
    "T": ("吨", "Tonnes"),
    "TEU": ("标准箱", "Twenty-foot equivalent units"),
    "COUNT": ("个（列、条）", "Number"),
}
_CHOICE_LISTS = {"flow": "CL_FLOW", "direction": "CL_DIRECTION", "cargo_kind": "CL_CARGO_KIND"}
#: The SDMX code for a total: a port's row without a cargo kind is its cargo of every kind.
TOTAL = "_T"


def _sdmx() -> tuple[Any, Any, Any, Any, Any]:
    """sdmx1's modules, imported on first use (it loads pandas, which takes a moment)."""
    import sdmx
    from sdmx import message
    from sdmx.model import common, v21
    from sdmx.model.internationalstring import InternationalString

    return sdmx, message, common, v21, InternationalString


def _is(zh: str, en: str) -> SdmxObject:
    *_, international = _sdmx()
    return international(zh=zh, en=en)


def _agency() -> SdmxObject:
    common = _sdmx()[2]
    return common.Agency(id=AGENCY, name=_is(PUBLISHER.zh, PUBLISHER.en))


def _maintained(agency: SdmxObject) -> dict[str, Any]:
    return {"maintainer": agency, "version": VERSION, "is_final": True}


def _codelist(
    list_id: str, zh: str, en: str, codes: Iterable[tuple[str, str, str]], agency: SdmxObject
) -> SdmxObject:
    common = _sdmx()[2]
    codelist = common.Codelist(id=list_id, name=_is(zh, en), **_maintained(agency))
    for code, code_zh, code_en in codes:
        codelist.append(common.Code(id=code, name=_is(code_zh, code_en)))
    return codelist


def dimension_id(f: Field) -> str:
    return f.name.upper()


def measure_fields(ds: Dataset) -> list[Field]:
    """The fields SDMX publishes as measures: those with a unit of their own."""
    return [f for f in ds.fields if f.base_unit is not None]


def _key_fields(ds: Dataset) -> list[Field]:
    return [ds.field(k) for k in ds.key if k != ds.period_field]


def _check_measure(ds: Dataset, name: str) -> Field:
    for f in measure_fields(ds):
        if f.name == name:
            return f
    valid = ", ".join(f.name for f in measure_fields(ds))
    raise InvalidInput.single(
        "not_an_sdmx_measure",
        Message(
            f"“{name}”不是数据集“{ds.name}”可发布为 SDMX 的数值字段。可用：{valid}。",
            f"{name!r} is not a measured field of dataset {ds.name!r} SDMX publishes. "
            f"Fields: {valid}.",
        ),
        location=Location(field="measure_field"),
        value=name,
    )


class _Shared:
    """The codelists every dataset's structure refers to."""

    def __init__(self, agency: SdmxObject) -> None:
        area = [(c.alpha2, c.name_zh, c.name_en) for c in countries.all_countries()]
        area.append((NOT_APPLICABLE, "不适用", "Not applicable"))
        self.area = _codelist("CL_AREA", "国家和地区", "Countries and areas", area, agency)
        self.units = _codelist(
            "CL_UNIT_MEASURE",
            "计量单位",
            "Unit of measure",
            [(code, zh, en) for code, (zh, en) in _UNIT_NAMES.items()],
            agency,
        )
        self.choices: dict[str, SdmxObject] = {}
        ds = dataset("trade")
        rail = dataset("rail")
        port = dataset("port")
        for f, (zh, en), extra in (
            (ds.field("flow"), ("进出口", "Trade flow"), []),
            (rail.field("direction"), ("方向", "Direction"), []),
            (
                port.field("cargo_kind"),
                ("货类", "Cargo kind"),
                [(TOTAL, "合计（各货类）", "Total (every kind)")],
            ),
        ):
            self.choices[f.name] = _codelist(
                _CHOICE_LISTS[f.name], zh, en, _choice_codes(f.choices) + extra, agency
            )

    def all(self) -> list[SdmxObject]:
        return [self.area, *self.choices.values(), self.units]


def _choice_codes(choices: Sequence[Choice]) -> list[tuple[str, str, str]]:
    return [(c.value.upper(), c.zh, c.en) for c in choices]


def _text_representation() -> SdmxObject:
    common = _sdmx()[2]
    return common.Representation(
        non_enumerated=[common.Facet(value_type=common.FacetValueType.string)]
    )


def _structure_objects(ds: Dataset, shared: _Shared, agency: SdmxObject) -> list[SdmxObject]:
    """The concept scheme, measure codelist, data structure and dataflow of ``ds``."""
    _, _, common, v21, _ = _sdmx()
    upper = ds.name.upper()
    concepts = common.ConceptScheme(
        id=f"CS_{upper}", name=_is(f"{ds.zh}：概念", f"{ds.en}: concepts"), **_maintained(agency)
    )

    def concept(concept_id: str, zh: str, en: str) -> SdmxObject:
        item = common.Concept(id=concept_id, name=_is(zh, en))
        concepts.append(item)
        return item

    measures = _codelist(
        f"CL_MEASURE_{upper}",
        f"{ds.zh}：指标",
        f"{ds.en}: measures",
        [(dimension_id(f), f.zh, f.en) for f in measure_fields(ds)],
        agency,
    )
    dsd = v21.DataStructureDefinition(
        id=f"DSD_{upper}", name=_is(ds.zh, ds.en), **_maintained(agency)
    )
    dsd.description = _is(ds.description_zh, ds.description_en)
    series_dims = []
    for order, f in enumerate(_key_fields(ds)):
        if f.kind is Kind.COUNTRY:
            rep = common.Representation(enumerated=shared.area)
        elif f.kind is Kind.CHOICE and f.name in shared.choices:
            rep = common.Representation(enumerated=shared.choices[f.name])
        else:
            rep = _text_representation()
        series_dims.append(
            dsd.dimensions.getdefault(
                id=dimension_id(f),
                concept_identity=concept(dimension_id(f), f.zh, f.en),
                local_representation=rep,
                order=order,
            )
        )
    series_dims.append(
        dsd.dimensions.getdefault(
            id="MEASURE",
            concept_identity=concept("MEASURE", "指标", "Measure"),
            local_representation=common.Representation(enumerated=measures),
            order=len(series_dims),
        )
    )
    period = ds.field(ds.period_field)
    dsd.dimensions.getdefault(
        id="TIME_PERIOD",
        cls=common.TimeDimension,
        concept_identity=concept("TIME_PERIOD", period.zh, f"Time period ({period.en})"),
        order=len(series_dims),
    )
    dsd.measures.getdefault(
        id="OBS_VALUE", concept_identity=concept("OBS_VALUE", "观测值", "Observation value")
    )
    dsd.attributes.getdefault(
        id="UNIT_MEASURE",
        concept_identity=concept("UNIT_MEASURE", "计量单位", "Unit of measure"),
        local_representation=common.Representation(enumerated=shared.units),
        related_to=common.DimensionRelationship(dimensions=series_dims),
        usage_status=common.UsageStatus.mandatory,
    )
    dsd.attributes.getdefault(
        id="VINTAGE",
        concept_identity=concept(
            "VINTAGE", "数据版本（导入批次编号）", "Vintage (id of the import that published it)"
        ),
        local_representation=_text_representation(),
        related_to=v21.PrimaryMeasureRelationship(),
        usage_status=common.UsageStatus.conditional,
    )
    flow = v21.DataflowDefinition(
        id=f"DF_{upper}", name=_is(ds.zh, ds.en), structure=dsd, **_maintained(agency)
    )
    flow.description = _is(ds.description_zh, ds.description_en)
    return [concepts, measures, dsd, flow]


def _demo_annotation() -> SdmxObject:
    v21 = _sdmx()[3]
    return v21.Annotation(id="DEMO", type="SILKHUB_DEMO", text=_is(DEMO_LABEL.zh, DEMO_LABEL.en))


def _header(kind: str, agency: SdmxObject, demo: bool, source: tuple[str, str]) -> SdmxObject:
    message = _sdmx()[1]
    now = datetime.now(UTC)
    ident = f"{'DEMO-' if demo else ''}{kind}-{now:%Y%m%dT%H%M%S}"
    text = (DEMO_LABEL.zh, DEMO_LABEL.en) if demo else source
    return message.Header(id=ident, prepared=now, sender=agency, source=_is(*text), test=demo)


def _structure_message(names: Sequence[str], demo: bool) -> tuple[SdmxMessage, dict[str, Any]]:
    message = _sdmx()[1]
    agency = _agency()
    shared = _Shared(agency)
    msg = message.StructureMessage(
        header=_header("STRUCTURE", agency, demo, (PUBLISHER.zh, PUBLISHER.en))
    )
    for item in shared.all():
        msg.add(item)
    flows: dict[str, Any] = {}
    for name in dict.fromkeys(names):
        ds = dataset(name)
        for item in _structure_objects(ds, shared, agency):
            msg.add(item)
        flow = msg.dataflow[f"DF_{ds.name.upper()}"]
        if demo:
            flow.annotations.append(_demo_annotation())
        flows[ds.name] = flow
    return msg, flows


def sdmx_structure(dataset_names: Sequence[str], *, demo: bool) -> bytes:
    """An SDMX-ML 2.1 Structure message for ``dataset_names`` (see the module docstring)."""
    sdmx = _sdmx()[0]
    msg, _ = _structure_message(dataset_names, demo)
    data: bytes = sdmx.to_xml(msg, pretty_print=True)
    return data


def _time_period(value: object) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise TypeError(f"not a date: {value!r}")
    return value.isoformat()


def _observations(
    table: pa.Table, ds: Dataset, measure: Field
) -> list[tuple[tuple[str, ...], str, object, int]]:
    """(series key values, time period, value, vintage) per row with a value, in order."""
    keys = _key_fields(ds)
    period_is_month = ds.field(ds.period_field).kind is Kind.MONTH
    found = []
    for row in table.to_pylist():
        value = row[measure.name]
        if value is None or (isinstance(value, float) and value != value):
            continue
        series: list[str] = []
        for f in keys:
            cell = row[f.name]
            if (cell is None or cell == "") and f.name == ds.whole_when_empty:
                series.append(TOTAL)
            elif cell is None or cell == "":
                series.append(NOT_APPLICABLE)
            elif f.kind is Kind.CHOICE and f.name in _CHOICE_LISTS:
                series.append(str(cell).upper())
            else:
                series.append(str(cell))
        series.append(dimension_id(measure))
        period = _time_period(row[ds.period_field])
        found.append(
            (tuple(series), period[:7] if period_is_month else period, value, row["vintage"])
        )
    found.sort(key=lambda o: (o[0], o[1]))
    return found


def sdmx_data(
    db: Database,
    store: AnalyticalStore,
    name: str,
    measure_field: str,
    *,
    as_of: datetime | None = None,
    demo: bool,
) -> bytes:
    """SDMX-ML 2.1 structure-specific data of one measured field of dataset ``name``, from
    the rows current as of ``as_of`` (``publish.dataset_rows``)."""
    sdmx, message, common, v21, _ = _sdmx()
    ds = dataset(name)
    measure = _check_measure(ds, measure_field)
    _, flows = _structure_message([ds.name], demo)
    flow = flows[ds.name]
    dsd = flow.structure
    table = dataset_rows(db, store, ds.name, as_of=as_of)
    data_set = v21.StructureSpecificDataSet(structured_by=dsd, described_by=flow)
    unit = dsd.attributes.get("UNIT_MEASURE")
    vintage = dsd.attributes.get("VINTAGE")
    primary = dsd.measures.get("OBS_VALUE")
    dim_ids = [d.id for d in dsd.dimensions.components if d.id != "TIME_PERIOD"]
    by_series: dict[tuple[str, ...], list[Any]] = {}
    for key, period, value, row_vintage in _observations(table, ds, measure):
        by_series.setdefault(key, []).append((period, value, row_vintage))
    for key, observations in by_series.items():
        series_key = dsd.make_key(common.SeriesKey, dict(zip(dim_ids, key, strict=True)))
        series_key.attrib["UNIT_MEASURE"] = common.AttributeValue(
            value=measure.base_unit, value_for=unit
        )
        data_set.add_obs(
            [
                v21.Observation(
                    series_key=series_key,
                    dimension=dsd.make_key(common.Key, {"TIME_PERIOD": period}),
                    value=value,
                    value_for=primary,
                    attached_attribute={
                        "VINTAGE": common.AttributeValue(value=str(v), value_for=vintage)
                    },
                )
                for period, value, v in observations
            ],
            series_key,
        )
    source = (
        f"{PUBLISHER.zh}：{ds.zh}，{measure.zh}",
        f"{PUBLISHER.en}: {ds.en}, {measure.en}",
    )
    msg = message.DataMessage(
        header=_header(f"DATA-{ds.name.upper()}", flow.maintainer, demo, source),
        data=[data_set],
        dataflow=flow,
        observation_dimension=dsd.dimensions.get("TIME_PERIOD"),
    )
    data: bytes = sdmx.to_xml(msg, pretty_print=True)
    return data


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 2**53 else repr(value)
    return str(value)


def sdmx_csv(
    db: Database,
    store: AnalyticalStore,
    name: str,
    measure_field: str,
    *,
    as_of: datetime | None = None,
    demo: bool,
) -> bytes:
    """The same observations as ``sdmx_data``, as SDMX-CSV 2.0 (see the module docstring).

    ``demo`` changes nothing inside: SDMX-CSV has no metadata to hold the label, so the
    caller names the file with ``publish.download_name(..., demo=True)``.
    """
    del demo  # labelled by the file name only; see the docstring
    ds = dataset(name)
    measure = _check_measure(ds, measure_field)
    table = dataset_rows(db, store, ds.name, as_of=as_of)
    dims = [dimension_id(f) for f in _key_fields(ds)] + ["MEASURE", "TIME_PERIOD"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["STRUCTURE", "STRUCTURE_ID", "ACTION", *dims, "OBS_VALUE", "UNIT_MEASURE", "VINTAGE"]
    )
    structure_id = f"{AGENCY}:DF_{ds.name.upper()}({VERSION})"
    for key, period, value, vintage in _observations(table, ds, measure):
        writer.writerow(
            [
                "dataflow",
                structure_id,
                "I",
                *key,
                period,
                _number_text(value),
                measure.base_unit,
                str(vintage),
            ]
        )
    return out.getvalue().encode("utf-8")
