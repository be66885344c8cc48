"""The hub's statistical datasets: what each holds, field by field, in both languages.

Each dataset is a table in the analytical store (``silkhub.stores.analytical``), one row per
observation, stored in base units so that sums are exact and the same on every backend:

- money as whole yuan (``money_cny``) or whole US dollars (``money_usd``), int64;
- masses in tonnes (float64), containers in TEU (int64), counts as int64;
- months as the first day of the month (date32), countries as ISO 3166-1 alpha-2 codes.

Every stored row also carries ``vintage``: the id of the import that published it. A month
published again (a revision) comes in a later vintage; queries choose, for each period, the
latest vintage published by the date asked for (``silkhub.stats.vintages``).

``docs/datasets.md`` is generated from these definitions (``scripts/update_docs.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import pyarrow as pa

from silkhub.core.errors import Message, NotFound


class Kind(StrEnum):
    """How a field's text is read and what it is stored as."""

    MONTH = "month"  # "2020-05", "2020年5月", a date; stored as the month's first day
    DATE = "date"
    COUNTRY = "country"  # any name or code silkhub.core.countries resolves; stored as alpha-2
    HS_CODE = "hs_code"  # 2 to 10 digits
    TEXT = "text"
    CHOICE = "choice"  # one of Field.choices (Chinese or English spellings accepted)
    MONEY_CNY = "money_cny"  # stored in whole yuan
    MONEY_USD = "money_usd"  # stored in whole US dollars
    TONNES = "tonnes"
    TEU = "teu"
    COUNT = "count"
    NUMBER = "number"  # a plain quantity in the unit given beside it


ARROW_TYPES: dict[Kind, pa.DataType] = {
    Kind.MONTH: pa.date32(),
    Kind.DATE: pa.date32(),
    Kind.COUNTRY: pa.string(),
    Kind.HS_CODE: pa.string(),
    Kind.TEXT: pa.string(),
    Kind.CHOICE: pa.string(),
    Kind.MONEY_CNY: pa.int64(),
    Kind.MONEY_USD: pa.int64(),
    Kind.TONNES: pa.float64(),
    Kind.TEU: pa.int64(),
    Kind.COUNT: pa.int64(),
    Kind.NUMBER: pa.float64(),
}

#: The unit each measured kind is stored in (a code of silkhub.core.units).
BASE_UNITS: dict[Kind, str] = {
    Kind.MONEY_CNY: "CNY",
    Kind.MONEY_USD: "USD",
    Kind.TONNES: "T",
    Kind.TEU: "TEU",
    Kind.COUNT: "COUNT",
}


