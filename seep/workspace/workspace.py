"""The workspace: one folder that holds everything a user creates.

    workspace/
      dataset.json          class table, channels, tile size, no-data value
      seep.db               SQLite (WAL): images, label versions, later models and jobs
      images/<id>.tif       imported rasters, as imported
      labels/<id>/v0003-<nonce>.tif   label versions, written once, never overwritten

Label versions are immutable. A save names the version it was edited from; if another
save came in between, it is refused with ConflictError and nothing is written, so no
edit is ever overwritten without the analyst knowing.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from seep.data.classes import DatasetConfig
from seep.data.layout import Tile
from seep.data.raster import (
    atomic_write_bytes,
    check_image,
    check_mask,
    encode_tiff,
    read_image,
    read_mask,
)
from seep.errors import BadInputError, ConflictError, NotFoundError, WorkspaceError
from seep.workspace import db

STATUSES = ("unlabelled", "predicted", "in_review", "corrected", "returned", "accepted")
# What people read: a corrected tile waits for a reviewer, who accepts or returns it.
STATUS_LABELS = {
    "unlabelled": "unlabelled",
    "predicted": "predicted",
    "in_review": "in review",
    "corrected": "awaiting review",
    "returned": "returned",
    "accepted": "accepted",
}
REVIEWED = ("corrected", "accepted")
SOURCES = ("imported", "predicted", "edited", "restored")
# The review status a save leaves behind. Imported masks are ground truth from upstream,
# so they count as reviewed; an analyst's edit or restore is a correction.
STATUS_AFTER = {"imported": "accepted", "predicted": "predicted", "edited": "corrected", "restored": "corrected"}
DEFAULT_WORKSPACE = Path("workspace")


def default_path() -> Path:
    return Path(os.environ.get("SEEP_WORKSPACE") or DEFAULT_WORKSPACE)


def default_author() -> str:
    try:
        return os.environ.get("SEEP_AUTHOR") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "analyst"


def timestamp() -> str:
    """Now in UTC to the millisecond, as every row of the workspace records it."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def pixel_checksum(array: np.ndarray) -> str:
    """sha256 over dtype, shape and pixels: the same raster gets the same id in any file format."""
    h = hashlib.sha256(f"{array.dtype.str}|{array.shape}|".encode())
    h.update(np.ascontiguousarray(array).data)
    return h.hexdigest()


@dataclass(frozen=True)
class ImageRecord:
    id: str
    name: str
    scene: str
    checksum: str
    height: int
    width: int
    channels: int
    dtype: str
    file: str
    origin: str
    status: str
    head_version: int | None
    seep_pixels: int
    imported_at: str


@dataclass(frozen=True)
class LabelVersion:
    image_id: str
    version: int
    parent: int | None
    author: str
    source: str
    model_id: str | None
    restored_from: int | None
    created_at: str
    checksum: str
    file: str

    @property
    def describe(self) -> str:
        if self.source == "predicted":
            return f"predicted by model {self.model_id}"
        if self.source == "restored":
            return f"restored from v{self.restored_from}"
        return self.source


