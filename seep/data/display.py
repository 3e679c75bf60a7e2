"""SAR intensity to screen pixels, mask overlays and the difference of two masks.

No-data (outside the radar swath) is kept out of every statistic and drawn as a
hatch, so an analyst never mistakes it for a dark slick.
"""

from __future__ import annotations

import cv2
import numpy as np

from seep.data.classes import ClassTable
from seep.data.sar import decibels

DB_FLOOR = -60.0  # dB: power 1e-6, darker than any radar sea
NODATA_COLOURS = np.array([[38, 42, 56], [58, 64, 82]], dtype=np.uint8)  # dark slate hatch


def valid_mask(image: np.ndarray, nodata: float | None = 0) -> np.ndarray:
    """(H, W) bool: True where any channel holds data."""
    img = image if image.ndim == 3 else image[:, :, None]
    if nodata is None:
        return np.ones(img.shape[:2], dtype=bool)
    return np.any(img != nodata, axis=2)


def _band(image: np.ndarray, channel: int) -> np.ndarray:
    img = image if image.ndim == 3 else image[:, :, None]
    return img[:, :, min(channel, img.shape[2] - 1)].astype(np.float32)


def window(
    image: np.ndarray,
    *,
    mode: str = "percentile",
    low: float | None = None,
    high: float | None = None,
    channel: int = 0,
    nodata: float | None = 0,
) -> tuple[float, float]:
    """The (low, high) display window in the mode's units.

    percentile: low/high are percentiles of the valid pixels (default 2, 98), returned as values.
    db: low/high are decibels of 10*log10(value); by default the 2nd and 98th percentile in dB.
    """
    if mode == "db" and low is not None and high is not None:
        return float(low), float(max(high, low + 1e-6))
    band, valid = _shown(image, mode, channel, nodata)
    return _window_of(band[valid], mode, low, high)


def _shown(image: np.ndarray, mode: str, channel: int, nodata: float | None) -> tuple[np.ndarray, np.ndarray]:
    """One band in the mode's units (decibels in db mode), and where it holds data."""
    if mode not in ("percentile", "db"):
        raise ValueError(f"display mode {mode!r}: use 'percentile' or 'db'")
    band, valid = _band(image, channel), valid_mask(image, nodata)
    return (decibels(band, valid, DB_FLOOR) if mode == "db" else band), valid


def _window_of(values: np.ndarray, mode: str, low: float | None, high: float | None) -> tuple[float, float]:
    """The window over the valid pixels' `values`, already in the mode's units."""
    if mode == "db":
        if low is not None and high is not None:
            return float(low), float(max(high, low + 1e-6))
        plo, phi = 2.0, 98.0
    else:
        plo, phi = (2.0 if low is None else low), (98.0 if high is None else high)
    if values.size == 0:
        return 0.0, 1.0
    lo, hi = np.percentile(values, [plo, phi])
    return float(lo), float(max(hi, lo + 1e-6))


def stretch(
    image: np.ndarray,
    *,
    mode: str = "percentile",
    low: float | None = None,
    high: float | None = None,
    gamma: float = 1.0,
    channel: int = 0,
    nodata: float | None = 0,
) -> np.ndarray:
    """One band to (H, W) uint8 grey, window as `window` sets it, then gamma (<1 brightens darks).
    The band is read in the mode's units once, for the window and the picture alike."""
    if gamma <= 0:
        raise ValueError(f"gamma must be positive, got {gamma}")
    band, valid = _shown(image, mode, channel, nodata)
    lo, hi = _window_of(band[valid], mode, low, high)
    t = np.clip((band - lo) / (hi - lo), 0.0, 1.0)
    if gamma != 1.0:
        t = t**gamma
    return (t * 255.0 + 0.5).astype(np.uint8)


