"""Keep derived points, awards and tiers current while live activity arrives.

Webhooks and the bot store activities many times a second; deriving inside each request would
add the fold to every answer. Instead they *poke* a :class:`Deriver`, whose thread catches up
at most every ``interval`` seconds (and at once when poked after a quiet spell). The catch-up
reads everything committed so far, so a poke is never lost: a poke that arrives while a
catch-up runs causes one more. State lives in the database (``actions/derive.py``); several
processes may run a deriver at once.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import Engine

from hearth.actions.derive import do_catch_up
from hearth.domain.playbook import Playbook
from hearth.errors import HearthError

log = logging.getLogger(__name__)


class Deriver:
    """A thread that catches the derivation up after pokes, debounced."""

    def __init__(self, engine: Engine, playbook: Playbook, *, interval: float = 2.0) -> None:
        self.engine = engine
        self.playbook = playbook
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._run, name="hearth-deriver", daemon=True)
        self.runs = 0
        self._thread.start()

    def poke(self, *_: Any) -> None:
        """New activities are committed (any arguments are ignored, so this can be a callback)."""
        self._idle.clear()
        self._wake.set()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until every poke so far is derived (tests, graceful shutdown)."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        last = 0.0
        while not self._stop.is_set():
            self._wake.wait()
            if self._stop.is_set():
                break
            pause = self.interval - (time.monotonic() - last)
            if pause > 0 and self._stop.wait(pause):
                break
            self._wake.clear()
            try:
                report = do_catch_up(self.engine, self.playbook)
                self.runs += 1
                if report.mode != "unchanged":
                    log.info(
                        "derived: %s (%s), %d activities in %.2fs",
                        report.mode,
                        report.reason,
                        report.activities,
                        report.seconds,
                    )
            except HearthError:
                log.exception("derivation failed; will retry on the next poke")
            except Exception:
                log.exception("derivation failed unexpectedly; will retry on the next poke")
            last = time.monotonic()
            if not self._wake.is_set():
                self._idle.set()
