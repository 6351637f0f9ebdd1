"""How the timer's times read in the window: the practice's clock, 12-hour, US dates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication


def tr(text: str) -> str:
    return QCoreApplication.translate("timer", text)


def clock_time(at: datetime, tz: ZoneInfo) -> str:
    """ "10:05 AM" where the practice is."""
    return at.astimezone(tz).strftime("%I:%M %p").lstrip("0")


def clock_moment(at: datetime, tz: ZoneInfo) -> str:
    """ "10:05 AM on 11/16/2026" where the practice is."""
    local = at.astimezone(tz)
    return tr("{time} on {date}").format(
        time=clock_time(local, tz), date=local.strftime("%m/%d/%Y")
    )


def elapsed_text(seconds: int) -> str:
    """ "0:14:32": hours, minutes, seconds."""
    seconds = max(0, seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def minutes_text(minutes: int) -> str:
    """ "1 minute" / "14 minutes"."""
    return tr("1 minute") if minutes == 1 else tr("{n} minutes").format(n=minutes)


def patient_words(name: str, mrn: str, dob: date | None = None) -> str:
    """ "Doe, Jane (MRN A100, born 03/04/1950)": who the timer is for, unmistakably."""
    if dob is None:
        return tr("{name} (MRN {mrn})").format(name=name, mrn=mrn)
    return tr("{name} (MRN {mrn}, born {dob})").format(
        name=name, mrn=mrn, dob=dob.strftime("%m/%d/%Y")
    )
