"""Handlers of the stand-in capability; ``test.effect`` clashes with ``jobs_for_tests``."""

from __future__ import annotations

from silkhub.jobs import Handler, JobContext


def ping(ctx: JobContext) -> None:
    """Does nothing."""


def other_effect(ctx: JobContext) -> None:
    """Registered under a kind ``jobs_for_tests`` registers too."""


HANDLERS: dict[str, Handler] = {"fakecap.ping": ping, "test.effect": other_effect}
