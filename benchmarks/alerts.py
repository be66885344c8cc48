"""How fast the alerts service matches, queues and delivers.

1. **Matching and queueing**: one alert against 100,000 subscriptions (100,000 people; filters
   by country, country group, category, minimum severity, or none), then writing the matched
   people's deliveries and their outbox jobs (``deliveries.queue_item``), on a SQLite store.
   Goal: under 1 s. Baseline in the same run: a bare ``SELECT`` of the subscription rows, the
   least any matching must read.
2. **E-mail**: N deliveries sent by the worker (batches, one SMTP connection) to a local
   aiosmtpd sink in a process of its own. Goal: at least 300 messages a second, and at least
   0.8x a bare ``smtplib`` loop sending the same messages over one connection to the same sink.
3. **Webhooks**: N deliveries sent by the worker to a local HTTP receiver (a stdlib threaded
   server in a process of its own). Goal: at least 1,000 a second, and at least 0.8x a bare
   ``httpx`` async loop posting the same bodies to the same receiver.

Everything goes to 127.0.0.1, loops are bounded, the servers stop with the script.

    python benchmarks/alerts.py
    python benchmarks/alerts.py --subscriptions 20000 --messages 500
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

GOAL_MATCH_S = 1.0
GOAL_EMAIL_RATE = 300.0
GOAL_WEBHOOK_RATE = 1000.0
GOAL_RATIO = 0.8
REPEATS = 3

RECEIVER = r"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import socket

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")
    def log_message(self, *a):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


@contextmanager
def server(args: list[str], port: int) -> Iterator[None]:
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def store(tmp: Path) -> tuple[Any, Any]:
    from silkhub.migrations import upgrade
    from silkhub.settings import Settings
    from silkhub.stores.database import Database

    settings = Settings(data_dir=tmp, secret_key="benchmark-secret-key")  # noqa: S106
    db = Database.from_url(settings.resolved_database_url)
    upgrade(db.engine)
    return settings, db


def people(db: Any, count: int, *, channels: str, webhook: str | None, seed: int) -> None:
    """``count`` people in enterprises (100 a firm), each with one subscription."""
    from sqlalchemy import insert, select

    from silkhub.accounts.models import Organisation, User
    from silkhub.alerts.models import Subscriber, Subscription
    from silkhub.core import groups

    rng = random.Random(seed)
    along = sorted(groups.members("along_route_64", datetime(2020, 1, 1, tzinfo=UTC).date()))
    cats = ["political", "security", "public_health", "economic", "legal", "trade_remedy"]
    with db.transaction() as s:
        s.execute(
            insert(Organisation.__table__),
            [
                {
                    "name_zh": f"企业{n}",
                    "name_en": f"Firm {n}",
                    "kind": "enterprise",
                    "country": "CN",
                }
                for n in range(count // 100 + 1)
            ],
        )
        orgs = s.scalars(select(Organisation.id)).all()
        s.execute(
            insert(User.__table__),
            [
                {
                    "email": f"p{n}@bench.invalid",
                    "display_name": f"p{n}",
                    "organisation_id": orgs[n // 100],
                    "language": "zh",
                    "is_active": True,
                }
                for n in range(count)
            ],
        )
        ids = s.scalars(select(User.id).order_by(User.id)).all()
        s.execute(
            insert(Subscriber.__table__),
            [
                {
                    "user_id": uid,
                    "channels": channels,
                    "language": "zh",
                    "digest": False,
                    "digest_hour": 8,
                    "webhook_url": webhook,
                    "webhook_secret": "s" * 64 if webhook else None,
                    "demo": False,
                }
                for uid in ids
            ],
        )
        rows = []
        for uid in ids:
            pick = rng.random()
            row = {
                "user_id": uid,
                "kinds": "",
                "countries": "",
                "groups": "",
                "categories": "",
                "min_severity": None,
                "hs_prefixes": "",
                "series": "",
                "active": True,
            }
            if pick < 0.4:
                row["countries"] = " ".join(rng.sample(along, rng.randint(1, 3)))
            elif pick < 0.6:
                row["groups"] = rng.choice(["asean", "central_asia", "gcc", "china_ceec", "eu"])
            elif pick < 0.8:
                row["categories"] = " ".join(rng.sample(cats, 2))
            elif pick < 0.9:
                row["min_severity"] = rng.choice(["orange", "red"])
            rows.append(row)
        s.execute(insert(Subscription.__table__), rows)


def publish(db: Any, *, country: str, queue: bool = True) -> Any:
    """An approved alert, published through the service (matching and queueing included)."""
    from sqlalchemy import insert, select

    from silkhub.accounts.models import Role, User
    from silkhub.accounts.service import Principal
    from silkhub.alerts import service

    with db.transaction() as s:
        ids = []
        for name in ("editor", "approver"):
            email = f"{name}-{time.monotonic_ns()}@bench.invalid"
            s.execute(
                insert(User.__table__).values(
                    email=email, display_name=name, language="zh", is_active=True
                )
            )
            ids.append(s.scalar(select(User.id).where(User.email == email)))
    editor = Principal(ids[0], "e@bench.invalid", "e", frozenset({Role.EDITOR}), "zh", None, "cli")
    approver = Principal(
        ids[1], "a@bench.invalid", "a", frozenset({Role.APPROVER}), "zh", None, "cli"
    )
    data = {
        "title": {"zh": "测试提示", "en": "Benchmark alert"},
        "body": {"zh": "正文" * 50, "en": "Body text " * 40},
        "countries": [country],
        "category": "economic",
        "severity": "orange",
    }
    with db.transaction() as s:
        uid = service.create_item(s, editor, "alert", data).uid
        service.submit(s, editor, uid)
        service.approve(s, approver, uid)
    began = time.perf_counter()
    with db.transaction() as s:
        service.publish(s, approver, uid)
    took = time.perf_counter() - began
    return took


# -- children -----------------------------------------------------------------------------------


def child_match(subscriptions: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from silkhub.alerts.models import Delivery, Subscription

    with tempfile.TemporaryDirectory() as tmp:
        _settings, db = store(Path(tmp))
        people(db, subscriptions, channels="email inbox", webhook=None, seed=7)
        best_bare = float("inf")
        for _ in range(REPEATS):
            began = time.perf_counter()
            with db.reading() as s:
                s.execute(
                    select(
                        Subscription.user_id,
                        Subscription.kinds,
                        Subscription.countries,
                        Subscription.groups,
                        Subscription.categories,
                        Subscription.min_severity,
                        Subscription.hs_prefixes,
                    )
                ).all()
            best_bare = min(best_bare, time.perf_counter() - began)
        best = float("inf")
        for n in range(REPEATS):
            best = min(best, publish(db, country=["KZ", "VN", "AE"][n]))
        with db.reading() as s:
            queued = s.scalar(select(func.count()).select_from(Delivery)) or 0
        db.dispose()
    return {
        "subscriptions": subscriptions,
        "seconds": best,
        "bare_select_s": best_bare,
        "deliveries_per_alert": queued // REPEATS,
    }


def _worker_run(settings: Any, db: Any) -> float:
    from silkhub.alerts import jobs
    from silkhub.workers.runner import Worker

    worker = Worker(settings, db.engine, jobs.HANDLERS, worker_id="bench")
    began = time.perf_counter()
    summary = worker.run(until_empty=True)
    took = time.perf_counter() - began
    jobs.close_connections()
    if summary.processed == 0:
        raise SystemExit("the worker found nothing to send")
    return took


def _all_sent(db: Any, channel: str) -> int:
    from sqlalchemy import func, select

    from silkhub.alerts.models import Delivery

    with db.reading() as s:
        sent = (
            s.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.channel == channel, Delivery.status == "sent")
            )
            or 0
        )
        total = (
            s.scalar(select(func.count()).select_from(Delivery).where(Delivery.channel == channel))
            or 0
        )
    if sent != total:
        raise SystemExit(f"only {sent} of {total} {channel} deliveries were sent")
    return sent


def recipients_and_item(db: Any) -> tuple[Any, Any, list[tuple[int, str, str]]]:
    """The published alert, its version, and (user id, address, delivery key) of each e-mail."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from silkhub.accounts.models import User
    from silkhub.alerts.models import AlertItem, Delivery

    with db.reading() as s:
        item = s.scalars(select(AlertItem).options(selectinload(AlertItem.versions))).one()
        version = item.versions[-1]
        rows = s.execute(
            select(User.id, User.email, Delivery.idempotency_key)
            .join(Delivery, Delivery.user_id == User.id)
            .where(Delivery.channel == "email")
        ).all()
        s.expunge_all()
    return item, version, [tuple(r) for r in rows]


