"""The demo practice generator: set-up, counts, valid identifiers, consistent history."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import keyring
import pytest
from sqlalchemy import func, select

from ccm_desktop import icd10
from ccm_desktop.app import AppContext, create_practice
from ccm_desktop.careplan.completeness import ELEMENTS, missing
from ccm_desktop.careplan.content import from_json
from ccm_desktop.db.models import (
    ROLES,
    AuditEvent,
    CarePlan,
    CarePlanCopy,
    Condition,
    Consent,
    Enrollment,
    InitiatingVisit,
    Patient,
    Practice,
    Provider,
    StaffUser,
    TimeEntry,
    TimeEntryRevision,
)
from ccm_desktop.demo import DemoSummary, build_demo
from ccm_desktop.errors import ValidationError
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.base import Clock, end_of_month
from ccm_desktop.services.enrollment import ACTIVE_STATUSES
from ccm_desktop.services.worklist import FLAG_NO_CONSENT, FLAG_NO_CONTACT, FLAG_NO_PLAN
from ccm_desktop.validation import check_mbi, check_npi
from tests.conftest import FIXED_NOW, PASSPHRASE, MemoryKeyring

CHICAGO_TODAY = FIXED_NOW.date()  # 09:00 in Chicago: the same calendar day


def new_ctx(root: Path) -> AppContext:
    """An empty encrypted database with no practice, and the fixed clock."""
    return create_practice(
        DataPaths(root), PASSPHRASE, None, Actor.system("test"), clock=Clock(lambda: FIXED_NOW)
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppContext, DemoSummary]]:
    """One demo practice of 150 patients and 6 months, shared by the read-only tests."""
    old = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        ctx = new_ctx(tmp_path_factory.mktemp("demo") / "practice")
        summary = build_demo(ctx, 150, seed=3, months=6)
    finally:
        keyring.set_keyring(old)
    yield ctx, summary
    ctx.close()


def test_sets_up_the_practice_when_there_is_none(built):
    ctx, summary = built
    assert summary.created_practice
    info = ctx.practice.practice()
    assert info.timezone == "America/Chicago"
    assert info.phone and info.after_hours_phone and info.address and info.state
    check_npi(info.npi)
    providers = ctx.practice.providers()
    assert sorted(p.credential for p in providers) == ["DO", "MD", "NP"]
    staff = ctx.practice.staff()
    assert {s.role for s in staff} == set(ROLES)
    cm_creds = {s.credential for s in staff if s.role == "care_manager"}
    assert {"RN", "LPN", "MA"} <= cm_creds
    linked = {s.provider_npi for s in staff if s.role == "provider"}
    assert linked == {p.npi for p in providers}


def test_counts_match_the_summary(built):
    ctx, summary = built
    with ctx.db.read() as s:

        def count(model: type) -> int:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

        assert count(Patient) == summary.patients == 150
        assert count(TimeEntry) == summary.time_entries > 0
        assert count(Condition) == summary.conditions
        assert count(Consent) == summary.consents
        assert count(CarePlan) == summary.care_plans > 0
        assert count(InitiatingVisit) == summary.visits > 0
        assert count(TimeEntryRevision) == int(
            s.scalar(select(func.count()).where(TimeEntry.voided.is_(True))) or 0
        )
        minutes = s.scalar(select(func.sum(TimeEntry.minutes)).where(TimeEntry.voided.is_(False)))
        assert minutes == summary.minutes
        statuses = [e.status for e in _latest_enrollments(s).values()]
    enrolled = statuses.count("enrolled")
    assert enrolled == summary.enrolled_total
    assert summary.declined + summary.disenrolled + summary.not_asked + enrolled == 150
    assert summary.enrolled.get("ccm", 0) > summary.enrolled.get("pcm", 0) > 0
    text = str(summary)
    assert "Riverbend Family Medicine" in text and "150 patients" in text and "\n" not in text


def test_every_identifier_and_code_is_valid(built):
    ctx, _ = built
    with ctx.db.read() as s:
        mbis = list(s.scalars(select(Patient.mbi)))
        assert all(m is not None and check_mbi(m) == m for m in mbis)
        assert len(set(mbis)) == len(mbis)
        npis = [*s.scalars(select(Provider.npi)), *s.scalars(select(Practice.npi))]
        assert all(check_npi(n) == n for n in npis)
        for code, desc in s.execute(select(Condition.code, Condition.description).distinct()):
            assert icd10.check_code(code) == code
            assert desc == icd10.description(code)
        per_patient = s.execute(
            select(func.count()).where(Condition.status == "active").group_by(Condition.patient_id)
        ).scalars()
        assert set(per_patient) <= {1, 2, 3, 4, 5}
        ages = [(CHICAGO_TODAY - d).days / 365.25 for d in s.scalars(select(Patient.dob))]
        assert min(ages) >= 45 and max(ages) < 100
        assert sum(a >= 65 for a in ages) > 0.85 * len(ages)
        langs = set(s.scalars(select(Patient.preferred_language)))
        assert {"en", "es"} <= langs
        assert set(s.scalars(select(Patient.state))) == {"IL"}


def test_nothing_is_dated_in_the_future(built):
    ctx, _ = built
    with ctx.db.read() as s:
        for entry in s.scalars(select(TimeEntry)):
            assert entry.started_at + timedelta(minutes=entry.minutes) <= FIXED_NOW
            assert entry.created_at <= FIXED_NOW
        assert s.scalar(select(func.max(Consent.consent_date))) <= CHICAGO_TODAY
        assert s.scalar(select(func.max(CarePlan.established_date))) <= CHICAGO_TODAY
        assert s.scalar(select(func.max(InitiatingVisit.visit_date))) <= CHICAGO_TODAY
        assert s.scalar(select(func.max(Patient.last_visit_date))) <= CHICAGO_TODAY
        first = s.scalar(select(func.min(TimeEntry.started_at)))
    assert first is not None and first.date() >= CHICAGO_TODAY.replace(month=6, day=1)


def test_enrollment_status_matches_its_history(built):
    ctx, _ = built
    with ctx.db.read() as s:
        roles = dict(s.execute(select(StaffUser.id, StaffUser.role)).all())
        for enr in s.scalars(select(Enrollment)):
            assert enr.events, enr.id
            assert enr.status == enr.events[-1].status
            assert enr.events[0].status in ("enrolled", "declined")
            if enr.status == "disenrolled":
                effective = enr.events[-1].effective_date
                assert effective == end_of_month(effective) == enr.end_date
                assert enr.events[-1].reason
            if enr.status in ("program_changed", "transferred"):
                assert enr.end_date is not None
            if enr.status == "declined":
                assert enr.start_date is None
        for c in s.scalars(select(Consent)):
            assert c.disclosed_service and c.disclosed_cost_sharing
            assert c.disclosed_one_practitioner and c.disclosed_stop_anytime
            assert c.method != "verbal" or c.witness
            assert roles[c.obtained_by_id] in ("front_desk", "care_manager")
            assert c.consented or c.decline_reason
        for enr in _latest_enrollments(s).values():
            if enr.status in ACTIVE_STATUSES:
                assert enr.program != "ccm" or _active_conditions(s, enr.patient_id) >= 2


def test_care_plans_and_time_are_realistic(built):
    ctx, _ = built
    with ctx.db.read() as s:
        plans = list(s.scalars(select(CarePlan)))
        assert any(p.version == 2 for p in plans)
        legacy = [from_json(p.content).legacy for p in plans if p.status == "complete"]
        legacy = [c for c in legacy if c]  # a few written as free text before structured plans
        assert all(set(c) == {k for k, _ in ELEMENTS} - {"care_team"} for c in legacy)
        assert all(all(v.strip() for v in c.values()) for c in legacy)
        roles = dict(s.execute(select(StaffUser.id, StaffUser.role)).all())
        staff = set(s.scalars(select(TimeEntry.staff_id).distinct()))
        assert {roles[i] for i in staff} == {"care_manager", "provider"}
        sources = set(s.scalars(select(TimeEntry.source).distinct()))
        assert sources == {"timer", "manual"}
    last_month = ctx.time.month_minutes(2026, 10)
    assert any(m < 20 for m in last_month.values())
    assert sum(20 <= m < 40 for m in last_month.values()) > len(last_month) / 4
    assert any(m >= 60 for m in last_month.values())
    this_month = ctx.time.month_minutes(2026, 11)
    assert 0 < len(this_month) and sum(this_month.values()) < sum(last_month.values())


def test_one_audit_event_per_call(built):
    ctx, summary = built
    with ctx.db.read() as s:
        q = select(AuditEvent.detail).where(AuditEvent.action == "demo.generate")
        details = list(s.scalars(q))
    assert len(details) == 1
    assert details[0]["patients"] == 150
    assert details[0]["time_entries"] == summary.time_entries


def test_a_second_call_fills_more_patients_with_new_mrns(tmp_path):
    ctx = new_ctx(tmp_path / "p")
    try:
        seen: list[tuple[int, int]] = []
        first = build_demo(ctx, 30, months=2, progress=lambda d, t: seen.append((d, t)))
        second = build_demo(ctx, 30, months=2)
        assert seen[0] == (0, 30) and seen[-1] == (30, 30)
        assert first.created_practice and not second.created_practice
        assert (first.first_mrn, first.last_mrn) == ("DM000001", "DM000030")
        assert (second.first_mrn, second.last_mrn) == ("DM000031", "DM000060")
        with ctx.db.read() as s:
            mrns = list(s.scalars(select(Patient.mrn)))
            names = list(s.execute(select(Patient.last_name, Patient.first_name)))
            audits = s.scalar(select(func.count()).where(AuditEvent.action == "demo.generate"))
        assert len(mrns) == len(set(mrns)) == 60
        assert names[:30] != names[30:]  # the second batch is not a copy of the first
        assert audits == 2
    finally:
        ctx.close()


def test_same_seed_same_patients(tmp_path):
    def names(root: Path, seed: int) -> list[tuple[str, str, str | None]]:
        ctx = new_ctx(root)
        try:
            build_demo(ctx, 25, seed=seed, months=3)
            with ctx.db.read() as s:
                q = select(Patient.first_name, Patient.last_name, Patient.mbi).order_by(Patient.id)
                return [tuple(r) for r in s.execute(q)]
        finally:
            ctx.close()

    a, b, c = names(tmp_path / "a", 11), names(tmp_path / "b", 11), names(tmp_path / "c", 12)
    assert a == b
    assert a != c


def test_fills_an_existing_practice(ctx):
    summary = build_demo(ctx, 20, months=2)
    assert not summary.created_practice
    assert summary.practice == "Maple Grove Family Medicine"
    with ctx.db.read() as s:
        assert set(s.scalars(select(Patient.state))) == {"OH"}
        staff = set(s.scalars(select(TimeEntry.staff_id).distinct()))
        roles = set(s.scalars(select(StaffUser.role).where(StaffUser.id.in_(staff))))
    assert roles <= {"care_manager", "provider"}
    assert len(ctx.practice.providers()) == 2


def test_rejects_bad_arguments(ctx):
    with pytest.raises(ValidationError):
        build_demo(ctx, -1)
    with pytest.raises(ValidationError):
        build_demo(ctx, 10, months=0)


def _latest_enrollments(s) -> dict[int, Enrollment]:
    out: dict[int, Enrollment] = {}
    for enr in s.scalars(select(Enrollment).order_by(Enrollment.id)):
        out[enr.patient_id] = enr
    return out


def _active_conditions(s, patient_id: int) -> int:
    q = select(func.count()).where(Condition.patient_id == patient_id, Condition.status == "active")
    return int(s.scalar(q) or 0)


def test_a_mid_month_worklist(built):
    """On the 16th: care managers assigned to most enrolled patients (rn.hannah the most,
    never to front desk or billing), and this month's minutes spread from none to 40+."""
    ctx, _ = built
    with ctx.db.read() as s:
        roles = dict(s.execute(select(StaffUser.id, StaffUser.role)).all())
        users = dict(s.execute(select(StaffUser.id, StaffUser.username)).all())
        managers = dict(s.execute(select(Patient.id, Patient.care_manager_id)).all())
        enrolled = {p for p, e in _latest_enrollments(s).items() if e.status == "enrolled"}
        programs = {p: e.program for p, e in _latest_enrollments(s).items()}
    assigned = [managers[p] for p in enrolled if managers[p] is not None]
    assert len(assigned) > 0.8 * len(enrolled)
    assert all(managers[p] is None for p in managers if p not in enrolled)
    assert {roles[i] for i in assigned} <= {"care_manager", "provider"}
    share = Counter(users[i] for i in assigned)
    assert share.most_common(1)[0][0] == "rn.hannah"
    assert share["rn.hannah"] > 0.25 * len(assigned)
    minutes = ctx.time.month_minutes(2026, 11)
    this_month = [minutes.get(p, 0) for p in enrolled]
    assert sum(m == 0 for m in this_month) >= 3
    assert sum(5 <= m < 20 for m in this_month) > len(enrolled) / 5
    assert sum(20 <= m < 30 for m in this_month) >= 5
    assert sum(m >= 40 for m in this_month) >= 3
    assert max(m for m in this_month) < 120  # half a month, not a whole one
    complex_ccm = [minutes.get(p, 0) for p in enrolled if programs[p] == "complex_ccm"]
    assert complex_ccm and max(complex_ccm) >= 30
    flags = Counter(f for r in ctx.worklist.worklist(2026, 11).rows for f in r.flags)
    assert flags[FLAG_NO_CONSENT] >= 1 and flags[FLAG_NO_PLAN] >= 1
    assert 0 < flags[FLAG_NO_CONTACT] < len(enrolled) / 2


