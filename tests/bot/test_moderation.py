"""Moderation through discord.py: the ladder's proposals, bans that end across restarts,
reports, appeals and the mod-log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import factories
from sqlalchemy import Engine, select

from hearth.actions.lookup import access_member_for_identity
from hearth.bot.client import HearthBot
from hearth.store.tables import member_standing, mod_cases
from tests.bot.conftest import BotFactory, guild, interact, ledger, make_role, member, snowflake
from tests.bot.workflows import calls, patch_workflow_http

pytestmark = pytest.mark.asyncio
COGS = ["hearth.bot.cogs.moderation"]
LOG = "🛡️-mod-log"


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


def opt(name: str, value: Any, kind: int = 3) -> dict[str, Any]:
    return {"name": name, "type": kind, "value": value}


def sent() -> list[discord.Message]:
    found = []
    while not dpytest.sent_queue.empty():
        found.append(dpytest.get_message())
    return found


def log_lines(messages: list[discord.Message] | None = None) -> list[str]:
    messages = sent() if messages is None else messages
    return [m.content for m in messages if getattr(m.channel, "name", None) == LOG]


async def mod_bot(make_bot: BotFactory) -> tuple[HearthBot, discord.Member, discord.Member]:
    bot = await make_bot("phoenix", cogs=COGS, channels=["general", LOG])
    patch_workflow_http(bot.http)
    mods = make_role(
        guild(),
        "Moderator",
        permissions=discord.Permissions(moderate_members=True, ban_members=True).value,
    )
    await dpytest.add_role(member("bob"), mods)
    return bot, member("alice"), member("bob")


def general() -> Any:
    return discord.utils.get(guild().text_channels, name="general")


async def test_a_second_violation_proposes_a_temporary_ban(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot, alice, bob = await mod_bot(make_bot)
    first = await interact(
        bot,
        bob,
        general(),
        command("warn", opt("member", str(alice.id), 6), opt("reason", "Insults"), member=alice),
        kind=2,
    )
    text = first[-1]["data"]["content"]
    assert text.startswith("Case #1 recorded. This was violation 1; the ladder proposed a warning.")
    assert "A next violation would call for a temporary ban (7d)." in text
    messages = sent()
    assert log_lines(messages)[-1].startswith(f"Case #1: {bob.mention} gave {alice.mention}")
    dm = [m for m in messages if isinstance(m.channel, discord.DMChannel)]
    assert (
        dm and "You received a warning in" in dm[0].content and "Reason: Insults" in dm[0].content
    )
    case = await interact(
        bot,
        bob,
        general(),
        command("case", opt("member", str(alice.id), 6), member=alice),
        kind=2,
    )
    fields = {f["name"]: f["value"] for f in case[-1]["data"]["embeds"][0]["fields"]}
    assert fields["Active strikes"] == "1"
    assert fields["Next step"] == "a temporary ban (7d)"
    assert "discord: alice" in fields["Across platforms"]
    # the second violation: the moderator follows the proposal
    second = await interact(
        bot,
        bob,
        general(),
        command(
            "ban",
            opt("member", str(alice.id), 6),
            opt("reason", "Again"),
            opt("duration", "7d"),
            member=alice,
        ),
        kind=2,
    )
    assert (
        "This was violation 2; the ladder proposed a temporary ban (7d)."
        in (second[-1]["data"]["content"])
    )
    assert ("ban", (alice.id, "case 2")) in calls
    banned = ledger(engine, "member.banned")
    assert len(banned) == 1 and banned[0]["properties"]["case_id"] == 2
    until = datetime.fromisoformat(banned[0]["properties"]["until"])
    assert timedelta(days=7) - timedelta(minutes=1) < until - datetime.now(UTC) <= timedelta(days=7)
    member_id = access_member_for_identity(engine, "discord", str(alice.id))
    assert banned[0]["target_owner_member_id"] == member_id
    with engine.connect() as conn:  # the rules engine knows the ban (derivation caught up)
        assert (
            conn.scalar(
                select(member_standing.c.banned_until).where(
                    member_standing.c.member_id == member_id
                )
            )
            is not None
        )


async def test_a_temporary_ban_lifts_itself_after_a_restart(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot, alice, bob = await mod_bot(make_bot)
    await interact(
        bot,
        bob,
        general(),
        command(
            "ban",
            opt("member", str(alice.id), 6),
            opt("reason", "Spam"),
            opt("duration", "1h"),
            member=alice,
        ),
        kind=2,
    )
    with engine.connect() as conn:
        ends = conn.scalar(select(mod_cases.c.ends_at))
    cog = bot.get_cog("moderation")
    assert await cog.run_job(ends - timedelta(minutes=1)) == 0
    assert not [c for c in calls if c[0] == "unban"]
    # the bot goes down and comes back after the ban ended: a new cog, state from the database
    await bot.reload_extension("hearth.bot.cogs.moderation")
    cog = bot.get_cog("moderation")
    assert await cog.run_job(ends + timedelta(minutes=5)) == 1
    assert ("unban", (alice.id, "case 1")) in calls
    assert await cog.run_job(ends + timedelta(minutes=10)) == 0  # once
    unbanned = ledger(engine, "member.unbanned")
    assert [u["properties"]["case_id"] for u in unbanned] == [1]
    assert unbanned[0]["occurred_at"].replace(tzinfo=UTC) == ends.replace(tzinfo=UTC)
    assert any("ended" in line for line in log_lines())


async def test_reports_are_private_and_appeals_reach_the_moderators(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot, alice, bob = await mod_bot(make_bot)
    report = await interact(
        bot,
        alice,
        general(),
        command("report", opt("member", str(bob.id), 6), opt("reason", "Rude in DMs"), member=bob),
        kind=2,
    )
    assert report[-1]["data"]["flags"] == 64
    assert "only they see it" in report[-1]["data"]["content"]
    assert any(line.startswith("Report #1 about") for line in log_lines())
    reported = ledger(engine, "case.reported")
    assert reported[0]["actor_member_id"] is None  # the reporter is not in the ledger
    # a member cannot use moderators' actions
    denied = await interact(
        bot,
        alice,
        general(),
        command("warn", opt("member", str(bob.id), 6), opt("reason", "x"), member=bob),
        kind=2,
    )
    assert "Only moderators" in denied[-1]["data"]["content"]
    # bob warns alice; alice appeals
    await interact(
        bot,
        bob,
        general(),
        command("warn", opt("member", str(alice.id), 6), opt("reason", "Spam"), member=alice),
        kind=2,
    )
    log_lines()
    appeal = await interact(
        bot,
        alice,
        general(),
        command("appeal", opt("case", 2, 4), opt("reason", "Not me")),
        kind=2,
    )
    assert appeal[-1]["data"]["content"] == "Your appeal of case #2 is with the moderators."
    assert any("was appealed" in line for line in log_lines())
    # bob cannot appeal alice's case; nor see the report about him through /appeal
    other = await interact(
        bot, bob, general(), command("appeal", opt("case", 1, 4), opt("reason", "?")), kind=2
    )
    assert "no case 1 of yours" in other[-1]["data"]["content"]


async def test_the_members_dm_is_in_the_members_language(
    make_bot: BotFactory, engine: Engine
) -> None:
    bot, alice, bob = await mod_bot(make_bot)

    async def warn(reason: str) -> str:
        await interact(
            bot,
            bob,
            general(),
            command("warn", opt("member", str(alice.id), 6), opt("reason", reason), member=alice),
            kind=2,
            locale="fr",  # the moderator reads French
        )
        dms = [m for m in sent() if isinstance(m.channel, discord.DMChannel)]
        assert len(dms) == 1
        return dms[0].content

    # Nothing known of alice: the server's language (English here), not the moderator's.
    assert (await warn("Insults")).startswith("You received a warning in")
    guild().preferred_locale = discord.Locale.german
    assert (await warn("Spam")).startswith("Du hast auf")  # the server's: German
    # Once alice has used the bot herself, her own language.
    await interact(
        bot,
        alice,
        general(),
        command("appeal", opt("case", 1, 4), opt("reason", "Sorry")),
        kind=2,
        locale="es-ES",
    )
    sent()
    assert (await warn("Flood")).startswith("Recibiste una advertencia en")
