"""The workspace's records: one SQLite file in WAL mode (the default), or a PostgreSQL
database for a team (postgres.py) when SEEP_DATABASE_URL names one.

Migrations are a list, one history for both stores; a database at version k runs
migrations k..n-1 in one transaction each, so an old workspace opens in a new Seep without
losing anything. The SQLite schema version is PRAGMA user_version.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from seep.errors import WorkspaceError

MIGRATIONS: list[str] = [
    # 1: images, immutable label versions, per-version class pixel counts.
    """
    CREATE TABLE images (
        id TEXT PRIMARY KEY,              -- first 16 hex digits of the pixel checksum: stable everywhere
        name TEXT NOT NULL,               -- file stem at import, e.g. 041869.000003
        scene TEXT NOT NULL,
        checksum TEXT NOT NULL UNIQUE,    -- sha256 of dtype, shape and pixels
        height INTEGER NOT NULL,
        width INTEGER NOT NULL,
        channels INTEGER NOT NULL,
        dtype TEXT NOT NULL,
        file TEXT NOT NULL,               -- relative to the workspace
        origin TEXT NOT NULL,             -- where it was imported from
        status TEXT NOT NULL DEFAULT 'unlabelled'
            CHECK (status IN ('unlabelled', 'predicted', 'in_review', 'corrected', 'accepted')),
        head_version INTEGER,             -- newest label version, NULL while unlabelled
        seep_pixels INTEGER NOT NULL DEFAULT 0,  -- of the head label, for sorting
        imported_at TEXT NOT NULL
    );
    CREATE INDEX images_name ON images(name);
    CREATE INDEX images_status ON images(status, name);
    CREATE INDEX images_scene ON images(scene, name);
    CREATE TABLE label_versions (
        image_id TEXT NOT NULL REFERENCES images(id),
        version INTEGER NOT NULL,         -- 1, 2, ... per image
        parent INTEGER,                   -- the version it was edited from
        author TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('imported', 'predicted', 'edited', 'restored')),
        model_id TEXT,                    -- for source = predicted
        restored_from INTEGER,            -- for source = restored
        created_at TEXT NOT NULL,
        checksum TEXT NOT NULL,
        file TEXT NOT NULL,
        PRIMARY KEY (image_id, version)
    ) WITHOUT ROWID;
    CREATE TABLE label_classes (
        image_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        class_id INTEGER NOT NULL,
        pixels INTEGER NOT NULL,
        PRIMARY KEY (image_id, version, class_id)
    ) WITHOUT ROWID;
    """,
    # 2: predictions cached per (image, model): Browse filters and sorts on them.
    """
    CREATE TABLE predictions (
        image_id TEXT NOT NULL REFERENCES images(id),
        model_id TEXT NOT NULL,
        file TEXT NOT NULL,               -- 2-band uint8 TIFF: class ids, confidence x 255
        seep_pixels INTEGER NOT NULL,
        uncertainty REAL NOT NULL,        -- 0 sure .. 1 unsure, around predicted seeps
        created_at TEXT NOT NULL,
        PRIMARY KEY (image_id, model_id)
    ) WITHOUT ROWID;
    CREATE INDEX predictions_model ON predictions(model_id, uncertainty);
    """,
    # 3: the model registry, its activation history, background jobs, workspace settings.
    """
    CREATE TABLE models (
        id TEXT PRIMARY KEY,
        parent TEXT,                      -- the model it was fine-tuned from
        file TEXT NOT NULL,               -- weights, relative to the workspace
        created_at TEXT NOT NULL,
        job_id INTEGER,                   -- the job that trained it
        train_images INTEGER NOT NULL DEFAULT 0,
        data_snapshot TEXT NOT NULL DEFAULT '[]',  -- JSON [[image id, label version], ...]
        val_scenes TEXT NOT NULL DEFAULT '[]',
        metrics TEXT NOT NULL DEFAULT '{}'         -- evaluation on the validation scenes
    );
    CREATE TABLE model_activations (
        at TEXT NOT NULL,
        model_id TEXT NOT NULL REFERENCES models(id)
    );
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,               -- finetune | predict_all | evaluate
        status TEXT NOT NULL CHECK (status IN ('SUBMITTED', 'RUNNING', 'DONE', 'ERROR', 'STOPPED')),
        params TEXT NOT NULL,             -- JSON
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        pid INTEGER,
        heartbeat REAL,                   -- unix time of the worker's last sign of life
        progress REAL NOT NULL DEFAULT 0, -- 0..1
        message TEXT NOT NULL DEFAULT '',
        history TEXT NOT NULL DEFAULT '[]', -- per-epoch metrics, JSON
        log TEXT NOT NULL DEFAULT '',     -- the last lines
        cancel INTEGER NOT NULL DEFAULT 0,
        result TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX jobs_status ON jobs(status, id);
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL               -- JSON
    );
    """,
    # 4: fenced jobs: the worker that claimed a job holds its lease; a reaped job's lease is
    # gone, so a worker that was only paused can no longer write progress or results.
    """
    ALTER TABLE jobs ADD COLUMN lease TEXT;    -- random token of the claiming worker
    ALTER TABLE jobs ADD COLUMN host TEXT;     -- where that worker runs (its pid means something there)
    """,
    # 5: georeferenced scenes cut into tiles: the grid that puts each tile back on the map.
    """
    CREATE TABLE scenes (
        name TEXT PRIMARY KEY,
        origin TEXT NOT NULL,             -- the file it was imported from
        height INTEGER NOT NULL,
        width INTEGER NOT NULL,
        bands INTEGER NOT NULL,
        dtype TEXT NOT NULL,
        crs TEXT,                         -- WKT; NULL when the raster has none (exports get no coordinates)
        transform TEXT NOT NULL,          -- JSON affine [a, b, c, d, e, f]: pixel (col, row) -> (x, y)
        tile INTEGER NOT NULL,            -- tile edge in pixels
        tiles INTEGER NOT NULL DEFAULT 0,
        skipped_no_data INTEGER NOT NULL DEFAULT 0,  -- tiles of only no-data, not stored
        complete INTEGER NOT NULL DEFAULT 0,         -- 0 while importing: an interrupted import is undone
        imported_at TEXT NOT NULL
    );
    CREATE TABLE scene_tiles (
        image_id TEXT PRIMARY KEY REFERENCES images(id),
        scene TEXT NOT NULL REFERENCES scenes(name),
        row_off INTEGER NOT NULL,         -- the tile's top-left pixel in the scene
        col_off INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX scene_tiles_scene ON scene_tiles(scene, row_off, col_off);
    """,
    # 6: accounts and roles (none: single-user mode), sign-in throttling, the audit trail.
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('analyst', 'reviewer', 'admin')),
        password_hash TEXT NOT NULL,      -- argon2id, salted; the password itself is never stored
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE sign_in_failures (
        name TEXT PRIMARY KEY,            -- as typed: unknown names are slowed down like known ones
        failures INTEGER NOT NULL,
        wait_until REAL NOT NULL          -- unix time before which no attempt is checked
    ) WITHOUT ROWID;
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,             -- save, accept, restore, promote, rollback, user-add, ...
        target TEXT NOT NULL DEFAULT '',  -- the image, model or user acted on
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_at ON audit(at);
    """,
    # 7: second review. A reviewer returns a corrected tile with a comment ('returned' joins the
    # statuses: SQLite cannot change a CHECK, so images is rebuilt the documented way, with
    # foreign keys off during migrations; PostgreSQL swaps the constraint) or accepts it; every
    # verdict is kept.
    {
        "sqlite": """
    CREATE TABLE images_new (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        scene TEXT NOT NULL,
        checksum TEXT NOT NULL UNIQUE,
        height INTEGER NOT NULL,
        width INTEGER NOT NULL,
        channels INTEGER NOT NULL,
        dtype TEXT NOT NULL,
        file TEXT NOT NULL,
        origin TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'unlabelled'
            CHECK (status IN ('unlabelled', 'predicted', 'in_review', 'corrected', 'returned', 'accepted')),
        head_version INTEGER,
        seep_pixels INTEGER NOT NULL DEFAULT 0,
        imported_at TEXT NOT NULL
    );
    INSERT INTO images_new SELECT * FROM images;
    DROP TABLE images;
    ALTER TABLE images_new RENAME TO images;
    CREATE INDEX images_name ON images(name);
    CREATE INDEX images_status ON images(status, name);
    CREATE INDEX images_scene ON images(scene, name);
    """,
        "postgres": """
    ALTER TABLE images DROP CONSTRAINT images_status_check;
    ALTER TABLE images ADD CONSTRAINT images_status_check
        CHECK (status IN ('unlabelled', 'predicted', 'in_review', 'corrected', 'returned', 'accepted'));
    """,
        "both": """
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        image_id TEXT NOT NULL REFERENCES images(id),
        version INTEGER NOT NULL,         -- the label version judged
        reviewer TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('accepted', 'returned')),
        comment TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL
    );
    CREATE INDEX reviews_image ON reviews(image_id, id);
    """,
    },
    # 8: look-alikes: predicted seeps an analyst removed, with the reason; hard negatives for fine-tuning.
    """
    CREATE TABLE lookalikes (
        id INTEGER PRIMARY KEY,
        image_id TEXT NOT NULL REFERENCES images(id),
        version INTEGER NOT NULL,         -- the label version that removed it
        model_id TEXT,                    -- the model that predicted it
        reason TEXT NOT NULL,
        top INTEGER NOT NULL,             -- the region's box in the tile
        "left" INTEGER NOT NULL,         -- quoted: a reserved word in PostgreSQL
        height INTEGER NOT NULL,
        width INTEGER NOT NULL,
        pixels INTEGER NOT NULL,
        region BLOB NOT NULL,             -- PNG of the box: 255 on the region's pixels
        author TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX lookalikes_image ON lookalikes(image_id);
    """,
    # 9: blind double labelling: a reviewer sends a tile to two analysts, each labels it without
    # seeing the other's mask, a reviewer keeps one; their agreement per class is kept per round.
    """
    CREATE TABLE blind_rounds (
        id INTEGER PRIMARY KEY,
        image_id TEXT NOT NULL REFERENCES images(id),
        sent_by TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        closed_by TEXT,                   -- who adjudicated (or withdrew) it
        closed_at TEXT,
        kept TEXT,                        -- whose mask became the label; NULL: withdrawn
        version INTEGER                   -- the label version it became
    );
    CREATE UNIQUE INDEX blind_rounds_open ON blind_rounds(image_id) WHERE closed_at IS NULL;
    CREATE TABLE blind_labels (
        round_id INTEGER NOT NULL REFERENCES blind_rounds(id),
        analyst TEXT NOT NULL,
        file TEXT,                        -- their mask, once saved (replaced by a later save)
        saved_at TEXT,
        PRIMARY KEY (round_id, analyst)
    );
    CREATE INDEX blind_labels_analyst ON blind_labels(analyst);
    CREATE TABLE agreement (              -- between the two masks of a round, once both are saved
        round_id INTEGER NOT NULL REFERENCES blind_rounds(id),
        class_id INTEGER NOT NULL,        -- 0: any seep against none (background says nothing)
        overlap INTEGER NOT NULL,         -- pixels both gave this class
        either INTEGER NOT NULL,          -- pixels either gave it
        PRIMARY KEY (round_id, class_id)
    );
    """,
    # 10: signing in through the deployment's OpenID Connect provider: an account is found by
    # the email its identity provider vouches for (stored casefolded; one account per address).
    """
    ALTER TABLE users ADD COLUMN email TEXT;
    CREATE UNIQUE INDEX users_email ON users(email) WHERE email IS NOT NULL;
    """,
    # 11: a save conflict resolved names both parents: `parent` is the colleague's version it
    # was saved on top of, `merged_from` the version the analyst had opened (NULL: they opened a
    # prediction or an empty mask), and `resolution` what they chose.
    """
    ALTER TABLE label_versions ADD COLUMN merged_from INTEGER;
    ALTER TABLE label_versions ADD COLUMN resolution TEXT CHECK (resolution IN ('theirs', 'patch', 'mine'));
    """,
    # 12: workers anywhere (a GPU node beside the app's server): each says who and where it is
    # and beats; the app starts a local worker only when none is alive. A job names the device
    # its worker runs it on.
    """
    CREATE TABLE workers (
        id TEXT PRIMARY KEY,              -- host:pid, so the app's note of a worker it started is the same row
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        device TEXT NOT NULL,             -- cpu, cuda (NVIDIA H100 ...)
        started_at TEXT NOT NULL,
        beat REAL NOT NULL                -- unix time of its last sign of life
    );
    ALTER TABLE jobs ADD COLUMN device TEXT;
    """,
    # 13: a note with a saved version ("unsure of the tail: low wind?"), as a commit message
    # goes with a commit: the reviewer reads it on the tile, Browse finds the tiles that have one.
    """
    ALTER TABLE label_versions ADD COLUMN note TEXT NOT NULL DEFAULT '';
    """,
    # 14: when each account's password was last set (unix time; 0: before this column): a
    # session signed in with another one ends, so a changed password shuts out whoever had it.
    """
    ALTER TABLE users ADD COLUMN password_set_at REAL NOT NULL DEFAULT 0;
    """,
    # 15: when each account's sessions were last ended together (unix time; 0: never), as by
    # "Sign out my other sessions" or an admin: a session signed in before then ends too.
    """
    ALTER TABLE users ADD COLUMN sessions_ended_at REAL NOT NULL DEFAULT 0;
    """,
    # 16: one person's part of the audit trail, and when each account last signed in (the Team
    # page's accounts table), without a scan of the whole trail.
    """
    CREATE INDEX audit_actor ON audit(actor, action, at);
    """,
    # 17: when each scene was acquired (the radar's pass, ISO 8601 UTC; NULL: unknown) and where
    # that was read (its metadata, its file name, or who set it): passes over one sea in order.
    """
    ALTER TABLE scenes ADD COLUMN acquired TEXT;
    ALTER TABLE scenes ADD COLUMN acquired_from TEXT NOT NULL DEFAULT '';
    """,
    # 18: who each scene is handed out to (a lead sharing the morning's passes among the team), by
    # scene name: tile folders' scenes too, which have no row in `scenes`.
    """
    CREATE TABLE assignments (
        scene TEXT PRIMARY KEY,
        person TEXT NOT NULL,
        assigned_by TEXT NOT NULL,
        assigned_at TEXT NOT NULL
    );
    CREATE INDEX assignments_person ON assignments(person);
    """,
    # 19: the analyst's remarks on a georeferenced scene (wind and sea state, ship traffic, what
    # she was unsure of), who wrote them and when: the report's reader reads them with the slicks.
    """
    ALTER TABLE scenes ADD COLUMN remarks TEXT NOT NULL DEFAULT '';
    ALTER TABLE scenes ADD COLUMN remarks_by TEXT NOT NULL DEFAULT '';
    ALTER TABLE scenes ADD COLUMN remarks_at TEXT;
    """,
    # 20: when a scene's report (its own, or a window's of passes) was last written and by whom:
    # which passes' reports went out.
    """
    ALTER TABLE scenes ADD COLUMN reported_at TEXT;
    ALTER TABLE scenes ADD COLUMN reported_by TEXT NOT NULL DEFAULT '';
    """,
    # 21: an import in progress beats (import_beat) under its own token: a second import of the
    # same scene, or one that finds it begun, can tell a live import from one a crash left.
    """
    ALTER TABLE scenes ADD COLUMN import_beat TEXT;
    ALTER TABLE scenes ADD COLUMN import_token TEXT NOT NULL DEFAULT '';
    """,
    # 22: each import of seeps from a GIS file and the label versions it saved, with what each
    # tile was before (its newest version and review status): a wrong file is undone whole.
    """
    CREATE TABLE gis_imports (
        id INTEGER PRIMARY KEY,
        file TEXT NOT NULL,               -- the file's name, as the analyst chose it
        author TEXT NOT NULL,
        at TEXT NOT NULL,
        finished_at TEXT,                 -- NULL while it writes (or once a crash stopped it)
        undone_by TEXT NOT NULL DEFAULT '',
        undone_at TEXT                    -- NULL: not undone
    );
    CREATE TABLE gis_import_tiles (
        import_id INTEGER NOT NULL REFERENCES gis_imports(id),
        image_id TEXT NOT NULL REFERENCES images(id),
        version INTEGER NOT NULL,         -- the label version the import saved
        before_version INTEGER,           -- the tile's newest version before it (NULL: no label)
        before_status TEXT NOT NULL,
        put_back INTEGER NOT NULL DEFAULT 0,  -- 1: undone, the tile as it was before (else kept)
        PRIMARY KEY (import_id, image_id)
    );
    CREATE INDEX gis_import_tiles_image ON gis_import_tiles(image_id);
    """,
    # 23: an import of seeps is one kind of batch undone whole; predictions accepted unopened on
    # Browse's grid are the other, each tile with the verdict the batch gave it (kept in History,
    # marked undone, as the versions are).
    """
    ALTER TABLE gis_imports RENAME TO batches;
    ALTER TABLE batches RENAME COLUMN file TO what;  -- an import's file, or whose predictions were accepted
    ALTER TABLE batches ADD COLUMN kind TEXT NOT NULL DEFAULT 'import' CHECK (kind IN ('import', 'grid'));
    ALTER TABLE gis_import_tiles RENAME TO batch_tiles;
    ALTER TABLE batch_tiles RENAME COLUMN import_id TO batch_id;
    ALTER TABLE batch_tiles ADD COLUMN review_id INTEGER REFERENCES reviews(id);  -- the verdict it gave (grid)
    DROP INDEX gis_import_tiles_image;
    CREATE INDEX batch_tiles_image ON batch_tiles(image_id);
    CREATE INDEX batch_tiles_review ON batch_tiles(review_id);
    """,
    # 24: each export of a scene's labels as polygons, at the moment it read them. A file that
    # comes back from a GIS naming that moment (its labels_at field) is read against the labels
    # as they were then: a slick deleted in the GIS is erased (seep.workspace.returned_vectors).
    """
    CREATE TABLE label_exports (
        id INTEGER PRIMARY KEY,
        scene TEXT NOT NULL,
        at TEXT NOT NULL,                 -- when the export read the labels: its labels_at
        slicks INTEGER NOT NULL           -- the slicks it wrote of the scene: how many came back is said
    );
    CREATE INDEX label_exports_scene ON label_exports(scene, at);
    """,
    # 25: what a model is, in words: one trained elsewhere and added (seep.workspace.model_import)
    # has no parent, job or tiles of this workspace to say it.
    "ALTER TABLE models ADD COLUMN note TEXT NOT NULL DEFAULT '';",
    # 26: what a model added with its recipe's scene cross-validation (MODEL.cv.json, as the shipped
    # model's) should do on new scenes: JSON of seep.learn.shipped.expected_scores, '' where none.
    "ALTER TABLE models ADD COLUMN expected TEXT NOT NULL DEFAULT '';",
    # 27: the team's offshore installations (platforms, wells, pipelines), each slick's nearest
    # named beside it (seep.workspace.installations); replaced whole by each load.
    """
    CREATE TABLE installations (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        geometry BLOB NOT NULL,           -- WKB in longitude and latitude (EPSG:4326)
        west REAL NOT NULL,               -- its box, west from -180 (east may pass 180): only those
        south REAL NOT NULL,              -- near a scene are read of a register of thousands
        east REAL NOT NULL,
        north REAL NOT NULL
    );
    CREATE INDEX installations_box ON installations(south, north);
    """,
    # 28: each scene tile's distance on the ground to the nearest installation (NULL: none within
    # installations.NEAR_KM), for Browse's filter: measured once per tile and load, not per page.
    """
    CREATE TABLE tile_installations (
        image_id TEXT PRIMARY KEY,
        name TEXT,                        -- the nearest; NULL with km where none lies within reach
        km REAL
    );
    CREATE INDEX tile_installations_km ON tile_installations(km);
    """,
    # 29: AIS positions near the passes (seep.workspace.vessels): each slick's nearest vessel at the pass.
    """
    CREATE TABLE vessel_positions (
        mmsi TEXT NOT NULL,
        name TEXT NOT NULL,
        at TEXT NOT NULL,                 -- ISO 8601 UTC, to the second: sorts as it reads
        lon REAL NOT NULL,
        lat REAL NOT NULL,
        PRIMARY KEY (mmsi, at)
    );
    CREATE INDEX vessel_positions_at ON vessel_positions(at);
    """,
    # 30: the speed and course a vessel reported (AIS's SOG, COG; NULL: not given): one reported once near
    # a pass is carried on to it, and points its course.
    """
    ALTER TABLE vessel_positions ADD COLUMN sog REAL;
    ALTER TABLE vessel_positions ADD COLUMN cog REAL;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
# Ids per `IN (...)`: under every store's limit on values in one statement (SQLite builds
# from 999, PostgreSQL 65,535), so a whole team workspace's ids are read in parts.
IN_CHUNK = 500


def in_chunks(ids: list) -> Iterator[list]:
    """`ids` in parts of at most IN_CHUNK, for one `IN (...)` each."""
    return (ids[i : i + IN_CHUNK] for i in range(0, len(ids), IN_CHUNK))


def migration_script(version: int, dialect: str) -> str:
    """Migration `version` (0-based) as `dialect` runs it: most are one text for both."""
    m = MIGRATIONS[version]
    return m if isinstance(m, str) else m[dialect] + m["both"]


def open_store(root: Path):
    """Where the workspace at `root` keeps its records: PostgreSQL when SEEP_DATABASE_URL
    names a server (the rasters stay in `root`), else `root/seep.db`."""
    url = os.environ.get("SEEP_DATABASE_URL", "").strip()
    if url:
        from seep.workspace.postgres import PostgresStore

        return PostgresStore(url)
    return SqliteStore(root / "seep.db")


class SqliteStore:
    dialect = "sqlite"

    def __init__(self, path: Path):
        self.path = path

    def __str__(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        return self.path.exists()

    def create(self) -> None:
        create(self.path)

    def migrate(self) -> int:
        return migrate(self.path)

    def connect(self, *, write: bool = False):
        return connect(self.path, write=write)


def _free_bytes(path: Path) -> int:
    try:
        return shutil.disk_usage(path.parent).free
    except OSError:
        return 1 << 62  # cannot tell: do not claim the disk is full


def _workspace_error(e: sqlite3.Error, path: Path) -> WorkspaceError:
    msg = str(e)
    if "readonly" in msg or "read-only" in msg:
        return WorkspaceError(f"workspace database {path} is read-only ({msg}); choose a writable workspace")
    if "disk is full" in msg or "database or disk is full" in msg:
        return WorkspaceError(f"workspace disk is full while writing {path}; free some space and try again")
    if "disk I/O error" in msg:  # what SQLite often says when a write found no space
        if _free_bytes(path) < 1 << 20:
            return WorkspaceError(f"workspace disk is full while writing {path}; free some space and try again")
        return WorkspaceError(f"workspace database {path}: the disk failed a read or write ({msg}); check the disk")
    if "locked" in msg or "busy" in msg:
        return WorkspaceError(
            f"workspace database {path} stayed locked by another process for over {WRITE_WAIT_S:.0f} s "
            "(a stopped or hung Seep process holding a write?); nothing was saved; try again"
        )
    return WorkspaceError(f"workspace database {path}: {msg}")


BUSY_TIMEOUT_S = 15.0  # SQLite's own wait for a lock, per attempt
WRITE_WAIT_S = 120.0  # how long a write keeps retrying for the write lock (a stalled writer resumes)


def _open(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA foreign_keys = ON")
    # WAL + NORMAL: durable at each checkpoint, never corrupt, and commits cost no fsync each.
    con.execute("PRAGMA synchronous = NORMAL")
    return con


@contextmanager
def connect(path: Path, *, write: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection inside one transaction: committed on success, rolled back on error, closed.

    write=True takes the write lock at BEGIN, so a check-then-write (the conflict check
    of a save) cannot interleave with another process's save.
    """
    try:
        key, con = _checkout(path)
    except sqlite3.Error as e:
        raise _workspace_error(e, path) from e
    try:
        _begin(con, write)
        if write:
            refuse_if_moved(con, path)
        yield con
        if con.in_transaction:
            con.execute("COMMIT")
    except sqlite3.Error as e:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise _workspace_error(e, path) from e
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        _release(key, con)


# Open connections kept for the next transaction: opening one (file, WAL index, two PRAGMAs)
# cost an eighth of a Review page's server time under load. Keyed by the file's identity and
# this process: a database replaced on disk (a restore) gets new connections, and a forked
# child never uses its parent's. A few in all, so a test run's hundreds of workspaces keep few
# files open.
_idle: list[tuple[tuple, sqlite3.Connection]] = []
_idle_lock = threading.Lock()
IDLE_MAX = 8


def _checkout(path: Path) -> tuple[tuple, sqlite3.Connection]:
    try:
        st = os.stat(path)
        key = (str(path), st.st_dev, st.st_ino, os.getpid())
    except OSError:  # no file yet, or none to see: SQLite's own open says what is wrong
        key = None
    with _idle_lock:
        for i in range(len(_idle) - 1, -1, -1):
            if _idle[i][0] == key:
                return _idle.pop(i)
    return key, _open(path)


def close_idle() -> None:
    """Close the kept connections (a test changing how connections open starts afresh)."""
    with _idle_lock:
        cons = [con for _, con in _idle]
        _idle.clear()
    for con in cons:
        con.close()


def _release(key: tuple | None, con: sqlite3.Connection) -> None:
    if key is None or con.in_transaction:  # a new file (its identity came with it) or a broken rollback
        con.close()
        return
    with _idle_lock:
        _idle.append((key, con))
        old = _idle.pop(0)[1] if len(_idle) > IDLE_MAX else None
    if old is not None:
        old.close()


def _begin(con: sqlite3.Connection, write: bool) -> None:
    """BEGIN, and for a write BEGIN IMMEDIATE retried with growing pauses while another
    process holds the write lock: a writer stopped mid-transaction (a paused laptop, a
    SIGSTOP) must not make every save fail after one busy timeout. Nothing has been done
    yet at BEGIN, so retrying it is always safe."""
    if not write:
        con.execute("BEGIN")
        return
    deadline, pause = time.monotonic() + WRITE_WAIT_S, 0.05
    while True:
        try:
            con.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as e:
            if not ("locked" in str(e) or "busy" in str(e)) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 2.0)


