"""The one helper for long work off the GUI thread (docs/design.md, principle 5).

``run_task(fn)`` runs ``fn(progress)`` on a worker thread of a :class:`QThreadPool`
and reports back on the GUI thread through the returned :class:`Task`'s signals:
``progressed(done, total, text)``, then exactly one of ``succeeded(result)``,
``failed(exception)`` or ``cancelled()``, and always ``finished()`` last.

Once ``finished()`` has been delivered the task leaves its parent and disconnects its
handlers, so it is freed with its last reference: keep the task to read ``result`` or
``error`` afterwards, never to connect to it.

``fn`` must be a pure callable: no widgets, no Qt objects, and no SQLAlchemy
Session shared with another thread (calling a service is fine; each opens its own
session). Cancelling is cooperative: :meth:`Task.cancel` makes the next call of
``progress(...)`` (or ``progress.check()``) raise :class:`Cancelled` inside ``fn``.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, ClassVar

import shiboken6
from PySide6.QtCore import SIGNAL, QObject, QRunnable, QThreadPool, Signal, Slot

from ccm_desktop import logsafe
from ccm_desktop.errors import CcmError

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside the worker when the user asked to cancel."""


class Progress:
    """Handed to the worker function: report progress and notice a cancel request."""

    def __init__(self, emit: Callable[[int, int, str], None]) -> None:
        self._emit = emit
        self._cancel = threading.Event()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def request_cancel(self) -> None:
        """Make the next :meth:`check` (or progress report) raise :class:`Cancelled`."""
        self._cancel.set()

    def check(self) -> None:
        """Raise :class:`Cancelled` when a cancel was asked for."""
        if self._cancel.is_set():
            raise Cancelled()

    def __call__(self, done: int, total: int = 0, text: str = "") -> None:
        """Report ``done`` of ``total`` steps (``total=0``: unknown); may raise Cancelled."""
        self.check()
        self._emit(int(done), int(total), str(text))


class _Relay(QObject):
    """The one relay of the process, on the GUI thread: workers emit on it (queued to the
    GUI thread) and it hands each report to its task by number.

    Workers hold no per-task Qt object, so a worker never drops the last reference to
    one (which would destroy it off the GUI thread).
    """

    progress = Signal(int, int, int, str)  # (task number, done, total, text)
    done = Signal(int, object, object)  # (task number, result, exception or None)

    def __init__(self) -> None:
        super().__init__()
        self.progress.connect(self._progress)
        self.done.connect(self._done)

    @Slot(int, int, int, str)
    def _progress(self, number: int, done: int, total: int, text: str) -> None:
        task = Task._alive.get(number)
        if task is not None and shiboken6.isValid(task):
            task.progressed.emit(done, total, text)

    @Slot(int, object, object)
    def _done(self, number: int, result: Any, error: BaseException | None) -> None:
        task = Task._alive.pop(number, None)
        if task is not None and shiboken6.isValid(task):  # its parent may be gone
            task._on_done(result, error)
            if shiboken6.isValid(task):  # a handler may have deleted its parent
                task._release()


_relay: _Relay | None = None


def _the_relay() -> _Relay:
    global _relay
    if _relay is None:  # first used on the GUI thread, like every Task
        _relay = _Relay()
    return _relay


class _Runnable(QRunnable):
    """Runs on the worker thread: ``fn(progress)``, then one report to the relay.

    It lets go of ``fn`` and its progress when done: Qt deletes the runnable, but its
    Python side can outlive that (PySide6 6.11 keeps a few of them), and it must not keep
    what ``fn`` holds. The relay lives as long as the process.
    """

    def __init__(self, fn: Callable[[Progress], Any], progress: Progress, number: int) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn: Callable[[Progress], Any] | None = fn
        self._progress: Progress | None = progress
        self._relay = _the_relay()
        self._number = number

    def run(self) -> None:
        fn, progress = self._fn, self._progress
        self._fn = self._progress = None
        assert fn is not None and progress is not None  # runs once
        try:
            result = fn(progress)
        except BaseException as exc:
            if not isinstance(exc, (Cancelled, CcmError)):
                log.error("background task failed:\n%s", logsafe.safe_traceback(exc))
            self._relay.done.emit(self._number, None, exc)
        else:
            self._relay.done.emit(self._number, result, None)


class Task(QObject):
    """One piece of background work; see the module docstring for the signal contract.

    Once ``finished`` is delivered the task lets go of itself: it leaves its parent and
    drops its handlers, so it is deleted with its last Python reference and nothing else
    keeps its result alive (a caller that keeps the task still reads ``running``,
    ``result``, ``error`` and ``was_cancelled``).
    """

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    _alive: ClassVar[dict[int, Task]] = {}  # running tasks by number (kept from collection)
    _numbers: ClassVar[Iterator[int]] = itertools.count(1)

    def __init__(self, fn: Callable[[Progress], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._number = next(Task._numbers)
        relay = _the_relay()
        self.progress = Progress(partial(relay.progress.emit, self._number))
        self._fn: Callable[[Progress], Any] | None = fn
        self.running = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.was_cancelled = False

    def start(self, pool: QThreadPool | None = None) -> Task:
        """Queue the work on ``pool`` (the global pool by default); returns self."""
        fn, self._fn = self._fn, None  # the worker holds it from now on
        if fn is None:
            raise RuntimeError("a task starts once")
        self.running = True
        Task._alive[self._number] = self
        runnable = _Runnable(fn, self.progress, self._number)
        (pool or QThreadPool.globalInstance()).start(runnable)  # the pool owns it now
        return self

    def cancel(self) -> None:
        """Ask the worker to stop at its next progress report."""
        self.progress.request_cancel()

    def _on_done(self, result: Any, error: BaseException | None) -> None:
        self.running = False
        if error is None:
            self.result = result
            self.succeeded.emit(result)
        elif isinstance(error, Cancelled):
            self.was_cancelled = True
            self.cancelled.emit()
        else:
            self.error = error
            self.failed.emit(error)
        self.finished.emit()

    def _release(self) -> None:
        """After ``finished`` was delivered: leave the parent, then drop the handlers.

        In that order, on purpose: a handler can hold the last reference to the parent
        page (a lambda over ``self``); dropping it then deletes the page, and a page
        deleted while this task is still its child would delete the task under us. The
        task itself goes with its last Python reference, with no handler left to free
        inside its destructor.
        """
        self.setParent(None)
        for name, signature in _SIGNATURES.items():
            if self.receivers(SIGNAL(signature)):
                getattr(self, name).disconnect()


_SIGNATURES = {
    "progressed": "progressed(int,int,QString)",
    "succeeded": "succeeded(PyObject)",
    "failed": "failed(PyObject)",
    "cancelled": "cancelled()",
    "finished": "finished()",
}


def run_task(
    fn: Callable[[Progress], Any],
    parent: QObject | None = None,
    *,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
    pool: QThreadPool | None = None,
) -> Task:
    """Start ``fn(progress)`` off the GUI thread; the callbacks run on the GUI thread."""
    task = Task(fn, parent)
    if on_success is not None:
        task.succeeded.connect(on_success)
    if on_failure is not None:
        task.failed.connect(on_failure)
    if on_progress is not None:
        task.progressed.connect(on_progress)
    return task.start(pool)


def running_tasks() -> int:
    """How many tasks have started and not yet reported back."""
    return len(Task._alive)


def wait_for_tasks(timeout_ms: int = -1, pool: QThreadPool | None = None) -> bool:
    """Block until every worker of ``pool`` is idle (at shutdown, before closing the db)."""
    return (pool or QThreadPool.globalInstance()).waitForDone(timeout_ms)
