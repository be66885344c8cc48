"""The time now for the indices' API and pages, from one place: a test sets
``app.state.clock`` to move it (submission windows, release times, the embargo)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

__all__ = ["Now", "app_now"]


def app_now(request: Request) -> datetime:
    clock = getattr(request.app.state, "clock", None)
    now: datetime = clock() if clock is not None else datetime.now(UTC)
    return now


Now = Annotated[datetime, Depends(app_now)]
