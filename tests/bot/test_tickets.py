"""Support tickets through discord.py: open, answer, remind, close, rate; /solved."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import factories
from sqlalchemy import Engine, select

from hearth.actions.context import Caller
from hearth.actions.ticket_reads import access_ticket, access_transcript
from hearth.bot.client import HearthBot
from hearth.playbooks.loader import load_playbook
from hearth.store.tables import tickets
from tests.bot.conftest import (
    BotFactory,
    guild,
    interact,
    ledger,
    make_channel,
    make_role,
    make_thread,
    member,
    post,
    settle,
    snowflake,
)
from tests.bot.workflows import calls, patch_workflow_http, thread_of

pytestmark = pytest.mark.asyncio
COGS = ["hearth.bot.cogs.tickets"]
SUPPORT = "🆘-quick-help"
STAFF = Caller.operator()


def command(
    name: str, *options: dict[str, Any], group: str | None = None, **resolved: discord.Member
) -> dict[str, Any]:
    data: dict[str, Any] = {"id": snowflake(), "name": name, "type": 1, "options": list(options)}
    if group:
        data = {
            "id": snowflake(),
            "name": group,
            "type": 1,
            "options": [{"name": name, "type": 1, "options": list(options)}],
        }
    if resolved:
        data["resolved"] = {
            "users": {str(m.id): factories.dict_from_user(m) for m in resolved.values()},
            "members": {
                str(m.id): {k: v for k, v in factories.dict_from_member(m).items() if k != "user"}
                for m in resolved.values()
            },
        }
    return data


def text(name: str, value: str) -> dict[str, Any]:
    return {"name": name, "type": 3, "value": value}


def said(channel: Any) -> list[discord.Message]:
    found = []
    while not dpytest.sent_queue.empty():
        found.append(dpytest.get_message())
    return [m for m in found if m.channel.id == channel.id]


async def staff_bot(make_bot: BotFactory) -> tuple[HearthBot, discord.Member, discord.Member]:
    bot = await make_bot("phoenix", cogs=COGS, channels=[SUPPORT, "general"])
    patch_workflow_http(bot.http)
    team = make_role(
        guild(),
        "Phoenix Core Team",
        permissions=discord.Permissions(manage_threads=True, manage_messages=True).value,
    )
    await dpytest.add_role(member("bob"), team)
    return bot, member("alice"), member("bob")


def ticket_row(engine: Engine) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(tickets)).one()


async def test_open_answer_remind_close_and_rate(make_bot: BotFactory, engine: Engine) -> None:
    bot, alice, bob = await staff_bot(make_bot)
    support = discord.utils.get(guild().text_channels, name=SUPPORT)
    replies = await interact(
        bot,
        alice,
        discord.utils.get(guild().text_channels, name="general"),
        command("ticket", text("category", "bug"), text("subject", "The build crashes")),
        kind=2,
    )
    row = ticket_row(engine)
    thread = thread_of(guild(), row.id)
    # a private thread under the support channel, the member added, told when to expect an answer
    assert thread.parent_id == support.id
    assert thread.type == discord.ChannelType.private_thread
    assert ("thread_member", (thread.id, alice.id)) in calls
    assert replies[-1]["data"]["flags"] == 64
    assert f"Your ticket #{row.id} is open in <#{thread.id}>" in replies[-1]["data"]["content"]
    assert f"<t:{int(row.due_at.timestamp())}:f>" in replies[-1]["data"]["content"]
    intro = said(thread)
    team = discord.utils.get(guild().roles, name="Phoenix Core Team")
    assert intro[0].content.startswith(f"Ticket #{row.id} (Bug report) from {alice.mention}")
    assert team.mention in intro[0].content

    # reminding: 95 minutes in, nobody has answered; the staff role is pinged once
    cog = bot.get_cog("tickets")
    notices = await cog.run_sweep(row.opened_at + timedelta(minutes=95))
    assert [n.step for n in notices] == ["remind"]
    assert "needs a first answer" in said(thread)[0].content
    assert await cog.run_sweep(row.opened_at + timedelta(minutes=100)) == []

    # answering: alice adds detail (not a response), bob answers (the first response)
    await post(thread, alice, "It fails at step 3")
    await post(thread, bob, "Run it with --verbose please")
    replied = ledger(engine, "ticket.replied")
    assert [r["properties"]["first_response"] for r in replied] == [False, True]
    first = replied[1]["properties"]
    assert first["staff"] is True and first["target_met"] is True
    assert 0 <= first["response_seconds"] < 60
    assert ticket_row(engine).first_response_at is not None
    lines = access_transcript(engine, STAFF, row.id)
    assert [(line.author_name, line.body) for line in lines] == [
        (alice.display_name, "It fails at step 3"),
        (bob.display_name, "Run it with --verbose please"),
    ]

    # claiming and closing from the thread
    await interact(bot, bob, thread, command("claim", group="tickets"), kind=2)
    closing = await interact(
        bot, bob, thread, command("close", text("reason", "solved"), group="tickets"), kind=2
    )
    assert "is closed" in closing[-1]["data"]["content"]
    prompt = said(thread)[-1]
    assert (
        prompt.content
        == f"How did we do? The member who opened ticket #{row.id} can rate the help."
    )
    ids = [f"hearth:ticket:rate:{row.id}:{n}" for n in range(1, 6)]
    row_of_buttons = [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 3, "label": "★" * n, "custom_id": ids[n - 1]}
                for n in range(1, 6)
            ],
        }
    ]
    on = {"message": prompt, "components": row_of_buttons}

    # rating: only the member; once
    denied = await interact(bot, bob, thread, {"custom_id": ids[3], "component_type": 2}, **on)
    assert "Only the member who opened" in denied[-1]["data"]["content"]
    thanks = await interact(bot, alice, thread, {"custom_id": ids[3], "component_type": 2}, **on)
    assert thanks[-1]["data"]["content"] == f"Thank you for rating ticket #{row.id}: ★★★★."
    again = await interact(bot, alice, thread, {"custom_id": ids[4], "component_type": 2}, **on)
    assert "already rated" in again[-1]["data"]["content"]
    view = access_ticket(engine, STAFF, load_playbook("phoenix"), row.id)
    assert (view.state, view.rating, view.assignee_id, view.target) == (
        "closed",
        4,
        view.assignee_id,
        "met",
    )
    assert [r["kind"] for r in ledger(engine) if r["kind"].startswith("ticket.")] == [
        "ticket.opened",
        "ticket.replied",
        "ticket.replied",
        "ticket.claimed",
        "ticket.closed",
        "ticket.rated",
    ]


async def test_missed_target_alert_and_inactive_close(make_bot: BotFactory, engine: Engine) -> None:
    bot, alice, _bob = await staff_bot(make_bot)
    await interact(
        bot,
        alice,
        discord.utils.get(guild().text_channels, name=SUPPORT),
        command("ticket", text("category", "question"), text("subject", "How do I?")),
        kind=2,
    )
    row = ticket_row(engine)
    thread = thread_of(guild(), row.id)
    said(thread)
    cog = bot.get_cog("tickets")
    assert [n.step for n in await cog.run_sweep(row.opened_at + timedelta(hours=3))] == ["alert"]
    assert "missed its first-answer target" in said(thread)[0].content
    assert [n.step for n in await cog.run_sweep(row.opened_at + timedelta(days=3, hours=1))] == [
        "warn"
    ]
    assert "will be closed" in said(thread)[0].content
    # a restart: a new cog instance finds the state in the database and closes on time
    await bot.reload_extension("hearth.bot.cogs.tickets")
    cog = bot.get_cog("tickets")
    assert await cog.run_sweep(row.opened_at + timedelta(days=3, hours=2)) == []
    assert [n.step for n in await cog.run_sweep(row.opened_at + timedelta(days=4, hours=2))] == [
        "close"
    ]
    assert "closed for inactivity" in said(thread)[0].content
    assert ("thread_edit", (thread.id, {"archived": True})) in calls
    assert ticket_row(engine).close_reason == "inactive"


async def test_solved_credits_the_helper(make_bot: BotFactory, engine: Engine) -> None:
    phoenix = load_playbook("phoenix")
    support = phoenix.support.model_copy(update={"help_forums": ["help-forum"]})
    bot = await make_bot(
        phoenix.model_copy(update={"support": support}), cogs=[*COGS, "hearth.bot.cogs.ingest"]
    )
    patch_workflow_http(bot.http)
    forum = make_channel(guild(), "help-forum", discord.ChannelType.forum)
    alice, bob = member("alice"), member("bob")
    post_thread = make_thread(forum, alice, "Why is it slow?")
    await settle()
    await post(post_thread, bob, "Turn caching on")
    replies = await interact(
        bot,
        bob,
        post_thread,
        command("solved", {"name": "helper", "type": 6, "value": str(bob.id)}, helper=bob),
        kind=2,
    )
    assert "Only the member who asked" in replies[-1]["data"]["content"]
    replies = await interact(
        bot,
        alice,
        post_thread,
        command("solved", {"name": "helper", "type": 6, "value": str(bob.id)}, helper=bob),
        kind=2,
    )
    assert replies[-1]["data"]["content"] == f"✅ Solved, thanks to {bob.mention}."
    solved = ledger(engine, "thread.solved")
    assert len(solved) == 1 and solved[0]["actor"] == "alice"
    assert solved[0]["target_id"] == str(post_thread.id)
