"""The main window's pages as data: each page module exports a :class:`PageSpec` as ``PAGE``.

:class:`~ccm_desktop.ui.main_window.MainWindow` builds its navigation column, its stack
and the View menu's page actions from a list of specs (:func:`default_pages` unless it is
given one), so a new page needs no edit of the window. A page subscribes itself to the
changes it shows through :attr:`PageContext.bridge`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from ccm_desktop.app import AppContext
    from ccm_desktop.ui.common.bridge import EventBridge

CONTEXT = "pages"  # the translation context of every spec's user-facing strings


@dataclass(frozen=True)
class PageContext:
    """What a page factory gets from the window: the practice, settings, change signal."""

    ctx: AppContext
    settings: QSettings
    bridge: EventBridge
    parent: QWidget
    # The patient list's first read, started before the window was filled (a
    # ``patients_page.FirstRead``; None when the window was filled without one).
    first_list: object | None = None


@dataclass(frozen=True)
class PageSpec:
    """One page of the main window.

    ``title``, ``tooltip`` and ``action_text`` are source strings, marked with
    ``QT_TRANSLATE_NOOP(CONTEXT, ...)`` and translated where they are shown. A page in the
    navigation gets a View menu action (``action_text``, ``&`` marks its mnemonic) with
    ``shortcut``; one outside it (the patient detail page) is shown by the window itself.
    """

    key: str
    title: str
    factory: Callable[[PageContext], QWidget]
    tooltip: str = ""
    action_text: str = ""
    shortcut: str | None = None
    in_navigation: bool = True


def translate(source: str) -> str:
    """One of a spec's strings in the user's language."""
    return QCoreApplication.translate(CONTEXT, source) if source else ""


def default_pages() -> list[PageSpec]:
    """The application's pages in navigation order: Worklist, Patients, Practice, then the
    detail page."""
    from ccm_desktop.ui.patients import patient_detail, patients_page
    from ccm_desktop.ui.practice import practice_page
    from ccm_desktop.ui.worklist import worklist_page

    return [worklist_page.PAGE, patients_page.PAGE, practice_page.PAGE, patient_detail.PAGE]
