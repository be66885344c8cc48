"""What a background job's handler is given and must look like.

Here, in the library, rather than in ``silkhub.workers``, because each capability's ``jobs``
module declares handlers (``HANDLERS: dict[str, Handler]``) and a capability never imports an
entry point. See ``docs/workers.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from silkhub.settings import Settings
from silkhub.stores.outbox import ClaimedJob


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler is given."""

    job: ClaimedJob
    session: Session  # write the job's effect here; the worker commits it with the completion
    settings: Settings
    now: datetime  # when this attempt started, from the worker's clock


Handler = Callable[[JobContext], None]