def nodata_hatch(shape: tuple[int, int], period: int = 8) -> np.ndarray:
    """(H, W, 3) diagonal stripes: unmistakably 'no data', never a shade of sea."""
    yy, xx = np.indices(shape)
    return NODATA_COLOURS[((xx + yy) // (period // 2)) % 2]


def to_rgb(
    image: np.ndarray,
    *,
    mode: str = "percentile",
    low: float | None = None,
    high: float | None = None,
    gamma: float = 1.0,
    nodata: float | None = 0,
) -> np.ndarray:
    """(H, W, 3) uint8 for display: 3-channel images in colour, others as their first band."""
    img = image if image.ndim == 3 else image[:, :, None]
    if img.shape[2] == 3:
        rgb = np.stack(
            [stretch(img, mode=mode, low=low, high=high, gamma=gamma, channel=c, nodata=nodata) for c in range(3)],
            axis=2,
        )
    else:
        g = stretch(img, mode=mode, low=low, high=high, gamma=gamma, nodata=nodata)
        rgb = np.repeat(g[:, :, None], 3, axis=2)
    invalid = ~valid_mask(img, nodata)
    if invalid.any():
        rgb[invalid] = nodata_hatch(invalid.shape)[invalid]
    return rgb


def outline(mask: np.ndarray, thickness: int = 1) -> np.ndarray:
    """(H, W) bool: pixels on the border of each class region (inner border)."""
    k = np.ones((2 * thickness + 1, 2 * thickness + 1), np.uint8)
    eroded = cv2.erode(mask, k, borderType=cv2.BORDER_REPLICATE)
    dilated = cv2.dilate(mask, k, borderType=cv2.BORDER_REPLICATE)
    return (mask > 0) & ((eroded != mask) | (dilated != mask))


def overlay(
    rgb: np.ndarray,
    mask: np.ndarray,
    classes: ClassTable,
    *,
    opacity: float = 0.5,
    style: str = "fill",
) -> np.ndarray:
    """Colour non-background classes over an RGB picture, filled or as outlines."""
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity must be in 0..1, got {opacity}")
    if style not in ("fill", "outline"):
        raise ValueError(f"overlay style {style!r}: use 'fill' or 'outline'")
    palette = classes.palette()
    m = np.minimum(mask, len(palette) - 1)
    where = outline(m) if style == "outline" else m > 0
    out = rgb.copy()
    if style == "outline":
        out[where] = palette[m[where]]  # outlines are drawn solid: a thin line at 50% is lost
    else:
        blend = (1 - opacity) * rgb[where].astype(np.float32) + opacity * palette[m[where]].astype(np.float32)
        out[where] = (blend + 0.5).astype(np.uint8)
    return out


# Difference of a prediction against a reference label.
AGREE, MISSED, FALSE_ALARM, OTHER_CLASS = 0, 1, 2, 3
DIFF_NAMES = {AGREE: "agree", MISSED: "missed", FALSE_ALARM: "false alarm", OTHER_CLASS: "other class"}
# Colours no class of the default table has (magenta, cyan, white), drawn hatched with a solid
# edge: a class is a flat translucent fill, so a difference can never be read as one.
DIFF_COLOURS = np.array([[0, 0, 0], [255, 0, 255], [0, 255, 255], [255, 255, 255]], dtype=np.uint8)
DIFF_LEGEND = "hatched: magenta missed, cyan false alarm, white other class"
HATCH = 4  # pixels from one stripe to the next


def difference(prediction: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """(H, W) uint8 codes: agree / missed (seep in reference only) / false alarm / other class."""
    if prediction.shape != reference.shape:
        raise ValueError(f"masks differ in shape: {prediction.shape} vs {reference.shape}")
    p, r = prediction > 0, reference > 0
    d = np.full(prediction.shape, AGREE, dtype=np.uint8)
    d[r & ~p] = MISSED
    d[p & ~r] = FALSE_ALARM
    d[p & r & (prediction != reference)] = OTHER_CLASS
    return d


def difference_overlay(rgb: np.ndarray, diff: np.ndarray) -> np.ndarray:
    """Where two masks differ, diagonal stripes and an edge in the difference's colour."""
    rows, cols = np.indices(diff.shape)
    stripes = (rows + cols) % HATCH < HATCH // 2
    where = (diff != AGREE) & (stripes | outline(diff))
    out = rgb.copy()
    out[where] = DIFF_COLOURS[diff[where]]
    return out


def difference_counts(diff: np.ndarray) -> dict[str, int]:
    counts = np.bincount(diff.ravel(), minlength=len(DIFF_NAMES))
    return {DIFF_NAMES[i]: int(counts[i]) for i in DIFF_NAMES}
