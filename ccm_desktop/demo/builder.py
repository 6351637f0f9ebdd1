"""The demo practice: a fictional clinic filled with synthetic patients, for trying the
application, screenshots and benchmarks. Never real people: see ``data``.

:func:`build_demo` creates or fills: with no practice in the database it first sets up
the fictional "Riverbend Family Medicine" through :meth:`PracticeService.setup` (with a
care team sized for the patients asked for: ``data.extra_care_managers``); then
it adds patients with new MRNs (``DM000001`` onwards, continuing after earlier demo
patients) and their history. It works on any practice that has at least one provider
and one clinical user (care manager or provider).
"""

from __future__ import annotations

import random
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ccm_desktop.app import AppContext
from ccm_desktop.db.models import (
    CLINICAL_STAFF_CREDENTIALS,
    CarePlan,
    CarePlanCopy,
    Condition,
    Consent,
    Enrollment,
    EnrollmentStatusEvent,
    InitiatingVisit,
    Patient,
    Practice,
    Provider,
    StaffUser,
    TimeEntry,
    TimeEntryRevision,
)
from ccm_desktop.demo.data import DEMO_AREA_CODES, demo_setup
from ccm_desktop.demo.people import PatientMaker, PatientPlan, World
from ccm_desktop.demo.time import TimeMaker
from ccm_desktop.errors import ValidationError
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission
from ccm_desktop.security.audit import Actor, record
from ccm_desktop.services.enrollment import PROGRAM_NAMES
from ccm_desktop.services.patients import CARE_MANAGER_ROLES
from ccm_desktop.vocab import AuditAction, ChangeKind

BATCH = 500  # patients per write transaction
MRN_PREFIX = "DM"
LEAD_CARE_MANAGER = "rn.hannah"  # looks after the largest share of the demo's patients
# Parents before children, so foreign keys hold at every statement.
INSERT_ORDER = (
    Patient,
    Condition,
    Enrollment,
    EnrollmentStatusEvent,
    Consent,
    InitiatingVisit,
    CarePlan,
    CarePlanCopy,
    TimeEntry,
    TimeEntryRevision,
)
Progress = Callable[[int, int], None]


@dataclass
class DemoSummary:
    """What :func:`build_demo` added; ``str()`` gives a one-paragraph plain summary."""

    practice: str
    created_practice: bool
    patients: int
    months: int
    enrolled: dict[str, int] = field(default_factory=dict)
    declined: int = 0
    disenrolled: int = 0
    not_asked: int = 0
    conditions: int = 0
    consents: int = 0
    visits: int = 0
    care_plans: int = 0
    time_entries: int = 0
    minutes: int = 0
    first_mrn: str = ""
    last_mrn: str = ""
    seconds: float = 0.0

    @property
    def enrolled_total(self) -> int:
        return sum(self.enrolled.values())

    def count(self, plan: PatientPlan) -> None:
        """Add one generated patient to the totals."""
        outcome = plan.outcome
        if outcome in PROGRAM_NAMES:
            self.enrolled[outcome] = self.enrolled.get(outcome, 0) + 1
        elif outcome == "declined":
            self.declined += 1
        elif outcome == "disenrolled":
            self.disenrolled += 1
        else:
            self.not_asked += 1
        self.conditions += len(plan.conditions)
        self.consents += sum(e.recorded for e in plan.enrollments)
        self.visits += sum(1 for e in plan.enrollments if e.visit)
        self.care_plans += len(plan.care_plans)
        self.time_entries += len(plan.times)
        self.minutes += sum(t["minutes"] for t in plan.times if not t["voided"])

    def detail(self) -> dict[str, Any]:
        """The counts as the audit event keeps them."""
        keys = (
            "patients",
            "months",
            "declined",
            "disenrolled",
            "not_asked",
            "conditions",
            "consents",
            "visits",
            "care_plans",
            "time_entries",
            "minutes",
            "first_mrn",
            "last_mrn",
            "created_practice",
        )
        return {"enrolled": dict(self.enrolled), **{k: getattr(self, k) for k in keys}}

    def __str__(self) -> str:
        programs = ", ".join(
            f"{self.enrolled[p]:,} {PROGRAM_NAMES[p] if p != 'complex_ccm' else 'complex CCM'}"
            for p in PROGRAM_NAMES
            if self.enrolled.get(p)
        )
        setup = " (set up now)" if self.created_practice else ""
        mrns = f", MRNs {self.first_mrn}-{self.last_mrn}" if self.patients else ""
        return (
            f"Demo practice '{self.practice}'{setup}: {self.patients:,} patients added "
            f"({self.enrolled_total:,} enrolled{': ' + programs if programs else ''}; "
            f"{self.declined:,} declined, {self.disenrolled:,} disenrolled, "
            f"{self.not_asked:,} not yet asked){mrns}, {self.time_entries:,} time entries "
            f"({self.minutes:,} minutes) over {self.months} months, "
            f"{self.care_plans:,} care plans; built in {self.seconds:.1f} s."
        )


