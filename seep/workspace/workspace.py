"""The workspace: one folder that holds everything a user creates.

    workspace/
      dataset.json          class table, channels, tile size, no-data value
      seep.db               SQLite (WAL): every record (images, label versions, reviews, models, jobs, ...),
                            unless SEEP_DATABASE_URL puts them in PostgreSQL (db.open_store)
      images/<id>.tif       imported rasters, as imported
      labels/<id>/v0003-<nonce>.tif   label versions, written once, never overwritten
      predictions/<model>/<id>.tif    cached predictions (classes and confidence)

Workspace is split by what it holds: images here, label versions in labels.py, the
prediction cache in predictions.py, the records they return in records.py and Browse's
filter SQL in filters.py.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import numpy as np

from seep.data.classes import DatasetConfig
from seep.data.raster import atomic_write_bytes, check_image, encode_tiff
from seep.errors import BadInputError, NotFoundError, WorkspaceError
from seep.workspace import db
from seep.workspace.filters import ImageFilter
from seep.workspace.labels import LabelStore
from seep.workspace.pixels import read_kept
from seep.workspace.predictions import PredictionCache
from seep.workspace.records import STATUSES, UNREVIEWED, ImageRecord, pixel_checksum, timestamp

DEFAULT_WORKSPACE = Path("workspace")


def default_path() -> Path:
    return Path(os.environ.get("SEEP_WORKSPACE") or DEFAULT_WORKSPACE)


def is_workspace(folder: Path | str) -> bool:
    """A folder Seep keeps a workspace in: no command's output belongs there (an export's
    dataset.json would replace its class table; runs and predictions would sit among its records)."""
    folder = Path(folder)
    return (folder / "dataset.json").is_file() and any((folder / p).exists() for p in ("seep.db", "images", "labels"))


def default_author() -> str:
    try:
        return os.environ.get("SEEP_AUTHOR") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "analyst"


class Workspace(LabelStore, PredictionCache):
    """Open (creating if needed) the workspace folder at `root`."""

    def __init__(self, root: Path | str, *, create: bool = True, config: DatasetConfig | None = None):
        self.root = Path(root)
        self.db_path = self.root / "seep.db"
        self.store = db.open_store(self.root)
        if self.root.exists() and not self.root.is_dir():
            raise WorkspaceError(f"workspace {self.root} is a file, not a folder; choose another path")
        if not self.store.exists():
            if not create:
                raise WorkspaceError(f"no workspace at {self.root}; create one with `python -m seep import` or `demo`")
            self._create(config or DatasetConfig())
        elif not (self.root / "dataset.json").is_file():
            raise WorkspaceError(
                f"the database {self.store} holds a workspace, but the folder {self.root} has no dataset.json: "
                "point --workspace (or SEEP_WORKSPACE) at the folder its rasters are in (on a team's machines, "
                "the shared folder, mounted)"
            )
        self.store.migrate()
        self.config = DatasetConfig.load(self.root / "dataset.json")

    def _create(self, config: DatasetConfig) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise WorkspaceError(f"cannot create workspace folder {self.root}: {e.strerror or e}") from e
        if not (self.root / "dataset.json").exists():
            atomic_write_bytes(self.root / "dataset.json", config.to_json().encode())
        self.store.create()

    @property
    def classes(self):
        return self.config.classes

    def connect(self, *, write: bool = False):
        return self.store.connect(write=write)

    # ---- images -------------------------------------------------------------------

    def add_image(self, array: np.ndarray, *, name: str, scene: str, origin: str = "") -> tuple[ImageRecord, bool]:
        """Store a raster; idempotent by pixel checksum. Returns (record, newly added)."""
        array = check_image(array, f"image {name}")
        if array.shape[2] != self.config.channels:
            raise BadInputError(
                f"image {name} has {array.shape[2]} channels but this workspace's dataset has "
                f"{self.config.channels}; use a workspace made for {array.shape[2]}-channel data"
            )
        checksum = pixel_checksum(array)
        existing = self._image_by_checksum(checksum)
        if existing:
            return existing, False
        image_id = checksum[:16]
        rel = f"images/{image_id}.tif"
        atomic_write_bytes(self.root / rel, encode_tiff(array))
        try:
            with self.connect(write=True) as con:
                con.execute(
                    "INSERT INTO images (id, name, scene, checksum, height, width, channels, dtype, file, origin, "
                    "imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (image_id, name, scene, checksum, *array.shape, array.dtype.name, rel, origin, timestamp()),
                )
        except BaseException:
            if self._image_by_checksum(checksum) is None:
                (self.root / rel).unlink(missing_ok=True)
            raise
        return self.image(image_id), True

    def forget_images(self, image_ids: list[str]) -> list[str]:
        """Delete images with their label versions and predictions from the database, in one
        transaction; returns their files (relative) for the caller to remove afterwards, so
        a failed delete never leaves a record without its file. Only an import undoing
        itself calls this: label history is otherwise never deleted."""
        with self.connect(write=True) as con:
            return forget_in(con, image_ids)

    def _image_by_checksum(self, checksum: str) -> ImageRecord | None:
        with self.connect() as con:
            row = con.execute("SELECT * FROM images WHERE checksum = ?", (checksum,)).fetchone()
        return ImageRecord(**row) if row else None

    def image(self, ref: str) -> ImageRecord:
        """By id, or by name where the name is unique."""
        with self.connect() as con:
            rows = (
                con.execute("SELECT * FROM images WHERE id = ?", (ref,)).fetchall()
                or con.execute("SELECT * FROM images WHERE name = ?", (ref,)).fetchall()
            )
        if not rows:
            raise NotFoundError(f"no image {ref!r} in workspace {self.root}; `python -m seep list` shows them")
        if len(rows) > 1:
            raise BadInputError(f"{len(rows)} images are named {ref!r}; give the id ({', '.join(r['id'] for r in rows)})")
        return ImageRecord(**rows[0])

    def read_image(self, ref: str) -> np.ndarray:
        """Read-only (pixels.py keeps one decoded copy per process): copy it to change it."""
        return read_kept(self.root / self.image(ref).file)

    def list_images(self, flt: ImageFilter = ImageFilter(), *, offset: int = 0, limit: int = 100) -> list[ImageRecord]:
        where, args = self._where(flt)
        with self.connect() as con:
            rows = con.execute(
                f"SELECT * FROM images{where} ORDER BY {flt.order()} LIMIT ? OFFSET ?",
                (*args, *flt.order_args(), int(limit), int(offset)),
            ).fetchall()
        return [ImageRecord(**r) for r in rows]

    def image_ids(self, flt: ImageFilter = ImageFilter()) -> list[str]:
        """Every matching id in order: what previous / next walk through."""
        where, args = self._where(flt)
        with self.connect() as con:
            return [r[0] for r in con.execute(f"SELECT id FROM images{where} ORDER BY {flt.order()}", [*args, *flt.order_args()])]

    def _where(self, flt: ImageFilter) -> tuple[str, list]:
        if flt.installation_km is not None:  # tiles imported, or installations loaded, since it last ran
            from seep.workspace.installations import measure_tiles  # it reads scenes, which read this module

            measure_tiles(self)
        return flt.where()

    def images_by_ids(self, ids: list[str]) -> list[ImageRecord]:
        """Records in the order of `ids`."""
        rows = []
        with self.connect() as con:
            for chunk in db.in_chunks(ids):
                rows += con.execute(f"SELECT * FROM images WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        by_id = {r["id"]: ImageRecord(**r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def count_images(self, flt: ImageFilter = ImageFilter()) -> int:
        where, args = self._where(flt)
        with self.connect() as con:
            return con.execute(f"SELECT count(*) FROM images{where}", args).fetchone()[0]

    def status_counts(self) -> dict[str, int]:
        with self.connect() as con:
            got = dict(con.execute("SELECT status, count(*) FROM images GROUP BY status").fetchall())
        return {s: got.get(s, 0) for s in STATUSES}

    def scenes(self) -> list[str]:
        with self.connect() as con:
            return [r[0] for r in con.execute("SELECT DISTINCT scene FROM images ORDER BY scene")]

    def check_scenes(self, wanted) -> None:
        """Scenes asked for by name that this workspace lacks, named with those it has (a typo
        would otherwise act on fewer scenes, or none, as if all were well)."""
        known = self.scenes()
        unknown = [s for s in dict.fromkeys(wanted or ()) if s not in known]
        if unknown:
            raise BadInputError(f"no scene {', '.join(unknown)} in this workspace (scenes: {', '.join(known)})")

    def set_status(self, ref: str, status: str) -> None:
        if status not in STATUSES:
            raise BadInputError(f"unknown review status {status!r}; use one of {', '.join(STATUSES)}")
        image = self.image(ref)
        # A model's prediction or an analyst's first strokes need no saved label; a verdict does.
        if status not in UNREVIEWED and image.head_version is None:
            raise BadInputError(f"image {image.name} has no label yet; it can be 'unlabelled', 'predicted' or 'in_review'")
        with self.connect(write=True) as con:
            con.execute("UPDATE images SET status = ? WHERE id = ?", (status, image.id))


def forget_in(con, image_ids: list[str]) -> list[str]:
    """`forget_images` inside the caller's write transaction (a scene removed after its checks)."""
    files: list[str] = []
    for chunk in db.in_chunks(image_ids):
        marks = ",".join("?" * len(chunk))
        for table, key in (("images", "id"), ("label_versions", "image_id"), ("predictions", "image_id")):
            files += [r[0] for r in con.execute(f"SELECT file FROM {table} WHERE {key} IN ({marks})", chunk)]
        for table in ("label_classes", "label_versions", "predictions", "scene_tiles", "batch_tiles", "tile_installations"):
            con.execute(f"DELETE FROM {table} WHERE image_id IN ({marks})", chunk)
        con.execute(f"DELETE FROM images WHERE id IN ({marks})", chunk)
    return files
