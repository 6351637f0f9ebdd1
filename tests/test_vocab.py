"""The vocabulary (ccm_desktop.vocab) and the database's CHECK constraints say the same."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum

import pytest
from sqlalchemy import JSON, Boolean, CheckConstraint, Date, Integer, String, Table, Text
from sqlalchemy.exc import IntegrityError

from ccm_desktop.db.models import Base
from ccm_desktop.db.types import UTCDateTime
from ccm_desktop.errors import ValidationError
from ccm_desktop.vocab import (
    Activity,
    ConditionStatus,
    ConsentMethod,
    EnrollmentStatus,
    Program,
    Role,
    Sex,
    TimeSource,
    VisitKind,
    codes,
    parse,
)

# Which enum each enumerated column holds.
COLUMN_ENUMS: dict[tuple[str, str], type[StrEnum]] = {
    ("staff_user", "role"): Role,
    ("patient", "sex"): Sex,
    ("condition", "status"): ConditionStatus,
    ("enrollment", "program"): Program,
    ("enrollment", "status"): EnrollmentStatus,
    ("enrollment_status_event", "status"): EnrollmentStatus,
    ("consent", "method"): ConsentMethod,
    ("consent", "program"): Program,
    ("initiating_visit", "visit_type"): VisitKind,
    ("time_entry", "activity"): Activity,
    ("time_entry", "source"): TimeSource,
}
_IN = re.compile(r"^\s*(\w+) IN \((.*)\)\s*$")


def value_lists() -> dict[tuple[str, str], tuple[str, ...]]:
    """Every CHECK constraint of the models that lists values: (table, column) -> values."""
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for table in Base.metadata.sorted_tables:
        for c in table.constraints:
            if isinstance(c, CheckConstraint) and (m := _IN.match(str(c.sqltext))):
                values = tuple(re.findall(r"'((?:[^']|'')*)'", m.group(2)))
                found[(table.name, m.group(1))] = values
    return found


def test_every_value_list_has_its_enum():
    assert set(value_lists()) == set(COLUMN_ENUMS)


@pytest.mark.parametrize(("column", "kind"), COLUMN_ENUMS.items(), ids=lambda x: str(x))
def test_check_constraint_lists_exactly_the_enum(column, kind):
    assert value_lists()[column] == codes(kind)


def _filler(table: Table, column: str, value: str) -> dict[str, object]:
    """A row of ``table`` with ``column`` = ``value`` and every other required column
    filled with something its type and CHECK constraints accept."""
    row: dict[str, object] = {}
    for col in table.columns:
        if col.primary_key or col.nullable or col.default is not None:
            continue
        if col.server_default is not None:
            continue
        kind = COLUMN_ENUMS.get((table.name, col.name))
        if kind is not None:
            row[col.name] = codes(kind)[0]
        elif isinstance(col.type, Boolean):
            row[col.name] = False
        elif isinstance(col.type, Integer):
            row[col.name] = 1
        elif isinstance(col.type, UTCDateTime):
            row[col.name] = datetime(2020, 1, 1, tzinfo=UTC)
        elif isinstance(col.type, Date):
            row[col.name] = date(2020, 1, 1)
        elif isinstance(col.type, JSON):
            row[col.name] = {}
        elif isinstance(col.type, String | Text):
            row[col.name] = "x"
        else:  # pragma: no cover - a new column type needs a filler here
            raise AssertionError(f"no filler for {table.name}.{col.name}: {col.type!r}")
    row[column] = value
    return row


def test_the_database_accepts_every_enum_value_and_nothing_else(ctx):
    """Inserts into the real encrypted, migrated practice database, then rolls back."""
    with ctx.db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")  # outside a transaction, or it is ignored
        try:
            with conn.begin() as trans:
                for (table_name, column), kind in COLUMN_ENUMS.items():
                    table = Base.metadata.tables[table_name]
                    for value in codes(kind):
                        row = conn.begin_nested()
                        conn.execute(table.insert().values(_filler(table, column, value)))
                        row.rollback()  # accepted; keep the next row clear of unique keys
                    with pytest.raises(IntegrityError, match="CHECK"), conn.begin_nested():
                        conn.execute(table.insert().values(_filler(table, column, "not_a_code")))
                trans.rollback()
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def test_parse_returns_the_member():
    assert parse(Program, "pcm", "program") is Program.PCM
    assert parse(Role, Role.ADMIN, "role") is Role.ADMIN


def test_parse_names_the_field_and_the_accepted_codes():
    with pytest.raises(ValidationError) as err:
        parse(Program, "chronic", "enrollment.program")
    assert err.value.field == "enrollment.program"
    assert str(err.value).startswith("enrollment.program: 'chronic' is not accepted")
    for code in codes(Program):
        assert code in err.value.text


def test_codes_keep_declaration_order():
    assert codes(Sex) == ("F", "M", "X", "U")
    assert all(isinstance(c, str) for c in codes(Activity))
