"""The SQLCipher engine: raw 256-bit key, per-connection pragmas, a thread-safe pool.

Facts behind each choice are in shared/engineering-notes.md: a raw key skips the
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
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from ccm_desktop.errors import WrongKey

BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 65536


def _url(path: Path, key: bytes | None) -> URL:
    if key is None:
        return URL.create("sqlite+pysqlite", database=str(path))
    return URL.create("sqlite+pysqlcipher", password=f"x'{key.hex()}'", database=str(path))


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
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    cur.close()


def _on_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(path: Path, key: bytes | None) -> Engine:
    """An engine on ``path``; ``key=None`` gives a plain SQLite engine (benchmark baseline)."""
    engine = create_engine(
        _url(path, key),
        poolclass=QueuePool,
        pool_size=5,
        max_overflow=5,
        connect_args={"check_same_thread": False},
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


class Database:
    """An open practice database: sessions for reading and for writing.

    Services create one session per user action with :meth:`write` (commits on
    success, rolls back on error) or :meth:`read`. Sessions never cross threads.
    """

    def __init__(self, path: Path, key: bytes | None) -> None:
        self.path = path
        self.encrypted = key is not None
        self._key = key
        self.engine = make_engine(path, key)
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
        """A session in a BEGIN IMMEDIATE transaction, committed when the block ends."""
        with self._write() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        with self._read() as session:
            try:
                yield session
            finally:
                session.rollback()

    def key_sql(self) -> str:
        """The raw-key literal for ``ATTACH ... KEY``; never log or print it."""
        if self._key is None:
            return "''"
        return f"\"x'{self._key.hex()}'\""

    def close(self) -> None:
        """Release every pooled connection (checkpointing the WAL)."""
        self.engine.dispose()
