"""Georeferenced scenes, read with rasterio (GDAL) one tile window at a time.

A Sentinel-1 scene is ~25,000 x 17,000 pixels: it is never read whole. Each tile keeps its
place on the scene's grid (row/column offset), and the grid keeps the coordinate system
and the affine transform, so what the model finds can be put back on a map.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from seep.data.polarisation import CO_POLARISED, one_of, taken_note
from seep.data.products import (
    not_a_product,
    product_kind,
    product_measurement,
    rs2_in_zip,
    snap_product,
    snap_product_band,
    zipped_measurement,
    zipped_product,
    zipped_rcm,
)
from seep.data.radarsat import rcm_described, rcm_product_of, rs2_product_of
from seep.data.raster import IMAGE_DTYPES, MAX_CHANNELS, describe_os_error
from seep.data.snap import dimap_tie_points, snap_tiff
from seep.errors import BadInputError, WorkspaceError, first_line


@dataclass(frozen=True)
class SceneGrid:
    """Where a scene's pixels lie: size, bands, and pixel (col, row) -> map (x, y)."""

    height: int
    width: int
    bands: int
    dtype: str
    crs: str | None  # WKT; None when the file has no coordinate system
    transform: tuple[float, float, float, float, float, float]  # affine a, b, c, d, e, f

    def affine(self, row_off: int = 0, col_off: int = 0):
        """The transform of a window starting at (row_off, col_off)."""
        from rasterio.transform import Affine

        return Affine(*self.transform) @ Affine.translation(col_off, row_off)

    def same_grid(self, other: SceneGrid) -> bool:
        if (self.height, self.width) != (other.height, other.width):
            return False
        if not np.allclose(self.transform, other.transform, rtol=0, atol=1e-9 * max(1.0, *map(abs, self.transform))):
            return False
        if self.crs is None or other.crs is None:
            return self.crs == other.crs or other.crs is None
        from pyproj import CRS

        return CRS.from_wkt(self.crs) == CRS.from_wkt(other.crs)


def bounded_cache():
    """GDAL's block cache held to 128 MB while a scene is read or written: by default it may
    take 5% of the machine's memory (6 GB on a 128 GB server), and a warped scene fills it.
    Measured on a 12,000 x 12,000 scene placed by ground control points: 861 MiB peak with
    the default cache on a 25 GB machine, 228 MiB with this one."""
    import rasterio

    return rasterio.Env(GDAL_CACHEMAX=128 * 2**20)


@contextmanager
def open_scene(path: Path, what: str = "scene"):
    """A rasterio dataset of a GeoTIFF, or BadInputError saying why it is not one."""
    import rasterio
    from rasterio.errors import NotGeoreferencedWarning, RasterioError

    path = Path(path)
    if not path.exists():
        raise BadInputError(f"no {what} file at {path}")
    if product_kind(path):  # the product as it arrives: its co-polarised measurement file
        path = product_measurement(path)[0]
    if snap_product(path):  # as SNAP saves it: its co-polarised band
        path = snap_product_band(path)[0]
    source: str | Path = path
    if zipped_product(path):  # as the hub hands it out: that file read inside the zip
        source = f"/vsizip/{path.resolve()}/{zipped_measurement(path)[0]}"
    elif path.suffix.lower() == ".zip" and path.is_file():
        raise BadInputError(not_a_product(path, what))
    elif not path.is_file():
        raise BadInputError(f"{what} {path} is a folder, not a GeoTIFF")
    elif path.stat().st_size == 0:
        raise BadInputError(f"{what} {path} is empty (0 bytes)")
    snap = snap_tiff(path) if source == path else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)  # said once, by the importer
            ds = rasterio.open(source, driver="GTiff" if snap else None)  # see seep.data.snap
    except RasterioError as e:
        raise BadInputError(f"{what} {path} cannot be read as a GeoTIFF: {first_line(e)}") from e
    with ds:
        if ds.driver != "GTiff" and not (ds.driver == "ENVI" and path.suffix.lower() == ".img"):  # ENVI: a SNAP band's
            raise BadInputError(f"{what} {path} is not a GeoTIFF (GDAL reads it as {ds.driver}); convert it with gdal_translate")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            vrt = _placing_vrt(ds, path, snap)
        if ds.driver == "ENVI" and ds.crs is None and vrt is None:
            raise BadInputError(
                f"{what} {path} has no map info, nor tie-point grids of latitude and longitude beside it in a SNAP "
                "product: terrain-correct it in SNAP (Radar > Geometric > Terrain Correction), or export it from SNAP "
                "as a GeoTIFF"
            )
        if vrt is None:
            yield ds
            return
        with rasterio.open(vrt) as placed:
            yield placed  # placed by points in the radar's geometry (on_map_grid warps it), or by its product


