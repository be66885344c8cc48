"""The accounts API is tested through the application: reuse the web tests' fixtures."""

from tests.web.conftest import app, client, db, people

__all__ = ["app", "client", "db", "people"]