@dataclass(frozen=True)
class ImageFilter:
    """What Browse and the CLI filter on; None means 'any'."""

    status: tuple[str, ...] | None = None
    scene: tuple[str, ...] | None = None
    class_present: int | None = None  # in the head label
    name_contains: str | None = None
    has_prediction: bool | None = None  # by `model`
    model: str | None = None  # the model whose predictions the filter and sorts read
    returned_to: str | None = None  # returned tiles whose returned version this person saved
    blind_for: str | None = None  # tiles sent to this person for a blind label, still open
    adjudicate: bool = False  # tiles whose two blind labels are in, waiting for a reviewer
    sort: str = "name"  # name | scene | largest_seep | smallest_seep | largest_predicted | least_confident

    def where(self) -> tuple[str, list]:
        clauses, args = [], []
        if self.status:
            bad = [s for s in self.status if s not in STATUSES]
            if bad:
                raise BadInputError(f"unknown review status {bad}; use one of {', '.join(STATUSES)}")
            clauses.append(f"status IN ({','.join('?' * len(self.status))})")
            args += list(self.status)
        if self.scene:
            clauses.append(f"scene IN ({','.join('?' * len(self.scene))})")
            args += list(self.scene)
        if self.class_present is not None:
            clauses.append(
                "EXISTS (SELECT 1 FROM label_classes lc WHERE lc.image_id = images.id "
                "AND lc.version = images.head_version AND lc.class_id = ?)"
            )
            args.append(int(self.class_present))
        if self.name_contains:
            clauses.append("instr(lower(name), lower(?)) > 0")
            args.append(self.name_contains)
        if self.returned_to is not None:
            clauses.append(
                "status = 'returned' AND EXISTS (SELECT 1 FROM label_versions lv WHERE lv.image_id = images.id "
                "AND lv.version = images.head_version AND lv.author = ?)"
            )
            args.append(self.returned_to)
        if self.blind_for is not None:
            clauses.append(
                "id IN (SELECT r.image_id FROM blind_rounds r JOIN blind_labels b ON b.round_id = r.id "
                "WHERE r.closed_at IS NULL AND b.analyst = ?)"
            )
            args.append(self.blind_for)
        if self.adjudicate:
            clauses.append(
                "id IN (SELECT r.image_id FROM blind_rounds r WHERE r.closed_at IS NULL AND NOT EXISTS "
                "(SELECT 1 FROM blind_labels b WHERE b.round_id = r.id AND b.saved_at IS NULL))"
            )
        if self.has_prediction is not None:
            clauses.append(
                ("" if self.has_prediction else "NOT ") + "EXISTS (SELECT 1 FROM predictions p "
                "WHERE p.image_id = images.id AND p.model_id = ?)"
            )
            args.append(self.model or "")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def order(self) -> str:
        orders = {
            "name": "name, id",
            "scene": "scene, name, id",
            "smallest_seep": "seep_pixels, name, id",
            "largest_seep": "seep_pixels DESC, name, id",
            # Images without a prediction by the model sort last (NULLs).
            "largest_predicted": "(SELECT -p.seep_pixels FROM predictions p WHERE p.image_id = images.id "
            "AND p.model_id = ?) IS NULL, (SELECT -p.seep_pixels FROM predictions p WHERE p.image_id = images.id "
            "AND p.model_id = ?), name, id",
            "least_confident": "(SELECT -p.uncertainty FROM predictions p WHERE p.image_id = images.id "
            "AND p.model_id = ?) IS NULL, (SELECT -p.uncertainty FROM predictions p WHERE p.image_id = images.id "
            "AND p.model_id = ?), name, id",
        }
        if self.sort not in orders:
            raise BadInputError(f"unknown sort {self.sort!r}; use one of {', '.join(orders)}")
        return orders[self.sort]

    def order_args(self) -> list:
        return [self.model or ""] * 2 if self.sort in ("largest_predicted", "least_confident") else []


