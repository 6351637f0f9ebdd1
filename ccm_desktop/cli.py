"""The ``ccm-desktop`` command: headless commands on the same services as the window.

    ccm-desktop [--data-dir DIR] [--user NAME] [--demo] [COMMAND ...]

With no command the window opens. Results go to stdout, errors to stderr, in plain
words; exit codes: 0 done, 1 a problem the user can fix, 2 a mistyped command,
3 an unexpected error (details in ``logs/ccm-desktop.log`` in the data folder).
The passphrase comes from ``CCM_DESKTOP_PASSPHRASE`` (or a prompt at a terminal);
no key material is ever printed.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import getpass
import logging
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from ccm_desktop import __version__, logsafe
from ccm_desktop.errors import (
    CcmError,
    KeyUnavailable,
    NoDatabase,
    UserRequired,
    ValidationErrors,
)
from ccm_desktop.fileperms import restrict_umask
from ccm_desktop.logsafe import safe_traceback
from ccm_desktop.paths import PASSPHRASE_ENV, DataPaths, resolve_data_dir

if TYPE_CHECKING:  # the database stack is imported by the commands that use it, so the
    # window's start pays for it only once its first frame is on screen
    from ccm_desktop.app import AppContext
    from ccm_desktop.security.audit import Actor
    from ccm_desktop.security.keys import KeyStore

USER_ENV = "CCM_DESKTOP_USER"
LOG_NAME = "ccm-desktop.log"
EXIT_OK, EXIT_USER, EXIT_USAGE, EXIT_UNEXPECTED = 0, 1, 2, 3

log = logging.getLogger("ccm_desktop.cli")


def redact(text: str) -> str:
    """``text`` with anything that looks like key material replaced."""
    return logsafe.redact(text)


def say(text: str = "") -> None:
    """A result line on stdout."""
    print(redact(text), flush=True)


def warn(text: str) -> None:
    """An error or problem line on stderr."""
    print(redact(text), file=sys.stderr, flush=True)


def interactive() -> bool:
    """True when a person at a terminal can answer a prompt."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def data_paths(args: argparse.Namespace, *, demo: bool = False) -> DataPaths:
    """``--data-dir``, else ``CCM_DESKTOP_DATA_DIR``, else the (demo) platform folder."""
    return resolve_data_dir(args.data_dir, demo=demo or args.demo)


