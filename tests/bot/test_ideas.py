"""Suggestions and polls through discord.py: /suggest, voting and changing a vote, a status
change announced (and the author told), /poll closing on time with its results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from sqlalchemy import Engine, select, update

from hearth.actions.context import Caller
from hearth.actions.ideas import access_suggestion, check_set_status
from hearth.bot.client import HearthBot
from hearth.store.tables import polls, suggestions
from tests.bot.conftest import BotFactory, guild, interact, ledger, make_role, member, snowflake

pytestmark = pytest.mark.asyncio
COGS = ["hearth.bot.cogs.ideas"]
IDEAS = "feature-requests"


def command(name: str, *options: dict[str, Any]) -> dict[str, Any]:
    return {"id": snowflake(), "name": name, "type": 1, "options": list(options)}


def opt(name: str, value: Any, kind: int = 3) -> dict[str, Any]:
    return {"name": name, "type": kind, "value": value}


def channel(name: str) -> Any:
    return discord.utils.get(guild().text_channels, name=name)


def sent() -> list[discord.Message]:
    found = []
    while not dpytest.sent_queue.empty():
        found.append(dpytest.get_message())
    return found


def button(custom_id: str) -> list[dict[str, Any]]:
    return [{"type": 1, "components": [{"type": 2, "style": 1, "custom_id": custom_id}]}]


async def atlas_bot(make_bot: BotFactory) -> HearthBot:
    bot = await make_bot("atlas", cogs=COGS, channels=["general", IDEAS])
    team = make_role(guild(), "Atlas Team", permissions=discord.Permissions(
        manage_messages=True).value)  # fmt: skip
    await dpytest.add_role(member("bob"), team)
    return bot


async def test_suggest_vote_change_and_status_announced(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot = await atlas_bot(make_bot)
    alice, bob = member("alice"), member("bob")
    replies = await interact(
        bot, alice, channel("general"),
        command("suggest", opt("title", "Dark mode"), opt("description", "Easier at night")),
        kind=2,
    )  # fmt: skip
    assert replies[-1]["data"]["flags"] == 64
    assert "Your suggestion #1 is posted" in replies[-1]["data"]["content"]
    posted = sent()
    assert len(posted) == 1 and posted[0].channel.name == IDEAS  # the ideas channel
    embed = posted[0].embeds[0]
    assert embed.title == "💡 #1 Dark mode" and embed.description == "Easier at night"
    assert [r["actor"] for r in ledger(engine, "suggestion.posted")] == ["alice"]

    # bob votes up; the message shows the tally
    replies = await interact(
        bot, bob, channel(IDEAS), {"custom_id": "hearth:idea:up:1", "component_type": 2},
        message=posted[0], components=button("hearth:idea:up:1"),
    )  # fmt: skip
    assert replies[-1]["type"] == 7  # the message is updated in place
    assert "👍 1 · 👎 0 · score 1" in str(replies[-1]["data"]["embeds"][0]["fields"])
    # bob changes his mind: one vote, now against
    replies = await interact(
        bot, bob, channel(IDEAS), {"custom_id": "hearth:idea:down:1", "component_type": 2},
        message=posted[0], components=button("hearth:idea:down:1"),
    )  # fmt: skip
    assert "👍 0 · 👎 1 · score -1" in str(replies[-1]["data"]["embeds"][0]["fields"])
    idea = access_suggestion(engine, Caller(name="t"), 1)
    assert (idea.up, idea.down) == (0, 1)
    votes = ledger(engine, "suggestion.voted")
    assert [(v["properties"]["value"], v["properties"]["previous"]) for v in votes] == [
        (1, 0),
        (-1, 1),
    ]
    # the author cannot vote on their own idea: told privately
    replies = await interact(
        bot, alice, channel(IDEAS), {"custom_id": "hearth:idea:up:1", "component_type": 2},
        message=posted[0], components=button("hearth:idea:up:1"),
    )  # fmt: skip
    assert replies[-1]["data"]["flags"] == 64
    assert "own suggestion" in replies[-1]["data"]["content"]

    # a member cannot change the status; staff can, and it is announced, the author told
    replies = await interact(
        bot, alice, channel("general"),
        command("suggestion-status", opt("suggestion", 1, 4), opt("status", "planned")), kind=2,
    )  # fmt: skip
    assert "Only staff" in replies[-1]["data"]["content"]
    assert access_suggestion(engine, Caller(name="t"), 1).status == "open"
    replies = await interact(
        bot, bob, channel("general"),
        command("suggestion-status", opt("suggestion", 1, 4), opt("status", "planned")), kind=2,
    )  # fmt: skip
    assert replies[-1]["data"]["content"] == "Suggestion #1 is now planned."
    news = sent()
    public = [m for m in news if not isinstance(m.channel, discord.DMChannel)]
    private = [m for m in news if isinstance(m.channel, discord.DMChannel)]
    assert [m.channel.name for m in public] == [IDEAS]
    assert public[0].content == "Suggestion #1 “Dark mode” is now planned."
    assert [m.content for m in private] == [public[0].content]  # the author, by DM

    # a change made elsewhere (the web) is announced by the next tick, once, with the reason
    check_set_status(engine, Caller(name="account:sam", is_staff=True), 1, "declined", "Not now")
    cog = bot.get_cog("ideas")
    await cog.tick()
    news = [m for m in sent() if not isinstance(m.channel, discord.DMChannel)]
    assert news[0].content.endswith("is now declined.\nReason: Not now")
    await cog.tick()
    assert sent() == []


async def test_poll_closes_on_time_with_results(make_bot: BotFactory, engine: Engine) -> None:
    bot = await atlas_bot(make_bot)
    alice, bob = member("alice"), member("bob")
    general = channel("general")
    for anonymous in (False, True):
        replies = await interact(
            bot, bob, general,
            command("poll", opt("question", "Next?"), opt("options", "Plugins; Themes"),
                    opt("duration", "2h"), opt("anonymous", anonymous, 5)),
            kind=2,
        )  # fmt: skip
        assert replies[-1]["data"]["flags"] == 64
    shown = sent()
    assert [m.embeds[0].title for m in shown] == ["📊 Next?", "📊 Next?"]
    assert "Anonymous poll" in shown[1].embeds[0].fields[0].value
    for poll_id, message in ((1, shown[0]), (2, shown[1])):
        for who, option in ((alice, 0), (bob, 1), (bob, 0)):  # bob changes his vote
            replies = await interact(
                bot, who, general,
                {"custom_id": f"hearth:poll:{poll_id}:{option}", "component_type": 2},
                message=message, components=button(f"hearth:poll:{poll_id}:{option}"),
            )  # fmt: skip
            assert replies[-1]["data"]["flags"] == 64
    assert [v["properties"] for v in ledger(engine, "poll.voted")][-3:] == [{}, {}, {}]
    # a member cannot close it early
    replies = await interact(bot, alice, general, command("poll-close", opt("poll", 1, 4)), kind=2)
    assert "creator or staff" in replies[-1]["data"]["content"]

    # the closing time passes while the bot is down: the next tick (after a restart) closes
    with engine.begin() as conn:
        conn.execute(update(polls).values(closes_at=datetime.now(UTC) - timedelta(minutes=1)))
    await bot.get_cog("ideas").tick()
    results = sent()
    assert len(results) == 2
    for message in results:
        assert message.channel.id == general.id
        assert message.embeds[0].title == "Poll results: Next?"
        assert message.embeds[0].description.splitlines() == [
            "🏆 **Plugins** — 2 (100%)",
            "**Themes** — 0 (0%)",
        ]
        assert message.embeds[0].footer.text == "2 voters"
    await bot.get_cog("ideas").tick()
    assert sent() == []  # posted once
    with engine.connect() as conn:
        assert all(r.closed_at for r in conn.execute(select(polls)))
        assert conn.execute(select(suggestions)).first() is None
