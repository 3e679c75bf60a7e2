"""A Sentinel-1 product imported from its zip, read in place, against the same product unzipped.

    python benchmarks/bench_zipped.py [--size 8000x10000]

Writes a synthetic GRD-like measurement file (uint16 radar noise, placed by ground control
points on a tilted swath, so the import warps it window by window as a real one) into a .SAFE
folder and into a zip of it as the hub hands it out (deflated), imports each into its own
throwaway workspace, and prints both times and their ratio, measured in one run. The concern it
answers: a deflated file has no random access, and the warp reads windows out of order; GDAL's
/vsizip/ keeps points to restart inflating from, so the cost stays near the unzipped read. The
zip's time includes the one pass that inflates the file to check its checksum.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seep.workspace import Workspace  # noqa: E402
from seep.workspace.scenes import import_scene  # noqa: E402

NAME = "S1A_IW_GRDH_1SDV_20260101T031512_20260101T031537_000001_000001_BNCH"


def product(folder: Path, height: int, width: int) -> Path:
    """NAME.SAFE with a VV measurement file placed by points on a swath tilted 12 degrees."""
    import rasterio
    from rasterio.control import GroundControlPoint
    from rasterio.crs import CRS

    safe = folder / f"{NAME}.SAFE"
    (safe / "measurement").mkdir(parents=True)
    (safe / "manifest.safe").write_text("<xfdu:XFDU/>")
    angle, lon0, lat0 = np.radians(-12), 3.2, 42.9
    dlon, dlat = 10 / (111_320 * np.cos(np.radians(lat0))), 10 / 110_540

    def point(r: float, c: float) -> GroundControlPoint:
        x, y = c * np.cos(angle) - r * np.sin(angle), c * np.sin(angle) + r * np.cos(angle)
        return GroundControlPoint(row=r, col=c, x=lon0 + x * dlon, y=lat0 - y * dlat)

    points = [point(r, c) for r in (0, height / 2, height) for c in (0, width / 2, width)]
    profile = dict(driver="GTiff", height=height, width=width, count=1, dtype="uint16", gcps=points, crs=CRS.from_epsg(4326))
    rng = np.random.default_rng(0)
    with rasterio.open(safe / "measurement" / "s1a-iw-grd-vv-20260101t031512-001.tiff", "w", **profile) as ds:
        for r in range(0, height, 500):
            rows = min(500, height - r)
            ds.write(rng.gamma(1.0, 600, (1, rows, width)).astype(np.uint16), window=((r, r + rows), (0, width)))
    return safe


def zipped(safe: Path) -> Path:
    path = safe.parent / f"{NAME}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(safe.rglob("*")):
            z.write(f, f.relative_to(safe.parent).as_posix())
    return path


def timed_import(path: Path, where: Path) -> tuple[float, int]:
    start = time.perf_counter()
    report = import_scene(Workspace(where), path, author="bench")
    return time.perf_counter() - start, report.tiles


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="8000x10000", help="the measurement file's height x width")
    args = ap.parse_args()
    height, width = map(int, args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        safe = product(tmp / "in", height, width)
        zip_path = zipped(safe)
        raw = sum(f.stat().st_size for f in safe.rglob("*") if f.is_file())
        print(
            f"product: {height} x {width} uint16, {raw / 2**20:.0f} MiB unzipped, {zip_path.stat().st_size / 2**20:.0f} MiB zipped"
        )
        unzipped_s, tiles = timed_import(safe, tmp / "ws-safe")
        zip_s, zip_tiles = timed_import(zip_path, tmp / "ws-zip")
        assert zip_tiles == tiles, (zip_tiles, tiles)
    print(f"import of the .SAFE folder: {unzipped_s:.1f} s ({tiles} tiles)")
    print(f"import of the zip, in place: {zip_s:.1f} s ({zip_tiles} tiles)")
    print(f"zip / unzipped: {zip_s / unzipped_s:.2f}x")


if __name__ == "__main__":
    main()
