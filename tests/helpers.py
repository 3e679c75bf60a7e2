"""Small test data makers shared by the test modules."""

import numpy as np


def sar_tile(seed: int = 0, size: int = 64) -> np.ndarray:
    """A small uint16 speckled tile, different for each seed."""
    rng = np.random.default_rng(seed)
    return (rng.gamma(4, 0.25, (size, size)) * 20000 + 1).clip(1, 65535).astype(np.uint16)
