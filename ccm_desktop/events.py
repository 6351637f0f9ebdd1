"""A small Qt-free event bus: services announce what changed, views refresh themselves.

``ui/`` bridges it to a Qt signal; the core never imports Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """What a committed action changed: a kind ("patients", "time", ...) and record ids."""

    kind: str
    ids: frozenset[int] = field(default_factory=frozenset)
    patient_ids: frozenset[int] = field(default_factory=frozenset)


Listener = Callable[[Change], None]


class EventBus:
    """Calls every subscriber with each published :class:`Change`, after the commit."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns a function that removes it again."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def publish(self, change: Change) -> None:
        """Deliver ``change``; a failing listener is logged and never undoes the change."""
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:
                log.exception("event listener failed for %s", change.kind)
