"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28 07:41:55.445893
"""

from alembic import op
import sqlalchemy as sa
import ccm_desktop.db.types
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "practice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("npi", sa.String(length=10), nullable=False),
        sa.Column("tin", sa.String(length=9), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("zip", sa.String(length=10), nullable=False),
        sa.Column("phone", sa.String(length=10), nullable=False),
        sa.Column("after_hours_phone", sa.String(length=10), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice")),
    )
    op.create_table(
        "provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credential", sa.String(length=10), nullable=False),
        sa.Column("npi", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider")),
        sa.UniqueConstraint("npi", name=op.f("uq_provider_npi")),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column(
            "value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mrn", sa.String(length=40), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("dob", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("phone", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("zip", sa.String(length=10), nullable=False),
        sa.Column("preferred_language", sa.String(length=8), nullable=False),
        sa.Column("mbi", sa.String(length=11), nullable=True),
        sa.Column("qmb", sa.Boolean(), nullable=False),
        sa.Column("billing_provider_id", sa.Integer(), nullable=True),
        sa.Column("last_visit_date", sa.Date(), nullable=True),
        sa.Column("created_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("sex IN ('F', 'M', 'X', 'U')", name=op.f("ck_patient_sex")),
        sa.ForeignKeyConstraint(
            ["billing_provider_id"],
            ["provider.id"],
            name=op.f("fk_patient_billing_provider_id_provider"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint("mrn", name=op.f("uq_patient_mrn")),
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_billing_provider_id"), ["billing_provider_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_patient_dob"), ["dob"], unique=False)
        batch_op.create_index(batch_op.f("ix_patient_mbi"), ["mbi"], unique=False)
        batch_op.create_index("ix_patient_name", ["last_name", "first_name"], unique=False)

    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("credential", sa.String(length=10), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "role IN ('front_desk', 'care_manager', 'provider', 'billing', 'admin')",
            name=op.f("ck_staff_user_role"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["provider.id"], name=op.f("fk_staff_user_provider_id_provider")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_user_username")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_audit_event_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_user.id"], name=op.f("fk_audit_event_staff_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_event_patient_at", ["patient_id", "at"], unique=False)

    op.create_table(
        "care_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("established_date", sa.Date(), nullable=False),
        sa.Column("kept_elsewhere", sa.Boolean(), nullable=False),
        sa.Column(
            "content",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_user.id"], name=op.f("fk_care_plan_created_by_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_care_plan_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plan")),
        sa.UniqueConstraint("patient_id", "version", name=op.f("uq_care_plan_patient_id")),
    )
    with op.batch_alter_table("care_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_plan_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "condition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("onset_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("last_assessed_date", sa.Date(), nullable=True),
        sa.Column("recorded_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'resolved', 'inactive')", name=op.f("ck_condition_status")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_condition_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_condition")),
        sa.UniqueConstraint("patient_id", "code", name=op.f("uq_condition_patient_id")),
    )
    with op.batch_alter_table("condition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_condition_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "enrollment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=12), nullable=False),
        sa.Column("billing_provider_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "program IN ('ccm', 'complex_ccm', 'pcm', 'apcm')", name=op.f("ck_enrollment_program")
        ),
        sa.CheckConstraint(
            "status IN ('enrolled', 'declined', 'disenrolled', 'transferred', 'program_changed')",
            name=op.f("ck_enrollment_status"),
        ),
        sa.ForeignKeyConstraint(
            ["billing_provider_id"],
            ["provider.id"],
            name=op.f("fk_enrollment_billing_provider_id_provider"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_enrollment_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment")),
    )
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrollment_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "time_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("started_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(length=32), nullable=False),
        sa.Column("patient_contact", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("created_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "activity IN ('call_patient', 'call_caregiver', 'coordination', 'medication_reconciliation', 'care_plan', 'referral', 'education', 'other')",
            name=op.f("ck_time_entry_activity"),
        ),
        sa.CheckConstraint(
            "source IN ('timer', 'manual', 'import')", name=op.f("ck_time_entry_source")
        ),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_time_entry_minutes_positive")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_time_entry_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_user.id"], name=op.f("fk_time_entry_staff_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entry")),
        sa.UniqueConstraint("patient_id", "staff_id", "started_at", name="uq_time_entry_start"),
    )
    with op.batch_alter_table("time_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_time_entry_patient_started", ["patient_id", "started_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_time_entry_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("program", sa.String(length=12), nullable=False),
        sa.Column("billing_provider_id", sa.Integer(), nullable=True),
        sa.Column("consented", sa.Boolean(), nullable=False),
        sa.Column("consent_date", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("obtained_by_id", sa.Integer(), nullable=True),
        sa.Column("witness", sa.String(length=200), nullable=False),
        sa.Column("disclosed_service", sa.Boolean(), nullable=False),
        sa.Column("disclosed_cost_sharing", sa.Boolean(), nullable=False),
        sa.Column("disclosed_one_practitioner", sa.Boolean(), nullable=False),
        sa.Column("disclosed_stop_anytime", sa.Boolean(), nullable=False),
        sa.Column("decline_reason", sa.Text(), nullable=False),
        sa.Column("recorded_via", sa.String(length=8), nullable=False),
        sa.Column("recorded_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("method IN ('verbal', 'written')", name=op.f("ck_consent_method")),
        sa.CheckConstraint(
            "program IN ('ccm', 'complex_ccm', 'pcm', 'apcm')", name=op.f("ck_consent_program")
        ),
        sa.ForeignKeyConstraint(
            ["billing_provider_id"],
            ["provider.id"],
            name=op.f("fk_consent_billing_provider_id_provider"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"], ["enrollment.id"], name=op.f("fk_consent_enrollment_id_enrollment")
        ),
        sa.ForeignKeyConstraint(
            ["obtained_by_id"], ["staff_user.id"], name=op.f("fk_consent_obtained_by_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_consent_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_enrollment_id"), ["enrollment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_consent_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "enrollment_status_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('enrolled', 'declined', 'disenrolled', 'transferred', 'program_changed')",
            name=op.f("ck_enrollment_status_event_status"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
            name=op.f("fk_enrollment_status_event_enrollment_id_enrollment"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_user.id"],
            name=op.f("fk_enrollment_status_event_recorded_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment_status_event")),
    )
    with op.batch_alter_table("enrollment_status_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrollment_status_event_enrollment_id"), ["enrollment_id"], unique=False
        )

    op.create_table(
        "initiating_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("visit_type", sa.String(length=8), nullable=False),
        sa.Column("g0506", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "visit_type IN ('awv', 'ippe', 'em')", name=op.f("ck_initiating_visit_visit_type")
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
            name=op.f("fk_initiating_visit_enrollment_id_enrollment"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_initiating_visit_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["provider.id"], name=op.f("fk_initiating_visit_provider_id_provider")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiating_visit")),
    )
    with op.batch_alter_table("initiating_visit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiating_visit_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "time_entry_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time_entry_id", sa.Integer(), nullable=False),
        sa.Column(
            "previous",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["staff_user.id"],
            name=op.f("fk_time_entry_revision_changed_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["time_entry_id"],
            ["time_entry.id"],
            name=op.f("fk_time_entry_revision_time_entry_id_time_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entry_revision")),
    )
    with op.batch_alter_table("time_entry_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_time_entry_revision_time_entry_id"), ["time_entry_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("time_entry_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_entry_revision_time_entry_id"))

    op.drop_table("time_entry_revision")
    with op.batch_alter_table("initiating_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiating_visit_patient_id"))

    op.drop_table("initiating_visit")
    with op.batch_alter_table("enrollment_status_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollment_status_event_enrollment_id"))

    op.drop_table("enrollment_status_event")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_patient_id"))
        batch_op.drop_index(batch_op.f("ix_consent_enrollment_id"))

    op.drop_table("consent")
    with op.batch_alter_table("time_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_entry_staff_id"))
        batch_op.drop_index("ix_time_entry_patient_started")

    op.drop_table("time_entry")
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollment_patient_id"))

    op.drop_table("enrollment")
    with op.batch_alter_table("condition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_condition_patient_id"))

    op.drop_table("condition")
    with op.batch_alter_table("care_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_plan_patient_id"))

    op.drop_table("care_plan")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_patient_at")
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    op.drop_table("staff_user")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index("ix_patient_name")
        batch_op.drop_index(batch_op.f("ix_patient_mbi"))
        batch_op.drop_index(batch_op.f("ix_patient_dob"))
        batch_op.drop_index(batch_op.f("ix_patient_billing_provider_id"))

    op.drop_table("patient")
    op.drop_table("setting")
    op.drop_table("provider")
    op.drop_table("practice")