def _placing_vrt(ds, path: Path, snap) -> str | None:
    """A VRT placing `ds` by ground control points where GDAL reads none: SNAP's tie points (see
    seep.data.snap: in a GeoTIFF it wrote, or the tie-point grids of a product it saved), or
    points on a grid over the image where its RPCs (rational polynomial coefficients, as
    commercial SAR such as ICEYE's GRD is placed) put them at height 0, the sea's, to within the
    geoid's tens of metres; an image of a RADARSAT-2 or RCM product (or its zip) as its product.xml places it. None
    where GDAL places it as it is."""
    if product := rs2_product_of(path):
        return _rs2_vrt(ds, str(product / "product.xml"))
    if product := rcm_product_of(path):
        return _rcm_vrt(ds, rcm_described(product))
    if xml := rs2_in_zip(path):  # read in place, as its image is
        return _rs2_vrt(ds, f"/vsizip/{path.resolve()}/{xml}")
    if product := zipped_rcm(path):
        return _rcm_vrt(ds, product)
    if snap is not None and snap.points and ds.crs is not None:
        return _gcp_vrt(ds, snap.points, ds.crs.to_wkt(), ds.tags(), snap.nodata)
    if ds.driver == "ENVI" and ds.crs is None and (points := dimap_tie_points(path)):
        return _gcp_vrt(ds, points, "EPSG:4326", ds.tags())
    if ds.crs is None and not ds.gcps[0] and ds.rpcs is not None:
        return _gcp_vrt(ds, _rpc_points(ds), "EPSG:4326", ds.tags() | {BY_RPC: "1"})
    return None


def _rs2_vrt(ds, product_xml: str) -> str | None:
    """A VRT placing an image file of a RADARSAT-2 product where its product.xml puts it, as GDAL's
    RS2 driver reads it: by its grid of tie points in the radar's geometry (SGF, SCW products),
    on its map grid once map-projected (SSG), with when it was acquired (ACQUISITION_START_TIME).
    None where product.xml places nothing, or describes an image of another size (BrowseImage.tif)."""
    import rasterio
    from rasterio.errors import RasterioError

    try:
        with rasterio.open(product_xml) as meta:
            place = _own_place(meta)
            if not place or (meta.width, meta.height) != (ds.width, ds.height):
                return None
            return _vrt(ds, place, ds.tags() | meta.tags(), None, range(1, ds.count + 1))
    except RasterioError as e:
        raise BadInputError(f"{product_xml} cannot be read as a RADARSAT-2 product: {first_line(e)}") from e


def _rcm_vrt(ds, product) -> str | None:
    """A VRT placing an image file of an RCM product by its product.xml's tie points (see
    seep.data.radarsat), with when it was acquired; None for an image of another size."""
    if product.size != (ds.width, ds.height):
        return None
    when = {"ACQUISITION_START_TIME": product.started} if product.started else {}
    return _gcp_vrt(ds, product.points, "EPSG:4326", ds.tags() | when)


def _rpc_points(ds, n: int = 11) -> list[tuple]:
    """(col, row, lon, lat, 0) at n x n points over the image, where its RPCs put them at height 0."""
    from rasterio.transform import RPCTransformer

    rows, cols = (a.ravel() for a in np.meshgrid(np.linspace(0, ds.height, n), np.linspace(0, ds.width, n), indexing="ij"))
    with RPCTransformer(ds.rpcs) as t:
        lon, lat = t.xy(rows, cols, zs=np.zeros(rows.size), offset="ul")
    return [(float(c), float(r), float(x), float(y), 0.0) for r, c, x, y in zip(rows, cols, lon, lat, strict=True)]


