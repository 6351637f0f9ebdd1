"""The window's one serialized writer: every save runs off the GUI thread, one at a time.

SQLite takes one writer at a time. Saves (a patient form, an enrollment, an import) are
queued on a pool of exactly one worker thread, so they never race each other for the
write lock and the window keeps painting while one waits for another (a save made
during a long import runs right after it). The callbacks of ``ui/common/tasks.py`` bring
the outcome back to the GUI thread. Reads (searches, dry runs, previews) use the
general pool and never wait behind a save. docs/architecture.md, "The writer".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QThreadPool

from ccm_desktop.ui.common.tasks import Progress, Task, run_task

T = TypeVar("T")
_pool: QThreadPool | None = None


def write_pool() -> QThreadPool:
    """The one-thread pool of all writes of this process (made on first use)."""
    global _pool
    if _pool is None:
        _pool = QThreadPool(QCoreApplication.instance())
        _pool.setObjectName("writer")
        _pool.setMaxThreadCount(1)
        _pool.setExpiryTimeout(-1)  # keep the thread: saves come all day
    return _pool


def run_write(
    fn: Callable[[Progress], Any],
    parent: QObject | None = None,
    *,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> Task:
    """Queue ``fn(progress)`` behind every earlier write; the callbacks run on the GUI
    thread. ``fn`` calls services only (each opens its own session), never widgets."""
    return run_task(
        fn,
        parent,
        on_success=on_success,
        on_failure=on_failure,
        on_progress=on_progress,
        pool=write_pool(),
    )


def write_and_wait(fn: Callable[[], T]) -> T:
    """Run ``fn`` on the writer and return its result (or raise what it raised), keeping
    the window painting meanwhile: a local event loop that takes no user input, so nothing
    is clicked twice. For saves whose dialog decides on the spot (a wizard page that may
    not advance until the enrollment is stored); other saves use :func:`run_write`."""
    loop = QEventLoop()
    task = run_write(lambda _progress: fn())
    task.finished.connect(loop.quit)  # delivered through the event loop, never before this
    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    if task.error is not None:
        raise task.error
    return task.result  # type: ignore[no-any-return]


def wait_for_writes(timeout_ms: int = -1) -> bool:
    """Block until queued writes are done (at shutdown, before the database closes)."""
    return _pool.waitForDone(timeout_ms) if _pool is not None else True
