"""Migration 0009: plans written before structured care plans upgrade cleanly (status,
legacy free text, review date), read back through the service, and downgrade again."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from alembic import command
from sqlalchemy import Connection

import ccm_desktop.db.migrate as migrate
from ccm_desktop.app import AppContext, open_practice
from ccm_desktop.careplan.content import PlanContent
from ccm_desktop.paths import DataPaths
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.vocab import PlanStatus
from tests.conftest import DATA, PASSPHRASE

FREE_TEXT = {"problem_list": "Diabetes (E11.9)", "measurable_goals": "A1c under 8"}


@contextmanager
def _no_foreign_keys(ctx: AppContext) -> Iterator[Connection]:
    """A connection with foreign keys off, as migrate.upgrade runs a batch rebuild."""
    with ctx.db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            yield conn
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            conn.commit()
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def _to(ctx: AppContext, revision: str) -> None:
    with _no_foreign_keys(ctx) as conn:
        cfg = migrate.alembic_config(conn)
        if revision == "0008":
            command.downgrade(cfg, revision)
        else:
            command.upgrade(cfg, revision)


def _old_rows(ctx: AppContext) -> list[tuple[object, ...]]:
    with ctx.db.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.exec_driver_sql(
                "SELECT version, established_date, kept_elsewhere, content FROM care_plan"
                " ORDER BY version"
            )
        ]


def test_v0008_plans_upgrade_to_structured_revisions_and_back(ctx, clinician):
    pid = ctx.patients.create(clinician, PatientInput("M1", "Old", "Plans", "1950-01-01", "F"))
    ctx.patients.add_condition(clinician, pid, "E11.9")
    staff = clinician.staff_id
    _to(ctx, "0008")
    with ctx.db.engine.begin() as conn:
        for version, day, kept, content in (
            (1, "2023-06-01", 1, {}),  # the import's "kept elsewhere"
            (2, "2024-01-31", 0, FREE_TEXT),  # free text, element by element
            (3, "2024-02-29", 0, {}),  # an empty plan
        ):
            conn.exec_driver_sql(
                "INSERT INTO care_plan (patient_id, version, established_date, kept_elsewhere,"
                " content, created_by_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (pid, version, day, kept, json.dumps(content), staff, "2024-03-01 10:00:00"),
            )
    _to(ctx, "head")

    empty, legacy, elsewhere = ctx.careplans.revisions(pid)
    assert elsewhere.status == PlanStatus.KEPT_ELSEWHERE and elsewhere.content.legacy == {}
    assert elsewhere.next_review == date(2024, 6, 1)
    assert legacy.status == PlanStatus.COMPLETE and legacy.content.legacy == FREE_TEXT
    assert legacy.next_review == date(2025, 1, 31) and not legacy.substantial
    assert legacy.change_note == "" and legacy.created_by == "Dana Example"
    assert empty.status == PlanStatus.COMPLETE and empty.next_review == date(2025, 2, 28)
    # The completeness check says which elements are free text only.
    words = {m.element: m.words for m in ctx.careplans.missing(pid, legacy.content)}
    assert "free text only" in words["problem_list"]
    assert "free text only" in words["measurable_goals"]
    assert "free text" not in words["symptom_management"]

    _to(ctx, "0008")
    assert _old_rows(ctx) == [
        (1, "2023-06-01", 1, "{}"),
        (2, "2024-01-31", 0, json.dumps(FREE_TEXT)),
        (3, "2024-02-29", 0, "{}"),
    ]
    _to(ctx, "head")
    assert [r.status for r in ctx.careplans.revisions(pid)] == [
        PlanStatus.COMPLETE,
        PlanStatus.COMPLETE,
        PlanStatus.KEPT_ELSEWHERE,
    ]


def test_kept_v0008_practice_file_upgrades_its_plans(tmp_path, failing_keyring):
    """tests/data/v0008: a practice file at schema 0008 with a plan kept elsewhere, two
    free-text revisions and an empty plan (written by an upgrade-and-downgrade of 0009)."""
    paths = DataPaths(tmp_path / "old")
    shutil.copytree(DATA / "v0008", paths.root)
    with open_practice(paths, PASSPHRASE) as ctx:
        assert ctx.upgrade.before == "0008" and ctx.upgrade.after == migrate.head_revision()
        plans = {r.mrn: ctx.careplans.revisions(r.id) for r in ctx.patients.rows()}
        [elsewhere] = plans["V8-001"]
        assert (elsewhere.status, elsewhere.content.legacy) == (PlanStatus.KEPT_ELSEWHERE, {})
        second, first = plans["V8-002"]
        assert second.content.legacy == FREE_TEXT and second.next_review == date(2025, 1, 31)
        assert first.content.legacy == {"problem_list": "Diabetes and high blood pressure"}
        assert first.status == second.status == PlanStatus.COMPLETE
        [empty] = plans["V8-003"]
        assert empty.content == PlanContent() and empty.next_review == date(2025, 2, 28)