BY_RPC = "SEEP_PLACED_BY_RPC"  # _placing_vrt's VRT of a file placed by its RPCs


@contextmanager
def on_map_grid(ds, what: str = "scene"):
    """The dataset on a grid Seep can keep (a CRS and an affine transform). A file placed on the
    map by ground control points instead, as Sentinel-1 GRD products are, is warped by GDAL
    onto the UTM zone of its centre at about its own resolution, window by window as it is
    read (memory stays flat), as `gdalwarp -t_srs` would: bilinear for radar, nearest for a
    mask; what falls outside the swath is no-data."""
    points, gcp_crs = ds.gcps
    if ds.crs is not None or not points or gcp_crs is None:
        yield ds
        return
    from rasterio.enums import Resampling
    from rasterio.vrt import WarpedVRT

    floating = np.issubdtype(np.dtype(ds.dtypes[0]), np.floating)
    nodata = ds.nodata if ds.nodata is not None else (float("nan") if floating else 0)
    resampling = Resampling.nearest if what == "mask" else Resampling.bilinear
    # The source's no-data too (a GRD file's swath edge is 0 with no tag saying so): else the
    # warper keeps those zeros as data, blends them into the swath's edge, and nudges them to 1
    # so that they are not mistaken for the output's no-data: dark pixels where there is no radar.
    src_nodata = None if what == "mask" else nodata
    zone = utm_zone_of(ds)
    with (
        _points_in(ds, zone) as placed,
        WarpedVRT(placed, crs=zone, resampling=resampling, src_nodata=src_nodata, nodata=nodata) as vrt,
    ):
        yield vrt


@contextmanager
def _points_in(ds, zone: str):
    """`ds` with its ground control points carried into `zone` by PROJ. GDAL fits its pixel ->
    map polynomial in the points' own CRS: in degrees, a pass over the antimeridian has points
    at 179.99 E and 179.99 W side by side, the fit is nonsense, and most of the swath was
    warped off the grid (3 of 11 tiles kept). In metres of the UTM zone they run on smoothly."""
    import rasterio
    from pyproj import CRS

    points, crs = ds.gcps
    if CRS.from_wkt(crs.to_wkt()) == CRS.from_user_input(zone):  # already there (placed_like's)
        yield ds
        return
    with rasterio.open(_gcp_vrt(ds, _projected(points, crs, zone), zone, ds.tags())) as placed:
        yield placed


def _projected(points, crs, zone: str) -> list[tuple]:
    """Ground control points as (col, row, x, y, z), x and y carried from `crs` into `zone`."""
    x, y = transformer(crs.to_wkt(), zone).transform([p.x for p in points], [p.y for p in points])
    return [(p.col, p.row, px, py, p.z) for p, px, py in zip(points, x, y, strict=True)]


def _gcp_vrt(ds, points: list[tuple], crs: str, tags: dict, nodata: float | None = None) -> str:
    """A VRT over the file of `ds` (every band), placed by `points` (col, row, x, y, z) in
    `crs`, carrying `tags` (a scene's acquisition time) as its metadata and `nodata` (else
    the file's own) as each band's no-data value."""
    return _vrt(ds, _gcp_list(points, crs), tags, nodata, range(1, ds.count + 1))


def _gcp_list(points: list[tuple], crs: str) -> str:
    from pyproj import CRS

    gcps = "".join(
        f'<GCP Id="{i}" Pixel="{c!r}" Line="{r!r}" X="{x!r}" Y="{y!r}" Z="{(z or 0.0)!r}"/>'
        for i, (c, r, x, y, z) in enumerate(points)
    )
    return f"<GCPList Projection={quoteattr(CRS.from_user_input(crs).to_wkt())}>{gcps}</GCPList>"


