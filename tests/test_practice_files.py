"""The practice's files are never silently lost: restore refuses anything less than a
complete practice of this application, a 0-byte or missing file is reported (never rebuilt),
two inits at once leave one whole practice, damage is reported as damage, and every file
is private to the user."""

from __future__ import annotations

import base64
import json
import multiprocessing
import os
import stat
import time
import tomllib
from pathlib import Path

import pytest
import sqlcipher3

from ccm_desktop import cli
from ccm_desktop.app import create_practice, database_exists, open_practice
from ccm_desktop.db import swap
from ccm_desktop.db.backup import PAGE_SIZE, backup_to, key_sidecar, restore_from, verify_file
from ccm_desktop.errors import (
    BackupError,
    DatabaseDamaged,
    DatabaseExists,
    NoDatabase,
    PracticeIncomplete,
    WrongKey,
)
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import Actor
from ccm_desktop.security.keys import KeyStore, wrap_key
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.practice import PracticeSetup
from tests.conftest import PASSPHRASE, PRACTICE_TOML, practice_setup

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _add(ctx, n: int, tag: str = "P") -> None:
    who = ctx.practice.actor_for("dr.example")
    for i in range(n):
        ctx.patients.create(
            who,
            PatientInput(f"{tag}{i}", f"Filesafe{tag}{i}", "Ada", f"1951-02-{i % 28 + 1:02d}", "F"),
            allow_duplicate=True,
        )


def _files(paths: DataPaths) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in paths.root.iterdir() if p.is_file()}


def _key(paths: DataPaths) -> bytes:
    return KeyStore(paths.wrapped_key).load(PASSPHRASE)


def _damage(path: Path, offset: int, length: int = 200) -> None:
    data = bytearray(path.read_bytes())
    data[offset : offset + length] = os.urandom(length)
    path.write_bytes(bytes(data))


# -- restore refuses anything less than a whole practice ------------------------------
@pytest.fixture
def good_backup(ctx, practice_paths, tmp_path) -> Path:
    _add(ctx, 2)
    target = backup_to(ctx.db, tmp_path / "good.ccmbak", practice_paths.wrapped_key)
    ctx.close()
    return target


def _refused(source: Path, paths: DataPaths, match: str) -> None:
    before = _files(paths)
    with pytest.raises(BackupError, match=match):
        restore_from(source, paths, _key(paths))
    assert _files(paths) == before, "nothing of the practice was touched"
    assert swap.leftovers(paths) == []


def test_an_empty_backup_is_refused_before_anything_is_touched(
    good_backup, practice_paths, tmp_path
):
    empty = tmp_path / "empty.ccmbak"
    empty.write_bytes(b"")
    _refused(empty, practice_paths, r"empty \(0 bytes\)")


def test_a_truncated_backup_is_refused(good_backup, practice_paths, tmp_path):
    cut = tmp_path / "cut.ccmbak"
    cut.write_bytes(good_backup.read_bytes()[: PAGE_SIZE * 3 + 100])
    _refused(cut, practice_paths, "truncated")
    whole_pages = tmp_path / "pages.ccmbak"  # cut at a page boundary: the checks find it
    whole_pages.write_bytes(good_backup.read_bytes()[: PAGE_SIZE * 3])
    _refused(whole_pages, practice_paths, "damaged|failed its checks")


def test_a_leftover_partial_file_is_never_restored(good_backup, practice_paths):
    partial = good_backup.with_name(good_backup.name + ".partial")
    partial.write_bytes(good_backup.read_bytes())  # even a complete-looking one
    _refused(partial, practice_paths, "not a backup: it is a leftover")
    staged = swap.staged_database(practice_paths)
    staged.write_bytes(good_backup.read_bytes())
    with pytest.raises(BackupError, match="leftover"):
        restore_from(staged, practice_paths, _key(practice_paths))


def test_a_database_that_is_not_a_practice_of_this_application_is_refused(practice_paths, tmp_path):
    foreign = tmp_path / "foreign.ccmbak"
    conn = sqlcipher3.connect(str(foreign))
    conn.execute(f"PRAGMA key = \"x'{_key(practice_paths).hex()}'\"")
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('another program')")
    conn.commit()
    conn.close()
    _refused(foreign, practice_paths, "not a CCM Desktop practice backup")


