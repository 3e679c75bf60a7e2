"""What a tile looks like on screen: the SAR picture with a label drawn over it.

Lives outside the UI so a batch job (a report, the export of quick-looks) draws exactly
what the app shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from seep.data.display import overlay, to_rgb
from seep.workspace.workspace import Workspace


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
    rgb = to_rgb(
        image, mode=display.mode, low=display.low, high=display.high, gamma=display.gamma, nodata=ws.config.nodata
    )
    if mask is not None:
        rgb = overlay(rgb, mask, ws.classes, opacity=opacity, style=style)
    if size is not None:
        scale = size / max(rgb.shape[:2])
        rgb = cv2.resize(rgb, (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    if zoom > 1:
        rgb = np.repeat(np.repeat(rgb, zoom, axis=0), zoom, axis=1)
    return rgb
