"""The PySide6 user interface: the only package that imports Qt.

Widgets get an :class:`~ccm_desktop.app.AppContext` through their constructors, call
services (which own their transactions) and refresh themselves from the event bus
through :mod:`ccm_desktop.ui.common.bridge`. Long work goes through
:mod:`ccm_desktop.ui.common.tasks`.
"""
