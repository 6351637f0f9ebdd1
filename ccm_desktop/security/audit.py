"""The audit trail: every service writes one event in the transaction of its change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccm_desktop.db.bulk import Converter, converter, insert_rows, memo, plain
from ccm_desktop.db.models import AuditEvent
from ccm_desktop.db.types import utcnow

SYSTEM_ROLE = "system"
AUDITED = "audit_events"  # Session.info key: audit events added in this transaction


@dataclass(frozen=True)
class Actor:
    """Who is acting: a staff user (``staff_id``) or the application itself.

    ``role`` is what the actor claimed when it was made; the write gate never trusts it
    and reads the staff member's current role from the database.
    """

    staff_id: int | None
    label: str
    role: str = SYSTEM_ROLE

    @classmethod
    def system(cls, label: str) -> Actor:
        """The application itself (set-up, the demo generator): only the narrow rights of
        the ``system`` role in the permission table."""
        return cls(None, label, SYSTEM_ROLE)

    @property
    def is_system(self) -> bool:
        return self.staff_id is None


def _count(session: Session, n: int) -> None:
    session.info[AUDITED] = session.info.get(AUDITED, 0) + n


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None = None,
    *,
    patient_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to ``session`` (committed, or rolled back, with the change)."""
    event = AuditEvent(
        at=utcnow(),
        staff_id=actor.staff_id,
        actor=actor.label,
        action=action,
        entity=entity,
        entity_id=entity_id,
        patient_id=patient_id,
        detail=detail or {},
    )
    session.add(event)
    _count(session, 1)
    return event


@dataclass(frozen=True)
class AuditItem:
    """One event for :func:`record_many`: what was done to which record."""

    action: str
    entity: str
    entity_id: int | None = None
    patient_id: int | None = None
    detail: dict[str, Any] | None = None


def record_item(session: Session, actor: Actor, item: AuditItem) -> AuditEvent:
    """:func:`record` for an :class:`AuditItem`."""
    return record(
        session,
        actor,
        item.action,
        item.entity,
        item.entity_id,
        patient_id=item.patient_id,
        detail=item.detail,
    )


def record_many(session: Session, actor: Actor, items: Iterable[AuditItem]) -> int:
    """The rows :func:`record` would add, for many changes at once (imports): one bulk
    insert in the caller's transaction. Returns how many were written."""
    rows = ((plain(i.action), i.entity, i.entity_id, i.patient_id, i.detail or {}) for i in items)
    n = insert_rows(
        session,
        AuditEvent.__table__,
        ("action", "entity", "entity_id", "patient_id", "detail"),
        rows,
        constants={"at": utcnow(), "staff_id": actor.staff_id, "actor": actor.label},
        repeated=("detail",),
    )
    _count(session, n)
    return n


def detail_converter(session: Session) -> Converter:
    """An event's ``detail`` as :func:`record_rows` takes it (stored form), converted once
    per distinct detail."""
    return memo(converter(session, AuditEvent.__table__, "detail"))


def record_rows(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    rows: Iterable[Sequence[Any]],
) -> int:
    """:func:`record_many` for events of one ``action`` on one kind of record (a large
    import): each row is ``(entity_id, patient_id, detail)`` with the detail already in
    its stored form (:func:`detail_converter`). The same rows as :func:`record_many`
    writes for those items. Returns how many were written."""
    constants = {
        "at": utcnow(),
        "staff_id": actor.staff_id,
        "actor": actor.label,
        "action": action,
        "entity": entity,
    }
    n = insert_rows(
        session,
        AuditEvent.__table__,
        ("entity_id", "patient_id", "detail"),
        rows,
        constants=constants,
        converted=("detail",),
    )
    _count(session, n)
    return n


@dataclass(frozen=True)
class AuditRow:
    """One audit event as the UI and reports show it."""

    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    patient_id: int | None
    detail: dict[str, Any]


def events_for(
    session: Session, *, patient_id: int | None = None, limit: int = 500
) -> list[AuditRow]:
    """Newest first; for one patient when ``patient_id`` is given."""
    q = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if patient_id is not None:
        q = q.where(AuditEvent.patient_id == patient_id)
    return [
        AuditRow(e.at, e.actor, e.action, e.entity, e.entity_id, e.patient_id, dict(e.detail))
        for e in session.scalars(q)
    ]
