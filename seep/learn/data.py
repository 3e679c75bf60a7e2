"""Training data: tiles split by scene, normalised, cropped and augmented.

Tiles of one scene are correlated (same wind, same slicks cut across tile borders), so
the validation set is whole scenes the model never saw; a split by tile inflates every
score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from seep.data.layout import Tile
from seep.data.sar import decibels
from seep.errors import BadInputError
from seep.learn.augment import DEFAULT_AUGMENT, OPS, augment, crop, photometric

IGNORE = 255  # a mask value no loss or metric looks at: pixels of a model's own labels it was unsure of
# Sea an analyst rejected as a look-alike (a wake, low wind): learnt as class 0 with this weight.
# 2 is a guess, not tuned: it needs whole-scene runs with reasons recorded (benchmarks/bench_loop.py).
HARD_NEGATIVE = 254
HARD_NEGATIVE_WEIGHT = 2.0


def split_by_scene(
    tiles: list[Tile], val_scenes: Sequence[str] | None = None, val_fraction: float = 0.2, seed: int = 0
) -> tuple[list[Tile], list[Tile], list[str]]:
    """(train, validation, validation scenes). Without `val_scenes`, whole scenes are drawn
    (seeded) until they hold about `val_fraction` of the tiles."""
    if not 0 <= val_fraction < 1:  # 2 or -1 were taken as "all but one scene" and "none"
        raise BadInputError(f"validation share {val_fraction}: it is 0 (no validation) or more, under 1 (0.2 by default)")
    scenes = sorted({t.scene for t in tiles})
    if val_scenes is None:
        if len(scenes) < 2:
            raise BadInputError(f"only one scene ({scenes[0]}); a split by scene needs at least two")
        order = np.random.default_rng(seed).permutation(scenes).tolist()
        chosen, n = [], 0
        for s in order:
            if n >= val_fraction * len(tiles) or len(chosen) == len(scenes) - 1:
                break
            chosen.append(s)
            n += sum(t.scene == s for t in tiles)
        val_scenes = sorted(chosen)
    unknown = sorted(set(val_scenes) - set(scenes))
    if unknown:
        raise BadInputError(f"validation scenes {unknown} are not in the data (scenes: {', '.join(scenes)})")
    val = [t for t in tiles if t.scene in val_scenes]
    train = [t for t in tiles if t.scene not in val_scenes]
    if not train:
        raise BadInputError("every scene is in the validation set; leave at least one for training")
    return train, val, list(val_scenes)


CENTERS = ("global", "image")
DB_FLOOR = -30.0  # dB: power 1e-3, below any sea the CGG tiles hold (their digital numbers start at 1, 0 dB)


@dataclass(frozen=True)
class Normalizer:
    """Per-channel standardisation; no-data maps to 0 (the mean), so it is not mistaken for
    a dark slick.

    SAR-aware options: `log` reads intensity in decibels, where a calibration gain between
    scenes is an offset, and `center="image"` subtracts each raster's own median of valid
    pixels, which removes that offset (a tile for a tile, a scene for a whole scene). The
    mean/std are then fitted on the centred values of the training tiles."""

    mean: tuple[float, ...]
    std: tuple[float, ...]
    nodata: float | None = 0
    log: bool = False
    center: str = "global"

    def __post_init__(self):
        if self.center not in CENTERS:
            raise BadInputError(f"unknown normalisation centre {self.center!r}; use one of {', '.join(CENTERS)}")

    @classmethod
    def fit(cls, tiles: list[Tile], nodata: float | None = 0, *, log: bool = False, center: str = "global") -> Normalizer:
        raw = cls((0.0,), (1.0,), nodata, log, center)  # the transform alone, before standardising
        samples = []
        for t in tiles:
            x = raw._transform(t.image)
            px = x.reshape(-1, x.shape[2])[valid_pixels(t.image, nodata).ravel()]
            samples.append(px[:: max(1, len(px) // 4096)].astype(np.float64))
        s = np.concatenate(samples)
        return cls(tuple(s.mean(0).tolist()), tuple(np.maximum(s.std(0), 1e-6).tolist()), nodata, log, center)

    def _transform(self, image: np.ndarray) -> np.ndarray:
        """(H, W, C) -> (H, W, C) float32: decibels and/or the image's median removed."""
        x = image.astype(np.float32)
        v = valid_pixels(image, self.nodata)
        if self.log:
            x = decibels(x, v, DB_FLOOR)
        if self.center == "image" and v.any():  # band by band: a third faster than along an axis, on every tile predicted
            x = x - np.array([np.median(x[..., c][v]) for c in range(x.shape[2])], np.float32)
        return x

    def __call__(self, image: np.ndarray) -> np.ndarray:
        """(H, W, C) any dtype -> (C, H, W) float32."""
        x = (self._transform(image) - np.float32(self.mean)) / np.float32(self.std)
        if self.nodata is not None:
            x[np.all(image == self.nodata, axis=2)] = 0.0
        return np.ascontiguousarray(x.transpose(2, 0, 1))

    def to_dict(self) -> dict:
        return {"mean": list(self.mean), "std": list(self.std), "nodata": self.nodata, "log": self.log, "center": self.center}

    @classmethod
    def from_dict(cls, d: dict) -> Normalizer:
        return cls(tuple(d["mean"]), tuple(d["std"]), d.get("nodata", 0), bool(d.get("log", False)), d.get("center", "global"))


