"""A scene's labels exported as a GeoTIFF mask, edited as a raster and imported back: taken
pixel for pixel, not as polygons laid on top.

    since = exported_at(path, sc)  # None: not this scene's labels as Seep exported them
    changed, kept = returned_tiles(ws, path, sc, since)  # then tile_pixels(path, sc, row, col) of each changed

Such a mask says every pixel of each tile it holds, so a slick erased in it (painted 0) is
erased here and one drawn is added; a tile it leaves as no-data (NO_LABEL: unlabelled when it
was exported) stays as it is. Only a mask Seep wrote of a scene's labels, on that scene's very
grid, is read so: another tool's detections, an export of predictions or a mask warped
elsewhere say only where seeps are, and go on top of the labels as polygons
(seep.workspace.mask_shapes). A tile changed since the export (saved, or put back by an undo)
keeps its label: the mask would quietly undo that change.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path

import numpy as np

from seep.data.geo import SceneGrid, grid_of
from seep.errors import BadInputError, SeepError
from seep.workspace.batches import heads_at
from seep.workspace.gis import EXPORT_TAG, EXPORTED_AT, NO_LABEL
from seep.workspace.scenes import Scene, tile_offsets_of
from seep.workspace.workspace import Workspace


def exported_at(path: Path, sc: Scene) -> str | None:
    """When the mask at `path` was exported ('' for an export that does not say) if it holds
    scene `sc`'s labels as Seep exported them, on the scene's grid; None for any other raster."""
    tags = _tags_on_grid(path, sc)
    return None if tags is None or tags.get(EXPORT_TAG) != "labels" else tags.get(EXPORTED_AT, "")


def untagged_on_grid(path: Path, sc: Scene) -> bool:
    """The mask lies on the scene's very grid, one band of bytes, as an export of its labels
    does, but carries no export's tag: perhaps such an export that lost it in another tool,
    which is then read as any mask is (laid on top)."""
    tags = _tags_on_grid(path, sc)
    return tags is not None and EXPORT_TAG not in tags


def _tags_on_grid(path: Path, sc: Scene) -> dict | None:
    """The raster's tags where it is one band of bytes on the scene's grid; None otherwise."""
    import rasterio
    from rasterio.errors import NotGeoreferencedWarning, RasterioError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        try:
            with rasterio.open(path) as ds:
                tags, grid = ds.tags(), grid_of(ds, "mask")
        except (RasterioError, SeepError):
            return None  # read as any mask, which says what is wrong with it
    ours = SceneGrid(sc.grid.height, sc.grid.width, 1, "uint8", sc.grid.crs, sc.grid.transform)
    return tags if grid.bands == 1 and grid.dtype == "uint8" and grid.same_grid(ours) else None


def returned_tiles(ws: Workspace, path: Path, sc: Scene, since: str) -> tuple[list[str], list[str]]:
    """(the ids of the tiles the mask changes; the names of those it would change whose newest
    version is not the one they had at the export, left as they are). Every pixel is checked
    before anything is written: a value past the class table writes nothing. Only ids are kept,
    so a whole scene's labels never sit in memory at once: each is read again to save
    (tile_pixels)."""
    import rasterio

    top, changed, kept = len(ws.classes) - 1, [], []
    offsets = tile_offsets_of(ws, sc.name)
    then = heads_at(ws, list(offsets), datetime.fromisoformat(since)) if since else None  # an export that does not say: taken
    with rasterio.open(path) as ds:
        for image_id, (r, c) in sorted(offsets.items()):
            pixels = _window(ds, sc, r, c)
            if (pixels == NO_LABEL).all():
                continue
            _check_classes(path, pixels, top, r, c)
            image, current = current_label(ws, image_id)
            if np.array_equal(laid_on(current, pixels, ws.no_data(image_id)), current):
                continue
            if then is not None and image.head_version != then[image_id]:
                kept.append(image.name)
            else:
                changed.append(image_id)
    return changed, sorted(kept)


def laid_on(current: np.ndarray, pixels: np.ndarray, no_data: np.ndarray | None) -> np.ndarray:
    """A tile's label with an import's pixels laid on it: NO_LABEL leaves a pixel as it is, and
    a pixel the import would change where the tile has no radar becomes 0 (no sea there to hold
    a seep); what the import leaves alone stays, even a seep a mask imported with the scene
    put there."""
    pixels = pixels[: current.shape[0], : current.shape[1]]
    label = np.where(pixels == NO_LABEL, current, pixels)
    if no_data is not None:
        label[no_data & (label != current)] = 0
    return label.astype(np.uint8)


def tile_pixels(path: Path, sc: Scene, r: int, c: int) -> np.ndarray:
    """The mask's pixels of the tile at (r, c), NO_LABEL past the scene's edge."""
    import rasterio

    with rasterio.open(path) as ds:
        return _window(ds, sc, r, c)


def _window(ds, sc: Scene, r: int, c: int) -> np.ndarray:
    from rasterio.windows import Window

    h, w = min(sc.tile, sc.grid.height - r), min(sc.tile, sc.grid.width - c)
    out = np.full((sc.tile, sc.tile), NO_LABEL, np.uint8)
    out[:h, :w] = ds.read(1, window=Window(c, r, w, h))
    return out


def _check_classes(path: Path, pixels: np.ndarray, top: int, r: int, c: int) -> None:
    wrong = (pixels > top) & (pixels != NO_LABEL)
    if wrong.any():
        row, col = np.argwhere(wrong)[0]
        raise BadInputError(
            f"{path} holds {pixels[row, col]} at row {r + row:,}, column {c + col:,}: no class of this workspace "
            f"(0 to {top}, and {NO_LABEL} for no label); nothing was imported"
        )


def current_label(ws: Workspace, image_id: str):
    """(the tile's record, its label now: zeros for a tile with none), what an import lays on."""
    image = ws.image(image_id)
    if image.head_version is None:
        return image, np.zeros((image.height, image.width), np.uint8)
    return image, ws.label(image_id, image.head_version)[1]
