"""A whole scene: import a 12,000 x 12,000 uint16 GeoTIFF with its mask (and again, placed by
ground control points as a Sentinel-1 GRD file is), predict it (imported, and as a file),
export its seeps and import them back, list them with where else each was seen (in a second pass), and write the
scene's report.

    python benchmarks/bench_scene.py [--size 12000]

Targets (2-core CPU): import peak resident memory <= 1.5 GB; predict-all over the scene
peak <= 2 GB, its tiles/s reported against a bare per-tile predictor call measured in the
same run (the ratio is the cost of everything around the model: reading, caching,
labelling); `predict --data` on the scene file itself (too large to read whole, so read and
written by windows) peak <= 2 GB, its time against predict-all's; `evaluate --data` on the
scene file and its mask (scored by windows, its slicks joined across them) peak <= 2 GB, its
time against `predict --data`'s; the report (the map drawn from every tile, a row per slick)
peak <= 2 GB, its time against the seeps list's. Each step runs as `python -m seep ...` in its own process,
so its peak memory (ru_maxrss) is its own. The scene is synthetic: demo tiles laid side by
side, written window by window in EPSG:32631.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seep.data.synthetic import DemoSpec, make_tile  # noqa: E402

# Runs a command and prints the peak resident memory of that child, in KiB (Linux ru_maxrss).
PEAK = "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"


def write_scene(folder: Path, size: int) -> tuple[Path, Path]:
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    profile = {"driver": "GTiff", "height": size, "width": size, "count": 1, "crs": "EPSG:32631", "tiled": True}
    profile |= {"transform": from_origin(500_000, 4_800_000, 10, 10), "compress": "deflate"}
    image, mask = folder / "scene.tif", folder / "scene_mask.tif"
    with (
        rasterio.open(image, "w", dtype="uint16", nodata=0, **profile) as im,
        rasterio.open(mask, "w", dtype="uint8", **profile) as ms,
    ):
        spec, k = DemoSpec(), 0
        for r in range(0, size, 256):
            for c in range(0, size, 256):
                t = make_tile(spec, k // 50, k % 50)
                k += 1
                h, w = min(256, size - r), min(256, size - c)
                im.write(t.image[None, :h, :w], window=Window(c, r, w, h))
                ms.write(t.mask[None, :h, :w], window=Window(c, r, w, h))
    return image, mask


def place_by_points(image: Path, mask: Path) -> tuple[Path, Path]:
    """Copies of the scene and its mask placed as a Sentinel-1 GRD file is: by ground control
    points (a 5 x 5 grid of them, the swath turned 12 degrees), not by a transform."""
    import math

    import rasterio
    from rasterio.control import GroundControlPoint

    with rasterio.open(image) as ds:
        h, w = ds.height, ds.width
    a = math.radians(12)
    points = [
        GroundControlPoint(
            row=r,
            col=c,
            x=500_000 + 10 * (c * math.cos(a) + r * math.sin(a)),
            y=4_800_000 - 10 * (r * math.cos(a) - c * math.sin(a)),
        )
        for r in (0, h / 4, h / 2, 3 * h / 4, h)
        for c in (0, w / 4, w / 2, 3 * w / 4, w)
    ]
    out = []
    for src in (image, mask):
        dst = src.with_name(f"gcp_{src.name}")
        with rasterio.open(src) as ds:
            profile = {"driver": "GTiff", "height": h, "width": w, "count": 1, "dtype": ds.dtypes[0], "nodata": ds.nodata}
            profile |= {"tiled": True, "compress": "deflate", "gcps": points, "crs": "EPSG:32631"}  # no transform
            with rasterio.open(dst, "w", **profile) as placed:
                for _, window in ds.block_windows(1):
                    placed.write(ds.read(window=window), window=window)
        out.append(dst)
    return out[0], out[1]


def alone(image: Path) -> Path:
    """A folder holding only the scene (linked, not copied), as `predict --data` takes it."""
    folder = image.parent / "scene_alone"
    folder.mkdir()
    (folder / image.name).hardlink_to(image)
    return folder


def labelled(image: Path, mask: Path) -> Path:
    """A folder holding only the scene and its mask (linked), as `evaluate --data` takes them."""
    folder = image.parent / "scene_labelled"
    for sub, f in (("train_images_256", image), ("train_masks_256", mask)):
        (folder / sub).mkdir(parents=True)
        (folder / sub / image.name).hardlink_to(f)
    return folder


def run_measured(*argv: str) -> tuple[float, float, str]:
    """(seconds, peak MiB, stdout) of `python -m seep ARGV` in its own process."""
    t = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-c", PEAK, sys.executable, "-m", "seep", *argv], capture_output=True, text=True, cwd=REPO
    )
    seconds = time.perf_counter() - t
    if r.returncode:
        raise SystemExit(f"seep {' '.join(argv)} failed:\n{r.stderr}")
    lines = r.stdout.strip().splitlines()
    return seconds, int(lines[-1]) / 1024, "\n".join(lines[:-1])


def bare_ms_per_tile() -> float:
    """The model alone on demo tiles, batch 1: the per-tile figure of bench_inference."""
    from seep.learn.infer import Predictor
    from seep.learn.shipped import SHIPPED_MODEL

    p = Predictor(SHIPPED_MODEL)
    tiles = [make_tile(DemoSpec(), 0, i).image[:, :, None] for i in range(12)]
    p.predict([tiles[0]])
    t = time.perf_counter()
    for x in tiles[2:]:
        p.predict([x])
    return (time.perf_counter() - t) / 10 * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=12000, help="scene edge in pixels")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        image, mask = write_scene(Path(d), args.size)
        print(f"wrote a {args.size} x {args.size} uint16 scene and its mask in {time.perf_counter() - t:.0f} s")
        ws = str(Path(d) / "ws")
        s, mib, out = run_measured("import", str(image), "--mask", str(mask), "--workspace", ws)
        print(f"import: {out.strip()} in {s:.0f} s; peak memory {mib:.0f} MiB (target 1536, ratio {mib / 1536:.2f})")
        gridded = s
        gcp_image, gcp_mask = place_by_points(image, mask)
        s, mib, out = run_measured("import", str(gcp_image), "--mask", str(gcp_mask), "--workspace", str(Path(d) / "gcp_ws"))
        print(
            f"import of the same scene placed by ground control points (warped onto UTM as it is read): {s:.0f} s, "
            f"{s / gridded:.2f}x the gridded import; peak memory {mib:.0f} MiB (target 1536, ratio {mib / 1536:.2f})"
        )
        s, mib, out = run_measured("predict-all", "--workspace", ws)
        n = int(out.split("predicted ")[1].split()[0].replace(",", ""))  # "predicted 2,209 images ..."
        per_tile = bare_ms_per_tile()
        rate = n / s
        print(
            f"predict-all: {n} tiles in {s:.0f} s ({rate:.1f} tiles/s, process start included); peak memory {mib:.0f} MiB "
            f"(target 2048, ratio {mib / 2048:.2f})"
        )
        print(
            f"bare predictor: {per_tile:.1f} ms per tile ({1000 / per_tile:.1f} tiles/s); overhead ratio {(1000 / per_tile) / rate:.2f}"
        )
        s_data, mib, _ = run_measured("predict", "--data", str(alone(image)), "--out", str(Path(d) / "pred"))
        print(
            f"predict --data on the scene file, unimported (read and written by windows): {s_data:.0f} s, "
            f"{s_data / s:.2f}x predict-all's time; peak memory {mib:.0f} MiB (target 2048, ratio {mib / 2048:.2f})"
        )
        s, mib, out = run_measured("evaluate", "--data", str(labelled(image, mask)), "--json")
        slicks = sum(json.loads(out)["target_slicks"])
        print(
            f"evaluate --data on the scene file and its mask (by windows, {slicks} true slicks joined across them): "
            f"{s:.0f} s, {s / s_data:.2f}x predict --data's time; peak memory {mib:.0f} MiB (target 2048, ratio {mib / 2048:.2f})"
        )
        s, mib, out = run_measured("export-seeps", str(Path(d) / "seeps.gpkg"), "--workspace", ws)
        print(f"export-seeps: {out.strip()} in {s:.0f} s; peak memory {mib:.0f} MiB")
        exported = s
        s, mib, out = run_measured(
            "import-seeps", str(Path(d) / "seeps.gpkg"), "--scene", image.stem, "--author", "bench", "--workspace", ws
        )
        changed = (
            out.splitlines()[0].split(": ")[-1].split(" given")[0]
        )  # "... (a slick deleted ... erased): 0 tiles given a new label version"
        print(
            f"import-seeps of that export, untouched (read back against the labels as exported): {changed} changed "
            f"(0 expected) in {s:.0f} s, {s / exported:.2f}x export-seeps' time; peak memory {mib:.0f} MiB"
        )
        # A second pass over the same sea (the scene placed by points, its pixels resampled), so
        # every slick of the list has labelled slicks of another scene within reach to look for.
        run_measured("import", str(gcp_image), "--mask", str(gcp_mask), "--scene", "second_pass", "--workspace", ws)
        s, mib, out = run_measured("seeps", image.stem, "--csv", "--workspace", ws)
        rows = list(csv.DictReader(io.StringIO(out)))
        again = sum(1 for r in rows if "second_pass" in r["seen_in"].split(", "))
        print(
            f"seeps list (the Scene page's, with where else each slick was seen): {len(rows)} slicks, {again} seen again in "
            f"the second pass, in {s:.0f} s, {s / exported:.2f}x export-seeps' time; peak memory {mib:.0f} MiB"
        )
        listed = s
        report = Path(d) / "report.html"
        s, mib, out = run_measured("report", image.stem, str(report), "--workspace", ws)
        print(
            f"report (the Scene page's, to send): {report.stat().st_size / 2**20:.1f} MiB of HTML in {s:.0f} s, "
            f"{s / listed:.2f}x the seeps list's time; peak memory {mib:.0f} MiB (target 2048, ratio {mib / 2048:.2f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
