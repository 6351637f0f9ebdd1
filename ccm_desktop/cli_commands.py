"""The headless commands of ``ccm-desktop`` (parsing and error handling are in cli.py).

Each returns the exit code; a problem the user can fix is raised as a
:class:`CcmError` and printed by ``cli.main`` without a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ccm_desktop.app import (
    AppContext,
    check_practice_files,
    create_practice,
    database_exists,
    open_practice,
)
from ccm_desktop.cli import (
    EXIT_OK,
    EXIT_USER,
    USER_ENV,
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
from ccm_desktop.db import swap
from ccm_desktop.db.backup import (
    VerifyReport,
    backup_to,
    check_backup_file,
    ensure_intact,
    key_sidecar,
    restore_from,
    verify_file,
)
from ccm_desktop.db.engine import Database
from ccm_desktop.errors import (
    BackupError,
    CcmError,
    DatabaseExists,
    DatabaseFailure,
    NoDatabase,
    PracticeIncomplete,
    UserRequired,
    ValidationError,
    ValidationErrors,
    WrongKey,
)
from ccm_desktop.fileperms import open_private, private_dir
from ccm_desktop.gate import Gate, Permission
from ccm_desktop.lockfile import InstanceLock
from ccm_desktop.paths import PASSPHRASE_ENV, DataPaths, default_data_dir
from ccm_desktop.security.audit import Actor
from ccm_desktop.security.keys import KeyStore
from ccm_desktop.services.base import Clock
from ccm_desktop.services.enrollment import PROGRAM_NAMES
from ccm_desktop.services.practice import PracticeSetup, actor_in_session, validate_setup
from ccm_desktop.services.worklist import Worklist, WorklistRow

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
    if database_exists(paths):  # checked again, exclusively, when the practice is created
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
    if database_exists(paths):
        ctx = open_practice(paths, secret)
    else:
        ctx = create_practice(paths, secret, None, Actor.system("command line (demo)"))
    with ctx:
        ensure_intact(ctx.db, "add demo patients to it")
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
    if report.problems or report.warnings:
        warn(ROW_CONVENTION)
    for problem in report.problems:
        warn(str(problem))
    for warning in report.warnings:  # formula-like values: imported as written
        warn(f"warning: {warning}")
    if report.problems:
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


# -- worklist ------------------------------------------------------------------------
# The CSV's columns (a contract: docs/architecture.md, "The worklist").
WORKLIST_COLUMNS = (
    "mrn",
    "patient_name",
    "program",
    "minutes",
    "minutes_to_next_code",
    "next_code",
    "days_left",
    "last_contact",
    "flags",
)
MONTH_FORMAT = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str) -> tuple[int, int]:
    """``--month`` "2026-03" as (2026, 3); :class:`CcmError` in words otherwise."""
    m = MONTH_FORMAT.fullmatch(text.strip())
    if m is None or not 1 <= int(m[2]) <= 12 or int(m[1]) < 1900:
        raise CcmError("--month must be YYYY-MM, for example 2026-03.")
    return int(m[1]), int(m[2])


def worklist_cells(r: WorklistRow) -> list[str]:
    """One CSV row: the stored program code, only minutes that count, empty cells for no
    next code and no contact, flags joined by ";"."""
    return [
        r.mrn,
        r.name,
        r.program,
        str(r.minutes),
        "" if r.to_next is None else str(r.to_next),
        r.next_code or "",
        str(r.days_left),
        r.last_contact.isoformat() if r.last_contact else "",
        ";".join(r.flags),
    ]


def write_file_atomically(ctx: AppContext, target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` private to the user (0600), through a ``.partial``
    file renamed over it, so a reader never sees half a file; refuses the practice's own
    files, a folder, or a folder that does not exist."""
    own = {*ctx.paths.sidecars(), ctx.paths.wrapped_key, ctx.paths.lock}
    if target in {p.resolve() for p in own}:
        raise CcmError(f"{target.name} is a file of the practice database: choose another name.")
    if target.is_dir():
        raise CcmError(f"{target} is a folder: give a file name, like worklist.csv.")
    if not target.parent.is_dir():
        raise CcmError(f"The folder {target.parent} does not exist.")
    tmp = target.with_name(target.name + ".partial")
    try:
        with open_private(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CcmError(f"The file {target} could not be written: {exc.strerror}.") from None


def require_staff(ctx: AppContext, what: str) -> None:
    """Refuse a read of patient information by the command line itself: ``what`` ("The
    worklist shows") begins the message naming both ways to say who is asking."""
    if ctx.actor is None or ctx.actor.is_system:
        raise UserRequired(
            f"{what} patient information, so it must say which staff member is asking: "
            f"add --user USERNAME or set the {USER_ENV} environment variable."
        )


def worklist_table(wl: Worklist) -> list[str]:
    """The worklist as aligned text lines for a terminal, then the counts."""
    head = ["MRN", "Patient", "Program", "Min", "To next", "Days", "Last contact", "Flags"]
    rows = [
        [
            r.mrn,
            r.name,
            PROGRAM_NAMES.get(r.program, r.program),
            str(r.minutes),
            f"{r.to_next} for {r.next_code}" if r.next_code else "-",
            str(r.days_left),
            r.last_contact.strftime("%m/%d/%Y") if r.last_contact else "never",
            "; ".join(r.flags),
        ]
        for r in wl.rows
    ]
    widths = [max(len(x[i]) for x in [head, *rows]) for i in range(len(head) - 1)]
    lines = [
        "  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in [head, *rows]
    ]
    lines.append(
        f"{len(wl.rows)} listed; {wl.enrolled} enrolled, {wl.reached} reached the first code, "
        f"{wl.short} still short, {wl.not_contacted} not contacted this month."
    )
    return lines + ([wl.warning] if wl.warning else [])


def cmd_worklist(args: argparse.Namespace) -> int:
    from ccm_desktop.importers.export import safe_cell
    from ccm_desktop.importers.gcpause import paused_collection
    from ccm_desktop.reports.call_list import call_list_pdf
    from ccm_desktop.services.worklist import WorklistFilter

    year, month = parse_month(args.month) if args.month else (None, None)
    out = args.csv or args.pdf
    target = Path(out).expanduser().resolve() if out else None
    with open_ctx(args, user_required=False) as ctx:  # reads only: no integrity check
        require_staff(ctx, "The worklist shows")
        cm = None
        if args.care_manager:
            wanted = args.care_manager.strip().lower()
            cm = next((u for u in ctx.practice.staff(False) if u.username == wanted), None)
            if cm is None:
                raise CcmError(
                    f"There is no staff user '{args.care_manager}': --care-manager takes "
                    "the username of a care manager."
                )
        read = paused_collection(ctx.worklist.worklist)  # thousands of rows: no GC pauses
        wl = read(year, month, WorklistFilter(care_manager_id=cm and cm.id))
        if target is None:
            for line in worklist_table(wl):
                say(line)
            return EXIT_OK
        if args.csv:
            buf = io.StringIO(newline="")
            writer = csv.writer(buf)
            writer.writerow(WORKLIST_COLUMNS)
            writer.writerows([safe_cell(v) for v in worklist_cells(r)] for r in wl.rows)
            # No byte-order mark: the header is exactly the columns of the contract, for
            # any CSV reader (a spreadsheet opens UTF-8 without one through its import).
            data = buf.getvalue().encode("utf-8")
        else:
            printed = ctx.practice.local_now().date()
            data = call_list_pdf(wl, ctx.practice.practice().name, cm and cm.name, printed)
        write_file_atomically(ctx, target, data)
    n = len(wl.rows)
    say(f"Wrote {n} patient{'' if n == 1 else 's'} of {wl.month:02d}/{wl.year} to {target}.")
    say(
        "This file is not encrypted and holds patient information: keep it safe and delete "
        "it when you are done."
    )
    return EXIT_OK


# -- careplan ------------------------------------------------------------------------
NAMED_ITEMS = 6  # untranslated items named in the warning before "and N more"


def cmd_careplan(args: argparse.Namespace) -> int:
    """Write the patient's newest complete care plan as a PDF (0600, atomically); a patient
    with no plan, only drafts or a plan kept elsewhere is told so and nothing is written."""
    from ccm_desktop.reports.care_plan import (
        build_care_plan_pdf,
        care_plan_languages,
        print_language,
        untranslated,
    )
    from ccm_desktop.reports.care_plan_data import print_data, printable_revision
    from ccm_desktop.services.patients import LANGUAGES
    from ccm_desktop.vocab import RecordStatus

    target = Path(args.pdf).expanduser().resolve()
    with open_ctx(args, user_required=False) as ctx:  # reads only: no integrity check
        require_staff(ctx, "A care plan shows")
        patient = ctx.patients.find_by_mrn(args.mrn)
        if patient.record_status == RecordStatus.MERGED:
            raise CcmError(
                f"The record {patient.data.mrn} was merged into {patient.merged_into_mrn}: "
                f"print the care plan of {patient.merged_into_mrn}."
            )
        if patient.record_status == RecordStatus.ENTERED_IN_ERROR:
            raise CcmError(f"The record {patient.data.mrn} was entered in error.")
        revisions = ctx.careplans.revisions(patient.id)
        revision = printable_revision(revisions)
        providers = ctx.practice.providers(active_only=False)
        data = print_data(ctx.practice.practice(), patient, revision, providers)
        options = {"language": args.language, "clinician": args.clinician}
        pdf = build_care_plan_pdf(data, large_print=args.large_print, **options)
        english = untranslated(data, **options)
        write_file_atomically(ctx, target, pdf)
    lang = print_language(data, args.language, args.clinician)
    copy = "clinician's copy" if args.clinician else "patient's copy"
    size = ", large print" if args.large_print else ""
    say(
        f"Wrote version {revision.version} of {revision.established_date:%m/%d/%Y} of the "
        f"care plan of {patient.data.mrn} ({copy}, {LANGUAGES[lang]}{size}) to {target}."
    )
    newer = [r.version for r in revisions if r.version > revision.version]
    if newer:
        drafts = ", ".join(str(v) for v in sorted(newer))
        say(f"Not printed: version{'s' if len(newer) > 1 else ''} {drafts}, still a draft.")
    wanted = data.preferred_language
    if not args.language and not args.clinician and wanted not in care_plan_languages():
        warn(
            f"There is no care plan print-out in {LANGUAGES.get(wanted, wanted)}: it is in "
            "English, with a line offering a free interpreter."
        )
    if english:
        n, named = len(english), ", ".join(english[:NAMED_ITEMS])
        more = f" and {n - NAMED_ITEMS} more" if n > NAMED_ITEMS else ""
        warn(
            f"{n} item{' has' if n == 1 else 's have'} no {LANGUAGES[lang]} text and "
            f"print{'s' if n == 1 else ''} in English: {named}{more}."
        )
    say(
        "This file is not encrypted and holds patient information: keep it safe and delete "
        "it when you are done."
    )
    return EXIT_OK


# -- backup / restore / verify --------------------------------------------------------
def cmd_backup(args: argparse.Namespace) -> int:
    target = Path(args.path).expanduser()
    with open_ctx(args) as ctx:
        assert ctx.actor is not None
        ctx.gate.authorize(ctx.actor, Permission.BACKUP_CREATE)
        if target.is_dir():  # named on the practice's clock, as the window names it
            target = target / f"practice-{ctx.practice.local_now():%Y%m%d-%H%M%S}.ccmbak"
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
    paths: DataPaths,
    source: Path,
    secret: str | None,
    attempt: Callable[[bytes, Path | None], T],
) -> tuple[T, bool]:
    """``attempt(key, None)`` with the practice's key, else ``attempt(key, key_file)`` with
    the key file next to the backup (unlocked with the passphrase). Returns the result and
    whether the backup's own key file was needed."""
    sidecar = key_sidecar(source)
    if paths.wrapped_key.exists():
        try:
            return attempt(load_key(KeyStore(paths.wrapped_key), secret), None), False
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
    except WrongKey as exc:
        if "damaged" in exc.message or "not one this application" in exc.message:
            raise WrongKey(f"The backup's key file {sidecar.name} is damaged.") from None
        raise WrongKey(
            "This backup was made under another practice passphrase: set "
            f"{PASSPHRASE_ENV} to that passphrase and try again."
        ) from None
    return attempt(key, sidecar), True


