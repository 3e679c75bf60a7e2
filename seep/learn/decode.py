"""From class probabilities to a mask: the last step of every predict path.

The model's argmax is not the only reading of its probabilities. Seep vs. not can be a
threshold on P(seep) = 1 - P(background), chosen in cross-validation, and the class can
be decided per slick rather than per pixel: a slick is one connected region of seep
(after closing the small gaps that break thin slicks into fragments), and it takes the
class with the most probability summed over its pixels. Instance AP then counts slicks,
not fragments, and a slick is never a patchwork of classes. With hysteresis (`low`), a
region where P(seep) >= low is seep when it holds a pixel over the threshold: a faint slick
is kept whole where part of it is sure, and faint clutter alone is not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np

from seep.errors import BadInputError

SLICKS = ("pixel", "vote", "close")  # per pixel | one class per slick | same, gaps closed first
CLOSE_PX = 7  # gaps narrower than this (pixels, 10 m each in the CGG tiles) join two fragments


@dataclass(frozen=True)
class Decode:
    threshold: float | None = None  # seep where P(seep) >= threshold; None: argmax over all classes
    slick: str = "pixel"
    low: float | None = None  # hysteresis: also the pixels >= low connected to one >= threshold

    def __post_init__(self):
        if self.slick not in SLICKS:
            raise BadInputError(f"unknown slick decoding {self.slick!r}; use one of {', '.join(SLICKS)}")
        t = self.threshold
        if t is not None and (isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 < t < 1):
            raise BadInputError(f"seep threshold {t!r} must be a number between 0 and 1, or none for argmax")
        low = self.low
        if low is not None and (t is None or isinstance(low, bool) or not isinstance(low, (int, float)) or not 0 < low < t):
            raise BadInputError(f"hysteresis low threshold {low!r} must be a number between 0 and the seep threshold {t!r}")

    @property
    def name(self) -> str:
        low = "" if self.low is None else f"h{self.low:g}"
        return f"{'argmax' if self.threshold is None else f'p{self.threshold:g}'}{low}/{self.slick}"

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None or k == "threshold"}  # as model files had it

    @classmethod
    def from_dict(cls, d: dict | None) -> Decode:
        if d is None:
            return cls()
        if not isinstance(d, dict) or set(d) - {"threshold", "slick", "low"}:
            raise BadInputError(f"decode settings {d!r} are not a threshold and a slick rule")
        return cls(**d)

    def __call__(self, probs: np.ndarray, valid: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """probs (C, H, W) -> (classes (H, W) uint8, confidence (H, W) float32: the
        probability of the class given to each pixel)."""
        vote = self.slick != "pixel" and probs.shape[0] > 2
        if self.threshold is None:
            classes = probs.argmax(0).astype(np.uint8)
        else:
            seep_p = 1.0 - probs[0]
            seep = seep_p >= self.threshold
            if self.low is not None:
                seep = grown(seep, (seep_p >= self.low) & (True if valid is None else valid))
            # A vote gives each slick its class: a per-pixel argmax (a third of a tile's decoding time) would be thrown away.
            classes = seep.astype(np.uint8) if vote else np.where(seep, 1 + probs[1:].argmax(0), 0).astype(np.uint8)
        if valid is not None:
            classes[~valid] = 0  # nothing is ever found outside the swath
        if vote:
            classes = one_class_per_slick(classes, probs, valid, close=self.slick == "close")
        confidence = np.take_along_axis(probs, classes[None].astype(np.int64), 0)[0]
        return classes, confidence.astype(np.float32)

    def seep_until(self, probs: np.ndarray) -> np.ndarray:
        """probs (C, H, W) -> (H, W): how much the background logit could grow before each
        pixel stops being seep (negative where it is not seep now). Softmax ratios are logit
        differences, so under argmax that is log(max seep p / p0); under a threshold t on
        P(seep) = s, it is log(s / p0) + log((1 - t) / t). With hysteresis this is the low
        threshold's, and whether a pixel is seep also depends on its region: see `seep_at`."""
        p0 = np.maximum(probs[0], 1e-12)
        if self.threshold is None:
            return np.log(np.maximum(probs[1:].max(0), 1e-12) / p0)
        t = self.threshold if self.low is None else self.low
        return np.log(np.maximum(1.0 - probs[0], 1e-12) / p0) + np.log((1 - t) / t)

    def seep_at(self, until: np.ndarray, shift: float) -> np.ndarray:
        """The seep pixels of one tile once the background logit grows by `shift`, from its
        `seep_until` map (-inf outside the swath). Over the low threshold by `gap` in logit is
        over the high one, so hysteresis needs no probabilities here."""
        seep = until > shift
        if self.low is None:
            return seep
        gap = np.log(self.threshold / (1 - self.threshold)) - np.log(self.low / (1 - self.low))
        return grown(until > shift + gap, seep)