def test_a_backup_of_another_practice_is_refused_naming_both(practice_paths, tmp_path):
    toml = PRACTICE_TOML.read_text().replace("Maple Grove Family Medicine", "Oak Hollow Clinic")
    toml = toml.replace('tin = "12-3456789"', 'tin = "98-7654321"')
    setup = PracticeSetup.from_mapping(tomllib.loads(toml))
    other = DataPaths(tmp_path / "oak")
    with create_practice(other, PASSPHRASE, setup, Actor.system("t")) as octx:
        backup = backup_to(octx.db, tmp_path / "oak.ccmbak", other.wrapped_key)
    before = _files(practice_paths)
    with pytest.raises(BackupError) as refused:
        restore_from(
            backup,
            practice_paths,
            KeyStore(key_sidecar(backup)).load(PASSPHRASE),
            current_key=_key(practice_paths),
            new_key_file=key_sidecar(backup),
        )
    assert "another practice" in refused.value.message
    assert "Oak Hollow Clinic" in refused.value.message
    assert "Maple Grove Family Medicine" in refused.value.message
    assert _files(practice_paths) == before
    # On a new computer (no practice here) any practice's backup may be restored.
    new_pc = DataPaths(tmp_path / "new-pc")
    restore_from(
        backup,
        new_pc,
        KeyStore(key_sidecar(backup)).load(PASSPHRASE),
        new_key_file=key_sidecar(backup),
    )
    with open_practice(new_pc, PASSPHRASE) as c:
        assert c.practice.practice().name == "Oak Hollow Clinic"


def test_restore_is_the_remedy_for_a_damaged_practice_and_keeps_its_raw_file(
    good_backup, practice_paths
):
    _damage(practice_paths.database, PAGE_SIZE * 4 + 50)
    damaged = practice_paths.database.read_bytes()
    kept, report = restore_from(good_backup, practice_paths, _key(practice_paths))
    assert report.ok and kept is not None and "-damaged" in kept.name
    assert kept.read_bytes() == damaged, "the damaged file is kept byte for byte"
    with open_practice(practice_paths, PASSPHRASE) as c:
        assert c.patients.count() == 2


def test_open_finishes_a_committed_restore_and_removes_uncommitted_leftovers(
    ctx, practice_paths, tmp_path
):
    paths = practice_paths
    empty = backup_to(ctx.db, tmp_path / "no-patients.ccmbak")
    _add(ctx, 2)
    ctx.close()
    staged = swap.staged_database(paths)
    staged.write_bytes(empty.read_bytes())
    (paths.root / "practice.key.123-ab.tmp").write_text("{}")
    with open_practice(paths, PASSPHRASE) as c:  # no journal: the old practice, cleaned
        assert c.patients.count() == 2
    assert not staged.exists() and swap.leftovers(paths) == []
    staged.write_bytes(empty.read_bytes())
    swap.journal(paths).write_text(json.dumps({"format": swap.JOURNAL_FORMAT, "key": False}))
    with open_practice(paths, PASSPHRASE) as c:  # committed: rolled forward
        assert c.patients.count() == 0
    assert not swap.journal(paths).exists() and swap.leftovers(paths) == []


# -- a 0-byte or missing practice file is reported, never rebuilt ---------------------
def test_a_zero_byte_database_is_reported_and_stays_zero_bytes(
    practice_paths, tmp_path, capsys, monkeypatch
):
    practice_paths.database.write_bytes(b"")
    with pytest.raises(PracticeIncomplete, match=r"empty \(0 bytes\)"):
        open_practice(practice_paths, PASSPHRASE)
    assert practice_paths.database.stat().st_size == 0, "no empty practice was built"
    data = ["--data-dir", str(practice_paths.root)]
    monkeypatch.setenv("CCM_DESKTOP_PASSPHRASE", PASSPHRASE)
    commands = (
        ["verify"],
        ["--user", "admin", "backup", str(tmp_path)],
        ["init", "--practice", str(PRACTICE_TOML)],
    )
    for command in commands:
        assert cli.main(data + command) == 1, command
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Unexpected" not in err
    assert "empty (0 bytes)" in err and "already exists" in err
    assert "The file is damaged: restore" in err and "key is right" not in err  # unknowable
    assert practice_paths.database.stat().st_size == 0


def test_a_key_file_without_its_database_is_reported(practice_paths):
    practice_paths.database.unlink()
    with pytest.raises(PracticeIncomplete, match=r"practice\.ccmdb is missing.*restore"):
        open_practice(practice_paths, PASSPHRASE)
    assert not practice_paths.database.exists()
    assert database_exists(practice_paths), "the window reports it, no first-run offer"
    with pytest.raises(DatabaseExists):
        create_practice(practice_paths, PASSPHRASE, practice_setup(), Actor.system("t"))