def same_messages(settings: Any, found: tuple[Any, Any, list[tuple[int, str, str]]]) -> list[Any]:
    from silkhub.alerts import jobs, messages
    from silkhub.delivery import build_email

    item, version, rows = found
    prepared = []
    for user_id, address, key in rows:
        url = jobs.unsubscribe_url(settings, user_id)
        rendered = messages.item_message(item, version, "zh", settings.base_url, url)
        prepared.append(
            build_email(
                settings,
                to=address,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                idempotency_key=key,
                unsubscribe_url=url,
                language="zh",
            )
        )
    return prepared


def child_email(messages: int, port: int) -> dict[str, Any]:

    with tempfile.TemporaryDirectory() as tmp:
        settings, db = store(Path(tmp))
        settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
        people(db, messages, channels="email", webhook=None, seed=8)
        with db.transaction() as s:  # everyone wants everything: every person is a recipient
            from sqlalchemy import update

            from silkhub.alerts.models import Subscription

            s.execute(
                update(Subscription).values(
                    countries="", groups="", categories="", min_severity=None
                )
            )
        publish(db, country="KZ")
        silkhub_s = _worker_run(settings, db)
        sent = _all_sent(db, "email")
        tmp_messages = recipients_and_item(db)
        db.dispose()
    # The bare loop: the same messages (same content, recipients and unsubscribe links),
    # built beforehand with the email package, sent over one connection.
    prepared = same_messages(settings, tmp_messages)
    best_bare = float("inf")
    for _ in range(REPEATS):
        began = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for message in prepared:
                smtp.send_message(message)
        best_bare = min(best_bare, time.perf_counter() - began)
    return {"messages": sent, "seconds": silkhub_s, "bare_s": best_bare}


