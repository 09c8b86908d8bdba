"""A suggestion contest's results are announced by the bot, once, across restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord
import discord.ext.test as dpytest
import pytest
from sqlalchemy import Engine, select

from hearth.actions.contests import do_start_contest
from hearth.actions.context import Caller
from hearth.actions.ideas import check_post_suggestion, check_vote, resolve_member
from hearth.domain.activity import IdentityRef
from hearth.playbooks.loader import load_playbook
from hearth.store.tables import contests
from tests.bot.conftest import BotFactory, guild

pytestmark = pytest.mark.asyncio
STAFF = Caller(name="account:sam", is_staff=True)


def caller(engine: Engine, n: int) -> Caller:
    with engine.begin() as conn:
        ref = IdentityRef("discord", f"10{n}", handle=f"user{n}")
        return Caller(name=f"m{n}", member_id=resolve_member(conn, Caller(name="t"), ref))


def sent() -> list[discord.Message]:
    found = []
    while not dpytest.sent_queue.empty():
        found.append(dpytest.get_message())
    return found


async def test_contest_winners_and_prizes_announced_once(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot = await make_bot(
        "phoenix", cogs=["hearth.bot.cogs.ideas"], channels=["general", "💡-ideas"]
    )
    phoenix = load_playbook("phoenix")
    start = datetime.now(UTC) - timedelta(days=31)
    people = [caller(engine, n) for n in range(1, 5)]
    contest = do_start_contest(engine, STAFF, phoenix, "Spring ideas", starts_at=start)
    ideas = [
        check_post_suggestion(engine, people[i], f"Idea {i}", at=start + timedelta(hours=i))
        for i in range(3)
    ]
    for voter in people[2:]:
        check_vote(engine, voter, ideas[1].id, 1)
    check_vote(engine, people[3], ideas[0].id, 1)

    cog = bot.get_cog("ideas")
    await cog.tick()  # the job closes the contest (its end has passed), the bot announces it
    [message] = [m for m in sent() if m.embeds]
    assert message.channel.name == "💡-ideas"
    embed = message.embeds[0]
    assert embed.title == "🏆 Suggestion contest results: Spring ideas"
    assert embed.description.splitlines() == [
        f"1. #{ideas[1].id} “Idea 1” by <@102> (score 2): 50 points",
        f"2. #{ideas[0].id} “Idea 0” by <@101> (score 1): 30 points",
    ]
    with engine.connect() as conn:
        assert conn.scalar(select(contests.c.announced_at)) is not None

    # a restart: the new cog finds it announced and posts nothing again
    await bot.reload_extension("hearth.bot.cogs.ideas")
    cog = bot.get_cog("ideas")
    assert await cog.announce_contest_results() == 0
    await cog.tick()
    assert [m for m in sent() if m.embeds] == []
    assert contest.id


async def test_a_contest_without_winners_says_so(make_bot: BotFactory, engine: Engine) -> None:
    bot = await make_bot("atlas", cogs=["hearth.bot.cogs.ideas"], channels=["feature-requests"])
    atlas = load_playbook("atlas")
    start = datetime.now(UTC) - timedelta(days=2)
    author = caller(engine, 1)
    do_start_contest(
        engine, STAFF, atlas, "Quiet", starts_at=start, ends_at=start + timedelta(days=1)
    )
    check_post_suggestion(engine, author, "Nobody votes", at=start)
    assert guild() is not None
    cog = bot.get_cog("ideas")
    await cog.tick()
    [message] = [m for m in sent() if m.embeds]
    assert "no prizes this time" in message.embeds[0].description
