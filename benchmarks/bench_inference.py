"""Inference and training speed of the shipped model on this machine, in one run.

    python benchmarks/bench_inference.py [--model models/seep-unet-cgg.pt] [--tiles 1000]

Prints, for one 256x256 tile at batch 1 after warm-up (median of repeats):
  - plain eager float32 (the baseline), and the predictor's path (channels-last, bf16
    autocast where the CPU has AVX-512 BF16), with their ratio;
  - the FLOP-count lower bound: the model's FLOPs divided by this CPU's measured matmul
    peak (float32 and bf16), i.e. the time no implementation can beat;
then peak memory while predicting --tiles tiles (it must stay flat), and training
throughput in tiles/s for plain eager float32 full tiles vs. the training configuration.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seep.data.synthetic import DemoSpec, make_tile  # noqa: E402
from seep.learn.checkpoint import load_checkpoint  # noqa: E402
from seep.learn.infer import Predictor  # noqa: E402
from seep.learn.model import UNet, UNetConfig, model_for_inference  # noqa: E402
from seep.learn.shipped import SHIPPED_MODEL  # noqa: E402
from seep.learn.train import autocast_dtype  # noqa: E402


def median_ms(fn, repeats=30, warmup=5) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def matmul_peak(dtype) -> float:
    """FLOP/s of a large matmul: what this CPU actually sustains."""
    a, b = torch.randn(2048, 2048, dtype=dtype), torch.randn(2048, 2048, dtype=dtype)
    ms = median_ms(lambda: a @ b, repeats=10, warmup=3)
    return 2 * 2048**3 / (ms / 1000)


def rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", type=Path, default=SHIPPED_MODEL)
    ap.add_argument("--tiles", type=int, default=1000)
    args = ap.parse_args()
    torch.set_grad_enabled(False)

    if args.model.exists():
        state = load_checkpoint(args.model)
        cfg = UNetConfig.from_dict(state["model_config"])
        predictor = Predictor(args.model)
        print(f"model {args.model} ({cfg})")
    else:
        print(f"no model at {args.model}: timing an untrained model of the default shipped architecture")
        cfg, state, predictor = UNetConfig(), None, None
    eager = UNet(cfg).eval()
    if state:
        eager.load_state_dict(state["model"])
    tile = make_tile(DemoSpec(), 0, 0).image[:, :, None]
    x = torch.randn(1, cfg.in_channels, 256, 256)

    with FlopCounterMode(display=False) as fc:
        eager(x)
    flops = fc.get_total_flops()
    dtype = autocast_dtype(torch.device("cpu"), True)
    # Without AVX-512 BF16, a bf16 matmul is emulated: minutes for a figure no predict path uses.
    peak32, peak16 = matmul_peak(torch.float32), matmul_peak(torch.bfloat16) if dtype else float("nan")

    t_eager = median_ms(lambda: eager(x))
    cl = model_for_inference({"model_config": cfg.to_dict(), "model": eager.state_dict()}, torch.device("cpu"))
    xcl = x.contiguous(memory_format=torch.channels_last)

    def fast():
        with torch.autocast("cpu", dtype=dtype or torch.float32, enabled=dtype is not None):
            cl(xcl)

    t_fast = median_ms(fast)
    t_pred = median_ms(lambda: predictor.predict([tile])) if predictor else float("nan")
    if predictor:  # the predictor's own work around the model, which no arithmetic speed-up touches
        probs = predictor._probs(predictor.normalizer(tile)[None], False)[0]
        t_norm = median_ms(lambda: predictor.normalizer(tile))
        t_decode = median_ms(lambda: predictor._finish(probs, tile, False))
    print(f"\none 256x256 tile, batch 1, median after warm-up ({torch.get_num_threads()} threads):")
    print(f"  model FLOPs per tile: {flops / 1e9:.2f} GFLOP")
    print(f"  measured matmul peak: {peak32 / 1e9:.0f} GFLOP/s float32, {peak16 / 1e9:.0f} GFLOP/s bf16 (nan: no bf16)")
    print(f"  lower bound (FLOPs / peak): {flops / peak32 * 1000:.1f} ms float32, {flops / peak16 * 1000:.1f} ms bf16")
    print(f"  plain eager float32:               {t_eager:6.1f} ms   (1.00x)")
    print(
        f"  channels-last, BatchNorm folded{' + bf16 autocast' if dtype else ', float32'}: {t_fast:6.1f} ms   "
        f"({t_eager / t_fast:.2f}x faster than eager; {t_fast / (flops / (peak16 if dtype else peak32) * 1000):.1f}x "
        "the lower bound)"
    )
    if predictor:
        print(
            f"  whole predictor (normalise, model, softmax, decode): {t_pred:6.1f} ms  (issue 10: at most 35 ms, ratio {t_pred / 35:.2f})"
        )
        print(f"    of which outside the model: normalise {t_norm:.1f} ms, decode ({predictor.decode.name}) {t_decode:.1f} ms")

    if predictor:
        gen = (make_tile(DemoSpec(), i // 50, i % 50).image[:, :, None] for i in range(args.tiles))
        marks, start = {}, rss_mb()
        t = time.perf_counter()
        for i, _ in enumerate(predictor.iter_predict(gen, batch_size=8), 1):
            if i in (10, args.tiles // 4, args.tiles // 2, args.tiles):
                marks[i] = rss_mb()
        dt = time.perf_counter() - t
        print(
            f"\npredicting {args.tiles} tiles (batch 8, tiles generated on the fly): {args.tiles / dt:.1f} tiles/s; "
            f"resident memory: start {start:.0f} MB, " + ", ".join(f"after {k}: {v:.0f} MB" for k, v in marks.items())
        )

    # Training throughput: the plain way vs. the training configuration.
    def train_rate(size, batch, channels_last, bf16, steps=4):
        torch.set_grad_enabled(True)
        m = UNet(cfg)
        if channels_last:
            m = m.to(memory_format=torch.channels_last)
        opt = torch.optim.AdamW(m.parameters(), 1e-3)
        xb = torch.randn(batch, cfg.in_channels, size, size)
        yb = torch.randint(0, cfg.classes, (batch, size, size))
        if channels_last:
            xb = xb.contiguous(memory_format=torch.channels_last)
        for i in range(steps + 1):
            if i == 1:
                t = time.perf_counter()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = torch.nn.functional.cross_entropy(m(xb).float(), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        torch.set_grad_enabled(False)
        return batch * steps / (time.perf_counter() - t)

    base = train_rate(256, 8, False, False)
    ours = train_rate(128, 16, True, dtype is not None)
    print(
        f"\ntraining on the CPU: eager float32 whole tiles {base:.1f} tiles/s; training config (128-px crops, "
        f"channels-last{', bf16' if dtype else ''}) {ours:.1f} crops/s = {ours / 4:.1f} tile-equivalents/s "
        f"({ours / 4 / base:.2f}x per pixel); an epoch of 480 tiles x 2 crops: {960 / ours:.0f} s vs "
        f"{480 / base:.0f} s eager"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
