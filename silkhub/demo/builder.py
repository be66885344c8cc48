"""The demonstration hub: a fresh data directory with a synthetic but realistic hub in it.

Everything the builder invents is labelled as demonstration data: organisations' names carry
"演示" / "Demo", the data directory holds ``demo.json`` (which the portal reads to show its
banner), and every later capability marks its generated figures the same way. The generator
is seeded: the same seed gives the same hub.

The builder refuses to wipe a directory that is not a demonstration hub, so that pointing
``--data-dir`` at real data by mistake loses nothing.
"""

from __future__ import annotations

import json
import random
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from silkhub import __version__
from silkhub.accounts import service as accounts
from silkhub.accounts.models import OrgKind, Role
from silkhub.core.errors import Conflict, Message
from silkhub.migrations import upgrade
from silkhub.registry import CAPABILITIES, capability_module
from silkhub.settings import Settings
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database
from silkhub.stores.operational import utcnow
from silkhub.web.app import DEMO_MARKER

DEMO_DOMAIN = "demo.silkhub.invalid"  # .invalid: no mail can ever leave for it


@dataclass(frozen=True)
class DemoLogin:
    email: str
    roles: tuple[str, ...]


@dataclass
class DemoHub:
    data_dir: Path
    seed: int
    password: str
    logins: list[DemoLogin] = field(default_factory=list)


# (key, name_zh, name_en, kind)
ORGANISATIONS = [
    ("commerce", "演示·省商务厅", "Demo Provincial Department of Commerce", OrgKind.DEPARTMENT),
    ("index", "演示·海上丝路指数编制中心", "Demo Maritime Silk Road Index Centre", OrgKind.OTHER),
    (
        "service",
        "演示·“一带一路”综合服务中心",
        "Demo Belt and Road Service Centre",
        OrgKind.SERVICE_AGENCY,
    ),
    (
        "forwarder",
        "演示·甬海国际货运代理有限公司",
        "Demo Yonghai International Forwarding Co.",
        OrgKind.PANEL_MEMBER,
    ),
    (
        "rail",
        "演示·义乌陆港班列运营公司",
        "Demo Yiwu Land Port Rail Operator",
        OrgKind.LOGISTICS_OPERATOR,
    ),
    ("enterprise", "演示·之江贸易集团", "Demo Zhijiang Trading Group", OrgKind.ENTERPRISE),
]

# (local part, display name, roles, organisation key)
PEOPLE = [
    ("admin", "演示管理员 Demo Admin", (Role.ADMIN,), "commerce"),
    ("analyst", "演示分析员 Demo Analyst", (Role.ANALYST,), "commerce"),
    ("compiler", "演示指数编制员 Demo Index Compiler", (Role.INDEX_COMPILER,), "index"),
    ("editor", "演示编辑 Demo Editor", (Role.EDITOR,), "service"),
    ("approver", "演示审核人 Demo Approver", (Role.APPROVER,), "service"),
    ("panelist", "演示报价员 Demo Panelist", (Role.PANELIST,), "forwarder"),
    ("operator", "演示班列调度 Demo Rail Operator", (Role.LOGISTICS_OPERATOR,), "rail"),
    ("client", "演示接口客户端 Demo API Client", (Role.API_CLIENT,), "enterprise"),
    ("subscriber", "演示企业用户 Demo Enterprise User", (Role.SUBSCRIBER,), "enterprise"),
]


def _prepare_directory(data_dir: Path) -> None:
    if data_dir.exists() and any(data_dir.iterdir()):
        if not (data_dir / DEMO_MARKER).is_file():
            raise Conflict(
                Message(
                    f"目录 {data_dir} 不是演示枢纽且不为空，为免误删数据，不会清空它。"
                    "请换一个目录（--data-dir）。",
                    f"{data_dir} is not empty and is not a demonstration hub; it will not be "
                    "wiped, so that no real data is lost. Choose another --data-dir.",
                )
            )
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)


def _write_marker(data_dir: Path, seed: int, *, complete: bool) -> None:
    marker = {
        "synthetic": True,
        "complete": complete,
        "seed": seed,
        "generator": f"silkhub {__version__}",
        "built_at": utcnow().isoformat(timespec="seconds"),
        "notice": {
            "zh": "本目录中的全部数据均为合成的演示数据，并非官方统计。",
            "en": "All data in this directory is synthetic demonstration data, not official "
            "statistics.",
        },
    }
    (data_dir / DEMO_MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=2) + "\n")


def build_demo(
    settings: Settings,
    *,
    seed: int = 2020,
    password: str | None = None,
    capabilities: Sequence[str] | None = None,
) -> DemoHub:
    """Build a fresh demonstration hub in ``settings.data_dir``, with the demonstration data
    of each of ``capabilities`` (all, by default; tests of the builder itself pass none).

    Always on embedded stores inside that directory, whatever the settings name, so that a
    demonstration can never write into (or wipe) a real database.
    """
    settings = settings.model_copy(update={"database_url": None, "analytical_dir": None})
    data_dir = settings.data_dir
    _prepare_directory(data_dir)
    # The marker goes first, so that an interrupted build can be rebuilt over.
    _write_marker(data_dir, seed, complete=False)
    settings.resolved_analytical_dir.mkdir(parents=True, exist_ok=True)
    db = Database.from_url(settings.resolved_database_url)
    try:
        upgrade(db.engine)
        hub = DemoHub(data_dir=data_dir, seed=seed, password=password or secrets.token_urlsafe(9))
        rng = random.Random(seed)
        actor = Actor.system("demo")
        with db.transaction(actor) as session:
            org_ids = {}
            for key, name_zh, name_en, kind in ORGANISATIONS:
                org = accounts.create_organisation(
                    session, name_zh=name_zh, name_en=name_en, kind=kind.value
                )
                org_ids[key] = org.id
            for local, name, roles, org_key in PEOPLE:
                email = f"{local}@{DEMO_DOMAIN}"
                accounts.create_user(
                    session,
                    email=email,
                    display_name=name,
                    password=hub.password,
                    roles=roles,
                    organisation_id=org_ids[org_key],
                )
                hub.logins.append(DemoLogin(email, tuple(r.value for r in roles)))
        for capability in CAPABILITIES if capabilities is None else capabilities:
            module = capability_module(capability, "demo")
            if module is not None:
                module.build(db=db, settings=settings, rng=rng)
        _write_marker(data_dir, seed, complete=True)
        return hub
    finally:
        db.dispose()
