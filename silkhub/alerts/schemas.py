"""The content of an item version, and its check.

Content arrives as a mapping (a JSON body, a form, a row of an import). ``parse_content`` turns
it into an ``ItemContent`` and a ``Report`` of every problem, each naming its field
(``title.en``, ``countries[2]``), in both languages. Nothing is written from content with errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from silkhub.alerts.cap import Category, Severity
from silkhub.alerts.models import Confidentiality, ItemKind
from silkhub.core import countries as country_names
from silkhub.core import groups as country_groups
from silkhub.core.errors import Location, Message, NotFound, Problem, Report

URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
#: What CAP's urgency and certainty codes say, for the pages. The codes themselves stay as CAP
#: writes them: in the store, the CAP document, the API and the form's values.
URGENCY_NAMES: dict[str, Message] = {
    "Immediate": Message("立即", "Immediate"),
    "Expected": Message("即将", "Expected"),
    "Future": Message("将来", "Future"),
    "Past": Message("已过去", "Past"),
    "Unknown": Message("未知", "Unknown"),
}
CERTAINTY_NAMES: dict[str, Message] = {
    "Observed": Message("已发生", "Observed"),
    "Likely": Message("很可能", "Likely"),
    "Possible": Message("可能", "Possible"),
    "Unlikely": Message("不太可能", "Unlikely"),
    "Unknown": Message("未知", "Unknown"),
}
NOTICE_TYPES = ("new", "addendum", "corrigendum", "revision")
#: WTO document symbols: G/TBT/N/<member>/<number>[/Add.n|/Corr.n|/Rev.n]
SYMBOL = re.compile(r"^G/(TBT|SPS)/N/[A-Z]{2,3}/\d+(?:/(?:Add|Corr|Rev)\.\d+)*$")
HS_CODE = re.compile(r"^\d{2,10}$")
MAX_TITLE = 300


@dataclass(frozen=True)
class Bilingual:
    zh: str = ""
    en: str = ""

    def in_(self, lang: str) -> str:
        return (self.en or self.zh) if lang == "en" else (self.zh or self.en)


@dataclass(frozen=True)
class Source:
    name: str
    url: str | None = None


@dataclass(frozen=True)
class Notice:
    """The WTO facts of a TBT or SPS notification."""

    symbol: str
    notifying_member: str
    notice_type: str = "new"
    products: str = ""
    objective: str = ""
    comment_deadline: date | None = None
    proposed_adoption: date | None = None
    entry_into_force: date | None = None
    text_url: str | None = None


@dataclass(frozen=True)
class ItemContent:
    title: Bilingual
    body: Bilingual
    advice: Bilingual = field(default_factory=Bilingual)
    countries: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    category: Category | None = None
    severity: Severity | None = None
    urgency: str = "Unknown"
    certainty: str = "Unknown"
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    hs_codes: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    notice: Notice | None = None
    confidentiality: Confidentiality = Confidentiality.PUBLIC
    target_lists: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The form stored in ``alert_versions.content`` (dates as ISO strings)."""
        data = asdict(self)
        return _jsonable(data)  # type: ignore[no-any-return]

    def all_countries(self, as_of: date) -> frozenset[str]:
        """The countries named, and the members of the groups named, on ``as_of``."""
        found = set(self.countries)
        for code in self.groups:
            found |= country_groups.members(code, as_of)
        return frozenset(found)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class _Checker:
    def __init__(self, base: Location) -> None:
        self.base = base
        self.report = Report()

    def error(self, path: str, code: str, zh: str, en: str, value: Any = None) -> None:
        where = path if self.base.field is None else f"{self.base.field}.{path}"
        location = Location(
            file=self.base.file, sheet=self.base.sheet, row=self.base.row, field=where
        )
        self.report.add(Problem(code, Message(zh, en), location, value))


def _text(data: Mapping[str, Any], key: str) -> Bilingual:
    raw = data.get(key)
    if isinstance(raw, Mapping):
        return Bilingual(str(raw.get("zh") or "").strip(), str(raw.get("en") or "").strip())
    return Bilingual(
        str(data.get(f"{key}_zh") or "").strip(), str(data.get(f"{key}_en") or "").strip()
    )


def _codes(raw: Any) -> list[str]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        return [c for c in re.split(r"[\s,;，；]+", raw) if c]
    if isinstance(raw, Sequence):
        return [str(c).strip() for c in raw if str(c).strip()]
    return [str(raw)]


