"""Fixtures of the logistics tests: the web application and one person per role."""

from tests.web.conftest import app, client, db, people  # noqa: F401
