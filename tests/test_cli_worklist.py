"""``ccm-desktop worklist``: the table, the CSV contract, --month, --care-manager, the
mutual exclusion of --csv and --pdf, mistakes in words, and the PDF call list read back.

The practice is filled through the services with the tests' fixed clock (mid-November
2026); the command runs with the real clock, so October 2026 is a month that is over and
January 2099 one still ahead.
"""

from __future__ import annotations

import csv
import os
import stat
import subprocess
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from ccm_desktop import cli
from ccm_desktop.app import open_practice
from ccm_desktop.db.models import Patient
from ccm_desktop.paths import DataPaths
from ccm_desktop.reports.call_list import call_list_pdf
from ccm_desktop.services.base import Clock
from ccm_desktop.services.worklist import Worklist
from tests.conftest import FIXED_NOW, PASSPHRASE
from tests.test_time_counts import enroll, insert_entry, log, patient

COLUMNS = (
    "mrn,patient_name,program,minutes,minutes_to_next_code,next_code,days_left,last_contact,flags"
)


@pytest.fixture
def filled(practice_paths: DataPaths, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Nine enrolled patients (Kim cares for the first five), one not enrolled; October
    time, one entry of it by front desk (never counted). Closed before the command runs
    (one practice open at a time)."""
    with open_practice(practice_paths, PASSPHRASE, clock=Clock(lambda: FIXED_NOW)) as ctx:
        dr, kim = ctx.practice.actor_for("dr.example"), ctx.practice.actor_for("nurse.kim")
        front = ctx.practice.actor_for("front")
        for n, last in enumerate(
            ["Adams", "Baker", "Chen", "Diaz", "Evans", "Fox", "Gray", "Hill"]
        ):
            pid = patient(ctx, dr, f"W{n}", last=last)
            enroll(ctx, dr, pid, date(2026, 10, 1), "pcm" if last == "Hill" else "ccm")
            if n:
                log(ctx, kim, pid, datetime(2026, 10, 5, 12 + n, tzinfo=UTC), 3 * n)
            if n == 0:
                insert_entry(ctx, pid, front.staff_id, datetime(2026, 10, 6, 15, tzinfo=UTC), 30)
        enroll(ctx, dr, patient(ctx, dr, "W9", last="Ito"), date(2026, 10, 1), "apcm")
        patient(ctx, dr, "W10", last="Jones")  # not enrolled: not listed
        with ctx.db.write() as s:  # Kim's patients (the assignment has its own tests)
            s.execute(
                update(Patient)
                .where(Patient.mrn.in_(["W0", "W1", "W2", "W3", "W4"]))
                .values(care_manager_id=kim.staff_id)
            )
    monkeypatch.setenv("CCM_DESKTOP_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("CCM_DESKTOP_USER", "nurse.kim")
    return practice_paths.root


def run(data: Path, *args: str) -> int:
    return cli.main(["--data-dir", str(data), "worklist", *args])


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_columns_and_rows_of_a_past_month(filled, tmp_path, capsys):
    out = tmp_path / "oct.csv"
    assert run(filled, "--month", "2026-10", "--csv", str(out)) == 0
    raw = out.read_bytes()
    assert raw.startswith(COLUMNS.encode() + b"\r\n")  # no byte-order mark before "mrn"
    rows = read_csv(out)
    by = {r["mrn"]: r for r in rows}
    assert set(by) == {*(f"W{n}" for n in range(8)), "W9"}  # Jones is not enrolled
    adams = by["W0"]
    assert adams == {
        "mrn": "W0",
        "patient_name": "Adams, Ada",
        "program": "ccm",
        "minutes": "0",  # the front desk's 30 minutes do not count
        "minutes_to_next_code": "",
        "next_code": "",
        "days_left": "0",
        "last_contact": "",
        "flags": "no contact this month;no care plan",
    }
    assert by["W7"]["program"] == "pcm" and by["W7"]["minutes"] == "21"
    assert by["W1"]["last_contact"] == "2026-10-05" and by["W1"]["flags"] == "no care plan"
    assert by["W9"]["program"] == "apcm"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert not list(tmp_path.glob("*.partial"))
    assert "Wrote 9 patients of 10/2026" in capsys.readouterr().out


def test_a_month_ahead_shows_the_next_code(filled, tmp_path):
    out = tmp_path / "jan.csv"
    assert run(filled, "--month", "2099-01", "--csv", str(out)) == 0
    rows = read_csv(out)
    assert [r["mrn"] for r in rows] == ["W0", "W1", "W2", "W3", "W4", "W5", "W6", "W7", "W9"]
    first = rows[0]
    assert (first["minutes"], first["minutes_to_next_code"], first["next_code"]) == (
        "0",
        "20",
        "99490",
    )
    assert {r["days_left"] for r in rows} == {"31"}
    hill = next(r for r in rows if r["mrn"] == "W7")
    assert (hill["minutes_to_next_code"], hill["next_code"]) == ("30", "99426")
    ito = next(r for r in rows if r["mrn"] == "W9")
    assert (ito["minutes_to_next_code"], ito["next_code"]) == ("", "")
    assert rows[-1]["mrn"] == "W9"  # not billed on minutes: last


def test_order_follows_the_worklist(filled, tmp_path):
    out = tmp_path / "oct.csv"
    run(filled, "--month", "2026-10", "--csv", str(out))
    names = [r["patient_name"].split(",")[0] for r in read_csv(out)]
    # October is over: every code out of reach, the fewest minutes still needed first
    # (Gray 18 of 20 needs 2, Fox 5, Evans 8, Hill's PCM 21 of 30 needs 9 ...), APCM last.
    assert names == ["Gray", "Fox", "Evans", "Hill", "Diaz", "Chen", "Baker", "Adams", "Ito"]


def test_care_manager_filter_and_unknown_name(filled, tmp_path, capsys):
    out = tmp_path / "kim.csv"
    assert run(filled, "--month", "2026-10", "--care-manager", "nurse.kim", "--csv", str(out)) == 0
    assert {r["mrn"] for r in read_csv(out)} == {"W0", "W1", "W2", "W3", "W4"}
    capsys.readouterr()
    assert run(filled, "--care-manager", "no.such") == 1
    assert "no.such" in capsys.readouterr().err


def test_bad_input_in_words(filled, tmp_path, capsys):
    for bad in ("2026-13", "2026-3", "March", "2026-00"):
        assert run(filled, "--month", bad) == 1
        assert capsys.readouterr().err.strip() == "--month must be YYYY-MM, for example 2026-03."
    assert run(filled, "--csv", str(tmp_path / "a.csv"), "--pdf", str(tmp_path / "b.pdf")) == 2
    err = capsys.readouterr().err
    assert "usage: ccm-desktop worklist" in err and "not allowed with argument" in err
    assert not (tmp_path / "a.csv").exists() and not (tmp_path / "b.pdf").exists()
    assert run(filled, "--csv", str(tmp_path / "missing" / "a.csv")) == 1
    assert "does not exist" in capsys.readouterr().err


def test_a_named_user_is_needed(filled, monkeypatch, capsys):
    monkeypatch.delenv("CCM_DESKTOP_USER")
    assert run(filled) == 1
    assert "--user USERNAME" in capsys.readouterr().err


def test_table_on_stdout(filled, capsys):
    assert run(filled, "--month", "2026-10") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["MRN", "Patient", "Program"]
    assert any(line.startswith("W0") and "Adams, Ada" in line for line in out)
    assert out[-1] == (
        "9 listed; 9 enrolled, 0 reached the first code, 8 still short, 2 not contacted this month."
    )


def test_pdf_call_list_read_back(filled, tmp_path):
    out = tmp_path / "calls.pdf"
    assert run(filled, "--month", "2026-10", "--care-manager", "nurse.kim", "--pdf", str(out)) == 0
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    csv_out = tmp_path / "kim.csv"
    run(filled, "--month", "2026-10", "--care-manager", "nurse.kim", "--csv", str(csv_out))
    order = [r["patient_name"] for r in read_csv(csv_out)]
    reader = PdfReader(out)
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Call list for October 2026" in text
    assert "Care manager: Kim Carewell" in text and "5 patients" in text
    positions = [text.index(name) for name in order]
    assert positions == sorted(positions)  # the worklist's order
    assert "(555) 010-1234" in text and "MRN W0" in text
    assert f"Page 1 of {len(reader.pages)}" in text


def test_pdf_of_many_pages_and_its_image(filled, tmp_path):
    out = tmp_path / "all.pdf"
    assert run(filled, "--month", "2026-10", "--pdf", str(out)) == 0
    reader = PdfReader(out)
    n = len(reader.pages)
    assert n >= 2
    assert f"Page {n} of {n}" in reader.pages[-1].extract_text()
    assert "All care managers" in reader.pages[0].extract_text()
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    if subprocess.run(["which", "pdftoppm"], capture_output=True).returncode == 0:
        subprocess.run(
            ["pdftoppm", "-r", "40", "-png", "-l", "1", str(out), str(tmp_path / "p")], check=True
        )
        assert list(tmp_path.glob("p-*.png"))


def test_empty_call_list_says_so():
    wl = Worklist(2026, 10, (), 0, 0, 0, 0, "")
    pdf = call_list_pdf(wl, "Maple Grove Family Medicine", None, date(2026, 11, 16))
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert "No patient is on the list for this month." in text
    assert "Page 1 of 1" in text and "Printed 11/16/2026" in text