def test_a_database_without_its_key_file_is_reported(practice_paths):
    practice_paths.wrapped_key.unlink()
    with pytest.raises(PracticeIncomplete, match=r"key file practice\.key\.json .* is missing"):
        open_practice(practice_paths, PASSPHRASE)
    assert database_exists(practice_paths)


def test_no_practice_at_all_is_no_database(tmp_path):
    with pytest.raises(NoDatabase):
        open_practice(DataPaths(tmp_path / "nothing"), PASSPHRASE)
    assert not (tmp_path / "nothing").exists(), "looking creates no folder"


# -- two inits at once -----------------------------------------------------------------
def _init_in_process(root: str, start_at: float, results) -> None:  # a child process
    import keyring
    import keyring.backends.fail

    keyring.set_keyring(keyring.backends.fail.Keyring())
    os.environ["CCM_DESKTOP_PASSPHRASE"] = PASSPHRASE
    while time.time() < start_at:
        pass
    results.put(cli.main(["--data-dir", root, "init", "--practice", str(PRACTICE_TOML)]))


def test_two_inits_at_once_leave_exactly_one_whole_practice(tmp_path, failing_keyring):
    root = tmp_path / "data"
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    start_at = time.time() + 4
    procs = [
        ctx.Process(target=_init_in_process, args=(str(root), start_at, results)) for _ in range(3)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    codes = sorted(results.get(timeout=5) for _ in procs)
    assert codes == [0, 1, 1]
    paths = DataPaths(root)
    with open_practice(paths, PASSPHRASE) as c:  # its key file opens its database
        assert c.practice.practice().name == "Maple Grove Family Medicine"
    assert swap.leftovers(paths) == []


def test_key_creation_is_exclusive(tmp_path):
    store = KeyStore(tmp_path / "practice.key.json")
    store.create(PASSPHRASE)
    first = store.wrapped_key_path.read_bytes()
    with pytest.raises(DatabaseExists):
        store.create(PASSPHRASE)
    assert store.wrapped_key_path.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["practice.key.json"]


# -- verify reports damage, apart from a wrong key --------------------------------------
@pytest.fixture(autouse=True)
def _passphrase(monkeypatch) -> None:
    monkeypatch.setenv("CCM_DESKTOP_PASSPHRASE", PASSPHRASE)


def _verify_cli(paths: DataPaths, capsys) -> tuple[int, str]:
    code = cli.main(["--data-dir", str(paths.root), "verify"])
    captured = capsys.readouterr()
    assert "Unexpected error" not in captured.err and "Traceback" not in captured.err
    return code, captured.out + captured.err


@pytest.fixture
def filled(ctx, practice_paths) -> DataPaths:
    _add(ctx, 40)
    ctx.close()
    assert practice_paths.database.stat().st_size > PAGE_SIZE * 8
    return practice_paths


def test_verify_reports_a_damaged_middle_page_as_failed_checks(filled, capsys):
    _damage(filled.database, PAGE_SIZE * 5 + 300)
    code, text = _verify_cli(filled, capsys)
    assert code == 1
    assert "FAILED" in text and "damaged (the key is right)" in text
    assert "wrong key" not in text.lower()


def test_verify_reports_a_truncated_file(filled, capsys):
    data = filled.database.read_bytes()
    filled.database.write_bytes(data[: len(data) - PAGE_SIZE // 2])
    code, text = _verify_cli(filled, capsys)
    assert code == 1 and "FAILED  file: the file is truncated" in text


def test_a_damaged_first_page_is_told_apart_from_a_wrong_key(filled, capsys):
    _damage(filled.database, 200, 300)  # inside page 1, after its salt
    code, text = _verify_cli(filled, capsys)
    assert code == 1
    assert "the first page among them: the file is damaged (the key is right" in text
    with pytest.raises(DatabaseDamaged, match="first page fails its check, though the key"):
        open_practice(filled, PASSPHRASE)
    # The same file under a wrong key: every page fails, and it says so.
    with pytest.raises(WrongKey):
        verify_file(filled.database, b"\x07" * 32)


def test_a_wrong_key_file_is_reported_as_a_wrong_key(filled, tmp_path, capsys):
    other = KeyStore(tmp_path / "other.key.json")
    other.create(PASSPHRASE)
    filled.wrapped_key.write_bytes(other.wrapped_key_path.read_bytes())
    code, text = _verify_cli(filled, capsys)
    assert code == 1 and "not one of its pages authenticates" in text


def test_commands_that_write_refuse_a_damaged_database(filled, tmp_path, capsys):
    _damage(filled.database, PAGE_SIZE * 5 + 300)
    before = filled.database.read_bytes()
    csv = tmp_path / "p.csv"
    csv.write_text("mrn\n")
    data = ["--data-dir", str(filled.root), "--user", "admin"]
    for command in (["backup", str(tmp_path / "x.ccmbak")], ["import", "patients", str(csv)]):
        assert cli.main(data + command) == 1, command
        err = capsys.readouterr().err
        assert "The practice database is damaged" in err and "nothing was changed" in err
    assert not (tmp_path / "x.ccmbak").exists()
    assert filled.database.read_bytes() == before


# -- key-file bounds --------------------------------------------------------------------
def _doctored(tmp_path: Path, change) -> KeyStore:
    doc = wrap_key(os.urandom(32), PASSPHRASE, "db-1")
    doc["format"] = "ccm-desktop-wrapped-key/1"
    change(doc)
    path = tmp_path / "practice.key.json"
    path.write_text(json.dumps(doc))
    return KeyStore(path)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["kdf"].update(n=2**40),
        lambda d: d["kdf"].update(r=10**9),
        lambda d: d["kdf"].update(p=10**6),
        lambda d: d["kdf"].update(n=-(2**15)),
        lambda d: d["kdf"].update(n=2**15 + 1),  # not a power of two
        lambda d: d["kdf"].update(n=32768.5),
        lambda d: d["kdf"].update(r="8"),
        lambda d: d["kdf"].update(p=True),
        lambda d: d["kdf"].update(salt="A" * 10_000_000),
        lambda d: d["kdf"].update(salt=""),
        lambda d: d["kdf"].update(salt=base64.b64encode(b"s" * 1000).decode()),
        lambda d: d.update(nonce="AAAA"),
        lambda d: d.update(wrapped_key="A" * 4_000_000),
        lambda d: d.update(kdf="scrypt"),
        lambda d: d.update(database_id=["x"]),
    ],
)
def test_a_doctored_key_file_is_damaged_quickly(tmp_path, failing_keyring, change):
    store = _doctored(tmp_path, change)
    started = time.perf_counter()
    with pytest.raises(WrongKey, match="key file is damaged"):
        store.load(PASSPHRASE)
    assert time.perf_counter() - started < 2


def test_a_huge_key_file_is_not_read_whole(tmp_path, failing_keyring):
    path = tmp_path / "practice.key.json"
    with open(path, "wb") as fh:
        fh.truncate(1024**3)  # 1 GB (sparse)
    started = time.perf_counter()
    with pytest.raises(WrongKey, match="damaged"):
        KeyStore(path).load(PASSPHRASE)
    assert time.perf_counter() - started < 2


# -- file modes ----------------------------------------------------------------------
def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
def test_init_backup_and_restore_create_private_files(tmp_path, monkeypatch, capsys):
    old = os.umask(0o022)  # as a desktop session leaves it
    try:
        monkeypatch.setenv("CCM_DESKTOP_PASSPHRASE", PASSPHRASE)
        monkeypatch.setenv("CCM_DESKTOP_USER", "admin")
        root = tmp_path / "data"
        paths = DataPaths(root)
        with create_practice(paths, PASSPHRASE, practice_setup(), Actor.system("t")) as c:
            backup = backup_to(c.db, tmp_path / "in-process.ccmbak", paths.wrapped_key)
            assert _mode(paths.database) == 0o600
        assert _mode(backup) == 0o600 and _mode(key_sidecar(backup)) == 0o600
        os.umask(0o022)
        (tmp_path / "out").mkdir()
        assert cli.main(["--data-dir", str(root), "backup", str(tmp_path / "out")]) == 0
        [cli_backup] = (tmp_path / "out").glob("*.ccmbak")
        os.umask(0o022)
        assert cli.main(["--data-dir", str(root), "restore", str(cli_backup)]) == 0
        capsys.readouterr()
    finally:
        os.umask(old)
    assert _mode(root) == 0o700 and _mode(paths.backups) == 0o700
    for f in (paths.database, paths.wrapped_key, paths.lock, cli_backup, key_sidecar(cli_backup)):
        assert _mode(f) == 0o600, f
    for f in paths.backups.iterdir():
        assert _mode(f) == 0o600, f
