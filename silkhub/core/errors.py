"""The exceptions silkhub raises, and the problem records its validations collect.

Exceptions are for operations that cannot go on; problems are data about input that is wrong
(frictionless-py's ``Report``). An import gathers every problem it finds into a ``Report``
and writes nothing when the report has errors; callers turn a report into an
``InvalidInput`` only at the edge, when they must stop.

The hierarchy::

    SilkhubError                      every error silkhub raises on purpose
    ├── InvalidInput                  the caller sent something wrong (HTTP 422); carries problems
    │   ├── UnknownCountry            a country name nobody can resolve; carries suggestions
    │   ├── InvalidPeriod             a period that does not parse or does not exist
    │   └── InvalidUnit               a unit nobody declared, or a conversion between dimensions
    ├── NotFound                      the thing asked for does not exist (HTTP 404)
    ├── Conflict                      it exists already, or changed meanwhile (HTTP 409)
    ├── AuthError                     who you are is not established (HTTP 401)
    │   ├── BadCredentials            wrong e-mail or password
    │   ├── TokenInvalid              an API token unknown, expired or revoked
    │   └── LoginThrottled            too many failures: wait (HTTP 429)
    ├── PermissionDenied              who you are may not do this (HTTP 403)
    ├── PayloadTooLarge               a body or file over the configured limit (HTTP 413)
    ├── StoreError                    the stores cannot serve the request
    │   └── SchemaMismatch            the operational store is at another schema revision
    └── JobError                      a background job failed
        ├── TemporaryJobError         try again later (backoff; optional retry_after)
        └── PermanentJobError         do not try again (dead letter at once)

Every message exists in Chinese and English (``Message``); the edge picks the reader's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

Lang = Literal["zh", "en"]


@dataclass(frozen=True, slots=True)
class Message:
    """A sentence in both languages."""

    zh: str
    en: str

    def in_(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


class Severity(StrEnum):
    ERROR = "error"  # blocks: nothing is written
    WARNING = "warning"  # shown, does not block


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a place in a file, or a field of a request."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None  # 1-based, as a spreadsheet shows it
    column: str | None = None
    field: str | None = None  # a request field, dotted: "body.email"

    def to_dict(self) -> dict[str, str | int]:
        return {k: v for k, v in _location_items(self) if v is not None}

    def describe(self, lang: str) -> str:
        """'file.csv, sheet 1, row 7, column 金额' in the reader's language."""
        zh = lang != "en"
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file)
        if self.sheet is not None:
            parts.append(f"工作表“{self.sheet}”" if zh else f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"第{self.row}行" if zh else f"row {self.row}")
        if self.column is not None:
            parts.append(f"“{self.column}”列" if zh else f"column {self.column!r}")
        if self.field is not None:
            parts.append(f"字段 {self.field}" if zh else f"field {self.field}")
        return ("，" if zh else ", ").join(parts)


def _location_items(loc: Location) -> Iterator[tuple[str, str | int | None]]:
    yield "file", loc.file
    yield "sheet", loc.sheet
    yield "row", loc.row
    yield "column", loc.column
    yield "field", loc.field


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with some input, as data."""

    code: str  # stable, machine-readable: "unknown_country", "bad_period", ...
    message: Message
    location: Location = field(default_factory=Location)
    value: Any = None
    severity: Severity = Severity.ERROR

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message.in_(lang),
            "messages": self.message.to_dict(),
            "location": self.location.to_dict(),
            "value": _jsonable(self.value),
        }

    def describe(self, lang: str = "zh") -> str:
        where = self.location.describe(lang)
        text = self.message.in_(lang)
        return f"{where}: {text}" if where else text


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class Report:
    """The problems found in one piece of input; valid when it has no errors."""

    def __init__(self, problems: Iterable[Problem] = ()) -> None:
        self.problems: list[Problem] = list(problems)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def raise_if_invalid(self, message: Message | None = None) -> None:
        if not self.valid:
            raise InvalidInput(
                message
                or Message(
                    f"输入有{len(self.errors)}处错误，未写入任何内容。",
                    f"The input has {len(self.errors)} error(s); nothing was written.",
                ),
                problems=self.problems,
            )


class SilkhubError(Exception):
    """Base of every error silkhub raises on purpose."""

    status = 500
    code = "internal_error"

    def __init__(
        self,
        message: Message | str,
        *,
        problems: Iterable[Problem] = (),
        code: str | None = None,
    ) -> None:
        self.message = message if isinstance(message, Message) else Message(message, message)
        self.problems = list(problems)
        if code is not None:
            self.code = code
        super().__init__(self.message.en)

    def in_(self, lang: str) -> str:
        return self.message.in_(lang)


class InvalidInput(SilkhubError):
    status = 422
    code = "invalid_input"

    @classmethod
    def single(
        cls,
        code: str,
        message: Message,
        *,
        location: Location | None = None,
        value: Any = None,
    ) -> InvalidInput:
        """An error about one value, carrying itself as the single problem."""
        problem = Problem(code, message, location or Location(), value)
        return cls(message, problems=[problem], code=code)


class UnknownCountry(InvalidInput):
    code = "unknown_country"

    def __init__(
        self,
        name: str,
        suggestions: Iterable[str] = (),
        *,
        location: Location | None = None,
    ) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        hint_zh = f"。是否指：{'、'.join(self.suggestions)}？" if self.suggestions else "。"
        hint_en = f". Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else "."
        message = Message(
            f"无法识别的国家或地区“{name}”{hint_zh}", f"Unknown country {name!r}{hint_en}"
        )
        super().__init__(
            message, problems=[Problem(self.code, message, location or Location(), name)]
        )


class InvalidPeriod(InvalidInput):
    code = "invalid_period"


class InvalidUnit(InvalidInput):
    code = "invalid_unit"


class NotFound(SilkhubError):
    status = 404
    code = "not_found"


class Conflict(SilkhubError):
    status = 409
    code = "conflict"


class AuthError(SilkhubError):
    status = 401
    code = "not_authenticated"


class BadCredentials(AuthError):
    code = "bad_credentials"


class TokenInvalid(AuthError):
    code = "token_invalid"


class LoginThrottled(AuthError):
    status = 429
    code = "login_throttled"

    def __init__(self, message: Message, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class PermissionDenied(SilkhubError):
    status = 403
    code = "forbidden"


class PayloadTooLarge(SilkhubError):
    status = 413
    code = "payload_too_large"


class StoreError(SilkhubError):
    status = 503
    code = "store_unavailable"


class SchemaMismatch(StoreError):
    code = "schema_mismatch"


class JobError(SilkhubError):
    code = "job_failed"


class TemporaryJobError(JobError):
    """Try again later. ``retry_after`` (seconds) is the least wait the other side asked for
    (an HTTP ``Retry-After``): the worker waits at least that long, and at least its backoff,
    never longer than ``worker_backoff_max_seconds``."""

    code = "job_temporary_failure"

    def __init__(
        self,
        message: Message | str,
        *,
        retry_after: float | None = None,
        problems: Iterable[Problem] = (),
        code: str | None = None,
    ) -> None:
        if retry_after is not None and retry_after < 0:
            raise ValueError("retry_after cannot be negative")
        self.retry_after = retry_after
        super().__init__(message, problems=problems, code=code)


class PermanentJobError(JobError):
    code = "job_permanent_failure"


def problems_to_dicts(problems: Iterable[Problem], lang: str) -> list[Mapping[str, Any]]:
    return [p.to_dict(lang) for p in problems]
