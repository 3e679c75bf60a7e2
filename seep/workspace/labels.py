"""Label versions: immutable, each edited from the one before; the conflict check on save;
no-data rules; the labelled tiles a fine-tune trains on. Part of Workspace."""

from __future__ import annotations

import secrets

import numpy as np

from seep.data.raster import atomic_write_bytes, check_mask, encode_mask, read_mask
from seep.errors import BadInputError, ConflictError, NotFoundError
from seep.workspace.db import in_chunks
from seep.workspace.records import (
    REVIEWED,
    SOURCES,
    STATUS_AFTER,
    ImageRecord,
    LabelVersion,
    clean_author,
    clean_note,
    pixel_checksum,
    timestamp,
)


class LabelStore:
    """The label half of Workspace (it needs image(), read_image(), list_images(), connect())."""

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
        merged_from: int | None = None,
        resolution: str | None = None,
        note: str = "",
        batch: int | None = None,
    ) -> LabelVersion:
        """Write a new immutable label version edited from `parent` (None: there was no label).
        After a conflict, `parent` is the colleague's version and `merged_from` the one the
        analyst had opened (see seep.workspace.review.resolve_conflict). A version saved by a
        batch (seep.workspace.batches) is recorded in it, with the tile's status before, in
        the same transaction: an undo never misses one.

        Raises ConflictError, writing nothing, when `parent` is no longer the newest version.
        """
        if source not in SOURCES:
            raise BadInputError(f"unknown label source {source!r}; use one of {', '.join(SOURCES)}")
        author, note = clean_author(author), clean_note(note)
        image = self.image(ref)
        mask = check_mask(np.asarray(mask), (image.height, image.width), f"mask for {image.name}")
        self.classes.check_mask(mask, f"mask for {image.name}")
        if source == "edited":
            self.check_no_data(image, mask, parent)
        checksum = pixel_checksum(mask)
        data = encode_mask(mask)
        counts = np.bincount(mask.ravel(), minlength=len(self.classes))
        with self.connect(write=True) as con:  # holds the write lock: check and write are one step
            head, before = con.execute("SELECT head_version, status FROM images WHERE id = ?", (image.id,)).fetchone()
            if head != parent:
                raise ConflictError(
                    f"image {image.name} was saved as v{head} since you opened v{parent}; "
                    "reload to see it, or save yours again as a newer version",
                    current_version=head,
                )
            # Past every version, not the head: an undone import's versions stay, above it, and a
            # number is never given twice (caches and an opened tile know a label by it).
            version = con.execute("SELECT COALESCE(max(version), 0) FROM label_versions WHERE image_id = ?", (image.id,))
            version = version.fetchone()[0] + 1
            rel = f"labels/{image.id}/v{version:04d}-{secrets.token_hex(4)}.tif"
            atomic_write_bytes(self.root / rel, data)
            try:
                con.execute(
                    "INSERT INTO label_versions (image_id, version, parent, author, source, model_id, restored_from, "
                    "created_at, checksum, file, merged_from, resolution, note) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (image.id, version, parent, author, source, model_id, restored_from, timestamp(), checksum, rel)
                    + (merged_from, resolution, note),
                )
                con.executemany(
                    "INSERT INTO label_classes VALUES (?,?,?,?)",
                    [(image.id, version, c, int(n)) for c, n in enumerate(counts) if n],
                )
                con.execute(
                    "UPDATE images SET head_version = ?, status = ?, seep_pixels = ? WHERE id = ?",
                    (version, status or STATUS_AFTER[source], int(counts[1:].sum()), image.id),
                )
                if batch is not None:
                    con.execute(
                        "INSERT INTO batch_tiles (batch_id, image_id, version, before_version, before_status) VALUES (?,?,?,?,?)",
                        (batch, image.id, version, parent, before),
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
            row = con.execute("SELECT * FROM label_versions WHERE image_id = ? AND version = ?", (image.id, int(v))).fetchone()
        if row is None:
            raise NotFoundError(f"image {image.name} has no label version v{v} (newest is v{image.head_version})")
        return LabelVersion(**row)

    def head_versions(self, ids: list[str]) -> dict[str, LabelVersion]:
        """The newest label version of each of these images that has one: one query for a page
        of Browse, one per IN_CHUNK for a fine-tune's thousands."""
        rows = []
        with self.connect() as con:
            for chunk in in_chunks(ids):
                rows += con.execute(
                    "SELECT v.* FROM label_versions v JOIN images i ON i.id = v.image_id AND i.head_version = v.version "
                    f"WHERE i.id IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
        return {r["image_id"]: LabelVersion(**r) for r in rows}

    def head_authors(self) -> list[str]:
        """Everyone who saved a tile's newest label version, by name (Browse's Saved by)."""
        with self.connect() as con:
            rows = con.execute(
                "SELECT DISTINCT v.author FROM label_versions v JOIN images i ON i.id = v.image_id AND i.head_version = v.version"
            ).fetchall()
        return sorted((r[0] for r in rows), key=str.casefold)  # one order on both stores, whatever their collation

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
            rows = con.execute("SELECT * FROM label_versions WHERE image_id = ? ORDER BY version DESC", (image.id,)).fetchall()
        return [LabelVersion(**r) for r in rows]

    def restore(self, ref: str, version: int, *, author: str) -> LabelVersion:
        """Make an old version the newest again, as a new version: history is never rewritten."""
        image = self.image(ref)
        _, mask = self.label(image.id, version)
        if version == image.head_version:  # a copy of the newest would only reset a reviewed tile to 'corrected'
            raise BadInputError(f"v{version} is already the newest version of {image.name}; there is nothing to restore")
        return self.save_label(image.id, mask, parent=image.head_version, author=author, source="restored", restored_from=version)

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
