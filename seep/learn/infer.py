"""Prediction: a fixed, timed pipeline, load -> normalise/tile -> predict -> stitch.

Rasters up to the window size go through whole, batched; larger ones are cut into
overlapping windows whose probabilities are blended with a smooth weight, so no seam
shows where windows meet. Flip test-time augmentation averages the four flips of the
training augmentation group (identity, horizontal, vertical, both).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from seep.data.classes import default_table
from seep.errors import BadInputError
from seep.learn.checkpoint import load_checkpoint
from seep.learn.data import Normalizer, valid_pixels
from seep.learn.decode import Decode
from seep.learn.model import UNetConfig, model_for_inference
from seep.learn.train import autocast_dtype, pick_device


@dataclass
class Prediction:
    classes: np.ndarray  # (H, W) uint8 class ids
    confidence: np.ndarray  # (H, W) float32, probability of the chosen class
    probs: np.ndarray | None = None  # (C, H, W) float32, when asked for


@dataclass
class Timings:
    """Seconds per stage, summed over calls: where the time goes is part of the result."""

    load: float = 0.0
    prepare: float = 0.0
    predict: float = 0.0
    stitch: float = 0.0
    tiles: int = 0

    def as_dict(self) -> dict:
        return {
            "load_s": self.load,
            "prepare_s": self.prepare,
            "predict_s": self.predict,
            "stitch_s": self.stitch,
            "tiles": self.tiles,
        }


def _blend_weights(size: int) -> np.ndarray:
    """(size, size) weights, 1 in the middle and falling towards the borders (never 0)."""
    ramp = np.minimum(np.arange(size) + 1, size - np.arange(size)) / (size / 4)
    w = np.clip(ramp, 0.05, 1.0)
    return np.outer(w, w).astype(np.float32)


# Pixels of the neighbouring tiles seen around a tile cut from a scene: a slick crossing a
# tile border is predicted with both sides in view, so its halves agree at the border.
CONTEXT_PX = 32


def without_context(p: Prediction) -> Prediction:
    """The Prediction of a tile widened by CONTEXT_PX on every side, cut back to the tile."""
    inner = (slice(CONTEXT_PX, -CONTEXT_PX),) * 2
    probs = None if p.probs is None else p.probs[(slice(None), *inner)].copy()
    return Prediction(p.classes[inner].copy(), p.confidence[inner].copy(), probs)


def _starts(length: int, window: int, stride: int) -> list[int]:
    if length <= window:
        return [0]
    s = list(range(0, length - window, stride))
    return s + [length - window]


def uncertainty(confidence: np.ndarray, valid: np.ndarray | None = None) -> float:
    """0 (sure) .. 1 (unsure): the expected share of wrongly classified pixels, the mean of
    1 - confidence over the valid pixels. A tile with a large doubtful slick ranks before
    one with a doubtful speck: correcting it fixes more pixels (bench_loop measured the old
    rule, mean doubt around the predicted seeps alone, picking tiles with a third of the seep
    pixels). Such tiles are unlike the rest of their scene and teach a model little about it:
    the workspace's teaching sample is the order for that. A confidently empty sea ranks last."""
    doubt = 1.0 - np.asarray(confidence, np.float32)
    v = np.ones(doubt.shape, bool) if valid is None else valid
    return float(doubt[v].mean()) if v.any() else 0.0


