"""Which function runs each kind of job.

A handler is registered by a module with a ``HANDLERS`` mapping, job kind -> handler:

- the ``jobs`` module of each capability in ``silkhub.registry.CAPABILITIES``
  (``silkhub.alerts.jobs``, ...), if it has one;
- every module named in ``Settings.worker_plugins``.

A handler gets a ``JobContext``. It writes its database effect through ``ctx.session`` and
does not commit: the worker commits that effect together with the job's completion, so both
happen or neither. It raises ``TemporaryJobError`` (or anything else) to be retried later,
``PermanentJobError`` to be dead-lettered at once. Because a job can run more than once (at
least once), anything it sends out carries ``ctx.job.idempotency_key``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType

from silkhub.core.errors import Message, SilkhubError
from silkhub.jobs import Handler
from silkhub.registry import CAPABILITIES, capability_module
from silkhub.settings import Settings


class HandlerRegistryError(SilkhubError):
    """The handlers cannot be collected: a plugin is missing or two modules claim one kind."""

    code = "worker_handlers_invalid"


def load_handlers(
    settings: Settings, *, capabilities: tuple[str, ...] = CAPABILITIES
) -> dict[str, Handler]:
    """Every handler, job kind -> handler, from the capabilities and the configured plugins."""
    modules: list[ModuleType] = []
    for capability in capabilities:
        module = capability_module(capability, "jobs")
        if module is not None:
            modules.append(module)
    for name in settings.worker_plugins:
        modules.append(_import_plugin(name))
    handlers: dict[str, Handler] = {}
    owners: dict[str, str] = {}
    for module in modules:
        for kind, handler in _handlers_of(module).items():
            if kind in owners and handlers[kind] is not handler:
                raise HandlerRegistryError(
                    Message(
                        f"任务类型“{kind}”同时由 {owners[kind]} 和 {module.__name__} 注册。",
                        f"Job kind {kind!r} is registered by both {owners[kind]} and "
                        f"{module.__name__}.",
                    )
                )
            handlers[kind] = handler
            owners[kind] = module.__name__
    return handlers


def _import_plugin(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise HandlerRegistryError(
            Message(
                f"无法导入 worker_plugins 中的模块“{name}”：{exc}",
                f"Cannot import the module {name!r} named in worker_plugins: {exc}",
            )
        ) from exc


def _handlers_of(module: ModuleType) -> Mapping[str, Handler]:
    handlers = getattr(module, "HANDLERS", None)
    if not isinstance(handlers, Mapping) or not all(
        isinstance(kind, str) and callable(handler) for kind, handler in handlers.items()
    ):
        raise HandlerRegistryError(
            Message(
                f"模块 {module.__name__} 没有 HANDLERS 字典（任务类型 → 处理函数）。",
                f"Module {module.__name__} has no HANDLERS mapping (job kind -> handler).",
            )
        )
    return handlers
