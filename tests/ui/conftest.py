"""GUI test fixtures: isolated QSettings, the app style, a practice with patients, screenshots."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from ccm_desktop.app import AppContext
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.enrollment import ConsentInput
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.timing import TimeInput
from ccm_desktop.ui.common import style
from ccm_desktop.ui.common.tasks import wait_for_tasks
from ccm_desktop.ui.common.writer import wait_for_writes


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """A private settings file: no test touches the developer's own settings."""
    return QSettings(str(tmp_path / "ui-settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture(autouse=True)
def gui_thread_gc() -> Iterator[None]:
    """As in the app (ui/common/compat.py): garbage is collected on the GUI thread only, never
    by a worker thread that happens to allocate while a test's widgets are garbage."""
    global _frozen
    if not _frozen:  # long-lived modules and fixtures: never scanned again
        gc.collect()
        gc.freeze()
        _frozen = True
    gc.disable()
    yield
    wait_for_writes()
    wait_for_tasks()
    gc.collect()
    gc.enable()


_frozen = False


@pytest.fixture(autouse=True)
def close_keeps_timers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A window closed at a test's end with a timer running keeps it, asking nothing (a
    modal question would wait for ever); tests/ui/test_timer_close.py answers the real one."""
    from ccm_desktop.ui.timer import close_question

    monkeypatch.setattr(close_question, "ask_on_close", lambda *_a: close_question.OnClose.KEEP)


@pytest.fixture(autouse=True)
def styled_app(qapp: QApplication) -> Iterator[QApplication]:
    """The application style at normal text size, restored after each test."""
    style.apply_style(qapp)
    yield qapp
    style.set_text_scale(qapp, 100)


@pytest.fixture
def shots(tmp_path: Path):
    """``shots(widget, "name")`` saves a PNG in this test's tmp folder and returns its path."""
    folder = tmp_path / "screenshots"
    folder.mkdir()

    def save(widget: QWidget, name: str) -> Path:
        path = folder / f"{name}.png"
        assert widget.grab().save(str(path))
        return path

    return save


@dataclass
class Sample:
    """Ids of the synthetic patients added by :func:`add_sample_patients`."""

    doe: int
    smith: int
    garcia: int
    nguyen: int
    doe_robert: int


def add_sample_patients(ctx: AppContext, actor: Actor) -> Sample:
    """Five synthetic patients: CCM, PCM, none, complex CCM and a decline, with minutes."""
    nurse = next(s for s in ctx.practice.staff() if s.username == "nurse.kim")

    def patient(mrn, last, first, dob, npi="1234567893", mbi="") -> int:
        return ctx.patients.create(
            actor,
            PatientInput(
                mrn,
                last,
                first,
                dob,
                "F",
                billing_provider_npi=npi,
                mbi=mbi,
                last_visit_date="2026-09-01",
            ),
        )

    def conditions(pid: int, *codes: str) -> None:
        for code in codes:
            ctx.patients.add_condition(actor, pid, code)

    consent = ConsentInput(date(2026, 11, 2), "written", nurse.id, True, True, True, True)

    def minutes(pid: int, n: int, hour: int = 15) -> None:  # one nurse's entries: no overlap
        ctx.time.add(
            actor,
            TimeInput(pid, nurse.id, datetime(2026, 11, 10, hour, tzinfo=UTC), n, "call_patient"),
        )

    doe = patient("A100", "Doe", "Jane", "1950-03-04", mbi="1EG4-TE5-MK73")
    conditions(doe, "E11.9", "I10")
    ctx.enrollment.enroll(actor, doe, "ccm", consent)
    minutes(doe, 14)
    smith = patient("A101", "Smith", "John", "1948-07-12", npi="1000000004")
    conditions(smith, "J44.9")
    ctx.enrollment.enroll(actor, smith, "pcm", consent)
    garcia = patient("B200", "Garcia", "Maria", "1955-01-20")
    nguyen = patient("B201", "Nguyen", "Thanh", "1942-11-02")
    conditions(nguyen, "E11.9", "I10", "N18.30")
    ctx.enrollment.enroll(actor, nguyen, "complex_ccm", consent)
    minutes(nguyen, 65, hour=16)
    doe_robert = patient("C300", "Doe", "Robert", "1949-05-05")
    ctx.enrollment.decline(actor, doe_robert, "ccm", consent, "not interested")
    return Sample(doe, smith, garcia, nguyen, doe_robert)


@pytest.fixture
def sample(ctx: AppContext, clinician: Actor) -> Sample:
    return add_sample_patients(ctx, clinician)


def when_modal(cls: type, action, timeout_ms: int = 10000) -> list:
    """Run ``action(dialog)`` once a modal ``cls`` is the active modal widget.

    Returns a list that receives the dialog; after ``timeout_ms`` any modal is
    rejected so a test fails instead of hanging.
    """
    from PySide6.QtCore import QElapsedTimer, QTimer

    seen: list = []
    clock = QElapsedTimer()
    clock.start()

    def poll() -> None:
        w = QApplication.activeModalWidget()
        if isinstance(w, cls) and w.isVisible():
            seen.append(w)
            action(w)
        elif clock.elapsed() > timeout_ms:
            if w is not None:
                w.reject()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return seen
