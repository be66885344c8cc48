"""Import TBT and SPS notifications from a CSV or JSON export (for example ePing's), as drafts.

Columns (CSV) or keys (JSON, a list of objects): ``symbol`` (required), ``notifying_member``,
``title_zh``, ``title_en``, ``body_zh``, ``body_en`` (or ``description``), ``products``,
``hs_codes`` (space or comma separated), ``objective``, ``comment_deadline``,
``proposed_adoption``, ``entry_into_force``, ``text_url``, ``notice_type``, ``countries``.

All or nothing: every row is checked first and every problem is reported with its file, row
and field; only a file without errors is written. An addendum, corrigendum or revision is
linked to its original, which may be in the store already or earlier in the same file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.accounts.service import Principal
from silkhub.alerts import service
from silkhub.alerts.models import AlertItem, ItemKind
from silkhub.alerts.schemas import original_symbol, parse_content
from silkhub.core import countries as country_names
from silkhub.core.errors import InvalidInput, Location, Message, Problem, Report


def _rows(data: bytes, filename: str) -> list[dict[str, Any]]:
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".json":
        try:
            parsed = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInput(
                Message(
                    f"{filename}：不是有效的 JSON（{exc}）。",
                    f"{filename}: not valid JSON ({exc}).",
                ),
                code="bad_json",
            ) from None
        if isinstance(parsed, Mapping):
            parsed = parsed.get("notifications") or parsed.get("items") or []
        if not isinstance(parsed, list) or not all(isinstance(r, Mapping) for r in parsed):
            raise InvalidInput(
                Message(f"{filename}：应为对象列表。", f"{filename}: expected a list of objects."),
                code="bad_json",
            )
        return [dict(r) for r in parsed]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            Message(f"{filename}：文件应为 UTF-8 编码。", f"{filename}: the file must be UTF-8."),
            code="bad_encoding",
        ) from None
    return [dict(r) for r in csv.DictReader(io.StringIO(text))]


def _kind_of(symbol: str) -> ItemKind:
    return ItemKind.SPS if symbol.upper().startswith("G/SPS/") else ItemKind.TBT


def _normalise(row: dict[str, Any]) -> dict[str, Any]:
    data = {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k}
    if not data.get("body_en") and data.get("description"):
        data["body_en"] = data["description"]
    symbol = str(data.get("symbol") or "")
    if not data.get("title_en") and not data.get("title_zh"):
        data["title_en"] = f"{symbol} {data.get('products') or ''}".strip()
    if not data.get("body_en") and not data.get("body_zh"):
        data["body_en"] = data.get("objective") or symbol
    parts = symbol.split("/")
    member = str(data.get("notifying_member") or (parts[3] if len(parts) > 3 else "")).upper()
    if not data.get("countries") and not data.get("groups") and member:
        # WTO symbols name members by ISO alpha-3 code, or EU for the European Union.
        if member == "EU":
            data["groups"] = "eu"
        else:
            found = country_names.try_resolve(member)
            if found is not None:
                data["countries"] = found.alpha2
    return data


def import_notices(
    session: Session, user: Principal, data: bytes, filename: str
) -> list[AlertItem]:
    """Check every row, then create one draft per row; returns the drafts."""
    rows = [_normalise(r) for r in _rows(data, filename)]
    report = Report()
    symbols_here: set[str] = set()
    existing = set(session.scalars(select(AlertItem.symbol).where(AlertItem.symbol.is_not(None))))
    line = 1 if filename.lower().endswith(".json") else 2  # CSV row 1 is the header
    for number, row in enumerate(rows, start=line):
        where = Location(file=filename, row=number)
        symbol = str(row.get("symbol") or "")
        _, found = parse_content(row, kind=_kind_of(symbol), where=where)
        report.extend(found)
        if symbol in existing or symbol in symbols_here:
            report.add(
                Problem(
                    "duplicate_symbol",
                    Message(f"通报 {symbol} 重复。", f"Notification {symbol} appears twice."),
                    Location(file=filename, row=number, field="symbol"),
                    symbol,
                )
            )
        original = original_symbol(symbol)
        if original != symbol and original not in existing and original not in symbols_here:
            report.add(
                Problem(
                    "unknown_original",
                    Message(
                        f"找不到原通报 {original}（须已在库中或在本文件中更早出现）。",
                        f"The original {original} is neither stored nor earlier in this file.",
                    ),
                    Location(file=filename, row=number, field="symbol"),
                    symbol,
                )
            )
        symbols_here.add(symbol)
    if not rows:
        report.add(
            Problem(
                "empty_file",
                Message(f"{filename} 中没有通报。", f"{filename} has no notifications."),
                Location(file=filename),
            )
        )
    report.raise_if_invalid(
        Message(
            f"{filename} 有 {len(report.errors)} 处错误，未导入任何通报。",
            f"{filename} has {len(report.errors)} error(s); nothing was imported.",
        )
    )
    created = []
    for number, row in enumerate(rows, start=line):
        symbol = str(row["symbol"])
        created.append(
            service.create_item(
                session,
                user,
                _kind_of(symbol).value,
                row,
                where=Location(file=filename, row=number),
            )
        )
    return created
