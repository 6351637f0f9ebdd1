"""Synthetic demo patients: demographics, conditions, enrollments with consents and
visits, and care plans, as plain row dicts (ids are assigned when they are written).

Pure generation: no database access; everything comes from one ``random.Random`` and
the :class:`World` (the practice's staff, place and "today"), so a seed repeats exactly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from ccm_desktop import icd10
from ccm_desktop.careplan.completeness import ELEMENTS
from ccm_desktop.careplan.content import PlanContent, to_json
from ccm_desktop.careplan.content import replace as replace_content
from ccm_desktop.careplan.templates import shipped_templates
from ccm_desktop.demo.data import (
    CONDITIONS,
    DECLINE_REASONS,
    DISENROLL_REASONS,
    NAME_GROUPS,
    PLAN_TEXT,
    RESOLVED_CONDITIONS,
    STREET_TYPES,
    STREETS,
    TOWNS,
)
from ccm_desktop.demo.plans import PlanMaker
from ccm_desktop.services.base import end_of_month
from ccm_desktop.services.careplans import next_review_date
from ccm_desktop.services.enrollment import PROGRAM_NAMES
from ccm_desktop.textfold import name_search_key
from ccm_desktop.validation import check_mbi
from ccm_desktop.vocab import CopyMethod, PlanStatus

Row = dict[str, Any]
LEAD_WEIGHT = 2.0  # the lead care manager's share against 1 for each other clinician
ASSIGNED_SHARE = 0.92  # enrolled patients with a care manager assigned
NO_CONSENT = 0.03  # enrolled patients whose consent is not recorded yet
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
_ALNUM = MBI_LETTERS + "0123456789"
_MBI_POSITIONS = (
    "123456789",
    MBI_LETTERS,
    _ALNUM,
    "0123456789",
    MBI_LETTERS,
    _ALNUM,
    "0123456789",
    MBI_LETTERS,
    MBI_LETTERS,
    "0123456789",
    "0123456789",
)


@dataclass(frozen=True)
class World:
    """Where and when the demo happens, and who works there (staff and provider ids)."""

    tz: ZoneInfo
    now: datetime
    today: date
    window_start: date
    state: str
    city: str
    zip3: str
    area_codes: tuple[str, ...]
    providers: tuple[int, ...]
    provider_users: dict[int, int]
    care_staff: tuple[int, ...]
    intake: tuple[int, ...]
    names: dict[int, str]
    # Who may be a patient's care manager (services/patients.py CARE_MANAGER_ROLES), and
    # the one who looks after the largest share (rn.hannah in the demo practice).
    assignable: frozenset[int] = frozenset()
    lead: int | None = None
    practice_phone: str = ""
    after_hours_phone: str = ""  # the practice's 24/7 number, for the care plans
    provider_names: dict[int, str] = field(default_factory=dict)  # provider id -> name

    def instant(self, d: date, rng: random.Random) -> datetime:
        """A working-hours instant on local day ``d`` (UTC), never later than now."""
        local = datetime.combine(d, time(9), tzinfo=self.tz)
        at = (local + timedelta(minutes=rng.randrange(0, 480))).astimezone(UTC)
        return min(at, self.now)


@dataclass
class EnrollmentPlan:
    """One enrollment with its status steps, consent, optional initiating visit, and the
    dates between which care-management time may be logged (``work_to`` inclusive)."""

    row: Row
    events: list[Row]
    consent: Row
    visit: Row | None = None
    work_from: date | None = None
    work_to: date | None = None
    recorded: bool = True  # False: consent given on paper, not recorded in the app yet


@dataclass
class PatientPlan:
    """Everything generated for one patient, children without ids."""

    row: Row
    conditions: list[Row]
    enrollments: list[EnrollmentPlan] = field(default_factory=list)
    care_plans: list[Row] = field(default_factory=list)
    plan_copies: list[tuple[int, Row]] = field(default_factory=list)  # (care_plans index, copy)
    clinician: int = 0
    times: list[Row] = field(default_factory=list)
    revisions: list[tuple[int, Row]] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """'not_asked', or the program / status of the latest enrollment."""
        if not self.enrollments:
            return "not_asked"
        last = self.enrollments[-1].row
        return str(last["program"] if last["status"] == "enrolled" else last["status"])


@cache
def checked_conditions() -> tuple[tuple[str, float, str, str, str], ...]:
    """The condition table with codes validated (billable ICD-10-CM, stored without dot)."""
    return tuple((icd10.check_code(c[0]), *c[1:]) for c in CONDITIONS)


def make_mbi(rng: random.Random) -> str:
    """A Medicare Beneficiary Identifier drawn at random to CMS's position pattern."""
    return "".join(rng.choice(chars) for chars in _MBI_POSITIONS)


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


