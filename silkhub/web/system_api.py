"""``/api/health``: what a load balancer and an operator ask first."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from silkhub import __version__
from silkhub.stores.database import Database
from silkhub.web.security import app_db

router = APIRouter(prefix="/api", tags=["system"])


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    database: Literal["ok", "unavailable"]


@router.get(
    "/health",
    response_model=Health,
    summary="Is the service up",
    responses={503: {"model": Health, "description": "The operational store is unreachable."}},
)
def health(db: Annotated[Database, Depends(app_db)], response: Response) -> Health:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        database: Literal["ok", "unavailable"] = "ok"
    except SQLAlchemyError:
        database = "unavailable"
        # A load balancer reads the status code, not the body.
        response.status_code = 503
    return Health(
        status="ok" if database == "ok" else "degraded", version=__version__, database=database
    )
