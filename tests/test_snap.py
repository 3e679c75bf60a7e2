"""GeoTIFFs as ESA's SNAP writes them (the toolbox most Sentinel-1 scenes are calibrated in):
big-endian float32 in one strip, its product header (DIMAP XML) in TIFF tag 65000, placed by
one tie point and a pixel scale once terrain-corrected, or by a grid of tie points while still
in the radar's geometry."""

import json

import numpy as np
import pytest
import rasterio
import tifffile
from rasterio.transform import from_origin

from seep.cli import main
from seep.workspace import Workspace
from seep.workspace.scenes import scene, tile_offsets_of

HEADER = """<?xml version="1.0" encoding="ISO-8859-1"?>
<Dimap_Document name="S1A_Cal_Spk.dim"><Image_Interpretation><Spectral_Band_Info>
<BAND_INDEX>0</BAND_INDEX><BAND_NAME>Sigma0_VV</BAND_NAME><PHYSICAL_UNIT>intensity</PHYSICAL_UNIT>
<NO_DATA_VALUE_USED>true</NO_DATA_VALUE_USED><NO_DATA_VALUE>0.0</NO_DATA_VALUE>
</Spectral_Band_Info></Image_Interpretation></Dimap_Document>"""


def snap_geotiff(path, array, ties, scale, epsg):
    """`array` written as SNAP writes a band: `ties` (col, row, x, y) GeoTIFF tie points in
    EPSG `epsg`, `scale` the pixel scale."""
    geographic = epsg == 4326
    keys = [1, 1, 0, 3, 1024, 0, 1, 2 if geographic else 1, 1025, 0, 1, 1, 2048 if geographic else 3072, 0, 1, epsg]
    flat = [v for col, row, x, y in ties for v in (col, row, 0.0, x, y, 0.0)]
    tags = [
        (33550, "d", 3, (*scale, 0.0), False),
        (33922, "d", len(flat), flat, False),
        (34735, "H", len(keys), keys, False),
        (65000, "s", 0, HEADER, False),
    ]
    tifffile.imwrite(path, array, byteorder=">", rowsperstrip=array.shape[0], extratags=tags, photometric="minisblack")


def sigma0(h, w, seed=0):
    """Calibrated backscatter (linear sigma0), no radar (0) west of the swath, a dark slick."""
    a = np.random.default_rng(seed).gamma(4.0, 0.01, (h, w)).astype(np.float32) + 0.01
    a[:, :40] = 0
    a[280:300, 100:400] *= 0.05
    return a


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_a_terrain_corrected_snap_geotiff_imports_on_its_grid(capsys, tmp_path):
    """GDAL 3.10 claims SNAP's files for its SNAP_TIFF driver, which keeps no grid for a
    terrain-corrected one: the import refused it as "not a GeoTIFF (GDAL reads it as SNAP_TIFF)",
    and gdal_translate, which it advised, loses the grid as well."""
    path = tmp_path / "S1A_IW_GRDH_1SDV_20231001T054512_Cal_Spk_TC.tif"
    snap_geotiff(path, sigma0(600, 500), [(0.0, 0.0, 500000.0, 4600000.0)], (10.0, 10.0), 32631)
    with rasterio.open(path) as ds:
        assert ds.driver == "SNAP_TIFF" and ds.crs is None  # why Seep reads it with the GeoTIFF driver
    ws_path = str(tmp_path / "ws")
    code, out, err = run(capsys, "import", str(path), "--workspace", ws_path)
    assert code == 0, err
    sc = scene(Workspace(ws_path), path.stem)
    assert "UTM zone 31N" in sc.grid.crs and sc.grid.transform == tuple(from_origin(500000, 4600000, 10, 10))[:6]
    assert sc.acquired == "2023-10-01T05:45:12Z" and "warped" not in err


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_a_snap_geotiff_in_radar_geometry_is_placed_by_its_tie_points(capsys, tmp_path):
    """Read as a plain GeoTIFF, the pixel scale of 1 beside SNAP's grid of tie points made an
    affine grid of 1-degree pixels from the first point: the scene would lie across half the
    planet. Its tie points place it, warped onto its UTM zone as a GRD file is, the header's
    no-data value kept out of the swath's edge, and a slick exports where the points put it."""
    h, w = 600, 500

    def lonlat(col, row):  # a tilted swath of ~10 m pixels
        return 3.0 + col * 1.2e-4 - row * 2e-5, 42.9 - row * 9e-5 - col * 1.5e-5

    ties = [(c, r, *lonlat(c, r)) for r in np.linspace(0.5, h - 0.5, 6) for c in np.linspace(0.5, w - 0.5, 5)]
    path = tmp_path / "S1A_radar.tif"
    snap_geotiff(path, sigma0(h, w), ties, (1.0, 1.0), 4326)
    mask = np.zeros((h, w), np.uint8)
    mask[280:300, 100:400] = 1  # drawn on the radar's own pixels, as SNAP's own mask would be
    tifffile.imwrite(tmp_path / "slick.tif", mask)
    with rasterio.open(path, driver="GTiff") as ds:
        assert abs(ds.transform.a) == 1.0  # the 1-degree grid GDAL's GeoTIFF driver makes

    ws_path = str(tmp_path / "ws")
    code, out, err = run(capsys, "import", str(path), "--mask", str(tmp_path / "slick.tif"), "--workspace", ws_path)
    assert code == 0, err
    assert "placed on the map by 30 ground control points" in err and "UTM zone 31N" in err
    ws = Workspace(ws_path)
    pixels = np.concatenate([ws.read_image(i).ravel() for i in tile_offsets_of(ws, "S1A_radar")])
    radar = pixels[pixels > 0]
    assert radar.min() > 0.0002 and radar.size > 0.97 * (h * w - 40 * h)  # the swath whole, its edge not blended with 0

    assert run(capsys, "export-seeps", str(tmp_path / "s.geojson"), "--workspace", ws_path)[0] == 0
    (slick,) = json.loads((tmp_path / "s.geojson").read_text())["features"]
    lon, lat = lonlat(250, 290)
    assert abs(slick["properties"]["centroid_lon"] - lon) < 3e-4 and abs(slick["properties"]["centroid_lat"] - lat) < 3e-4

    # Predicted as it is given, its masks carry the same tie points, so a GIS places them alike.
    code, out, err = run(capsys, "predict", "--data", str(path), "--out", str(tmp_path / "p"))
    assert code == 0, err
    with rasterio.open(tmp_path / "p" / "train_masks_256" / "S1A_radar.tif") as ds:
        points, crs = ds.gcps
    assert crs.to_epsg() == 4326 and [(p.col, p.row, p.x, p.y) for p in points] == [tuple(t) for t in ties]