def _moment(check: _Checker, data: Mapping[str, Any], key: str) -> datetime | None:
    raw = data.get(key)
    if raw in (None, ""):
        return None
    if isinstance(raw, datetime):
        moment = raw
    else:
        try:
            moment = datetime.fromisoformat(str(raw))
        except ValueError:
            check.error(
                key,
                "bad_time",
                "时间应为 ISO 8601 格式，例如 2020-05-06T08:00+08:00。",
                "A time must be ISO 8601, e.g. 2020-05-06T08:00+08:00.",
                raw,
            )
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(check: _Checker, data: Mapping[str, Any], key: str) -> date | None:
    raw = data.get(key)
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw)[:10])
    except ValueError:
        check.error(key, "bad_date", "日期应为 YYYY-MM-DD。", "A date must be YYYY-MM-DD.", raw)
        return None


def _choice(
    check: _Checker, data: Mapping[str, Any], key: str, allowed: Sequence[str], default: str
) -> str:
    raw = data.get(key)
    if raw in (None, ""):
        return default
    text = str(raw).strip()
    for option in allowed:
        if option.lower() == text.lower():
            return option
    check.error(
        key,
        f"bad_{key}",
        f"取值应为 {', '.join(allowed)} 之一。",
        f"Must be one of {', '.join(allowed)}.",
        raw,
    )
    return default


def parse_content(
    data: Mapping[str, Any], *, kind: ItemKind, where: Location | None = None
) -> tuple[ItemContent, Report]:
    """Check ``data`` as the content of an item of ``kind``; the report lists every problem."""
    check = _Checker(where or Location())
    title, body, advice = _text(data, "title"), _text(data, "body"), _text(data, "advice")
    for path, text in (("title", title), ("body", body)):
        if not text.zh and not text.en:
            check.error(
                path,
                "missing_text",
                "中文和英文至少填写一种。",
                "Write it in Chinese, English or both.",
            )
    for lang in ("zh", "en"):
        if len(getattr(title, lang)) > MAX_TITLE:
            check.error(
                f"title.{lang}",
                "title_too_long",
                f"标题不超过 {MAX_TITLE} 字。",
                f"A title has at most {MAX_TITLE} characters.",
            )

    countries: list[str] = []
    for i, name in enumerate(_codes(data.get("countries"))):
        found = country_names.try_resolve(name)
        if found is None:
            hint = ", ".join(country_names.suggest(name))
            check.error(
                f"countries[{i}]",
                "unknown_country",
                f"无法识别国家“{name}”。" + (f"是否指：{hint}？" if hint else ""),
                f"Unknown country {name!r}." + (f" Did you mean: {hint}?" if hint else ""),
                name,
            )
        elif found.alpha2 not in countries:
            countries.append(found.alpha2)
    group_codes: list[str] = []
    for i, code in enumerate(_codes(data.get("groups"))):
        try:
            group_codes.append(country_groups.group(code).code)
        except NotFound:
            check.error(
                f"groups[{i}]",
                "unknown_group",
                f"未知的国家组“{code}”。",
                f"Unknown country group {code!r}.",
                code,
            )

    category = severity = None
    if data.get("category") not in (None, ""):
        try:
            category = Category(str(data["category"]).strip().lower())
        except ValueError:
            check.error(
                "category",
                "bad_category",
                "类别应为 " + ", ".join(c.value for c in Category) + " 之一。",
                "Category must be one of " + ", ".join(c.value for c in Category) + ".",
                data["category"],
            )
    if data.get("severity") not in (None, ""):
        try:
            severity = Severity(str(data["severity"]).strip().lower())
        except ValueError:
            check.error(
                "severity",
                "bad_severity",
                "级别应为 red、orange、yellow、blue 之一。",
                "Severity must be red, orange, yellow or blue.",
                data["severity"],
            )
    if kind is ItemKind.ALERT:
        if category is None and "category" not in data:
            check.error(
                "category", "missing_category", "风险提示须有类别。", "An alert needs a category."
            )
        if severity is None and "severity" not in data:
            check.error(
                "severity", "missing_severity", "风险提示须有级别。", "An alert needs a severity."
            )
        if not countries and not group_codes:
            check.error(
                "countries",
                "missing_countries",
                "风险提示须注明所涉国家或国家组。",
                "An alert names the countries or groups it concerns.",
            )

    valid_from, valid_until = (
        _moment(check, data, "valid_from"),
        _moment(check, data, "valid_until"),
    )
    if valid_from and valid_until and valid_until <= valid_from:
        check.error(
            "valid_until",
            "bad_validity",
            "有效期截止时间应晚于起始时间。",
            "valid_until must be after valid_from.",
        )

    hs_codes: list[str] = []
    for i, code in enumerate(_codes(data.get("hs_codes"))):
        digits = code.replace(".", "")
        if not HS_CODE.match(digits):
            check.error(
                f"hs_codes[{i}]",
                "bad_hs_code",
                "HS 编码应为 2 至 10 位数字。",
                "An HS code has 2 to 10 digits.",
                code,
            )
        else:
            hs_codes.append(digits)

    sources = tuple(_sources(data.get("sources")))
    notice = _notice(check, data, kind) if kind in (ItemKind.TBT, ItemKind.SPS) else None
    confidentiality = Confidentiality(
        _choice(
            check,
            data,
            "confidentiality",
            [c.value for c in Confidentiality],
            Confidentiality.PUBLIC.value,
        )
    )
    content = ItemContent(
        title=title,
        body=body,
        advice=advice,
        countries=tuple(countries),
        groups=tuple(group_codes),
        category=category,
        severity=severity,
        urgency=_choice(check, data, "urgency", URGENCIES, "Unknown"),
        certainty=_choice(check, data, "certainty", CERTAINTIES, "Unknown"),
        valid_from=valid_from,
        valid_until=valid_until,
        hs_codes=tuple(hs_codes),
        sources=sources,
        notice=notice,
        confidentiality=confidentiality,
        target_lists=tuple(_codes(data.get("target_lists"))),
    )
    return content, check.report


