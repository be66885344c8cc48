"""Commands for people, organisations and API tokens: ``silkhub user``, ``silkhub org``,
``silkhub token``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from silkhub.accounts import service
from silkhub.accounts.models import OrgKind
from silkhub.cli.context import cli_actor, console, state
from silkhub.stores.operational import utcnow

user_app = typer.Typer(
    help="People who sign in to the portal or own API tokens.", no_args_is_help=True
)
org_app = typer.Typer(
    help="Organisations: departments, enterprises, agencies, panel members.", no_args_is_help=True
)
token_app = typer.Typer(help="API tokens for machines.", no_args_is_help=True)

COMMANDS = {"user": user_app, "org": org_app, "token": token_app}

RoleOption = Annotated[
    list[str] | None,
    typer.Option(
        "--role",
        help="A role (repeat for several): admin, analyst, index_compiler, "
        "editor, approver, panelist, subscriber, api_client, logistics_operator.",
        show_default=False,
    ),
]


def _zh() -> bool:
    return state.language == "zh"


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="E-mail address; the login.")],
    name: Annotated[
        str | None, typer.Option(help="Display name (default: the e-mail).", show_default=False)
    ] = None,
    role: RoleOption = None,
    org: Annotated[int | None, typer.Option(help="Organisation id.", show_default=False)] = None,
    language: Annotated[str, typer.Option(help="Preferred language: zh or en.")] = "zh",
    password: Annotated[
        str | None,
        typer.Option(help="Password (asked for when not given).", show_default=False),
    ] = None,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No password: the account uses tokens only.")
    ] = False,
) -> None:
    """Add a person."""
    roles = service.parse_roles(role or [], field="--role")
    if password is None and not no_password:
        password = typer.prompt(
            "密码" if _zh() else "Password", hide_input=True, confirmation_prompt=True
        )
    with state.database().transaction(cli_actor()) as session:
        user = service.create_user(
            session,
            email=email,
            display_name=name or email,
            password=password,
            roles=roles,
            organisation_id=org,
            language=language,
        )
        console.print(("已添加用户 " if _zh() else "Added user ") + f"{user.id}: {user.email}")


@user_app.command("list")
def user_list() -> None:
    """List people with their roles."""
    with state.database().reading() as session:
        table = Table("id", "e-mail", "name", "roles", "org", "active")
        for u in service.list_users(session):
            table.add_row(
                str(u.id),
                u.email,
                u.display_name,
                " ".join(sorted(u.roles)),
                str(u.organisation_id or ""),
                "yes" if u.is_active else "no",
            )
        console.print(table)


@user_app.command("passwd")
def user_passwd(
    email: Annotated[str, typer.Argument(help="E-mail address of the person.")],
    password: Annotated[
        str | None,
        typer.Option(help="New password (asked for when not given).", show_default=False),
    ] = None,
) -> None:
    """Set a person's password."""
    if password is None:
        password = typer.prompt(
            "新密码" if _zh() else "New password", hide_input=True, confirmation_prompt=True
        )
    with state.database().transaction(cli_actor()) as session:
        service.set_password(session, service.user_by_email(session, email), password)
    console.print("密码已更新。" if _zh() else "Password changed.")


@org_app.command("add")
def org_add(
    name_zh: Annotated[str, typer.Option(help="Chinese name.")],
    name_en: Annotated[str, typer.Option(help="English name.")],
    kind: Annotated[str, typer.Option(help="Kind: " + ", ".join(k.value for k in OrgKind))],
    country: Annotated[str, typer.Option(help="Country: an ISO code or a name.")] = "CN",
) -> None:
    """Add an organisation."""
    with state.database().transaction(cli_actor()) as session:
        org = service.create_organisation(
            session, name_zh=name_zh, name_en=name_en, kind=kind, country=country.upper()
        )
        console.print(("已添加机构 " if _zh() else "Added organisation ") + f"{org.id}")


@org_app.command("list")
def org_list() -> None:
    """List organisations."""
    with state.database().reading() as session:
        table = Table("id", "名称" if _zh() else "name", "kind", "country")
        for o in service.list_organisations(session):
            table.add_row(str(o.id), o.name_zh if _zh() else o.name_en, o.kind, o.country)
        console.print(table)


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="E-mail address of the token's owner.")],
    name: Annotated[str, typer.Option(help="What the token is for.")],
    role: RoleOption = None,
    expires_days: Annotated[
        int | None,
        typer.Option(
            help="Expire after this many days (1 to 3650).", min=1, max=3650, show_default=False
        ),
    ] = None,
) -> None:
    """Create an API token and print it (once)."""
    roles = service.parse_roles(role or [], field="--role") or None
    with state.database().transaction(cli_actor()) as session:
        issued = service.create_token(
            session,
            service.user_by_email(session, email),
            name=name,
            roles=roles,
            expires_at=utcnow() + timedelta(days=expires_days)
            if expires_days is not None
            else None,
        )
        console.print(
            ("令牌（仅显示这一次）：" if _zh() else "Token (shown this once): ")
            + f"[bold]{issued.secret}[/]",
            soft_wrap=True,
        )


@token_app.command("list")
def token_list(
    email: Annotated[
        str | None, typer.Argument(help="Only this person's tokens.", show_default=False)
    ] = None,
) -> None:
    """List API tokens (never the tokens themselves)."""
    with state.database().reading() as session:
        owner = service.user_by_email(session, email).id if email else None
        table = Table("id", "prefix", "owner", "name", "roles", "expires", "revoked")
        for t in service.list_tokens(session, owner):
            table.add_row(
                str(t.id),
                t.prefix,
                t.user.email,
                t.name,
                t.roles,
                str(t.expires_at or ""),
                str(t.revoked_at or ""),
            )
        console.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="Token id (see `token list`).")],
) -> None:
    """Revoke an API token at once."""
    with state.database().transaction(cli_actor()) as session:
        token = service.revoke_token_by_id(session, token_id)
    console.print(("已撤销令牌 " if _zh() else "Revoked token ") + token.prefix)
