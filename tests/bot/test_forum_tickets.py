"""Help-forum posts are tickets: opened live and on catch-up (once), answered by anyone (the
first response recorded), reminded by the sweep, closed as solved by /solved and rated."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from sqlalchemy import Engine, func, select

from hearth.actions.context import Caller
from hearth.actions.ticket_reads import (
    access_my_tickets,
    access_ticket,
    access_ticket_queue,
    access_transcript,
)
from hearth.bot.client import HearthBot
from hearth.playbooks.loader import load_playbook
from hearth.store.tables import ticket_messages, tickets
from tests.bot.conftest import (
    BotFactory,
    archive_thread,
    guild,
    interact,
    ledger,
    make_channel,
    make_role,
    make_thread,
    member,
    post,
    settle,
    state,
)
from tests.bot.test_tickets import command, said
from tests.bot.workflows import patch_workflow_http

pytestmark = pytest.mark.asyncio
FORUM = "help-forum"
STAFF = Caller.operator()


def helped_phoenix() -> Any:
    phoenix = load_playbook("phoenix")
    support = phoenix.support.model_copy(update={"help_forums": [FORUM]})
    return phoenix.model_copy(update={"support": support})


async def forum_bot(make_bot: BotFactory) -> tuple[HearthBot, Any, discord.Member]:
    bot = await make_bot(
        helped_phoenix(), cogs=["hearth.bot.cogs.tickets", "hearth.bot.cogs.ingest"]
    )
    patch_workflow_http(bot.http)
    team = make_role(
        guild(),
        "Phoenix Core Team",
        permissions=discord.Permissions(manage_threads=True).value,
    )
    await dpytest.add_role(member("bob"), team)
    forum = make_channel(guild(), FORUM, discord.ChannelType.forum)
    eve = await dpytest.member_join(name="eve")
    return bot, forum, eve


def rows(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(tickets).order_by(tickets.c.id)))


def message_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(ticket_messages)) or 0)


def solved(helper: discord.Member) -> dict[str, Any]:
    return command("solved", {"name": "helper", "type": 6, "value": str(helper.id)}, helper=helper)


async def test_a_forum_post_is_a_ticket_answered_reminded_solved_and_rated(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot, forum, eve = await forum_bot(make_bot)
    alice, bob = member("alice"), member("bob")
    thread = make_thread(forum, alice, "Why is it slow?")
    await settle()
    await post(thread, alice, "It takes a minute to start", message_id=thread.id)
    [row] = rows(engine)
    assert (row.opened_on, row.channel_id, row.category, row.subject, row.state) == (
        "forum",
        str(thread.id),
        "question",  # no tag names a category: the first one
        "Why is it slow?",
        "open",
    )
    # the asker sees it in "my tickets", staff in the queue
    alice_id = row.member_id
    mine = access_my_tickets(engine, Caller("alice", member_id=alice_id), helped_phoenix())
    assert [t.id for t in mine] == [row.id]
    queue = access_ticket_queue(engine, STAFF, helped_phoenix())
    assert [t.id for t in queue] == [row.id]

    # anyone may answer a forum post: eve's reply is the first response
    await post(thread, alice, "Still slow")
    await post(thread, eve, "Turn caching on")
    replied = ledger(engine, "ticket.replied")
    assert [r["properties"]["first_response"] for r in replied] == [False, False, True]
    assert replied[-1]["properties"]["target_met"] is True
    assert replied[-1]["properties"]["staff"] is False
    view = access_ticket(engine, STAFF, helped_phoenix(), row.id)
    assert view.target == "met" and view.first_response_at is not None
    lines = access_transcript(engine, STAFF, row.id)
    assert [line.body for line in lines] == [
        "It takes a minute to start",
        "Still slow",
        "Turn caching on",
    ]

    # another post nobody answers: the sweep reminds staff in the post, once
    quiet = make_thread(forum, eve, "Docs link broken")
    await settle()
    second = rows(engine)[1]
    cog = bot.get_cog("tickets")
    said(quiet)
    notices = await cog.run_sweep(second.opened_at + timedelta(minutes=95))
    assert [(n.step, n.ticket_id) for n in notices] == [("remind", second.id)]
    assert "needs a first answer" in said(quiet)[0].content
    assert await cog.run_sweep(second.opened_at + timedelta(minutes=96)) == []

    # only the asker or staff mark it solved; that closes the ticket as solved
    denied = await interact(bot, eve, thread, solved(eve), kind=2)
    assert "Only the member who asked" in denied[-1]["data"]["content"]
    replies = await interact(bot, alice, thread, solved(eve), kind=2)
    assert replies[0]["type"] == 5  # deferred first
    assert replies[-1]["data"]["content"] == f"✅ Solved, thanks to {eve.mention}."
    closed = rows(engine)[0]
    assert (closed.state, closed.close_reason) == ("closed", "solved")
    credit = ledger(engine, "thread.solved")
    assert len(credit) == 1 and credit[0]["target_id"] == str(thread.id)
    posted = said(thread)
    assert posted[0].content == f"✅ Solved, thanks to {eve.mention}."
    prompt = posted[-1]
    assert "can rate the help" in prompt.content
    again = await interact(bot, bob, thread, solved(eve), kind=2)
    assert "already marked solved" in again[-1]["data"]["content"]

    # the asker rates it
    rate = f"hearth:ticket:rate:{row.id}:5"
    buttons = [{"type": 1, "components": [{"type": 2, "style": 3, "custom_id": rate}]}]
    thanks = await interact(
        bot, alice, thread, {"custom_id": rate, "component_type": 2},
        message=prompt, components=buttons,
    )  # fmt: skip
    assert "Thank you for rating" in thanks[-1]["data"]["content"]
    assert rows(engine)[0].rating == 5
    kinds = [r["kind"] for r in ledger(engine) if r["kind"].startswith("ticket.")]
    assert kinds.count("ticket.opened") == 2 and kinds.count("ticket.closed") == 1
    assert kinds[-1] == "ticket.rated"


async def test_posts_made_while_away_are_caught_up_once(
    make_bot: BotFactory, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot, forum, eve = await forum_bot(make_bot)
    alice, bob = member("alice"), member("bob")
    seen = make_thread(forum, alice, "Seen live")
    await settle()
    await post(seen, alice, "Hello?", message_id=seen.id)
    assert len(rows(engine)) == 1

    # the bot is down: a new post and answers happen without it
    with monkeypatch.context() as down:
        down.setattr(state(), "dispatch", lambda *args, **kwargs: None)
        missed = make_thread(forum, eve, "Missed while away")
        gone = make_thread(forum, bob, "Asked and archived while away")
        await post(missed, eve, "Is anyone there?", message_id=missed.id, dispatch=False)
        await post(missed, bob, "Yes, here", dispatch=False)
        await post(seen, bob, "Answer to the live one", dispatch=False)
        await post(gone, bob, "Quick one", message_id=gone.id, dispatch=False)
        archive_thread(gone)  # no longer among the active threads
    assert gone not in guild().threads
    assert len(rows(engine)) == 1 and message_count(engine) == 1

    bot.dispatch("ready")  # back: catch up
    await settle()
    first, second, third = rows(engine)
    assert second.channel_id == str(missed.id) and second.opened_on == "forum"
    assert third.channel_id == str(gone.id) and third.first_response_at is None
    assert first.first_response_at is not None and second.first_response_at is not None
    assert [line.body for line in access_transcript(engine, STAFF, second.id)] == [
        "Is anyone there?",
        "Yes, here",
    ]
    assert message_count(engine) == 5

    # live and caught up again: nothing doubles
    bot.dispatch("ready")
    await settle()
    assert await bot.get_cog("tickets").catch_up_forums(guild()) == 0
    assert len(rows(engine)) == 3 and message_count(engine) == 5
    assert len(ledger(engine, "ticket.opened")) == 3
