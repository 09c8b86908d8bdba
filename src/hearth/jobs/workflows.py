"""Scheduled closing of the workflows that end on time: polls and suggestion contests.

Their closing times are in the database, so nothing is lost across restarts: whichever process
runs :func:`run_due` next (the bot's loop, the web process's :class:`WorkflowClock`, or
``hearth poll close-due`` from cron) closes what is due. Closing is a conditional update, so
any number of processes may run it at once; each poll and contest is closed once.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from hearth.actions.contests import do_close_due_contests
from hearth.actions.polls import do_close_due_polls
from hearth.domain.playbook import Playbook
from hearth.errors import HearthError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Closed:
    polls: list[int] = field(default_factory=list)
    contests: list[int] = field(default_factory=list)


def run_due(engine: Engine, playbook: Playbook, *, now: datetime | None = None) -> Closed:
    """Close every poll and contest whose time has come."""
    return Closed(
        polls=do_close_due_polls(engine, now=now),
        contests=do_close_due_contests(engine, playbook, now=now),
    )


class WorkflowClock:
    """A thread that runs :func:`run_due` every ``interval`` seconds."""

    def __init__(self, engine: Engine, playbook: Playbook, *, interval: float = 30.0) -> None:
        self.engine = engine
        self.playbook = playbook
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hearth-workflows", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                closed = run_due(self.engine, self.playbook)
            except HearthError:
                log.exception("closing due polls and contests failed; will retry")
                continue
            except Exception:
                log.exception("closing due polls and contests failed unexpectedly; will retry")
                continue
            if closed.polls or closed.contests:
                log.info("closed polls %s, contests %s", closed.polls, closed.contests)
