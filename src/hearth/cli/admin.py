"""``hearth admin ...``: web accounts, roles and API tokens from the server's command line."""

from __future__ import annotations

import secrets
import sys
from typing import Annotated

import typer
from rich.table import Table

from hearth.actions.context import Caller
from hearth.cli.app import app, out, state_of
from hearth.i18n import _

admin_app = typer.Typer(help=_("Web accounts, roles and API tokens."), no_args_is_help=True)
app.add_typer(admin_app, name="admin")


@admin_app.command("create")
def admin_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help=_("The account's username."))],
    role: Annotated[
        str, typer.Option("--role", help=_("admin, staff, moderator or member."))
    ] = "admin",
    member: Annotated[
        int | None, typer.Option("--member", help=_("The member this account belongs to."))
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=_("Read the password from standard input."))
    ] = False,
    generate: Annotated[
        bool,
        typer.Option("--generate-password", help=_("Make up a strong password and print it once.")),
    ] = False,
) -> None:
    """Create a web account (by default an administrator) with a password (Argon2 hash)."""
    from hearth.actions.accounts import check_create_account

    if generate:
        password = secrets.token_urlsafe(15)
    elif password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    account = check_create_account(
        state_of(ctx).engine(), Caller.operator(), username, password, role, member
    )
    out.print(
        _("Created account {id} '{name}' with the role {role}.").format(
            id=account, name=username, role=role
        )
    )
    if generate:
        out.print(_("Password: {password}").format(password=password), markup=False)


@admin_app.command("list")
def admin_list(ctx: typer.Context) -> None:
    """The web accounts and their roles."""
    from hearth.actions.accounts import access_accounts

    table = Table(_("id"), _("username"), _("role"), _("member"), _("last sign-in"))
    for row in access_accounts(state_of(ctx).engine(), Caller.operator()):
        table.add_row(
            str(row["id"]),
            row["username"],
            row["role"],
            str(row["member_id"] or ""),
            row["last_login_at"].isoformat(timespec="minutes") if row["last_login_at"] else "",
        )
    out.print(table)


@admin_app.command("role")
def admin_role(
    ctx: typer.Context,
    account: Annotated[int, typer.Argument(help=_("The account id."))],
    role: Annotated[str, typer.Argument(help=_("admin, staff, moderator or member."))],
) -> None:
    """Change an account's role (it applies from its next request)."""
    from hearth.actions.accounts import check_set_role

    check_set_role(state_of(ctx).engine(), Caller.operator(), account, role)
    out.print(_("Account {id} is now {role}.").format(id=account, role=role))


@admin_app.command("token")
def admin_token(
    ctx: typer.Context,
    account: Annotated[int, typer.Argument(help=_("The staff account the token acts as."))],
    name: Annotated[str, typer.Argument(help=_("What the token is for."))],
) -> None:
    """Create an API token for /api/v1 (printed once; only its hash is kept)."""
    from hearth.actions.sessions import check_create_api_token

    token = check_create_api_token(state_of(ctx).engine(), Caller.operator(), account, name)
    out.print(token, markup=False)
