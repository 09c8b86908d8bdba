"""Every application command and context menu of every registered cog, used by another member
with plausible arguments (the ids of the victim's ticket and cases, the victim herself), in the
ticket's thread and elsewhere, never shows the victim's ticket, transcript or case text.

The walk is built from the bot's command tree, so a new command is walked as soon as it is
registered; it must also be added to :data:`REVIEWED` (after checking that the arguments below
are plausible for it), or this test fails."""

from __future__ import annotations

from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord import app_commands
from discord.ext.test import backend, factories
from sqlalchemy import Engine, select

from hearth.bot.registry import registered_cogs
from hearth.store.tables import mod_cases, ticket_messages, tickets
from tests.bot.conftest import (
    BotFactory,
    guild,
    interact,
    make_channel,
    make_role,
    member,
    post,
    snowflake,
)
from tests.bot.test_moderation import command, opt
from tests.bot.workflows import patch_workflow_http, thread_of

pytestmark = pytest.mark.asyncio
SECRETS = ("SECRET-SUBJECT", "SECRET-BODY", "SECRET-ANSWER", "SECRET-REASON", "SECRET-REPORT")
MOD_LOG = "🛡️-mod-log"  # the moderators' channel: reports and cases are posted there on purpose
REVIEWED = {
    # slash commands (groups by their subcommands)
    "achievements",
    "appeal",
    "ban",
    "case",
    "faq",
    "faq-add",
    "leaderboard",
    "link github",
    "poll",
    "poll-close",
    "progress",
    "rank",
    "report",
    "solved",
    "suggest",
    "suggestion-status",
    "thanks",
    "ticket",
    "tickets claim",
    "tickets close",
    "tickets handover",
    "tickets reopen",
    "timeout",
    "unban",
    "warn",
    # context menus
    "Report message",
}
# Plausible text for string options by name; any other string option gets the ticket's id.
TEXT = {
    "category": "question",
    "subject": "eve's own question",
    "duration": "1d",
    "options": "yes;no",
    "reason": "eve says so",
    "title": "eve's idea",
    "answer": "eve's answer",
}
INT_TYPES = (discord.AppCommandOptionType.integer, discord.AppCommandOptionType.number)
USER_TYPES = (discord.AppCommandOptionType.user, discord.AppCommandOptionType.mentionable)


def every_command(bot: Any) -> dict[str, Any]:
    """Every command of the tree, by qualified name: slash commands' leaves and the context
    menus of every type."""
    found: dict[str, Any] = {}
    for kind in discord.AppCommandType:
        for top in bot.tree.get_commands(type=kind):
            if isinstance(top, app_commands.Group):
                for cmd in top.walk_commands():
                    if not isinstance(cmd, app_commands.Group):
                        found[cmd.qualified_name] = cmd
            else:
                found[top.qualified_name] = top
    return found


def resolved_members(*people: discord.Member) -> dict[str, Any]:
    return {
        "users": {str(m.id): factories.dict_from_user(m) for m in people},
        "members": {
            str(m.id): {k: v for k, v in factories.dict_from_member(m).items() if k != "user"}
            for m in people
        },
    }


