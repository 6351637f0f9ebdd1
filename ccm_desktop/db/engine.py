"""The SQLCipher engine: raw 256-bit key, per-connection pragmas, a thread-safe pool.

Facts behind each choice are in docs/engineering-notes.md: a raw key skips the
KDF, ``QueuePool`` (the dialect's default pool segfaulted under threads),
``isolation_level=None`` plus an explicit BEGIN so DDL is transactional, WAL, and
one read right after keying so a wrong key fails at open, before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from ccm_desktop.errors import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseFailure,
    DiskFull,
    WriteConflict,
    WrongKey,
)

BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 65536


def _url(path: Path, key: bytes | None) -> URL:
    if key is None:
        return URL.create("sqlite+pysqlite", database=str(path))
    return URL.create("sqlite+pysqlcipher", password=f"x'{key.hex()}'", database=str(path))


def database_failure(exc: DBAPIError) -> DatabaseFailure:
    """The typed, plain-words error for a driver error (no statement, no values in it).

    Busy and locked become :class:`DatabaseBusy`, constraint failures
    :class:`WriteConflict`, a full disk :class:`DiskFull`, damage and foreign files
    :class:`DatabaseDamaged`; anything else a :class:`DatabaseFailure`.
    """
    text = str(exc.orig).lower()
    if isinstance(exc, IntegrityError):
        # "UNIQUE constraint failed: patient.mrn": names a table and column, never a value.
        what = str(exc.orig).split(":", 1)[-1].strip() if ":" in str(exc.orig) else ""
        return WriteConflict(
            "This change collides with a record saved in the meantime"
            + (f" ({what})" if what and len(what) < 120 else "")
            + ": nothing was saved. Reload and try again."
        )
    if "locked" in text or "busy" in text:
        return DatabaseBusy(
            "The practice database is busy with another save (on this computer or another "
            "program): nothing was saved. Try again in a moment."
        )
    if "disk is full" in text or "database or disk is full" in text:
        return DiskFull("The disk is full: nothing was saved. Free some space and try again.")
    if any(w in text for w in ("malformed", "not a database", "disk i/o", "corrupt")):
        return DatabaseDamaged(
            "The practice database is damaged: nothing was saved. Run verify, and restore "
            "the latest good backup if it fails."
        )
    return DatabaseFailure(
        f"The database could not do this ({type(exc.orig).__name__}): nothing was saved."
    )


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (transactional DDL)
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA cipher_log_level = NONE")
    except Exception:  # plain sqlite (benchmark baseline) has no such pragma
        pass
    # The first real read: fails here with "file is not a database" on a wrong key.
    cur.execute("SELECT count(*) FROM sqlite_master")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute(f"PRAGMA busy_timeout = {int(_record.info.get('busy_ms', BUSY_TIMEOUT_MS))}")
    cur.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    cur.close()


def _on_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(path: Path, key: bytes | None, busy_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """An engine on ``path``; ``key=None`` gives a plain SQLite engine (benchmark baseline).

    Statement parameters (patient values) are never put into error messages.
    """
    engine = create_engine(
        _url(path, key),
        poolclass=QueuePool,
        pool_size=5,
        max_overflow=5,
        connect_args={"check_same_thread": False},
        hide_parameters=True,
    )

    def connect(dbapi_conn: Any, record: Any) -> None:
        record.info["busy_ms"] = busy_ms
        _on_connect(dbapi_conn, record)

    event.listen(engine, "connect", connect)
    event.listen(engine, "begin", _on_begin)
    return engine


class Database:
    """An open practice database: sessions for reading and for writing.

    Services create one session per user action with :meth:`write` (commits on
    success, rolls back on error) or :meth:`read`. Sessions never cross threads.
    """

    def __init__(self, path: Path, key: bytes | None, *, busy_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = path
        self.encrypted = key is not None
        self._key = key
        self.engine = make_engine(path, key, busy_ms)
        self._write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self._write_engine, expire_on_commit=False)
        self.check_key()

    def check_key(self) -> None:
        """Open one connection; :class:`WrongKey` if the key does not fit the file."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except (DatabaseError, OperationalError) as exc:
            self.engine.dispose()
            if "not a database" in str(exc.orig) or "encrypted" in str(exc.orig):
                raise WrongKey(
                    "The key does not open this practice database (wrong key or passphrase, "
                    "or the file is not a practice database)."
                ) from None
            raise

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in a BEGIN IMMEDIATE transaction, committed when the block ends.

        Only the write gate (``ccm_desktop/gate.py``) and migrations call this; driver
        errors reach the caller as :class:`DatabaseFailure` subclasses.
        """
        try:
            with self._write() as session, session.begin():
                yield session
        except DBAPIError as exc:
            raise database_failure(exc) from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed. Driver errors reach the
        caller as :class:`DatabaseFailure` subclasses."""
        try:
            with self._read() as session:
                try:
                    yield session
                finally:
                    session.rollback()
        except DBAPIError as exc:
            raise database_failure(exc) from exc

    def key_sql(self) -> str:
        """The raw-key literal for ``ATTACH ... KEY``; never log or print it."""
        if self._key is None:
            return "''"
        return f"\"x'{self._key.hex()}'\""

    def close(self) -> None:
        """Release every pooled connection (checkpointing the WAL)."""
        self.engine.dispose()
