"""Bridge the core's Qt-free :class:`~ccm_desktop.events.EventBus` to a Qt signal.

Services publish a :class:`~ccm_desktop.events.Change` after their commit, on
whatever thread ran them. :class:`EventBridge` re-emits each one as ``changed``
on the GUI thread (always queued, so a view refreshes after the action returns,
never in the middle of it). A view calls :meth:`EventBridge.subscribe` with the change
kinds it shows (:class:`~ccm_desktop.vocab.ChangeKind`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Qt, Signal, Slot

from ccm_desktop.events import Change, EventBus

Handler = Callable[[Change], None]


class EventBridge(QObject):
    """Subscribes to ``bus`` for its lifetime; ``changed(Change)`` fires on the GUI thread."""

    changed = Signal(object)
    _incoming = Signal(object)

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._incoming.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = bus.subscribe(self._incoming.emit)
        self.destroyed.connect(self._unsubscribe)

    def subscribe(self, owner: QObject, kinds: Iterable[str], handler: Handler) -> None:
        """Call ``handler(change)`` for each change of one of ``kinds`` while ``owner`` lives."""
        self.changed.connect(_KindFilter(frozenset(kinds), handler, owner).deliver)

    def close(self) -> None:
        """Stop listening (also happens when the bridge is destroyed)."""
        self._unsubscribe()

    @Slot(object)
    def _deliver(self, change: Change) -> None:
        self.changed.emit(change)


class _KindFilter(QObject):
    """Passes on the changes of some kinds; a child of the subscriber, so it goes with it
    (and Qt drops its connection)."""

    def __init__(self, kinds: frozenset[str], handler: Handler, owner: QObject) -> None:
        super().__init__(owner)
        self.kinds = kinds
        self.handler = handler

    @Slot(object)
    def deliver(self, change: Change) -> None:
        if change.kind in self.kinds:
            self.handler(change)
