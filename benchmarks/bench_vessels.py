"""What a day's AIS costs: loading a CSV of N positions (rows a second; most lie far from the pass
or hours off it, as a sea's day of AIS does), then the seeps list of the scene and Review's note
with the positions kept against none, measured alternately in one run (medians).

    python benchmarks/bench_vessels.py [--n 200000] [--repeat 5]

Targets: the load reads >= 50,000 rows a second (a day of a busy sea, some millions of rows, in
about a minute); with them, the seeps list takes <= 1.5x its time with none, and Review's note
<= 50 ms: only the positions within an hour of the pass and the scene's box are read.
The scene is bench_installations.py's: 1,024 x 1,024 pixels of 10 m in UTM 31N, a slick in each tile.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))  # its sibling's scene, however this script is run

from bench_installations import median_s, write_scene  # noqa: E402

from seep.workspace import Workspace  # noqa: E402
from seep.workspace.scenes import import_scene, set_acquired, tile_offsets_of  # noqa: E402
from seep.workspace.slicks import scene_slicks  # noqa: E402
from seep.workspace.vessels import clear_vessels, load_vessels, vessel_note  # noqa: E402

PASS = datetime(2025, 3, 2, 3, 14, 7, tzinfo=UTC)


def write_ais(path: Path, n: int) -> None:
    """n reports of n // 50 vessels over 30 x 30 degrees around the scene (3 E, 41.5 N) and 24 hours
    around the pass: MarineCadastre's columns."""
    rng = np.random.default_rng(2)
    mmsi = rng.integers(0, n // 50 + 1, n) + 219_000_000
    lon, lat = rng.uniform(-12, 18, n), rng.uniform(27, 57, n)
    near = rng.random(n) < 0.02  # a few in the scene's sea
    lon[near], lat[near] = rng.uniform(2.99, 3.13, near.sum()), rng.uniform(41.45, 41.55, near.sum())
    seconds = rng.uniform(-12 * 3600, 12 * 3600, n)
    with open(path, "w") as f:
        f.write("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName\n")
        for m, x, y, s in zip(mmsi, lon, lat, seconds, strict=True):
            f.write(f"{m},{(PASS + timedelta(seconds=float(s))):%Y-%m-%dT%H:%M:%S},{y:.5f},{x:.5f},10.1,87.0,86,SHIP {m}\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=200_000, help="AIS rows in the file")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    if args.n < 100 or args.repeat < 1:
        p.error("give --n of 100 or more and --repeat of 1 or more")
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        write_scene(folder)
        write_ais(folder / "ais.csv", args.n)
        ws = Workspace(folder / "ws", create=True)
        import_scene(ws, folder / "scene.tif", mask=folder / "scene-mask.tif", author="bench")
        set_acquired(ws, "scene", PASS.strftime("%Y-%m-%dT%H:%M:%SZ"), "bench")
        tile = next(iter(tile_offsets_of(ws, "scene")))
        shown = ws.label(tile)[1]
        t = time.perf_counter()
        done = load_vessels(ws, folder / "ais.csv", "bench")
        s = time.perf_counter() - t
        print(f"load {done.read:,} rows: {s:.2f} s, {done.read / s:,.0f} rows a second; {done.kept:,} kept")
        steps = {"seeps list": lambda: scene_slicks(ws, "scene"), "Review's note": lambda: vessel_note(ws, tile, shown)}
        print(f"{'step':<15} {'none (ms)':>10} {'with (ms)':>10} {'ratio':>6}")
        for step, fn in steps.items():
            with_s = median_s(fn, args.repeat)
            clear_vessels(ws, "bench")
            none_s = median_s(fn, args.repeat)
            load_vessels(ws, folder / "ais.csv", "bench")
            print(f"{step:<15} {none_s * 1000:>10.1f} {with_s * 1000:>10.1f} {with_s / none_s:>6.2f}")


if __name__ == "__main__":
    main()
