"""The practice's care-plan templates (``ctx.templates``): the shipped files overlaid by the
practice's edited and own templates in ``careplan_template`` (docs/architecture.md,
"Care-plan templates").

Read once and kept until a change through this service (or :meth:`invalidate`): nothing is
read at start-up, the first use pays (a few milliseconds for the shipped files). Every
change passes the gate (``careplan.template``, the administrator) with its
``template.save`` audit event in the same transaction. A body that does not parse is
refused with :class:`~ccm_desktop.careplan.template_model.TemplateError`, listing each
field at fault.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from ccm_desktop.careplan.content import PlanContent
from ccm_desktop.careplan.template_model import TemplateError, TemplateProblem
from ccm_desktop.careplan.template_toml import parse_template, to_toml, unknown_codes
from ccm_desktop.careplan.templates import (
    PracticeTemplate,
    Template,
    TemplateSet,
    apply,
    load_templates,
    shipped_body,
    templates_for,
)
from ccm_desktop.db.engine import Database
from ccm_desktop.db.models import CareplanTemplate, Patient
from ccm_desktop.errors import NotFound, ValidationError
from ccm_desktop.events import Change, EventBus
from ccm_desktop.gate import Gate, Permission, Write
from ccm_desktop.security.audit import Actor, record
from ccm_desktop.services.base import Clock, Service
from ccm_desktop.services.careplans import active_codes_in_session
from ccm_desktop.vocab import AuditAction, ChangeKind

ENTITY = "careplan_template"


class TemplateService(Service):
    """List, read, apply and change the practice's care-plan templates."""

    def __init__(self, db: Database, bus: EventBus, clock: Clock, gate: Gate) -> None:
        super().__init__(db, bus, clock, gate)
        self._cache: TemplateSet | None = None
        self._lock = threading.Lock()

    # -- reading ------------------------------------------------------------------------
    def all(self) -> TemplateSet:
        """Every template (active or turned off) and the problems of the bad ones."""
        with self._lock:
            if self._cache is None:
                with self.db.read() as s:
                    rows = [
                        PracticeTemplate(r.template_id, r.body, r.active)
                        for r in s.scalars(select(CareplanTemplate))
                    ]
                self._cache = load_templates(rows)
            return self._cache

    def invalidate(self) -> None:
        """Forget the cached templates (the next read loads them again)."""
        with self._lock:
            self._cache = None

    def list(self) -> tuple[Template, ...]:
        """Every template that loaded, by name."""
        return self.all().templates

    def problems(self) -> tuple[TemplateProblem, ...]:
        return self.all().problems

    def get(self, template_id: str) -> Template:
        t = self.all().get(template_id)
        if t is None:
            raise NotFound(f"There is no care-plan template '{template_id}'.")
        return t

    def body(self, template_id: str) -> str:
        """The template's TOML as stored: the practice's row, else the shipped file."""
        with self.db.read() as s:
            row = s.scalar(
                select(CareplanTemplate).where(CareplanTemplate.template_id == template_id)
            )
            if row is not None:
                return row.body
        shipped = shipped_body(template_id)
        if shipped is None:
            raise NotFound(f"There is no care-plan template '{template_id}'.")
        return shipped

    def for_codes(self, codes: Sequence[str]) -> list[Template]:
        return templates_for(self.all().templates, codes)

    def for_patient(self, patient_id: int) -> list[Template]:
        """The active templates covering one of the patient's active conditions."""
        with self.db.read() as s:
            codes = list(active_codes_in_session(s, patient_id))
        return self.for_codes(codes)

    def apply_for_patient(
        self, patient_id: int, content: PlanContent, today: date | None = None
    ) -> PlanContent:
        """``content`` with the templates of the patient's active conditions merged in
        (:func:`~ccm_desktop.careplan.templates.apply`); nothing is saved."""
        with self.db.read() as s:
            p = s.get(Patient, patient_id)
            if p is None:
                raise NotFound("This patient no longer exists.")
            codes = list(active_codes_in_session(s, patient_id))
            language, day = p.preferred_language or "en", today or self.today(s)
        return apply(content, self.all().active, codes, language, day)

    # -- changing -----------------------------------------------------------------------
    def check(self, template_id: str, body: str) -> Template:
        """The template in ``body`` as it would be saved; :class:`TemplateError` lists
        every problem (including codes that are not in ICD-10-CM)."""
        where = f"practice template {template_id or '(no id)'}"
        t = parse_template(body, where, expect_id=template_id or None)
        bad = unknown_codes(t)
        if bad:
            raise TemplateError(
                [TemplateProblem(where, "codes", f"not in ICD-10-CM: {', '.join(bad)}.")]
            )
        return t

    def save(self, actor: Actor, template_id: str, body: str) -> Template:
        """Store ``body`` as the practice's version of ``template_id`` (a new template,
        or an edit that overrides the shipped one); returns it as now in use."""
        if not template_id.strip():
            raise ValidationError("id", "Give the template an id, like my_condition.")
        t = self.check(template_id, body)
        with self.gate.write(actor, Permission.CAREPLAN_TEMPLATE) as w:
            row = self._row(w, template_id)
            if row is None:
                row = CareplanTemplate(template_id=template_id, body=body, active=True)
                w.session.add(row)
            row.body, row.updated_by_id, row.updated_at = body, actor.staff_id, self.clock.now()
            w.session.flush()
            self._audit(w, row, "saved", {"names": t.name.get("en", "")})
        return self._changed(template_id)

    def save_template(self, actor: Actor, template: Template) -> Template:
        """:meth:`save` of a template edited as data (the editor's text fields)."""
        return self.save(actor, template.id, to_toml(template))

    def set_active(self, actor: Actor, template_id: str, active: bool) -> Template:
        """Turn a template off (it is no longer applied) or on again; a shipped template is
        turned off by a practice row holding its shipped text."""
        current = self.get(template_id)
        with self.gate.write(actor, Permission.CAREPLAN_TEMPLATE) as w:
            row = self._row(w, template_id)
            if row is None:
                row = CareplanTemplate(template_id=template_id, body=to_toml(current))
                w.session.add(row)
            row.active, row.updated_by_id, row.updated_at = active, actor.staff_id, self.clock.now()
            w.session.flush()
            self._audit(w, row, "turned on" if active else "turned off", {})
        return self._changed(template_id)

    def reset(self, actor: Actor, template_id: str) -> Template:
        """Back to the shipped version: the practice's row is removed (its text is kept in
        the audit event). Refused for a template the practice wrote itself."""
        if shipped_body(template_id) is None:
            raise ValidationError(
                "id", "This template is the practice's own: there is no shipped version."
            )
        with self.gate.write(actor, Permission.CAREPLAN_TEMPLATE) as w:
            row = self._row(w, template_id)
            if row is None:
                raise NotFound("This template is already the shipped version.")
            self._audit(w, row, "reset to the shipped version", {"previous": row.body})
            w.session.delete(row)
        return self._changed(template_id)

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _row(w: Write, template_id: str) -> CareplanTemplate | None:
        return w.session.scalar(
            select(CareplanTemplate).where(CareplanTemplate.template_id == template_id)
        )

    @staticmethod
    def _audit(w: Write, row: CareplanTemplate, change: str, detail: dict[str, str]) -> None:
        record(
            w.session,
            w.actor,
            AuditAction.TEMPLATE_SAVE,
            ENTITY,
            row.id,
            detail={"template_id": row.template_id, "change": change, **detail},
        )

    def _changed(self, template_id: str) -> Template:
        self.invalidate()
        self.bus.publish(Change(ChangeKind.TEMPLATES))
        return self.get(template_id)
