"""Running the application under uvicorn."""

from __future__ import annotations

import uvicorn

from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.app import create_app


def run_server(settings: Settings, db: Database, *, host: str, port: int) -> None:
    app = create_app(settings, db=db)
    # Forwarded headers are believed only from the proxies named in the settings: believed
    # from anyone, they would let a client pick the address that sign-in throttling counts.
    trusted = settings.forwarded_allow_ips
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        log_config=None,  # keep the format silkhub.logs set up
        proxy_headers=trusted is not None,
        forwarded_allow_ips=trusted,
    )
