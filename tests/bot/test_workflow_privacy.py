"""Every bot command of the support and moderation cogs, used by another member against a
member's ticket and case, in the ticket's thread and elsewhere, never shows their content."""

from __future__ import annotations

from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord import app_commands
from sqlalchemy import Engine, select

from hearth.store.tables import tickets
from tests.bot.conftest import BotFactory, guild, interact, make_role, member, post, snowflake
from tests.bot.test_moderation import command, opt
from tests.bot.workflows import patch_workflow_http, thread_of

pytestmark = pytest.mark.asyncio
COGS = ["hearth.bot.cogs.tickets", "hearth.bot.cogs.moderation"]
COMMANDS = {
    "ticket",
    "tickets",
    "solved",
    "warn",
    "timeout",
    "ban",
    "unban",
    "case",
    "appeal",
    "report",
    "Report message",
}


def options_for(cmd: Any, alice: discord.Member) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    values: list[dict[str, Any]] = []
    resolved: dict[str, Any] = {}
    for p in cmd.parameters:
        if p.type in (discord.AppCommandOptionType.user,):
            values.append(opt(p.name, str(alice.id), 6))
            resolved["x"] = alice
        elif p.type == discord.AppCommandOptionType.integer:
            values.append(opt(p.name, 1, 4))
        elif p.type == discord.AppCommandOptionType.boolean:
            values.append(opt(p.name, False, 5))
        else:
            values.append(opt(p.name, "question" if p.name == "category" else "1d"))
    return values, resolved


async def test_no_command_shows_another_members_ticket_or_case(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot = await make_bot("phoenix", cogs=COGS, channels=["🆘-quick-help", "general"])
    patch_workflow_http(bot.http)
    mods = make_role(
        guild(),
        "Moderator",
        permissions=discord.Permissions(moderate_members=True, ban_members=True).value,
    )
    alice, bob = member("alice"), member("bob")
    await dpytest.add_role(bob, mods)
    general = discord.utils.get(guild().text_channels, name="general")
    await interact(
        bot,
        alice,
        general,
        command("ticket", opt("category", "bug"), opt("subject", "SECRET-SUBJECT")),
        kind=2,
    )
    with engine.connect() as conn:
        ticket_id = conn.scalar(select(tickets.c.id))
    thread = thread_of(guild(), ticket_id)
    await post(thread, alice, "SECRET-BODY")
    await interact(
        bot,
        bob,
        general,
        command(
            "warn", opt("member", str(alice.id), 6), opt("reason", "SECRET-REASON"), member=alice
        ),
        kind=2,
    )
    while not dpytest.sent_queue.empty():
        dpytest.get_message()
    # eve: a third member without any rights (dpytest's guild has alice and bob; add one)
    eve = await dpytest.member_join(name="eve")
    names = {c.name for c in bot.tree.get_commands()}
    assert names == COMMANDS, "a new command: add it to this walk"
    replies: list[dict[str, Any]] = []
    for cmd in bot.tree.walk_commands():
        if isinstance(cmd, app_commands.Group):
            continue
        values, resolved = options_for(cmd, alice)
        data = command(cmd.name, *values, **({"member": alice} if resolved else {}))
        if cmd.parent is not None:
            data = {
                "id": snowflake(),
                "name": cmd.parent.name,
                "type": 1,
                "options": [{"name": cmd.name, "type": 1, "options": values}],
                **({"resolved": data["resolved"]} if "resolved" in data else {}),
            }
        for channel in (general, thread):
            replies += await interact(bot, eve, channel, data, kind=2)
    shown = [str(r.get("data", {})) for r in replies]
    while not dpytest.sent_queue.empty():
        message = dpytest.get_message()
        if not isinstance(message.channel, discord.Thread):
            shown.append(message.content)
    assert len(replies) >= 18
    for text in shown:
        for secret in ("SECRET-SUBJECT", "SECRET-BODY", "SECRET-REASON"):
            assert secret not in text
