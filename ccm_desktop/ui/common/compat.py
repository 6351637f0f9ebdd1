"""How the Qt GUI lives with Python's garbage collector, each measure with its reason.

1. Python's garbage collector runs on whichever thread happens to allocate. When it
   frees a cycle holding a Qt widget on a worker thread (``ui/common/tasks.py``), the widget
   is destroyed off the GUI thread and the process crashes (seen here: a segfault
   inside a worker running a patient query). :class:`GuiThreadGarbageCollector`
   turns automatic collection off and collects on the GUI thread from a timer.

2. Long-lived data makes every full collection slow: :func:`freeze_long_lived` moves
   it out of the collector's sight once loaded.

The binding itself is chosen in pyproject.toml: PySide6 6.12 on CPython 3.11 loses a
reference to ``None`` on each Qt call that returns nothing, until the interpreter aborts
("deallocating None"), so 3.11 installs 6.11. ``tests/ui/test_binding.py`` fails on a
binding that leaks.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


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
