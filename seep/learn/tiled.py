"""Rasters too large to read whole (a Sentinel-1 scene is ~25,000 x 17,000 pixels), predicted
as Seep predicts a scene it imported: tile by tile on a grid of the model's window, each tile
seen with CONTEXT_PX of its neighbours, read and written one row of tiles at a time, so memory
does not grow with the raster. What `predict --data` runs on such a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from seep.data.geo import (
    bounded_cache,
    check_pixels,
    georeferencing,
    geotiff_profile,
    grid_of,
    open_scene,
    read_tile,
    replace_atomically,
)
from seep.errors import BadInputError
from seep.learn.data import valid_pixels
from seep.learn.infer import CONTEXT_PX, Predictor, without_context


def predict_tiled(
    predictor: Predictor,
    path: Path,
    masks: Path,
    confidence: Path,
    *,
    tta: bool = False,
    on_row: Callable[[int, int], None] | None = None,
) -> None:
    """Class ids (uint8) to `masks`, confidence (float32) to `confidence`, each on the input's
    pixels and placed as it is; tiles holding no radar are left 0, as the model is never run on
    them. Both files appear only once complete."""
    import rasterio
    from rasterio.transform import Affine

    with bounded_cache(), open_scene(path, "image") as ds:
        _check(ds, path, predictor)
        crs, transform, gcps = georeferencing(path) or (None, None, None)
        place = {"crs": crs, "transform": None if transform is None else Affine(*transform), "gcps": gcps}
        shape = (1, ds.height, ds.width)

        def write(masks_tmp: Path, confidence_tmp: Path) -> None:
            with (
                rasterio.open(masks_tmp, "w", **geotiff_profile(shape, "uint8", **place)) as m,
                rasterio.open(confidence_tmp, "w", **geotiff_profile(shape, "float32", **place)) as c,
            ):
                rows = range(0, ds.height, predictor.window)
                for i, r in enumerate(rows):
                    for window, p in _row(predictor, ds, r, tta):
                        m.write(p.classes[None, : window.height, : window.width], window=window)
                        c.write(p.confidence[None, : window.height, : window.width], window=window)
                    if on_row:
                        on_row(i + 1, len(rows))

        replace_atomically(masks, lambda mt: replace_atomically(confidence, lambda ct: write(mt, ct)))


def _row(predictor: Predictor, ds, r: int, tta: bool):
    """(window, Prediction) of each tile holding radar in the row of tiles at row offset r, the
    row predicted in batches: the widened tiles are all one size."""
    from rasterio.windows import Window

    size, fill = predictor.window, predictor.normalizer.nodata
    windows, wides = [], []
    for c in range(0, ds.width, size):
        wide = read_tile(ds, r - CONTEXT_PX, c - CONTEXT_PX, size + 2 * CONTEXT_PX, fill)
        if valid_pixels(wide[CONTEXT_PX:-CONTEXT_PX, CONTEXT_PX:-CONTEXT_PX], fill).any():
            windows.append(Window(c, r, min(size, ds.width - c), min(size, ds.height - r)))
            wides.append(wide)
    for window, p in zip(windows, predictor.iter_predict(wides, whole=True, tta=tta), strict=True):
        yield window, without_context(p)


def _check(ds, path: Path, predictor: Predictor) -> None:
    grid = grid_of(ds, "image")
    check_pixels(grid, f"image {path}")
    if grid.bands != predictor.config.in_channels:
        raise BadInputError(f"image {path} has {grid.bands} bands but the model reads {predictor.config.in_channels}")
