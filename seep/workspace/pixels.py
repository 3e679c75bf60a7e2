"""Decoded image pixels kept in memory per process: an image's file never changes (its id is
the checksum of its pixels), and a Review page reads its tile three or four times a run (the
editor's readout, the contrast window, the no-data lock, the prediction). Read-only arrays,
so no reader can change what the next one gets; a byte budget, not a count, since a tile may
be 256 pixels or 4,096."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seep.data.raster import read_image
from seep.kept import Kept

BUDGET_BYTES = 128 << 20

_kept: Kept[np.ndarray] = Kept(BUDGET_BYTES, weigh=lambda a: a.nbytes)


def read_kept(path: Path) -> np.ndarray:
    try:
        st = path.stat()
    except OSError:
        return read_image(path)  # says clearly what is wrong with the file
    key = (str(path), st.st_mtime_ns, st.st_size, st.st_ino)  # a file replaced (a restore) is read again
    return _kept.get(key, lambda: _frozen(read_image(path)))


def _frozen(pixels: np.ndarray) -> np.ndarray:
    pixels.setflags(write=False)
    return pixels