PLAN_FIELDS = ("id", "patient_id", "version", "status", "established_date", "substantial")
PLAN_FIELDS += ("content",)


def test_care_plans_are_structured_complete_and_varied(built):
    """Complete plans pass the completeness check; goals at every stage with dated notes,
    small steps with confidence, medicines with prescribers, allergies or none known, the
    24/7 number, drafts, substantial revisions, copies given, Spanish text (demo/plans.py)."""
    ctx, _ = built
    with ctx.db.read() as s:
        plans = [
            SimpleNamespace(**{k: getattr(p, k) for k in PLAN_FIELDS})
            for p in s.scalars(select(CarePlan))
        ]
        active: dict[int, dict[str, str]] = {}
        for pid, code, words in s.execute(
            select(Condition.patient_id, Condition.code, Condition.description).where(
                Condition.status == "active"
            )
        ):
            active.setdefault(pid, {})[code] = words
        copies = list(s.execute(select(CarePlanCopy.care_plan_id, CarePlanCopy.method)))
        spanish = set(s.scalars(select(Patient.id).where(Patient.preferred_language == "es")))
        providers = set(s.scalars(select(Provider.name)))
        after_hours = s.scalar(select(Practice.after_hours_phone))
    structured = [(p, from_json(p.content)) for p in plans if p.status != "kept_elsewhere"]
    structured = [(p, c) for p, c in structured if not c.legacy]
    complete = [(p, c) for p, c in structured if p.status == "complete"]
    assert len(complete) > 0.7 * len(plans)
    for p, c in complete:
        assert missing(c, active.get(p.patient_id, {})) == [], p.patient_id
        assert c.after_hours_phone == after_hours
    goals = [g for _, c in complete for g in c.goals]
    assert {g.status for g in goals} >= {"met", "in_progress", "not_met", "not_started"}
    assert any(n.value for g in goals for n in g.progress)
    assert all(
        p.established_date <= n.on <= CHICAGO_TODAY
        for p, c in complete
        for g in c.goals
        for n in g.progress
        if p.version == 1
    )
    confidence = {st.confidence for g in goals for st in g.steps}
    assert confidence and confidence <= set(range(5, 11)) and len(confidence) > 2
    meds = [m for _, c in complete for m in c.medications]
    assert meds and {m.prescriber for m in meds} <= providers
    assert any(c.no_known_allergies for _, c in complete)
    assert any(c.allergies for _, c in complete)
    assert {c.review_every_months for _, c in complete} == {6, 12}
    statuses = {svc.status for _, c in complete for svc in c.community_services}
    assert len(statuses) >= 3
    assert any(p.status == "draft" for p in plans)
    assert any(p.substantial for p in plans) and any(p.status == "kept_elsewhere" for p in plans)
    given = {plan_id for plan_id, _ in copies}
    assert 0.6 * len(complete) < len(given) <= len(complete)
    assert {method for _, method in copies} == {"printed", "mailed", "portal", "caregiver"}
    es = [c for p, c in complete if p.patient_id in spanish]
    from_templates = [g for c in es for g in c.goals if g.source]
    assert from_templates and all(g.text.get("es") for g in from_templates)
