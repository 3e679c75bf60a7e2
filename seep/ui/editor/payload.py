"""The mask <-> payload encoding between Python and the editor: pure, and unit-tested.

Masks travel as zlib ('deflate' in the browser's CompressionStream) + base64: a
256x256 mask of a few classes is a few kilobytes, decoded exactly.
"""

from __future__ import annotations

import base64
import binascii
import zlib

import cv2
import numpy as np

from seep.errors import BadInputError


def encode_mask(mask: np.ndarray) -> str:
    return base64.b64encode(zlib.compress(np.ascontiguousarray(mask, np.uint8).tobytes(), 6)).decode("ascii")


def decode_mask(payload: str, shape: tuple[int, int], n_classes: int) -> np.ndarray:
    """Refuses a payload of the wrong size or with unknown classes: nothing odd reaches the store."""
    try:
        raw = zlib.decompress(base64.b64decode(payload, validate=True))
    except (binascii.Error, zlib.error, ValueError, TypeError) as e:
        raise BadInputError(f"the editor sent a mask that cannot be decoded ({e}); reload the page") from e
    if len(raw) != shape[0] * shape[1]:
        raise BadInputError(f"the editor sent {len(raw)} pixels for a {shape[0]}x{shape[1]} tile; reload the page")
    mask = np.frombuffer(raw, np.uint8).reshape(shape).copy()
    if mask.max(initial=0) >= n_classes:
        raise BadInputError(f"the editor sent class {int(mask.max())}, outside the class table; reload the page")
    return mask


def encode_png(rgb: np.ndarray) -> str:
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(rgb[:, :, ::-1]), [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise BadInputError("could not encode the tile for display")
    return base64.b64encode(buf.tobytes()).decode("ascii")