class Workspace:
    """Open (creating if needed) the workspace folder at `root`."""

    def __init__(self, root: Path | str, *, create: bool = True, config: DatasetConfig | None = None):
        self.root = Path(root)
        self.db_path = self.root / "seep.db"
        if self.root.exists() and not self.root.is_dir():
            raise WorkspaceError(f"workspace {self.root} is a file, not a folder; choose another path")
        if not self.db_path.exists():
            if not create:
                raise WorkspaceError(f"no workspace at {self.root}; create one with `python -m seep import` or `demo`")
            self._create(config or DatasetConfig())
        db.migrate(self.db_path)
        self.config = DatasetConfig.load(self.root / "dataset.json")

    def _create(self, config: DatasetConfig) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise WorkspaceError(f"cannot create workspace folder {self.root}: {e.strerror or e}") from e
        if not (self.root / "dataset.json").exists():
            atomic_write_bytes(self.root / "dataset.json", config.to_json().encode())
        db.create(self.db_path)

    @property
    def classes(self):
        return self.config.classes

    def connect(self, *, write: bool = False):
        return db.connect(self.db_path, write=write)

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
        files: list[str] = []
        with self.connect(write=True) as con:
            for chunk in (image_ids[i : i + 500] for i in range(0, len(image_ids), 500)):
                marks = ",".join("?" * len(chunk))
                for table in ("images", "label_versions", "predictions"):
                    key = "id" if table == "images" else "image_id"
                    files += [r[0] for r in con.execute(f"SELECT file FROM {table} WHERE {key} IN ({marks})", chunk)]
                for table, key in (("label_classes", "image_id"), ("label_versions", "image_id"), ("predictions", "image_id")):
                    con.execute(f"DELETE FROM {table} WHERE {key} IN ({marks})", chunk)
                con.execute(f"DELETE FROM scene_tiles WHERE image_id IN ({marks})", chunk)
                con.execute(f"DELETE FROM images WHERE id IN ({marks})", chunk)
        return files

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
            raise BadInputError(
                f"{len(rows)} images are named {ref!r}; give the id ({', '.join(r['id'] for r in rows)})"
            )
        return ImageRecord(**rows[0])

    def read_image(self, ref: str) -> np.ndarray:
        return read_image(self.root / self.image(ref).file)

    def list_images(self, flt: ImageFilter = ImageFilter(), *, offset: int = 0, limit: int = 100) -> list[ImageRecord]:
        where, args = flt.where()
        with self.connect() as con:
            rows = con.execute(
                f"SELECT * FROM images{where} ORDER BY {flt.order()} LIMIT ? OFFSET ?",
                (*args, *flt.order_args(), int(limit), int(offset)),
            ).fetchall()
        return [ImageRecord(**r) for r in rows]

    def image_ids(self, flt: ImageFilter = ImageFilter()) -> list[str]:
        """Every matching id in order: what previous / next walk through."""
        where, args = flt.where()
        with self.connect() as con:
            return [
                r[0]
                for r in con.execute(f"SELECT id FROM images{where} ORDER BY {flt.order()}", [*args, *flt.order_args()])
            ]

    def review_queue(self, flt: ImageFilter, model_id: str, per_scene: int = 5) -> list[str]:
        """Ids in the order review pays most: the `per_scene` least confident of each scene
        first (most doubtful first), then the remaining predicted ones, then the unpredicted."""
        where, args = flt.where()
        with self.connect() as con:
            rows = con.execute(
                f"SELECT images.id, images.scene, p.uncertainty FROM images LEFT JOIN predictions p "
                f"ON p.image_id = images.id AND p.model_id = ?{where} "
                "ORDER BY p.uncertainty IS NULL, p.uncertainty DESC, images.name",
                [model_id, *args],
            ).fetchall()
        taken: dict[str, int] = {}
        head, tail, unpredicted = [], [], []
        for image_id, scene, u in rows:
            if u is None:
                unpredicted.append(image_id)
            elif taken.get(scene, 0) < per_scene:
                taken[scene] = taken.get(scene, 0) + 1
                head.append(image_id)
            else:
                tail.append(image_id)
        return head + tail + unpredicted

    def images_by_ids(self, ids: list[str]) -> list[ImageRecord]:
        """Records in the order of `ids`."""
        with self.connect() as con:
            rows = con.execute(f"SELECT * FROM images WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
        by_id = {r["id"]: ImageRecord(**r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def count_images(self, flt: ImageFilter = ImageFilter()) -> int:
        where, args = flt.where()
        with self.connect() as con:
            return con.execute(f"SELECT count(*) FROM images{where}", args).fetchone()[0]

    def status_counts(self) -> dict[str, int]:
        with self.connect() as con:
            got = dict(con.execute("SELECT status, count(*) FROM images GROUP BY status").fetchall())
        return {s: got.get(s, 0) for s in STATUSES}

    def scenes(self) -> list[str]:
        with self.connect() as con:
            return [r[0] for r in con.execute("SELECT DISTINCT scene FROM images ORDER BY scene")]

    def set_status(self, ref: str, status: str) -> None:
        if status not in STATUSES:
            raise BadInputError(f"unknown review status {status!r}; use one of {', '.join(STATUSES)}")
        image = self.image(ref)
        if status != "unlabelled" and image.head_version is None:
            raise BadInputError(f"image {image.name} has no label yet; it can only be 'unlabelled'")
        with self.connect(write=True) as con:
            con.execute("UPDATE images SET status = ? WHERE id = ?", (status, image.id))

    # ---- labels -------------------------------------------------------------------

    def save_label(
        self,
        ref: str,
        mask: np.ndarray,
        *,
        parent: int | None,
        author: str,
        source: str = "edited",
        model_id: str | None = None,
        restored_from: int | None = None,
        status: str | None = None,
    ) -> LabelVersion:
        """Write a new immutable label version edited from `parent` (None: there was no label).

        Raises ConflictError, writing nothing, when `parent` is no longer the newest version.
        """
        if source not in SOURCES:
            raise BadInputError(f"unknown label source {source!r}; use one of {', '.join(SOURCES)}")
        if not author or not author.strip():
            raise BadInputError("a label needs an author; set your name in the sidebar or pass --author")
        image = self.image(ref)
        mask = check_mask(np.asarray(mask), (image.height, image.width), f"mask for {image.name}")
        self.classes.check_mask(mask, f"mask for {image.name}")
        if source == "edited":
            self.check_no_data(image, mask, parent)
        checksum = pixel_checksum(mask)
        data = encode_tiff(mask)
        counts = np.bincount(mask.ravel(), minlength=len(self.classes))
        with self.connect(write=True) as con:  # holds the write lock: check and write are one step
            head = con.execute("SELECT head_version FROM images WHERE id = ?", (image.id,)).fetchone()[0]
            if head != parent:
                raise ConflictError(
                    f"image {image.name} was saved as v{head} since you opened v{parent}; "
                    "reload to see it, or save yours again as a newer version",
                    current_version=head,
                )
            version = (head or 0) + 1
            rel = f"labels/{image.id}/v{version:04d}-{secrets.token_hex(4)}.tif"
            atomic_write_bytes(self.root / rel, data)
            try:
                con.execute(
                    "INSERT INTO label_versions VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (image.id, version, parent, author.strip(), source, model_id, restored_from, timestamp(), checksum, rel),
                )
                con.executemany(
                    "INSERT INTO label_classes VALUES (?,?,?,?)",
                    [(image.id, version, c, int(n)) for c, n in enumerate(counts) if n],
                )
                con.execute(
                    "UPDATE images SET head_version = ?, status = ?, seep_pixels = ? WHERE id = ?",
                    (version, status or STATUS_AFTER[source], int(counts[1:].sum()), image.id),
                )
                con.execute("COMMIT")  # here, not on leaving the block: a failed commit must drop the file
            except BaseException:
                (self.root / rel).unlink(missing_ok=True)
                raise
        return self.version(image.id, version)

    def version(self, ref: str, version: int | None = None) -> LabelVersion:
        """A label version's record; the newest when version is None."""
        image = self.image(ref)
        v = image.head_version if version is None else version
        if v is None:
            raise NotFoundError(f"image {image.name} has no label yet")
        with self.connect() as con:
            row = con.execute(
                "SELECT * FROM label_versions WHERE image_id = ? AND version = ?", (image.id, int(v))
            ).fetchone()
        if row is None:
            raise NotFoundError(f"image {image.name} has no label version v{v} (newest is v{image.head_version})")
        return LabelVersion(**row)

    def no_data(self, ref: str) -> np.ndarray | None:
        """(H, W) bool: the pixels outside the radar swath; None where the class table
        declares no no-data value."""
        if self.config.nodata is None:
            return None
        return np.all(self.read_image(ref) == self.config.nodata, axis=2)

    def check_no_data(self, image: ImageRecord, mask: np.ndarray, parent: int | None) -> None:
        """An edit may not add seep outside the radar swath: there is nothing there to see,
        and a fine-tune would learn it. Seep the parent version already had there (an
        imported mask) may stay, so an analyst is never stuck on someone else's pixels."""
        outside = self.no_data(image.id)
        if outside is None:
            return
        added = (mask > 0) & outside
        if added.any() and parent is not None:
            added &= self.label(image.id, parent)[1] == 0
        n = int(added.sum())
        if n:
            raise BadInputError(
                f"mask for {image.name} paints seep on {n} no-data pixel{'s' * (n != 1)} (outside the radar swath, "
                f"value {self.config.nodata:g}); nothing was saved. Erase them, or save an unchanged copy of the last version"
            )

    def label(self, ref: str, version: int | None = None) -> tuple[LabelVersion, np.ndarray]:
        """A label version and its mask (the newest when version is None)."""
        lv = self.version(ref, version)
        image = self.image(lv.image_id)
        return lv, read_mask(self.root / lv.file, (image.height, image.width))

    def history(self, ref: str) -> list[LabelVersion]:
        """All versions of an image's label, newest first."""
        image = self.image(ref)
        with self.connect() as con:
            rows = con.execute(
                "SELECT * FROM label_versions WHERE image_id = ? ORDER BY version DESC", (image.id,)
            ).fetchall()
        return [LabelVersion(**r) for r in rows]

    def restore(self, ref: str, version: int, *, author: str) -> LabelVersion:
        """Make an old version the newest again, as a new version: history is never rewritten."""
        image = self.image(ref)
        _, mask = self.label(image.id, version)
        return self.save_label(
            image.id, mask, parent=image.head_version, author=author, source="restored", restored_from=version
        )

    # ---- predictions (a cache: any of them can be made again from the model) -------------

    def save_prediction(
        self, ref: str, model_id: str, classes: np.ndarray, confidence: np.ndarray, uncertainty: float
    ) -> None:
        image = self.image(ref)
        classes = check_mask(classes, (image.height, image.width), "prediction")
        conf = np.clip(np.round(np.asarray(confidence, np.float32) * 255), 0, 255).astype(np.uint8)
        safe_model = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in model_id)
        rel = f"predictions/{safe_model}/{image.id}.tif"
        atomic_write_bytes(self.root / rel, encode_tiff(np.stack([classes, conf], axis=2)))
        with self.connect(write=True) as con:
            con.execute(
                "INSERT OR REPLACE INTO predictions VALUES (?,?,?,?,?,?)",
                (image.id, model_id, rel, int((classes > 0).sum()), float(uncertainty), timestamp()),
            )

    def predicted(self, image_ids: list[str], model_id: str) -> set[str]:
        """Which of these images have a cached prediction by the model (one query)."""
        with self.connect() as con:
            rows = con.execute(
                f"SELECT image_id FROM predictions WHERE model_id = ? AND image_id IN ({','.join('?' * len(image_ids))})",
                (model_id, *image_ids),
            ).fetchall()
        return {r[0] for r in rows}

    def prediction(self, ref: str, model_id: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(class ids, confidence 0..1) cached for this model, or None."""
        image = self.image(ref)
        with self.connect() as con:
            row = con.execute(
                "SELECT file FROM predictions WHERE image_id = ? AND model_id = ?", (image.id, model_id)
            ).fetchone()
        if row is None or not (self.root / row[0]).exists():
            return None
        both = read_image(self.root / row[0])
        return both[:, :, 0].copy(), both[:, :, 1].astype(np.float32) / 255

    def labelled_tiles(self, statuses: tuple[str, ...] = REVIEWED, scenes: tuple[str, ...] | None = None) -> list[Tile]:
        """The newest label of every image whose review status is in `statuses`: a training set."""
        tiles = []
        for rec in self.list_images(ImageFilter(status=statuses, scene=scenes), limit=1_000_000):
            _, mask = self.label(rec.id)
            tiles.append(Tile(rec.name, rec.scene, self.read_image(rec.id), mask))
        if not tiles:
            raise BadInputError(
                f"workspace {self.root} has no labelled images with status {', '.join(statuses)}; "
                "review and save some labels first"
            )
        return tiles

    def class_distribution(self, statuses: tuple[str, ...] = REVIEWED) -> dict[int, int]:
        """Pixels per class over the newest labels of images with these statuses."""
        with self.connect() as con:
            rows = con.execute(
                f"SELECT lc.class_id, sum(lc.pixels) FROM label_classes lc JOIN images i ON i.id = lc.image_id "
                f"AND i.head_version = lc.version WHERE i.status IN ({','.join('?' * len(statuses))}) "
                "GROUP BY lc.class_id",
                statuses,
            ).fetchall()
        return {int(c): int(n) for c, n in rows}

    def class_pixels(self, ref: str, version: int | None = None) -> dict[int, int]:
        lv = self.version(ref, version)
        with self.connect() as con:
            rows = con.execute(
                "SELECT class_id, pixels FROM label_classes WHERE image_id = ? AND version = ?",
                (lv.image_id, lv.version),
            ).fetchall()
        return {int(c): int(n) for c, n in rows}
