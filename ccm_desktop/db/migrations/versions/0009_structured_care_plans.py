"""Structured care plans: plan status, substantial revisions, review dates, copies given,
and the practice's own care-plan templates.

- ``care_plan``: ``status`` (draft, complete, kept_elsewhere) replaces ``kept_elsewhere``;
  ``substantial`` and ``change_note`` describe the revision; ``next_review`` is the day
  the plan is due for review, computed at save so the worklist reads it in one query.
  Existing rows: a plan kept elsewhere keeps that status with empty content; any other
  row was an established plan (status complete) whose free text ``{element: text}``
  moves under ``legacy``; content becomes ``{"schema": 1, ...}`` (the schema of
  ccm_desktop/careplan/content.py). ``next_review`` = established date + 12 months (the
  same day, or the month's last day when it is shorter).
- ``care_plan_copy``: a copy given to the patient (day, method, who recorded it).
- ``careplan_template``: a template the practice edited or added (its TOML as written).

The codes of the status and method checks are copied here so this migration keeps what
it did.

Downgrade loses: drafts (they become plans, as the old version knows no drafts), the
substantial flag, change notes, review dates, copies given and the practice's templates;
structured content stays as stored (the old version shows it as raw fields), and legacy
free text returns to the top level.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import json
from calendar import monthrange
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

import ccm_desktop.db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_STATUSES = ("draft", "complete", "kept_elsewhere")
_METHODS = ("printed", "mailed", "portal", "caregiver")
_REVIEW_MONTHS = 12


def _check(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(repr(v) for v in values) + ")"


def _months_after(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(y, m + 1, min(d.day, monthrange(y, m + 1)[1]))


def _as_dict(raw: Any) -> dict[str, Any]:
    value = json.loads(raw) if isinstance(raw, str) else raw
    return value if isinstance(value, dict) else {}


def _new_content(old: dict[str, Any], kept_elsewhere: bool) -> dict[str, Any]:
    legacy = {
        str(k): v if isinstance(v, str) else json.dumps(v)
        for k, v in old.items()
        if v not in (None, "", [], {})
    }
    if kept_elsewhere or not legacy:
        return {"schema": 1}
    return {"schema": 1, "legacy": legacy}


def upgrade() -> None:
    with op.batch_alter_table("care_plan", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="complete")
        )
        batch_op.add_column(
            sa.Column("substantial", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("change_note", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("next_review", sa.Date(), nullable=True))

    conn = op.get_bind()
    plans = sa.table(
        "care_plan",
        sa.column("id", sa.Integer),
        sa.column("established_date", sa.Date),
        sa.column("kept_elsewhere", sa.Boolean),
        sa.column("content", sa.Text),
        sa.column("status", sa.String),
        sa.column("next_review", sa.Date),
    )
    rows = conn.execute(
        sa.select(plans.c.id, plans.c.established_date, plans.c.kept_elsewhere, plans.c.content)
    ).all()
    for pid, established, kept, raw in rows:
        conn.execute(
            plans.update()
            .where(plans.c.id == pid)
            .values(
                status="kept_elsewhere" if kept else "complete",
                content=json.dumps(_new_content(_as_dict(raw), bool(kept))),
                next_review=_months_after(established, _REVIEW_MONTHS),
            )
        )

    with op.batch_alter_table("care_plan", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)
        batch_op.alter_column("substantial", server_default=None)
        batch_op.alter_column("change_note", server_default=None)
        batch_op.create_check_constraint(
            batch_op.f("ck_care_plan_status"), _check("status", _STATUSES)
        )
        batch_op.drop_column("kept_elsewhere")

    op.create_table(
        "care_plan_copy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("care_plan_id", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(_check("method", _METHODS), name=op.f("ck_care_plan_copy_method")),
        sa.ForeignKeyConstraint(
            ["care_plan_id"],
            ["care_plan.id"],
            name=op.f("fk_care_plan_copy_care_plan_id_care_plan"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_user.id"],
            name=op.f("fk_care_plan_copy_recorded_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plan_copy")),
    )
    op.create_index(
        op.f("ix_care_plan_copy_care_plan_id"), "care_plan_copy", ["care_plan_id"], unique=False
    )
    op.create_table(
        "careplan_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["staff_user.id"],
            name=op.f("fk_careplan_template_updated_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_careplan_template")),
        sa.UniqueConstraint("template_id", name=op.f("uq_careplan_template_template_id")),
    )


def downgrade() -> None:
    op.drop_table("careplan_template")
    op.drop_index(op.f("ix_care_plan_copy_care_plan_id"), table_name="care_plan_copy")
    op.drop_table("care_plan_copy")
    with op.batch_alter_table("care_plan", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kept_elsewhere", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    conn = op.get_bind()
    plans = sa.table(
        "care_plan",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("content", sa.Text),
        sa.column("kept_elsewhere", sa.Boolean),
    )
    for pid, status, raw in conn.execute(
        sa.select(plans.c.id, plans.c.status, plans.c.content)
    ).all():
        content = _as_dict(raw)
        content.pop("schema", None)
        legacy = content.pop("legacy", None)
        if isinstance(legacy, dict):
            content = {**legacy, **content}
        conn.execute(
            plans.update()
            .where(plans.c.id == pid)
            .values(kept_elsewhere=status == "kept_elsewhere", content=json.dumps(content))
        )
    with op.batch_alter_table("care_plan", schema=None) as batch_op:
        batch_op.alter_column("kept_elsewhere", server_default=None)
        batch_op.drop_constraint(batch_op.f("ck_care_plan_status"), type_="check")
        batch_op.drop_column("next_review")
        batch_op.drop_column("change_note")
        batch_op.drop_column("substantial")
        batch_op.drop_column("status")