def _current_key(paths: DataPaths, secret: str | None) -> bytes | None:
    """The current practice's key, when it has a database and a readable key file."""
    if not (paths.wrapped_key.exists() and paths.database.exists()):
        return None
    return load_key(KeyStore(paths.wrapped_key), secret)


def cmd_restore(args: argparse.Namespace) -> int:
    paths = data_paths(args)
    source = Path(args.path).expanduser().resolve()
    username = required_username(args)
    check_backup_file(source)  # empty, truncated, partial: refused before anything else
    secret = passphrase(args)
    private_dir(paths.root)
    lock = InstanceLock(paths.lock)
    lock.acquire()  # nobody else may have the database open while it is replaced
    try:
        swap.recover(paths)  # an earlier interrupted restore is finished or cleaned first
        accept = _restore_allowed(paths, secret, username)
        current = _current_key(paths, secret)
        (kept, report), own_key = _with_backup_key(
            paths,
            source,
            secret,
            lambda key, key_file: restore_from(
                source, paths, key, current_key=current, new_key_file=key_file, accept=accept
            ),
        )
    finally:
        lock.release()
    _print_checks(report.checks)
    say(f"Restored the practice database from {source}.")
    if kept and "-damaged" in kept.name:
        say(
            f"The database as it was before could not be read as a whole (damaged): its file "
            f"is kept as it was at {kept}."
        )
    elif kept:
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
    except (DatabaseFailure, PracticeIncomplete):
        return check
    with ctx:
        ctx.gate.authorize(ctx.practice.actor_for(username), Permission.BACKUP_RESTORE)
    return None


