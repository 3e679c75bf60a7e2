"""Decoded image pixels kept in memory per process: an image's file never changes (its id is
the checksum of its pixels), and a Review page reads its tile three or four times a run (the
editor's readout, the contrast window, the no-data lock, the prediction). Read-only arrays,
so no reader can change what the next one gets; a byte budget, not a count, since a tile may
be 256 pixels or 4,096."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from seep.data.raster import read_image

BUDGET_BYTES = 128 << 20

_kept: OrderedDict[tuple, np.ndarray] = OrderedDict()
_lock = threading.Lock()


def read_kept(path: Path) -> np.ndarray:
    try:
        st = path.stat()
    except OSError:
        return read_image(path)  # says clearly what is wrong with the file
    key = (str(path), st.st_mtime_ns, st.st_size, st.st_ino)  # a file replaced (a restore) is read again
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    pixels = read_image(path)
    pixels.setflags(write=False)
    with _lock:
        _kept[key] = pixels
        while sum(a.nbytes for a in _kept.values()) > BUDGET_BYTES and len(_kept) > 1:
            _kept.popitem(last=False)
    return pixels
