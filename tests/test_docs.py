"""The docs tell the truth about the code (datasette's and sqlite-utils' test_docs)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import typer.main

from silkhub.cli.main import app
from silkhub.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _commands(command: object, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], object]]:
    out = [(path, command)]
    for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
        out.extend(_commands(sub, (*path, name)))
    return out


COMMANDS = _commands(typer.main.get_command(app), ("silkhub",))


def test_generated_references_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_command_has_help_and_is_in_the_cli_docs() -> None:
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert len(COMMANDS) > 10
    for path, command in COMMANDS:
        name = " ".join(path)
        assert (getattr(command, "help", None) or "").strip(), f"{name} has no help text"
        assert f"### `{name}`" in docs, f"{name} is not documented in docs/cli.md"


def test_every_option_has_help() -> None:
    for path, command in COMMANDS:
        for param in getattr(command, "params", []):
            if param.param_type_name == "option" and param.name != "help":
                assert (param.help or "").strip(), f"{' '.join(path)} {param.opts} has no help"


def test_every_setting_is_documented() -> None:
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
        assert f"`SILKHUB_{name.upper()}`" in docs


def test_readme_quick_start_has_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", section, flags=re.S)
    commands = [
        line
        for block in blocks
        for line in block.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert len(commands) == 2, commands
    assert "silkhub demo" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    test_command = next(line for line in section.splitlines() if "pytest" in line).strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pytest" in ci
    # CI adds extras and backends; the test run itself is the same invocation.
    assert test_command.split("&&")[-1].strip() in ci


def test_docs_links_resolve() -> None:
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", text):
            assert (doc.parent / target).resolve().exists(), f"{doc.name} links to {target}"