def _day_between(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


class PatientMaker:
    """Makes one :class:`PatientPlan` per call, drawing from ``rng`` only."""

    def __init__(self, rng: random.Random, world: World, used_mbis: set[str]) -> None:
        self.rng = rng
        self.w = world
        self.used_mbis = used_mbis
        self.conditions = checked_conditions()
        self.descriptions = {c[0]: icd10.description(c[0]) for c in self.conditions}
        for code in RESOLVED_CONDITIONS:
            c = icd10.check_code(code)
            self.descriptions[c] = icd10.description(c)
        self.group_weights = [g.weight for g in NAME_GROUPS]
        self.cond_weights = [c[1] for c in self.conditions]
        labels = {c[0]: (c[2], c[3], c[4]) for c in self.conditions}
        self.plans = PlanMaker(
            rng, shipped_templates(), labels, world.after_hours_phone, world.practice_phone
        )

    # -- demographics -------------------------------------------------------------
    def patient(self, mrn: str) -> PatientPlan:
        rng, w = self.rng, self.w
        group = rng.choices(NAME_GROUPS, self.group_weights)[0]
        sex = rng.choices("FMXU", (55, 44, 0.6, 0.4))[0]
        firsts = {"F": group.female, "M": group.male}.get(sex, group.female + group.male)
        age = rng.randint(45, 64) if rng.random() < 0.07 else int(rng.triangular(65, 96, 72))
        dob = w.today - timedelta(days=age * 365 + rng.randint(0, 364) + age // 4)
        mbi = make_mbi(rng)
        while mbi in self.used_mbis:
            mbi = make_mbi(rng)
        self.used_mbis.add(check_mbi(mbi))
        apt = f", Apt {rng.randint(1, 12)}{rng.choice('ABCD')}" if rng.random() < 0.15 else ""
        r = rng.random()
        last_visit: date | None = None
        if r < 0.8:
            last_visit = w.today - timedelta(days=rng.randint(3, 365))
        elif r < 0.95:
            last_visit = w.today - timedelta(days=rng.randint(366, 900))
        phone = ""
        if rng.random() < 0.98:
            phone = f"{rng.choice(w.area_codes)}5550{rng.randint(100, 199)}"
        last_name, first_name = rng.choice(group.surnames), rng.choice(firsts)
        row: Row = {
            "mrn": mrn,
            "last_name": last_name,
            "first_name": first_name,
            "search_key": name_search_key(last_name, first_name),
            "dob": dob,
            "sex": sex,
            "phone": phone,
            "address": f"{rng.randint(100, 9899)} {rng.choice(STREETS)} "
            f"{rng.choice(STREET_TYPES)}{apt}",
            "city": rng.choice((w.city, *TOWNS)) if w.city else rng.choice(TOWNS),
            "state": w.state,
            "zip": f"{w.zip3}{rng.randint(1, 99):02d}",
            "preferred_language": _pick(rng, group.languages),
            "mbi": mbi,
            "qmb": rng.random() < 0.15,
            "billing_provider_id": rng.choice(w.providers),
            "last_visit_date": last_visit,
            "version": 1,
        }
        plan = PatientPlan(row, self._conditions(dob))
        weights = [LEAD_WEIGHT if c == w.lead else 1.0 for c in w.care_staff]
        plan.clinician = rng.choices(w.care_staff, weights)[0]
        self._enroll(plan)
        last = plan.enrollments[-1] if plan.enrollments else None
        if last is not None and last.row["status"] == "enrolled" and rng.random() < NO_CONSENT:
            # The worklist's "consent missing": nobody logs time until it is recorded.
            last.recorded = False
            last.work_from = last.work_to = None
        # Most enrolled patients have a care manager (the worklist's "mine"); a few wait.
        looked_after = plan.outcome in PROGRAM_NAMES and plan.clinician in w.assignable
        row["care_manager_id"] = (
            plan.clinician if looked_after and rng.random() < ASSIGNED_SHARE else None
        )
        self._care_plans(plan)
        first = min(
            [e.row["start_date"] or e.consent["consent_date"] for e in plan.enrollments]
            + [w.window_start, last_visit or w.today]
        )
        created = w.instant(first - timedelta(days=rng.randint(1, 60)), rng)
        row["created_at"] = row["updated_at"] = created
        for c in plan.conditions:
            c["recorded_at"] = created
        return plan

    def _conditions(self, dob: date) -> list[Row]:
        rng, w = self.rng, self.w
        n = rng.choices((1, 2, 3, 4, 5), (22, 30, 24, 15, 9))[0]
        picked: dict[str, tuple[str, float, str, str, str]] = {}
        while len(picked) < n:
            c = rng.choices(self.conditions, self.cond_weights)[0]
            if not any(k[:3] == c[0][:3] for k in picked):  # one code per category
                picked[c[0]] = c
        out: list[Row] = []
        for code in sorted(picked):
            r = rng.random()
            assessed: date | None = w.today - timedelta(days=rng.randint(1, 360))
            if r > 0.95:
                assessed = None
            elif r > 0.75:
                assessed = w.today - timedelta(days=rng.randint(366, 720))
            onset = max(
                dob + timedelta(days=365 * 30), w.today - timedelta(rng.randint(1, 25) * 365)
            )
            out.append(self._condition(code, onset, "active", assessed))
        if rng.random() < 0.04:
            code = icd10.normalise(rng.choice(RESOLVED_CONDITIONS))
            out.append(self._condition(code, w.today - timedelta(days=900), "resolved", None))
        return out

    def _condition(self, code: str, onset: date, status: str, assessed: date | None) -> Row:
        return {
            "code": code,
            "description": self.descriptions[code],
            "onset_date": onset,
            "status": status,
            "last_assessed_date": assessed,
        }

    # -- enrollment ---------------------------------------------------------------
    def _enroll(self, plan: PatientPlan) -> None:
        rng, w = self.rng, self.w
        n = sum(1 for c in plan.conditions if c["status"] == "active")
        if n >= 2:
            outcome = _pick(
                rng,
                (("none", 6), ("declined", 8), ("disenrolled", 8), ("apcm", 4), ("enrolled", 74)),
            )
            complex_ = rng.random() < 0.08 + 0.06 * (n - 2)
            program = "complex_ccm" if complex_ else "ccm"
        else:
            outcome = _pick(
                rng,
                (("none", 15), ("declined", 8), ("disenrolled", 5), ("apcm", 5), ("enrolled", 67)),
            )
            program = "pcm"
        provider = plan.row["billing_provider_id"]
        span = (w.today - w.window_start).days
        if outcome == "none":
            return
        if outcome == "declined":
            when = w.today - timedelta(days=rng.randint(0, span + 365))
            reason = rng.choice(DECLINE_REASONS)
            plan.enrollments.append(
                self._enrollment(plan, program, provider, when, declined=reason)
            )
            return
        if outcome == "apcm":
            program = "apcm"
        if rng.random() < 0.7:
            start = w.window_start - timedelta(days=rng.randint(1, 540))
        else:
            start = _day_between(rng, w.window_start, w.today)
        if outcome == "disenrolled":
            asked = _day_between(rng, w.window_start, w.today)
            start = min(start, asked - timedelta(days=rng.randint(45, 400)))
            enr = self._enrollment(plan, program, provider, start)
            effective = end_of_month(asked)
            reason = rng.choice(DISENROLL_REASONS)
            enr.events.append(self._event("disenrolled", effective, reason, asked))
            enr.row.update(status="disenrolled", end_date=effective)
            enr.work_to = asked
            plan.enrollments.append(enr)
            return
        change = program == "complex_ccm" and rng.random() < 0.25
        transfer = program == "ccm" and len(w.providers) > 1 and rng.random() < 0.03
        if (change or transfer) and (w.today - start).days > 90:
            switch = _day_between(rng, start + timedelta(days=60), w.today)
            new_provider = provider
            if change:
                first = self._enrollment(plan, "ccm", provider, start)
                status, reason = "program_changed", f"changed to {PROGRAM_NAMES[program]}"
            else:
                first = self._enrollment(plan, program, provider, start)
                new_provider = rng.choice([p for p in w.providers if p != provider])
                status, reason = "transferred", "new billing practitioner"
            first.events.append(self._event(status, switch, reason, switch))
            first.row.update(status=status, end_date=switch)
            first.work_to = switch - timedelta(days=1)
            plan.enrollments.append(first)
            plan.row["billing_provider_id"] = new_provider
            plan.enrollments.append(self._enrollment(plan, program, new_provider, switch))
            return
        plan.enrollments.append(self._enrollment(plan, program, provider, start))

    def _event(self, status: str, effective: date, reason: str, on: date) -> Row:
        return {
            "status": status,
            "effective_date": effective,
            "reason": reason,
            "recorded_by_id": self.rng.choice(self.w.intake),
            "recorded_at": self.w.instant(on, self.rng),
        }

    def _enrollment(
        self, plan: PatientPlan, program: str, provider: int, start: date, declined: str = ""
    ) -> EnrollmentPlan:
        rng, w = self.rng, self.w
        status = "declined" if declined else "enrolled"
        at = w.instant(start, rng)
        row: Row = {
            "program": program,
            "billing_provider_id": provider,
            "status": status,
            "start_date": None if declined else start,
            "end_date": None,
            "created_at": at,
        }
        taker = rng.choice(w.intake)
        verbal = rng.random() < 0.65
        witnesses = [s for s in w.intake if s != taker] or [taker]
        consent: Row = {
            "program": program,
            "billing_provider_id": provider,
            "consented": not declined,
            "consent_date": start,
            "method": "verbal" if verbal else "written",
            "obtained_by_id": taker,
            "witness": w.names[rng.choice(witnesses)] if verbal else "",
            "disclosed_service": True,
            "disclosed_cost_sharing": True,
            "disclosed_one_practitioner": True,
            "disclosed_stop_anytime": True,
            "decline_reason": declined,
            "recorded_via": "app",
            "recorded_at": at,
        }
        event = {
            "status": status,
            "effective_date": start,
            "reason": declined,
            "recorded_by_id": taker,
            "recorded_at": at,
        }
        enr = EnrollmentPlan(row, [event], consent)
        if not declined:
            enr.work_from, enr.work_to = start, w.today
            self._maybe_visit(plan, enr, start, provider)
        return enr

    def _maybe_visit(self, plan: PatientPlan, enr: EnrollmentPlan, start: date, prov: int) -> None:
        rng = self.rng
        last = plan.row["last_visit_date"]
        # Needed when not seen in the 12 months before the start; recorded for some others.
        due = last is None or (last <= start and (start - last).days > 365)
        if enr.row["program"] == "apcm" or plan.enrollments or not (due or rng.random() < 0.25):
            return
        visit_date = max(start - timedelta(days=rng.randint(0, 21)), plan.row["dob"])
        enr.visit = {
            "provider_id": prov,
            "visit_date": visit_date,
            "visit_type": rng.choices(("em", "awv", "ippe"), (60, 32, 8))[0],
            "g0506": rng.random() < 0.3,
            "recorded_at": self.w.instant(visit_date, rng),
        }
        if last is None or last < visit_date:
            plan.row["last_visit_date"] = visit_date

    # -- care plans ---------------------------------------------------------------
    def _care_plans(self, plan: PatientPlan) -> None:
        """The patient's plan revisions (demo/plans.py): a complete structured plan soon
        after the enrollment starts, a revision for some (half of complex CCM, substantial
        there), a draft on top for a few, only a draft for some new patients; a few kept
        elsewhere or written as free text before structured plans; a copy given for most
        complete ones."""
        rng, w = self.rng, self.w
        started = [e for e in plan.enrollments if e.row["status"] != "declined"]
        if not started or rng.random() < 0.04:
            return
        authors = w.care_staff + tuple(w.provider_users.values())
        first = min(started[0].row["start_date"] + timedelta(days=rng.randint(0, 14)), w.today)
        dates = [first]
        complex_ccm = started[-1].row["program"] == "complex_ccm"
        revise = 0.5 if complex_ccm else 0.25
        if (w.today - first).days > 45 and rng.random() < revise:
            dates.append(_day_between(rng, first + timedelta(days=30), w.today))
        active = [c for c in plan.conditions if c["status"] == "active"]
        codes = [c["code"] for c in active]
        provider = plan.row["billing_provider_id"]
        prescriber = w.provider_names.get(provider, "")
        team = [(w.names.get(plan.clinician, ""), "Care manager")]
        if prescriber:
            team.append((prescriber, "Primary care provider"))
        new_patient = (w.today - first).days < 21
        earlier: PlanContent | None = None
        for version, d in enumerate(dates, 1):
            elsewhere = version == 1 and rng.random() < 0.03
            legacy = version == 1 and len(dates) > 1 and not elsewhere and rng.random() < 0.15
            content = PlanContent()
            status = PlanStatus.COMPLETE
            if elsewhere:
                status, stored = PlanStatus.KEPT_ELSEWHERE, {"schema": 1}
            elif legacy:
                stored = {"schema": 1, "legacy": self._legacy(active, version)}
            else:
                content = self.plans.content(
                    codes, d, w.today, team, prescriber, complex_ccm, earlier
                )
                earlier, stored = content, to_json(content)
                if new_patient and rng.random() < 0.5:
                    status = PlanStatus.DRAFT  # still being written with the patient
            author = rng.choice(authors)
            substantial = version > 1 and (complex_ccm or rng.random() < 0.3)
            self._revision(plan, version, d, status, substantial, stored, content, author)
        if earlier is not None and plan.care_plans[-1]["status"] != PlanStatus.DRAFT:
            if rng.random() < 0.06:  # a review under way: a draft on top of the plan
                d = _day_between(rng, dates[-1], w.today)
                draft = replace_content(earlier, medications_reconciled_on=None)
                self._revision(
                    plan,
                    len(dates) + 1,
                    d,
                    PlanStatus.DRAFT,
                    False,
                    to_json(draft),
                    draft,
                    rng.choice(authors),
                )

    def _revision(
        self,
        plan: PatientPlan,
        version: int,
        on: date,
        status: PlanStatus,
        substantial: bool,
        stored: dict[str, Any],
        content: PlanContent,
        author: int,
    ) -> None:
        """One care_plan row, and for most complete structured plans the copy given."""
        rng, w = self.rng, self.w
        note = ""
        if version > 1:
            note = "Goals and medicines reviewed with the patient."
            if substantial:
                note = "Substantial revision: new goals after a change in health."
        plan.care_plans.append(
            {
                "version": version,
                "established_date": on,
                "status": status.value,
                "substantial": substantial,
                "change_note": note,
                "next_review": next_review_date(on, content),
                "content": stored,
                "created_by_id": author,
                "created_at": w.instant(on, rng),
            }
        )
        if status == PlanStatus.COMPLETE and content.care_team and rng.random() < 0.8:
            given = min(on + timedelta(days=rng.randint(0, 7)), w.today)
            method = rng.choices(list(CopyMethod), (50, 20, 15, 15))[0]
            copy = {
                "given_on": given,
                "method": method.value,
                "recorded_by_id": author,
                "created_at": w.instant(given, rng),
            }
            plan.plan_copies.append((len(plan.care_plans) - 1, copy))

    def _legacy(self, conditions: list[Row], version: int) -> dict[str, str]:
        """A plan written as free text, one text per element (as before structured plans)."""
        rng = self.rng
        table = {c[0]: c for c in self.conditions}
        known = [table[c["code"]] for c in conditions if c["code"] in table]
        text = {k: rng.choice(v) for k, v in PLAN_TEXT.items()}
        text["problem_list"] = "; ".join(f"{c[2]} ({icd10.with_dot(c[0])})" for c in known)
        text["measurable_goals"] = " ".join(c[3] for c in known)
        text["symptom_management"] = " ".join(c[4] for c in known)
        if version > 1:
            text["measurable_goals"] += " Goals updated with the patient at review."
        return {k: text[k] for k, _ in ELEMENTS if k in text}
