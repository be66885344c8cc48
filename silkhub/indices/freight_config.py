"""The freight index's methodology as configuration: routes, container types, surcharges in and
out, baskets (weights, their changes), cleaning, validation limits and the release schedule.

Read from a TOML file (``data/freight.toml`` by default) and checked as a whole: every problem
is reported with the file and the field (``baskets[2].weights.EUR``) before anything uses it.
The file's SHA-256 is the methodology's fingerprint, recorded with every release.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from silkhub.core.errors import InvalidInput, InvalidPeriod, Location, Message, Problem, Report
from silkhub.core.periods import IsoWeek, parse_period
from silkhub.indices.freight_clean import Cleaning

__all__ = [
    "DEFAULT_FILE",
    "Basket",
    "Container",
    "Methodology",
    "Moment",
    "Route",
    "default_methodology",
    "load_methodology",
]

DEFAULT_FILE = Path(__file__).parent / "data" / "freight.toml"


@dataclass(frozen=True)
class Route:
    code: str
    name: Message
    destination: str
    region: str


@dataclass(frozen=True)
class Container:
    code: str
    teu: int
    name: Message


@dataclass(frozen=True)
class Basket:
    version: int
    #: The first week computed with this basket.
    effective: IsoWeek
    #: Route weights (sum 1), fixed for the basket's life.
    weights: Mapping[str, float]
    #: Container-type weights within each route (sum 1).
    containers: Mapping[str, float]
    #: The first basket's base period; later baskets are chain-linked instead.
    base_weeks: tuple[IsoWeek, ...] = ()


@dataclass(frozen=True)
class Moment:
    """A time in the week: ISO weekday (Monday = 1) and a local time."""

    weekday: int
    at: time


@dataclass(frozen=True)
class Methodology:
    version: int
    name: Message
    origin: str
    currency: str
    base_value: float
    timezone: ZoneInfo
    window_opens: Moment
    window_closes: Moment
    release: Moment
    included: tuple[str, ...]
    excluded: tuple[str, ...]
    surcharge_names: Mapping[str, Message]
    cleaning: Cleaning
    min_rate: float
    max_rate: float
    max_jump: float
    containers: tuple[Container, ...]
    routes: tuple[Route, ...]
    baskets: tuple[Basket, ...]
    #: SHA-256 of the configuration file: what a release records.
    fingerprint: str

    def route(self, code: str) -> Route:
        for r in self.routes:
            if r.code == code:
                return r
        raise KeyError(code)

    def basket_for(self, week: IsoWeek) -> Basket:
        """The basket in force in ``week``."""
        current = None
        for basket in self.baskets:
            if basket.effective <= week:
                current = basket
        if current is None:
            raise InvalidInput.single(
                "before_first_basket",
                Message(
                    f"{week.code} 早于指数的第一个篮子（{self.baskets[0].effective.code}）。",
                    f"{week.code} is before the index's first basket "
                    f"({self.baskets[0].effective.code}).",
                ),
                location=Location(field="week"),
                value=week.code,
            )
        return current


class _Reader:
    """Reads fields of the TOML document, collecting every problem instead of stopping."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.report = Report()

    def problem(self, field: str, zh: str, en: str, value: Any = None) -> None:
        self.report.add(
            Problem(
                "invalid_methodology", Message(zh, en), Location(file=self.name, field=field), value
            )
        )

    def get(
        self, data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], field: str
    ) -> Any:
        if key not in data:
            self.problem(field, f"缺少“{field}”。", f"{field} is missing.")
            return None
        value = data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            self.problem(field, f"“{field}”的类型不对。", f"{field} has the wrong type.", value)
            return None
        return value

    def week(self, text: Any, field: str) -> IsoWeek | None:
        try:
            period = parse_period(str(text))
        except InvalidPeriod:
            period = None
        if not isinstance(period, IsoWeek):
            self.problem(
                field,
                f"“{field}”须为 ISO 周，如 2018-W01。",
                f"{field} must be an ISO week such as 2018-W01.",
                text,
            )
            return None
        return period

    def moment(self, data: Any, field: str) -> Moment | None:
        if not isinstance(data, Mapping):
            self.problem(
                field,
                f"“{field}”须为 {{ weekday, time }}。",
                f"{field} must be {{ weekday, time }}.",
                data,
            )
            return None
        weekday = data.get("weekday")
        try:
            at = time.fromisoformat(str(data.get("time")))
        except ValueError:
            at = None
        if not isinstance(weekday, int) or not 1 <= weekday <= 7 or at is None:
            self.problem(
                field,
                f"“{field}”的星期（1-7）或时间（HH:MM）不对。",
                f"{field} needs a weekday 1-7 and a time HH:MM.",
                data,
            )
            return None
        return Moment(weekday, at)

    def shares(self, data: Any, known: set[str], field: str) -> dict[str, float]:
        if not isinstance(data, Mapping) or not data:
            self.problem(
                field,
                f"“{field}”须为非空的权重表。",
                f"{field} must be a non-empty table of weights.",
                data,
            )
            return {}
        out: dict[str, float] = {}
        for key, value in data.items():
            if key not in known:
                self.problem(f"{field}.{key}", f"“{key}”未定义。", f"{key!r} is not defined.", key)
            elif not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                self.problem(
                    f"{field}.{key}", "权重须为正数。", "A weight must be a positive number.", value
                )
            else:
                out[key] = float(value)
        if out and len(out) == len(data) and not math.isclose(sum(out.values()), 1.0, abs_tol=1e-9):
            total = round(sum(out.values()), 6)
            self.problem(
                field,
                f"“{field}”的权重之和须为 1，而不是 {total}。",
                f"The weights of {field} must add up to 1, not {total}.",
                total,
            )
        return out


