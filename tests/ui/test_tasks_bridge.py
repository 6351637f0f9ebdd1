"""The background-task helper and the event-bus bridge deliver on the GUI thread."""

from __future__ import annotations

import threading
import time

import pytest

from ccm_desktop.events import Change, EventBus
from ccm_desktop.ui.common.bridge import EventBridge
from ccm_desktop.ui.common.tasks import Task, run_task, running_tasks

pytestmark = pytest.mark.gui


def test_success_and_progress_arrive_on_the_gui_thread(qtbot):
    main = threading.get_ident()
    seen: dict = {"progress": []}

    def work(progress):
        seen["worker"] = threading.get_ident()
        for i in range(3):
            progress(i + 1, 3, f"step {i + 1}")
        return 42

    def on_progress(done, total, text):
        seen["progress"].append((done, total, text, threading.get_ident()))

    before = running_tasks()  # tasks an earlier test left running in the background
    task = Task(work)
    task.progressed.connect(on_progress)
    with qtbot.waitSignal(task.finished, timeout=5000):
        with qtbot.waitSignal(task.succeeded) as got:
            task.start()
    assert got.args == [42]
    assert task.result == 42 and not task.running and running_tasks() <= before
    assert seen["worker"] != main
    assert [p[:3] for p in seen["progress"]] == [
        (1, 3, "step 1"),
        (2, 3, "step 2"),
        (3, 3, "step 3"),
    ]
    assert {p[3] for p in seen["progress"]} == {main}


def test_failure_delivers_the_exception(qtbot):
    def work(_p):
        raise ValueError("boom")

    failures = []
    task = run_task(work, on_failure=failures.append)
    qtbot.waitUntil(lambda: not task.running, timeout=5000)
    assert isinstance(failures[0], ValueError) and str(task.error) == "boom"


def test_cancel_stops_at_the_next_progress_report(qtbot):
    started = threading.Event()

    def work(progress):
        started.set()
        for i in range(1000):
            time.sleep(0.005)
            progress(i, 1000)
        return "finished anyway"

    task = run_task(work)
    assert started.wait(5)
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        task.cancel()
    assert task.was_cancelled and task.result is None and task.error is None


def test_bridge_delivers_changes_published_on_a_worker_thread(qtbot):
    bus = EventBus()
    bridge = EventBridge(bus)
    got = []
    bridge.changed.connect(lambda c: got.append((c, threading.get_ident())))
    worker = threading.Thread(target=lambda: bus.publish(Change("patients", frozenset({1}))))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(got), timeout=2000)
    assert got[0][0].kind == "patients" and got[0][1] == threading.get_ident()
    bridge.close()
    bus.publish(Change("patients"))
    qtbot.wait(50)
    assert len(got) == 1


def test_a_failed_task_is_logged_without_its_message(qtbot, caplog):
    """A worker's exception text can quote a patient's values: the log keeps the type and
    the frames only (the window's own error dialog shows neither)."""

    values = ("Doe", "1EG4TE5MK73", "1950-03-04")

    def work(_progress):
        raise ValueError(" ".join(values))  # the log shows this source line: code, no data

    task = Task(work)
    with caplog.at_level("ERROR", logger="ccm_desktop"):
        with qtbot.waitSignal(task.failed, timeout=5000) as got:
            task.start()
    assert isinstance(got.args[0], ValueError)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "background task failed" in logged and "ValueError" in logged
    assert "in work" in logged
    for value in values:
        assert value not in logged
    assert not any(r.exc_info for r in caplog.records)  # no handler can print the text
