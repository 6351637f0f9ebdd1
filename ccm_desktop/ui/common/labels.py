"""Plain-language names for staff, phone numbers, TINs and time zones, translated once here.

Labels of the domain's codes (roles, programs, statuses ...) are in ``vocabulary.py``.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ccm_desktop.services.practice import StaffInfo
from ccm_desktop.ui.common.vocabulary import role_label
from ccm_desktop.validation import format_phone


def _tr(text: str) -> str:
    return QCoreApplication.translate("labels", text)


def staff_label(staff: StaffInfo) -> str:
    """How the status bar names someone: "Kim Carewell (RN)", "Pat Admin (Administrator)"."""
    return f"{staff.name} ({staff.credential or role_label(staff.role)})"


def phone_text(digits: str) -> str:
    """(555) 201-3344, or a dash-free "not given" for an empty number."""
    return format_phone(digits) if digits else _tr("not given")


def tin_text(tin: str) -> str:
    """12-3456789 for nine digits."""
    return f"{tin[:2]}-{tin[2:]}" if len(tin) == 9 and tin.isdigit() else tin


def timezone_names() -> dict[str, str]:
    """Plain names of the US time zones a practice can choose."""
    return {
        "America/New_York": _tr("Eastern time (New York)"),
        "America/Chicago": _tr("Central time (Chicago)"),
        "America/Denver": _tr("Mountain time (Denver)"),
        "America/Phoenix": _tr("Mountain time, no daylight saving (Phoenix)"),
        "America/Los_Angeles": _tr("Pacific time (Los Angeles)"),
        "America/Anchorage": _tr("Alaska time (Anchorage)"),
        "Pacific/Honolulu": _tr("Hawaii time (Honolulu)"),
        "America/Puerto_Rico": _tr("Atlantic time (Puerto Rico)"),
    }


def timezone_name(tz: str) -> str:
    return timezone_names().get(tz, tz.replace("_", " "))
