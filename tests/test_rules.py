"""The rules file (resources/rules/medicare.toml) as ccm_desktop.rules reads it."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from ccm_desktop import rules
from ccm_desktop.rules import ApcmLevel, OfficeVisit, RulesError, Threshold
from ccm_desktop.validation import months_before
from ccm_desktop.vocab import Credential, Program, Role


def test_the_file_has_a_version_and_a_first_day():
    r = rules.current()
    assert r.path == rules.rules_file() and r.path.is_file()
    assert r.version >= 1 and isinstance(r.effective, date)
    assert set(r.programs) == set(Program)
    assert all(p.source for p in r.programs.values()) and r.time.source


def test_loaded_once():
    assert rules.current() is rules.current()


def test_ccm_thresholds_and_codes():
    assert rules.program(Program.CCM).thresholds == (
        Threshold(20, "99490"),
        Threshold(40, "99439"),
        Threshold(60, "99439"),
    )
    assert rules.program(Program.CCM).practitioner_thresholds[0] == Threshold(30, "99491")


def test_complex_ccm_thresholds_and_codes():
    t = rules.program(Program.COMPLEX_CCM).thresholds
    assert t[0] == Threshold(60, "99487")
    assert t[1:4] == (Threshold(90, "99489"), Threshold(120, "99489"), Threshold(150, "99489"))
    assert {x.code for x in t[1:]} == {"99489"}
    assert "programs.complex_ccm.staff.addon_max_units" in rules.program(Program.COMPLEX_CCM).verify


def test_pcm_thresholds_for_staff_and_practitioner():
    p = rules.program(Program.PCM)
    assert p.thresholds == (Threshold(30, "99426"), Threshold(60, "99427"))
    assert p.practitioner_thresholds == (Threshold(30, "99424"), Threshold(60, "99425"))


def test_apcm_is_not_time_based():
    p = rules.program(Program.APCM)
    assert not p.time_based and p.thresholds == ()
    assert rules.next_threshold(Program.APCM, 0) is None
    assert all(rules.program(x).time_based for x in Program if x is not Program.APCM)


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (0, Threshold(20, "99490")),
        (19, Threshold(20, "99490")),
        (20, Threshold(40, "99439")),
        (39, Threshold(40, "99439")),
        (40, Threshold(60, "99439")),
        (59, Threshold(60, "99439")),
        (60, None),
        (61, None),
    ],
)
def test_next_threshold_ccm(minutes, expected):
    assert rules.next_threshold(Program.CCM, minutes) == expected


@pytest.mark.parametrize(
    ("program", "minutes", "expected"),
    [
        (Program.COMPLEX_CCM, 0, Threshold(60, "99487")),
        (Program.COMPLEX_CCM, 59, Threshold(60, "99487")),
        (Program.COMPLEX_CCM, 60, Threshold(90, "99489")),
        (Program.COMPLEX_CCM, 89, Threshold(90, "99489")),
        (Program.COMPLEX_CCM, 90, Threshold(120, "99489")),
        (Program.PCM, 0, Threshold(30, "99426")),
        (Program.PCM, 29, Threshold(30, "99426")),
        (Program.PCM, 30, Threshold(60, "99427")),
        (Program.PCM, 60, None),
        ("ccm", 25, Threshold(40, "99439")),
    ],
)
def test_next_threshold_other_programs(program, minutes, expected):
    assert rules.next_threshold(program, minutes) == expected


def test_complex_ccm_runs_out_after_the_last_unit():
    last = rules.program(Program.COMPLEX_CCM).thresholds[-1].minutes
    assert rules.next_threshold(Program.COMPLEX_CCM, last) is None


@pytest.mark.parametrize("credential", ["RN", "LPN", "MA", "LCSW", "PharmD"])
def test_clinical_staff_count(credential):
    assert rules.counts_time(Role.CARE_MANAGER, credential)
    assert rules.counts_time(Role.ADMIN, credential)


@pytest.mark.parametrize("credential", ["MD", "DO", "NP", "PA", "CNS"])
def test_billing_practitioners_count(credential):
    assert rules.counts_time(Role.PROVIDER, credential)
    assert Credential(credential) in rules.billing_practitioner_credentials()


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.BILLING])
@pytest.mark.parametrize("credential", list(Credential))
def test_front_desk_and_billing_never_count(role, credential):
    assert not rules.counts_time(role, credential)


@pytest.mark.parametrize("role", [Role.CARE_MANAGER, Role.PROVIDER, Role.ADMIN])
def test_no_credential_does_not_count(role):
    assert not rules.counts_time(role, Credential.NONE)


def test_every_role_and_credential_has_an_answer():
    for role in Role:
        for cred in Credential:
            assert isinstance(rules.counts_time(role, cred), bool)


def test_credential_lists():
    assert rules.clinical_staff_credentials() == tuple(
        Credential(c) for c in ("RN", "LPN", "MA", "LCSW", "PharmD")
    )
    assert rules.billing_practitioner_credentials() == tuple(
        Credential(c) for c in ("MD", "DO", "NP", "PA", "CNS")
    )


def test_eligibility_minimums_and_condition_months():
    assert [rules.eligibility_minimum(p) for p in Program] == [2, 2, 1, 0]
    assert rules.condition_months(Program.CCM) == 12
    assert rules.condition_months(Program.PCM) == 3
    assert rules.condition_months(Program.APCM) is None


def test_initiating_visit_windows():
    assert [rules.visit_window_months(p) for p in Program] == [12, 12, 12, 36]
    today = date(2026, 3, 31)
    assert rules.visit_window_start(Program.CCM, today) == date(2025, 3, 31)
    assert rules.visit_window_start(Program.APCM, today) == date(2023, 3, 31)


def test_initiating_addon_and_entry_limit():
    assert rules.initiating_addon_code() == "G0506"
    assert rules.max_entry_minutes() == 240


def test_office_visit_levels_that_initiate():
    assert rules.office_visits() == tuple(
        OfficeVisit(level, f"9921{level}") for level in (2, 3, 4, 5)
    )


@pytest.mark.parametrize(
    ("count", "qmb", "code", "level"),
    [
        (0, False, "G0556", 1),
        (1, False, "G0556", 1),
        (1, True, "G0556", 1),
        (2, False, "G0557", 2),
        (5, False, "G0557", 2),
        (2, True, "G0558", 3),
    ],
)
def test_apcm_levels(count, qmb, code, level):
    assert rules.apcm_code(count, qmb) == code
    got = rules.apcm_level(count, qmb)
    assert isinstance(got, ApcmLevel) and got.level == level


def test_months_before_clamps_to_the_month_end():
    assert months_before(date(2025, 3, 31), 1) == date(2025, 2, 28)
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


@pytest.fixture
def copy_of_rules(tmp_path):
    path = tmp_path / "medicare.toml"
    shutil.copy(rules.rules_file(), path)
    return path


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_copy_of_the_file_loads_the_same(copy_of_rules):
    assert rules.load(copy_of_rules).programs == rules.current().programs


def test_missing_file_is_named(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(RulesError, match="missing") as err:
        rules.load(path)
    assert str(path) in str(err.value)


def test_not_toml_is_named(copy_of_rules):
    _replace(copy_of_rules, "version = 1", "version = = 1")
    with pytest.raises(RulesError, match="cannot be read") as err:
        rules.load(copy_of_rules)
    assert str(copy_of_rules) in str(err.value)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("first_minutes = 20", 'first_minutes = "20"', "programs.ccm.staff.first_minutes"),
        ('first_code = "99490"\n', "", "programs.ccm.staff.first_code"),
        (
            "visit_window_months = 36",
            "visit_window_months = 0",
            "programs.apcm.visit_window_months",
        ),
        ("max_entry_minutes = 240", "max_entry_minutes = true", "time.max_entry_minutes"),
        ('"LCSW", ', '"Nurse", ', "time.clinical_staff_credentials"),
        ("[programs.pcm]", "[programs.pcmx]", "programs.pcmx"),
        ("qmb = true", "qmb = 1", "programs.apcm.levels[3].qmb"),
        ("effective = 2026-01-01", 'effective = "soon"', "effective"),
        ('{ 2 = "99212",', '{ two = "99212",', "initiating_visit.office_visit_codes.two"),
    ],
)
def test_malformed_values_name_the_file_and_key(copy_of_rules, old, new, key):
    _replace(copy_of_rules, old, new)
    with pytest.raises(RulesError) as err:
        rules.load(copy_of_rules)
    message = str(err.value)
    assert str(copy_of_rules) in message and f" {key} " in message
