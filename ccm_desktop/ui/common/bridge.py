"""Bridge the core's Qt-free :class:`~ccm_desktop.events.EventBus` to a Qt signal.

Services publish a :class:`~ccm_desktop.events.Change` after their commit, on
whatever thread ran them. :class:`EventBridge` re-emits each one as ``changed``
on the GUI thread (always queued, so a view refreshes after the action returns,
never in the middle of it).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot

from ccm_desktop.events import Change, EventBus


class EventBridge(QObject):
    """Subscribes to ``bus`` for its lifetime; ``changed(Change)`` fires on the GUI thread."""

    changed = Signal(object)
    _incoming = Signal(object)

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._incoming.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = bus.subscribe(self._incoming.emit)
        self.destroyed.connect(self._unsubscribe)

    def close(self) -> None:
        """Stop listening (also happens when the bridge is destroyed)."""
        self._unsubscribe()

    @Slot(object)
    def _deliver(self, change: Change) -> None:
        self.changed.emit(change)
