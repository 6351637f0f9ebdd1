"""The headless commands of ``ccm-desktop`` (parsing and error handling are in cli.py).

Each returns the exit code; a problem the user can fix is raised as a
:class:`CcmError` and printed by ``cli.main`` without a traceback.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from ccm_desktop.app import create_practice, open_practice
from ccm_desktop.cli import (
    EXIT_OK,
    EXIT_USER,
    ask_passphrase,
    data_paths,
    interactive,
    load_key,
    open_ctx,
    passphrase,
    required_username,
    say,
    warn,
)
from ccm_desktop.db.backup import backup_to, key_sidecar, restore_from, verify
from ccm_desktop.db.engine import Database
from ccm_desktop.errors import (
    BackupError,
    CcmError,
    DatabaseExists,
    DatabaseFailure,
    ValidationError,
    ValidationErrors,
    WrongKey,
)
from ccm_desktop.gate import Gate, Permission
from ccm_desktop.lockfile import InstanceLock
from ccm_desktop.paths import PASSPHRASE_ENV, DataPaths, default_data_dir
from ccm_desktop.security.audit import Actor
from ccm_desktop.security.keys import KeyStore
from ccm_desktop.services.base import Clock
from ccm_desktop.services.practice import PracticeSetup, actor_in_session, validate_setup

T = TypeVar("T")
_TOML_KEYS = {
    "providers": {"name", "credential", "npi"},
    "staff": {"username", "name", "role", "credential", "provider_npi"},
}


# -- init ---------------------------------------------------------------------------
def read_practice_toml(path: Path) -> PracticeSetup:
    """The practice set-up in a TOML file, every mistake named (with its line for syntax)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CcmError(f"There is no file at {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CcmError(f"{path.name} cannot be read as a text file: {exc}.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CcmError(f"{path.name} is not valid TOML: {exc}.") from None
    errors: list[ValidationError] = []
    for key in data:
        if key not in ("practice", *_TOML_KEYS):
            errors.append(
                ValidationError(
                    key, "This section is not known: use [practice], [[providers]] and [[staff]]."
                )
            )
    for table, allowed in _TOML_KEYS.items():
        entries = data.get(table, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            errors.append(ValidationError(table, f"Write each entry as its own [[{table}]] table."))
            data[table] = []
            continue
        for i, entry in enumerate(entries, 1):
            errors += [
                ValidationError(f"{table}[{i}].{k}", "This setting is not known.")
                for k in entry
                if k not in allowed
            ]
    setup: PracticeSetup | None = None
    try:
        setup = validate_setup(PracticeSetup.from_mapping(data))
    except ValidationErrors as exc:
        errors += exc.errors
    if errors or setup is None:
        raise ValidationErrors(errors)
    return setup


def _new_passphrase() -> str:
    if not interactive():
        raise CcmError(
            f"Set the {PASSPHRASE_ENV} environment variable to the new practice passphrase "
            "(at least 8 characters) and run init again."
        )
    first = ask_passphrase("New practice passphrase (at least 8 characters): ")
    if ask_passphrase("The same passphrase again: ") != first:
        raise CcmError("The two passphrases differ; nothing was created.")
    return first


def cmd_init(args: argparse.Namespace) -> int:
    paths = data_paths(args)
    if paths.database.exists() or paths.wrapped_key.exists():
        raise DatabaseExists(
            f"A practice database already exists in {paths.root}; nothing was changed."
        )
    setup = read_practice_toml(Path(args.practice))
    secret = passphrase(args) or _new_passphrase()
    ctx = create_practice(paths, secret, setup, Actor.system("command line (init)"))
    ctx.close()
    say(
        f"Created the practice database for {setup.practice.name} in {paths.root}: "
        f"{len(setup.providers)} providers, {len(setup.staff)} staff users."
    )
    say(
        "It is encrypted. Keep the practice passphrase somewhere safe: it is needed to "
        "open a backup on another computer."
    )
    return EXIT_OK


# -- demo ---------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    from ccm_desktop.demo import build_demo, demo_setup

    paths = data_paths(args, demo=True)
    if paths.root == default_data_dir().expanduser().resolve():
        raise CcmError(f"{paths.root} is the real practice folder: the demo has its own folder.")
    secret = passphrase(args, demo=True)
    assert secret is not None
    if paths.database.exists():
        ctx = open_practice(paths, secret)
    else:
        ctx = create_practice(paths, secret, None, Actor.system("command line (demo)"))
    with ctx:
        if ctx.practice.is_set_up():
            name = ctx.practice.practice().name
            if name != demo_setup().practice.name:
                raise CcmError(
                    f"The practice in {paths.root} is {name}, not the demo practice: "
                    "synthetic patients are only added to the demo."
                )
        summary = build_demo(ctx, patients=args.patients, seed=args.seed)
    say(str(summary))
    say(f"Demo practice folder: {paths.root}")
    return EXIT_OK


# -- import / export ----------------------------------------------------------------
def _progress() -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\rWorking: {100 * done // max(total, 1)}%", end=end, file=sys.stderr, flush=True)

    return show


def cmd_import(args: argparse.Namespace) -> int:
    from ccm_desktop.importers import ROW_CONVENTION

    # A dry run writes nothing, so it may run without naming a user.
    with open_ctx(args, user_required=not args.dry_run) as ctx:
        assert ctx.actor is not None
        run = ctx.imports.patients if args.what == "patients" else ctx.imports.time
        report = run(ctx.actor, Path(args.file), dry_run=args.dry_run, progress=_progress())
    if report.problems:
        warn(ROW_CONVENTION)
        for problem in report.problems:
            warn(str(problem))
        warn(report.summary())
        return EXIT_USER
    say(report.summary())
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    target = Path(args.file).expanduser().resolve()
    with open_ctx(args) as ctx:
        assert ctx.actor is not None
        n = ctx.imports.export_patients(ctx.actor, target)
    say(f"Exported {n} patient{'' if n == 1 else 's'} to {target}.")
    say(
        "This file is not encrypted and holds patient information: keep it safe and delete "
        "it when you are done."
    )
    return EXIT_OK


# -- backup / restore / verify --------------------------------------------------------
def cmd_backup(args: argparse.Namespace) -> int:
    target = Path(args.path).expanduser()
    if target.is_dir():
        target = target / f"practice-{datetime.now():%Y%m%d-%H%M%S}.ccmbak"
    with open_ctx(args) as ctx:
        assert ctx.actor is not None
        ctx.gate.authorize(ctx.actor, Permission.BACKUP_CREATE)
        written = backup_to(ctx.db, target, wrapped_key=ctx.paths.wrapped_key)
    say(f"Backup written to {written}")
    sidecar = key_sidecar(written)
    if sidecar.exists():
        say(
            f"Its key file is {sidecar}: keep the two together. The practice passphrase "
            "opens them on any computer."
        )
    return EXIT_OK


def _with_backup_key(
    paths: DataPaths, source: Path, secret: str | None, attempt: Callable[[bytes], T]
) -> tuple[T, bool]:
    """``attempt(key)`` with the practice's key, else with the key file next to the backup
    (unlocked with the passphrase). Returns the result and whether the backup's own key
    file was needed."""
    sidecar = key_sidecar(source)
    if paths.wrapped_key.exists():
        try:
            return attempt(load_key(KeyStore(paths.wrapped_key), secret)), False
        except WrongKey:
            if not sidecar.exists():
                raise
    elif not sidecar.exists():
        raise BackupError(
            f"There is no practice key here and no key file next to the backup "
            f"({sidecar.name}): copy it next to the backup and try again."
        )
    try:
        key = load_key(KeyStore(sidecar), secret)
    except WrongKey:
        raise WrongKey(
            "This backup was made under another practice passphrase: set "
            f"{PASSPHRASE_ENV} to that passphrase and try again."
        ) from None
    return attempt(key), True


def cmd_restore(args: argparse.Namespace) -> int:
    paths = data_paths(args)
    source = Path(args.path).expanduser().resolve()
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    secret = passphrase(args)
    username = required_username(args)
    paths.root.mkdir(parents=True, exist_ok=True)
    lock = InstanceLock(paths.lock)
    lock.acquire()  # nobody else may have the database open while it is replaced
    try:
        accept = _restore_allowed(paths, secret, username)
        current = (
            load_key(KeyStore(paths.wrapped_key), secret)
            if paths.wrapped_key.exists() and paths.database.exists()
            else None
        )
        (kept, report), own_key = _with_backup_key(
            paths,
            source,
            secret,
            lambda key: restore_from(
                source,
                paths.database,
                key,
                paths.backups,
                current_key=current,
                wrapped_key=paths.wrapped_key,
                accept=accept,
            ),
        )
        if own_key:  # the restored database opens with the backup's key file from now on
            tmp = paths.wrapped_key.with_suffix(".restoring")
            shutil.copyfile(key_sidecar(source), tmp)
            os.replace(tmp, paths.wrapped_key)
    finally:
        lock.release()
    _print_checks(report.checks)
    say(f"Restored the practice database from {source}.")
    if kept:
        say(f"The database as it was before is kept at {kept}.")
    if own_key:
        say(
            "The practice now uses the key of the backup: its passphrase is the one the "
            "backup was made under."
        )
    return EXIT_OK


def _restore_allowed(
    paths: DataPaths, secret: str | None, username: str
) -> Callable[[Database], None] | None:
    """Check that ``username`` may restore: an active admin of the current practice, or,
    where there is none (a new computer) or it is too damaged to open, of the backup (then
    the returned check runs on the verified backup before anything is replaced)."""

    def check(db: Database) -> None:
        with db.read() as s:
            actor = actor_in_session(s, username)
        Gate(db, Clock()).authorize(actor, Permission.BACKUP_RESTORE)

    if not (paths.database.exists() and paths.wrapped_key.exists()):
        return check
    try:
        ctx = open_practice(paths, secret, lock=False)
    except DatabaseFailure:
        return check
    with ctx:
        ctx.gate.authorize(ctx.practice.actor_for(username), Permission.BACKUP_RESTORE)
    return None


def cmd_verify(args: argparse.Namespace) -> int:
    if args.path:
        report = _verify_backup(args, Path(args.path).expanduser().resolve())
    else:
        with open_ctx(args, user_required=False) as ctx:
            report = verify(ctx.db)
    _print_checks(report.checks)
    if report.ok:
        say("All checks passed.")
        return EXIT_OK
    warn("Some checks failed: restore the latest good backup, or ask for help.")
    return EXIT_USER


def _verify_backup(args: argparse.Namespace, source: Path) -> Any:
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    with tempfile.TemporaryDirectory(prefix="ccm-verify-") as tmp:
        copy = Path(tmp) / "backup.ccmdb"  # still encrypted; the backup itself is not touched
        shutil.copyfile(source, copy)

        def check(key: bytes) -> Any:
            db = Database(copy, key)
            try:
                return verify(db)
            finally:
                db.close()

        report, _ = _with_backup_key(data_paths(args), source, passphrase(args), check)
        return report


def _print_checks(checks: list[Any]) -> None:
    for c in checks:
        (say if c.ok else warn)(f"  {'ok' if c.ok else 'FAILED':<7} {c.name}: {c.detail}")
