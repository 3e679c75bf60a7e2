"""Evaluate a model on labelled tiles, and predict a folder: what `evaluate` and `predict` run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from seep.data.layout import MASKS_DIR, Tile, load_folder
from seep.data.raster import safe_child, write_tiff
from seep.learn.data import valid_pixels
from seep.learn.infer import Predictor
from seep.learn.metrics import Evaluation


def evaluate(
    predictor: Predictor,
    tiles: list[Tile],
    *,
    tta: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict:
    """The full report over all pixels of `tiles`. A binary model is scored against the
    masks merged to seep / not seep."""
    ev = Evaluation(predictor.config.classes)
    preds = predictor.iter_predict((t.image for t in tiles), tta=tta, keep_probs=True)
    for i, (t, p) in enumerate(zip(tiles, preds, strict=True)):
        target = (t.mask > 0).astype(np.uint8) if predictor.binary else t.mask
        ev.add(p.probs, target, valid_pixels(t.image, predictor.normalizer.nodata), pred=p.classes)
        if on_progress:
            on_progress(i + 1, len(tiles))
    report = ev.report(predictor.class_names)
    report["model"] = str(predictor.path)
    report["timings"] = predictor.timings.as_dict()
    return report


def predict_folder(
    predictor: Predictor,
    data: Path,
    out: Path,
    *,
    tta: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """Masks to out/train_masks_256/, confidence (float32, 0..1) to out/confidence/, by name."""
    tiles = load_folder(data, need_masks=False)
    preds = predictor.iter_predict((t.image for t in tiles), tta=tta)
    for i, (t, p) in enumerate(zip(tiles, preds, strict=True)):
        write_tiff(safe_child(Path(out) / MASKS_DIR, f"{t.name}.tif"), p.classes)
        write_tiff(safe_child(Path(out) / "confidence", f"{t.name}.tif"), p.confidence)
        if on_progress:
            on_progress(i + 1, len(tiles))
    return len(tiles)
