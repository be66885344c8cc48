"""Delivery needs no operational store: settings of its own, not tied to a database backend
(so these tests run once, not once per backend)."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkhub.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-not-for-production",
        smtp_sender="丝路枢纽 Silkhub <alerts@hub.example.org>",
        smtp_timeout_seconds=5.0,
        webhook_timeout_seconds=5.0,
    )
