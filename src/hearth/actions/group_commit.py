"""Group commit: many callers' writes in one transaction, each answered after that commit.

A webhook delivery is small, and committing each one on its own makes the commit (and its
fixed cost in SQLAlchemy, the driver and the database) the bottleneck. A :class:`GroupCommitter`
owns one writer thread. Callers :meth:`~GroupCommitter.submit` an item and get a future; the
writer takes every item waiting at that moment (up to ``max_batch``), writes them all in one
write transaction with ``write_batch``, commits, calls the optional ``after_commit`` callback,
and only then resolves each item's future with its result. So:

- a result (for a webhook, the 2xx answer) always means the item is committed;
- when the batch's transaction fails, nothing of it is committed and each item is tried again
  alone, in its own transaction, so one bad item cannot fail the others; an item that fails
  alone gets the exception on its future, and its caller answers with an error;
- while the writer commits one batch, the next one gathers: under load, batches grow by
  themselves, and with one caller at a time each item is committed at once.

``after_commit(engine, items, results)`` runs on the writer thread after each commit (for
derivations that follow ingest). The items are committed whatever it does: an exception it
raises is logged, and the items are still answered.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

from sqlalchemy import Connection, Engine

from hearth.store.db import begin_write

log = logging.getLogger("hearth.group_commit")

Item = TypeVar("Item")
Result = TypeVar("Result")

WriteBatch = Callable[[Connection, Sequence[Item]], Sequence[Result]]
AfterCommit = Callable[[Engine, Sequence[Item], Sequence[Result]], None]
_STOP = object()


class GroupCommitter(Generic[Item, Result]):
    """One writer thread committing the submitted items in batches; see the module docstring."""

    def __init__(
        self,
        engine: Engine,
        write_batch: WriteBatch[Item, Result],
        *,
        after_commit: AfterCommit[Item, Result] | None = None,
        max_batch: int = 256,
        name: str = "hearth-group-commit",
    ) -> None:
        self.engine = engine
        self.write_batch = write_batch
        self.after_commit = after_commit
        self.max_batch = max_batch
        self._name = name
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.batches = 0  # how many transactions committed (for tests and benchmarks)

    def submit(self, item: Item) -> Future[Result]:
        """Queue ``item``; the future resolves once it is committed (or fails)."""
        future: Future[Result] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the group committer is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._queue.put((item, future))
        return future

    def close(self, timeout: float = 30) -> None:
        """Commit what is queued, then stop the writer thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(_STOP)
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            stop = first is _STOP
            batch: list[tuple[Item, Future[Result]]] = [] if stop else [first]  # type: ignore[list-item]
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                    continue
                batch.append(more)  # type: ignore[arg-type]
            if batch:
                self._commit(batch)
            if stop and self._queue.empty():
                return

    def _commit(self, batch: list[tuple[Item, Future[Result]]]) -> None:
        items = [item for item, _future in batch]
        try:
            results = self._write(items)
        except Exception as exc:  # handed to the callers, never swallowed
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            log.warning("a batch of %d failed (%s); committing each alone", len(batch), exc)
            for entry in batch:
                self._commit([entry])
            return
        for (_item, future), result in zip(batch, results, strict=True):
            future.set_result(result)

    def _write(self, items: list[Item]) -> Sequence[Result]:
        with begin_write(self.engine) as conn:
            results = self.write_batch(conn, items)
            if len(results) != len(items):
                raise RuntimeError("write_batch must return one result per item")
        self.batches += 1
        if self.after_commit is not None:
            try:
                self.after_commit(self.engine, items, results)
            except Exception:  # the items are committed: answer them anyway
                log.exception("after_commit failed for a batch of %d", len(items))
        return results
