"""Bulk inserts for the imports: one DB-API ``executemany`` of rows converted once.

SQLAlchemy's Core ``executemany`` builds and converts a parameter dictionary per row,
which cost more than SQLite's own work for a 200,000-row time import. Here the statement
is compiled once for the connection's dialect, each column's value goes through that
dialect's own bind processor (``TypeEngine.dialect_impl(dialect).bind_processor``: the
UTC conversion of ``UTCDateTime``, JSON, booleans), repeated values (an audit event's
detail) are converted once, and the rows go to the driver as they are.
Portable: no SQL text is written by hand, and the paramstyle is the dialect's. A ``str``
subclass (a ``StrEnum`` member) goes to the driver as a plain ``str``: the standard
``sqlite3`` driver looks every subclass up in its adapters first (about 1 µs per value,
two columns of a 200,000-row time import: benchmarks/README.md, bench_import.py).

These statements do not pass through the ORM session's execute events, so they mark
the session (``BULK_ROWS`` in ``Session.info``): the write gate then requires an audit
event in the transaction, as for any other write.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Select, Table, func, insert, select
from sqlalchemy.orm import Session

BULK_ROWS = "bulk_rows"  # Session.info key: rows written by insert_rows in this transaction
Converter = Callable[[Any], Any]


def plain(value: Any) -> Any:
    """``value``, with a ``str`` subclass (a ``StrEnum`` member) as a plain ``str``."""
    return str.__str__(value) if isinstance(value, str) and type(value) is not str else value


def memo(convert: Converter) -> Converter:
    """``convert``, remembered per value (a dict by its items); unhashable values are
    converted each time."""
    seen: dict[Any, Any] = {}

    def run(value: Any) -> Any:
        try:
            if isinstance(value, dict):  # by items and their types: {"a": True} is not {"a": 1}
                key: Any = (dict, tuple((k, type(v), v) for k, v in value.items()))
            else:
                key = (type(value), value)
            return seen[key]
        except KeyError:
            seen[key] = got = convert(value)
            return got
        except TypeError:  # unhashable
            return convert(value)

    return run


def insert_rows(
    s: Session,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    constants: dict[str, Any] | None = None,
    repeated: Collection[str] = (),
    converted: Collection[str] = (),
) -> int:
    """Insert ``rows`` (values in the order of ``columns``) in the session's transaction.

    ``constants`` (column -> value) are the same for every row; every other column takes
    its Python-side default (one value for all rows: the same ``created_at``), else its
    server default or NULL. Values of the ``repeated`` columns are converted once per
    distinct value; those of the ``converted`` columns come already converted (by
    :func:`converter`). Returns how many rows were inserted."""
    conn = s.connection()
    dialect = conn.dialect
    fixed = {**(constants or {})}
    fixed |= _defaults(table, [*columns, *fixed])
    names = [*columns, *fixed]
    compiled = insert(table).compile(dialect=dialect, column_keys=names)

    def proc_of(name: str) -> Converter | None:
        return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)

    convert: list[tuple[int, Converter]] = []
    for i, name in enumerate(columns):
        proc = proc_of(name) if name not in converted else None
        if proc is not None:
            convert.append((i, memo(proc) if name in repeated else proc))
    extra = tuple(plain(v if (p := proc_of(k)) is None else p(v)) for k, v in fixed.items())
    positional = bool(compiled.positional)
    order = [names.index(n) for n in compiled.positiontup or ()] if positional else []
    pick = itemgetter(*order) if len(order) > 1 and order != sorted(order) else None
    params: list[Any] = []
    if positional and pick is None and not convert:  # the rows as they are, one tuple each
        params = [(*row, *extra) for row in rows]
        rows = ()
    for row in rows:
        values: Any = (*row, *extra)
        if convert:
            values = list(values)
            for i, proc in convert:
                values[i] = proc(values[i])
        if not positional:
            params.append(dict(zip(names, values, strict=True)))
        elif pick is not None:
            params.append(pick(values))
        else:
            params.append(tuple(values))
    if not params:
        return 0
    conn.exec_driver_sql(compiled.string, params)
    s.info[BULK_ROWS] = s.info.get(BULK_ROWS, 0) + len(params)
    return len(params)


def _defaults(table: Table, columns: Sequence[str]) -> dict[str, Any]:
    """The Python-side defaults (``default=`` values and callables, called once for the
    whole statement) of the columns not given."""
    out: dict[str, Any] = {}
    for col in table.columns:
        d = col.default
        if col.key in columns or d is None:
            continue
        if d.is_scalar:
            out[col.key] = d.arg  # type: ignore[attr-defined]
        elif d.is_callable:
            out[col.key] = d.arg(None)  # type: ignore[attr-defined]
    return out


def ids_by(
    s: Session, table: Table, after: int, columns: Sequence[str]
) -> dict[tuple[Any, ...], int]:
    """The ids of the rows inserted after id ``after``, by the values of ``columns`` (a
    key unique among them), as the driver returns them (compare with :func:`converter`)."""
    out: dict[tuple[Any, ...], int] = {}
    for row in new_rows(s, table, after, columns):
        out[tuple(row[1:])] = int(row[0])
    return out


def new_ids(s: Session, table: Table, after: int, count: int) -> range | None:
    """The ids of the ``count`` rows this session just inserted into ``table`` after id
    ``after``, in the order of its rows, when they are the only rows above ``after`` and
    have consecutive ids; None otherwise (then read them back by key: :func:`ids_by`).

    Sound because a session's inserts take ids from the table's counter in the order of
    its rows, each above the last (SQLite: the highest rowid + 1, under the write lock; a
    PostgreSQL sequence: increasing values): ``count`` increasing ids filling a range of
    ``count`` are that range, in order."""
    c = table.c.id
    lo, hi, n = s.execute(select(func.min(c), func.max(c), func.count()).where(c > after)).one()
    if n != count or count == 0 or hi - lo + 1 != count:
        return None
    return range(int(lo), int(hi) + 1)


def converter(s: Session, table: Table, column: str) -> Converter:
    """A value of ``column`` as :func:`insert_rows` hands it to the driver (to match the
    rows read back by :func:`ids_by`)."""
    dialect = s.connection().dialect
    proc = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    return proc if proc is not None else (lambda value: value)


def last_id(s: Session, table: Table) -> int:
    """The highest id in ``table`` (0 when empty): rows inserted after it have higher ids."""
    return int(s.scalar(select(func.max(table.c.id))) or 0)


def new_rows(s: Session, table: Table, after: int, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """(id, *columns) of the rows with an id above ``after``, with the values as the
    driver returns them (unconverted: compare with :func:`converter` values)."""
    q = select(table.c.id, *(table.c[c] for c in columns)).where(table.c.id > after)
    return raw_rows(s, q)


def raw_rows(s: Session, q: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of ``q`` as the driver returns them, without SQLAlchemy's conversion of
    each value (for reading back many rows to compare with :func:`converter` values)."""
    compiled = q.compile(
        dialect=s.connection().dialect, compile_kwargs={"render_postcompile": True}
    )
    params = compiled.construct_params()
    if compiled.positional:
        args: Any = tuple(params[name] for name in compiled.positiontup or ())
    else:
        args = params
    return [tuple(r) for r in s.connection().exec_driver_sql(compiled.string, args)]
