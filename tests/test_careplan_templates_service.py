"""ctx.templates: the practice's templates in the database, through the gate, cached."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ccm_desktop.careplan.content import PlanContent
from ccm_desktop.careplan.template_model import TemplateError
from ccm_desktop.careplan.template_toml import to_toml, with_text
from ccm_desktop.careplan.templates import EDITED, PRACTICE, SHIPPED
from ccm_desktop.db.models import AuditEvent, CareplanTemplate
from ccm_desktop.errors import NotFound, PermissionDenied, ValidationError
from ccm_desktop.services.patients import PatientInput

OWN = """
id = "falls"
codes = ["R29.6", "W19.*"]
name.en = "Falls"
name.es = "Caídas"
problem.en = "Falls at home"
problem.es = "Caídas en la casa"

[[goals]]
key = "no_falls"
target_in = "3 months"
text.en = "Have no falls in the next 3 months."
text.es = "No tener caídas en los próximos 3 meses."
"""


@pytest.fixture
def pid(ctx, clinician) -> int:
    p = ctx.patients.create(clinician, PatientInput("TP1", "Temp", "Late", "1947-03-02", "F"))
    ctx.patients.add_condition(clinician, p, "E11.9")
    ctx.patients.add_condition(clinician, p, "J44.9")
    return p


def audit(ctx) -> list[dict]:
    with ctx.db.read() as s:
        q = select(AuditEvent).where(AuditEvent.action == "template.save").order_by(AuditEvent.id)
        return [e.detail for e in s.scalars(q)]


def test_the_shipped_templates_serve_a_new_practice(ctx, pid):
    assert {t.origin for t in ctx.templates.list()} == {SHIPPED}
    assert ctx.templates.problems() == ()
    assert [t.id for t in ctx.templates.for_patient(pid)] == ["copd", "type2_diabetes"]
    plan = ctx.templates.apply_for_patient(pid, PlanContent())
    assert sorted(p.code for p in plan.problems) == ["E119", "J449"]
    assert ctx.templates.apply_for_patient(pid, plan) == plan


def test_an_edit_overrides_the_shipped_template_and_is_used_when_applied(ctx, admin, pid):
    copd = ctx.templates.get("copd")
    edited = with_text(copd, "goals[1].text", "en", "Have no flare-ups this winter.")
    saved = ctx.templates.save_template(admin, edited)
    assert saved.origin == EDITED and saved.goals[0].text["en"] == "Have no flare-ups this winter."
    assert saved.goals[0].text["es"] == copd.goals[0].text["es"]
    plan = ctx.templates.apply_for_patient(pid, PlanContent())
    assert "Have no flare-ups this winter." in [g.text["en"] for g in plan.goals]
    assert audit(ctx)[-1] == {"template_id": "copd", "change": "saved", "names": "COPD"}
    # Reset: the shipped version again, the practice's text kept in the audit trail.
    assert ctx.templates.reset(admin, "copd") == copd
    assert audit(ctx)[-1]["previous"] == to_toml(edited)
    with pytest.raises(NotFound):
        ctx.templates.reset(admin, "copd")


def test_the_practice_adds_its_own_template(ctx, admin, clinician, pid):
    ctx.patients.add_condition(clinician, pid, "R29.6")
    t = ctx.templates.save(admin, "falls", OWN)
    assert t.origin == PRACTICE and t.where == "practice template falls"
    assert "falls" in [x.id for x in ctx.templates.for_patient(pid)]
    assert ctx.templates.body("falls") == OWN
    with pytest.raises(ValidationError, match="the practice's own"):
        ctx.templates.reset(admin, "falls")


def test_turning_a_template_off_and_on(ctx, admin, pid):
    off = ctx.templates.set_active(admin, "type2_diabetes", False)
    assert off.active is False and off.origin == EDITED
    assert [t.id for t in ctx.templates.for_patient(pid)] == ["copd"]
    assert ctx.templates.set_active(admin, "type2_diabetes", True).active
    assert [d["change"] for d in audit(ctx)] == ["turned off", "turned on"]


def test_a_bad_body_is_refused_with_its_fields_and_nothing_is_stored(ctx, admin):
    bad = OWN.replace('text.es = "No tener caídas en los próximos 3 meses."\n', "")
    with pytest.raises(TemplateError) as err:
        ctx.templates.save(admin, "falls", bad)
    assert [p.words for p in err.value.problems] == [
        "practice template falls, goals[1].text.es: missing the Spanish text."
    ]
    with pytest.raises(TemplateError, match=r"codes: not in ICD-10-CM: Q99\.99"):
        ctx.templates.save(admin, "falls", OWN.replace('"R29.6"', '"Q99.99"'))
    with ctx.db.read() as s:
        assert s.scalars(select(CareplanTemplate)).all() == []


def test_only_the_administrator_changes_templates(ctx, nurse, clinician):
    for actor in (nurse, clinician):
        with pytest.raises(PermissionDenied):
            ctx.templates.save(actor, "falls", OWN)
    with pytest.raises(NotFound):
        ctx.templates.get("falls")


def test_a_bad_row_in_the_database_is_reported_and_the_shipped_one_used(ctx, admin):
    ctx.templates.save(admin, "asthma", to_toml(ctx.templates.get("asthma")))
    with ctx.db.write() as s:  # as a newer version, or a damaged edit, might leave it
        row = s.scalar(select(CareplanTemplate).where(CareplanTemplate.template_id == "asthma"))
        row.body = row.body.replace("name.es", "nombre.es")
    ctx.templates.invalidate()
    assert ctx.templates.get("asthma").origin == SHIPPED
    problems = ctx.templates.problems()
    assert {p.where for p in problems} == {"practice template asthma"}
    assert {p.field for p in problems} == {"nombre", "name.es"}
