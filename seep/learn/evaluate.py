"""Evaluate a model on labelled tiles, and predict a folder: what `evaluate` and `predict` run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from seep.data.layout import MASKS_DIR, Tile, find_layout, image_files
from seep.data.raster import read_image, safe_child, write_tiff
from seep.errors import BadInputError
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
) -> tuple[int, list[tuple[str, str]]]:
    """Masks to out/train_masks_256/, confidence (float32, 0..1) to out/confidence/, by name.
    Returns (rasters predicted, [(file, why skipped)]): a file that cannot be read is skipped
    and named, as `import` does, and the others are still predicted. Images are read as the
    model takes them, so a large folder is never all in memory."""
    images_dir, _ = find_layout(Path(data))  # masks, if any, are not read: predicting needs none
    files = image_files(images_dir)
    if not files:
        raise BadInputError(f"no TIFF tiles found in {data}")
    names: list[str] = []
    skipped: list[tuple[str, str]] = []

    def readable():
        for f in files:
            try:
                img = read_image(f)
                if img.shape[2] != predictor.config.in_channels:
                    raise BadInputError(
                        f"image {f} has {img.shape[2]} channels but the model reads {predictor.config.in_channels}"
                    )
            except BadInputError as e:
                skipped.append((f.name, str(e)))
                continue
            names.append(f.stem)
            yield img

    for i, p in enumerate(predictor.iter_predict(readable(), tta=tta)):
        write_tiff(safe_child(Path(out) / MASKS_DIR, f"{names[i]}.tif"), p.classes)
        write_tiff(safe_child(Path(out) / "confidence", f"{names[i]}.tif"), p.confidence)
        if on_progress:
            on_progress(i + 1 + len(skipped), len(files))
    return len(names), skipped
