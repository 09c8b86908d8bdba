"""Server layout as code against a guild under dpytest: plan, apply, apply again."""

from __future__ import annotations

import discord
import pytest

from hearth.bot.layout import apply_plan, plan_for, read_layout
from hearth.domain.playbook.server import PERMISSIONS
from hearth.playbooks.loader import load_playbook, parse_playbook_text
from tests.bot.conftest import BotFactory, guild, make_channel, make_role

pytestmark = pytest.mark.asyncio

PLAYBOOK = parse_playbook_text(
    """
name: small
title: Small
version: 1
server:
  roles:
    - {name: Staff, colour: "#e74c3c", permissions: [manage_messages], hoist: true}
    - {name: Member}
  categories:
    - name: Welcome
      channels:
        - {name: welcome, purpose: Say hello}
        - name: announcements
          purpose: News
          overwrites:
            - {role: "@everyone", deny: [send_messages]}
            - {role: Staff, allow: [send_messages]}
    - name: Support
      channels:
        - {name: help, forum: true, topic: Ask here, slowmode: 30s}
        - {name: office-hours, voice: true}
"""
)


def partly_built() -> None:
    """The Staff role (wrong colour), the Welcome category with both its channels, and the
    announcements channel's @everyone overwrite; plus a channel the playbook does not name."""
    g = guild()
    make_role(
        g,
        "Staff",
        colour=0x123456,
        permissions=discord.Permissions(manage_messages=True).value,
        hoist=True,
    )
    welcome = make_channel(g, "Welcome", discord.ChannelType.category)
    make_channel(g, "welcome", category=welcome, topic="Say hello")
    everyone = {"id": g.id, "type": 0, "allow": "0", "deny": str(1 << 11)}  # send_messages
    make_channel(
        g, "announcements", category=welcome, topic="News", permission_overwrites=[everyone]
    )
    make_channel(g, "random")


async def test_plan_lists_exactly_what_is_missing(make_bot: BotFactory) -> None:
    await make_bot(PLAYBOOK, cogs=[], channels=["general"])
    partly_built()
    plan = [c.describe() for c in plan_for(guild(), PLAYBOOK)]
    assert plan == [
        "~ role Staff (colour: #123456 → #e74c3c)",
        "+ role Member",
        "+ category Support",
        "+ overwrite Staff on Welcome / announcements",
        "+ channel Support / help",
        "+ channel Support / office-hours",
    ]
    pruned = [c.describe() for c in plan_for(guild(), PLAYBOOK, prune=True)]
    assert pruned == [*plan, "- channel general", "- channel random"]


async def test_apply_builds_the_layout_and_is_idempotent(make_bot: BotFactory) -> None:
    await make_bot(PLAYBOOK, cogs=[], channels=["general"])
    partly_built()
    done = await apply_plan(guild(), plan_for(guild(), PLAYBOOK))
    assert len(done) == 6
    assert plan_for(guild(), PLAYBOOK) == []
    assert await apply_plan(guild(), plan_for(guild(), PLAYBOOK)) == []

    g = guild()
    staff = discord.utils.get(g.roles, name="Staff")
    assert staff.colour.value == 0xE74C3C
    forum = discord.utils.get(g.channels, name="help")
    assert isinstance(forum, discord.ForumChannel)
    assert (forum.topic, forum.slowmode_delay, forum.category.name) == ("Ask here", 30, "Support")
    assert isinstance(discord.utils.get(g.channels, name="office-hours"), discord.VoiceChannel)
    announcements = discord.utils.get(g.text_channels, name="announcements")
    assert announcements.overwrites_for(staff).send_messages is True
    assert announcements.overwrites_for(g.default_role).send_messages is False
    # Nothing was deleted without --prune.
    assert {"general", "random"} <= {c.name for c in g.text_channels}


async def test_phoenix_layout_from_scratch(make_bot: BotFactory) -> None:
    phoenix = load_playbook("phoenix")
    await make_bot(phoenix, cogs=[], channels=["general"])
    plan = plan_for(guild(), phoenix)
    declared = sum(len(c.channels) for c in phoenix.server.categories)
    assert sum(1 for c in plan if c.subject == "channel") == declared
    await apply_plan(guild(), plan)
    assert plan_for(guild(), phoenix) == []
    layout = read_layout(guild())
    champions = next(c for c in layout.channels if c.name == "🏆-champions")
    assert {
        (o.role, tuple(sorted(o.allow)), tuple(sorted(o.deny))) for o in champions.overwrites
    } == {
        ("@everyone", (), ("view_channel",)),
        ("Champion", ("view_channel",), ()),
        ("Phoenix Core Team", ("view_channel",), ()),
    }


async def test_permission_names_are_discords() -> None:
    assert frozenset(discord.Permissions.VALID_FLAGS) == PERMISSIONS