def _vrt(ds, place: str, tags: dict, nodata: float | None, bands, mask: str = "") -> str:
    """A VRT of `bands` (numbered from 1) of the file of `ds`, placed by `place` (its GCPList,
    or SRS and GeoTransform), `tags` its metadata, `nodata` (else the file's own) each band's,
    `mask` its mask band's XML if any."""
    nodata = ds.nodata if nodata is None else nodata
    no_value = "" if nodata is None else f"<NoDataValue>{nodata!r}</NoDataValue>"
    xml = "".join(
        f'<VRTRasterBand dataType="{_GDAL_TYPES[ds.dtypes[b - 1]]}" band="{i}">{no_value}<SimpleSource>'
        f'<SourceFilename relativeToVRT="0">{escape(ds.name)}</SourceFilename><SourceBand>{b}</SourceBand>'
        "</SimpleSource></VRTRasterBand>"
        for i, b in enumerate(bands, 1)
    )
    meta = "".join(f"<MDI key={quoteattr(str(k))}>{escape(str(v))}</MDI>" for k, v in tags.items())
    return f'<VRTDataset rasterXSize="{ds.width}" rasterYSize="{ds.height}"><Metadata>{meta}</Metadata>{place}{xml}{mask}</VRTDataset>'


@contextmanager
def data_bands(ds, path: Path, channels: int):
    """(the bands of `ds` Seep reads as a dataset, a note on those left out or None). An alpha
    band (gdalwarp -dstalpha, QGIS's warp) is where there is radar, not a band of it: it becomes
    the mask, as GDAL reads it. For a one-band workspace, a file of both polarisations whose
    bands are named (SNAP's Sigma0_VH and Sigma0_VV, GDAL band descriptions VV and VH) gives its
    VV band, else HH, as a Sentinel-1 product gives its VV file: a slick damps the co-polarised
    return most. Anything else is `ds` as it is, for the band count check to judge."""
    import rasterio
    from rasterio.enums import ColorInterp

    alpha = [b for b, c in enumerate(ds.colorinterp, 1) if c == ColorInterp.alpha] if ds.count > 1 else []
    bands = [b for b in range(1, ds.count + 1) if b not in alpha]
    names = [_band_names(ds, path)[b - 1] for b in bands]
    taken = one_of(names, CO_POLARISED) if channels == 1 and len(bands) > 1 else None
    note = None
    if taken is not None:
        note = f"{path}: {taken_note('band', names, taken)}"
        bands = [bands[taken]]
    if len(bands) == ds.count:
        yield ds, None
        return
    mask = (
        f'<MaskBand><VRTRasterBand dataType="Byte"><SimpleSource><SourceFilename relativeToVRT="0">{escape(ds.name)}'
        "</SourceFilename><SourceBand>mask,1</SourceBand></SimpleSource></VRTRasterBand></MaskBand>"
        if alpha
        else ""
    )
    with rasterio.open(_vrt(ds, _own_place(ds), ds.tags(), None, bands, mask)) as chosen:
        yield chosen, note


def _band_names(ds, path: Path) -> list[str]:
    """SNAP's names for the bands (in its header), else GDAL's band descriptions; "" where none."""
    snap = snap_tiff(path) if Path(path).is_file() else None
    return list(snap.bands) if snap and len(snap.bands) == ds.count else [d or "" for d in ds.descriptions]


def _own_place(ds) -> str:
    """VRT XML placing a dataset where `ds` lies: its CRS and transform, or its ground control points."""
    points, crs = ds.gcps
    if ds.crs is not None:
        return f"<SRS>{escape(ds.crs.to_wkt())}</SRS><GeoTransform>{', '.join(map(repr, ds.transform.to_gdal()))}</GeoTransform>"
    return _gcp_list([(p.col, p.row, p.x, p.y, p.z) for p in points], crs.to_wkt()) if points else ""


@contextmanager
def placed_like(mds, ds):
    """The mask `mds` placed by the ground control points of its scene `ds`, where the scene has
    them and the mask, on the same pixels (its size), says nothing of its place: a mask drawn in
    the radar's own geometry by a tool that kept no georeferencing. A VRT gives GDAL the points
    and reads the mask's own file; anything else is `mds` as it is."""
    import rasterio

    points, crs = ds.gcps
    bare = mds.crs is None and not mds.gcps[0] and mds.transform.is_identity
    same_pixels = (mds.height, mds.width) == (ds.height, ds.width) and mds.dtypes[0] in _GDAL_TYPES
    if ds.crs is not None or not points or not bare or not same_pixels:  # the grid check says what is wrong
        yield mds
        return
    zone = utm_zone_of(ds)  # the points as on_map_grid gives them to GDAL for the scene
    with rasterio.open(_gcp_vrt(mds, _projected(points, crs, zone), zone, {LENT: "1"})) as lent:
        yield lent


