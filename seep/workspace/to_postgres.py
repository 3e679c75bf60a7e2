"""A workspace's records moved from its SQLite file into an empty PostgreSQL database: the
step from one analyst's machine to a team server (`python -m seep copy-to-postgres URL`).

seep.db is read under its write lock, so nobody saves meanwhile and the copy is one
moment's picture; PostgreSQL gets it in one transaction (all or nothing), and every table's
rows are counted on both sides before that commits. seep.db is then marked moved and kept
as it was (db.refuse_if_moved): a Seep still pointed at it is told where the records went
instead of saving where the team no longer reads. The rasters, masks and weights stay
files in the workspace folder, which both stores share.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import psycopg

from seep.errors import WorkspaceError
from seep.workspace import db
from seep.workspace.postgres import PostgresStore
from seep.workspace.records import timestamp

# Rows about the processes serving seep.db: the server's workers announce themselves there.
NOT_COPIED = ("workers",)


def copy_to_postgres(root: Path, url: str) -> dict[str, int]:
    """Copy every record of the workspace at `root` from seep.db into the database at `url`,
    which must hold no Seep records yet; returns the rows copied per table."""
    src = db.SqliteStore(Path(root) / "seep.db")
    if not src.exists():
        raise WorkspaceError(f"{root} has no seep.db: there are no records here to copy (is it the workspace folder?)")
    src.migrate()  # both at this Seep's schema, so their tables and columns match
    dst = PostgresStore(url)
    dst.migrate()
    with src.connect(write=True) as s:
        _refuse_while_working(s)
        tables = _tables_in_order(s)
        with dst.connect(write=True) as d:
            _refuse_unless_empty(d, dst)
            counts = {t: _copy_table(s, d, t) for t in tables}
            _restart_identities(d)
            _check_counts(s, d, counts)
        s.execute("INSERT INTO settings VALUES (?, ?)", (db.MOVED_KEY, json.dumps({"to": dst.where, "at": timestamp()})))
    return counts


def _refuse_while_working(s) -> None:
    """A worker or a job still writing to seep.db would write after the copy, where no one
    reads: stop them first. A job whose worker died long ago is copied as it is; the
    server's first look at the queue marks it failed."""
    from seep.jobs.queue import LEASE_S, WORKER_SILENT_S

    now = time.time()
    workers = [r[0] for r in s.execute("SELECT id FROM workers WHERE beat > ?", (now - WORKER_SILENT_S,))]
    jobs = [str(r[0]) for r in s.execute("SELECT id FROM jobs WHERE status = 'RUNNING' AND heartbeat > ?", (now - LEASE_S,))]
    if workers or jobs:
        busy = f"job {', '.join(jobs)} running" if jobs else f"worker {', '.join(workers)} serving the queue"
        raise WorkspaceError(
            f"the workspace is in use ({busy}): stop the app and its workers (let a running job finish, or stop it "
            "on the Train page), then copy again; nothing was copied"
        )


def _tables_in_order(s) -> list[str]:
    """seep.db's tables, each after the tables its foreign keys point at (PostgreSQL checks
    every reference as the row goes in)."""
    names = [r[0] for r in s.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")]
    needs = {t: {r["table"] for r in s.execute(f'PRAGMA foreign_key_list("{t}")')} & set(names) - {t} for t in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = sorted(t for t in names if t not in ordered and needs[t] <= set(ordered))
        if not ready:  # references in a circle: no order would do; Seep's schema has none
            raise WorkspaceError(f"the tables {sorted(set(names) - set(ordered))} refer to each other; nothing was copied")
        ordered += ready
    return [t for t in ordered if t not in NOT_COPIED]


def _refuse_unless_empty(d, dst: PostgresStore) -> None:
    full = [t for t in _pg_tables(d) if t not in NOT_COPIED and d.execute(f'SELECT EXISTS (SELECT 1 FROM "{t}")').fetchone()[0]]
    if full:
        raise WorkspaceError(
            f"{dst.where} already holds Seep records (in {', '.join(full)}): a workspace is copied into an empty "
            "database only (createdb a new one); nothing was copied"
        )


def _pg_tables(d) -> list[str]:
    rows = d.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE' AND table_name <> 'seep_schema' ORDER BY table_name"
    )
    return [r[0] for r in rows]


def _pg_columns(d, table: str) -> list[str]:
    """The columns a copy fills: all but those PostgreSQL always numbers itself (the rowid
    model_activations has there in place of SQLite's implicit one)."""
    rows = d.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? "
        "AND identity_generation IS DISTINCT FROM 'ALWAYS' ORDER BY ordinal_position",
        (table,),
    )
    return [r[0] for r in rows]


def _copy_table(s, d, table: str) -> int:
    columns = [r["name"] for r in s.execute(f'PRAGMA table_info("{table}")')]
    if sorted(columns) != sorted(_pg_columns(d, table)):
        raise WorkspaceError(f"table {table} differs between seep.db and the server ({columns}); nothing was copied")
    # model_activations is read in insertion order (the active model's history): PostgreSQL
    # numbers the rows in the order they arrive, so they arrive in SQLite's.
    order = " ORDER BY rowid" if table == "model_activations" else ""
    quoted = ", ".join(f'"{c}"' for c in columns)
    try:
        return d.copy_rows(table, columns, s.execute(f'SELECT {quoted} FROM "{table}"{order}'))
    except psycopg.Error as e:  # a value SQLite took and PostgreSQL does not (a NUL in a text)
        raise WorkspaceError(f"table {table}: the server refused a row of seep.db ({str(e).strip()}); nothing was copied") from e


def _restart_identities(d) -> None:
    """Ids given with the rows leave each identity's counter at 1: the next job, review or
    audit entry on the server would collide with a copied one. Start each past the highest."""
    rows = d.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND identity_generation = 'BY DEFAULT'"
    ).fetchall()
    for table, column in rows:
        d.execute(
            f'SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX("{column}"), 0) + 1, false) FROM "{table}"',
            (f'"{table}"', column),
        )


def _check_counts(s, d, counts: dict[str, int]) -> None:
    for table, n in counts.items():
        theirs = d.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        ours = s.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        if not n == theirs == ours:
            raise WorkspaceError(f"table {table}: {ours} rows in seep.db, {n} copied, {theirs} on the server; nothing was copied")
