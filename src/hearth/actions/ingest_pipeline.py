"""A second process that reads and prepares an import while the ingest writes it.

A large import spends about as long reading and preparing its records (parsing, validating,
making rows) as storing them, and one CPython process does the two one after the other, on one
core. :class:`Producer` forks a child that takes over the rest of the records' iterator and
prepares batch after batch: it validates them, drops repeats, and writes each batch's rows into
a staging file, with a number in place of each account (:mod:`hearth.actions.ingest_staging`).
Down a pipe go only the batch's counts and errors, the accounts it numbered first, and which
file holds its rows. So the parent (the writer) stores one batch, with one ``INSERT … SELECT``
from the file, while the child reads the next: both cores work, and the writer runs no Python
per row. A thread would not do: the writer holds the GIL between every row it binds, and a
thread taking it back costs milliseconds (docs/benchmarks.md).

The child gets the iterator by ``fork``: whatever state the iterator has (an open file, a
parser half-way through a dump) carries over. So a source whose reading changes something the
parent looks at afterwards (a parser that counts what it skipped, for the closing report) names
that object as the *reader state*: the child sends its copy back when it stops reading, and its
attributes are copied onto the parent's (``ingest(..., parallel_after=N, reader_state=stats)``).
The child never touches the database (only its staging files), ignores Ctrl-C (the parent stops
it), and ends with the parent: it is terminated when the ingest ends however it ends, and stops
by itself when the pipe to the parent breaks or the parent is gone.

What can go wrong is reported, not hung on: an exception raised while reading (a parser's
error, a file that vanished) is raised again in the parent; a child that dies (killed, out of
memory) is a :class:`~hearth.errors.HearthError` that says so. Every batch the parent received
before either is stored; the import is idempotent, so running it again adds the rest.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import traceback
import warnings
from collections.abc import Iterator
from itertools import islice
from multiprocessing.connection import Connection
from typing import Any

from hearth.actions.ingest_rows import (
    MAX_KEPT_ERRORS,
    IngestReport,
    Parsed,
    Prepared,
    StagedBatch,
    unique,
    validated,
)
from hearth.actions.ingest_staging import AccountNumbers, SlotWriter, Stage
from hearth.errors import HearthError
from hearth.i18n import _

_QUEUED = 4  # prepared batches the child may hold ready beyond the one in the pipe
_BATCH, _DONE, _FAILED, _STATE = "batch", "done", "failed", "state"
_GC_THRESHOLD = 100_000


def can_fork() -> bool:
    """Whether this platform can run a :class:`Producer` (it needs ``fork``: Linux, BSDs)."""
    return "fork" in multiprocessing.get_all_start_methods()


class Producer:
    """A forked child preparing the rest of ``records`` in batches; iterate it for them."""

    def __init__(
        self, records: Iterator[Parsed], batch_size: int, reader_state: object | None = None
    ) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._state = reader_state
        self._stage = Stage()
        self._process = context.Process(
            target=_produce,
            args=(records, batch_size, send, reader_state, self._stage),
            name="hearth-ingest-reader",
        )
        self._process.daemon = True
        with warnings.catch_warnings():
            # Python 3.12+ warns that forking a process with threads (a progress bar's) may
            # deadlock a child that takes a lock one of them held. This child takes none of
            # theirs: it prepares rows and writes to its own pipe.
            warnings.filterwarnings(
                "ignore", "This process .* is multi-threaded", DeprecationWarning
            )
            self._process.start()
        send.close()  # the child holds the only writing end: its death ends the pipe

    def __iter__(self) -> Iterator[Prepared]:
        while True:
            try:
                kind, payload = pickle.loads(self._receive.recv_bytes())
            except EOFError:
                self._process.join(timeout=5)
                raise HearthError(
                    _(
                        "The process reading the input stopped unexpectedly (exit code "
                        "{code}). What it had handed over is stored; importing again adds the "
                        "rest."
                    ).format(code=self._process.exitcode)
                ) from None
            if kind == _BATCH:
                yield payload
                if payload.staged is not None:
                    self._stage.free.release()  # the writer is done with its staging file
            elif kind == _STATE:
                if self._state is not None:
                    vars(self._state).update(vars(payload))
            elif kind == _DONE:
                return
            else:
                raise payload

    def stop(self) -> None:
        """End the child (at once if it is still reading) and close the pipe."""
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
        self._receive.close()
        self._stage.remove()


def _produce(
    records: Iterator[Parsed],
    batch_size: int,
    send: Connection,
    reader_state: object | None,
    stage: Stage,
) -> None:
    """The child: prepare batches, write their rows to the staging files and queue the rest
    for a thread that writes it to the pipe, so preparing goes on while the parent is busy and
    the pipe is full; at the end, the reader state (when there is one), then the end or the
    error."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # what the child allocates is short-lived and acyclic, as in bulk mode (actions/ingest.py)
    gc.set_threshold(_GC_THRESHOLD, *gc.get_threshold()[1:])
    ready: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUED)
    broken = threading.Event()
    sender = threading.Thread(target=_send_all, args=(ready, send, broken), daemon=True)
    sender.start()

    parent = os.getppid()

    def check_parent() -> None:
        if broken.is_set() or os.getppid() != parent:
            os._exit(1)  # the parent is gone: nobody to prepare for

    def put(message: Any) -> None:
        data = None if message is None else pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        while True:
            check_parent()
            try:
                ready.put(data, timeout=0.5)
                return
            except queue.Full:
                continue

    errors_sent = 0
    numbers, slots = AccountNumbers(), SlotWriter(stage)
    try:
        while batch := list(islice(records, batch_size)):
            report = IngestReport()
            fresh = unique(validated(batch, report), report)
            del report.errors[max(0, MAX_KEPT_ERRORS - errors_sent) :]
            errors_sent += len(report.errors)
            prepared = Prepared(len(batch), report, rows=[], refs=[])
            if fresh:
                rows, prepared.refs, new = numbers.rows(fresh)
                path = slots.write(rows, wait=check_parent)
                prepared.staged = StagedBatch(path, len(rows), new)
            put((_BATCH, prepared))
        if reader_state is not None:
            put((_STATE, reader_state))
        put((_DONE, None))
    except Exception as error:  # every error goes to the parent, to be raised
        if reader_state is not None:
            put((_STATE, reader_state))
        put((_FAILED, _portable(error)))
    put(None)
    sender.join()


def _send_all(ready: queue.Queue[bytes | None], send: Connection, broken: threading.Event) -> None:
    try:
        while (data := ready.get()) is not None:
            send.send_bytes(data)
    except OSError:
        broken.set()


def _portable(error: Exception) -> Exception:
    """``error`` if it survives pickling, else a HearthError that names it; either way with the
    child's traceback as a note, for the log."""
    note = "".join(traceback.format_exception(error)).rstrip()
    error.add_note(note)
    try:
        copy: Exception = pickle.loads(pickle.dumps(error))
    except Exception:  # any exception type may refuse pickling
        copy = HearthError(f"{type(error).__name__}: {error}")
        copy.add_note(note)
    return copy
