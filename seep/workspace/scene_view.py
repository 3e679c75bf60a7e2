"""A whole scene at a glance: its pixels downsampled into one overview, its labels or
predictions shrunk so that thin slicks survive, and where each tile sits.

Built from the stored tiles one at a time (memory: the overview plus one tile), outside
the UI so a report can draw the same picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from seep.data.display import nodata_hatch, stretch
from seep.workspace.records import REVIEWED, STATUSES
from seep.workspace.scenes import acquired_times, scene, tile_offsets_of
from seep.workspace.workspace import Workspace


@dataclass(frozen=True)
class SceneTile:
    image_id: str
    name: str
    row_off: int
    col_off: int
    status: str


@dataclass(frozen=True)
class SceneSummary:
    name: str
    statuses: dict[str, int]  # review status -> tiles
    georeferenced: bool  # imported from a GeoTIFF: it has a Scene page
    acquired: str | None = None  # when the radar passed (ISO 8601 UTC), where known

    @property
    def tiles(self) -> int:
        return sum(self.statuses.values())

    @property
    def reviewed(self) -> int:
        return sum(self.statuses[s] for s in REVIEWED)


def scene_summaries(ws: Workspace) -> list[SceneSummary]:
    """Every scene of the workspace (the tiles' scene names, georeferenced or not) with its
    tiles counted by review status: the newest pass first (the morning's work), then those of
    unknown time by name."""
    with ws.connect() as con:
        counts = con.execute("SELECT scene, status, count(*) FROM images GROUP BY scene, status").fetchall()
    times = acquired_times(ws)
    by_scene: dict[str, dict[str, int]] = {}
    for name, status, n in counts:
        by_scene.setdefault(name, dict.fromkeys(STATUSES, 0))[status] = n
    rows = [SceneSummary(name, statuses, name in times, times.get(name)) for name, statuses in sorted(by_scene.items())]
    return sorted(rows, key=lambda x: x.acquired or "", reverse=True)  # stable: unknown ones stay by name


def factor_for(height: int, width: int, max_px: int = 1600) -> int:
    """The shrink that fits the scene's longer side into max_px: a power of two, so it
    divides the tile size and each tile shrinks on its own into whole cells."""
    need = max(height, width) / max_px
    return min(256, 1 << max(0, math.ceil(math.log2(need)))) if need > 1 else 1


def scene_tiles(ws: Workspace, name: str) -> list[SceneTile]:
    offsets = tile_offsets_of(ws, name)
    records = ws.images_by_ids(list(offsets))
    return sorted((SceneTile(r.id, r.name, *offsets[r.id], r.status) for r in records), key=lambda t: (t.row_off, t.col_off))


def overview(ws: Workspace, name: str, factor: int, box: Box | None = None) -> np.ndarray:
    """(h, w, 3) uint8: the scene's first band (or the part of it in `box`) shrunk by `factor`
    (averaging valid pixels only, so the swath edge does not darken), stretched with one window for
    the whole picture (per-tile stretches would make a patchwork), no-data hatched."""
    box = box or whole(scene(ws, name))
    h, w = overview_size(box, factor)
    total, count = np.zeros((h, w), np.float32), np.zeros((h, w), np.float32)
    for t in tiles_in(ws, name, box):
        image = ws.read_image(t.image_id)[:, :, 0].astype(np.float32)
        valid = np.ones(image.shape, np.float32) if ws.config.nodata is None else (image != ws.config.nodata).astype(np.float32)
        _put(total, _pool(image * valid, factor, np.sum), t, factor, box)
        _put(count, _pool(valid, factor, np.sum), t, factor, box)
    mean = np.where(count > 0, total / np.maximum(count, 1e-6), 0).astype(np.float32)
    invalid = count == 0
    grey = stretch(mean[:, :, None], nodata=0 if invalid.any() else None)
    rgb = np.repeat(grey[:, :, None], 3, axis=2)
    rgb[invalid] = nodata_hatch(invalid.shape, period=4)[invalid]
    return rgb


def overview_classes(ws: Workspace, name: str, factor: int, model_id: str | None = None, box: Box | None = None) -> np.ndarray:
    """(h, w) uint8 class ids shrunk by `factor` keeping the highest class of each block, so
    a slick one pixel wide still shows; current labels, or the cached predictions of `model_id`."""
    box = box or whole(scene(ws, name))
    out = np.zeros(overview_size(box, factor), np.uint8)
    for t in tiles_in(ws, name, box):
        classes = tile_classes(ws, t.image_id, model_id)
        if classes is not None:
            _put(out, _pool(classes, factor, np.max), t, factor, box)
    return out


@dataclass(frozen=True)
class Box:
    """A part of a scene's grid to draw: its corner and size in scene pixels."""

    row: int
    col: int
    height: int
    width: int


def overview_size(box: Box, factor: int) -> tuple[int, int]:
    """(h, w) of `box` shrunk by `factor`: a last partial cell counts."""
    return math.ceil(box.height / factor), math.ceil(box.width / factor)


def whole(sc) -> Box:
    return Box(0, 0, sc.grid.height, sc.grid.width)


def around(row0: int, col0: int, row1: int, col1: int, side: int, factor: int) -> Box:
    """A square of `side` pixels centred on a box, its corner on the `factor` grid so that each
    tile (its offsets multiples of 256) shrinks on its own into whole cells."""
    row, col = (row0 + row1 - side) // 2, (col0 + col1 - side) // 2
    return Box(row - row % factor, col - col % factor, side, side)


def tiles_in(ws: Workspace, name: str, box: Box) -> list[SceneTile]:
    """The scene's stored tiles that `box` meets: a close-up reads a few, not the scene."""
    size = scene(ws, name).tile
    rows, cols = range(box.row - size + 1, box.row + box.height), range(box.col - size + 1, box.col + box.width)
    return [t for t in scene_tiles(ws, name) if t.row_off in rows and t.col_off in cols]


def tile_classes(ws: Workspace, image_id: str, model_id: str | None) -> np.ndarray | None:
    """A tile's current label (model_id None) or its cached prediction by model_id; None if it has none."""
    if model_id is None:
        return ws.label(image_id)[1] if ws.image(image_id).head_version is not None else None
    cached = ws.prediction(image_id, model_id)
    return None if cached is None else cached[0]


def _pool(tile: np.ndarray, factor: int, reduce) -> np.ndarray:
    h, w = tile.shape
    return reduce(tile.reshape(h // factor, factor, w // factor, factor), axis=(1, 3))


def _put(target: np.ndarray, block: np.ndarray, t: SceneTile, factor: int, box: Box) -> None:
    """A shrunk tile into the picture of `box`; what falls outside it (the padding past the
    scene's edge, a tile only partly in a close-up) is cut off."""
    r, c = (t.row_off - box.row) // factor, (t.col_off - box.col) // factor
    r0, c0 = max(r, 0), max(c, 0)
    r1, c1 = min(r + block.shape[0], target.shape[0]), min(c + block.shape[1], target.shape[1])
    if r1 > r0 and c1 > c0:
        target[r0:r1, c0:c1] = block[r0 - r : r1 - r, c0 - c : c1 - c]
