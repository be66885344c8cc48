"""Running the application under uvicorn."""

from __future__ import annotations

import uvicorn

from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.app import create_app


def run_server(settings: Settings, db: Database, *, host: str, port: int) -> None:
    app = create_app(settings, db=db)
    # proxy_headers off: behind a reverse proxy, configure forwarded_allow_ips explicitly.
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
