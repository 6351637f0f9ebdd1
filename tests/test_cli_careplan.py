"""``ccm-desktop careplan MRN --pdf OUT``: the latest complete plan written (0600, atomically)
in the patient's language or --language, --large-print, --clinician; a newer draft left out
and said; each refusal (unknown MRN, no plan, only a draft, kept elsewhere, no user, an
unknown language) in words with no file written.
"""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from ccm_desktop import cli
from ccm_desktop.app import open_practice
from ccm_desktop.paths import DataPaths
from ccm_desktop.services.base import Clock
from ccm_desktop.services.patients import PatientInput
from tests.care_plan_pdf_data import CONTENT
from tests.conftest import FIXED_NOW, PASSPHRASE


def add_patient(ctx, actor, mrn: str, language: str = "es") -> int:
    pid = ctx.patients.create(  # a birthday of its own: no possible duplicates
        actor,
        PatientInput(
            mrn,
            "Example",
            "Rosa",
            f"1950-03-{int(mrn[2:]):02d}",
            "F",
            preferred_language=language,
            billing_provider_npi="1234567893",
        ),
    )
    ctx.patients.add_condition(actor, pid, "E11.9")
    ctx.patients.add_condition(actor, pid, "I10")
    return pid


def save(ctx, actor, pid: int, base: int | None, complete: bool) -> int:
    return ctx.careplans.save_revision(
        actor, pid, CONTENT, base_version=base, complete=complete, substantial=False, change_note=""
    )


@pytest.fixture
def practice(practice_paths: DataPaths, monkeypatch: pytest.MonkeyPatch) -> Path:
    """CP1: a complete plan (Spanish-speaking); CP2: complete, then a newer draft; CP3: only
    a draft; CP4: kept in another record; CP5: no plan; CP6: prefers Vietnamese; CP7:
    a complete plan on a record entered in error."""
    with open_practice(practice_paths, PASSPHRASE, clock=Clock(lambda: FIXED_NOW)) as ctx:
        dr = ctx.practice.actor_for("dr.example")
        save(ctx, dr, add_patient(ctx, dr, "CP1"), None, True)
        cp2 = add_patient(ctx, dr, "CP2")
        save(ctx, dr, cp2, None, True)
        save(ctx, dr, cp2, 1, False)
        save(ctx, dr, add_patient(ctx, dr, "CP3"), None, False)
        ctx.careplans.add_kept_elsewhere(dr, add_patient(ctx, dr, "CP4"), date(2026, 9, 1))
        add_patient(ctx, dr, "CP5")
        save(ctx, dr, add_patient(ctx, dr, "CP6", "vi"), None, True)
        cp7 = add_patient(ctx, dr, "CP7")
        save(ctx, dr, cp7, None, True)
        ctx.patients.mark_entered_in_error(ctx.practice.actor_for("admin"), cp7, "Test record.")
    monkeypatch.setenv("CCM_DESKTOP_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("CCM_DESKTOP_USER", "nurse.kim")
    return practice_paths.root


def run(data: Path, *args: str) -> int:
    return cli.main(["--data-dir", str(data), "careplan", *args])


def text(path: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(path).pages]


def test_the_patients_copy_in_their_language(practice, tmp_path, capsys):
    out = tmp_path / "plan.pdf"
    assert run(practice, "CP1", "--pdf", str(out)) == 0
    pages = text(out)
    assert "Mi plan de acción" in pages[0] and "Rosa Example" in pages[0]
    assert all("Versión 1 del 16/11/2026" in p for p in pages)
    assert all(f"Página {n} de {len(pages)}" in p for n, p in enumerate(pages, 1))
    assert "Dana Example, MD" in " ".join(pages)  # the billing provider, with credential
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert not list(tmp_path.glob("*.partial"))
    said = capsys.readouterr()
    assert "Wrote version 1 of 11/16/2026 of the care plan of CP1 (patient's copy, Spanish)" in (
        said.out
    )
    assert "not encrypted" in said.out
    assert (
        "2 items have no Spanish text and print in English: patient task 2, medicine "
        "Lisinopril." in said.err
    )


def test_english_large_print_and_the_clinicians_copy(practice, tmp_path, capsys):
    big = tmp_path / "big.pdf"
    assert run(practice, "CP1", "--pdf", str(big), "--language", "EN", "--large-print") == 0
    assert "My Action Plan" in text(big)[0]
    said = capsys.readouterr()
    assert "(patient's copy, English, large print)" in said.out and "no Spanish" not in said.err
    full = tmp_path / "full.pdf"
    assert run(practice, "CP1", "--pdf", str(full), "--clinician") == 0
    joined = " ".join(text(full))
    assert "Care plan (clinician copy)" in joined and "E11.9" in joined
    assert "Written by: " in joined
    assert "(clinician's copy, English)" in capsys.readouterr().out


def test_a_newer_draft_is_not_printed_and_said(practice, tmp_path, capsys):
    out = tmp_path / "cp2.pdf"
    assert run(practice, "CP2", "--pdf", str(out), "--language", "en") == 0
    pages = text(out)
    assert all("Version 1 of" in p and "Draft" not in p for p in pages)
    assert "Not printed: version 2, still a draft." in capsys.readouterr().out


def test_a_language_without_wording_is_english_with_a_warning(practice, tmp_path, capsys):
    out = tmp_path / "cp6.pdf"
    assert run(practice, "CP6", "--pdf", str(out)) == 0
    assert "We do not have this plan in Vietnamese yet" in text(out)[0]
    assert "There is no care plan print-out in Vietnamese" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("mrn", "words"),
    [
        ("NOPE1", "No patient has MRN NOPE1."),
        ("CP5", "This patient has no care plan yet"),
        ("CP3", "This patient's care plan is still a draft"),
        ("CP4", "kept in another record (version 1 of 09/01/2026)"),
        ("CP7", "The record CP7 was entered in error."),
    ],
)
def test_nothing_to_print_is_refused_in_words(practice, tmp_path, capsys, mrn, words):
    out = tmp_path / "x.pdf"
    assert run(practice, mrn, "--pdf", str(out)) == 1
    assert words in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.glob("*.partial"))


def test_mistakes_in_the_command(practice, tmp_path, capsys, monkeypatch):
    out = tmp_path / "x.pdf"
    assert run(practice, "CP1", "--pdf", str(out), "--language", "fr") == 2
    assert "There is no care plan print-out in 'fr': use en or es." in capsys.readouterr().err
    assert run(practice, "CP1") == 2  # --pdf is required
    capsys.readouterr()
    monkeypatch.delenv("CCM_DESKTOP_USER")
    assert run(practice, "CP1", "--pdf", str(out)) == 1
    assert "must say which staff member is asking" in capsys.readouterr().err
    assert run(practice, "CP1", "--pdf", str(tmp_path)) == 1  # a folder
    assert not out.exists()
