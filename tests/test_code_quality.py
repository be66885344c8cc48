"""The checks a reviewer would run, run by the test command: lint, format, types, the
import layers of docs/architecture.md, the message catalogs and the vendored assets."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed (it comes with the 'test' extra)")
    return path


def run(*args: str) -> None:
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"


def test_ruff_lint() -> None:
    run(tool("ruff"), "check", "silkhub", "tests", "scripts", "benchmarks")


def test_ruff_format() -> None:
    run(tool("ruff"), "format", "--check", "silkhub", "tests", "scripts", "benchmarks")


def test_mypy() -> None:
    run(tool("mypy"))


def test_import_layers() -> None:
    run(tool("lint-imports"))


def test_message_catalogs_are_complete() -> None:
    run(sys.executable, "scripts/update_catalogs.py", "--check")


def test_vendored_assets_are_unmodified() -> None:
    run(sys.executable, "scripts/refresh_vendor_assets.py", "--check")
