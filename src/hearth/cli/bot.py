"""``hearth bot`` and ``hearth discord plan|apply``: the Discord bot and the server layout."""

from __future__ import annotations

from typing import Annotated

import typer

from hearth.cli.app import app, out, state_of
from hearth.i18n import _, using_language

discord_app = typer.Typer(
    help=_("The Discord server: its layout as code, from the playbook's server section."),
    no_args_is_help=True,
)
app.add_typer(discord_app, name="discord")

GuildOption = Annotated[
    int | None,
    typer.Option(
        "--guild", help=_("The server's id (default: HEARTH_DISCORD_GUILD_ID, else the only one).")
    ),
]
PruneOption = Annotated[
    bool,
    typer.Option(
        "--prune", help=_("Also delete roles, channels and overwrites the playbook does not name.")
    ),
]


@app.command("bot")
def bot_command(ctx: typer.Context) -> None:
    """Run the Discord bot (HEARTH_DISCORD_TOKEN) until Ctrl-C or SIGTERM."""
    from hearth.bot.runner import run_bot, token_of

    state = state_of(ctx)
    token_of(state.settings)  # a missing token is reported before anything else
    # each reply speaks its member's language; public messages the server's (docs/i18n.md)
    with using_language(None):
        run_bot(state.settings, engine=state.engine())


@discord_app.command("plan")
def plan_command(ctx: typer.Context, guild: GuildOption = None, prune: PruneOption = False) -> None:
    """Print what 'hearth discord apply' would create, change (or delete) in the server."""
    from hearth.bot.layout import plan_for
    from hearth.bot.runner import run_on_guild
    from hearth.playbooks.loader import load_playbook

    settings = state_of(ctx).settings
    playbook = load_playbook(settings.playbook)

    async def job(target: object) -> list[str]:
        return [c.describe() for c in plan_for(target, playbook, prune=prune)]  # type: ignore[arg-type]

    lines = run_on_guild(settings, job, guild_id=guild)
    print_plan(lines)


@discord_app.command("apply")
def apply_command(
    ctx: typer.Context, guild: GuildOption = None, prune: PruneOption = False
) -> None:
    """Create and change roles, categories, channels and overwrites to match the playbook."""
    from hearth.bot.layout import apply_plan, plan_for
    from hearth.bot.runner import run_on_guild
    from hearth.playbooks.loader import load_playbook

    settings = state_of(ctx).settings
    playbook = load_playbook(settings.playbook)

    async def job(target: object) -> list[str]:
        done = await apply_plan(target, plan_for(target, playbook, prune=prune))  # type: ignore[arg-type]
        return [c.describe() for c in done]

    lines = run_on_guild(settings, job, guild_id=guild)
    for line in lines:
        out.print(line, markup=False, highlight=False)
    out.print(_("{n} changes applied.").format(n=len(lines)))


def print_plan(lines: list[str]) -> None:
    if not lines:
        out.print(_("The server matches the playbook: nothing to do."))
        return
    for line in lines:
        out.print(line, markup=False, highlight=False)
    out.print(_("{n} changes; run 'hearth discord apply' to make them.").format(n=len(lines)))