def passphrase(args: argparse.Namespace, *, demo: bool = False) -> str | None:
    """From ``CCM_DESKTOP_PASSPHRASE``; the demo folder's documented one; else None."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if demo or args.demo:
        from ccm_desktop.app import demo_passphrase

        return demo_passphrase()
    return None


def ask_passphrase(prompt: str = "Practice passphrase: ") -> str:
    """Ask at the terminal; :class:`KeyUnavailable` with the way out when nobody can answer."""
    if not interactive():
        raise KeyUnavailable(
            "The practice passphrase is needed (this computer's keyring has no key for this "
            f"database). Set the {PASSPHRASE_ENV} environment variable to it and run again."
        )
    return getpass.getpass(prompt)


def load_key(store: KeyStore, secret: str | None) -> bytes:
    """A key from the keyring or ``secret``; asks at a terminal when both are missing."""
    try:
        return store.load(secret)
    except KeyUnavailable:
        if secret:
            raise
        return store.load(ask_passphrase())


def open_ctx(
    args: argparse.Namespace, *, demo: bool = False, user_required: bool = True
) -> AppContext:
    """Open the practice with the acting user set from ``--user`` or ``CCM_DESKTOP_USER``
    (:class:`UserRequired` when neither is given and ``user_required``; otherwise the
    command line acts as itself, which the write gate lets write nothing). A command that
    writes (``user_required``) is refused on a damaged database (a quick integrity check)."""
    from ccm_desktop.app import open_practice

    paths = data_paths(args, demo=demo)
    secret = passphrase(args, demo=demo)
    try:
        try:
            ctx = open_practice(paths, secret)
        except KeyUnavailable:
            if secret:
                raise
            ctx = open_practice(paths, ask_passphrase())
    except NoDatabase as exc:
        raise NoDatabase(
            f"{exc} Create it with: ccm-desktop init --practice practice.toml"
        ) from None
    try:
        ctx.actor = acting_user(ctx, args, required=user_required)
        if user_required:
            from ccm_desktop.db.backup import ensure_intact

            ensure_intact(ctx.db)
    except Exception:
        ctx.close()
        raise
    return ctx


def username_given(args: argparse.Namespace) -> str:
    """The acting username from ``--user``, else ``CCM_DESKTOP_USER``; empty when neither."""
    return (getattr(args, "user", None) or os.environ.get(USER_ENV, "")).strip()


def required_username(args: argparse.Namespace) -> str:
    """The acting username; :class:`UserRequired` naming both ways to give it."""
    username = username_given(args)
    if not username:
        raise UserRequired(
            f"This command changes the practice's data, so it must say which staff member "
            f"is acting: add --user USERNAME or set the {USER_ENV} environment variable."
        )
    return username


def acting_user(ctx: AppContext, args: argparse.Namespace, *, required: bool = True) -> Actor:
    """The active staff user named on the command line (see :func:`required_username`);
    the command line itself when none is named and ``required`` is False."""
    username = required_username(args) if required else username_given(args)
    if username:
        return ctx.practice.actor_for(username)
    from ccm_desktop.security.audit import Actor

    return Actor.system("command line")


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=default,
        help="the practice's data folder (else CCM_DESKTOP_DATA_DIR, else the usual folder)",
    )
    parser.add_argument(
        "--user",
        metavar="USERNAME",
        default=default,
        help="the staff username acting (else CCM_DESKTOP_USER); every command that "
        "changes data needs one",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="use the synthetic demo practice in its own folder",
    )


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    """``cli_commands.cmd_<name>``, imported when the command runs (not for the window)."""

    def run(args: argparse.Namespace) -> int:
        from ccm_desktop import cli_commands

        return int(getattr(cli_commands, f"cmd_{name}")(args))

    run.__name__ = f"cmd_{name}"
    return run


def _careplan_language(value: str) -> str:
    """``--language`` of ``careplan``: a language the print-outs are written in."""
    from ccm_desktop.errors import ValidationError
    from ccm_desktop.reports.care_plan import check_language

    try:
        return check_language(value)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, top=False)
    parser = argparse.ArgumentParser(
        prog="ccm-desktop",
        description="CCM Desktop: Medicare care management for small practices. "
        "With no command, the window opens.",
        epilog="Exit codes: 0 done, 1 a problem to fix, 2 a mistyped command, 3 unexpected.",
    )
    _global_options(parser, top=True)
    parser.add_argument("--version", action="version", version=f"ccm-desktop {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=text, description=text)
        p.set_defaults(func=_command(name))
        return p

    p = command("init", "create the encrypted practice database from a TOML file")
    p.add_argument("--practice", required=True, metavar="FILE.toml")
    p = command("demo", "create or fill the synthetic demo practice")
    p.add_argument("--patients", type=int, default=200, metavar="N")
    p.add_argument("--seed", type=int, default=7, metavar="S")
    p = command("import", "import patients or time from a CSV file")
    p.add_argument("what", choices=("patients", "time"))
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    p = command("export", "export patients to a CSV file")
    p.add_argument("what", choices=("patients",))
    p.add_argument("file", metavar="FILE.csv")
    p = command(
        "worklist",
        "list the month's enrolled patients, most urgent first (a table, a CSV file or a "
        "printable call list)",
    )
    p.add_argument("--month", metavar="YYYY-MM", help="the month (default: this month)")
    p.add_argument("--care-manager", metavar="USERNAME", help="only this care manager's patients")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--csv", metavar="OUT", help="write the list as a CSV file")
    out.add_argument("--pdf", metavar="OUT", help="write the call list as a PDF file")
    p = command(
        "careplan",
        "print a patient's latest complete care plan to a PDF file (the patient's copy, "
        "or with --clinician the full copy)",
    )
    p.add_argument("mrn", metavar="MRN", help="the patient's medical record number")
    p.add_argument("--pdf", required=True, metavar="OUT", help="the PDF file to write")
    p.add_argument(
        "--language",
        type=_careplan_language,
        metavar="CODE",
        help="en or es (default: the patient's preferred language for the patient's copy "
        "when it is one of those, else English)",
    )
    p.add_argument("--large-print", action="store_true", help="17 pt text for easy reading")
    p.add_argument(
        "--clinician", action="store_true", help="every element with its codes, for the team"
    )
    p = command("backup", "write an encrypted backup (a file or a folder)")
    p.add_argument("path", metavar="PATH")
    p = command("restore", "replace the database with a backup (keeps a copy)")
    p.add_argument("path", metavar="PATH")
    p = command("verify", "check the database (or a backup file) for damage")
    p.add_argument("path", metavar="PATH", nargs="?")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (never raises for a user's mistake)."""
    restrict_umask()  # every file a command creates is private to the user
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command is None:
        return _gui(args)
    try:
        return int(args.func(args))
    except ValidationErrors as exc:
        for e in exc.errors:
            warn(str(e))
        return EXIT_USER
    except CcmError as exc:
        warn(exc.message)
        return EXIT_USER
    except KeyboardInterrupt:
        warn("Stopped.")
        return 130
    except Exception as exc:  # a bug or the machine: one line here, details in the log
        where = _log_unexpected(args)
        first = (str(exc).splitlines() or [""])[0][:300]
        warn(f"Unexpected error: {type(exc).__name__}: {first}")
        if where:
            warn(f"The details are in {where}: send that file to whoever supports CCM Desktop.")
        else:
            warn(
                "The details could not be written to a log file (the data folder is not writable)."
            )
        return EXIT_UNEXPECTED


