"""``/link github`` through discord.py: an ephemeral answer with a one-time link to the web app."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import discord
import pytest
from sqlalchemy import Engine

from hearth.actions.chat_link import access_link_token, read_link_token
from tests.bot.conftest import BotFactory, guild, interact, member, snowflake

COGS = ["hearth.bot.cogs.link"]
EPHEMERAL = 64


def link_github() -> dict[str, Any]:
    return {
        "id": snowflake(),
        "name": "link",
        "type": 1,
        "options": [{"name": "github", "type": 1, "options": []}],
    }


@pytest.mark.asyncio
async def test_link_github_answers_with_a_one_time_link(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot = await make_bot(cogs=COGS, public_url="https://hearth.example.org/", secret_key="s" * 32)
    alice = member("alice")
    general = discord.utils.get(guild().text_channels, name="general")
    replies = await interact(bot, alice, general, link_github(), kind=2)
    data = replies[-1]["data"]
    assert data["flags"] & EPHEMERAL
    (address,) = re.findall(r"https://\S+", data["content"])
    assert address.startswith("https://hearth.example.org/link/github?token=")
    assert "15 minutes" in data["content"]
    button = data["components"][0]["components"][0]
    assert button["url"] == address and button["style"] == 5
    token = parse_qs(urlsplit(address).query)["token"][0]
    state, found = access_link_token(engine, "s" * 32, token)
    assert state == "ready" and found is not None
    assert (found.platform, found.account_id, found.target) == ("discord", str(alice.id), "github")
    assert read_link_token("another secret", token) is None  # signed with the secret key
    # Each request gives a new link.
    again = await interact(bot, alice, general, link_github(), kind=2)
    assert again[-1]["data"]["content"] != data["content"]


@pytest.mark.asyncio
async def test_link_github_without_the_web_address(make_bot: BotFactory, engine: Engine) -> None:
    bot = await make_bot(cogs=COGS)
    general = discord.utils.get(guild().text_channels, name="general")
    replies = await interact(bot, member("bob"), general, link_github(), kind=2)
    data = replies[-1]["data"]
    assert "not set up" in data["content"] and data["flags"] & EPHEMERAL
