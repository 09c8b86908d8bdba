"""Derivation in the bot: points, achievements and tiers kept current as activities arrive.

After the ingest cog (or ``/thanks``) stores activities, :meth:`DeriveCog.schedule` asks for a
catch-up (:func:`hearth.actions.derive.do_catch_up`). It runs on the ledger's worker thread,
never on the gateway loop, at most once every ``HEARTH_DISCORD_DERIVE_SECONDS``: activities
stored meanwhile are folded by the next run. Every ``HEARTH_DISCORD_STANDING_MINUTES`` it also
runs unasked, since tiers change with time alone (tenure reached, a grace period over).

After each run the bot dispatches ``hearth_derived`` (listeners: ``on_hearth_derived(report)``);
the announcement and tier-role cogs act on it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from discord.ext import commands

from hearth.actions.derive import DeriveReport, do_catch_up
from hearth.actions.ingest import IngestReport

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

log = logging.getLogger("hearth.bot.derive")


class DeriveCog(commands.Cog, name="derive"):
    """Catches the derived tables up after ingest (debounced) and periodically."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self.spacing = bot.settings.discord_derive_seconds
        self.period = bot.settings.discord_standing_minutes * 60
        self._last = -float("inf")
        self._again = False
        self._task: asyncio.Task[None] | None = None
        self._periodic: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def cog_load(self) -> None:
        self.bot.ledger.on_stored.append(self._stored)

    async def cog_unload(self) -> None:
        if self._stored in self.bot.ledger.on_stored:
            self.bot.ledger.on_stored.remove(self._stored)
        for task in (self._task, self._periodic):
            if task is not None:
                task.cancel()

    def _stored(self, report: IngestReport) -> None:
        self.schedule()

    def schedule(self) -> None:
        """Ask for a catch-up: now, or when the spacing since the last one has passed."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._debounced())

    async def _debounced(self) -> None:
        while True:
            self._again = False
            wait = self._last + self.spacing - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            await self.run_guarded()
            if not self._again:
                return

    async def run_guarded(self) -> None:
        try:
            await self.catch_up()
        except Exception:  # logged; the next activity or period tries again
            log.exception("derivation failed")

    async def catch_up(self) -> DeriveReport:
        """Catch up now and tell the listeners; returns what the derivation did."""
        async with self._lock:
            report = await self.bot.ledger.run(do_catch_up, self.bot.playbook)
            self._last = time.monotonic()
        if report.mode != "unchanged":
            log.info(
                "derived (%s, %s): %d activities in %.2f s",
                report.mode,
                report.reason,
                report.activities,
                report.seconds,
            )
        self.bot.dispatch("hearth_derived", report)
        return report

    async def wait_idle(self) -> None:
        """Wait for a pending catch-up (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.wait([self._task])

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self._periodic is None or self._periodic.done():
            self._periodic = asyncio.get_running_loop().create_task(self._every_period())

    async def _every_period(self) -> None:
        while True:
            await self.run_guarded()
            await asyncio.sleep(self.period)


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(DeriveCog(bot))
