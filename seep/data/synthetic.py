"""Synthetic SAR demo tiles: the shipped demo cannot use the real data (no licence).

The physics is kept simple but in the right order: a backscatter field in dB (incidence
angle gradient, wind modulation, low-wind look-alikes, slicks that damp the capillary
waves, bright ships), then multiplicative gamma speckle with few looks on linear
intensity, lightly correlated, then amplitude (square root) scaled to counts as the
real tiles are: their within-tile statistics (CV 0.18, skew +0.45) match amplitude of
~8 effective looks, not decibels; quantised to ~354-count steps, background ~29,000. The figures it was tuned to, and how close it
gets, are in benchmarks/synthetic_vs_real.md (reproduce with
`python benchmarks/synthetic_vs_real.py`).

Everything is drawn from `numpy.random.default_rng([seed, scene, tile])`, so a tile
does not change when more scenes or tiles are asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from seep.errors import BadInputError

QUANT_STEP = 354.2
BACKGROUND_COUNTS = 29000.0
# A light 3-tap blur gives the speckle the lag-1 correlation of the real tiles (~0.2).
SPECKLE_TAPS = np.array([0.07, 1.0, 0.07], np.float32) / 1.14

# Object frequencies per class, from the connected components of the real masks
# (class 1 about half of all slicks, class 7 rare) and the shape that draws each.
CLASS_WEIGHTS = np.array([0.45, 0.05, 0.03, 0.03, 0.22, 0.17, 0.07])


@dataclass(frozen=True)
class DemoSpec:
    seed: int = 7
    scenes: int = 6
    tiles_per_scene: int = 8
    size: int = 256
    nodata_share: float = 0.15  # tiles cut by the swath edge (real data: 12%)
    geo_scene: bool = True  # build_demo also imports make_scene() as a georeferenced GeoTIFF
    installations: bool = False  # ... and loads a made-up register of installations around it (the app's demo)

    def __post_init__(self):
        # Tiles are named 9001SS.TTTTTT (the exercise's naming): scene and tile numbers must fit.
        for name, value, most in (("scenes", self.scenes, 99), ("tiles per scene", self.tiles_per_scene, 999_999)):
            if not 1 <= value <= most:
                raise BadInputError(f"a demo needs 1 to {most:,} {name}, not {value}")
        if not 0 <= self.seed < 2**32:  # numpy's generators take no negative seed
            raise BadInputError(f"a demo's seed is a whole number from 0 to 4294967295, not {self.seed}")


@dataclass(frozen=True)
class DemoTile:
    name: str  # "<scene>.<tile>", the exercise's naming
    scene: str
    image: np.ndarray  # (H, W) uint16, 0 = no data
    mask: np.ndarray  # (H, W) uint8 class ids


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cells: int) -> np.ndarray:
    """Zero-mean, unit-std noise varying over about shape/cells pixels."""
    g = rng.standard_normal((cells + 3, cells + 3)).astype(np.float32)
    big = cv2.resize(g, (shape[1] * (cells + 3) // cells, shape[0] * (cells + 3) // cells), interpolation=cv2.INTER_CUBIC)
    oy, ox = rng.integers(0, big.shape[0] - shape[0] + 1), rng.integers(0, big.shape[1] - shape[1] + 1)
    n = big[oy : oy + shape[0], ox : ox + shape[1]]
    return (n - n.mean()) / (n.std() + 1e-6)


def _walk(rng: np.random.Generator, start: np.ndarray, heading: float, steps: int, wiggle: float) -> np.ndarray:
    """A smooth random path: heading changes with momentum, like a slick drifting in the wind."""
    turn = np.cumsum(rng.normal(0, wiggle, steps)) * 0.5
    angles = heading + np.cumsum(turn) * 0.1 + turn
    step = np.stack([np.cos(angles), np.sin(angles)], axis=1) * 1.5
    return start + np.cumsum(step, axis=0)


def _draw_path(canvas: np.ndarray, pts: np.ndarray, width: int) -> None:
    cv2.polylines(canvas, [np.round(pts).astype(np.int32)], False, 1, thickness=max(1, width), lineType=cv2.LINE_8)


def _filament(rng, size, canvas):  # class 1: long thin curved streak
    start = rng.uniform(0.1 * size, 0.9 * size, 2)
    _draw_path(canvas, _walk(rng, start, rng.uniform(0, 2 * np.pi), int(rng.integers(40, 160)), 0.12), int(rng.integers(2, 6)))


def _branched(rng, size, canvas):  # class 2: a streak with side branches
    start = rng.uniform(0.15 * size, 0.85 * size, 2)
    main = _walk(rng, start, rng.uniform(0, 2 * np.pi), int(rng.integers(40, 100)), 0.1)
    _draw_path(canvas, main, int(rng.integers(2, 4)))
    for _ in range(int(rng.integers(2, 4))):
        i = int(rng.integers(len(main) // 4, len(main)))
        d = main[i] - main[i - 1]
        heading = np.arctan2(d[1], d[0]) + rng.choice([-1, 1]) * rng.uniform(0.5, 1.1)
        _draw_path(canvas, _walk(rng, main[i], heading, int(rng.integers(12, 40)), 0.15), 2)


def _patch(rng, size, canvas, radius=(6, 14), elongation=(1.0, 2.0)):  # class 3: irregular compact patch
    r = rng.uniform(*radius)
    a, b = r * rng.uniform(*elongation), r
    cy, cx = rng.uniform(0.1 * size, 0.9 * size, 2)
    th = rng.uniform(0, np.pi)
    h = int(2 * a + 6)
    y0, x0 = int(cy) - h // 2, int(cx) - h // 2
    yy, xx = np.mgrid[y0 : y0 + h, x0 : x0 + h].astype(np.float32)
    dy, dx = yy - cy, xx - cx
    u, v = dx * np.cos(th) + dy * np.sin(th), -dx * np.sin(th) + dy * np.cos(th)
    blob = (u / a) ** 2 + (v / b) ** 2 + 0.45 * _smooth_noise(rng, (h, h), 4) < 1.0
    ys, xs = np.nonzero(blob)
    ys, xs = ys + y0, xs + x0
    ok = (ys >= 0) & (ys < size) & (xs >= 0) & (xs < size)
    canvas[ys[ok], xs[ok]] = 1


def _diffuse(rng, size, canvas):  # class 4: larger elongated patch
    _patch(rng, size, canvas, radius=(6, 12), elongation=(1.5, 3.0))


def _spots(rng, size, canvas):  # class 5: cluster of small spots
    c = rng.uniform(0.15 * size, 0.85 * size, 2)
    for _ in range(int(rng.integers(3, 8))):
        p = np.round(c + rng.normal(0, 14, 2)).astype(int)
        cv2.circle(canvas, (int(p[0]), int(p[1])), int(rng.integers(3, 7)), 1, thickness=-1)


def _band(rng, size, canvas):  # class 6: short wide curved band
    start = rng.uniform(0.1 * size, 0.9 * size, 2)
    _draw_path(canvas, _walk(rng, start, rng.uniform(0, 2 * np.pi), int(rng.integers(12, 35)), 0.2), int(rng.integers(4, 8)))


def _speck(rng, size, canvas):  # class 7: tiny compact spot
    p = rng.uniform(0.05 * size, 0.95 * size, 2).astype(int)
    cv2.circle(canvas, (int(p[0]), int(p[1])), int(rng.integers(2, 6)), 1, thickness=-1)


SHAPES: tuple[Callable, ...] = (_filament, _branched, _patch, _diffuse, _spots, _band, _speck)


def _swath_edge(rng: np.random.Generator, size: int) -> np.ndarray:
    """(H, W) bool no-data region: one side of a straight swath edge."""
    th = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:size, 0:size]
    proj = (xx - size / 2) * np.cos(th) + (yy - size / 2) * np.sin(th)
    return proj > np.quantile(proj, 1 - rng.uniform(0.05, 0.9))


def make_tile(spec: DemoSpec, scene: int, tile: int) -> DemoTile:
    size = spec.size
    srng = np.random.default_rng([spec.seed, scene])  # scene-wide: wind, looks, incidence direction
    looks = int(srng.integers(4, 7))
    wind_db, wind_amp = srng.normal(0, 0.7), srng.uniform(0.2, 0.5)
    inc_dir, inc_slope = srng.choice([0.0, np.pi]) + srng.normal(0, 0.1), srng.uniform(0.5, 1.5)

    rng = np.random.default_rng([spec.seed, scene, tile])
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    # Tiles of one scene differ by ~1.6 dB in the real data (wind varies across a scene).
    db = wind_db + rng.normal(0, 1.6) + inc_slope * ((xx - 0.5) * np.cos(inc_dir) + (yy - 0.5) * np.sin(inc_dir))
    db += wind_amp * _smooth_noise(rng, (size, size), 3) + 0.15 * _smooth_noise(rng, (size, size), 12)

    # Wind rolls: faint streaks a few pixels apart, as on the real sea surface.
    roll_dir, roll_len = rng.uniform(0, np.pi), rng.uniform(6, 14)
    phase = 2 * np.pi * size * (xx * np.cos(roll_dir) + yy * np.sin(roll_dir)) / roll_len
    db += 0.35 * np.sin(phase + 1.5 * _smooth_noise(rng, (size, size), 6))

    # Look-alikes: low-wind areas are dark too, but smooth and unlabelled.
    if rng.random() < 0.35:
        calm = np.clip(_smooth_noise(rng, (size, size), 3) - 0.8, 0, None)
        db -= rng.uniform(1.5, 3.0) * np.minimum(calm / 1.2, 1.0)

    mask = np.zeros((size, size), np.uint8)
    damp = np.zeros((size, size), np.float32)
    for _ in range(int(rng.integers(1, 5))):
        cls = int(rng.choice(7, p=CLASS_WEIGHTS / CLASS_WEIGHTS.sum())) + 1
        canvas = np.zeros((size, size), np.uint8)
        SHAPES[cls - 1](rng, size, canvas)
        mask[canvas > 0] = cls
        soft = cv2.GaussianBlur(canvas.astype(np.float32), (0, 0), 1.0)
        damp = np.maximum(damp, rng.uniform(0.8, 2.8) * np.maximum(soft, canvas))
    db -= damp

    for _ in range(int(rng.poisson(0.8))):  # ships: a few bright pixels, not seeps
        y, x = rng.integers(2, size - 3, 2)
        db[y : y + rng.integers(1, 3), x : x + rng.integers(2, 4)] += rng.uniform(8, 12)

    # Speckle: gamma with few looks on linear intensity, slightly correlated like the real tiles.
    speckle = rng.gamma(looks, 1.0 / looks, (size, size)).astype(np.float32)
    speckle = cv2.sepFilter2D(speckle, -1, SPECKLE_TAPS, SPECKLE_TAPS, borderType=cv2.BORDER_REFLECT)
    amplitude = np.sqrt(10 ** (db / 10) * speckle)
    counts = BACKGROUND_COUNTS * amplitude
    counts = np.round(counts / QUANT_STEP) * QUANT_STEP
    image = np.clip(counts, QUANT_STEP, 65535).astype(np.uint16)

    if rng.random() < spec.nodata_share:
        edge = _swath_edge(rng, size)
        image[edge] = 0
        mask[edge] = 0

    scene_id = f"{900100 + scene}"
    return DemoTile(name=f"{scene_id}.{tile:06d}", scene=scene_id, image=image, mask=mask)


# The demo's georeferenced scene: 10 m pixels in UTM zone 31N, off the Gulf of Lion.
SCENE_CRS = "EPSG:32631"
SCENE_ORIGIN = (600_000.0, 4_760_000.0)  # x, y of the top-left corner
SCENE_PIXEL_M = 10.0


def make_scene(seed: int = 13, height: int = 400, width: int = 512) -> DemoTile:
    """A small whole scene (several tiles, slicks crossing their borders, the swath edge
    along its west side) drawn like a tile, then cut to its size; georeferenced with
    SCENE_CRS, SCENE_ORIGIN and SCENE_PIXEL_M. Seed 13 draws six slicks, one across the
    corner where four tiles meet."""
    spec = DemoSpec(seed=seed, size=max(height, width), nodata_share=0)
    t = make_tile(spec, 99, 0)
    image, mask = t.image[:height, :width].copy(), t.mask[:height, :width].copy()
    yy = np.arange(height)[:, None]
    west = np.arange(width)[None, :] < 24 + yy // 10  # an oblique swath edge
    image[west], mask[west] = 0, 0
    return DemoTile(name="demo_scene", scene="demo_scene", image=image, mask=mask)


def generate(spec: DemoSpec = DemoSpec()) -> Iterator[DemoTile]:
    for s in range(spec.scenes):
        for t in range(spec.tiles_per_scene):
            yield make_tile(spec, s, t)
