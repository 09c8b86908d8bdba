"""Hidden profiles in chat: ``/leaderboard`` does not name them, ``/rank`` and
``/achievements`` about them asked by someone else say the profile is private."""

from __future__ import annotations

from datetime import timedelta

import discord
import pytest
from sqlalchemy import Engine

from hearth.actions.context import Caller
from hearth.actions.lookup import access_member_for_identity
from hearth.actions.profiles import check_set_directory
from tests.bot.conftest import BotFactory, interact, member
from tests.bot.test_points import (
    NOW,
    POINTS,
    channel,
    command,
    shown,
    slash,
    store,
    thanked_by,
    user_option,
)

pytestmark = pytest.mark.asyncio


def hide(engine: Engine, who: discord.Member) -> None:
    """``who`` hides their profile on the web."""
    member_id = access_member_for_identity(engine, "discord", str(who.id))
    assert member_id is not None
    check_set_directory(engine, Caller(name="web", member_id=member_id), member_id, "hidden")


BOARD = command(
    "leaderboard",
    {"name": "board", "type": 3, "value": "most_helpful"},
    {"name": "window", "type": 3, "value": "all_time"},
)


async def test_leaderboard_does_not_name_hidden_members(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot = await make_bot(cogs=POINTS)
    alice, bob = member("alice"), member("bob")
    store(
        engine, "phoenix", thanked_by(bob, 3, NOW - timedelta(days=1)) + thanked_by(alice, 1, NOW)
    )
    hide(engine, bob)

    for asker in (alice, bob):  # the board is posted in the channel: not named, even to bob
        data = await slash(bot, asker, BOARD)
        assert data["embeds"][0]["description"].splitlines() == [
            "**1.** A member — 3",
            f"**2.** {shown(alice)} — 1",
        ]


async def test_leaderboard_in_the_askers_language(make_bot: BotFactory, engine: Engine) -> None:
    bot = await make_bot(cogs=POINTS)
    bob = member("bob")
    store(engine, "phoenix", thanked_by(bob, 2, NOW - timedelta(days=1)))
    hide(engine, bob)
    replies = await interact(bot, member("alice"), channel(), BOARD, kind=2, locale="fr")
    line = replies[-1]["data"]["embeds"][0]["description"]
    assert line == "**1.** Un membre — 2"


async def test_rank_and_achievements_of_a_hidden_member(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot = await make_bot(cogs=POINTS)
    alice, bob = member("alice"), member("bob")
    store(engine, "phoenix", thanked_by(bob, 3, NOW - timedelta(days=1)))
    hide(engine, bob)

    for name in ("rank", "achievements"):
        data = await slash(bot, alice, command(name, user_option("member", bob), member=bob))
        assert data["content"] == f"{bob.display_name} keeps their profile private."
        assert data["flags"] == 64  # only alice sees it
        assert "embeds" not in data or not data["embeds"]

        mine = await slash(bot, bob, command(name))  # his own: as always
        assert mine["embeds"][0]["title"].startswith(("bob", "Achievements of bob"))
        same = await slash(bot, bob, command(name, user_option("member", bob), member=bob))
        assert same["embeds"]
