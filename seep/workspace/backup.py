"""`seep backup DEST`: a copy of a workspace that opens as a workspace on its own (a SQLite
one), taken while the app and its workers go on saving.

Copying the folder by hand while Seep runs is not a backup: seep.db keeps its newest commits
in seep.db-wal until a checkpoint, and a copy of the two taken moments apart can be torn.
Here SQLite's online backup takes the database as it was at one moment (from PostgreSQL:
every table read under the workspace's write lock, which every save takes, into a new
seep.db; so a team's workspace also moves back to one machine); then exactly the files its
rows name are copied. Every file is written before the row that names it
(doctor.py), so each is on disk by then, and a file saved after that moment is left out with
its row. The copy is built beside DEST and renamed into place once whole: an interrupted
backup leaves no DEST that looks complete.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from seep.errors import BadInputError, WorkspaceError
from seep.workspace import db
from seep.workspace.doctor import named_files
from seep.workspace.records import timestamp
from seep.workspace.to_postgres import NOT_COPIED
from seep.workspace.workspace import Workspace


@dataclass(frozen=True)
class Backup:
    dest: Path
    files: int  # the rasters, masks and weights the records name
    bytes: int  # theirs, the database's and the class table's


def backup(ws: Workspace, dest: Path) -> Backup:
    """Copy `ws` (its records and the files they name) into the new folder `dest`."""
    dest = Path(dest).absolute()
    _check_dest(ws, dest)
    part = dest.with_name(f".{dest.name}.partial")
    shutil.rmtree(part, ignore_errors=True)  # an earlier backup to the same place, interrupted
    try:
        part.mkdir(parents=True)
        shutil.copy2(ws.root / "dataset.json", part / "dataset.json")
        take = _snapshot if ws.store.dialect == "sqlite" else _snapshot_postgres
        files = take(ws, part / "seep.db")
        missing = [rel for rel in files if not (ws.root / rel).is_file()]
        if missing:  # lost from the workspace itself: `seep check` there says the same
            raise WorkspaceError(
                f"{len(missing)} files the workspace's records name are missing (first: {missing[0]}); "
                "`python -m seep check` lists them; nothing was kept"
            )
        for rel in files:
            (part / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ws.root / rel, part / rel)
        size = sum(p.stat().st_size for p in part.rglob("*") if p.is_file())
        part.rename(dest)
    except OSError as e:
        shutil.rmtree(part, ignore_errors=True)
        raise WorkspaceError(f"cannot write the backup in {dest.parent}: {e.strerror or e}; nothing was kept") from e
    except sqlite3.Error as e:  # the database file itself: its disk, or a row the copy refused
        shutil.rmtree(part, ignore_errors=True)
        raise WorkspaceError(f"cannot write the backup's database in {dest.parent}: {e}; nothing was kept") from e
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    return Backup(dest, len(files), size)


def _check_dest(ws: Workspace, dest: Path) -> None:
    if dest.exists():
        raise BadInputError(f"{dest} already exists: a backup goes into a new folder; nothing was copied")
    if dest.is_relative_to(ws.root.absolute()):
        raise BadInputError(f"{dest} is inside the workspace it would back up; choose a folder outside it")


def _snapshot(ws: Workspace, dst: Path) -> list[str]:
    """The database as it is at one moment, however busy (SQLite's online backup, in one step),
    as one file (no -wal beside it); returns the files its records name."""
    with closing(sqlite3.connect(ws.db_path)) as s, closing(sqlite3.connect(dst)) as d:
        s.backup(d)
        _as_a_copy(d)
        d.execute("PRAGMA journal_mode = DELETE")
        return sorted(named_files(d))


def _as_a_copy(d) -> None:
    """The workers serving the workspace serve it, not the copy (a copy opened soon after would
    take their recent beats for a worker of its own and start none), and a job running there
    goes on there: in the copy it ended when the backup was taken."""
    d.execute(f"DELETE FROM {', '.join(NOT_COPIED)}")
    d.execute(
        "UPDATE jobs SET status = 'ERROR', lease = NULL, finished_at = ?, message = ? WHERE status = 'RUNNING'",
        (timestamp(), "still running in the workspace when this backup was taken; it goes on there, not in this copy"),
    )
    d.commit()


def _snapshot_postgres(ws: Workspace, dst: Path) -> list[str]:
    """Every record on the server, at one moment, into a new seep.db at this Seep's schema;
    row counts checked on both sides. Saves wait meanwhile (1.3 million rows: 7 s,
    benchmarks/bench_copy.py)."""
    db.create(dst)
    with ws.connect(write=True) as s, closing(sqlite3.connect(dst)) as d:
        d.execute("PRAGMA foreign_keys = OFF")  # the rows arrive table by table
        tables = [r[0] for r in d.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")]
        for table in (t for t in tables if t not in NOT_COPIED):
            columns = [r[1] for r in d.execute(f'PRAGMA table_info("{table}")')]
            quoted = ", ".join(f'"{c}"' for c in columns)
            order = " ORDER BY rowid" if table == "model_activations" else ""  # the active model's history, in order
            rows = s.stream(f'SELECT {quoted} FROM "{table}"{order}')
            d.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(columns))})', rows)
            theirs = s.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            ours = d.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            if ours != theirs:
                raise WorkspaceError(f"table {table}: {theirs} rows on the server, {ours} in the copy; nothing was kept")
        _as_a_copy(d)
        d.execute("PRAGMA journal_mode = DELETE")
        return sorted(named_files(d))