def create(path: Path) -> None:
    """Build the database in a temp file and move it into place: a half-made one never exists."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        con = _open(tmp)
        con.execute("PRAGMA journal_mode = WAL")
        con.close()
        migrate(tmp)
        os.replace(tmp, path)
    except sqlite3.Error as e:
        raise _workspace_error(e, path) from e
    except OSError as e:
        raise WorkspaceError(f"cannot create the workspace database {path}: {e.strerror or e}") from e
    finally:
        for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            if p.exists():
                p.unlink()


# Databases this process saw at SCHEMA_VERSION, by (device, inode, ctime): an inode number
# is reused once a file is deleted, the ctime of the new file is not the old one's.
_CURRENT: set[tuple[int, int, int]] = set()


def migrate(path: Path) -> int:
    """Run the migrations the database has not seen; return the schema version. Once per
    process per database file: a Workspace is opened on every page rerun."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise WorkspaceError(f"cannot open the workspace database {path}: {e.strerror or e}") from e
    key = (st.st_dev, st.st_ino, st.st_ctime_ns)
    if key in _CURRENT:
        return SCHEMA_VERSION
    con = _open(path)
    con.execute("PRAGMA foreign_keys = OFF")  # a table rebuilt in a migration is dropped first
    try:
        while (version := _schema(con, path)) < SCHEMA_VERSION:
            _begin(con, write=True)
            if _schema(con, path) == version:  # another process may have just run it
                for stmt in statements(migration_script(version, "sqlite")):
                    con.execute(stmt)
                if con.execute("PRAGMA foreign_key_check").fetchone():
                    raise sqlite3.IntegrityError(f"migration {version + 1} broke a foreign key")
                con.execute(f"PRAGMA user_version = {version + 1}")
            con.execute("COMMIT")
        refuse_if_moved(con, path)
    except sqlite3.Error as e:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise _workspace_error(e, path) from e
    finally:
        con.close()
    _CURRENT.add(key)
    return SCHEMA_VERSION


