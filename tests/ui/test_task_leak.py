"""Finished background tasks let go: no task, and no result it carried, outlives its use.

A clinic keeps the window open all day and the patient list refreshes after every change;
each refresh runs a task parented to the page. Before, every finished task stayed a child
of the page with its whole result (983 MiB after 185 refreshes of 20,000 patients).
"""

from __future__ import annotations

import weakref

import pytest
from PySide6.QtCore import QObject

from ccm_desktop.ui.common.tasks import Task, run_task
from ccm_desktop.ui.patients.patients_page import PatientsPage

pytestmark = pytest.mark.gui

N = 25


class Result:
    """A stand-in for a list answer: weakly referenceable, so the test sees it die."""

    def __init__(self, n: int) -> None:
        self.rows = list(range(n))


def test_finished_tasks_and_their_results_are_gone(qtbot):
    page = QObject()  # a page keeps its latest task, as PatientsPage does
    results: list[weakref.ref[Result]] = []
    tasks: list[weakref.ref[Task]] = []
    shown: list[int] = []
    kept: dict[str, Task] = {}

    def show(result: Result) -> None:
        results.append(weakref.ref(result))
        shown.append(len(result.rows))

    for i in range(N):
        kept["task"] = run_task(lambda _p, i=i: Result(i), page, on_success=show)
        tasks.append(weakref.ref(kept["task"]))
        qtbot.waitUntil(lambda: not kept["task"].running, timeout=5000)
    qtbot.wait(20)  # the deferred deletes run
    assert shown == list(range(N))  # every answer was delivered before being let go
    assert page.findChildren(Task) == []
    alive = [i for i, r in enumerate(results) if r() is not None]
    assert alive in ([], [N - 1])  # at most the kept task's own result
    assert kept["task"].result is results[-1]()  # the kept task still reads its result
    assert [i for i, t in enumerate(tasks) if t() is not None] == [N - 1]


def test_failed_and_cancelled_tasks_are_gone_too(qtbot):
    page = QObject()

    def fail(_p):
        raise ValueError("synthetic failure")

    def cancel_self(progress):
        progress.request_cancel()
        progress(1, 2)

    errors: list[BaseException] = []
    for fn in (fail, cancel_self):
        task = run_task(fn, page, on_failure=errors.append)
        qtbot.waitUntil(lambda t=task: not t.running, timeout=5000)
    qtbot.wait(20)
    assert [type(e) for e in errors] == [ValueError]
    assert task.was_cancelled
    assert page.findChildren(Task) == []


def test_the_patient_list_keeps_no_finished_refreshes(qtbot, ctx, sample):
    page = PatientsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not page.loading, timeout=5000)
    started: list[weakref.ref[Task]] = []
    for _ in range(N):
        page.refresh()
        started += [weakref.ref(t) for t in page.findChildren(Task)]
        qtbot.waitUntil(lambda: not page.loading, timeout=5000)
    qtbot.wait(20)
    assert page.model.rowCount() == 5  # the list still shows its answer
    assert page.findChildren(Task) == []
    assert sum(1 for t in started if t() is not None) <= 1  # at most the page's latest