def child_webhook(messages: int, port: int) -> dict[str, Any]:
    import httpx

    url = f"http://127.0.0.1:{port}/hook"
    with tempfile.TemporaryDirectory() as tmp:
        settings, db = store(Path(tmp))
        people(db, messages, channels="webhook", webhook=url, seed=9)
        with db.transaction() as s:
            from sqlalchemy import update

            from silkhub.alerts.models import Subscription

            s.execute(
                update(Subscription).values(
                    countries="", groups="", categories="", min_severity=None
                )
            )
        publish(db, country="KZ")
        silkhub_s = _worker_run(settings, db)
        sent = _all_sent(db, "webhook")
        db.dispose()
    body = json.dumps({"event": "alert.published", "item": {"body": "Body text " * 40}}).encode()

    async def bare() -> float:
        async with httpx.AsyncClient(trust_env=False) as client:
            began = time.perf_counter()
            for n in range(messages):
                answer = await client.post(
                    url,
                    content=body,
                    headers={"Idempotency-Key": f"k{n}", "content-type": "application/json"},
                )
                answer.raise_for_status()
            return time.perf_counter() - began

    best_bare = min(asyncio.run(bare()) for _ in range(REPEATS))
    return {"messages": sent, "seconds": silkhub_s, "bare_s": best_bare}