def valid_pixels(image: np.ndarray, nodata: float | None) -> np.ndarray:
    return np.ones(image.shape[:2], bool) if nodata is None else np.any(image != nodata, axis=2)


class CropDataset(torch.utils.data.Dataset):
    """Random seep-aware crops, augmented; `crops_per_tile` samples per tile per epoch.
    The crops of an epoch depend only on (seed, epoch, index): runs are reproducible."""

    def __init__(
        self,
        tiles,
        norm: Normalizer,
        *,
        size: int,
        seep_bias: float,
        ops=DEFAULT_AUGMENT,
        crops_per_tile: int = 1,
        binary: bool = False,
        seed: int = 0,
    ):
        self.tiles, self.norm, self.size, self.seep_bias, self.ops = tiles, norm, size, seep_bias, ops
        self.crops_per_tile, self.binary, self.seed, self.epoch = crops_per_tile, binary, seed, 0

    def __len__(self) -> int:
        return len(self.tiles) * self.crops_per_tile

    def __getitem__(self, i: int):
        rng = np.random.default_rng([self.seed, self.epoch, i])
        t = self.tiles[i % len(self.tiles)]
        img, mask = crop(t.image, t.mask, self.size, rng, self.seep_bias)
        img, mask = augment(img, mask, rng, self.ops)
        x, y, v = _sample(img, mask, self.norm, self.binary)
        if any(op not in OPS for op in self.ops):
            x = torch.from_numpy(photometric(x.numpy(), valid_pixels(img, self.norm.nodata), rng, self.ops))
        weight = torch.from_numpy(np.where(mask == HARD_NEGATIVE, HARD_NEGATIVE_WEIGHT, 1.0).astype(np.float32))
        return x, y, v * weight  # per-pixel loss weights: 0 ignored, 1, or more on hard negatives


class TileDataset(torch.utils.data.Dataset):
    """Whole tiles, unchanged: validation and evaluation."""

    def __init__(self, tiles, norm: Normalizer, binary: bool = False):
        self.tiles, self.norm, self.binary = tiles, norm, binary

    def __len__(self) -> int:
        return len(self.tiles)

    def __getitem__(self, i: int):
        t = self.tiles[i]
        return _sample(t.image, t.mask, self.norm, self.binary)


def _sample(img, mask, norm: Normalizer, binary: bool):
    ignored = mask == IGNORE
    target = np.where(ignored | (mask == HARD_NEGATIVE), 0, (mask > 0) if binary else mask).astype(np.int64)
    return (
        torch.from_numpy(norm(img)),
        torch.from_numpy(target),
        torch.from_numpy(valid_pixels(img, norm.nodata) & ~ignored),
    )
