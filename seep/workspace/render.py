"""What a tile looks like on screen: the SAR picture with a label drawn over it.

Lives outside the UI so a batch job (a report, the export of quick-looks) draws exactly
what the app shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from seep.data.display import overlay, to_rgb
from seep.workspace.scene_view import tile_classes
from seep.workspace.tile_places import neighbour_ids, widen
from seep.workspace.workspace import Workspace

# Pixels of the neighbouring tiles the editor shows around a scene tile: enough to see where
# a slick crossing the border goes on the other side.
SURROUND_PX = 48


@dataclass(frozen=True)
class DisplaySettings:
    mode: str = "percentile"  # percentile | db
    low: float | None = None  # percentile mode: percentiles; db mode: dB
    high: float | None = None
    gamma: float = 1.0


def render_tile(
    ws: Workspace,
    image_id: str,
    *,
    display: DisplaySettings = DisplaySettings(),
    mask: np.ndarray | None = None,
    opacity: float = 0.5,
    style: str = "fill",
    zoom: int = 1,
    size: int | None = None,
) -> np.ndarray:
    """(H, W, 3) uint8: stretched image, `mask` over it; enlarged by nearest neighbour
    (`zoom`, so pixels stay pixels) or shrunk by area averaging to `size` (thumbnails)."""
    image = ws.read_image(image_id)
    rgb = to_rgb(image, mode=display.mode, low=display.low, high=display.high, gamma=display.gamma, nodata=ws.config.nodata)
    if mask is not None:
        rgb = overlay(rgb, mask, ws.classes, opacity=opacity, style=style)
    if size is not None:
        scale = size / max(rgb.shape[:2])
        rgb = cv2.resize(rgb, (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    if zoom > 1:
        rgb = np.repeat(np.repeat(rgb, zoom, axis=0), zoom, axis=1)
    return rgb


def render_surroundings(
    ws: Workspace,
    image_id: str,
    *,
    display: DisplaySettings = DisplaySettings(),
    opacity: float = 0.5,
    margin: int = SURROUND_PX,
) -> np.ndarray | None:
    """(H + 2m, W + 2m, 3) uint8: a scene tile framed by `margin` pixels of its neighbours,
    their current labels over them, dimmed as they are not the tile being edited; None for a
    tile that is not from a scene or has no stored neighbour."""
    near = neighbour_ids(ws, image_id)
    if not near:
        return None
    image = ws.read_image(image_id)
    fill = 0 if ws.config.nodata is None else ws.config.nodata
    pixels = widen(image, {k: ws.read_image(i) for k, i in near.items()}, margin, fill)
    empty = np.zeros(image.shape[:2], np.uint8)
    labels = widen(empty, {k: _label_or_nothing(ws, i, empty) for k, i in near.items()}, margin, 0)
    rgb = to_rgb(pixels, mode=display.mode, low=display.low, high=display.high, gamma=display.gamma, nodata=ws.config.nodata)
    rgb = overlay(rgb, labels, ws.classes, opacity=opacity)
    return (rgb * 0.7 + 0.5).astype(np.uint8)


def _label_or_nothing(ws: Workspace, image_id: str, empty: np.ndarray) -> np.ndarray:
    classes = tile_classes(ws, image_id, None)
    return empty if classes is None else classes
