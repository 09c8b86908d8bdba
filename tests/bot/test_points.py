"""Points in chat through discord.py: /rank, /leaderboard, /achievements, /progress, /thanks,
announcements and tier roles, on a hand-built ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import factories
from sqlalchemy import Engine, func, select

from hearth.actions.derive import do_catch_up, do_rebuild
from hearth.actions.ingest import ingest
from hearth.bot.client import HearthBot
from hearth.connectors.discord_gateway.mapping import person
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.domain.playbook.server import Thanks
from hearth.playbooks.loader import load_playbook, parse_playbook_text
from hearth.store.tables import helps
from tests.bot.conftest import (
    BotFactory,
    guild,
    interact,
    ledger,
    make_role,
    member,
    post,
    settle,
    snowflake,
)

pytestmark = pytest.mark.asyncio
POINTS = [
    "hearth.bot.cogs.ingest",
    "hearth.bot.cogs.derive",
    "hearth.bot.cogs.standing",
    "hearth.bot.cogs.thanks",
]
NOW = datetime.now(UTC).replace(microsecond=0)

TINY = """
name: tiny
title: Tiny
version: 1
points:
  rules:
    - {key: talk, name: Talk, when: {kind: message.posted}, points: 5}
achievements:
  - {key: first_words, name: First Words, icon: "💬", type: count,
     match: {kind: message.posted}, at_least: 1}
tiers:
  - key: regular
    name: Regular
    icon: "⭐"
    requires:
      - {type: count, match: {kind: message.posted}, at_least: 2, within: 30d,
         label: messages in the last 30 days}
    grace: 10d
leaderboards:
  - {key: talkers, name: Top talkers, measure: {type: points}, windows: [all_time, this_month]}
server:
  roles: [{name: Regular, tier: regular}]
  announcement_channel: celebrations