# Set in seep.db by `seep copy-to-postgres` (to_postgres.py): the records now live on a server.
MOVED_KEY = "moved_to_postgres"


def refuse_if_moved(con: sqlite3.Connection, path: Path) -> None:
    """A workspace copied to PostgreSQL opens, and saves, only there: a Seep still pointed at
    seep.db (an app not yet restarted with SEEP_DATABASE_URL, a forgotten script) is told
    where the records went, instead of saving where the team no longer reads. Checked on
    opening and on every write: one lookup by primary key."""
    row = con.execute("SELECT value FROM settings WHERE key = ?", (MOVED_KEY,)).fetchone()
    if row is not None:
        moved = json.loads(row[0])
        raise WorkspaceError(
            f"the records of {path} were copied to PostgreSQL ({moved['to']}) at {moved['at'][:19].replace('T', ' ')} UTC "
            "and are kept there now: open this workspace with SEEP_DATABASE_URL (or --database-url) naming that "
            "database; seep.db is kept unchanged since, as a backup of that moment"
        )


def _schema(con: sqlite3.Connection, path: Path) -> int:
    version = con.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise WorkspaceError(
            f"workspace database {path} has schema {version}, newer than this Seep knows ({SCHEMA_VERSION}); upgrade Seep"
        )
    return version


def statements(script: str) -> list[str]:
    """Split a migration into statements; executescript would commit mid-transaction."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        code = line.split("--", 1)[0]
        buf += code
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
