"""The bot's way to the ledger: synchronous actions run on one worker thread, off the loop.

Actions are synchronous SQLAlchemy. Calling them on the event loop would stall the gateway
(heartbeats included), so :class:`Ledger` runs them on a single-thread executor: writes are
serialized (SQLite allows one writer at a time anyway) and the loop only awaits their result.
Whoever needs to know that new activities were stored (the derive cog) adds a callback to
:attr:`Ledger.on_stored`; it is called on the event loop after each batch that stored any.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Engine

from hearth.actions.ingest import IngestReport, ingest
from hearth.domain.activity import ActivityIn

T = TypeVar("T")
log = logging.getLogger("hearth.bot.ledger")


class Ledger:
    """Runs actions for the bot on one worker thread."""

    def __init__(self, engine: Engine, *, batch_size: int = 500) -> None:
        self.engine = engine
        self.batch_size = batch_size
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hearth-ledger")
        # Reads (the points commands) have their own threads: a long catch-up on the worker
        # (a rebuild after a backfill takes seconds) must not hold up a command's answer,
        # which Discord wants within 3 seconds. SQLite in WAL mode reads beside a writer.
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hearth-read")
        self.on_stored: list[Callable[[IngestReport], None]] = []

    async def run(self, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``action(engine, *args, **kwargs)`` on the worker thread."""
        loop = asyncio.get_running_loop()
        # The caller's context (the member's language) goes with the action to the thread.
        context = contextvars.copy_context()
        return await loop.run_in_executor(
            self._executor, partial(context.run, action, self.engine, *args, **kwargs)
        )

    async def read(self, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``action(engine, *args, **kwargs)`` on a reader thread: for actions that only read."""
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        return await loop.run_in_executor(
            self._readers, partial(context.run, action, self.engine, *args, **kwargs)
        )

    async def record(self, activities: Iterable[ActivityIn | None]) -> IngestReport:
        """Store ``activities`` (``None`` entries are skipped); duplicates change nothing."""
        batch = [a for a in activities if a is not None]
        if not batch:
            return IngestReport()
        report = await self.run(ingest, batch, batch_size=self.batch_size)
        for error in report.errors:
            log.warning("activity rejected: %s", error)
        self.stored(report)
        return report

    def stored(self, report: IngestReport) -> None:
        """Tell the :attr:`on_stored` callbacks about ``report`` when it stored anything (for
        activities written by an action other than :meth:`record`)."""
        if report.imported:
            for callback in self.on_stored:
                callback(report)

    async def record_one(self, activity: ActivityIn | None) -> bool:
        """Store one activity; True when it was new."""
        return (await self.record([activity])).imported == 1

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self._readers.shutdown(wait=True)