def child(kind: str, args: list[str]) -> None:
    if kind == "match":
        result = child_match(int(args[0]))
    elif kind == "email":
        result = child_email(int(args[0]), int(args[1]))
    else:
        result = child_webhook(int(args[0]), int(args[1]))
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=2_000)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return
    from _harness import run_child

    script = os.path.abspath(__file__)
    match = run_child(script, "match", [str(args.subscriptions)], timeout=900)
    took, bare = match["seconds"], match["bare_select_s"]
    print(
        f"match + queue one alert against {match['subscriptions']:,} subscriptions: "
        f"{took:.3f} s ({match['deliveries_per_alert']:,} deliveries; goal < {GOAL_MATCH_S} s); "
        f"bare SELECT of every subscription {bare:.3f} s: {took / bare:.1f}x",
        file=sys.stderr,
    )
    smtp_port = free_port()
    sink = [
        sys.executable,
        "-m",
        "aiosmtpd",
        "-n",
        "-c",
        "aiosmtpd.handlers.Sink",
        "-l",
        f"127.0.0.1:{smtp_port}",
    ]
    with server(sink, smtp_port):
        mail = run_child(script, "email", [str(args.messages), str(smtp_port)], timeout=900)
    mail_rate = mail["messages"] / mail["seconds"]
    bare_mail_rate = mail["messages"] / mail["bare_s"]
    print(
        f"e-mail: {mail['messages']:,} messages by the worker {mail['seconds']:.2f} s "
        f"= {mail_rate:.0f}/s "
        f"(goal >= {GOAL_EMAIL_RATE:.0f}/s); bare smtplib loop {bare_mail_rate:.0f}/s: "
        f"{mail_rate / bare_mail_rate:.2f}x (goal >= {GOAL_RATIO}x)",
        file=sys.stderr,
    )
    http_port = free_port()
    with server([sys.executable, "-c", RECEIVER, str(http_port)], http_port):
        hook = run_child(script, "webhook", [str(args.messages), str(http_port)], timeout=900)
    hook_rate = hook["messages"] / hook["seconds"]
    bare_hook_rate = hook["messages"] / hook["bare_s"]
    print(
        f"webhooks: {hook['messages']:,} calls by the worker {hook['seconds']:.2f} s "
        f"= {hook_rate:.0f}/s "
        f"(goal >= {GOAL_WEBHOOK_RATE:.0f}/s); bare httpx async loop {bare_hook_rate:.0f}/s: "
        f"{hook_rate / bare_hook_rate:.2f}x (goal >= {GOAL_RATIO}x)",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "benchmark": "alerts",
                "subscriptions": match["subscriptions"],
                "match_queue_s": round(match["seconds"], 3),
                "match_goal_s": GOAL_MATCH_S,
                "bare_select_s": round(match["bare_select_s"], 3),
                "deliveries_per_alert": match["deliveries_per_alert"],
                "email_messages": mail["messages"],
                "email_per_s": round(mail_rate),
                "email_bare_per_s": round(bare_mail_rate),
                "email_ratio": round(mail_rate / bare_mail_rate, 2),
                "webhook_calls": hook["messages"],
                "webhook_per_s": round(hook_rate),
                "webhook_bare_per_s": round(bare_hook_rate),
                "webhook_ratio": round(hook_rate / bare_hook_rate, 2),
                "goals": {
                    "match_s": f"< {GOAL_MATCH_S}",
                    "email_per_s": f">= {GOAL_EMAIL_RATE}",
                    "webhook_per_s": f">= {GOAL_WEBHOOK_RATE}",
                    "ratio": f">= {GOAL_RATIO}",
                },
            }
        )
    )


if __name__ == "__main__":
    main()