class Predictor:
    """A loaded model, ready to predict. Loading refuses anything but plain weights."""

    def __init__(self, path: Path, *, device: str = "auto", amp: bool = True, window: int = 256, overlap: int = 64):
        t = time.perf_counter()
        self.path = Path(path)
        state = load_checkpoint(self.path)
        self.config = UNetConfig.from_dict(state["model_config"])
        self.class_names: list[str] = list(state["class_names"])
        self.normalizer = Normalizer.from_dict(state["normalizer"])
        self.decode = Decode.from_dict(state.get("decode"))
        self.metrics: dict = dict(state.get("metrics") or {})
        self.val_scenes: list[str] = list(state.get("val_scenes") or [])
        self.device = pick_device(device)
        self.dtype = autocast_dtype(self.device, amp)
        self.model = model_for_inference(state, self.device)
        self.window, self.overlap = window, overlap
        self.timings = Timings(load=time.perf_counter() - t)

    @property
    def binary(self) -> bool:
        return self.config.classes == 2

    @property
    def colours(self) -> dict | None:
        """The colour table of the masks it writes as GeoTIFFs: the app's colours by class id."""
        table = default_table(self.config.classes)
        return table.colormap() if table else None

    def check_bands(self, bands: int, what: str) -> None:
        """Refuse an image of another band count than the network reads, naming the image: the
        network's own check sees only a batch's shape."""
        if bands != self.config.in_channels:
            raise BadInputError(f"{what} has {bands} bands but the model reads {self.config.in_channels}")

    @torch.inference_mode()
    def _probs(self, x: np.ndarray, tta: bool) -> np.ndarray:
        """(B, C, H, W) normalised input -> (B, classes, H, W) float32 probabilities."""
        t = time.perf_counter()
        xt = torch.from_numpy(x).to(self.device).contiguous(memory_format=torch.channels_last)
        flips = [(), (3,), (2,), (2, 3)] if tta else [()]
        acc = None
        for dims in flips:
            xi = torch.flip(xt, dims) if dims else xt
            with torch.autocast(self.device.type, dtype=self.dtype or torch.float32, enabled=self.dtype is not None):
                logits = self.model(xi)
            p = torch.softmax(logits.float(), dim=1)
            p = torch.flip(p, dims) if dims else p
            acc = p if acc is None else acc + p
        out = (acc / len(flips)).cpu().numpy()
        self.timings.predict += time.perf_counter() - t
        return out

    def predict(
        self,
        images: Sequence[np.ndarray],
        *,
        tta: bool = False,
        batch_size: int = 8,
        keep_probs: bool = False,
        whole: bool = False,
    ) -> list[Prediction]:
        """Images (H, W, C) as stored -> one Prediction each, in order. `whole`: each image in
        one pass however large (a tile with a small margin), never cut into windows."""
        return list(self.iter_predict(images, tta=tta, batch_size=batch_size, keep_probs=keep_probs, whole=whole))

    def iter_predict(self, images, *, tta=False, batch_size=8, keep_probs=False, whole=False) -> Iterator[Prediction]:
        """Streams: only one batch of inputs and outputs is held at a time."""
        pending: list[np.ndarray] = []
        for img in images:
            if not whole and max(img.shape[:2]) > self.window:
                yield from self._flush(pending, tta, keep_probs)
                pending = []
                yield self._sliding(img, tta, keep_probs)
                continue
            if pending and (len(pending) == batch_size or pending[0].shape != img.shape):
                yield from self._flush(pending, tta, keep_probs)
                pending = []
            pending.append(img)
        yield from self._flush(pending, tta, keep_probs)

    def _flush(self, batch, tta, keep_probs) -> Iterator[Prediction]:
        if not batch:
            return
        t = time.perf_counter()
        x = np.stack([self.normalizer(img) for img in batch])
        self.timings.prepare += time.perf_counter() - t
        probs = self._probs(x, tta)
        t = time.perf_counter()
        out = [self._finish(p, img, keep_probs) for p, img in zip(probs, batch, strict=True)]
        self.timings.stitch += time.perf_counter() - t
        self.timings.tiles += len(batch)
        yield from out

    def _sliding(self, img: np.ndarray, tta: bool, keep_probs: bool) -> Prediction:
        h, w = img.shape[:2]
        win, stride = self.window, self.window - self.overlap
        t = time.perf_counter()
        x = self.normalizer(img)
        self.timings.prepare += time.perf_counter() - t
        acc = np.zeros((self.config.classes, h, w), np.float32)
        weight = np.zeros((h, w), np.float32)
        wmap = _blend_weights(win)
        for y0 in _starts(h, win, stride):
            for x0 in _starts(w, win, stride):
                patch = x[:, y0 : y0 + win, x0 : x0 + win]
                p = self._probs(patch[None], tta)[0]
                t = time.perf_counter()
                ph, pw = patch.shape[1:]
                acc[:, y0 : y0 + ph, x0 : x0 + pw] += p * wmap[:ph, :pw]
                weight[y0 : y0 + ph, x0 : x0 + pw] += wmap[:ph, :pw]
                self.timings.stitch += time.perf_counter() - t
        self.timings.tiles += 1
        return self._finish(acc / weight, img, keep_probs)

    def _finish(self, probs: np.ndarray, img: np.ndarray, keep_probs: bool) -> Prediction:
        classes, conf = self.decode(probs, valid_pixels(img, self.normalizer.nodata))
        return Prediction(classes, conf, probs.astype(np.float32) if keep_probs else None)
