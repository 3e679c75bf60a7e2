"""What a label version and a cached prediction cost on disk, raw and as the workspace keeps them
(deflated, seep.data.raster.encode_mask), and what deflating costs to write and read back.

    python benchmarks/bench_storage.py [--tiles 200]

Reads the real CGG masks from ../shared/data/cgg-seep where present (never copied), else the
demo's synthetic ones; the predictions are the shipped model's of the same tiles. Prints the
mean bytes per file and milliseconds per encode and decode, and the ratios, measured in one run.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import tifffile

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seep.data.layout import load_folder  # noqa: E402
from seep.data.raster import encode_mask, encode_tiff  # noqa: E402
from seep.data.synthetic import DemoSpec, generate  # noqa: E402
from seep.learn.infer import Predictor  # noqa: E402
from seep.learn.shipped import SHIPPED_MODEL  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "cgg-seep"


def tiles(n: int) -> tuple[str, list[np.ndarray], list[np.ndarray]]:
    """(where from, images, masks) of n tiles."""
    if DATA.is_dir():
        found = load_folder(DATA)[:n]
        return "real CGG tiles", [t.image for t in found], [t.mask for t in found]
    made = list(generate(DemoSpec(scenes=max(1, n // 8), tiles_per_scene=8, geo_scene=False)))[:n]
    return "synthetic demo tiles", [t.image[:, :, None] for t in made], [t.mask for t in made]


def timed(fn, items) -> tuple[list, float]:
    start = time.perf_counter()
    out = [fn(x) for x in items]
    return out, (time.perf_counter() - start) / len(items) * 1e3


def decode(data: bytes) -> np.ndarray:
    return tifffile.imread(io.BytesIO(data))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tiles", type=int, default=200)
    args = ap.parse_args()
    source, images, masks = tiles(args.tiles)
    predictions = []
    for p in Predictor(SHIPPED_MODEL).predict(images):  # as Predict all caches them (workspace/predictions.py)
        conf = np.clip(np.round(p.confidence * 255), 0, 255).astype(np.uint8)
        predictions.append(np.stack([p.classes, conf], axis=2))
    print(f"{len(masks)} {source}; mean per file, one run")
    print(f"{'file':<12} {'raw KB':>8} {'kept KB':>8} {'x smaller':>9} {'write ms raw/kept':>18} {'read ms raw/kept':>17}")
    for name, arrays in (("label", masks), ("prediction", predictions)):
        raw, write_raw = timed(encode_tiff, arrays)
        kept, write_kept = timed(encode_mask, arrays)
        back_raw, read_raw = timed(decode, raw)
        back_kept, read_kept = timed(decode, kept)
        assert all(np.array_equal(a, b) for a, b in zip(arrays, back_kept, strict=True))  # lossless
        size_raw, size_kept = statistics.mean(map(len, raw)) / 1e3, statistics.mean(map(len, kept)) / 1e3
        print(
            f"{name:<12} {size_raw:>8.1f} {size_kept:>8.1f} {size_raw / size_kept:>9.1f} "
            f"{write_raw:>8.2f} / {write_kept:<7.2f} {read_raw:>7.2f} / {read_kept:<7.2f}"
        )


if __name__ == "__main__":
    main()
