"""A GeoTIFF mask of seep classes as polygons on the map, for import-seeps: the way back for a
mask exported from here and edited as a raster, or another tool's detections (SNAP's oil spill
detector, a colleague's model) written as a GeoTIFF.

    crs, polygons, classes = mask_shapes(Path("detections.tif"), class_id=None, top=7)

Each run of one class becomes a polygon (GDAL's polygonize, rasterio.features.shapes) whose
edges are the pixels' edges: burnt onto a scene on the same grid (a pixel is inside when its
centre is) they are the same pixels, and on another grid or CRS they are warped as the vectors
are. The mask is read in windows, so a whole scene's mask never sits in memory at once; a
polygon cut at a window's edge burns the same pixels as whole. 0 and the no-data value are no
seep: those pixels keep the label they have. (A scene's labels as Seep exported them are read
back pixel for pixel instead: seep.workspace.returned_mask.)
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import shapely

from seep.errors import BadInputError, first_line

STEP = 4096  # pixels a side of each window read
RASTER_SUFFIXES = (".tif", ".tiff")  # a GeoTIFF mask; any other file is read as vectors


def is_mask(path: Path) -> bool:
    return Path(path).suffix.lower() in RASTER_SUFFIXES


def mask_shapes(path: Path, class_id: int | None, top: int) -> tuple[str, np.ndarray, list[int]]:
    """The mask's CRS (WKT), its seep pixels as polygons in that CRS, and each one's class: the
    pixel value (1 to `top`), or `class_id` for every seep pixel (a mask of 0 and 1 or 255)."""
    import rasterio
    from affine import Affine
    from rasterio.errors import NotGeoreferencedWarning, RasterioError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # said below, as an error
        try:
            ds = rasterio.open(path)
        except RasterioError as e:
            raise BadInputError(f"cannot read {path} as a GeoTIFF mask: {first_line(e)}") from None
    with ds, warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        _check(path, ds)
        polygons, classes = [], []
        try:
            for window in _windows(ds.height, ds.width):
                pixels = _classes_of(path, ds.read(1, window=window, masked=True).filled(0), class_id, top)
                if pixels.any():
                    # the window's corner on the map; rasterio's window_transform warns of its own `*`
                    at = ds.transform @ Affine.translation(window.col_off, window.row_off)
                    _polygonize(pixels, at, polygons, classes)
        except RasterioError as e:  # a damaged block, a cut file: said, nothing written
            raise BadInputError(f"cannot read {path} as a GeoTIFF mask (damaged, or cut short?): {first_line(e)}") from None
        # after the pixels: a file cut short loses the tags at its end, its CRS with them, and is said to be cut
        if ds.crs is None:
            how = " (it is placed by ground control points: warp it onto a map grid, as gdalwarp does)" if ds.gcps[0] else ""
            raise BadInputError(f"{path} has no coordinate system, so its pixels cannot be placed on a map{how}")
        return ds.crs.to_wkt(), np.array(polygons, dtype=object), classes


def _check(path: Path, ds) -> None:
    if ds.count != 1:
        raise BadInputError(f"{path} has {ds.count} bands; a mask has one, of class ids (0: no seep)")
    if not np.issubdtype(np.dtype(ds.dtypes[0]), np.integer):
        raise BadInputError(f"{path} holds {ds.dtypes[0]} values; a mask holds whole class ids (0: no seep)")


def _windows(height: int, width: int):
    from rasterio.windows import Window

    for row in range(0, height, STEP):
        for col in range(0, width, STEP):
            yield Window(col, row, min(STEP, width - col), min(STEP, height - row))


def _classes_of(path: Path, values: np.ndarray, class_id: int | None, top: int) -> np.ndarray:
    """The window's pixels as class ids (uint8, 0: no seep), or BadInputError naming values that are none."""
    if class_id is not None and not 1 <= class_id <= top:
        raise BadInputError(f"--class {class_id}: the seep classes are 1 to {top}")
    past = (values < 0) | (values > top)
    if class_id is not None:
        past &= values != 255  # the seep value of many a one-class mask
    if wrong := _shown(np.unique(values[past])):
        if class_id is None:
            raise BadInputError(
                f"{path} holds pixel values {wrong}: the seep classes here are 1 to {top} (0: no seep); give every seep "
                "pixel one class (the Class box, or --class N)"
            )
        raise BadInputError(
            f"{path} holds pixel values {wrong}: a mask's seep pixels are class ids (1 to {top}) or 255, so this looks "
            "like a probability or radar image; threshold it into a mask first (a GIS's raster calculator does)"
        )
    return np.where(values != 0, class_id, 0).astype(np.uint8) if class_id is not None else values.astype(np.uint8)


def _shown(values: np.ndarray) -> str:
    return ", ".join(str(v) for v in values[:5]) + (" ..." if values.size > 5 else "")


def _polygonize(pixels: np.ndarray, transform, polygons: list, classes: list) -> None:
    from rasterio.features import shapes

    for geometry, value in shapes(pixels, mask=pixels > 0, transform=transform):
        polygons.append(shapely.geometry.shape(geometry))
        classes.append(int(value))