WRONG_KEY = (
    "The key does not open {file}: not one of its pages authenticates with it. Either the "
    "key file belongs to another practice database, or the file's first bytes (the salt "
    "every page's check depends on) are damaged. Nothing was changed."
)


def cmd_verify(args: argparse.Namespace) -> int:
    if args.path:
        report = _verify_backup(args, Path(args.path).expanduser().resolve())
    else:
        report = _verify_practice(args)
    _print_checks(report.checks)
    if report.ok:
        say("All checks passed.")
        return EXIT_OK
    if report.damaged:
        file_ok = all(c.ok for c in report.checks if c.name == "file")
        warn(
            ("The database is damaged (the key is right)" if file_ok else "The file is damaged")
            + ": restore the latest good backup, or ask for help."
        )
    else:
        warn("It is intact, but at an older version: this version upgrades it when opened.")
    return EXIT_USER


def _verify_practice(args: argparse.Namespace) -> VerifyReport:
    """Verify the practice's database file as it is: no upgrade, nothing written."""
    paths = data_paths(args)
    if not database_exists(paths):
        raise NoDatabase(
            f"There is no practice database in {paths.root} yet. "
            "Create it with: ccm-desktop init --practice practice.toml"
        )
    lock = InstanceLock(paths.lock)
    lock.acquire()
    try:
        swap.recover(paths)
        if not (paths.database.exists() and paths.wrapped_key.exists()):
            check_practice_files(paths)
        key = load_key(KeyStore(paths.wrapped_key), passphrase(args))
        try:
            return verify_file(paths.database, key)
        except WrongKey:
            raise WrongKey(WRONG_KEY.format(file=paths.database)) from None
    finally:
        lock.release()


def _verify_backup(args: argparse.Namespace, source: Path) -> VerifyReport:
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    with tempfile.TemporaryDirectory(prefix="ccm-verify-") as tmp:
        copy = Path(tmp) / "backup.ccmdb"  # still encrypted; the backup itself is not touched
        shutil.copyfile(source, copy)

        def check(key: bytes, _key_file: Path | None) -> VerifyReport:
            try:
                return verify_file(copy, key)
            except WrongKey:
                raise WrongKey(WRONG_KEY.format(file=source.name)) from None

        report, _ = _with_backup_key(data_paths(args), source, passphrase(args), check)
        return report


def _print_checks(checks: list[Any]) -> None:
    for c in checks:
        (say if c.ok else warn)(f"  {'ok' if c.ok else 'FAILED':<7} {c.name}: {c.detail}")
