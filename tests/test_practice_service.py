"""The administrator's edits of the practice, its providers and staff (PracticeService)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from ccm_desktop.db.models import AuditEvent
from ccm_desktop.errors import PermissionDenied, StaleEdit, ValidationError, ValidationErrors
from ccm_desktop.gate import Permission
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.practice import ProviderInfo, StaffInfo
from ccm_desktop.services.timing import TimeInput
from ccm_desktop.vocab import AuditAction


def audit_count(ctx, action: str) -> int:
    with ctx.db.read() as s:
        return s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )


def staff_named(ctx, username: str) -> StaffInfo:
    return next(s for s in ctx.practice.staff(active_only=False) if s.username == username)


def messages(exc: ValidationError | ValidationErrors) -> dict[str, str]:
    errors = exc.errors if isinstance(exc, ValidationErrors) else [exc]
    return {e.field: e.text for e in errors}


def test_admin_changes_the_practice_details_with_an_audit_event(ctx, admin):
    before = ctx.practice.practice()
    after = replace(before, name="Maple Grove Family Practice", phone="(555) 201-4000")
    ctx.practice.update_practice(admin, before, after)
    now = ctx.practice.practice()
    assert now.name == "Maple Grove Family Practice"
    assert now.phone == "5552014000"  # stored as digits, like the set-up
    with ctx.db.read() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.PRACTICE_UPDATE))
        assert event.actor == "Pat Admin (admin)"
        assert event.detail == {
            "name": ["Maple Grove Family Medicine", "Maple Grove Family Practice"],
            "phone": ["5552013344", "5552014000"],
        }


def test_practice_edits_use_the_setup_rules_and_name_each_field(ctx, admin):
    before = ctx.practice.practice()
    bad = replace(before, npi="1234567890", tin="12-345", state="XX", timezone="Mars/Base")
    with pytest.raises(ValidationErrors) as err:
        ctx.practice.update_practice(admin, before, bad)
    got = messages(err.value)
    assert "check digit" in got["practice.npi"]
    assert "9 digits" in got["practice.tin"]
    assert "two-letter state" in got["practice.state"]
    assert "not a time zone" in got["practice.timezone"]
    assert ctx.practice.practice() == before


def test_only_the_admin_edits_and_a_refusal_changes_nothing(ctx, nurse, clinician):
    before = ctx.practice.practice()
    for actor in (nurse, clinician):
        with pytest.raises(PermissionDenied, match="may not change staff, providers"):
            ctx.practice.update_practice(actor, before, replace(before, name="X"))
    with pytest.raises(PermissionDenied):
        ctx.practice.add_provider(nurse, ProviderInfo("Sky Tester, MD", "MD", "1000000012"))
    assert ctx.practice.practice() == before
    assert len(ctx.practice.providers(active_only=False)) == 2


def test_a_second_editor_is_told_someone_else_changed_it(ctx, admin):
    seen = ctx.practice.practice()  # two administrators open the same details
    ctx.practice.update_practice(admin, seen, replace(seen, city="Dublin"))
    with pytest.raises(StaleEdit, match="Someone else changed the practice's details"):
        ctx.practice.update_practice(admin, seen, replace(seen, zip="43017"))
    assert ctx.practice.practice().city == "Dublin" and ctx.practice.practice().zip == "43210"


def test_a_zone_change_after_time_was_logged_must_be_confirmed(ctx, admin, clinician):
    before = ctx.practice.practice()
    chicago = replace(before, timezone="America/Chicago")
    pid = ctx.patients.create(clinician, PatientInput("Z1", "Zed", "Ann", "1950-01-01", "F"))
    nurse_id = staff_named(ctx, "nurse.kim").id
    ctx.time.add(
        clinician,
        TimeInput(pid, nurse_id, datetime(2026, 11, 10, 15, tzinfo=UTC), 10, "call_patient"),
    )
    assert ctx.practice.time_logged()
    with pytest.raises(ValidationError, match="confirm the change of time zone") as err:
        ctx.practice.update_practice(admin, before, chicago)
    assert err.value.field == "practice.timezone"
    assert ctx.practice.practice().timezone == "America/New_York"
    ctx.practice.update_practice(admin, before, chicago, zone_change_confirmed=True)
    assert ctx.practice.practice().timezone == "America/Chicago"


def test_add_edit_and_deactivate_a_provider(ctx, admin):
    pid = ctx.practice.add_provider(admin, ProviderInfo("Sky Tester", "do", "1000000012"))
    added = next(p for p in ctx.practice.providers() if p.id == pid)
    assert (added.name, added.credential, added.npi, added.active) == (
        "Sky Tester",
        "DO",
        "1000000012",
        True,
    )
    ctx.practice.update_provider(admin, added, replace(added, name="Sky Tester, DO"))
    renamed = next(p for p in ctx.practice.providers() if p.id == pid)
    ctx.practice.update_provider(admin, renamed, replace(renamed, active=False))
    assert pid not in [p.id for p in ctx.practice.providers()]  # not offered any more
    kept = next(p for p in ctx.practice.providers(active_only=False) if p.id == pid)
    assert kept.name == "Sky Tester, DO" and not kept.active  # kept, never deleted
    assert audit_count(ctx, AuditAction.PROVIDER_ADD) == 1
    assert audit_count(ctx, AuditAction.PROVIDER_UPDATE) == 2


def test_provider_rules(ctx, admin):
    with pytest.raises(ValidationErrors) as err:
        ctx.practice.add_provider(admin, ProviderInfo("", "RN", "1234567890"))
    got = messages(err.value)
    assert set(got) == {"name", "credential", "npi"}
    assert "billing practitioner is one of" in got["credential"]
    with pytest.raises(ValidationError, match="Dana Example, MD already has this NPI") as dup:
        ctx.practice.add_provider(admin, ProviderInfo("Copy Cat, MD", "MD", "1234567893"))
    assert dup.value.field == "npi"
    robin = next(p for p in ctx.practice.providers() if p.npi == "1000000004")
    with pytest.raises(ValidationError, match="already has this NPI"):
        ctx.practice.update_provider(admin, robin, replace(robin, npi="1234567893"))


def test_add_and_edit_staff(ctx, admin):
    uid = ctx.practice.add_staff(
        admin, StaffInfo("  Ash.Nurse ", "Ash Nurse", "care_manager", "lpn")
    )
    ash = staff_named(ctx, "ash.nurse")
    assert (ash.id, ash.credential, ash.role, ash.active) == (uid, "LPN", "care_manager", True)
    assert ctx.practice.actor_for("ash.nurse").staff_id == uid  # can work at once
    ctx.practice.update_staff(admin, ash, replace(ash, role="billing", credential=""))
    assert staff_named(ctx, "ash.nurse").role == "billing"
    robin = StaffInfo("robin.np", "Robin Sample", "provider", "NP", "1000000004")
    ctx.practice.add_staff(admin, robin)
    assert staff_named(ctx, "robin.np").provider_npi == "1000000004"
    ash, ash_actor = staff_named(ctx, "ash.nurse"), ctx.practice.actor_for("ash.nurse")
    ctx.practice.update_staff(admin, ash, replace(ash, active=False))
    assert "ash.nurse" not in [s.username for s in ctx.practice.staff()]
    with pytest.raises(PermissionDenied, match="no longer an active user"):
        ctx.gate.authorize(ash_actor, Permission.PATIENT_EDIT)
    assert audit_count(ctx, AuditAction.STAFF_ADD) == 2
    assert audit_count(ctx, AuditAction.STAFF_UPDATE) == 2


def test_staff_rules(ctx, admin):
    with pytest.raises(ValidationError, match="Kim Carewell already has the username"):
        ctx.practice.add_staff(admin, StaffInfo("nurse.kim", "Kim Two", "care_manager", "RN"))
    with pytest.raises(ValidationErrors) as err:
        ctx.practice.add_staff(admin, StaffInfo("a b", "", "chief", "XYZ", "1000000012"))
    assert set(messages(err.value)) == {"username", "name", "role", "credential", "provider_npi"}
    robin = next(p for p in ctx.practice.providers() if p.npi == "1000000004")
    ctx.practice.update_provider(admin, robin, replace(robin, active=False))
    with pytest.raises(ValidationErrors, match="No provider with this NPI"):
        ctx.practice.add_staff(
            admin, StaffInfo("robin.np", "Robin", "provider", "NP", "1000000004")
        )


def test_the_last_active_admin_keeps_the_role(ctx, admin):
    me = staff_named(ctx, "admin")
    with pytest.raises(ValidationError) as err:
        ctx.practice.update_staff(admin, me, replace(me, role="front_desk"))
    assert err.value.field == "role"
    assert err.value.text == (
        "You are the practice's only active administrator: make someone else an "
        "administrator first, or nobody could change staff or settings."
    )
    with pytest.raises(ValidationError, match="cannot deactivate your own account"):
        ctx.practice.update_staff(admin, me, replace(me, active=False))
    assert staff_named(ctx, "admin") == me
    # With a second administrator, the first may step down.
    ctx.practice.add_staff(admin, StaffInfo("second.admin", "Sam Second", "admin"))
    ctx.practice.update_staff(admin, me, replace(me, role="billing"))
    assert staff_named(ctx, "admin").role == "billing"
    second = ctx.practice.actor_for("second.admin")
    other = staff_named(ctx, "second.admin")
    with pytest.raises(ValidationError, match="only active administrator"):
        ctx.practice.update_staff(second, other, replace(other, role="billing"))


def test_a_stale_staff_edit_is_refused(ctx, admin):
    kim = staff_named(ctx, "nurse.kim")
    ctx.practice.update_staff(admin, kim, replace(kim, name="Kim Carewell-Ross"))
    with pytest.raises(StaleEdit, match="Someone else changed Kim Carewell-Ross"):
        ctx.practice.update_staff(admin, kim, replace(kim, credential="LPN"))
    assert staff_named(ctx, "nurse.kim").credential == "RN"


def test_local_now_is_the_practice_wall_clock(ctx, admin):
    # 15:00 UTC is 10:00 in Columbus (EST), whatever zone this computer is in.
    assert ctx.practice.local_now().strftime("%H:%M %Z") == "10:00 EST"
    before = ctx.practice.practice()
    ctx.practice.update_practice(admin, before, replace(before, timezone="America/Los_Angeles"))
    assert ctx.practice.local_now().strftime("%H:%M") == "07:00"


def test_last_change_names_who(ctx, admin):
    first = ctx.practice.last_change()
    assert first is not None and first.action == AuditAction.PRACTICE_SETUP
    kim = staff_named(ctx, "nurse.kim")
    ctx.practice.update_staff(admin, kim, replace(kim, credential="LPN"))
    last = ctx.practice.last_change()
    assert last is not None
    assert (last.action, last.actor) == (AuditAction.STAFF_UPDATE, "Pat Admin (admin)")