def build_demo(
    ctx: AppContext,
    patients: int = 200,
    seed: int = 7,
    months: int = 6,
    progress: Progress | None = None,
) -> DemoSummary:
    """Create or fill the demo practice with ``patients`` synthetic patients and ``months``
    calendar months of care-management time ending now (the current month in part).

    Deterministic for a given ``seed``, database content and "today" (``ctx.clock``).
    Rows are bulk-inserted (one Core ``executemany`` per table; the ORM bulk path split
    them into thousands of statements) in write transactions of :data:`BATCH` patients.
    Because this is synthetic data generation, the per-action audit of the services is
    replaced by one ``demo.generate`` audit event per call with the counts, written in
    the transaction of the last batch (or, if a batch fails after others were
    committed, in its own transaction marked ``partial``). ``progress(done, total)`` is
    called with the number of patients written. Raises :class:`ValidationError` for bad
    arguments or a practice with no active provider or clinical user.
    """
    if patients < 0:
        raise ValidationError("patients", "The number of patients cannot be negative.")
    if not 1 <= months <= 120:
        raise ValidationError("months", "The number of months must be between 1 and 120.")
    started = _time.perf_counter()
    actor = Actor.system("demo generator")  # the demo.generate right is the system's alone
    created = False
    if not ctx.practice.is_set_up():
        ctx.practice.setup(actor, demo_setup(patients))
        created = True
    with ctx.db.read() as s:
        world, practice_id, name = _world(s, ctx, months)
        existing = int(s.scalar(select(func.count()).select_from(Patient)) or 0)
        mrns = _new_mrns(s, patients)
        used_mbis = set(s.scalars(select(Patient.mbi).where(Patient.mbi.is_not(None))))
    rng = random.Random(f"ccm-demo/{seed}/{existing}")
    people = PatientMaker(rng, world, used_mbis)
    timer = TimeMaker(rng, world)
    summary = DemoSummary(name, created, patients, months)
    if mrns:
        summary.first_mrn, summary.last_mrn = mrns[0], mrns[-1]
    batches = [mrns[i : i + BATCH] for i in range(0, patients, BATCH)] or [[]]
    written = 0
    if progress:
        progress(0, patients)
    try:
        for n, chunk in enumerate(batches, 1):
            plans = [people.patient(mrn) for mrn in chunk]
            for plan in plans:
                timer.fill(plan)
                summary.count(plan)
            with ctx.gate.write(actor, Permission.DEMO_GENERATE) as w:
                _insert(w.session, plans)
                if n == len(batches):
                    summary.seconds = _time.perf_counter() - started
                    detail = summary.detail()
                else:  # every committed batch leaves its trace
                    detail = {"batch": n, "of": len(batches), "patients": len(chunk), "seed": seed}
                record(
                    w.session,
                    actor,
                    AuditAction.DEMO_GENERATE,
                    "practice",
                    practice_id,
                    detail=detail,
                )
            written += len(chunk)
            if progress:
                progress(written, patients)
    except Exception:
        if written:
            with ctx.gate.write(actor, Permission.DEMO_GENERATE) as w:
                record(
                    w.session,
                    actor,
                    AuditAction.DEMO_GENERATE,
                    "practice",
                    practice_id,
                    detail={"partial": True, "patients_written": written, "seed": seed},
                )
        raise
    for kind in (
        ChangeKind.PATIENTS,
        ChangeKind.CONDITIONS,
        ChangeKind.ENROLLMENT,
        ChangeKind.CAREPLAN,
        ChangeKind.TIME,
    ):
        ctx.bus.publish(Change(kind))
    return summary


