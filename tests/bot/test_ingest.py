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


async def test_catch_up_reads_threads_archived_while_away(
    make_bot: BotFactory, engine: Engine
) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.bot.conftest import archive_thread, settle

    bot = await make_bot(cogs=INGEST, discord_catchup_days=1)
    general = guild().text_channels[0]
    forum = make_channel(guild(), "help-forum", discord.ChannelType.forum)
    alice, bob = member("alice"), member("bob")
    now = datetime.now(UTC)
    # Long ago (outside the catch-up window): a forum post archived three days back.
    old = make_thread(forum, bob, "Old question")
    await post(old, bob, "Old?", message_id=old.id, dispatch=False)
    archive_thread(old, at=now - timedelta(days=3))
    # Seen live: a message, and a thread in #general with its first reply.
    await post(general, alice, "seen live", at=now - timedelta(minutes=10))
    talk = make_thread(general, alice, "Release planning")
    await post(talk, alice, "Shall we release on Friday?", at=now - timedelta(minutes=9))

    # The bot is down: a reply in that thread and a whole forum post, both archived since.
    await post(talk, bob, "Friday works.", at=now - timedelta(minutes=6), dispatch=False)
    archive_thread(talk, at=now - timedelta(minutes=5))
    question = make_thread(forum, alice, "Missed question")
    await post(question, alice, "Anyone?", message_id=question.id, dispatch=False)
    await post(question, bob, "Here!", dispatch=False)
    archive_thread(question, at=now - timedelta(minutes=1))
    assert guild().get_thread(question.id) is None  # no longer in the gateway's cache
    assert len(ledger(engine)) == 2

    bot.dispatch("ready")  # back: catch up
    await settle()
    rows = ledger(engine)
    assert [(r["kind"], r["actor"], r["target_id"]) for r in rows] == [
        ("message.posted", "alice", str(general.id)),
        ("thread.replied", "alice", str(talk.id)),
        ("thread.replied", "bob", str(talk.id)),
        ("thread.started", "alice", str(question.id)),
        ("thread.replied", "bob", str(question.id)),
    ]
    assert rows[3]["properties"]["channel"] == "help-forum"
    assert rows[4]["target_owner_member_id"] == rows[3]["actor_member_id"]
    assert str(old.id) not in {r["target_id"] for r in rows}  # archived before the window

    # Again: nothing doubles, and the archived threads whose last message is stored are not
    # even read again.
    totals = await bot.get_cog("ingest").catch_up(guild())
    assert totals["imported"] == 0
    assert totals["archived_threads"] == 0
    assert len(ledger(engine)) == 5


async def test_first_catch_up_reads_archived_threads_within_the_window(
    make_bot: BotFactory, engine: Engine
) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.bot.conftest import archive_thread

    bot = await make_bot(cogs=INGEST, discord_catchup_days=2)
    forum = make_channel(guild(), "help-forum", discord.ChannelType.forum)
    general = guild().text_channels[0]
    alice, bob = member("alice"), member("bob")
    now = datetime.now(UTC)
    recent = make_thread(forum, alice, "Within the window", thread_id=None)
    await post(recent, alice, "Q", message_id=recent.id, dispatch=False)
    await post(recent, bob, "A", at=now - timedelta(days=1), dispatch=False)
    archive_thread(recent, at=now - timedelta(hours=20))
    side = make_thread(general, bob, "A side thread")
    await post(side, bob, "in a thread of #general", at=now - timedelta(hours=30), dispatch=False)
    archive_thread(side, at=now - timedelta(hours=29))
    old = make_thread(forum, bob, "Before the window")
    await post(old, bob, "old", at=now - timedelta(days=5), dispatch=False)
    archive_thread(old, at=now - timedelta(days=4))

    totals = await bot.get_cog("ingest").catch_up(guild())  # nothing stored: a first start
    assert totals["archived_threads"] == 2
    rows = ledger(engine)
    assert sorted(r["target_id"] for r in rows) == sorted(
        [str(recent.id), str(recent.id), str(side.id)]
    )
