"""Welcome, onboarding and role menus, through discord.py."""

from __future__ import annotations

import discord
import discord.ext.test as dpytest
import pytest
from sqlalchemy import Engine

from tests.bot.conftest import (
    BotFactory,
    guild,
    interact,
    ledger,
    make_role,
    member,
    post,
    settle,
)

pytestmark = pytest.mark.asyncio
COGS = ["hearth.bot.cogs.ingest", "hearth.bot.cogs.welcome", "hearth.bot.cogs.roles"]
PHOENIX_CHANNELS = ["👋-welcome", "🎯-start-here", "🎨-showcase"]


def make_roles(*names: str) -> dict[str, discord.Role]:
    return {name: make_role(guild(), name) for name in names}


async def test_join_gets_welcome_guide_role_and_activity(
    make_bot: BotFactory, engine: Engine
) -> None:
    await make_bot(cogs=COGS, channels=PHOENIX_CHANNELS)
    roles = make_roles("Member")
    await dpytest.empty_queue()

    carol = await dpytest.member_join(name="carol")
    await settle()

    sent = []
    while not dpytest.sent_queue.empty():
        sent.append(dpytest.get_message())
    welcome = next(m for m in sent if getattr(m.channel, "name", None) == "👋-welcome")
    assert carol.mention in welcome.content
    assert "Welcome to the Phoenix community" in welcome.content
    start_here = discord.utils.get(guild().text_channels, name="🎯-start-here")
    assert start_here.mention in welcome.content  # {guide}
    guide = next(m for m in sent if isinstance(m.channel, discord.DMChannel))
    assert "Introduce yourself in #👋-welcome" in guide.content

    carol = guild().get_member(carol.id)
    assert roles["Member"] in carol.roles
    rows = ledger(engine, "member.joined", "member.role_granted")
    # Once (the gateway's echo of the bot's own change is not recorded again), given by the
    # bot to carol: not carol's own activity.
    assert [(r["kind"], r["actor"]) for r in rows] == [
        ("member.joined", "carol"),
        ("member.role_granted", "FakeApp"),
    ]
    assert rows[1]["target_owner_member_id"] == rows[0]["actor_member_id"]
    assert rows[1]["properties"] == {"role": "Member", "reason": "auto_role"}


async def test_introduction_is_recorded_once(make_bot: BotFactory, engine: Engine) -> None:
    await make_bot(cogs=COGS, channels=PHOENIX_CHANNELS)
    welcome = discord.utils.get(guild().text_channels, name="👋-welcome")
    alice = member("alice")
    await post(welcome, alice, "Hi! I'm Alice, I build distributed caches.")
    await post(welcome, alice, "Also: I like Elixir.")
    rows = ledger(engine, "member.introduced")
    assert [(r["kind"], r["actor"]) for r in rows] == [("member.introduced", "alice")]


async def test_role_menus_are_posted_once_and_toggle_roles(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot = await make_bot(cogs=COGS, channels=PHOENIX_CHANNELS)
    roles = make_roles("Developer", "Learner", "Americas", "Europe", "Asia-Pacific")
    cog = bot.get_cog("roles")
    assert await cog.post_menus(guild()) == 2
    assert await cog.post_menus(guild()) == 0  # already there: not posted again
    welcome = discord.utils.get(guild().text_channels, name="👋-welcome")

    alice = member("alice")
    replies = await interact(
        bot, alice, welcome, {"custom_id": "hearth:role:interests:0", "component_type": 2}
    )
    assert roles["Developer"] in guild().get_member(alice.id).roles
    assert replies[0]["data"]["content"] == "You now have the role Developer."
    assert replies[0]["data"]["flags"] == 64  # ephemeral
    await interact(
        bot, alice, welcome, {"custom_id": "hearth:role:interests:0", "component_type": 2}
    )
    assert roles["Developer"] not in guild().get_member(alice.id).roles

    await interact(
        bot,
        alice,
        welcome,
        {"custom_id": "hearth:roles:region", "component_type": 3, "values": ["Europe"]},
    )
    assert roles["Europe"] in guild().get_member(alice.id).roles

    rows = ledger(engine, "member.role_picked", "member.role_removed")
    assert [(r["kind"], r["properties"]["role"]) for r in rows] == [
        ("member.role_picked", "Developer"),
        ("member.role_removed", "Developer"),
        ("member.role_picked", "Europe"),
    ]
    assert rows[2]["properties"]["menu"] == "region"


async def test_missing_role_is_answered_not_raised(make_bot: BotFactory, engine: Engine) -> None:
    bot = await make_bot(cogs=COGS, channels=PHOENIX_CHANNELS)
    welcome = discord.utils.get(guild().text_channels, name="👋-welcome")
    replies = await interact(
        bot, member("bob"), welcome, {"custom_id": "hearth:role:interests:1", "component_type": 2}
    )
    assert replies[0]["data"]["content"] == "The role Learner does not exist on this server."
    assert ledger(engine, "member.role_picked") == []
