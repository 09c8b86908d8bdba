"""Live ingest through discord.py: what members do becomes ledger activities."""

from __future__ import annotations

import discord
import pytest
from sqlalchemy import Engine

from tests.bot.conftest import (
    BotFactory,
    delete,
    edit,
    guild,
    ledger,
    make_channel,
    make_thread,
    member,
    post,
    react,
)

pytestmark = pytest.mark.asyncio
INGEST = ["hearth.bot.cogs.ingest"]


async def test_message_edit_delete_and_reactions(make_bot: BotFactory, engine: Engine) -> None:
    await make_bot(cogs=INGEST)
    general = guild().text_channels[0]
    alice, bob = member("alice"), member("bob")
    message = await post(general, alice, "Hello, Phoenix!")
    reply = await post(general, bob, "Welcome!", reply_to=message)
    await edit(message, "Hello, Phoenix! (edited)")
    await react(bob, message, "👍")
    await react(bob, message, "👍", add=False)
    await delete(reply)

    rows = ledger(engine)
    kinds = [(r["kind"], r["actor"]) for r in rows]
    assert kinds == [
        ("message.posted", "alice"),
        ("message.posted", "bob"),
        ("message.edited", "alice"),
        ("reaction.added", "bob"),
        ("reaction.removed", "bob"),
        ("message.deleted", None),
    ]
    posted = rows[0]
    assert posted["source_id"] == str(message.id)
    assert posted["target_type"] == "channel" and posted["target_id"] == str(general.id)
    assert posted["properties"]["channel"] == "general"
    assert posted["properties"]["length"] == len("Hello, Phoenix!")
    assert rows[1]["properties"]["reply_to"] == str(message.id)
    assert rows[3]["source_id"] == f"{message.id}:reaction:👍:{bob.id}"  # as the export importer
    assert rows[3]["target_owner_member_id"] == posted["actor_member_id"]
    assert rows[5]["target_id"] == str(reply.id)


async def test_forum_post_and_replies_are_a_thread(make_bot: BotFactory, engine: Engine) -> None:
    await make_bot(cogs=INGEST)
    forum = make_channel(guild(), "help-forum", discord.ChannelType.forum)
    alice, bob = member("alice"), member("bob")
    thread = make_thread(forum, alice, "How do I configure clustering?")
    await post(thread, alice, "I get a timeout when nodes join.", message_id=thread.id)
    await post(thread, bob, "Open port 4369 between the nodes.")
    await post(thread, alice, "That was it, thanks!")

    rows = ledger(engine)
    assert [(r["kind"], r["actor"]) for r in rows] == [
        ("thread.started", "alice"),
        ("thread.replied", "bob"),
        ("thread.replied", "alice"),
    ]
    started, answer = rows[0], rows[1]
    assert started["source_id"] == str(thread.id)
    assert started["target_type"] == "thread" and started["target_id"] == str(thread.id)
    assert started["properties"]["title"] == "How do I configure clustering?"
    assert started["properties"]["channel"] == "help-forum"
    assert answer["target_id"] == str(thread.id)
    assert answer["target_owner_member_id"] == started["actor_member_id"]

    from hearth.domain.metrics.threads import REPLY_KINDS

    first = next(r for r in rows[1:] if r["kind"] in REPLY_KINDS and r["actor"] != started["actor"])
    assert first["actor"] == "bob"  # the first response is bob's, from the same thread key


async def test_join_and_leave(make_bot: BotFactory, engine: Engine) -> None:
    import discord.ext.test as dpytest
    from discord.ext.test import backend

    await make_bot(cogs=INGEST)
    newcomer = await dpytest.member_join(name="carol")
    await dpytest.run_all_events()
    backend.delete_member(guild().get_member(newcomer.id))
    await dpytest.run_all_events()
    rows = ledger(engine, "member.joined", "member.left")
    assert [(r["kind"], r["actor"]) for r in rows] == [
        ("member.joined", "carol"),
        ("member.left", "carol"),
    ]


async def test_restart_catches_up_without_duplicates(make_bot: BotFactory, engine: Engine) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.bot.conftest import settle

    bot = await make_bot(cogs=INGEST)
    general = guild().text_channels[0]
    forum = make_channel(guild(), "help-forum", discord.ChannelType.forum)
    alice, bob = member("alice"), member("bob")
    now = datetime.now(UTC)
    await post(general, alice, "seen live 1", at=now - timedelta(minutes=10))
    await post(general, bob, "seen live 2", at=now - timedelta(minutes=9))

    # The bot is down: these happen without it seeing them.
    missed = [
        await post(general, alice, "missed 1", at=now - timedelta(minutes=5), dispatch=False),
        await post(general, bob, "missed 2", at=now - timedelta(minutes=4), dispatch=False),
    ]
    thread = make_thread(forum, alice, "Missed question")
    await post(thread, alice, "Anyone?", message_id=thread.id, dispatch=False)
    await post(thread, bob, "Here!", dispatch=False)
    assert len(ledger(engine)) == 2

    bot.dispatch("ready")  # back: catch up
    await settle()
    rows = ledger(engine)
    assert [(r["kind"], r["actor"]) for r in rows] == [
        ("message.posted", "alice"),
        ("message.posted", "bob"),
        ("message.posted", "alice"),
        ("message.posted", "bob"),
        ("thread.started", "alice"),
        ("thread.replied", "bob"),
    ]
    assert {r["source_id"] for r in rows} >= {str(m.id) for m in missed}

    # A live event that catch-up also read, and a second catch-up: nothing doubles.
    cog = bot.get_cog("ingest")
    totals = await cog.catch_up(guild())
    assert totals["imported"] == 0 and totals["duplicates"] >= 1  # the overlap, read again
    assert len(ledger(engine)) == 6
