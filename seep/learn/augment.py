"""Augmentation applied identically to image and mask, and seep-aware crops.

The seeds' choice for SAR is horizontal flip and 180-degree rotation: both keep the
radar's look direction along one axis, so the incidence-angle gradient stays plausible.
Vertical flip and 90-degree turns are available for data without that geometry.
"""

from __future__ import annotations

import numpy as np

from seep.errors import BadInputError

DEFAULT_AUGMENT = ("hflip", "rot180")


def _hflip(img, mask):
    return img[:, ::-1], mask[:, ::-1]


def _vflip(img, mask):
    return img[::-1], mask[::-1]


def _rot180(img, mask):
    return img[::-1, ::-1], mask[::-1, ::-1]


def _rot90(img, mask):
    return np.rot90(img, 1, axes=(0, 1)), np.rot90(mask, 1, axes=(0, 1))


OPS = {"hflip": _hflip, "vflip": _vflip, "rot180": _rot180, "rot90": _rot90}


def _gain(x, rng):
    """Another scene's calibration: contrast x0.8..1.25 and an offset of up to ~1/4 std."""
    return x * np.float32(np.exp(rng.uniform(-0.22, 0.22))) + np.float32(rng.normal(0, 0.25))


def _speckle(x, rng):
    """Fresh speckle: independent noise per pixel, additive in the (log) normalised input."""
    return x + rng.normal(0, rng.uniform(0.05, 0.3), x.shape).astype(np.float32)


# Applied to the normalised input (C, H, W) after the geometric ops; no-data stays 0.
PHOTOMETRIC = {"gain": _gain, "speckle": _speckle}


def check_ops(ops) -> tuple[str, ...]:
    bad = [o for o in ops if o not in OPS and o not in PHOTOMETRIC]
    if bad:
        raise BadInputError(f"unknown augmentation {bad}; use some of {', '.join([*OPS, *PHOTOMETRIC])}")
    return tuple(ops)


def augment(img: np.ndarray, mask: np.ndarray, rng: np.random.Generator, ops=DEFAULT_AUGMENT):
    """Each geometric op with probability 1/2. img (H, W, C), mask (H, W); returns contiguous copies."""
    for op in ops:
        if op in OPS and rng.random() < 0.5:
            img, mask = OPS[op](img, mask)
    return np.ascontiguousarray(img), np.ascontiguousarray(mask)


def photometric(x: np.ndarray, valid: np.ndarray, rng: np.random.Generator, ops=DEFAULT_AUGMENT) -> np.ndarray:
    """Each photometric op with probability 1/2 on the normalised input x (C, H, W)."""
    for op in ops:
        if op in PHOTOMETRIC and rng.random() < 0.5:
            x = PHOTOMETRIC[op](x, rng)
    return np.where(valid, x, np.float32(0)).astype(np.float32, copy=False)


def crop(img: np.ndarray, mask: np.ndarray, size: int, rng: np.random.Generator, seep_bias: float = 0.7):
    """A size x size window; with probability `seep_bias` it is centred (with jitter) on a
    random seep pixel (255 ignored; 254, look-alikes, counted as one), so the rare classes are
    seen far more often than 1.8% of pixels."""
    h, w = mask.shape
    if size >= h and size >= w:
        return img, mask
    size_h, size_w = min(size, h), min(size, w)
    ys, xs = np.nonzero((mask > 0) & (mask < 255)) if rng.random() < seep_bias else ((), ())
    if len(ys):
        i = rng.integers(len(ys))
        cy = ys[i] + rng.integers(-size_h // 4, size_h // 4 + 1)
        cx = xs[i] + rng.integers(-size_w // 4, size_w // 4 + 1)
        y0 = int(np.clip(cy - size_h // 2, 0, h - size_h))
        x0 = int(np.clip(cx - size_w // 2, 0, w - size_w))
    else:
        y0, x0 = int(rng.integers(0, h - size_h + 1)), int(rng.integers(0, w - size_w + 1))
    return img[y0 : y0 + size_h, x0 : x0 + size_w], mask[y0 : y0 + size_h, x0 : x0 + size_w]
