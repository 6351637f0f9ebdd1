"""What every service shares: the database, the event bus and the practice's clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccm_desktop.db.engine import Database
from ccm_desktop.db.models import Practice, StaffUser
from ccm_desktop.errors import NotFound
from ccm_desktop.events import EventBus

if TYPE_CHECKING:
    from ccm_desktop.gate import Gate


class Clock:
    """Now and today in the practice's time zone; tests pass a fixed ``now``."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self._now()

    def today(self, tz: ZoneInfo) -> date:
        return self._now().astimezone(tz).date()


def month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where a calendar month starts and ends in time zone ``tz``."""
    start = datetime.combine(date(year, month, 1), time(0), tzinfo=tz)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    end = datetime.combine(nxt, time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def end_of_month(d: date) -> date:
    """The last day of ``d``'s calendar month."""
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def staff_names(session: Session) -> dict[int, str]:
    """Every staff user's name by id (inactive ones too: history shows who did what)."""
    return dict(session.execute(select(StaffUser.id, StaffUser.name)).all())


def practice_zone(session: Session) -> ZoneInfo | None:
    """The practice's time zone (America/New_York style), None before set-up."""
    name = session.scalar(select(Practice.timezone).limit(1))
    return ZoneInfo(name) if name else None


class Service:
    """Base of the services: the database (for reading), the write gate (for every
    change), the event bus and the clock."""

    def __init__(self, db: Database, bus: EventBus, clock: Clock, gate: Gate) -> None:
        self.db = db
        self.bus = bus
        self.clock = clock
        self.gate = gate

    def practice_tz(self, session: Session) -> ZoneInfo:
        """The practice's time zone; :class:`NotFound` before the practice is set up."""
        tz = practice_zone(session)
        if tz is None:
            raise NotFound("The practice has not been set up yet.")
        return tz

    def today(self, session: Session) -> date:
        """Today's date where the practice is."""
        return self.clock.today(self.practice_tz(session))