def _world(s: Session, ctx: AppContext, months: int) -> tuple[World, int, str]:
    practice = s.scalar(select(Practice).limit(1))
    assert practice is not None
    tz = ZoneInfo(practice.timezone)
    now = ctx.clock.now()
    today = now.astimezone(tz).date()
    y, m = divmod(today.year * 12 + today.month - 1 - (months - 1), 12)
    providers = tuple(
        s.scalars(select(Provider.id).where(Provider.active.is_(True)).order_by(Provider.id))
    )
    users = list(
        s.scalars(select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.id))
    )
    provider_users = {
        u.provider_id: u.id for u in users if u.role == "provider" and u.provider_id in providers
    }
    care = tuple(
        u.id
        for u in users
        if u.role == "care_manager"
        or (u.credential in CLINICAL_STAFF_CREDENTIALS and u.role not in ("front_desk", "billing"))
    ) or tuple(provider_users.values())
    if not providers or not care:
        raise ValidationError(
            "practice",
            "The demo needs at least one active provider and one care manager or provider "
            "user: add them in Settings first.",
        )
    front = tuple(u.id for u in users if u.role == "front_desk")
    assignable = frozenset(u.id for u in users if u.role in CARE_MANAGER_ROLES)
    managers = [u.id for u in users if u.role == "care_manager"]
    lead = next((u.id for u in users if u.username == LEAD_CARE_MANAGER), None)
    area = (practice.phone[:3],) if practice.phone else ()
    if practice.state == "IL":
        area += tuple(a for a in DEMO_AREA_CODES if a not in area)
    world = World(
        tz=tz,
        now=now,
        today=today,
        window_start=date(y, m + 1, 1),
        state=practice.state,
        city=practice.city,
        zip3=(practice.zip or "62704")[:3],
        area_codes=area or ("555",),
        providers=providers,
        provider_users=provider_users,
        care_staff=care,
        intake=front + care,
        names={u.id: u.name for u in users},
        assignable=assignable,
        lead=lead if lead in care else (managers[0] if managers else None),
        practice_phone=practice.phone or "",
        after_hours_phone=practice.after_hours_phone or "",
        provider_names={pid: name for pid, name in s.execute(select(Provider.id, Provider.name))},
    )
    return world, practice.id, practice.name


def _new_mrns(s: Session, n: int) -> list[str]:
    """``n`` demo MRNs following the highest demo MRN already used."""
    taken = set(s.scalars(select(Patient.mrn).where(Patient.mrn.like(f"{MRN_PREFIX}%"))))
    numbers = [int(m[len(MRN_PREFIX) :]) for m in taken if m[len(MRN_PREFIX) :].isdigit()]
    start = max(numbers, default=0) + 1
    return [f"{MRN_PREFIX}{i:06d}" for i in range(start, start + n)]


def _insert(s: Session, plans: list[PatientPlan]) -> None:
    """Give every row its id (after the current maximum, inside this write transaction,
    which holds SQLite's write lock) and bulk-insert, parents first."""
    last = {m: int(s.scalar(select(func.max(m.id))) or 0) for m in INSERT_ORDER}
    rows: dict[type, list[dict[str, Any]]] = {m: [] for m in INSERT_ORDER}

    def add(model: type, row: dict[str, Any], **links: int) -> int:
        last[model] += 1
        row.update(id=last[model], **links)
        rows[model].append(row)
        return last[model]

    for plan in plans:
        pid = add(Patient, plan.row)
        for c in plan.conditions:
            add(Condition, c, patient_id=pid)
        for enr in plan.enrollments:
            eid = add(Enrollment, enr.row, patient_id=pid)
            for ev in enr.events:
                add(EnrollmentStatusEvent, ev, enrollment_id=eid)
            if enr.recorded:
                add(Consent, enr.consent, patient_id=pid, enrollment_id=eid)
            if enr.visit:
                add(InitiatingVisit, enr.visit, patient_id=pid, enrollment_id=eid)
        for cp in plan.care_plans:
            add(CarePlan, cp, patient_id=pid)
        for index, copy in plan.plan_copies:
            add(CarePlanCopy, copy, care_plan_id=plan.care_plans[index]["id"])
        for t in plan.times:
            add(TimeEntry, t, patient_id=pid)
        for index, rev in plan.revisions:
            add(TimeEntryRevision, rev, time_entry_id=plan.times[index]["id"])
    for model in INSERT_ORDER:
        if rows[model]:
            s.execute(insert(model.__table__), rows[model])