def invocations(
    cmd: Any, victim: discord.Member, ids: list[int], target: discord.Message
) -> list[dict[str, Any]]:
    """The payloads that use ``cmd`` against the victim: one per id for integer options."""
    if isinstance(cmd, app_commands.ContextMenu):
        data: dict[str, Any] = {"id": snowflake(), "name": cmd.name, "type": cmd.type.value}
        if cmd.type == discord.AppCommandType.message:
            data["target_id"] = str(target.id)
            stored = backend._cur_config.messages[target.channel.id]
            message = dict(next(m for m in stored if int(m["id"]) == target.id))
            message.setdefault("channel_id", str(target.channel.id))
            data["resolved"] = {"messages": {str(target.id): message}}
        else:
            data["target_id"] = str(victim.id)
            data["resolved"] = resolved_members(victim)
        return [data]
    payloads = []
    for number in ids if any(p.type in INT_TYPES for p in cmd.parameters) else ids[:1]:
        values: list[dict[str, Any]] = []
        users = False
        for p in cmd.parameters:
            if p.choices:
                values.append(opt(p.name, p.choices[0].value, p.type.value))
            elif p.type in USER_TYPES:
                values.append(opt(p.name, str(victim.id), p.type.value))
                users = True
            elif p.type in INT_TYPES:
                values.append(opt(p.name, number, p.type.value))
            elif p.type == discord.AppCommandOptionType.boolean:
                values.append(opt(p.name, False, 5))
            elif p.type == discord.AppCommandOptionType.string:
                values.append(opt(p.name, TEXT.get(p.name, str(ids[0]))))
            else:
                raise AssertionError(f"/{cmd.qualified_name}: no plausible value for {p.name}")
        data = command(cmd.name, *values)
        for parent in (cmd.parent, cmd.parent.parent if cmd.parent else None):
            if parent is not None:
                data = {
                    "id": snowflake(),
                    "name": parent.name,
                    "type": 1,
                    "options": [{k: v for k, v in data.items() if k != "id"} | {"type": 1}],
                }
        if users:
            data["resolved"] = resolved_members(victim)
        payloads.append(data)
    return payloads


async def test_no_command_shows_another_members_ticket_or_case(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot = await make_bot(
        "phoenix", cogs=list(registered_cogs()), channels=["🆘-quick-help", "general"]
    )
    patch_workflow_http(bot.http)
    make_channel(guild(), MOD_LOG)
    staff = make_role(
        guild(),
        "Phoenix Core Team",
        permissions=discord.Permissions(
            manage_threads=True, moderate_members=True, ban_members=True
        ).value,
    )
    alice, bob = member("alice"), member("bob")
    await dpytest.add_role(bob, staff)
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
    await post(thread, bob, "SECRET-ANSWER")
    said_openly = await post(general, alice, "hello all")
    for name, reason in (("warn", "SECRET-REASON"), ("report", "SECRET-REPORT")):
        await interact(
            bot,
            bob,
            general,
            command(name, opt("member", str(alice.id), 6), opt("reason", reason), member=alice),
            kind=2,
        )
    with engine.connect() as conn:
        case_ids = sorted(conn.scalars(select(mod_cases.c.id)).all())
        before = conn.execute(select(tickets)).one()  # alice's, the only one yet
    assert len(case_ids) == 2
    while not dpytest.sent_queue.empty():
        dpytest.get_message()

    # eve: a third member without any rights
    eve = await dpytest.member_join(name="eve")
    commands = every_command(bot)
    assert set(commands) == REVIEWED, "a new command: check its arguments here, add it"
    ids = [ticket_id, *case_ids]
    replies: list[dict[str, Any]] = []
    walked: set[str] = set()
    for name, cmd in sorted(commands.items()):
        kind = 2
        for data in invocations(cmd, alice, ids, said_openly):
            for channel in (general, thread):
                got = await interact(bot, eve, channel, data, kind=kind)
                assert got, f"{name} did not answer"
                replies += got
                walked.add(name)
    assert walked == set(commands)

    shown = [str(r.get("data", {})) for r in replies]
    failed = [text for text in shown if "Something went wrong" in text]
    assert failed == [], "a command failed on its arguments: the walk would prove nothing"
    while not dpytest.sent_queue.empty():
        message = dpytest.get_message()
        channel = message.channel
        if isinstance(channel, discord.Thread) or getattr(channel, "name", None) == MOD_LOG:
            continue  # the ticket's private thread, the moderators' channel
        if isinstance(channel, discord.DMChannel) and channel.recipient != eve:
            continue  # a DM to someone else (alice told of her own case)
        shown.append(message.content)
        shown += [str(embed.to_dict()) for embed in message.embeds]
    for text in shown:
        for secret in SECRETS:
            assert secret not in text
    # and nothing of alice's changed: eve's uses were refused
    with engine.connect() as conn:
        mine = select(tickets).where(tickets.c.id == ticket_id)
        assert conn.execute(mine).one() == before
        bodies = conn.scalars(
            select(ticket_messages.c.body).where(ticket_messages.c.ticket_id == ticket_id)
        ).all()
        assert bodies == ["SECRET-BODY", "SECRET-ANSWER"]