_GDAL_TYPES = {
    "uint8": "Byte",
    "int8": "Int8",
    "uint16": "UInt16",
    "int16": "Int16",
    "uint32": "UInt32",
    "int32": "Int32",
    "float32": "Float32",
    "float64": "Float64",
}
LENT = "SEEP_LENT_POINTS"  # placed_like's VRT: a mask placed by its scene's points


def is_warped(ds) -> bool:
    """Whether on_map_grid warped this dataset (a WarpedVRT over the file)."""
    return getattr(ds, "src_dataset", None) is not None


def lent_points(mds) -> bool:
    """Whether this warped mask was placed by its scene's points (placed_like's VRT)."""
    return is_warped(mds) and mds.src_dataset.tags().get(LENT) == "1"


@functools.lru_cache(maxsize=16)
def transformer(source: str, target: str):
    """One pyproj transformer per pair of CRSs (WKT, "EPSG:n", ...), built once: building it
    parses both, a millisecond or more, and pages redraw many times."""
    from pyproj import CRS, Transformer

    return Transformer.from_crs(CRS.from_user_input(source), CRS.from_user_input(target), always_xy=True)


def about(lon: float, lat: float) -> str:
    """PROJ's azimuthal equidistant projection about a place, in metres: true distances from it."""
    return f"+proj=aeqd +lat_0={lat:.6f} +lon_0={lon:.6f} +datum=WGS84 +units=m +no_defs"


@functools.lru_cache(maxsize=64)
def on_earth(wkt: str | None) -> str | None:
    """The CRS where PROJ can place it on the Earth, else None, as no CRS: a local engineering
    grid ('arbitrary' metres, as some processors write) has no latitude or longitude, and every
    place, map and area Seep gives needs them (each would fail on it)."""
    from pyproj import CRS

    return wkt if wkt is not None and CRS.from_wkt(wkt).geodetic_crs is not None else None


def lonlat(crs: str, x, y) -> tuple:
    """(lon, lat) on WGS 84 of map coordinates (numbers or arrays) in `crs`, the longitude
    within ±180: PROJ wraps what it unprojects, but a geographic scene laid past 180 E (179.9
    to 180.1) keeps its own longitudes, and 180.05 E is 179.95 W to a map or a report."""
    lon, lat = transformer(crs, "EPSG:4326").transform(x, y)
    return (lon + 180) % 360 - 180, lat


def utm_zone_of(ds) -> str:
    """The WGS 84 UTM zone (as "EPSG:n") at the ground control point nearest the middle of the
    raster (never a mean of longitudes, which lands on the wrong side of the globe for a scene
    across the antimeridian); beyond 84 N and 80 S, where UTM stops, the polar stereographic
    grid that completes it (UPS). Warped onto the points' own degrees there, a pass at 86.5 N
    had square pixels of 144 m north to south for its 10 m: 500 rows became 43."""
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    points, crs = ds.gcps
    mid = min(points, key=lambda p: (p.row - ds.height / 2) ** 2 + (p.col - ds.width / 2) ** 2)
    lon, lat = transformer(crs.to_wkt(), "EPSG:4326").transform(mid.x, mid.y)
    zones = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat))
    if zones:
        return f"EPSG:{zones[0].code}"
    return "EPSG:32661" if lat > 0 else "EPSG:32761"  # WGS 84 / UPS North, South


def grid_of(ds, what: str = "scene") -> SceneGrid:
    """The dataset's grid, checked: one dtype for every band, a readable CRS."""
    dtypes = set(ds.dtypes)
    if len(dtypes) != 1:
        raise BadInputError(f"{what} {ds.name} mixes band types {sorted(dtypes)}; Seep reads one type per scene")
    crs = None
    if ds.crs is not None:
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            crs = on_earth(CRS.from_user_input(ds.crs.to_wkt()).to_wkt())
        except (CRSError, ValueError) as e:
            raise BadInputError(f"{what} {ds.name} has a coordinate system that cannot be read: {first_line(e)}") from e
    return SceneGrid(ds.height, ds.width, ds.count, dtypes.pop(), crs, tuple(ds.transform)[:6])


