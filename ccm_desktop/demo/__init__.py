"""The demo practice: a fictional clinic filled with synthetic patients (never real people).

:func:`build_demo` (in :mod:`.builder`) writes it; :mod:`.data` holds the synthetic lists,
:mod:`.people` makes patients and :mod:`.time` their care-management time.
"""

from __future__ import annotations

from ccm_desktop.demo.builder import DemoSummary, build_demo
from ccm_desktop.demo.data import demo_setup
from ccm_desktop.demo.people import checked_conditions

__all__ = ["DemoSummary", "build_demo", "checked_conditions", "demo_setup"]
