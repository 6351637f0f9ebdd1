"""The page registry: a page added as a spec shows up without any edit of the main window,
and each page hears only the change kinds it subscribed to."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ccm_desktop.events import Change
from ccm_desktop.ui.main_window import MainWindow
from ccm_desktop.ui.pages import PageContext, PageSpec, default_pages
from ccm_desktop.vocab import ChangeKind

pytestmark = pytest.mark.gui


class NotesPage(QWidget):
    """A trivial page that keeps the time changes it is told about."""

    def __init__(self, pc: PageContext) -> None:
        super().__init__(pc.parent)
        QVBoxLayout(self).addWidget(QLabel("Notes"))
        self.seen: list[Change] = []
        pc.bridge.subscribe(self, {ChangeKind.TIME}, self.seen.append)


NOTES = PageSpec(
    key="notes",
    title="Notes",
    tooltip="Free notes",
    action_text="&Notes",
    shortcut="Ctrl+3",
    factory=NotesPage,
)


@pytest.fixture
def window(qtbot, ctx, settings):
    w = MainWindow(ctx, settings, pages=[*default_pages(), NOTES])
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: not w.patients_page.loading, timeout=5000)
    yield w
    qtbot.waitUntil(lambda: not w.practice_page.busy(), timeout=10000)
    qtbot.waitUntil(lambda: not w.patients_page.loading, timeout=5000)


def test_default_pages():
    specs = default_pages()
    assert [s.key for s in specs] == ["worklist", "patients", "practice", "detail"]
    assert [s.shortcut for s in specs if s.in_navigation] == ["Ctrl+0", "Ctrl+1", "Ctrl+2"]
    assert len({s.key for s in specs}) == len(specs)


def test_an_extra_page_is_in_the_navigation_with_its_shortcut(qtbot, window):
    nav = [window.nav.item(i) for i in range(window.nav.count())]
    assert [i.text() for i in nav] == ["Worklist", "Patients", "Practice", "Notes"]
    assert nav[3].toolTip() == "Free notes (Ctrl+3)"
    assert nav[1].toolTip() == "The patient list (Ctrl+1)"
    view = window.menuBar().actions()[1].menu()
    assert [a.text() for a in view.actions()[:5]] == [
        "&Worklist",
        "&Patients",
        "P&ractice",
        "&Notes",
        "&Find patient",
    ]
    notes = window.pages["notes"]
    assert isinstance(notes, NotesPage)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is notes and window.current_page() == "notes"
    assert window.nav.currentRow() == 3
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "patients"
    window.nav.setCurrentRow(3)  # and by the navigation column
    assert window.stack.currentWidget() is notes


def test_a_page_hears_its_kind_of_change_only(qtbot, window, ctx):
    notes = window.pages["notes"]
    assert isinstance(notes, NotesPage)
    ctx.bus.publish(Change(ChangeKind.PRACTICE))
    ctx.bus.publish(Change("time", frozenset({7}), frozenset({3})))  # a plain string kind too
    ctx.bus.publish(Change(ChangeKind.PATIENTS))
    qtbot.waitUntil(lambda: len(notes.seen) == 1, timeout=3000)
    qtbot.wait(50)  # the other two were delivered (queued) as well, and dropped
    assert notes.seen == [Change(ChangeKind.TIME, frozenset({7}), frozenset({3}))]


def test_a_closed_page_stops_hearing(qtbot, ctx):
    from ccm_desktop.ui.common.bridge import EventBridge

    owner = QWidget()
    bridge = EventBridge(ctx.bus, owner)
    page = QWidget()
    seen: list[Change] = []
    bridge.subscribe(page, [ChangeKind.STAFF], seen.append)
    ctx.bus.publish(Change(ChangeKind.STAFF))
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=3000)
    with qtbot.waitSignal(page.destroyed, timeout=3000):
        page.deleteLater()
    ctx.bus.publish(Change(ChangeKind.STAFF))
    qtbot.wait(50)
    assert len(seen) == 1
    owner.deleteLater()
