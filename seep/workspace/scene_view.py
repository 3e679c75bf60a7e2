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


def overview(ws: Workspace, name: str, factor: int) -> np.ndarray:
    """(h, w, 3) uint8: the scene's first band shrunk by `factor` (averaging valid pixels
    only, so the swath edge does not darken), stretched with one window for the whole scene
    (per-tile stretches would make a patchwork), no-data hatched."""
    sc = scene(ws, name)
    h, w = math.ceil(sc.grid.height / factor), math.ceil(sc.grid.width / factor)
    total, count = np.zeros((h, w), np.float32), np.zeros((h, w), np.float32)
    for t in scene_tiles(ws, name):
        image = ws.read_image(t.image_id)[:, :, 0].astype(np.float32)
        valid = np.ones(image.shape, np.float32) if ws.config.nodata is None else (image != ws.config.nodata).astype(np.float32)
        _put(total, _pool(image * valid, factor, np.sum), t, factor)
        _put(count, _pool(valid, factor, np.sum), t, factor)
    mean = np.where(count > 0, total / np.maximum(count, 1e-6), 0).astype(np.float32)
    invalid = count == 0
    grey = stretch(mean[:, :, None], nodata=0 if invalid.any() else None)
    rgb = np.repeat(grey[:, :, None], 3, axis=2)
    rgb[invalid] = nodata_hatch(invalid.shape, period=4)[invalid]
    return rgb


def overview_classes(ws: Workspace, name: str, factor: int, model_id: str | None = None) -> np.ndarray:
    """(h, w) uint8 class ids shrunk by `factor` keeping the highest class of each block, so
    a slick one pixel wide still shows; current labels, or the cached predictions of `model_id`."""
    sc = scene(ws, name)
    out = np.zeros((math.ceil(sc.grid.height / factor), math.ceil(sc.grid.width / factor)), np.uint8)
    for t in scene_tiles(ws, name):
        classes = tile_classes(ws, t.image_id, model_id)
        if classes is not None:
            _put(out, _pool(classes, factor, np.max), t, factor)
    return out


def tile_classes(ws: Workspace, image_id: str, model_id: str | None) -> np.ndarray | None:
    """A tile's current label (model_id None) or its cached prediction by model_id; None if it has none."""
    if model_id is None:
        return ws.label(image_id)[1] if ws.image(image_id).head_version is not None else None
    cached = ws.prediction(image_id, model_id)
    return None if cached is None else cached[0]


def _pool(tile: np.ndarray, factor: int, reduce) -> np.ndarray:
    h, w = tile.shape
    return reduce(tile.reshape(h // factor, factor, w // factor, factor), axis=(1, 3))


def _put(target: np.ndarray, block: np.ndarray, t: SceneTile, factor: int) -> None:
    """A shrunk tile into the overview; the padding past the scene's edge is cut off."""
    r, c = t.row_off // factor, t.col_off // factor
    h, w = min(block.shape[0], target.shape[0] - r), min(block.shape[1], target.shape[1] - c)
    target[r : r + h, c : c + w] = block[:h, :w]
