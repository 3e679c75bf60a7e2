"""Copy-paste of whole slicks into training crops, the rare classes as often as the common one.

Classes 2, 3, 4 and 7 hold a few thousand pixels a scene against tens of thousands for class 1,
so a crop centred on a seep pixel is nearly always class 1 or 5. A pasted slick is a connected
slick of one class cut from another training tile (class drawn uniformly, then a slick of it),
its backscatter scaled by the ratio of the two tiles' sea, so the dark patch sits in the new sea
as it sat in its own. Only the training tiles' own slicks are used: nothing leaks across folds.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_PIXELS = 20  # smaller components are speckle-sized fragments, not slicks worth teaching


@dataclass(frozen=True)
class Slick:
    image: np.ndarray  # (h, w, C) the slick's bounding box, raw values
    mask: np.ndarray  # (h, w) bool: the slick's own pixels in that box
    label: int
    sea: float  # the median of the source tile's valid non-seep pixels


def _sea(image: np.ndarray, mask: np.ndarray, nodata) -> float:
    sea = (mask == 0) & (np.ones(mask.shape, bool) if nodata is None else np.any(image != nodata, axis=2))
    return float(np.median(image[sea])) if sea.any() else 0.0


def _slicks_of(image: np.ndarray, mask: np.ndarray, nodata, labels) -> list[Slick]:
    sea = _sea(image, mask, nodata)
    out = []
    for c in labels:
        n, comp, stats, _ = cv2.connectedComponentsWithStats((mask == c).astype(np.uint8), connectivity=8)
        for k in range(1, n):
            x, y, w, h, area = stats[k]
            if area >= MIN_PIXELS and sea > 0:
                box = (slice(y, y + h), slice(x, x + w))
                out.append(Slick(image[box].copy(), comp[box] == k, int(c), sea))
    return out


class SlickBank:
    """Every slick of the given tiles, by class; `paste` puts one into a crop."""

    def __init__(self, tiles, nodata, labels=range(1, 8)):
        self.nodata, self.by_class = nodata, {}
        for t in tiles:
            img = t.image if t.image.ndim == 3 else t.image[..., None]
            for s in _slicks_of(img, t.mask, nodata, labels):
                self.by_class.setdefault(s.label, []).append(s)
        self.labels = sorted(self.by_class)

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_class.values())

    def paste(self, img: np.ndarray, mask: np.ndarray, rng: np.random.Generator):
        """A copy of (img, mask) with one slick pasted at a random place on valid sea; the crop
        unchanged where the bank is empty or the crop has no sea to scale against."""
        dst_sea = _sea(img, mask, self.nodata)
        if not self.labels or dst_sea <= 0:
            return img, mask
        pool = self.by_class[self.labels[rng.integers(len(self.labels))]]
        s = pool[rng.integers(len(pool))]
        patch, keep = _window(s, (3 * mask.shape[0]) // 4, (3 * mask.shape[1]) // 4, rng)
        h, w = keep.shape
        y0, x0 = rng.integers(0, mask.shape[0] - h + 1), rng.integers(0, mask.shape[1] - w + 1)
        box = (slice(y0, y0 + h), slice(x0, x0 + w))
        on = keep & (mask[box] != 255)  # never over pixels no loss looks at
        if self.nodata is not None:
            on &= np.any(img[box] != self.nodata, axis=2)
        img, mask = img.copy(), mask.copy()
        scaled = patch.astype(np.float64) * (dst_sea / s.sea)
        if np.issubdtype(img.dtype, np.integer):  # stay inside the dtype and off the no-data value
            lo = 1 if self.nodata == 0 else np.iinfo(img.dtype).min
            scaled = np.clip(np.rint(scaled), lo, np.iinfo(img.dtype).max)
        img[box][on] = scaled[on].astype(img.dtype)
        mask[box][on] = s.label
        return img, mask


def _window(s: Slick, max_h: int, max_w: int, rng: np.random.Generator):
    """The slick's box, or a random window of it no larger than (max_h, max_w)."""
    h, w = s.mask.shape
    y = rng.integers(0, h - max_h + 1) if h > max_h else 0
    x = rng.integers(0, w - max_w + 1) if w > max_w else 0
    box = (slice(y, y + min(h, max_h)), slice(x, x + min(w, max_w)))
    return s.image[box], s.mask[box]
