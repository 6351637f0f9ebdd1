"""The vocabulary (ccm_desktop.vocab) and the database's CHECK constraints say the same; no
rule number (ccm_desktop.rules) is left in the UI."""

from __future__ import annotations

import io
import re
import tokenize
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

import pytest
from sqlalchemy import JSON, Boolean, CheckConstraint, Date, Integer, String, Table, Text
from sqlalchemy.exc import IntegrityError

import ccm_desktop
from ccm_desktop.db.models import Base
from ccm_desktop.db.types import UTCDateTime
from ccm_desktop.errors import ValidationError
from ccm_desktop.vocab import (
    Activity,
    ConditionStatus,
    ConsentMethod,
    CopyMethod,
    EnrollmentStatus,
    PlanStatus,
    Program,
    RecordStatus,
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
    ("patient", "record_status"): RecordStatus,
    ("condition", "status"): ConditionStatus,
    ("enrollment", "program"): Program,
    ("enrollment", "status"): EnrollmentStatus,
    ("enrollment_status_event", "status"): EnrollmentStatus,
    ("consent", "method"): ConsentMethod,
    ("consent", "program"): Program,
    ("initiating_visit", "visit_type"): VisitKind,
    ("time_entry", "activity"): Activity,
    ("time_entry", "source"): TimeSource,
    ("running_timer", "activity"): Activity,
    ("care_plan", "status"): PlanStatus,
    ("care_plan_copy", "method"): CopyMethod,
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


# -- no rule number in the user interface ---------------------------------------------------

UI = Path(ccm_desktop.__file__).parent / "ui"
CODE = re.compile(r"\b(?:99\d{3}|G0\d{3})\b|\b99\d{2}\{")  # also "9921{level}"
RULE_WORDS = re.compile(r"\b[1-9]\d* (?:min|minutes|months|years)\b")
PROGRAM_KEYS = {p.value for p in Program}
RULE_NAME = re.compile(r"minute|threshold|target|goal|window|years|months|count|conditions", re.I)
COMPARE = {"<", "<=", ">", ">=", "==", "!="}


def _rule_numbers(path: Path, root: Path = UI) -> list[str]:
    """Rule numbers in a source file's code and user text (comments and docstrings are
    skipped): CPT/HCPCS codes, "20 minutes"-like wording, program-keyed numbers, and
    comparisons of a number above 1 on a line about minutes, windows or condition counts."""
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline))
    name = str(path.relative_to(root))
    found: list[str] = []
    line: list[tokenize.TokenInfo] = []
    previous = tokenize.NEWLINE
    skip = (tokenize.COMMENT, tokenize.NL)
    for i, tok in enumerate(tokens):
        if tok.type in skip:
            continue
        where = f"{name}:{tok.start[0]}"
        if tok.type == tokenize.STRING:
            after = next((t for t in tokens[i + 1 :] if t.type not in skip), None)
            starts = previous in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
            docstring = starts and after is not None and after.type == tokenize.NEWLINE
            if not docstring and (CODE.search(tok.string) or RULE_WORDS.search(tok.string)):
                found.append(f"{where} text {tok.string[:50]}")
        if tok.type == tokenize.NUMBER and CODE.search(tok.string):
            found.append(f"{where} code {tok.string}")
        if tok.type == tokenize.NEWLINE:
            found += _line_rules(line, name)
            line = []
        else:
            line.append(tok)
        previous = tok.type
    return found


def _line_rules(line: list[tokenize.TokenInfo], name: str) -> list[str]:
    found: list[str] = []
    about_rules = any(t.type == tokenize.NAME and RULE_NAME.search(t.string) for t in line)
    for i, tok in enumerate(line):
        near = [line[j] for j in (i - 1, i + 1) if 0 <= j < len(line)]
        where = f"{name}:{tok.start[0]}"
        if tok.type == tokenize.OP and tok.string in COMPARE and about_rules:
            numbers = [t for t in near if t.type == tokenize.NUMBER and t.string.isdigit()]
            if any(int(t.string) > 1 for t in numbers):
                found.append(f"{where} comparison " + " ".join(t.string for t in line))
        if tok.type == tokenize.OP and tok.string == ":" and len(near) == 2:
            key, value = near
            program_key = key.type == tokenize.STRING and key.string.strip("\"'") in PROGRAM_KEYS
            if program_key and value.type == tokenize.NUMBER:
                found.append(f"{where} program-keyed number {key.string}: {value.string}")
    return found


def test_no_rule_number_in_the_ui():
    """Thresholds, codes and windows reach the UI from ccm_desktop.rules, never as literals."""
    found = [f for p in sorted(UI.rglob("*.py")) for f in _rule_numbers(p)]
    assert found == []


def test_the_scan_finds_rule_numbers(tmp_path):
    sample = tmp_path / "page.py"
    sample.write_text(
        '"""Docstrings may say 99490 and 20 minutes."""\n'
        "# so may comments: G0506\n"
        'TARGETS = {"ccm": 20, "pcm": 30}\n'
        'label = tr("Add G0506 to this visit")\n'
        'level = tr("Office visit ({n})").format(n=f"9921{level}")\n'
        'hint = tr("at least 20 minutes")\n'
        "if minutes >= 20:\n"
        "    pass\n"
        "if count > 1:\n"
        "    pass\n",
        encoding="utf-8",
    )
    found = _rule_numbers(sample, tmp_path)
    where = sorted(f.split()[0] for f in found)
    assert where == ["page.py:3", "page.py:3", "page.py:4", "page.py:5", "page.py:6", "page.py:7"]
