"""The demonstration hub's own mail sink and worker: ``silkhub demo`` runs an SMTP server on
127.0.0.1 (aiosmtpd) that keeps every message as an ``.eml`` file under
``<data_dir>/mail/``, and a worker thread that delivers through it. So alerts published in the
demo are really e-mailed, and can be read, without any outside server: nothing leaves the
machine (the demo's addresses are under ``.invalid`` besides).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from silkhub.alerts.jobs import close_connections
from silkhub.core.errors import Conflict, Message
from silkhub.settings import Settings
from silkhub.stores.operational import make_engine
from silkhub.workers.registry import load_handlers
from silkhub.workers.runner import Worker


class _Keep:
    """aiosmtpd handler: writes each message, as received, to ``<n>.eml``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = len(list(folder.glob("*.eml")))
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
            name = self.folder / f"{self.count:06d}.eml"
        name.write_bytes(envelope.original_content or envelope.content)
        return "250 Message kept"


@dataclass
class DemoMailbox:
    folder: Path
    port: int
    controller: Controller
    worker: Worker
    thread: threading.Thread

    def stop(self) -> None:
        self.worker.stop()
        self.thread.join(timeout=10)
        self.controller.stop()


def start(settings: Settings, *, port: int) -> DemoMailbox:
    """Start the sink on 127.0.0.1:``port`` and a worker that sends through it."""
    # aiosmtpd tells every SMTP command at INFO: the demo's console is for the portal's log.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    folder = settings.data_dir / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(_Keep(folder), hostname="127.0.0.1", port=port)
    try:
        controller.start()
    except OSError as exc:
        controller.stop(no_assert=True)  # its loop thread would outlive the failed start
        raise Conflict(
            Message(
                f"本机端口 {port} 已被占用，演示邮件服务无法启动；请用 --mail-port 另选端口。",
                f"Port {port} on 127.0.0.1 is taken, so the demo's mail sink cannot start; "
                "choose another with --mail-port.",
            ),
            code="mail_port_taken",
        ) from exc
    mail_settings = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_starttls": False,
            "smtp_ssl": False,
        }
    )
    engine = make_engine(mail_settings.resolved_database_url)
    worker = Worker(mail_settings, engine, load_handlers(mail_settings), worker_id="demo-worker")

    def work() -> None:
        try:
            worker.run()
        finally:
            # The alerts' handlers keep an SMTP connection and an HTTP client per thread.
            close_connections()
            engine.dispose()

    thread = threading.Thread(target=work, name="silkhub-demo-worker", daemon=True)
    thread.start()
    return DemoMailbox(folder, port, controller, worker, thread)
