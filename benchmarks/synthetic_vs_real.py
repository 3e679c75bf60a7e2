"""Compare the synthetic demo tiles with the real CGG tiles, figure by figure.

    python benchmarks/synthetic_vs_real.py [--real ../shared/data/cgg-seep] [--tiles 600]

Prints a Markdown table; benchmarks/synthetic_vs_real.md holds the last run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seep.data.raster import read_image, read_mask  # noqa: E402
from seep.data.synthetic import DemoSpec, generate  # noqa: E402


def tile_stats(pairs) -> dict[str, float | list]:
    vals, cvs, corrs, ratios, comps = [], [], [], [], []
    cls = np.zeros(8)
    nodata_tiles = n = 0
    for img, mask in pairs:
        n += 1
        a = img.astype(np.float64)
        valid = a > 0
        nodata_tiles += bool((~valid).any())
        cls += np.bincount(mask[valid].ravel(), minlength=8)[:8]
        bg, slick = valid & (mask == 0), valid & (mask > 0)
        vals.append(a[valid][::17])
        if bg.sum() > 1000:
            x = a[bg]
            cvs.append(x.std() / x.mean())
            aa = np.where(bg, a, np.nan)
            x1, x2 = aa[:, :-1].ravel(), aa[:, 1:].ravel()
            ok = ~np.isnan(x1) & ~np.isnan(x2)
            corrs.append(np.corrcoef(x1[ok], x2[ok])[0, 1])
        if slick.sum() > 50 and bg.sum() > 50:
            ratios.append(np.median(a[slick]) / np.median(a[bg]))
        comps.append(sum(cv2.connectedComponents((mask == c).astype(np.uint8), connectivity=8)[0] - 1 for c in range(1, 8)))
    v = np.concatenate(vals)
    return {
        "tiles": n,
        "valid pixel percentiles 2/50/98": np.percentile(v, [2, 50, 98]).round(0).tolist(),
        "background CV within a tile (median)": round(float(np.median(cvs)), 3),
        "lag-1 correlation of background (median)": round(float(np.median(corrs)), 3),
        "slick/background median ratio (p25/p50/p75)": np.percentile(ratios, [25, 50, 75]).round(3).tolist(),
        "seep share of valid pixels": round(float(cls[1:].sum() / cls.sum()), 4),
        "class share of seep pixels 1..7": (cls[1:] / cls[1:].sum()).round(3).tolist(),
        "seep components per tile (mean)": round(float(np.mean(comps)), 2),
        "tiles with no-data": round(nodata_tiles / n, 3),
    }


def real_pairs(root: Path):
    for f in sorted((root / "train_images_256").glob("*.tif")):
        img = read_image(f)[:, :, 0]
        yield img, read_mask(root / "train_masks_256" / f.name, img.shape)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--real", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/cgg-seep")
    ap.add_argument("--tiles", type=int, default=600)
    args = ap.parse_args()
    syn = tile_stats((t.image, t.mask) for t in generate(DemoSpec(scenes=args.tiles // 20, tiles_per_scene=20)))
    if not (args.real / "train_images_256").is_dir():
        print(f"real data not found at {args.real}; synthetic figures only", file=sys.stderr)
        real = {k: "n/a" for k in syn}
    else:
        real = tile_stats(real_pairs(args.real))
    print("| figure | real CGG tiles | synthetic demo |\n|---|---|---|")
    for k in syn:
        print(f"| {k} | {real[k]} | {syn[k]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
