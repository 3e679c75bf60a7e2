"""Rasters too large to read whole (a Sentinel-1 scene is ~25,000 x 17,000 pixels), predicted
as Seep predicts a scene it imported: tile by tile on a grid of the model's window, each tile
seen with CONTEXT_PX of its neighbours, read and written one row of tiles at a time, so memory
does not grow with the raster. What `predict --data` runs on such a file, and `evaluate
--data` on such a file with its mask."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from seep.data.classes import SEEP_CLASSES
from seep.data.geo import (
    bounded_cache,
    check_mask_bands,
    check_pixels,
    data_bands,
    georeferencing,
    geotiff_profile,
    grid_of,
    open_scene,
    read_mask_tile,
    read_tile,
    replace_atomically,
)
from seep.errors import BadInputError
from seep.learn.data import valid_pixels
from seep.learn.infer import CONTEXT_PX, Predictor, without_context
from seep.learn.metrics import Evaluation
from seep.learn.stitched import StitchedInstances


def predict_tiled(
    predictor: Predictor,
    path: Path,
    masks: Path,
    confidence: Path,
    *,
    tta: bool = False,
    on_row: Callable[[int, int], None] | None = None,
) -> str | None:
    """Class ids (uint8) to `masks`, confidence (float32) to `confidence`, each on the input's
    pixels and placed as it is; tiles holding no radar are left 0, as the model is never run on
    them. Both files appear only once complete. Returns the note on the band read of several
    (the VV band of a VV+VH file), if any."""
    import rasterio
    from rasterio.transform import Affine

    with (
        bounded_cache(),
        open_scene(path, "image") as raw,
        data_bands(raw, path, predictor.config.in_channels) as (ds, band),
    ):
        _check(ds, path, predictor)
        crs, transform, gcps = georeferencing(path) or (None, None, None)
        place = {"crs": crs, "transform": None if transform is None else Affine(*transform), "gcps": gcps}
        shape = (1, ds.height, ds.width)

        def write(masks_tmp: Path, confidence_tmp: Path) -> None:
            with (
                rasterio.open(masks_tmp, "w", **geotiff_profile(shape, "uint8", **place)) as m,
                rasterio.open(confidence_tmp, "w", **geotiff_profile(shape, "float32", **place)) as c,
            ):
                if predictor.colours:
                    m.write_colormap(1, predictor.colours)
                rows = range(0, ds.height, predictor.window)
                for i, r in enumerate(rows):
                    for window, _, p in _row(predictor, ds, r, tta):
                        m.write(p.classes[None, : window.height, : window.width], window=window)
                        c.write(p.confidence[None, : window.height, : window.width], window=window)
                    if on_row:
                        on_row(i + 1, len(rows))

        replace_atomically(masks, lambda mt: replace_atomically(confidence, lambda ct: write(mt, ct)))
    return band


def score_tiled(
    predictor: Predictor,
    ev: Evaluation,
    path: Path,
    mask: Path,
    *,
    tta: bool = False,
    on_row: Callable[[int, int], None] | None = None,
) -> None:
    """Add each tile of the raster at `path` to `ev`, predicted as predict_tiled predicts it,
    against its window of `mask` (class ids on the same pixels). Tiles holding no radar add
    nothing, as their pixels would not count. Slicks are scored over the whole raster, a row of
    tiles at a time (seep.learn.stitched): a slick crossing tiles is one, as in a raster read whole."""
    with (
        bounded_cache(),
        open_scene(path, "image") as raw,
        data_bands(raw, path, predictor.config.in_channels) as (ds, _),
        open_scene(mask, "mask") as ms,
    ):
        _check(ds, path, predictor)
        _check_mask(ms, ds, mask)
        slicks = StitchedInstances(ev.inst.classes)
        rows = range(0, ds.height, predictor.window)
        for i, r in enumerate(rows):
            slicks.add(*_score_row(predictor, ev, ds, ms, mask, r, tta))
            if on_row:
                on_row(i + 1, len(rows))
        for c in ev.inst.classes:
            ev.inst.add_matched(c, *slicks.matched(c))


def _score_row(predictor: Predictor, ev: Evaluation, ds, ms, mask: Path, r: int, tta: bool):
    """Add the pixels of the row of tiles at row offset r to `ev`; return the row's classes
    predicted and true and P(seep), full width, 0 where pixels do not count: its slicks."""
    shape = (min(predictor.window, ds.height - r), ds.width)
    strip = np.zeros(shape, np.uint8), np.zeros(shape, np.uint8), np.zeros(shape, np.float32)
    for window, wide, p in _row(predictor, ds, r, tta, keep_probs=True):
        h, w, col = window.height, window.width, window.col_off
        labels = read_mask_tile(ms, r, col, predictor.window)[:h, :w]
        SEEP_CLASSES.check_mask(labels, f"mask {mask} near row {r}, column {col}", fix="fix the mask")
        target = (labels > 0).astype(np.uint8) if predictor.binary else labels
        valid = valid_pixels(wide[CONTEXT_PX : CONTEXT_PX + h, CONTEXT_PX : CONTEXT_PX + w], predictor.normalizer.nodata)
        pred, v = ev.add_pixels(p.probs[:, :h, :w], target, valid, pred=p.classes[:h, :w])
        for whole, tile in zip(strip, (pred, target, 1.0 - p.probs[0, :h, :w]), strict=True):
            whole[:, col : col + w] = np.where(v, tile, 0)
    return strip


def _row(predictor: Predictor, ds, r: int, tta: bool, *, keep_probs: bool = False):
    """(window, widened pixels, Prediction) of each tile holding radar in the row of tiles at
    row offset r, the row predicted in batches: the widened tiles are all one size."""
    from rasterio.windows import Window

    size, fill = predictor.window, predictor.normalizer.nodata
    windows, wides = [], []
    for c in range(0, ds.width, size):
        wide = read_tile(ds, r - CONTEXT_PX, c - CONTEXT_PX, size + 2 * CONTEXT_PX, fill)
        if valid_pixels(wide[CONTEXT_PX:-CONTEXT_PX, CONTEXT_PX:-CONTEXT_PX], fill).any():
            windows.append(Window(c, r, min(size, ds.width - c), min(size, ds.height - r)))
            wides.append(wide)
    predictions = predictor.iter_predict(wides, whole=True, tta=tta, keep_probs=keep_probs)
    for window, wide, p in zip(windows, wides, predictions, strict=True):
        yield window, wide, without_context(p)


def _check(ds, path: Path, predictor: Predictor) -> None:
    grid = grid_of(ds, "image")
    check_pixels(grid, f"image {path}")
    predictor.check_bands(grid.bands, f"image {path}")


def _check_mask(ms, ds, mask: Path) -> None:
    """One band of integer class ids on the image's pixels."""
    check_mask_bands(grid_of(ms, "mask"), mask)
    if (ms.height, ms.width) != (ds.height, ds.width):
        raise BadInputError(
            f"mask {mask} is {ms.width} x {ms.height} pixels but its image {ds.name} is {ds.width} x {ds.height}; "
            "they must match pixel for pixel"
        )
