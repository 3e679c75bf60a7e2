"""`python -m seep predict` over a folder, against a plain eager float32 U-Net doing the same.

    python benchmarks/bench_predict.py [--model models/seep-unet-cgg.pt] [--tiles 174] [--data DIR] [--repeats 3]

Both are timed as a user meets them, from the shell: a fresh Python process that reads the
folder's TIFFs, predicts every tile and writes a mask and a confidence map per tile; process
start, imports and model loading included. The baseline is the same model's weights and
input normalisation in a plain loop: eager float32, contiguous memory, batches of 8 as the
predictor's, argmax decoding (`BASELINE` below). The folder is --tiles synthetic 256x256
tiles (speed does not depend on what they show), or --data, a folder of real ones. The two
alternate, --repeats times each, so a noisy neighbour hits both; the medians and their
ratio are printed (issue 10 asks for at most 0.6x).
"""

from __future__ import annotations

import argparse
import itertools
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seep.data.layout import IMAGES_DIR  # noqa: E402
from seep.data.raster import write_tiff  # noqa: E402
from seep.data.synthetic import DemoSpec, generate  # noqa: E402
from seep.learn.shipped import SHIPPED_MODEL  # noqa: E402

# What anyone would write first: load, normalise, forward in float32, argmax, write.
BASELINE = """
import sys
from pathlib import Path
import numpy as np, torch
from seep.data.layout import load_folder
from seep.data.raster import write_tiff
from seep.learn.checkpoint import load_checkpoint
from seep.learn.data import Normalizer
from seep.learn.model import UNet, UNetConfig

model_path, data, out = map(Path, sys.argv[1:4])
state = load_checkpoint(model_path)
model = UNet(UNetConfig.from_dict(state["model_config"])).eval()
model.load_state_dict(state["model"])
norm = Normalizer.from_dict(state["normalizer"])
tiles = load_folder(data, need_masks=False)
for d in ("masks", "confidence"):
    (out / d).mkdir(parents=True, exist_ok=True)
with torch.no_grad():
    for i in range(0, len(tiles), 8):
        batch = tiles[i : i + 8]
        x = torch.from_numpy(np.stack([norm(t.image) for t in batch]))
        probs = torch.softmax(model(x), dim=1)
        conf, classes = probs.max(1)
        for t, c, p in zip(batch, classes.numpy(), conf.numpy()):
            write_tiff(out / "masks" / f"{t.name}.tif", c.astype(np.uint8))
            write_tiff(out / "confidence" / f"{t.name}.tif", p.astype(np.float32))
"""


def synthetic_folder(root: Path, n: int) -> Path:
    """n synthetic tiles in the exercise layout (images only: predict needs no masks)."""
    spec = DemoSpec(scenes=math.ceil(n / DemoSpec.tiles_per_scene), geo_scene=False)
    images = root / IMAGES_DIR
    images.mkdir(parents=True)
    for t in itertools.islice(generate(spec), n):
        write_tiff(images / f"{t.name}.tif", t.image)
    return root


def timed(name: str, cmd: list[str], out: Path) -> float:
    """Wall seconds of one command run from the repository root; a failure stops the benchmark."""
    t = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"error: {' '.join(cmd[:4])} ... failed:\n{done.stderr.strip()[-2000:]}")
    n = len(list((out / "confidence").glob("*.tif")))
    print(f"  {name:>8}: {seconds:6.2f} s, {n} confidence maps", flush=True)
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, default=SHIPPED_MODEL)
    ap.add_argument("--tiles", type=int, default=174, help="synthetic tiles to predict (without --data)")
    ap.add_argument("--data", type=Path, help="a folder of real tiles instead")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if not args.model.is_file():
        print(f"error: no model file at {args.model}", file=sys.stderr)
        return 2
    if args.data is not None and not args.data.is_dir():
        print(f"error: {args.data} is not a folder", file=sys.stderr)
        return 2
    if args.tiles < 1 or args.repeats < 1:
        print("error: --tiles and --repeats must be at least 1", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as d:
        data = args.data or synthetic_folder(Path(d) / "tiles", args.tiles)
        times: dict[str, list[float]] = {"seep": [], "baseline": []}
        for r in range(args.repeats):
            for name in ("baseline", "seep") if r % 2 else ("seep", "baseline"):
                out = Path(d) / f"out-{name}-{r}"
                cmd = (
                    [sys.executable, "-m", "seep", "predict", "--data", str(data), "--out", str(out), "--model", str(args.model)]
                    if name == "seep"
                    else [sys.executable, "-c", BASELINE, str(args.model), str(data), str(out)]
                )
                times[name].append(timed(name, cmd, out))
    seep, base = statistics.median(times["seep"]), statistics.median(times["baseline"])
    print(
        f"\n{args.data or f'{args.tiles} synthetic tiles'}: python -m seep predict {seep:.2f} s, "
        f"plain eager float32 {base:.2f} s (medians of {args.repeats}, process start included): ratio {seep / base:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
