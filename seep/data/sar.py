"""SAR intensity units. Seep stores rasters as they come: linear intensity (the CGG tiles'
digital numbers, calibrated power) or decibels (how SNAP and many Sentinel-1 exports write
sigma0). Whatever reads decibels takes them from here, so both give the same result."""

from __future__ import annotations

import numpy as np


def decibels(x: np.ndarray, valid: np.ndarray, floor: float) -> np.ndarray:
    """(H, W) or (H, W, C) -> the same in dB, no lower than `floor`. Intensity is never
    negative, so a band whose valid pixels are mostly below 0 is in decibels already and is
    kept as it is (a sea of -20 dB, taken for power, would be floored flat); each band of each
    raster is judged on its own pixels. Pixels outside `valid` (no data) are `floor`, as 0 in
    power would be."""
    x = np.asarray(x, np.float32)
    inside = valid if x.ndim == valid.ndim else valid[..., None]
    # more than half below 0 (a median below 0), counted rather than sorted: it runs on every tile predicted
    in_db = np.count_nonzero((x < 0) & inside, axis=(0, 1)) * 2 > np.count_nonzero(valid)
    linear = 10 * np.log10(np.maximum(x, np.float32(10 ** (floor / 10))))
    out = np.maximum(np.where(in_db, x, linear), np.float32(floor))
    return np.where(inside, out, np.float32(floor)).astype(np.float32)
