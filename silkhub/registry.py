"""The one list of capabilities that the app factory, the CLI, the worker, the demo builder and
the migrations load. Adding a capability here mounts it everywhere; the checklist of what else
it needs (a migration, access-matrix entries, import contracts, docs) is in
``docs/architecture.md``.

Each entry is a subpackage that may have ``models`` (tables), ``api`` (``router``), ``pages``
(``router``), ``cli`` (``COMMANDS``: command name -> Typer group), ``jobs`` (``HANDLERS``: job
kind -> handler), ``demo`` (``build(db=, settings=, rng=)``) and a ``templates/`` folder.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

CAPABILITIES: tuple[str, ...] = (
    "silkhub.accounts",
    "silkhub.stats",
    "silkhub.indices",
    "silkhub.alerts",
    "silkhub.logistics",
)

#: Store-level tables that belong to no capability.
STORE_MODELS: tuple[str, ...] = ("silkhub.stores.outbox", "silkhub.stores.audit")


def capability_module(capability: str, part: str) -> ModuleType | None:
    """``<capability>.<part>`` if that module exists, else None."""
    name = f"{capability}.{part}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def capability_dir(capability: str) -> Path:
    """The folder of a capability's package (its ``templates/`` live there)."""
    module = importlib.import_module(capability)
    assert module.__file__ is not None
    return Path(module.__file__).parent


def load_models() -> None:
    """Import every module that declares tables, so ``Base.metadata`` knows them all."""
    for name in STORE_MODELS:
        importlib.import_module(name)
    for capability in CAPABILITIES:
        capability_module(capability, "models")