def _message(data: Mapping[str, Any], prefix: str = "name") -> Message:
    return Message(str(data.get(f"{prefix}_zh", "")), str(data.get(f"{prefix}_en", "")))


def load_methodology(path: Path) -> Methodology:
    """The methodology in ``path``; ``InvalidInput`` listing every problem of the file."""
    raw = path.read_bytes()
    r = _Reader(path.name)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput.single(
            "invalid_methodology",
            Message(f"方法配置文件无法读取：{exc}", f"The methodology file cannot be read: {exc}"),
            location=Location(file=path.name),
        ) from None
    schedule = r.get(data, "schedule", dict, "schedule") or {}
    try:
        zone = ZoneInfo(str(schedule.get("timezone", "")))
    except (ZoneInfoNotFoundError, ValueError):
        r.problem("schedule.timezone", "时区未知。", "Unknown time zone.", schedule.get("timezone"))
        zone = ZoneInfo("UTC")
    cleaning_data = r.get(data, "cleaning", dict, "cleaning") or {}
    try:
        cleaning = Cleaning(**cleaning_data)
    except (TypeError, ValueError) as exc:
        r.problem(
            "cleaning",
            f"清洗参数不对：{exc}",
            f"The cleaning settings are wrong: {exc}",
            cleaning_data,
        )
        cleaning = Cleaning()
    validation = r.get(data, "validation", dict, "validation") or {}
    containers = tuple(
        Container(str(c.get("code")), int(c.get("teu", 1)), _message(c))
        for c in r.get(data, "containers", list, "containers") or []
    )
    routes = tuple(
        Route(
            str(x.get("code")), _message(x), str(x.get("destination", "")), str(x.get("region", ""))
        )
        for x in r.get(data, "routes", list, "routes") or []
    )
    route_codes = {x.code for x in routes}
    container_codes = {c.code for c in containers}
    for kind, codes in (
        ("routes", [x.code for x in routes]),
        ("containers", [c.code for c in containers]),
    ):
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            r.problem(
                kind,
                f"代码重复：{'、'.join(repeated)}。",
                f"Repeated codes: {', '.join(repeated)}.",
                repeated,
            )
    baskets: list[Basket] = []
    for i, b in enumerate(r.get(data, "baskets", list, "baskets") or [], start=1):
        field = f"baskets[{i}]"
        effective = r.week(b.get("effective"), f"{field}.effective")
        bases = tuple(
            w for w in (r.week(x, f"{field}.base_weeks") for x in b.get("base_weeks", [])) if w
        )
        weights = r.shares(b.get("weights"), route_codes, f"{field}.weights")
        mix = r.shares(b.get("containers"), container_codes, f"{field}.containers")
        if effective is not None:
            baskets.append(Basket(int(b.get("version", i)), effective, weights, mix, bases))
    if baskets and not baskets[0].base_weeks:
        r.problem(
            "baskets[1].base_weeks", "第一个篮子须有基期。", "The first basket needs base weeks."
        )
    for earlier, later in itertools.pairwise(baskets):
        if later.effective <= earlier.effective:
            r.problem(
                "baskets",
                "篮子的生效周须逐个推后。",
                "Each basket must take effect after the one before.",
                later.effective.code,
            )
    surcharges = r.get(data, "surcharges", dict, "surcharges") or {}
    names = surcharges.get("names", {})
    methodology = Methodology(
        version=r.get(data, "version", int, "version") or 0,
        name=_message(data),
        origin=str(data.get("origin", "")),
        currency=str(data.get("currency", "USD")),
        base_value=float(data.get("base_value", 1000)),
        timezone=zone,
        window_opens=r.moment(schedule.get("window_opens"), "schedule.window_opens")
        or Moment(1, time()),
        window_closes=r.moment(schedule.get("window_closes"), "schedule.window_closes")
        or Moment(4, time()),
        release=r.moment(schedule.get("release"), "schedule.release") or Moment(5, time()),
        included=tuple(surcharges.get("included", ())),
        excluded=tuple(surcharges.get("excluded", ())),
        surcharge_names={k: Message(str(v[0]), str(v[1])) for k, v in names.items()},
        cleaning=cleaning,
        min_rate=float(validation.get("min_rate", 0)),
        max_rate=float(validation.get("max_rate", math.inf)),
        max_jump=float(validation.get("max_jump", 0.5)),
        containers=containers,
        routes=routes,
        baskets=tuple(baskets),
        fingerprint=hashlib.sha256(raw).hexdigest(),
    )
    r.report.raise_if_invalid(
        Message(
            f"方法配置文件 {path.name} 有{len(r.report.errors)}处问题。",
            f"The methodology file {path.name} has {len(r.report.errors)} problem(s).",
        )
    )
    return methodology


@cache
def default_methodology() -> Methodology:
    return load_methodology(DEFAULT_FILE)
