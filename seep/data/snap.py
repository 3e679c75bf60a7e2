"""GeoTIFFs written by ESA's SNAP, the toolbox most Sentinel-1 scenes are calibrated in.

SNAP writes its product header (DIMAP XML: band names, no-data value) into private TIFF tag
65000, and places a scene still in the radar's geometry by a grid of GeoTIFF tie points beside
a pixel scale of 1. Read as a plain GeoTIFF, that pixel scale wins: GDAL makes an affine grid of
1-degree pixels from the first tie point, and the scene lands across half the planet. Since
GDAL 3.10 its SNAP_TIFF driver claims such files instead, and keeps no grid at all for one that
SNAP terrain-corrected. Seep reads both with the GeoTIFF driver, the tie points (if more than
one) as ground control points, warped as a Sentinel-1 GRD file's are.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

DIMAP_TAG = 65000
TIE_POINTS_TAG = 33922


@dataclass(frozen=True)
class SnapTiff:
    points: tuple[tuple[float, float, float, float, float], ...]  # (col, row, x, y, z); () on a map grid
    nodata: float | None  # the header's no-data value, which SNAP writes nowhere GDAL reads it
    bands: tuple[str, ...]  # band names (Sigma0_VV, ...), as many as the header gives


def snap_tiff(path: Path) -> SnapTiff | None:
    """What SNAP's header and tie points say of a TIFF it wrote; None for any other TIFF (or
    a file tifffile cannot read: GDAL then says why)."""
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            tags = tif.pages[0].tags
            if DIMAP_TAG not in tags:
                return None
            header, ties = tags[DIMAP_TAG].value, tags[TIE_POINTS_TAG].value if TIE_POINTS_TAG in tags else ()
    except (OSError, ValueError, tifffile.TiffFileError):
        return None
    return SnapTiff(_ties(ties) if len(ties) > 6 else (), *_header(header))


def _ties(values) -> tuple[tuple[float, ...], ...]:
    """GeoTIFF tie points, six numbers each (column, row, depth, x, y, z), as (col, row, x, y, z)."""
    six = [[float(v) for v in values[i : i + 6]] for i in range(0, len(values) - 5, 6)]
    return tuple((col, row, x, y, z) for col, row, _, x, y, z in six)


def _header(text) -> tuple[float | None, tuple[str, ...]]:
    """(no-data value or None, band names) from DIMAP XML; (None, ()) where it cannot be parsed."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None, ()
    infos = root.findall(".//Spectral_Band_Info")
    nodata = None
    if infos and (infos[0].findtext("NO_DATA_VALUE_USED") or "").strip().lower() == "true":
        try:
            nodata = float(infos[0].findtext("NO_DATA_VALUE") or "")
        except ValueError:
            nodata = None
    return nodata, tuple((i.findtext("BAND_NAME") or "").strip() for i in infos)


def dimap_tie_points(band: Path, most: int = 400) -> tuple[tuple[float, float, float, float, float], ...]:
    """Where a band of a product SNAP saved in the radar's geometry (NAME.data/BAND.img beside
    NAME.dim) lies: (col, row, lon, lat, 0) at the nodes of its latitude and longitude tie-point
    grids (NAME.data/tie_point_grids/, their spacing in NAME.dim), thinned to about `most`
    points, the grids' edges kept; () where the product has no such grids or they cannot be read."""
    import numpy as np
    from rasterio.errors import RasterioError

    dim, grids = band.parent.with_suffix(".dim"), band.parent / "tie_point_grids"
    if band.parent.suffix.lower() != ".data" or not dim.is_file():
        return ()
    try:
        info = {i.findtext("TIE_POINT_GRID_NAME"): i for i in ET.parse(dim).getroot().iter("Tie_Point_Grid_Info")}
        lon, lat = (_grid(grids / f"{name}.img") for name in ("longitude", "latitude"))
        x0, y0, dx, dy = (float(info["latitude"].findtext(k)) for k in ("OFFSET_X", "OFFSET_Y", "STEP_X", "STEP_Y"))
    except (OSError, ET.ParseError, KeyError, TypeError, ValueError, RasterioError):
        return ()
    if lon.shape != lat.shape or not np.isfinite(lon).all() or not np.isfinite(lat).all():
        return ()
    every = max(1, int(np.ceil(np.sqrt(lon.size / most))))
    rows, cols = (np.unique(np.r_[np.arange(0, n, every), n - 1]) for n in lon.shape)
    return tuple((x0 + int(c) * dx, y0 + int(r) * dy, float(lon[r, c]), float(lat[r, c]), 0.0) for r in rows for c in cols)


def _grid(path: Path):
    import rasterio

    with rasterio.open(path) as ds:
        return ds.read(1).astype("float64")
