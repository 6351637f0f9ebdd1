"""The one helper for long work off the GUI thread (docs/design.md, principle 5).

``run_task(fn)`` runs ``fn(progress)`` on a worker thread of a :class:`QThreadPool`
and reports back on the GUI thread through the returned :class:`Task`'s signals:
``progressed(done, total, text)``, then exactly one of ``succeeded(result)``,
``failed(exception)`` or ``cancelled()``, and always ``finished()`` last.

``fn`` must be a pure callable: no widgets, no Qt objects, and no SQLAlchemy
Session shared with another thread (calling a service is fine; each opens its own
session). Cancelling is cooperative: :meth:`Task.cancel` makes the next call of
``progress(...)`` (or ``progress.check()``) raise :class:`Cancelled` inside ``fn``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

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
    """Lives on the GUI thread; signals emitted from the worker are queued to it."""

    progress = Signal(int, int, str)
    done = Signal(object, object)  # (result, exception or None)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any], progress: Progress, relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._progress = progress
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn(self._progress)
        except BaseException as exc:
            if not isinstance(exc, (Cancelled, CcmError)):
                log.error("background task failed:\n%s", logsafe.safe_traceback(exc))
            self._relay.done.emit(None, exc)
        else:
            self._relay.done.emit(result, None)


class Task(QObject):
    """One piece of background work; see the module docstring for the signal contract."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    _alive: ClassVar[set[Task]] = set()  # keeps running tasks from being collected

    def __init__(self, fn: Callable[[Progress], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = _Relay()
        self._relay.progress.connect(self.progressed)
        self._relay.done.connect(self._on_done)
        self.progress = Progress(self._relay.progress.emit)
        self._runnable = _Runnable(fn, self.progress, self._relay)
        self.running = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.was_cancelled = False

    def start(self, pool: QThreadPool | None = None) -> Task:
        """Queue the work on ``pool`` (the global pool by default); returns self."""
        self.running = True
        Task._alive.add(self)
        (pool or QThreadPool.globalInstance()).start(self._runnable)
        self._runnable = None  # type: ignore[assignment]  # the pool owns it now
        return self

    def cancel(self) -> None:
        """Ask the worker to stop at its next progress report."""
        self.progress.request_cancel()

    @Slot(object, object)
    def _on_done(self, result: Any, error: BaseException | None) -> None:
        self.running = False
        # Let go of an unparented task only after this delivery has returned: dropping
        # the last reference now would delete its relay while Qt is still emitting it.
        QTimer.singleShot(0, partial(Task._alive.discard, self))
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
    return sum(1 for t in Task._alive if t.running)


def wait_for_tasks(timeout_ms: int = -1, pool: QThreadPool | None = None) -> bool:
    """Block until every worker of ``pool`` is idle (at shutdown, before closing the db)."""
    return (pool or QThreadPool.globalInstance()).waitForDone(timeout_ms)