def check_pixels(grid: SceneGrid, what: str) -> None:
    """Pixels Seep reads at all, whatever will read them."""
    if np.dtype(grid.dtype) not in [np.dtype(d) for d in IMAGE_DTYPES]:
        raise BadInputError(f"{what} has pixel type {grid.dtype}; Seep reads uint8, uint16 or float32 (linear or dB)")
    if not 1 <= grid.bands <= MAX_CHANNELS:
        raise BadInputError(f"{what} has {grid.bands} bands; Seep reads 1..{MAX_CHANNELS}")


def check_mask_bands(grid: SceneGrid, mask: Path) -> None:
    if grid.bands != 1 or not np.issubdtype(np.dtype(grid.dtype), np.integer):
        raise BadInputError(f"mask {mask} must be one band of integer class ids; it has {grid.bands} band(s) of {grid.dtype}")


def check_image_grid(grid: SceneGrid, what: str, channels: int) -> None:
    check_pixels(grid, what)
    if grid.bands != channels:
        raise BadInputError(
            f"{what} has {grid.bands} bands but this workspace's dataset has {channels}; use a workspace made for {grid.bands}-band data"
        )


def tile_offsets(grid: SceneGrid, size: int) -> Iterator[tuple[int, int]]:
    """Top-left (row, col) of each tile, row by row; the last row and column are padded."""
    for r in range(0, grid.height, size):
        for c in range(0, grid.width, size):
            yield r, c


def read_tile(ds, row_off: int, col_off: int, size: int, fill: float | None) -> np.ndarray:
    """(size, size, bands) pixels of one window, which may reach past the scene's edges (a
    tile with its neighbours' margin around it); no-data (the file's no-data value, its mask,
    NaN) and what lies past the edges become `fill`, the workspace's no-data value."""
    from rasterio.windows import Window

    r0, c0 = max(row_off, 0), max(col_off, 0)
    h, w = min(row_off + size, ds.height) - r0, min(col_off + size, ds.width) - c0
    with _reading(ds, r0, c0):
        data = np.moveaxis(ds.read(window=Window(c0, r0, w, h)), 0, -1)
        valid = ds.dataset_mask(window=Window(c0, r0, w, h)) > 0
    if np.issubdtype(data.dtype, np.floating):
        valid &= np.isfinite(data).all(axis=2)
    value = 0 if fill is None else fill
    out = np.full((size, size, ds.count), value, dtype=data.dtype)
    out[r0 - row_off : r0 - row_off + h, c0 - col_off : c0 - col_off + w] = np.where(
        valid[..., None], data, np.array(value, dtype=data.dtype)
    )
    return out


def read_mask_tile(ds, row_off: int, col_off: int, size: int) -> np.ndarray:
    """(size, size) uint8 class ids of one window of a mask; 0 past the scene's edge."""
    from rasterio.windows import Window

    w = Window(col_off, row_off, min(size, ds.width - col_off), min(size, ds.height - row_off))
    with _reading(ds, row_off, col_off):
        data = ds.read(1, window=w)
    if data.size and (data.min() < 0 or data.max() > 255):
        raise BadInputError(f"mask {ds.name} has values outside 0..255 near row {row_off}, column {col_off}")
    out = np.zeros((size, size), np.uint8)
    out[: data.shape[0], : data.shape[1]] = data
    return out


@contextmanager
def _reading(ds, row_off: int, col_off: int):
    """A damaged or truncated file fails here, mid-scene: say where, as bad input."""
    from rasterio.errors import RasterioError

    try:
        yield
    except RasterioError as e:
        raise BadInputError(
            f"{ds.name} cannot be read near row {row_off}, column {col_off} (damaged or truncated?): {first_line(e)}"
        ) from e


# ModelPixelScale, ModelTiepoint, ModelTransformation, GeoKeyDirectory, RPCCoefficient: any one places a TIFF on a map
GEO_TAGS = frozenset({33550, 33922, 34264, 34735, 50844})


