"""Regenerate the reference parts of the docs from the code.

    python scripts/update_docs.py          # rewrite the generated sections
    python scripts/update_docs.py --check  # exit 1 if a generated section is stale

- ``docs/cli.md``: every command of ``silkhub`` with its help and options, between the
  markers ``<!-- cli-reference:start -->`` and ``<!-- cli-reference:end -->``.
- ``docs/configuration.md``: every setting, between ``<!-- settings:start -->`` and
  ``<!-- settings:end -->``.

The prose around the markers is written by hand and left alone. ``tests/test_docs.py`` runs
the check, so a new command or setting cannot land undocumented.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer.main

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from silkhub.cli.main import app  # noqa: E402
from silkhub.settings import Settings  # noqa: E402


# Typer 0.2x carries its own copy of click, so commands and parameters are told apart by
# what they have rather than by click's classes.
def walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    for name in sorted(getattr(command, "commands", {}) or {}):
        yield from walk(command.commands[name], [*path, name])


def _option_row(param: Any) -> str:
    if param.param_type_name == "option":
        names = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        help_text = (param.help or "").replace("|", "\\|")
        default = ""
        if param.show_default is not False and param.default not in (None, False, ()):
            default = f" (default: `{param.default}`)"
        return f"| {names} | {help_text}{default} |"
    help_text = getattr(param, "help", "") or ""
    return f"| `{(param.name or '').upper()}` (argument) | {help_text} |"


def cli_reference() -> str:
    root = typer.main.get_command(app)
    lines: list[str] = []
    for path, command in walk(root, ["silkhub"]):
        if command.hidden:
            continue
        title = " ".join(path)
        lines.append(f"### `{title}`")
        lines.append("")
        text = (command.help or "").strip()
        lines.append(text.split("\n\n")[0] if text else "")
        lines.append("")
        params = [p for p in command.params if p.name != "help"]
        if params:
            lines.append("| option | meaning |")
            lines.append("| --- | --- |")
            lines.extend(_option_row(p) for p in params)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def settings_reference() -> str:
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.default if field.default_factory is None else field.default_factory()  # type: ignore[call-arg]
        shown = "" if default is None else f"`{default}`"
        lines.append(f"| `SILKHUB_{name.upper()}` | {shown} | {field.description or ''} |")
    return "\n".join(lines) + "\n"


def datasets_reference() -> str:
    from silkhub.stats.datasets import DATASETS

    lines: list[str] = []
    for ds in DATASETS.values():
        lines += [
            f"### `{ds.name}`: {ds.en} / {ds.zh}",
            "",
            ds.description_en,
            "",
            ds.description_zh,
            "",
        ]
        lines += [
            "| field | kind | stored unit | required | meaning | 含义 | accepted values |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for f in ds.fields:
            choices = "; ".join(f"`{c.value}` ({c.zh}, {', '.join(c.aliases)})" for c in f.choices)
            lines.append(
                f"| `{f.name}` | {f.kind.value} | {f.base_unit or ''} | "
                f"{'yes' if f.required else ''} | {f.en} | {f.zh} | {choices} |"
            )
        notes = [f"One observation per ({', '.join(ds.key)})."]
        if ds.one_of:
            notes.append(f"At least one of {', '.join(ds.one_of)} on every row.")
        if ds.non_negative:
            notes.append(f"Never negative: {', '.join(ds.non_negative)}.")
        if ds.whole_when_empty:
            notes.append(
                f"A row without `{ds.whole_when_empty}` is the total of every kind; one file "
                f"may not give a total and its rows by `{ds.whole_when_empty}` for the same "
                "observation."
            )
        for measure, dim, allowed in ds.only_for:
            kinds = ", ".join(allowed)
            notes.append(f"`{measure}` only on rows whose `{dim}` is {kinds} or empty.")
        notes.append(f"Revisions replace whole months of `{ds.period_field}`.")
        lines += ["", " ".join(notes), ""]
    return "\n".join(lines).rstrip() + "\n"


SECTIONS = {
    ROOT / "docs" / "cli.md": ("cli-reference", cli_reference),
    ROOT / "docs" / "configuration.md": ("settings", settings_reference),
    ROOT / "docs" / "datasets.md": ("datasets", datasets_reference),
}


def replace_section(text: str, marker: str, body: str) -> str:
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    if start not in text or end not in text:
        raise SystemExit(f"markers {start} / {end} missing")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}{end}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = []
    for path, (marker, make) in SECTIONS.items():
        text = path.read_text(encoding="utf-8")
        new = replace_section(text, marker, make())
        if new != text:
            if args.check:
                stale.append(path.relative_to(ROOT))
            else:
                path.write_text(new, encoding="utf-8")
                print(f"updated {path.relative_to(ROOT)}")
    for path in stale:
        print(f"stale: {path} (run python scripts/update_docs.py)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
