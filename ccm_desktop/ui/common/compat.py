"""How the Qt GUI lives with Python's garbage collector, each measure with its reason.

1. Python's garbage collector runs on whichever thread happens to allocate. When it
   frees a cycle holding a Qt widget on a worker thread (``ui/common/tasks.py``), the widget
   is destroyed off the GUI thread and the process crashes (seen here: a segfault
   inside a worker running a patient query). :class:`GuiThreadGarbageCollector`
   turns automatic collection off and collects on the GUI thread from a timer.

2. Long-lived data makes every full collection slow: :func:`freeze_long_lived` moves
   it out of the collector's sight once loaded, and the collector keeps CPython's rule
   that a full collection waits until enough new objects have become long-lived.

The binding itself is chosen in pyproject.toml: PySide6 6.12 on CPython 3.11 loses a
reference to ``None`` on each Qt call that returns nothing, until the interpreter aborts
("deallocating None"), so 3.11 installs 6.11. ``tests/ui/test_binding.py`` fails on a
binding that leaks.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


def freeze_long_lived() -> None:
    """Move every object alive now into the permanent generation, at once (no collection).

    Call on the GUI thread after loading data that lives as long as the process (the
    ICD-10-CM code set and its search index: about 600,000 objects, built on a worker, so
    all of them still young). Measured here: a full collection took ~110-125 ms with them
    tracked and under 1 ms once frozen. Collecting first would scan all of them once more
    (100-300 ms at the first patient opened), so this freezes straight away: cyclic garbage
    not yet collected at that moment is kept for good (one-off, and small: the collector
    runs every half second). Frozen objects are still freed by reference counting.
    """
    gc.freeze()


class GuiThreadGarbageCollector(QObject):
    """Collects garbage on the GUI thread only (see 1. above); lives as long as the app.

    Each check does what CPython's own automatic collection would have done by now: when
    generation 0 passed its threshold, it collects the oldest generation whose count
    passed its threshold, one generation only (collecting one collects the younger ones
    too), and a full collection only once the objects that reached the oldest generation
    since the last full collection exceed 25% of those it kept (CPython's rule, so that a
    large heap is not scanned again and again: the cost of full collections stays
    proportional to what is new). Objects frozen by :func:`freeze_long_lived` are not
    counted. Checking every half second costs microseconds when there is nothing to do.
    """

    INTERVAL_MS = 500
    FULL_RATIO = 4  # a full collection once pending > long-lived / 4 (CPython's rule)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        self.long_lived_total = 0  # in the oldest generation after its last collection
        self.long_lived_pending = 0  # moved into it since then
        self._frozen = gc.get_freeze_count()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(self.INTERVAL_MS)

    def check(self) -> int | None:
        """Collect what is due (see the class docstring); the generation collected, or None."""
        t0, t1, t2 = self.threshold
        c0, c1, c2 = gc.get_count()
        if t0 == 0 or c0 <= t0:
            return None
        frozen = gc.get_freeze_count()
        if frozen != self._frozen:  # a freeze emptied every generation
            self._frozen = frozen
            self.long_lived_total = self.long_lived_pending = 0
        if c2 > t2 and self.long_lived_pending >= self.long_lived_total / self.FULL_RATIO:
            gc.collect(2)
            self.long_lived_total = len(gc.get_objects(2))
            self.long_lived_pending = 0
            return 2
        if c1 > t1:
            young = len(gc.get_objects(0)) + len(gc.get_objects(1))
            found = gc.collect(1)
            self.long_lived_pending += max(young - found, 0)  # the survivors move on
            return 1
        gc.collect(0)
        return 0

    def stop(self) -> None:
        """Back to Python's automatic collection."""
        self.timer.stop()
        gc.enable()
