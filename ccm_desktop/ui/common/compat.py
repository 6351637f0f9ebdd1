"""Work-arounds for hazards of the Qt binding, each with the reason it exists.

1. Python's garbage collector runs on whichever thread happens to allocate. When it
   frees a cycle holding a Qt widget on a worker thread (``ui/common/tasks.py``), the widget
   is destroyed off the GUI thread and the process crashes (seen here: a segfault
   inside a worker running a patient query). :class:`GuiThreadGarbageCollector`
   turns automatic collection off and collects on the GUI thread from a timer.

2. PySide6 6.12 on CPython 3.11 returns ``None`` to Python without taking a reference
each time a Qt call has nothing to return (``QComboBox.currentData()`` on an item
without data, ``QApplication.activeModalWidget()`` with no dialog open,
``QModelIndex.data()`` for an empty role ...). On CPython 3.12 and later ``None``,
``True`` and ``False`` are immortal (PEP 683) and the missing reference is harmless;
on 3.11 every such call brings ``None`` closer to a reference count of zero, and
after a few thousand calls the interpreter aborts with "deallocating None".
(``tests/ui/test_compat.py`` shows the defect and checks the guard.)
"""

from __future__ import annotations

import ctypes
import gc
import sys

from PySide6.QtCore import QObject, QTimer

# What 3.12 does for immortal objects: a reference count no program can use up.
PINNED_REFERENCES = 1 << 40
_pinned = False


def needs_pinning() -> bool:
    """True on CPython before 3.12 in an ordinary (not reference-tracing) build."""
    return (
        sys.implementation.name == "cpython"
        and sys.version_info < (3, 12)
        and not hasattr(sys, "getobjects")  # Py_TRACE_REFS builds lay PyObject out differently
    )


def pin_singletons() -> bool:
    """Make ``None``, ``True`` and ``False`` effectively immortal, once per process.

    Returns whether anything was done. Safe to call repeatedly; a no-op on 3.12+.
    """
    global _pinned
    if _pinned or not needs_pinning():
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every object in a release build of CPython.
        ctypes.c_ssize_t.from_address(id(obj)).value += PINNED_REFERENCES
    _pinned = True
    return True


def freeze_long_lived() -> None:
    """Collect once, then move every object alive now into the permanent generation.

    Call on the GUI thread after loading data that lives as long as the process (the
    ICD-10-CM code set and its search index: about 600,000 objects). Measured here: a
    full collection took ~110-125 ms with them tracked and under 1 ms once frozen, so the
    window no longer stalls on every full collection.
    """
    gc.collect()
    gc.freeze()


class GuiThreadGarbageCollector(QObject):
    """Collects garbage on the GUI thread only (see 1. above); lives as long as the app.

    The generation thresholds are Python's own; checking every half second costs
    microseconds when there is nothing to do.
    """

    INTERVAL_MS = 500

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(self.INTERVAL_MS)

    def check(self) -> None:
        """Collect the generations whose counts passed their thresholds."""
        c0, c1, c2 = gc.get_count()
        if c0 > self.threshold[0]:
            gc.collect(0)
            if c1 > self.threshold[1]:
                gc.collect(1)
                if c2 > self.threshold[2]:
                    gc.collect(2)

    def stop(self) -> None:
        """Back to Python's automatic collection."""
        self.timer.stop()
        gc.enable()
