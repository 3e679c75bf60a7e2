"""The mask <-> payload encoding between Python and the editor: pure, and unit-tested.

Masks travel as zlib ('deflate' in the browser's CompressionStream) + base64: a
256x256 mask of a few classes is a few kilobytes, decoded exactly.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import zlib

import cv2
import numpy as np

from seep.data.display import DB_FLOOR
from seep.data.sar import decibels
from seep.errors import BadInputError
from seep.kept import Kept


def encode_mask(mask: np.ndarray) -> str:
    return base64.b64encode(zlib.compress(np.ascontiguousarray(mask, np.uint8).tobytes(), 6)).decode("ascii")


def decode_mask(payload: str, shape: tuple[int, int], n_classes: int) -> np.ndarray:
    """Refuses a payload of the wrong size or with unknown classes: nothing odd reaches the store.
    Inflates at most one pixel more than the tile holds: on a team server the payload comes from
    any browser, and a few megabytes of zeros deflated would otherwise inflate to gigabytes."""
    size = shape[0] * shape[1]
    try:
        inflate = zlib.decompressobj()
        raw = inflate.decompress(base64.b64decode(payload, validate=True), size + 1)
    except (binascii.Error, zlib.error, ValueError, TypeError) as e:
        raise BadInputError(f"the editor sent a mask that cannot be decoded ({e}); reload the page") from e
    if len(raw) != size or inflate.unconsumed_tail:
        sent = f"{len(raw)}" if len(raw) <= size else "more"
        raise BadInputError(f"the editor sent {sent} pixels for a {shape[0]}x{shape[1]} tile; reload the page")
    mask = np.frombuffer(raw, np.uint8).reshape(shape).copy()
    if mask.max(initial=0) >= n_classes:
        raise BadInputError(f"the editor sent class {int(mask.max())}, outside the class table; reload the page")
    return mask


def _same_pixels_same_text(encode):
    """Encode each picture once while the analyst works on it, not on every rerun (the dirty
    flag after a stroke, a slider): a PNG of a tile and its frame took 15-20 ms of each Review
    run; hashing the pixels takes under one."""
    kept: Kept[str] = Kept(64)  # a few tiles per analyst: 64 pictures of ~100 KB

    @functools.wraps(encode)
    def kept_encode(a: np.ndarray):
        a = np.ascontiguousarray(a)
        return kept.get((a.shape, a.dtype.str, hashlib.blake2b(a, digest_size=16).digest()), lambda: encode(a))

    return kept_encode


@_same_pixels_same_text
def encode_png(rgb: np.ndarray) -> str:
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(rgb[:, :, ::-1]), [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise BadInputError("could not encode the tile for display")
    return base64.b64encode(buf.tobytes()).decode("ascii")


DB_LEVELS = 254  # 255 marks a pixel with no value (no data, or not positive)


@_same_pixels_same_text
def encode_db(image: np.ndarray) -> dict | None:
    """The first band in decibels (a raster in dB as it is), for the cursor readout: quantised
    to 254 levels over the tile's own range (a 40 dB span reads to 0.16 dB), one byte per pixel
    like a mask, so a tile costs the editor tens of kilobytes, not a float array. None when
    every pixel is 0 (no data)."""
    band = (image if image.ndim == 2 else image[:, :, 0]).astype(np.float32)
    valid = band != 0
    if not valid.any():
        return None
    db = decibels(band, valid, DB_FLOOR)[valid]
    lo, hi = float(db.min()), float(db.max())
    step = max((hi - lo) / (DB_LEVELS - 1), 1e-3)
    q = np.full(band.shape, DB_LEVELS + 1, np.uint8)
    q[valid] = np.round((db - lo) / step).astype(np.uint8)
    return {"data": encode_mask(q), "lo": lo, "step": step}
