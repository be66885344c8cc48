"""Fixtures of the indices tests: the web application and one person per role (the panelist
works for a carrier on the panel)."""

from tests.web.conftest import app, client, db, people  # noqa: F401