def _sources(raw: Any) -> list[Source]:
    if not raw:
        return []
    if isinstance(raw, str):
        return [Source(name=s.strip()) for s in raw.split(";") if s.strip()]
    found = []
    for entry in raw:
        if isinstance(entry, Mapping):
            found.append(Source(str(entry.get("name") or entry.get("url") or ""), entry.get("url")))
        else:
            found.append(Source(str(entry)))
    return found


def _notice(check: _Checker, data: Mapping[str, Any], kind: ItemKind) -> Notice | None:
    nested = data.get("notice")
    if isinstance(nested, Mapping):  # stored content keeps the WTO facts under "notice"
        data = {**data, **nested}
    symbol = str(data.get("symbol") or "").strip()
    if not symbol:
        check.error(
            "symbol",
            "missing_symbol",
            "通报须有 WTO 文件编号（如 G/TBT/N/EU/1234）。",
            "A notification needs its WTO document symbol (e.g. G/TBT/N/EU/1234).",
        )
        return None
    if not SYMBOL.match(symbol) or symbol.split("/")[1].lower() != kind.value:
        check.error(
            "symbol",
            "bad_symbol",
            f"文件编号应形如 G/{kind.value.upper()}/N/成员/编号[/Add.n]。",
            f"The symbol must look like G/{kind.value.upper()}/N/MEMBER/NUMBER[/Add.n].",
            symbol,
        )
    parts = symbol.split("/")
    member = str(data.get("notifying_member") or (parts[3] if len(parts) > 3 else ""))
    notice_type = _choice(check, data, "notice_type", NOTICE_TYPES, _type_of(symbol))
    if notice_type != "new" and original_symbol(symbol) == symbol:
        check.error(
            "notice_type",
            "missing_original",
            "增补、更正或修订须在编号中注明原通报（如 /Add.1）。",
            "An addendum, corrigendum or revision names its original in the symbol (/Add.1).",
            symbol,
        )
    return Notice(
        symbol=symbol,
        notifying_member=member.strip().upper(),
        notice_type=notice_type,
        products=str(data.get("products") or "").strip(),
        objective=str(data.get("objective") or "").strip(),
        comment_deadline=_day(check, data, "comment_deadline"),
        proposed_adoption=_day(check, data, "proposed_adoption"),
        entry_into_force=_day(check, data, "entry_into_force"),
        text_url=str(data.get("text_url") or "").strip() or None,
    )


def _type_of(symbol: str) -> str:
    last = symbol.rsplit("/", 1)[-1]
    for prefix, kind in (("Add.", "addendum"), ("Corr.", "corrigendum"), ("Rev.", "revision")):
        if last.startswith(prefix):
            return kind
    return "new"


def original_symbol(symbol: str) -> str:
    """``G/TBT/N/EU/1234/Add.1`` -> ``G/TBT/N/EU/1234``."""
    return re.sub(r"(?:/(?:Add|Corr|Rev)\.\d+)+$", "", symbol)
