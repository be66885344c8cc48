"""The hub's monthly briefing: the year to date through a month, the previous year, the top
partners among the route countries, the shares of the country groups, and which vintages the
figures came from, in Chinese (in the style of the seed article: "1-5月，与“一带一路”沿线国家
进出口3909亿元，增长0.1%…") or in English (in the style of a statistics release).

Every number is computed by the measures (``silkhub.stats.service``) and written by
``silkhub.core.formatting``; nothing is typed in. ``briefing`` builds a ``Briefing`` (plain
sentences, tables and charts, ``briefing_model``); ``render`` turns it into Markdown, HTML
(``briefing_markup``), PDF (``briefing_pdf``) or Excel (``briefing_xlsx``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from silkhub.core import countries, groups
from silkhub.core.errors import InvalidInput, Location, Message
from silkhub.core.formatting import (
    format_amount,
    format_count,
    format_growth,
    format_number,
    format_points,
    format_share,
    round_half_up,
)
from silkhub.core.periods import Month, Period, Year, YearToDate, month_runs
from silkhub.stats import service
from silkhub.stats.briefing_charts import monthly_chart, ranking_chart, yuan_unit, yuan_value
from silkhub.stats.briefing_markup import to_html, to_markdown
from silkhub.stats.briefing_model import Briefing, Cell, Chart, Section, Table
from silkhub.stats.briefing_pdf import to_pdf
from silkhub.stats.briefing_xlsx import to_xlsx
from silkhub.stats.datasets import dataset
from silkhub.stats.headlines import Figure, headline_figures
from silkhub.stats.measures import MeasureQuery, MeasureResult
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database

__all__ = [
    "FORMATS",
    "Briefing",
    "Rendered",
    "Section",
    "Table",
    "briefing",
    "render",
    "to_html",
    "to_markdown",
]

DEMO_LABEL = Message(
    "演示数据（合成），非官方统计", "Demonstration data (synthetic), not official statistics"
)
COMPUTED = Message(
    "由 silkhub 计算生成，数字均由数据计算，未手工录入",
    "Computed by silkhub from the data; no figure is typed in.",
)
NO_DATA = Message("本期暂无已发布的数据。", "No figures have been published for this period.")

#: Headlines the briefing states besides ``HEADLINES`` (added only when HEADLINES lacks them).

#: What a headline's share is a share of, by the group it is a share of (None: all of it).
_SHARE_OF: Mapping[tuple[str, str | None], Message] = {
    ("trade", None): Message("全省外贸", "the province's trade"),
    ("trade", "along_route_64"): Message("与沿线国家贸易", "trade with the route countries"),
    ("odi", None): Message("全省境外投资备案额", "all outward investment filed"),
    ("fdi", None): Message("全省实际使用外资", "all foreign investment used"),
}

#: Decimals of an amount in the year-to-date section, where the source states more than one
#: (ODI filings are stated to the million dollars: "15.19亿美元").
_YTD_DIGITS: Mapping[str, int] = {"route_odi": 2}

#: The previous year's figures, by headline key.
_LAST_YEAR_KEYS = ("route_trade", "route_odi", "port_cargo", "port_teu")

_RAIL_LINES: Mapping[str, Message] = {
    "义新欧": Message("义新欧班列", "Yiwu-Xinjiang-Europe trains"),
    "中亚班列": Message("中亚班列", "Central Asia trains"),
}

_SHARE_GROUPS = ("along_route_64", "china_ceec", "asean", "rcep", "eu")

_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_DASH = "—"


# --- building it ------------------------------------------------------------------------------


def _text(message: Message, lang: str) -> str:
    return message.en if lang == "en" else message.zh


def _check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    return lang


def _month_en(m: Month, *, short: bool = False) -> str:
    name = _EN_MONTHS[m.month - 1]
    return name[:3] if short else name


def period_label(period: Period, lang: str) -> str:
    """ "2020年1-5月" / "January–May 2020" (English months in full, as a release's title)."""
    if isinstance(period, YearToDate) and lang == "en":
        first = _EN_MONTHS[0]
        if period.month == 1:
            return f"{first} {period.year}"
        return f"{first}–{_EN_MONTHS[period.month - 1]} {period.year}"
    return period.label(lang)


def _lead(period: Period, lang: str) -> str:
    """What a sentence of the period starts with: "1-5月" (the year is in the title)."""
    if isinstance(period, YearToDate) and lang != "en":
        return "1月" if period.month == 1 else f"1-{period.month}月"
    return period_label(period, lang)


def _unit(result: MeasureResult) -> str | None:
    return dataset(result.query.dataset).field(result.query.value).base_unit


def _amount(result: MeasureResult, lang: str, digits: int | None = None) -> str:
    assert result.value is not None
    unit = _unit(result)
    if unit is None:
        return format_number(result.value, lang)
    return format_amount(result.value, unit, lang, digits=digits)


def _growth(pct: float | None, lang: str) -> str | None:
    if pct is None:
        return None
    text = format_growth(pct, lang)
    return f"{text} year on year" if lang == "en" and text != "unchanged" else text


def _share(figure: Figure, lang: str) -> str | None:
    result = figure.result
    if result.share_pct is None:
        return None
    of = _SHARE_OF.get((figure.headline.dataset, figure.headline.share_of))
    return format_share(result.share_pct, lang, of=of)


def _sentence(label: str, parts: Sequence[str | None], lang: str, lead: str) -> str:
    kept = [p for p in parts if p]
    if lang == "en":
        return f"{label}: {', '.join(kept)}."
    first, *rest = kept
    return f"{lead}，{label}{first}{''.join('，' + p for p in rest)}。"


def _figure_sentence(figure: Figure, lang: str, lead: str, digits: int | None = None) -> str:
    result = figure.result
    parts = [
        _amount(result, lang, digits),
        _growth(result.growth_pct, lang),
        _share(figure, lang),
    ]
    return _sentence(_text(figure.headline.label, lang), parts, lang, lead)


def _rail_sentence(
    line: str, trains: Figure | None, teu: Figure | None, lang: str, lead: str
) -> str:
    name = _text(_RAIL_LINES.get(line, Message(line, line)), lang)
    parts: list[str] = []
    for fig, counter_zh, noun_en, verb_zh, verb_en in (
        (trains, "列", "trains", "开行", "run"),
        (teu, "", "", "发运", "carried"),
    ):
        if fig is None or fig.result.value is None:
            continue
        result = fig.result
        value = result.value
        assert value is not None
        if counter_zh:
            amount = format_count(value, lang, counter_zh=counter_zh, noun_en=noun_en)
        else:
            amount = _amount(result, lang)
        growth = _growth(result.growth_pct, lang)
        if lang == "en":
            parts.append(f"{amount} {verb_en}" + (f", {growth}" if growth else ""))
        else:
            parts.append(f"{verb_zh}{amount}" + (f"，{growth}" if growth else ""))
    if lang == "en":
        return f"{name}: {'; '.join(parts)}."
    return f"{lead}，{name}{'；'.join(parts)}。"


def _headline_sentences(figures: Sequence[Figure], lang: str, period: Period) -> list[str]:
    """One sentence per figure, in order; a rail line's trains and TEU make one sentence."""
    lead = _lead(period, lang)
    items: list[Figure | str] = []
    rail: dict[str, dict[str, Figure]] = {}
    for fig in figures:
        line = fig.headline.filters.get("line") if fig.headline.dataset == "rail" else None
        if line is not None and fig.headline.value in ("trains", "teu"):
            if line not in rail:
                rail[line] = {}
                items.append(line)
            rail[line][fig.headline.value] = fig
        else:
            items.append(fig)
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            pair = rail[item]
            out.append(_rail_sentence(item, pair.get("trains"), pair.get("teu"), lang, lead))
        else:
            digits = _YTD_DIGITS.get(item.headline.key) if isinstance(period, YearToDate) else None
            out.append(_figure_sentence(item, lang, lead, digits))
    return out


def _rounded(value: float | Decimal | None, digits: int = 1) -> Decimal | None:
    return None if value is None else round_half_up(value, digits)


def _printed(value: Decimal | None, lang: str, digits: int = 1) -> str:
    return _DASH if value is None else format_number(value, lang, digits)


def _country(code: str | None, lang: str) -> str:
    if code is None:
        return _DASH
    found = countries.try_resolve(code)
    return found.name(lang) if found is not None else code


def _top_table(
    db: Database, store: AnalyticalStore, period: YearToDate, lang: str, number: int
) -> Table:
    query = MeasureQuery(
        "trade", "value_cny", period, group="along_route_64", by="partner", filters={}
    )
    top = service.top(db, store, query, 10)
    en = lang == "en"
    values = tuple(
        (
            int(r["rank"]),
            _country(r["partner"], lang),
            yuan_value(r["value"], lang),
            _rounded(r["growth_pct"]),
            _rounded(r["share_pct"]),
        )
        for r in top.to_pylist()
    )
    label = period_label(period, lang)
    table = Table(
        caption=(
            f"Table {number}. Top 10 partners among the Belt and Road countries, {label}"
            if en
            else f"表{number}  {label}与“一带一路”沿线国家进出口前10位国家"
        ),
        columns=(
            (
                "Rank",
                "Partner",
                "Value (CNY billion)",
                "Change on a year earlier (%)",
                "Share of trade with the route countries (%)",
            )
            if en
            else (
                "位次",
                "国家",
                "进出口（亿元）",
                "比上年同期增长（%）",
                "占与沿线国家贸易比重（%）",
            )
        ),
        rows=tuple(_printed_row(row, lang, amount=2) for row in values),
        values=values,
        empty=_text(NO_DATA, lang),
        row_header=1,
    )
    return table


def _printed_row(row: Sequence[Cell], lang: str, *, amount: int) -> tuple[str, ...]:
    """A row of values as the table prints them: the yuan amount (column ``amount``) in
    English to two decimals (billions), every other number to one."""
    out: list[str] = []
    for i, cell in enumerate(row):
        if isinstance(cell, str):
            out.append(cell)
        elif isinstance(cell, int):
            out.append(str(cell))
        else:
            digits = 2 if (lang == "en" and i == amount) else 1
            out.append(_printed(None if cell is None else Decimal(cell), lang, digits))
    return tuple(out)


def _group_table(
    db: Database, store: AnalyticalStore, period: YearToDate, lang: str, number: int
) -> tuple[Table, list[MeasureResult]]:
    en = lang == "en"
    results: list[MeasureResult] = []
    rows: list[tuple[Cell, ...]] = []
    whole: MeasureResult | None = None
    notes: list[str] = []
    for code in _SHARE_GROUPS:
        if not groups.members(code, period.end):
            name = groups.group(code).name(lang)
            notes.append(
                f"{name} had no members in force in the period: not shown."
                if en
                else f"{name}本期尚无生效成员，不列。"
            )
            continue
        query = MeasureQuery("trade", "value_cny", period, group=code)
        result = service.measure(db, store, query)
        results.append(result)
        if result.value is None:
            continue
        whole = whole or result
        rows.append(
            (
                groups.group(code).name(lang),
                yuan_value(result.value, lang),
                _rounded(result.growth_pct),
                _rounded(result.share_pct),
                _rounded(result.share_change_pp),
            )
        )
    if whole is not None and whole.whole is not None:
        rows.insert(
            0,
            (
                "All trade of the province" if en else "全省进出口",
                yuan_value(whole.whole, lang),
                _rounded(whole.whole_growth_pct),
                Decimal("100.0"),
                None,
            ),
        )
    label = period_label(period, lang)
    table = Table(
        caption=(
            f"Table {number}. Trade by country group, {label}"
            if en
            else f"表{number}  {label}全省与各国家组进出口"
        ),
        columns=(
            (
                "Country group",
                "Value (CNY billion)",
                "Change on a year earlier (%)",
                "Share of the province's trade (%)",
                "Change in share (percentage points)",
            )
            if en
            else (
                "国家组",
                "进出口（亿元）",
                "比上年同期增长（%）",
                "占全省外贸比重（%）",
                "比重变动（百分点）",
            )
        ),
        rows=tuple(_printed_row(row, lang, amount=1) for row in rows),
        values=tuple(rows),
        empty=_text(NO_DATA, lang),
        notes=tuple(notes),
    )
    return table, results


def _share_sentences(results: Sequence[MeasureResult], lang: str, period: Period) -> list[str]:
    """How each group's share of the province's trade moved on a year earlier."""
    parts: list[str] = []
    for result in results:
        if result.share_pct is None or result.share_change_pp is None:
            continue
        assert result.query.group is not None
        name = groups.group(result.query.group).name(lang)
        share = format_number(round_half_up(result.share_pct, 1), lang, 1) + "%"
        moved = format_points(result.share_change_pp, lang)
        if lang == "en":
            parts.append(f"{name} {share} ({moved} on a year earlier)")
        else:
            parts.append(f"{name}{share}，比上年同期{moved}")
    if not parts:
        return []
    if lang == "en":
        return [f"Shares of the province's trade: {'; '.join(parts)}."]
    return [f"{_lead(period, lang)}，各国家组占全省外贸的比重：{'；'.join(parts)}。"]


def _run_label(first: Month, last: Month, lang: str) -> str:
    if first == last:
        return f"{_month_en(first)} {first.year}" if lang == "en" else first.label("zh")
    if first.year == last.year:
        if first.month == 1 and last.month == 12:
            return Year(first.year).label(lang)
        if lang == "en":
            return f"{_month_en(first)}–{_month_en(last)} {first.year}"
        return f"{first.year}年{first.month}-{last.month}月"
    if lang == "en":
        return f"{_month_en(first)} {first.year}–{_month_en(last)} {last.year}"
    return f"{first.label('zh')}至{last.label('zh')}"


def _vintage_note(db: Database, results: Iterable[MeasureResult], lang: str) -> list[str]:
    """Per dataset: the months read, the imports they came from and when those were
    published, and how many months were read from a revised version."""
    used: dict[str, dict[Month, tuple[int, datetime | None]]] = {}
    for result in results:
        for v in result.vintages:
            if v.vintage is not None:
                used.setdefault(v.dataset, {})[v.month] = (v.vintage, v.published_at)
    if not used:
        return []
    with db.reading() as session:
        import_of = service.import_ids(session)
        periods = service.vintage_periods(session).to_pylist()
    first_vintage: dict[tuple[str, date], int] = {}
    for p in periods:
        key = (p["dataset"], p["period"])
        first_vintage[key] = min(first_vintage.get(key, p["vintage"]), p["vintage"])
    en = lang == "en"
    notes: list[str] = []
    for name in used:
        months = used[name]
        ids = sorted({import_of[(name, v)] for v, _ in months.values() if (name, v) in import_of})
        days = sorted(p.date() for _, p in months.values() if p is not None)
        revised = sum(
            1 for m, (v, _) in months.items() if first_vintage.get((name, m.start), v) != v
        )
        ranges = [_run_label(a, b, lang) for a, b in month_runs(months)]
        ds = dataset(name).name_in(lang)
        if en:
            text = (
                f"Data versions: {ds}, {', '.join(ranges)}; each month as last published"
                f" ({len(ids)} imports, #{ids[0]}–#{ids[-1]}"
                if ids
                else f"Data versions: {ds}, {', '.join(ranges)}; each month as last published ("
            )
            if days:
                text += f", published {days[0].isoformat()} to {days[-1].isoformat()}"
            text += ")"
            if revised:
                text += (
                    f"; {revised} month{'s' if revised > 1 else ''} revised since first published"
                )
            notes.append(text + ".")
        else:
            text = f"数据版本：{ds} {'、'.join(ranges)}，各月取已发布的最新版本（"
            inner: list[str] = []
            if ids:
                inner.append(f"导入 #{ids[0]}…#{ids[-1]}，共{len(ids)}次")
            if days:
                inner.append(f"发布于{days[0].isoformat()}至{days[-1].isoformat()}")
            text += "，".join(inner) + "）"
            if revised:
                text += f"，其中{revised}个月为修订后的版本"
            notes.append(text + "。")
        notes += _computed_note(db, name, months, lang)
    return notes


def _computed_note(
    db: Database, name: str, months: dict[Month, tuple[int, datetime | None]], lang: str
) -> list[str]:
    """Which of a dataset's months silkhub computed itself (the rail figures, from the tracked
    train runs' events) rather than read from a file someone reported: said in so many words,
    since the two are different kinds of source. The computation is named by its import
    number (its source's name, with the number of runs, is in the imports' list and the API:
    the briefing's own demonstration label is its ``demo`` flag's business)."""
    sources = service.vintage_sources(db, {(name, v) for v, _ in months.values()})
    computed = {m: sources[(name, v)] for m, (v, _) in months.items() if (name, v) in sources}
    derived = sorted(m for m, s in computed.items() if s.computed)
    if not derived:
        return []
    ranges = [_run_label(a, b, lang) for a, b in month_runs(derived)]
    ids = sorted({computed[m].import_id for m in derived})
    names = [f"#{i}" for i in ids]
    rest = len(months) - len(derived)
    ds = dataset(name).name_in(lang)
    if lang == "en":
        text = (
            f"Source: {ds}, {', '.join(ranges)} computed from the events of the tracked train "
            f"runs (import {', '.join(names)})"
        )
        if rest:
            text += f"; the other {rest} month{'s' if rest > 1 else ''} from the files reported"
        return [text + "."]
    text = f"数据来源：{ds} {'、'.join(ranges)}由物流跟踪的班列事件计算（导入 {'、'.join(names)}）"
    if rest:
        text += f"，其余{rest}个月取自报送的文件"
    return [text + "。"]


def _table_charts(top: Table, shares: Table, lang: str, label: str) -> tuple[Chart, ...]:
    """Figure 2, the top partners, and figure 3, the groups' shares, drawn from their tables."""
    en = lang == "en"
    charts = (
        ranking_chart(
            top,
            2,
            caption=(
                f"Figure 2. Top 10 partners among the route countries, {label}"
                if en
                else f"图2  {label}与沿线国家进出口前10位国家"
            ),
            unit=yuan_unit(lang),
            description=(
                f"Bars: the ten largest route-country partners by trade, in {yuan_unit(lang)}, "
                "largest first; the figures are in table 1."
                if en
                else "条形图：与沿线国家进出口额前10位的国家（亿元），由大到小，数据见表1。"
            ),
        ),
        ranking_chart(
            shares,
            3,
            # The first row is the province's whole trade, 100 per cent: not a bar.
            skip=1 if shares.values and shares.values[0][3] == Decimal("100.0") else 0,
            caption=(
                f"Figure 3. Shares of the country groups in the province's trade, {label}"
                if en
                else f"图3  {label}各国家组占全省外贸比重"
            ),
            unit="%",
            description=(
                "Bars: each country group's share of the province's trade, in per cent; "
                "the figures are in table 2."
                if en
                else "条形图：各国家组占全省外贸的比重（%），数据见表2。"
            ),
        ),
    )
    return tuple(c for c in charts if c is not None)


def briefing(
    db: Database,
    store: AnalyticalStore,
    month: Month,
    *,
    lang: str,
    demo: bool,
    now: datetime | None = None,
) -> Briefing:
    """The monthly briefing for the year to date through ``month``, in ``lang`` ("zh" or
    "en"); ``demo`` puts the demonstration label under the title."""
    lang = _check_lang(lang)
    en = lang == "en"
    period = YearToDate(month.year, month.month)
    last_year = Year(month.year - 1)
    generated = now or datetime.now(UTC)
    label = period_label(period, lang)
    title = (
        f"Belt and Road hub monthly briefing, {label}"
        if en
        else f"浙江“一带一路”枢纽建设月度简报（{label}）"
    )
    used: list[MeasureResult] = []

    figures = headline_figures(db, store, period)
    used += [f.result for f in figures]
    monthly = monthly_chart(db, store, period, lang, 1, label)
    headlines = Section(
        heading=f"Headline figures, {label}" if en else f"一、{label}主要指标",
        sentences=tuple(_headline_sentences(figures, lang, period) or [_text(NO_DATA, lang)]),
        charts=(monthly,) if monthly else (),
    )

    previous = [
        f for f in headline_figures(db, store, last_year) if f.headline.key in _LAST_YEAR_KEYS
    ]
    used += [f.result for f in previous]
    year_label = period_label(last_year, lang)
    last = Section(
        heading=f"The year {year_label}" if en else f"二、{year_label}全年",
        sentences=tuple(_headline_sentences(previous, lang, last_year) or [_text(NO_DATA, lang)]),
    )

    top = _top_table(db, store, period, lang, 1)
    shares, group_results = _group_table(db, store, period, lang, 2)
    used += group_results
    tables = Section(
        heading="Trade by partner and by country group" if en else "三、分国别和国家组进出口",
        sentences=tuple(_share_sentences(group_results, lang, period)),
        tables=(top, shares),
        charts=_table_charts(top, shares, lang, label),
    )
    has_data = bool(figures or previous or top.rows or shares.rows)
    stamp = generated.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    footer = f"Generated {stamp}. {COMPUTED.en}" if en else f"生成时间：{stamp}。{COMPUTED.zh}。"
    return Briefing(
        lang=lang,
        month=month,
        period=period,
        title=title,
        demo_label=_text(DEMO_LABEL, lang) if demo else None,
        sections=(headlines, last, tables),
        vintage_note=tuple(_vintage_note(db, used, lang)),
        footer=footer,
        generated_at=generated,
        has_data=has_data,
        datasets=tuple(dict.fromkeys(v.dataset for r in used for v in r.vintages)),
    )


@dataclass(frozen=True)
class Rendered:
    content: bytes
    media_type: str
    #: The file name a download gets: "silkhub-briefing-2020-05-zh.pdf".
    filename: str


#: Formats a briefing is rendered in: name -> (media type, renderer to bytes).
FORMATS: Mapping[str, tuple[str, Callable[[Briefing], bytes]]] = {
    "md": ("text/markdown; charset=utf-8", lambda b: to_markdown(b).encode()),
    "html": ("text/html; charset=utf-8", lambda b: to_html(b).encode()),
    "pdf": ("application/pdf", to_pdf),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
}


def check_format(fmt: str, *, field: str = "format") -> str:
    """``fmt`` if it is one of ``FORMATS``; otherwise ``InvalidInput`` naming ``field``."""
    if fmt not in FORMATS:
        names = "、".join(FORMATS)
        raise InvalidInput.single(
            "unknown_format",
            Message(
                f"格式须为 {names} 之一，而不是“{fmt}”。",
                f"The format must be one of {', '.join(FORMATS)}, not {fmt!r}.",
            ),
            location=Location(field=field),
            value=fmt,
        )
    return fmt


def render(b: Briefing, fmt: str) -> Rendered:
    """The briefing in format ``fmt`` ("md", "html", "pdf" or "xlsx")."""
    media_type, renderer = FORMATS[check_format(fmt)]
    name = f"silkhub-briefing-{b.month.code}-{b.lang}.{fmt}"
    return Rendered(renderer(b), media_type, name)
