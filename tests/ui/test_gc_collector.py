"""The window's garbage collector: cycles are collected on the GUI thread, at CPython's pace.

A full collection stops the window for as long as it takes to scan every long-lived
object (hundreds of ms on a large practice), so it must not come round every few ticks;
and a worker thread must never collect (it would destroy Qt objects off the GUI thread).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from ccm_desktop.ui.common.compat import GuiThreadGarbageCollector

pytestmark = pytest.mark.gui


class Node:
    """A cycle (``self.me = self``) that records which thread finalised it."""

    finalised_on: list[int] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Node.finalised_on.append(threading.get_ident())


@pytest.fixture
def collections() -> Iterator[list[tuple[int, int]]]:
    """(generation, thread) of every collection while the test runs."""
    seen: list[tuple[int, int]] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append((info["generation"], threading.get_ident()))

    gc.callbacks.append(record)
    yield seen
    gc.callbacks.remove(record)


@pytest.fixture
def collector(qapp) -> Iterator[GuiThreadGarbageCollector]:
    c = GuiThreadGarbageCollector()
    yield c
    c.stop()
    c.deleteLater()
    gc.disable()  # as the GUI fixtures keep it until their own teardown


def test_cycles_are_collected_on_the_gui_thread_never_on_a_worker(qtbot, collector, collections):
    assert not gc.isenabled()  # no automatic collection on whichever thread allocates
    Node.finalised_on.clear()
    gui = threading.get_ident()

    def worker() -> None:
        for _ in range(50_000):  # far past every threshold
            Node()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert Node.finalised_on == []  # the worker's garbage waits for the GUI thread
    qtbot.waitUntil(lambda: len(Node.finalised_on) >= 50_000, timeout=20_000)
    assert set(Node.finalised_on) == {gui}
    assert collections and {thread for _gen, thread in collections} == {gui}


def tick(
    collector: GuiThreadGarbageCollector, collections: list, n_objects: int, keep: list
) -> list[int]:
    """A timer tick after ``n_objects`` new objects were allocated (live until it, and
    kept in ``keep`` when that is given); the generations it collected."""
    before = len(collections)
    fresh = [[i] for i in range(n_objects)]
    collector.check()
    keep.append(fresh)
    del fresh
    return [gen for gen, _thread in collections[before:]]


def test_one_generation_per_tick_and_full_collections_wait_for_new_long_lived_objects(
    collector, collections
):
    long_lived = [[i] for i in range(200_000)]  # a practice's worth of lasting objects
    n = collector.threshold[0] + 100
    for _ in range(300):  # until the first full collection has measured what lasts
        if 2 in tick(collector, collections, n, []):
            break
    else:
        pytest.fail("no full collection in 300 busy ticks")
    done = []
    for _ in range(400):  # about 3 minutes of a busy window
        gens = tick(collector, collections, n, [])
        assert len(gens) <= 1  # one generation per tick, never a cascade
        done += gens
    assert done.count(0) > 300 and done.count(1) >= 30  # the young ones as often as ever
    assert 2 not in done  # little became long-lived: no rescan of the 200,000

    # Once many new objects have become long-lived, a full collection does come, and it
    # frees old cycles
    Node.finalised_on.clear()
    old_cycle = Node()
    gc.collect(1)  # the cycle is in the oldest generation now
    del old_cycle
    kept: list = []
    for _ in range(400):
        if 2 in tick(collector, collections, n, kept):  # these stay: long-lived
            break
    else:
        pytest.fail("no full collection although 300,000 objects became long-lived")
    assert Node.finalised_on == [threading.get_ident()]
    assert len(long_lived) == 200_000
