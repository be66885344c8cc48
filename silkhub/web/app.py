"""The application factory: one FastAPI app with every capability's API and pages mounted
from ``silkhub.registry``, the error shape, the limits, and the static files."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from silkhub import __version__
from silkhub.accounts.models import Role
from silkhub.core.errors import Message
from silkhub.registry import CAPABILITIES, capability_dir, capability_module
from silkhub.settings import Settings, get_settings
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.database import Database
from silkhub.web import countries, home, search, system_api, vocabulary_api
from silkhub.web.errors import install_error_handlers
from silkhub.web.i18n import LANGUAGES
from silkhub.web.security import BodyLimitMiddleware
from silkhub.web.templating import NavEntry, Templates

STATIC_DIR = Path(__file__).resolve().parent / "static"
DEMO_MARKER = "demo.json"

log = logging.getLogger("silkhub.web")

OPENAPI_TAGS = [
    {"name": "system", "description": "Health and version."},
    {"name": "vocabulary", "description": "Countries, country groups, periods and units."},
    {"name": "accounts", "description": "People, organisations, API tokens, audit log."},
    {"name": "statistics", "description": "Datasets, imports (vintages) and measures."},
    {"name": "indices", "description": "The freight index: panel quotes, releases, methodology."},
    {
        "name": "logistics",
        "description": "Places, equipment, transports and tracking of containers across modes.",
    },
    {
        "name": "DCSA Track and Trace",
        "description": "DCSA TNT 3.0.0 events: POST (for operators with a token) and GET.",
    },
]


def read_demo_marker(data_dir: Path) -> dict[str, Any] | None:
    """The demonstration hub's description, if this data directory holds one."""
    path = data_dir / DEMO_MARKER
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def create_app(settings: Settings | None = None, *, db: Database | None = None) -> FastAPI:
    """Build the application. The caller checks the store's schema first (``silkhub serve``
    does); the factory itself touches no database."""
    settings = settings or get_settings()
    db = db or Database.from_url(settings.resolved_database_url)
    app = FastAPI(
        title="silkhub",
        version=__version__,
        description="Open data and service platform of a Belt and Road trade hub.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        openapi_tags=OPENAPI_TAGS,
    )
    templates_dirs: dict[str, Path] = {}
    nav: list[NavEntry] = []
    error_shapes: list[tuple[str, Any]] = []
    warm: list[str] = ["/"]
    workspaces: list[tuple[str, Message, Role]] = []
    app.state.settings = settings
    app.state.db = db
    app.state.analytical = AnalyticalStore(settings.resolved_analytical_dir)
    app.state.secret_key = settings.resolved_secret_key()
    app.state.demo = read_demo_marker(settings.data_dir)

    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(system_api.router)
    app.include_router(vocabulary_api.router)
    for capability in CAPABILITIES:
        name = capability.rsplit(".", 1)[-1]
        templates = capability_dir(capability) / "templates"
        if templates.is_dir():
            templates_dirs[name] = templates
        for part in ("api", "pages"):
            module = capability_module(capability, part)
            if module is not None:
                app.include_router(module.router)
                nav.extend(getattr(module, "NAV", []))
                error_shapes.extend(getattr(module, "ERROR_SHAPES", {}).items())
                if part == "pages":
                    entries = [entry[0] for entry in getattr(module, "NAV", []) if len(entry) == 2]
                    warm.extend(getattr(module, "WARM_UP", entries))
                    workspaces.extend(getattr(module, "WORKSPACES", []))
    # Workspaces close the navigation, each shown only to the roles that may use it.
    nav.extend((href, label, (role,)) for href, label, role in workspaces)
    app.include_router(search.router)
    app.include_router(countries.router)
    app.include_router(home.router)
    app.state.nav = nav
    app.state.error_shapes = error_shapes
    app.state.workspaces = workspaces
    # The public pages ``silkhub serve`` requests once at start-up (``server.warm_up``).
    app.state.warm_paths = [f"/{lang}{path}" for lang in LANGUAGES for path in warm]
    app.state.templates = Templates(templates_dirs)
    app.state.html_errors = app.state.templates.error_page
    return app
