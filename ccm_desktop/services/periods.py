"""Closing a month for billing: the write gate then refuses every change dated in it.

Month end (the billing issue) builds on this: once a month's bills are confirmed the
billing person closes it, and a late time entry or edit in that month is refused in
words instead of silently changing what was billed.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from ccm_desktop.db.models import ClosedPeriod
from ccm_desktop.errors import ValidationError
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission, month_name
from ccm_desktop.security.audit import Actor, record
from ccm_desktop.services.base import Service
from ccm_desktop.vocab import AuditAction, ChangeKind


def _check_month(year: int, month: int) -> None:
    if not (1 <= month <= 12 and 2000 <= year <= 2200):
        raise ValidationError("month", "Give a calendar month, like 2026-11.")


class PeriodService(Service):
    """Close and reopen calendar months (in the practice's time zone)."""

    def close(self, actor: Actor, year: int, month: int) -> None:
        """Close ``year``-``month``; closing a closed month changes nothing."""
        _check_month(year, month)
        with self.gate.write(actor, Permission.PERIOD_CLOSE) as w:
            s = w.session
            if s.scalar(
                select(ClosedPeriod.id).where(
                    ClosedPeriod.year == year, ClosedPeriod.month == month
                )
            ):
                return
            s.add(ClosedPeriod(year=year, month=month, closed_by_id=actor.staff_id))
            record(
                s,
                actor,
                AuditAction.PERIOD_CLOSE,
                "closed_period",
                detail={"month": f"{year:04d}-{month:02d}"},
            )
        self.bus.publish(Change(ChangeKind.PERIODS))

    def reopen(self, actor: Actor, year: int, month: int, reason: str) -> None:
        """Reopen a closed month, saying why (kept in the audit trail)."""
        _check_month(year, month)
        if not reason.strip():
            raise ValidationError("reason", "Say why the month is reopened.")
        with self.gate.write(actor, Permission.PERIOD_CLOSE) as w:
            gone = w.session.execute(
                delete(ClosedPeriod).where(ClosedPeriod.year == year, ClosedPeriod.month == month)
            )
            if not gone.rowcount:  # type: ignore[attr-defined]
                raise ValidationError("month", f"{month_name(year, month)} is not closed.")
            record(
                w.session,
                actor,
                AuditAction.PERIOD_REOPEN,
                "closed_period",
                detail={"month": f"{year:04d}-{month:02d}", "reason": reason.strip()},
            )
        self.bus.publish(Change(ChangeKind.PERIODS))

    def closed(self) -> list[tuple[int, int]]:
        """The closed months, oldest first, as (year, month)."""
        with self.db.read() as s:
            q = select(ClosedPeriod.year, ClosedPeriod.month).order_by(
                ClosedPeriod.year, ClosedPeriod.month
            )
            return [(int(y), int(m)) for y, m in s.execute(q)]
