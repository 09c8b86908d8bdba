"""Role changes through discord.py: recorded once, whoever makes them, never as the member's
own activity."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import discord
import discord.ext.test as dpytest
import pytest
from sqlalchemy import Engine

from hearth.actions.derive import do_catch_up
from hearth.actions.lookup import access_identity_tiers
from hearth.bot.role_changes import ExpectedRoleChanges
from hearth.playbooks.loader import parse_playbook_text
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
ROLE_KINDS = ("member.role_granted", "member.role_removed", "member.role_picked")
COGS = [
    "hearth.bot.cogs.ingest",
    "hearth.bot.cogs.welcome",
    "hearth.bot.cogs.roles",
    "hearth.bot.cogs.tier_roles",
]

PRESENT = """
name: present
title: Present
version: 1
tiers:
  - key: present
    name: Present
    requires:
      - {type: active_days, platform: discord, within: 30d, at_least: 1,
         label: days active in the last 30 days}
"""


async def test_roles_changed_in_discord_are_recorded(make_bot: BotFactory, engine: Engine) -> None:
    await make_bot(cogs=["hearth.bot.cogs.ingest"])
    helper = make_role(guild(), "Helper")
    bob = member("bob")
    await dpytest.add_role(bob, helper)  # staff, in Discord's own interface
    await settle()
    await dpytest.remove_role(guild().get_member(bob.id), helper)
    await settle()
    dpytest.backend.update_member(guild().get_member(bob.id), nick="Bobby")  # not a role change
    await settle()

    rows = ledger(engine, *ROLE_KINDS)
    assert [(r["kind"], r["actor"], r["properties"]) for r in rows] == [
        ("member.role_granted", None, {"role": "Helper", "reason": "discord"}),
        ("member.role_removed", None, {"role": "Helper", "reason": "discord"}),
    ]
    for row in rows:
        assert row["actor_member_id"] is None  # Discord does not say who
        assert row["target_type"] == "member" and row["target_id"] == str(bob.id)
        assert row["target_owner_member_id"] is not None
        assert row["source_id"].startswith(f"role:{guild().id}:{bob.id}:{helper.id}:")
    assert rows[0]["target_owner_member_id"] == rows[1]["target_owner_member_id"]


async def test_a_role_change_is_not_the_members_activity(
    make_bot: BotFactory, engine: Engine
) -> None:
    playbook = parse_playbook_text(PRESENT)
    await make_bot(playbook, cogs=["hearth.bot.cogs.ingest"])
    helper = make_role(guild(), "Helper")
    alice, bob = member("alice"), member("bob")
    await dpytest.add_role(bob, helper)
    await post(guild().text_channels[0], alice, "hello")
    await settle()
    do_catch_up(engine, playbook)
    held = access_identity_tiers(engine, playbook, "discord", None)
    assert held.get(str(alice.id)) == {"present"}  # she posted: active today
    assert not held.get(str(bob.id))  # a role given to him is not him being active
    assert len(ledger(engine, "member.role_granted")) == 1


async def test_the_bots_own_role_changes_are_recorded_once(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot = await make_bot(cogs=COGS, channels=["👋-welcome", "🎯-start-here"])
    roles = {n: make_role(guild(), n) for n in ("Member", "Developer", "Learner")}
    # An automatic role on joining.
    carol = await dpytest.member_join(name="carol")
    await settle()
    assert roles["Member"] in guild().get_member(carol.id).roles
    # A role menu, both ways.
    welcome = discord.utils.get(guild().text_channels, name="👋-welcome")
    alice = member("alice")
    for _ in range(2):
        await interact(
            bot, alice, welcome, {"custom_id": "hearth:role:interests:0", "component_type": 2}
        )
    assert roles["Developer"] not in guild().get_member(alice.id).roles
    # A tier's role (made here by hand: the changes the cog asks for, as it asks for them).
    cog = bot.get_cog("tier_roles")
    now = datetime.now(UTC)
    assert await cog._change(member("bob"), roles["Learner"], "regular", "granted", now)
    await settle()

    rows = ledger(engine, *ROLE_KINDS)
    assert [(r["kind"], r["actor"], r["properties"]["role"]) for r in rows] == [
        ("member.role_granted", "FakeApp", "Member"),
        ("member.role_picked", "alice", "Developer"),
        ("member.role_removed", "alice", "Developer"),
        ("member.role_granted", "FakeApp", "Learner"),
    ]
    assert rows[3]["source_id"] == (
        f"role:{guild().id}:{member('bob').id}:{roles['Learner'].id}:granted:{int(now.timestamp())}"
    )
    assert len(bot.expected_role_changes) == 0  # every echo was claimed


async def test_expected_changes_are_claimed_once_and_expire() -> None:
    expected = ExpectedRoleChanges(expect_for=60)
    expected.expect(1, 2, 3, "granted")
    assert not expected.claim(1, 2, 3, "removed")
    assert expected.claim(1, 2, 3, "granted")
    assert not expected.claim(1, 2, 3, "granted")  # once
    expected.expect(1, 2, 3, "removed")
    expected.forget(1, 2, 3, "removed")  # the request failed
    assert not expected.claim(1, 2, 3, "removed")
    stale = ExpectedRoleChanges(expect_for=0.001)
    stale.expect(1, 2, 3, "granted")
    await asyncio.sleep(0.01)
    assert not stale.claim(1, 2, 3, "granted")
    assert len(stale) == 0
