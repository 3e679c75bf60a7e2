"""int8 arithmetic for the U-Net on a CPU without bf16: how much faster, and what it costs on
scenes the model never saw.

    python benchmarks/bench_int8.py --run RUN [--calibrate 32]

Each fold model of a `crossval` run (RUN/foldK/last.pt) is quantized after training with
PyTorch's post-training static quantization (FX graph mode, x86 engine: int8 weights and
activations, BatchNorm fused into the convolutions, activation ranges observed on
--calibrate random tiles of that fold's training scenes), then scored on its own held-out
scenes beside the float32 model, both decoded as the shipped model is (P(seep) >= 0.5, one
class per slick); and once more with the transposed convolutions (upsampling) kept in float32,
where most of the error comes from. Prints per fold and the mean over folds, then one 256x256 tile
at batch 1 each way (medians, measured alternately in this run).

Reads ../shared/data/cgg-seep (never copied into the project); exits 2 without it.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seep.data.layout import Tile, load_folder  # noqa: E402
from seep.learn.checkpoint import load_checkpoint  # noqa: E402
from seep.learn.crossval import score_decodes  # noqa: E402
from seep.learn.decode import Decode  # noqa: E402
from seep.learn.infer import Predictor  # noqa: E402
from seep.learn.model import UNet, UNetConfig  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "cgg-seep"
DECODE = Decode(0.5, "vote")
KEYS = ("binary_iou", "mean_iou", "mean_ap50")


class Body(nn.Module):
    """The U-Net's layers without its input check and padding, which FX cannot trace."""

    def __init__(self, unet: UNet):
        super().__init__()
        self.unet = unet

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        u = self.unet
        skips = [u.stem(x)]
        for down in u.downs:
            skips.append(down(skips[-1]))
        y = skips.pop()
        for up in u.ups:
            y = up(y, skips.pop())
        return u.head(y)


class Padded(nn.Module):
    """A traced body behind the U-Net's own padding to a multiple of 2**depth."""

    def __init__(self, body: nn.Module, multiple: int):
        super().__init__()
        self.body, self.multiple = body, multiple

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        ph, pw = (-h) % self.multiple, (-w) % self.multiple
        if ph or pw:
            x = F.pad(x, (0, pw, 0, ph), mode="reflect")
        return self.body(x.contiguous())[..., :h, :w]


def quantized(path: Path, calibration: list[torch.Tensor], float_upsampling: bool) -> nn.Module:
    from torch.ao.quantization import QConfig, default_weight_observer, get_default_qconfig_mapping
    from torch.ao.quantization.observer import HistogramObserver
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    state = load_checkpoint(path)
    unet = UNet(UNetConfig.from_dict(state["model_config"]))
    unet.load_state_dict(state["model"])
    mapping = get_default_qconfig_mapping("x86")
    # per-channel weights are not implemented for transposed convolutions: per tensor there
    per_tensor = QConfig(activation=HistogramObserver.with_args(reduce_range=True), weight=default_weight_observer)
    mapping.set_object_type(nn.ConvTranspose2d, None if float_upsampling else per_tensor)
    observed = prepare_fx(Body(unet).eval(), mapping, (calibration[0],))
    for x in calibration:
        observed(x)
    return Padded(convert_fx(observed), unet.multiple).eval()


def fold_scores(model_path: Path, tiles: list[Tile], n_calibrate: int, seed: int) -> tuple[dict, dict]:
    """Each variant's scores on the fold's held-out scenes, and each variant's model."""
    predictor = Predictor(model_path, device="cpu", amp=False)
    predictor.decode = DECODE
    held_out = set(load_checkpoint(model_path)["val_scenes"])
    seen = [t for t in tiles if t.scene not in held_out]
    unseen = [t for t in tiles if t.scene in held_out]
    picks = random.Random(seed).sample(seen, n_calibrate)
    calibration = [torch.from_numpy(predictor.normalizer(t.image))[None] for t in picks]
    models = {
        "float32": predictor.model,
        "int8": quantized(model_path, calibration, float_upsampling=False),
        "int8, float upsampling": quantized(model_path, calibration, float_upsampling=True),
    }
    scores = {}
    for name, model in models.items():
        predictor.model = model
        report = score_decodes(predictor, unseen, (DECODE,))[DECODE.name]
        scores[name] = {k: report[k] for k in KEYS}
    return scores, models


def tile_ms(models: dict[str, nn.Module], repeats: int = 30) -> dict[str, float]:
    x = torch.randn(1, 1, 256, 256)
    times: dict[str, list[float]] = {name: [] for name in models}
    for i in range(repeats + 3):
        for name, model in models.items():
            t = time.perf_counter()
            model(x.contiguous(memory_format=torch.channels_last))
            if i >= 3:  # the first calls allocate and pick kernels
                times[name].append(time.perf_counter() - t)
    return {name: statistics.median(ts) * 1000 for name, ts in times.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, required=True, help="a crossval run folder: RUN/foldK/last.pt")
    ap.add_argument("--calibrate", type=int, default=32, help="training tiles whose activations set the int8 ranges")
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    folds = sorted(args.run.glob("fold*/last.pt"), key=lambda p: int(p.parent.name[4:]))
    if not folds:
        print(f"no fold models (fold*/last.pt) in {args.run}", file=sys.stderr)
        return 2
    if not args.data.is_dir():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    if args.calibrate < 1:
        print("--calibrate must be at least 1", file=sys.stderr)
        return 2
    warnings.filterwarnings("ignore")  # torch.ao.quantization announces its move to torchao at every call
    torch.set_grad_enabled(False)
    torch.backends.quantized.engine = "x86"
    tiles = load_folder(args.data)
    rows, models = [], {}
    for i, path in enumerate(folds):
        scores, models = fold_scores(path, tiles, args.calibrate, seed=i)
        print(json.dumps({"fold": i, **scores}), flush=True)
        rows.append(scores)
    for name in rows[0]:
        summary = ", ".join(f"{key} {_mean_change(rows, name, key)}" for key in KEYS)
        print(f"{name}: {summary} over {len(rows)} folds")
    ms = tile_ms(models)  # the last fold's models: the same architecture as every fold's
    print("one tile at batch 1: " + ", ".join(f"{name} {v:.1f} ms ({v / ms['float32']:.2f}x)" for name, v in ms.items()))
    return 0


def _mean_change(rows: list[dict], name: str, key: str) -> str:
    values = [r[name][key] for r in rows]
    change = [r[name][key] - r["float32"][key] for r in rows]
    return f"{statistics.mean(values):.4f} (change {statistics.mean(change):+.4f} +- {statistics.pstdev(change):.4f})"


if __name__ == "__main__":
    sys.exit(main())
