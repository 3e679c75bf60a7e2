"""What a national register of installations costs the pages: the seeps list of a scene, the
scene map's drawing of them and Review's note over one tile, each with N installations loaded
(platforms and wells as points, pipelines as lines of 50 vertices, spread over 30 x 30 degrees
of sea around the scene) against none, measured alternately in one run (medians).

    python benchmarks/bench_installations.py [--n 20000] [--repeat 5]

Target: with 20,000 installations the seeps list takes <= 1.5x its time with none, and Review's
note <= 50 ms: only those whose box meets the scene's, widened by 50 km, are read and measured.
Browse's "Installation within" measures each tile once a load, in <= 1 ms a tile (a scene's
installations are read and projected once for all its tiles); a count with it is then one
indexed subquery (both counts printed).
The scene is synthetic: 1,024 x 1,024 pixels of 10 m in UTM 31N with a slick in each tile.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seep.workspace import ImageFilter, Workspace  # noqa: E402
from seep.workspace.installations import (  # noqa: E402
    clear_installations,
    installation_near_tile,
    load_installations,
    measure_tiles,
    on_scene,
)
from seep.workspace.scenes import import_scene, scene, tile_offsets_of  # noqa: E402
from seep.workspace.slicks import scene_slicks  # noqa: E402


def write_scene(folder: Path) -> None:
    import rasterio
    from rasterio.transform import from_origin

    rng = np.random.default_rng(0)
    image = rng.integers(100, 3000, (1024, 1024)).astype(np.uint16)
    mask = np.zeros((1024, 1024), np.uint8)
    for r in range(0, 1024, 256):
        for c in range(0, 1024, 256):
            mask[r + 100 : r + 110, c + 60 : c + 200] = 1
    profile = dict(
        driver="GTiff", height=1024, width=1024, count=1, crs="EPSG:32631", transform=from_origin(500000, 4600000, 10, 10)
    )
    for name, array in (("scene.tif", image), ("scene-mask.tif", mask)):
        with rasterio.open(folder / name, "w", dtype=array.dtype, **profile) as ds:
            ds.write(array[None])


def write_register(path: Path, n: int) -> None:
    """n installations around 3 E, 41.5 N (the scene): nine in ten points, one in ten pipelines."""
    import shapely
    from pyogrio.raw import write

    rng = np.random.default_rng(1)
    lines = n // 10
    points = [shapely.Point(x, y) for x, y in zip(rng.uniform(-12, 18, n - lines), rng.uniform(27, 57, n - lines), strict=True)]
    starts = zip(rng.uniform(-12, 18, lines), rng.uniform(27, 57, lines), strict=True)
    pipes = [shapely.LineString(np.cumsum(rng.normal(0, 0.02, (50, 2)), axis=0) + start) for start in starts]
    geoms = np.array(shapely.to_wkb(points + pipes), dtype=object)
    names = np.array([f"installation {i}" for i in range(n)], dtype=object)
    write(str(path), geoms, [names], ["name"], driver="GPKG", crs="EPSG:4326", geometry_type="Unknown")


def median_s(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=20000, help="installations loaded")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    if args.n < 10 or args.repeat < 1:
        p.error("give --n of 10 or more and --repeat of 1 or more")
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        write_scene(folder)
        write_register(folder / "register.gpkg", args.n)
        ws = Workspace(folder / "ws", create=True)
        import_scene(ws, folder / "scene.tif", mask=folder / "scene-mask.tif", author="bench")
        sc = scene(ws, "scene")
        tile = next(iter(tile_offsets_of(ws, "scene")))
        shown = ws.label(tile)[1]
        steps = {
            "seeps list": lambda: scene_slicks(ws, "scene"),
            "scene map": lambda: on_scene(ws, sc),
            "Review's note": lambda: installation_near_tile(ws, tile, shown),
        }
        t = time.perf_counter()
        load_installations(ws, folder / "register.gpkg", "bench")
        print(f"load {args.n:,} installations: {time.perf_counter() - t:.2f} s")
        print(f"{'step':<15} {'none (ms)':>10} {f'{args.n:,} (ms)':>12} {'ratio':>6}")
        for step, fn in steps.items():
            loaded_s = median_s(fn, args.repeat)
            clear_installations(ws, "bench")
            none_s = median_s(fn, args.repeat)
            load_installations(ws, folder / "register.gpkg", "bench")
            print(f"{step:<15} {none_s * 1000:>10.1f} {loaded_s * 1000:>12.1f} {loaded_s / none_s:>6.2f}")
        browse_filter(ws, folder, args.repeat)


def browse_filter(ws: Workspace, folder: Path, repeat: int) -> None:
    """Browse's "Installation within": the scene's tiles measured once after a load, then a page's
    count with the filter against one without."""
    clear_installations(ws, "bench")
    load_installations(ws, folder / "register.gpkg", "bench")
    t = time.perf_counter()
    measured = measure_tiles(ws)
    ms = (time.perf_counter() - t) * 1000
    print(f"Browse's filter: measuring the scene's {measured} tiles after a load: {ms:.1f} ms, {ms / measured:.2f} ms a tile")
    near_s = median_s(lambda: ws.count_images(ImageFilter(installation_km=5.0)), repeat)
    plain_s = median_s(lambda: ws.count_images(ImageFilter()), repeat)
    print(f"a count within 5 km: {near_s * 1000:.2f} ms; without the filter: {plain_s * 1000:.2f} ms")


if __name__ == "__main__":
    main()