def background_shift(seep_until: np.ndarray, area: int) -> float:
    """The shift of the background logit that leaves exactly `area` of these pixels seep
    (`seep_until` values, Decode.seep_until): halfway between the area-th largest and the next."""
    v = np.sort(seep_until.ravel())[::-1]
    if area <= 0:
        return float(v[0]) + 1e-3 if v.size else 0.0
    if area >= v.size:
        return float(v[-1]) - 1e-3
    return float(v[area - 1] + v[area]) / 2


def area_shift(decode: Decode, untils: list[np.ndarray], area: int) -> float:
    """The background shift after which `decode` calls `area` seep pixels (or as near as it
    can) over these tiles' `seep_until` maps. Without hysteresis each pixel has its own
    cut-off, so sorting finds it; with it a region goes at once when its last sure pixel does,
    and regions split as the shift grows, so the area (never rising with the shift) is bisected."""
    finite = np.concatenate([u[np.isfinite(u)] for u in untils])
    if decode.low is None:
        return background_shift(finite, area)
    if not finite.size:
        return 0.0
    lo, hi = float(finite.min()) - 1.0, float(finite.max()) + 1.0  # everything seep .. nothing

    def seep_area(shift: float) -> int:
        return sum(int(decode.seep_at(u, shift).sum()) for u in untils)

    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if seep_area(mid) >= area else (lo, mid)
    return lo if abs(seep_area(lo) - area) <= abs(seep_area(hi) - area) else hi


def grown(seeds: np.ndarray, region: np.ndarray) -> np.ndarray:
    """The connected parts of `region` (8-connected) that hold a seed."""
    n, labels = cv2.connectedComponents(region.astype(np.uint8), connectivity=8)
    keep = np.zeros(n, bool)
    keep[labels[seeds & region]] = True
    keep[0] = False  # label 0 is outside the region
    return keep[labels]


def one_class_per_slick(classes: np.ndarray, probs: np.ndarray, valid: np.ndarray | None, close: bool) -> np.ndarray:
    """Each connected seep region gets the seep class with the most summed probability."""
    seep = (classes > 0).astype(np.uint8)
    if close:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (CLOSE_PX, CLOSE_PX))
        seep = cv2.morphologyEx(seep, cv2.MORPH_CLOSE, kernel)
        if valid is not None:
            seep[~valid] = 0
    n, labels = cv2.connectedComponents(seep, connectivity=8)
    if n == 1:
        return classes
    inside = labels > 0  # summed over the slicks' pixels only: a few percent of a tile
    slick_of = labels[inside]
    votes = np.stack([np.bincount(slick_of, weights=p[inside], minlength=n) for p in probs[1:]])  # (C-1, n)
    slick_class = (1 + votes.argmax(0)).astype(np.uint8)
    slick_class[0] = 0  # label 0 is the sea around the slicks
    return slick_class[labels]


# What cross-validation sweeps: argmax and thresholds on P(seep), each per pixel and per slick,
# and hysteresis from 0.5 down to 0.3 with one class per slick.
DECODES = (*(Decode(t, s) for t in (None, 0.3, 0.4, 0.5, 0.6) for s in SLICKS), Decode(0.5, "vote", 0.3))
