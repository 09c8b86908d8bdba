"""Running the bot: structured logs, a clean stop on SIGINT/SIGTERM, errors a user can act on.

:func:`run_bot` is what ``hearth bot`` calls; :func:`run_on_guild` logs in just long enough to
run one job on the configured guild (``hearth discord plan`` and ``apply``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import discord

from hearth.errors import ConfigError, NotFound
from hearth.i18n import _
from hearth.settings import Settings

T = TypeVar("T")
log = logging.getLogger("hearth.bot")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the exception)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    """Structured (JSON lines) logs on stderr for Hearth and discord.py."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def token_of(settings: Settings) -> str:
    """The bot token; a :class:`ConfigError` saying what to set when there is none."""
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise ConfigError(
            _(
                "No Discord bot token: set HEARTH_DISCORD_TOKEN to the token of your bot "
                "(Discord developer portal → your application → Bot → Reset Token; docs/bot.md)."
            )
        )
    return token


def _rejected() -> ConfigError:
    return ConfigError(
        _(
            "Discord rejected the bot token in HEARTH_DISCORD_TOKEN: it was mistyped, reset or "
            "revoked. Copy a fresh one from the developer portal (docs/bot.md)."
        )
    )


def _intents_missing() -> ConfigError:
    return ConfigError(
        _(
            "The bot needs the privileged intents Server Members and Message Content: enable "
            "them in the developer portal (your application → Bot → Privileged Gateway Intents)."
        )
    )


async def serve(client: discord.Client, token: str) -> None:
    """Run ``client`` until it stops or the process gets SIGINT/SIGTERM, then close it."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on this platform
            loop.add_signal_handler(signum, stop.set)
    async with client:
        running = asyncio.create_task(client.start(token))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if stopping.done():
            log.info("stopping: signal received")
            await client.close()
        else:
            stopping.cancel()
        try:
            await running
        except discord.LoginFailure:
            raise _rejected() from None
        except discord.PrivilegedIntentsRequired:
            raise _intents_missing() from None
    log.info("stopped")


def run_bot(settings: Settings, **build: Any) -> None:
    """``hearth bot``: build the bot and run it until stopped."""
    from hearth.bot.client import build_bot

    token = token_of(settings)
    configure_logging()
    bot = build_bot(settings, **build)
    log.info("starting with playbook %s", bot.playbook.name)
    asyncio.run(serve(bot, token))


def run_on_guild(
    settings: Settings, job: Callable[[discord.Guild], Awaitable[T]], *, guild_id: int | None
) -> T:
    """Log in, run ``job`` on the guild ``guild_id`` (else the settings' guild, else the only
    one the bot is in), log out; returns what ``job`` returned."""
    token = token_of(settings)
    wanted = guild_id or settings.discord_guild_id
    client = discord.Client(intents=discord.Intents(guilds=True))
    outcome: dict[str, Any] = {}

    @client.event
    async def on_ready() -> None:
        try:
            outcome["result"] = await job(_pick_guild(client, wanted))
        except Exception as exc:  # handed to the caller once the client is closed
            outcome["error"] = exc
        finally:
            await client.close()

    async def main() -> None:
        async with client:
            try:
                await client.start(token)
            except discord.LoginFailure:
                raise _rejected() from None

    asyncio.run(main())
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]  # type: ignore[no-any-return]


def _pick_guild(client: discord.Client, wanted: int | None) -> discord.Guild:
    if wanted is not None:
        guild = client.get_guild(wanted)
        if guild is None:
            raise NotFound(
                _("The bot is not in the server {id}: invite it first (docs/bot.md).").format(
                    id=wanted
                )
            )
        return guild
    if len(client.guilds) != 1:
        raise ConfigError(
            _(
                "The bot is in {n} servers: say which one with --guild or HEARTH_DISCORD_GUILD_ID."
            ).format(n=len(client.guilds))
        )
    return client.guilds[0]