def has_geotags(path: Path) -> bool:
    """Whether a TIFF says where it lies on a map, read from its tags without GDAL."""
    import tifffile

    with tifffile.TiffFile(path) as tif:
        return bool(GEO_TAGS & set(tif.pages[0].tags.keys()))


def a_product(path: Path) -> bool:
    """Whether `path` is a SAR product as it arrives (a .SAFE, RADARSAT-2 or RCM folder, a product's
    zip, a SNAP .dim) or an image file of one that its product places (RADARSAT's): read as a
    scene is (open_scene), by windows, never as a plain tile."""
    path = Path(path)
    if product_kind(path) or snap_product(path) or zipped_product(path):
        return True
    return path.is_file() and bool(rs2_product_of(path) or rcm_product_of(path))


def georeferencing(path: Path) -> tuple[str | None, tuple, tuple | None] | None:
    """(CRS as WKT or None, affine transform, (ground control points, their CRS as WKT) or
    None) of a georeferenced TIFF or a product (a_product); None for a plain TIFF (most tiles),
    which GDAL then never opens. A prediction is on its input's pixels, so the input's points
    place it exactly."""
    if not a_product(path) and not has_geotags(path):
        return None
    with open_scene(path, "image") as ds:
        grid = grid_of(ds, "image")
        points, crs = ds.gcps
    return grid.crs, grid.transform, (tuple(points), crs.to_wkt()) if points and crs is not None else None


def replace_atomically(out: Path, write) -> None:
    """write(tmp) to a temporary file beside OUT, then rename: a failed write leaves the old file.
    What `write` makes may be a folder (an Esri File Geodatabase, OUT.gdb): it replaces OUT's."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}.", suffix=out.suffix)
    except OSError as e:  # a file where the folder should be, a read-only or full disk
        raise WorkspaceError(describe_os_error(e, out)) from None
    os.close(fd)
    os.unlink(tmp)  # GDAL creates the file itself
    try:
        write(Path(tmp))
        if os.path.isdir(tmp):
            _swap_folder(tmp, out)
        else:
            os.replace(tmp, out)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp)
        elif os.path.exists(tmp):
            os.unlink(tmp)


def _swap_folder(new: str, out: Path) -> None:
    """The folder NEW renamed OUT, the old OUT deleted after: no rename replaces a folder that holds
    files, so for an instant OUT is away (a reader then finds nothing, never half of it)."""
    if not out.exists():
        os.rename(new, out)
        return
    old = tempfile.mkdtemp(dir=out.parent, prefix=f".{out.stem}.old.")
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(new, out)
    except OSError:
        os.rename(old, out)
        raise
    shutil.rmtree(old)


def write_geotiff(
    path: Path,
    array: np.ndarray,
    crs: str | None,
    transform,
    nodata: float | None = None,
    gcps: tuple | None = None,
    tags: dict | None = None,
    colours: dict | None = None,
) -> None:
    """A (H, W) or (H, W, bands) array as a tiled, deflate-compressed GeoTIFF, placed by its
    transform or, where given, by (ground control points, their CRS); `tags`: GDAL metadata;
    `colours`: a class mask's colour table (ClassTable.colormap)."""
    import rasterio

    bands = array[None] if array.ndim == 2 else np.moveaxis(array, -1, 0)
    with rasterio.open(path, "w", **geotiff_profile(bands.shape, bands.dtype.name, crs, transform, nodata, gcps)) as ds:
        ds.write(bands)
        ds.update_tags(**(tags or {}))
        if colours:
            ds.write_colormap(1, colours)


def geotiff_profile(
    shape: tuple[int, int, int], dtype: str, crs: str | None, transform, nodata: float | None = None, gcps: tuple | None = None
) -> dict:
    """rasterio's creation options for a (bands, H, W) GeoTIFF as write_geotiff writes it, for
    a file written window by window."""
    profile = {"driver": "GTiff", "height": shape[1], "width": shape[2], "count": shape[0]}
    profile |= {"dtype": dtype, "nodata": nodata, "compress": "deflate"}
    profile |= {"gcps": list(gcps[0]), "crs": gcps[1]} if gcps else {"crs": crs, "transform": transform}
    return profile | ({"tiled": True, "blockxsize": 256, "blockysize": 256} if min(shape[1:]) >= 256 else {})
