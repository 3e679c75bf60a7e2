"""Predictions: a cache per image and model (any of them can be made again from the model).
Part of Workspace."""

from __future__ import annotations

import numpy as np

from seep.data.raster import atomic_write_bytes, check_mask, encode_mask, read_image
from seep.workspace.db import in_chunks
from seep.workspace.records import timestamp


class PredictionCache:
    """The prediction half of Workspace (it needs image() and connect())."""

    def save_prediction(self, ref: str, model_id: str, classes: np.ndarray, confidence: np.ndarray, uncertainty: float) -> None:
        image = self.image(ref)
        classes = check_mask(classes, (image.height, image.width), "prediction")
        conf = np.clip(np.round(np.asarray(confidence, np.float32) * 255), 0, 255).astype(np.uint8)
        safe_model = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in model_id)
        rel = f"predictions/{safe_model}/{image.id}.tif"
        atomic_write_bytes(self.root / rel, encode_mask(np.stack([classes, conf], axis=2)))
        with self.connect(write=True) as con:
            con.execute(
                "INSERT INTO predictions VALUES (?,?,?,?,?,?) ON CONFLICT (image_id, model_id) DO UPDATE SET "
                "file = excluded.file, seep_pixels = excluded.seep_pixels, uncertainty = excluded.uncertainty, "
                "created_at = excluded.created_at",
                (image.id, model_id, rel, int((classes > 0).sum()), float(uncertainty), timestamp()),
            )

    def predicted(self, image_ids: list[str], model_id: str) -> set[str]:
        """Which of these images have a cached prediction by the model (one query a page, in
        parts for a whole workspace)."""
        rows = []
        with self.connect() as con:
            for chunk in in_chunks(image_ids):
                rows += con.execute(
                    f"SELECT image_id FROM predictions WHERE model_id = ? AND image_id IN ({','.join('?' * len(chunk))})",
                    (model_id, *chunk),
                ).fetchall()
        return {r[0] for r in rows}

    def prediction(self, ref: str, model_id: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(class ids, confidence 0..1) cached for this model, or None."""
        image = self.image(ref)
        with self.connect() as con:
            row = con.execute("SELECT file FROM predictions WHERE image_id = ? AND model_id = ?", (image.id, model_id)).fetchone()
        if row is None or not (self.root / row[0]).exists():
            return None
        both = read_image(self.root / row[0])
        return both[:, :, 0].copy(), both[:, :, 1].astype(np.float32) / 255