def _gui(args: argparse.Namespace) -> int:
    from ccm_desktop.ui.app import run_gui  # Qt only when the window is wanted

    code = int(run_gui(data_dir=args.data_dir, demo=args.demo))
    # The window is closed, the database closed, saves written, settings synced. What is
    # left in memory is only freed: leave without the interpreter's final garbage
    # collections over it (350-550 ms on a 5,000-patient practice, ~40 ms with this;
    # benchmarks/README.md, "bench_start.py"). Frozen just before the interpreter's own
    # shutdown, so every exit handler (logging's flush and close, thread joins) still runs.
    atexit.register(gc.freeze)
    return code


class _RedactingFormatter(logging.Formatter):
    """Log lines without patient values or key material: an exception is written by
    :func:`ccm_desktop.logsafe.safe_traceback` (types, frames, SQL text; no messages)."""

    def formatException(self, ei) -> str:  # type: ignore[no-untyped-def]  # noqa: ANN001
        exc = ei[1]
        return safe_traceback(exc).rstrip("\n") if exc is not None else ""

    def format(self, record: logging.LogRecord) -> str:
        cached, record.exc_text = record.exc_text, None  # never another formatter's text
        try:
            return redact(super().format(record))
        finally:
            record.exc_text = cached


def _log_unexpected(args: argparse.Namespace) -> str | None:
    """Write the current exception to the data folder's log (folder 0700, file 0600):
    the command, the version, the traceback without values (:mod:`ccm_desktop.logsafe`);
    returns the log's path (None when the folder cannot be written)."""
    try:
        path = data_paths(args, demo=args.command == "demo").root / "logs" / LOG_NAME
        handler = logsafe.PrivateFileHandler(path)
        handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
    except OSError:
        return None
    log.propagate = False
    try:
        log.exception(logsafe.header(f"ccm-desktop {args.command} failed"))
    finally:
        log.removeHandler(handler)
        handler.close()
    return str(path)