@dataclass(frozen=True)
class Choice:
    value: str  # stored
    zh: str
    en: str
    aliases: tuple[str, ...] = ()  # other spellings accepted on input


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    zh: str  # what it means, in Chinese
    en: str
    required: bool = True
    choices: tuple[Choice, ...] = ()
    #: Header names this field is known by, besides its own name and zh/en labels (mapping
    #: files add their own per source).
    headers: tuple[str, ...] = ()

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.kind]

    @property
    def base_unit(self) -> str | None:
        return BASE_UNITS.get(self.kind)

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Dataset:
    name: str
    zh: str
    en: str
    description_zh: str
    description_en: str
    fields: tuple[Field, ...]
    #: Fields that identify one observation (with the period): no two rows of one import may
    #: share them.
    key: tuple[str, ...]
    #: The field that says which period a row belongs to (revisions replace whole periods).
    period_field: str = "month"
    #: At least one of these must have a value on every row.
    one_of: tuple[str, ...] = ()
    non_negative: tuple[str, ...] = field(default=())
    #: A key field whose empty value stands for the whole (the port's cargo of every kind):
    #: the rows of one observation are then either one row without it or rows by its values,
    #: never both, or the whole would be counted twice in every sum.
    whole_when_empty: str | None = None
    #: (measure, dimension, values): the measure may have a value only on rows whose dimension
    #: is empty (the whole) or one of the values (TEU on container rows only).
    only_for: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def arrow_schema(self) -> pa.Schema:
        """The stored table: every field, then the vintage that published the row."""
        return pa.schema(
            [pa.field(f.name, f.arrow_type, nullable=True) for f in self.fields]
            + [pa.field("vintage", pa.int64(), nullable=False)]
        )

    def name_in(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


FLOWS = (
    Choice("export", "出口", "exports", ("出", "export", "exports", "x", "e")),
    Choice("import", "进口", "imports", ("进", "import", "imports", "m", "i")),
)
DIRECTIONS = (
    Choice("outbound", "去程", "outbound", ("去程", "出境", "westbound", "out")),
    Choice("inbound", "回程", "inbound", ("回程", "入境", "eastbound", "in")),
)
#: Cargo kinds of port statistics (the port authorities' 货类 of the monthly tables).
CARGO_KINDS = (
    Choice(
        "containers", "集装箱", "containers", ("集装箱", "集装箱货物", "container", "containerised")
    ),
    Choice("dry_bulk", "干散货", "dry bulk", ("干散货", "干散", "dry bulk", "dry-bulk")),
    Choice(
        "liquid_bulk",
        "液体散货",
        "liquid bulk",
        ("液体散货", "液散", "液体", "liquid bulk", "liquid-bulk"),
    ),
    Choice(
        "general_cargo",
        "件杂货",
        "general cargo",
        ("件杂货", "件杂", "杂货", "general cargo", "breakbulk", "break bulk"),
    ),
)
ODI_KINDS = (
    Choice("new", "新设", "new", ("新设", "新增项目", "new project")),
    Choice("additional", "增资", "additional", ("增资", "追加", "additional investment")),
)

_MONEY_NON_NEGATIVE = ("value_cny", "value_usd")

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "trade",
            "货物贸易",
            "Trade in goods",
            "按月份、进出口、贸易伙伴、商品编码（HS）、地区和贸易方式统计的进出口额。",
            "Exports and imports by month, flow, partner country, HS code, region and trade mode.",
            (
                Field("month", Kind.MONTH, "月份", "Month", headers=("时间", "期间", "Period")),
                Field(
                    "flow",
                    Kind.CHOICE,
                    "进出口",
                    "Flow",
                    choices=FLOWS,
                    headers=("贸易流向", "Trade flow"),
                ),
                Field(
                    "partner",
                    Kind.COUNTRY,
                    "贸易伙伴",
                    "Partner",
                    headers=("国家（地区）", "国别（地区）", "国别", "国家", "Country"),
                ),
                Field(
                    "hs_code",
                    Kind.HS_CODE,
                    "商品编码",
                    "HS code",
                    required=False,
                    headers=("HS编码", "税则号", "HS"),
                ),
                Field(
                    "region",
                    Kind.TEXT,
                    "地区",
                    "City or region",
                    required=False,
                    headers=("地市", "城市", "City"),
                ),
                Field("trade_mode", Kind.TEXT, "贸易方式", "Trade mode", required=False),
                Field(
                    "value_cny",
                    Kind.MONEY_CNY,
                    "金额（人民币）",
                    "Value (CNY)",
                    required=False,
                    headers=("人民币金额", "金额", "Value"),
                ),
                Field(
                    "value_usd",
                    Kind.MONEY_USD,
                    "金额（美元）",
                    "Value (USD)",
                    required=False,
                    headers=("美元金额",),
                ),
                Field("quantity", Kind.NUMBER, "数量", "Quantity", required=False),
                Field(
                    "quantity_unit",
                    Kind.TEXT,
                    "计量单位",
                    "Unit of quantity",
                    required=False,
                    headers=("单位",),
                ),
            ),
            key=("month", "flow", "partner", "hs_code", "region", "trade_mode"),
            one_of=("value_cny", "value_usd"),
            non_negative=(*_MONEY_NON_NEGATIVE, "quantity"),
        ),
        Dataset(
            "odi",
            "境外直接投资备案",
            "Outward direct investment filings",
            "企业境外投资备案：备案日期、企业、目的国、行业、项目、中方投资额（美元）、新设或增资。",
            "Filings of outward direct investment: date, enterprise, destination, sector, "
            "project, amount in US dollars, new or additional.",
            (
                Field(
                    "filing_date", Kind.DATE, "备案日期", "Filing date", headers=("日期", "Date")
                ),
                Field(
                    "enterprise", Kind.TEXT, "企业名称", "Enterprise", headers=("企业", "投资主体")
                ),
                Field(
                    "destination",
                    Kind.COUNTRY,
                    "投资目的国（地区）",
                    "Destination",
                    headers=("目的国", "国家（地区）", "Country"),
                ),
                Field("sector", Kind.TEXT, "行业", "Sector", required=False),
                Field("project", Kind.TEXT, "项目名称", "Project", headers=("项目",)),
                Field(
                    "amount_usd",
                    Kind.MONEY_USD,
                    "中方投资额（美元）",
                    "Amount (USD)",
                    headers=("投资额", "中方投资额", "Amount"),
                ),
                Field(
                    "kind",
                    Kind.CHOICE,
                    "类型",
                    "New or additional",
                    required=False,
                    choices=ODI_KINDS,
                    headers=("备案类型",),
                ),
            ),
            key=("filing_date", "enterprise", "project"),
            period_field="filing_date",
            non_negative=("amount_usd",),
        ),
        Dataset(
            "fdi",
            "实际利用外资",
            "Inward foreign direct investment",
            "按月份和来源国统计的合同外资与实际使用外资（美元）。",
            "Contracted and actually used foreign direct investment by month and source country.",
            (
                Field("month", Kind.MONTH, "月份", "Month"),
                Field(
                    "source",
                    Kind.COUNTRY,
                    "来源国（地区）",
                    "Source country",
                    headers=("国家（地区）", "Country"),
                ),
                Field(
                    "contracted_usd",
                    Kind.MONEY_USD,
                    "合同外资",
                    "Contracted (USD)",
                    required=False,
                    headers=("合同外资额",),
                ),
                Field(
                    "actual_usd",
                    Kind.MONEY_USD,
                    "实际使用外资",
                    "Actually used (USD)",
                    required=False,
                    headers=("实际使用外资额", "实际利用外资"),
                ),
            ),
            key=("month", "source"),
            one_of=("contracted_usd", "actual_usd"),
            non_negative=("contracted_usd", "actual_usd"),
        ),
        Dataset(
            "port",
            "港口吞吐量",
            "Port throughput",
            "按月份、港口和货类统计的货物吞吐量（吨）与集装箱吞吐量（标箱），含外贸部分。"
            "货类为空的行是该港口当月各货类的合计。",
            "Cargo (tonnes) and containers (TEU) handled by month, port and cargo kind, with "
            "foreign trade. A row without a cargo kind is the port's total of every kind.",
            (
                Field("month", Kind.MONTH, "月份", "Month"),
                Field("port", Kind.TEXT, "港口", "Port"),
                Field(
                    "cargo_kind",
                    Kind.CHOICE,
                    "货类",
                    "Cargo kind",
                    required=False,
                    choices=CARGO_KINDS,
                    headers=("货种", "货物种类", "Cargo type"),
                ),
                Field(
                    "cargo_tonnes", Kind.TONNES, "货物吞吐量", "Cargo throughput", required=False
                ),
                Field(
                    "containers_teu",
                    Kind.TEU,
                    "集装箱吞吐量",
                    "Container throughput",
                    required=False,
                ),
                Field(
                    "foreign_trade_tonnes",
                    Kind.TONNES,
                    "外贸货物吞吐量",
                    "Foreign-trade cargo",
                    required=False,
                ),
                Field(
                    "foreign_trade_teu",
                    Kind.TEU,
                    "外贸集装箱吞吐量",
                    "Foreign-trade containers",
                    required=False,
                ),
            ),
            key=("month", "port", "cargo_kind"),
            one_of=("cargo_tonnes", "containers_teu"),
            whole_when_empty="cargo_kind",
            only_for=(
                ("containers_teu", "cargo_kind", ("containers",)),
                ("foreign_trade_teu", "cargo_kind", ("containers",)),
            ),
            non_negative=(
                "cargo_tonnes",
                "containers_teu",
                "foreign_trade_tonnes",
                "foreign_trade_teu",
            ),
        ),
        Dataset(
            "rail",
            "中欧（中亚）班列",
            "Rail freight",
            "按月份、线路、方向和目的国统计的开行列数和标箱数。",
            "Trains run and TEU carried by month, line, direction and destination country.",
            (
                Field("month", Kind.MONTH, "月份", "Month"),
                Field("line", Kind.TEXT, "线路", "Line", headers=("班列", "Service")),
                Field("direction", Kind.CHOICE, "方向", "Direction", choices=DIRECTIONS),
                Field(
                    "destination",
                    Kind.COUNTRY,
                    "目的国",
                    "Destination country",
                    required=False,
                    headers=("国家", "Country"),
                ),
                Field("trains", Kind.COUNT, "开行列数", "Trains", headers=("列数", "开行")),
                Field("teu", Kind.TEU, "标箱", "TEU", headers=("箱量", "发运标箱")),
            ),
            key=("month", "line", "direction", "destination"),
            non_negative=("trains", "teu"),
        ),
        Dataset(
            "air",
            "航空货运",
            "Air cargo",
            "按月份和机场统计的国际货运航线数和货邮吞吐量（吨）。",
            "International cargo routes and cargo handled (tonnes) by month and airport.",
            (
                Field("month", Kind.MONTH, "月份", "Month"),
                Field("airport", Kind.TEXT, "机场", "Airport"),
                Field(
                    "routes",
                    Kind.COUNT,
                    "国际货运航线",
                    "International cargo routes",
                    required=False,
                    headers=("航线数",),
                ),
                Field("cargo_tonnes", Kind.TONNES, "货邮吞吐量", "Cargo and mail", required=False),
            ),
            key=("month", "airport"),
            one_of=("routes", "cargo_tonnes"),
            non_negative=("routes", "cargo_tonnes"),
        ),
        Dataset(
            "ecommerce",
            "跨境电子商务",
            "Cross-border e-commerce",
            "按月份统计的跨境电商进出口额（人民币），可分零售与企业对企业。",
            "Cross-border e-commerce exports and imports (CNY) by month, optionally by mode.",
            (
                Field("month", Kind.MONTH, "月份", "Month"),
                Field(
                    "mode",
                    Kind.TEXT,
                    "模式",
                    "Mode",
                    required=False,
                    headers=("业务模式", "零售/B2B"),
                ),
                Field(
                    "exports_cny",
                    Kind.MONEY_CNY,
                    "出口额",
                    "Exports (CNY)",
                    required=False,
                    headers=("出口",),
                ),
                Field(
                    "imports_cny",
                    Kind.MONEY_CNY,
                    "进口额",
                    "Imports (CNY)",
                    required=False,
                    headers=("进口",),
                ),
            ),
            key=("month", "mode"),
            one_of=("exports_cny", "imports_cny"),
            non_negative=("exports_cny", "imports_cny"),
        ),
    )
}


def dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        valid = ", ".join(DATASETS)
        raise NotFound(
            Message(
                f"没有名为“{name}”的数据集。可用：{valid}。",
                f"No dataset {name!r}. Datasets: {valid}.",
            ),
            code="unknown_dataset",
        ) from None
