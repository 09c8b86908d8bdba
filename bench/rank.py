"""Benchmark: the bot's points side with 1,000,000 activities stored.

Target (issue "Discord bot, part 1"): ``/rank`` answered with a p99 under 50 ms.

1. A fresh SQLite ledger gets ``--events`` generated activities
   (:func:`hearth.connectors.demo.generator.generate`, ``--members`` members), ingested with
   :func:`hearth.actions.ingest.ingest` and derived with :func:`hearth.actions.derive.do_rebuild`
   (the phoenix playbook).
2. **/rank**: the real bot (:func:`hearth.bot.client.build_bot`, not connected) answers
   ``/rank`` for ``--ranks`` members picked at random among those with a Discord account: the
   time from the command's start to the reply embed being ready, i.e. everything the command
   does except sending the reply over Discord's HTTP API (identity lookup, standing, rank,
   formatting, the hops to the ledger's worker thread and back).
3. **Ingest**: the same bot under dpytest (no network) receives ``--messages`` gateway
   ``MESSAGE_CREATE`` payloads, parsed by discord.py and handled by the ingest cog (one
   ledger transaction per message, as live), with the derive cog catching up as it does live
   (at most every ``HEARTH_DISCORD_DERIVE_SECONDS``); the rate is messages handed to the
   client per second until every one is stored; the catch-up left at the end is timed apart.

    python -m bench.rank [--events 1000000] [--members 5000] [--output bench/out/rank.md]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine, func, select

INGEST_COGS = ["hearth.bot.cogs.ingest", "hearth.bot.cogs.derive", "hearth.bot.cogs.standing"]


def _fresh(folder: Path) -> str:
    url = f"sqlite:///{folder}/rank.db"
    hearth = Path(sys.executable).parent / "hearth"
    subprocess.run([str(hearth), "--db", url, "init"], check=True, capture_output=True)
    return url


def _load(engine: Engine, members: int, events: int) -> dict[str, float]:
    from hearth.actions.derive import do_rebuild
    from hearth.actions.ingest import ingest
    from hearth.connectors.demo.generator import generate
    from hearth.playbooks import load_playbook

    started = time.perf_counter()
    imported = ingest(engine, generate(members=members, events=events, seed=1)).imported
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    do_rebuild(engine, load_playbook("phoenix"))
    return {"imported": imported, "ingest_s": loaded, "rebuild_s": time.perf_counter() - started}


def _bot(engine: Engine, cogs: list[str]) -> Any:
    from hearth.bot.client import build_bot
    from hearth.settings import Settings

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=engine.url.render_as_string(hide_password=False),
        discord_sync_commands=False,
    )
    return build_bot(settings, engine=engine, cogs=cogs)


async def _ranks(engine: Engine, count: int) -> list[float]:
    from hearth.bot.cogs.standing import StandingCog
    from hearth.store.tables import identities

    bot = _bot(engine, [])
    cog = StandingCog(bot)
    with engine.connect() as conn:
        accounts = list(
            conn.scalars(select(identities.c.external_id).where(identities.c.platform == "discord"))
        )
    random.seed(3)
    picked = random.sample(accounts, min(count, len(accounts)))
    await cog.rank_embed(SimpleNamespace(id=picked[0], name="x", display_name="x"), None)  # warm
    times = []
    for account in picked:
        user = SimpleNamespace(id=account, name=account, display_name=account)
        started = time.perf_counter()
        await cog.rank_embed(user, None)
        times.append(time.perf_counter() - started)
    bot.ledger.close()
    return times


async def _ingest(engine: Engine, messages: int) -> dict[str, float]:
    import discord.ext.test as dpytest
    from discord.ext.test import backend, factories

    from hearth.store.tables import activities

    bot = _bot(engine, INGEST_COGS)
    await bot._async_setup_hook()
    dpytest.configure(bot, text_channels=["general"], voice_channels=0, members=["alice", "bob"])
    await bot.setup_hook()
    guild = dpytest.get_config().guilds[0]
    channel = guild.text_channels[0]
    authors = [m for m in guild.members if not m.bot]
    state = backend.get_state()
    with engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(activities)) or 0
    base = int(time.time() * 1000 - 1_420_070_400_000) << 22
    payloads = []
    for i in range(messages):
        data = factories.make_message_dict(
            channel, authors[i % len(authors)], base + i, content=f"message {i}", guild_id=guild.id
        )
        data["member"] = {"roles": [], "nick": None}
        payloads.append(data)
    derive = bot.get_cog("derive")
    started = time.perf_counter()
    for i, data in enumerate(payloads, start=1):
        state.parse_message_create(data)
        if i % 50 == 0:
            await dpytest.run_all_events()
    await dpytest.run_all_events()
    seconds = time.perf_counter() - started
    if derive._task is not None:  # the debounced catch-up may still be waiting its turn
        derive._task.cancel()
    started = time.perf_counter()
    await derive.catch_up()
    derived = time.perf_counter() - started
    with engine.connect() as conn:
        stored = (conn.scalar(select(func.count()).select_from(activities)) or 0) - before
    await dpytest.empty_queue()
    bot.ledger.close()
    return {"messages": messages, "stored": stored, "seconds": seconds, "derive_s": derived}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--ranks", type=int, default=1_000)
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()

    from hearth.store.db import create_engine

    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(_fresh(Path(tmp)))
        load = _load(engine, args.members, args.events)
        times = asyncio.run(_ranks(engine, args.ranks))
        fed = asyncio.run(_ingest(engine, args.messages))
        engine.dispose()
    times.sort()
    p50 = statistics.median(times) * 1000
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
    rate = fed["messages"] / fed["seconds"]
    lines = [
        f"Bot points benchmark: {load['imported']:,} generated activities "
        f"({args.members:,} members), phoenix playbook, SQLite "
        f"(ingest {load['ingest_s']:.0f} s, rebuild {load['rebuild_s']:.1f} s)",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| `/rank`, {len(times):,} members: p50 | {p50:.1f} ms | — |",
        f"| `/rank`: p99 | {p99:.1f} ms | < 50 ms |",
        f"| `/rank`: max | {times[-1] * 1000:.1f} ms | — |",
        f"| gateway messages handled by the ingest cog and stored "
        f"({fed['stored']:,} of {fed['messages']:,}, derivation catching up meanwhile) "
        f"| {rate:,.0f} /s | — |",
        f"| then the last catch-up (what is left to fold) | {fed['derive_s'] * 1000:.0f} ms | — |",
    ]
    text = "\n".join(lines)
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