"""


def channel(name: str = "general") -> Any:
    return discord.utils.get(guild().text_channels, name=name)


def said(who: discord.Member, at: datetime, n: int = 1, kind: str = "message.posted") -> list:
    return [
        ActivityIn(
            "discord",
            f"{kind}:{who.id}:{at.timestamp()}:{i}",
            kind,
            at + timedelta(minutes=i),
            person(who),
            "channel",
            "1",
            properties={"channel": "general"},
        )
        for i in range(n)
    ]


def thanked_by(helper: discord.Member, others: int, at: datetime) -> list[ActivityIn]:
    """``others`` distinct members thank ``helper``."""
    return [
        ActivityIn(
            "discord",
            f"hand-thanks:{helper.id}:{i}",
            "thanks.given",
            at + timedelta(minutes=i),
            IdentityRef("discord", f"9000{i}", handle=f"fan{i}"),
            "member",
            str(helper.id),
            person(helper),
        )
        for i in range(others)
    ]


def store(engine: Engine, playbook: str | Any, records: list[ActivityIn]) -> None:
    ingest(engine, records)
    do_catch_up(engine, load_playbook(playbook) if isinstance(playbook, str) else playbook)


def command(name: str, *options: dict[str, Any], **resolved: discord.Member) -> dict[str, Any]:
    data: dict[str, Any] = {"id": snowflake(), "name": name, "type": 1, "options": list(options)}
    if resolved:
        data["resolved"] = {
            "users": {str(m.id): factories.dict_from_user(m) for m in resolved.values()},
            "members": {
                str(m.id): {k: v for k, v in factories.dict_from_member(m).items() if k != "user"}
                for m in resolved.values()
            },
        }
    return data


def user_option(name: str, who: discord.Member) -> dict[str, Any]:
    return {"name": name, "type": 6, "value": str(who.id)}


async def slash(bot: HearthBot, who: discord.Member, data: dict[str, Any]) -> dict[str, Any]:
    replies = await interact(bot, who, channel(), data, kind=2)
    assert replies, "no reply"
    return replies[-1]["data"]


def shown(who: discord.Member) -> str:
    return discord.utils.escape_markdown(who.display_name)


def sent() -> list[discord.Message]:
    found = []
    while not dpytest.sent_queue.empty():
        found.append(dpytest.get_message())
    return found


# -- /rank, /leaderboard, /achievements, /progress ------------------------------------------


async def test_rank_shows_points_place_and_tier(make_bot: BotFactory, engine: Engine) -> None:
    bot = await make_bot(cogs=POINTS)
    alice, bob = member("alice"), member("bob")
    # phoenix: 10 points per answer (a reply in a thread someone else opened)
    replies = [
        ActivityIn(
            "discord", f"r{i}", "thread.replied", NOW - timedelta(days=2, minutes=-i),
            person(who), "thread", f"t{i}", IdentityRef("discord", "777", handle="asker"),
        )
        for i, who in enumerate([alice, alice, alice, bob])
    ]  # fmt: skip
    store(engine, "phoenix", replies)

    data = await slash(bot, alice, command("rank"))
    embed = data["embeds"][0]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert embed["title"].startswith("alice")
    assert fields == {"Points": "30", "Rank": "#1 of 2", "Tier": "none yet"}

    data = await slash(bot, alice, command("rank", user_option("member", bob), member=bob))
    fields = {f["name"]: f["value"] for f in data["embeds"][0]["fields"]}
    assert fields["Points"] == "10" and fields["Rank"] == "#2 of 2"


async def test_rank_of_someone_never_seen(make_bot: BotFactory, engine: Engine) -> None:
    bot = await make_bot(cogs=POINTS)
    alice = member("alice")
    data = await slash(bot, alice, command("rank"))
    assert data["content"] == (
        f"{alice.display_name} has no activity recorded yet, so no points either."
    )
    assert data["flags"] == 64


async def test_rank_on_a_points_leaderboard(make_bot: BotFactory, engine: Engine) -> None:
    playbook = parse_playbook_text(TINY)
    bot = await make_bot(playbook, cogs=POINTS)
    alice, bob = member("alice"), member("bob")
    store(engine, playbook, said(alice, NOW - timedelta(hours=3), 2) + said(bob, NOW, 5))
    data = await slash(bot, alice, command("rank"))
    fields = {f["name"]: f["value"] for f in data["embeds"][0]["fields"]}
    assert fields["Rank"] == "#2 of 2 on Top talkers (all time)"
    assert fields["Tier"].startswith("⭐ Regular since ")


async def test_leaderboard_and_its_autocomplete(make_bot: BotFactory, engine: Engine) -> None:
    bot = await make_bot(cogs=POINTS)
    alice, bob = member("alice"), member("bob")
    store(
        engine, "phoenix", thanked_by(bob, 3, NOW - timedelta(days=1)) + thanked_by(alice, 1, NOW)
    )

    data = await slash(
        bot,
        alice,
        command(
            "leaderboard",
            {"name": "board", "type": 3, "value": "most_helpful"},
            {"name": "window", "type": 3, "value": "all_time"},
        ),
    )
    embed = data["embeds"][0]
    assert embed["title"] == "Most helpful members · all time"
    assert embed["description"].splitlines() == [
        f"**1.** {shown(bob)} — 3",
        f"**2.** {shown(alice)} — 1",
    ]

    data = await slash(bot, alice, command("leaderboard"))  # the first board, first window
    assert data["embeds"][0]["title"] == "Monthly contributors · this month"
    assert data["embeds"][0]["description"] == "Nobody is on this leaderboard yet."

    choices = await interact(
        bot,
        alice,
        channel(),
        command("leaderboard", {"name": "board", "type": 3, "value": "help", "focused": True}),
        kind=4,
    )
    assert choices[-1]["data"]["choices"] == [
        {"name": "Most helpful members", "value": "most_helpful"}
    ]
    choices = await interact(
        bot,
        alice,
        channel(),
        command(
            "leaderboard",
            {"name": "board", "type": 3, "value": "fastest_growing_projects"},
            {"name": "window", "type": 3, "value": "", "focused": True},
        ),
        kind=4,
    )
    assert choices[-1]["data"]["choices"] == [
        {"name": "this month", "value": "this_month"},
        {"name": "last 30d", "value": "30d"},
    ]


async def test_achievements_with_dates(make_bot: BotFactory, engine: Engine) -> None:
    bot = await make_bot(cogs=POINTS)
    bob = member("bob")
    at = datetime(2026, 3, 4, 12, tzinfo=UTC)
    # phoenix: First PR (a pull request opened) and Helpful Hand (10 members helped)
    pr = ActivityIn("discord", "pr-1", "pr.opened", at, person(bob), "pull_request", "1")
    store(engine, "phoenix", [pr, *thanked_by(bob, 10, at + timedelta(days=1))])
    data = await slash(
        bot, member("alice"), command("achievements", user_option("member", bob), member=bob)
    )
    embed = data["embeds"][0]
    assert embed["title"] == f"Achievements of {bob.display_name}"
    assert embed["description"].splitlines() == [
        "🎯 **First PR** — 2026-03-04",
        "🌟 **Rising Star** — 2026-03-05",  # thanks pay points too
        "💬 **Helpful Hand** — 2026-03-05",
    ]


async def test_progress_shows_what_the_next_tier_needs(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot = await make_bot(cogs=POINTS)
    alice = member("alice")
    joined = ActivityIn(
        "discord", "join-a", "member.joined", NOW - timedelta(days=40), person(alice)
    )
    store(
        engine,
        "phoenix",
        [
            joined,
            *said(alice, NOW - timedelta(days=1)),
            *thanked_by(alice, 2, NOW - timedelta(days=3)),
        ],
    )
    data = await slash(bot, alice, command("progress"))
    embed = data["embeds"][0]
    assert data["flags"] == 64  # only the member sees it
    assert embed["title"] == "Next tier: Contributor"
    assert embed["description"].splitlines() == [
        "❌ merged PRs: 0 / 1 (1 more)",
        "✅ days on Discord: 39 / 30",
        "✅ days active on Discord in the last 30 days: 1 / 1",
        "❌ community members helped: 2 / 5 (3 more)",
    ]


# -- /thanks --------------------------------------------------------------------------------


async def test_thanks_is_recorded_and_counts_as_help(make_bot: BotFactory, engine: Engine) -> None:
    bot = await make_bot(cogs=POINTS, discord_derive_seconds=0)
    alice, bob = member("alice"), member("bob")
    data = await slash(
        bot,
        alice,
        command(
            "thanks",
            user_option("member", bob),
            {"name": "reason", "type": 3, "value": "fixed my build"},
            member=bob,
        ),
    )
    assert data["content"] == f"{alice.mention} thanked {bob.mention} for their help. 💛"
    rows = ledger(engine, "thanks.given")
    assert [(r["actor"], r["target_id"], r["properties"]) for r in rows] == [
        ("alice", str(bob.id), {"reason": "fixed my build"})
    ]
    await bot.get_cog("derive").wait_idle()
    with engine.connect() as conn:
        assert (
            conn.scalar(select(func.count()).select_from(helps).where(helps.c.via == "thanked"))
            == 1
        )


async def test_thanks_limits(make_bot: BotFactory, engine: Engine) -> None:
    playbook = load_playbook("phoenix")
    assert playbook.server is not None
    server = playbook.server.model_copy(update={"thanks": Thanks(per_day=2)})
    playbook = playbook.model_copy(update={"server": server})
    bot = await make_bot(playbook, cogs=POINTS)
    alice, bob = member("alice"), member("bob")

    async def thank(who: discord.Member, whom: discord.Member) -> dict[str, Any]:
        return await slash(bot, who, command("thanks", user_option("member", whom), member=whom))

    refused = await thank(alice, alice)
    assert (refused["content"], refused["flags"]) == ("You cannot thank yourself.", 64)
    bot_user = guild().me
    refused = await thank(alice, bot_user)
    assert refused["content"] == "Bots cannot be thanked; thank the people who helped you."

    assert "thanked" in (await thank(alice, bob))["content"]
    refused = await thank(alice, bob)
    assert refused["content"] == (
        f"You already thanked {bob.display_name} today; you can thank them again tomorrow."
    )
    carol = await dpytest.member_join(name="carol")
    dave = await dpytest.member_join(name="dave")
    await settle()
    assert "thanked" in (await thank(alice, guild().get_member(carol.id)))["content"]
    refused = await thank(alice, guild().get_member(dave.id))
    assert refused["content"] == (
        "You have thanked 2 members today, the most one member can in a day; try again tomorrow."
    )
    assert "thanked" in (await thank(bob, alice))["content"]  # bob's own limit is untouched
    assert len(ledger(engine, "thanks.given")) == 3


# -- announcements --------------------------------------------------------------------------


async def test_announcements_are_posted_once_across_a_restart(
    make_bot: BotFactory, engine: Engine
) -> None:
    playbook = parse_playbook_text(TINY)
    cogs = ["hearth.bot.cogs.ingest", "hearth.bot.cogs.derive", "hearth.bot.cogs.announce"]
    bot = await make_bot(playbook, cogs=cogs, channels=["general", "celebrations"],
                         discord_derive_seconds=0)  # fmt: skip
    alice, bob = member("alice"), member("bob")
    store(engine, playbook, said(bob, NOW - timedelta(days=1)))  # earned before the bot started
    derive, announce = bot.get_cog("derive"), bot.get_cog("announce")
    started = datetime.now(UTC) - timedelta(seconds=10)
    assert await announce.announce(guild(), now=started) == 0  # the first run: a starting point
    assert sent() == []

    await post(channel(), alice, "hello", at=started + timedelta(seconds=1))
    await post(channel(), alice, "again", at=started + timedelta(seconds=2))
    await derive.wait_idle()
    await settle()
    posts = [m for m in sent() if m.channel.name == "celebrations"]
    assert [m.content for m in posts] == [
        f"💬 {alice.mention} earned the achievement **First Words**!",
        f"⭐ {alice.mention} is now a **Regular**!",
    ]

    # A restart: the cog starts afresh and the derived tables are rebuilt (new award ids).
    await bot.reload_extension("hearth.bot.cogs.announce")
    do_rebuild(engine, playbook)
    await derive.catch_up()
    await settle()
    assert sent() == []

    # bob, already announced nowhere, is announced when he earns something new: the tier.
    await post(channel(), bob, "back", at=started + timedelta(seconds=3))
    await derive.wait_idle()
    await settle()
    assert [m.content for m in sent()] == [f"⭐ {bob.mention} is now a **Regular**!"]


# -- tier roles -----------------------------------------------------------------------------


async def test_tier_role_granted_and_removed_after_grace(
    make_bot: BotFactory, engine: Engine
) -> None:
    playbook = parse_playbook_text(TINY)
    bot = await make_bot(playbook, cogs=["hearth.bot.cogs.tier_roles"])
    regular = make_role(guild(), "Regular")
    alice, bob = member("alice"), member("bob")
    start = NOW - timedelta(days=1)
    store(engine, playbook, said(alice, start, 2) + said(bob, start, 1))
    await bob.add_roles(regular)  # given by hand, but bob does not hold the tier
    cog = bot.get_cog("tier_roles")

    changes = await cog.sync_roles(guild(), now=NOW)
    assert sorted(changes) == [("granted", "alice", "Regular"), ("removed", "bob", "Regular")]
    assert regular in guild().get_member(alice.id).roles
    assert regular not in guild().get_member(bob.id).roles
    assert await cog.sync_roles(guild(), now=NOW) == []  # nothing left to change

    # alice's two messages stop counting 30 days after the first; 10 days of grace follow.
    assert await cog.sync_roles(guild(), now=start + timedelta(days=35)) == []
    assert regular in guild().get_member(alice.id).roles
    changes = await cog.sync_roles(guild(), now=start + timedelta(days=41))
    assert changes == [("removed", "alice", "Regular")]
    assert regular not in guild().get_member(alice.id).roles

    rows = ledger(engine, "member.role_granted", "member.role_removed")
    assert [(r["kind"], r["properties"]["role"], r["properties"]["tier"]) for r in rows] == [
        ("member.role_granted", "Regular", "regular"),
        ("member.role_removed", "Regular", "regular"),
        ("member.role_removed", "Regular", "regular"),
    ]
