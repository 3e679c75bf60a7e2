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

import seep.data.raster
from seep.cli import main
from seep.workspace import Workspace
from seep.workspace.scenes import scene, tile_offsets_of

BAND = """<Spectral_Band_Info><BAND_INDEX>{i}</BAND_INDEX><BAND_NAME>{name}</BAND_NAME>
<PHYSICAL_UNIT>intensity</PHYSICAL_UNIT><NO_DATA_VALUE_USED>true</NO_DATA_VALUE_USED><NO_DATA_VALUE>0.0</NO_DATA_VALUE>
</Spectral_Band_Info>"""


def header(*bands):
    infos = "".join(BAND.format(i=i, name=name) for i, name in enumerate(bands))
    return f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<Dimap_Document name="S1A_Cal_Spk.dim"><Image_Interpretation>{infos}</Image_Interpretation></Dimap_Document>"""


def snap_geotiff(path, array, ties, scale, epsg, bands=("Sigma0_VV",)):
    """`array` ((H, W), or (bands, H, W)) written as SNAP writes a product: `ties` (col, row,
    x, y) GeoTIFF tie points in EPSG `epsg`, `scale` the pixel scale, `bands` their names."""
    geographic = epsg == 4326
    keys = [1, 1, 0, 3, 1024, 0, 1, 2 if geographic else 1, 1025, 0, 1, 1, 2048 if geographic else 3072, 0, 1, epsg]
    flat = [v for col, row, x, y in ties for v in (col, row, 0.0, x, y, 0.0)]
    tags = [
        (33550, "d", 3, (*scale, 0.0), False),
        (33922, "d", len(flat), flat, False),
        (34735, "H", len(keys), keys, False),
        (65000, "s", 0, header(*bands), False),
    ]
    layout = {"planarconfig": "separate"} if array.ndim == 3 else {}
    tifffile.imwrite(path, array, byteorder=">", rowsperstrip=array.shape[-2], extratags=tags, photometric="minisblack", **layout)


def sigma0(h, w, seed=0, scale=0.01):
    """Calibrated backscatter (linear sigma0), no radar (0) west of the swath, a dark slick."""
    a = np.random.default_rng(seed).gamma(4.0, scale, (h, w)).astype(np.float32) + scale
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


def lonlat(col, row):  # a tilted swath of ~10 m pixels
    return 3.0 + col * 1.2e-4 - row * 2e-5, 42.9 - row * 9e-5 - col * 1.5e-5


def tie_grid(h, w):
    return [(c, r, *lonlat(c, r)) for r in np.linspace(0.5, h - 0.5, 6) for c in np.linspace(0.5, w - 0.5, 5)]


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_a_snap_geotiff_in_radar_geometry_is_placed_by_its_tie_points(capsys, tmp_path):
    """Read as a plain GeoTIFF, the pixel scale of 1 beside SNAP's grid of tie points made an
    affine grid of 1-degree pixels from the first point: the scene would lie across half the
    planet. Its tie points place it, warped onto its UTM zone as a GRD file is, the header's
    no-data value kept out of the swath's edge, and a slick exports where the points put it."""
    h, w = 600, 500
    ties = tie_grid(h, w)
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


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_a_dual_polarisation_file_gives_a_one_band_workspace_its_vv_band(capsys, tmp_path, monkeypatch):
    """SNAP exports every band of the product (Sigma0_VH and Sigma0_VV); a GeoTIFF made with GDAL
    may name its bands VV and VH. Both were refused ("2 bands but this workspace's dataset has
    1"): the VV band is imported, as a Sentinel-1 product's VV file is, and the VH band is said
    to be left out. Bands that say nothing of their polarisation are still refused."""
    h, w = 600, 500
    vh, vv = sigma0(h, w, seed=1, scale=0.002), sigma0(h, w, seed=2)
    snap = tmp_path / "S1A_dual.tif"
    snap_geotiff(snap, np.stack([vh, vv]), tie_grid(h, w), (1.0, 1.0), 4326, bands=("Sigma0_VH", "Sigma0_VV"))
    described = tmp_path / "gdal_dual.tif"
    profile = {"driver": "GTiff", "height": h, "width": w, "count": 2, "dtype": "float32", "crs": "EPSG:32631"}
    with rasterio.open(described, "w", transform=from_origin(500000, 4600000, 10, 10), **profile) as ds:
        ds.write(np.stack([vv, vh]))
        ds.descriptions = ("VV", "VH")
    ws_path = str(tmp_path / "ws")
    for path, said in (
        (snap, "its VV band Sigma0_VV imported (Sigma0_VH left out)"),
        (described, "its VV band VV imported (VH left out)"),
    ):
        code, out, err = run(capsys, "import", str(path), "--workspace", ws_path)
        assert code == 0 and f"warning: {path}: {said}" in err, err
    ws = Workspace(ws_path)
    first = ws.read_image(next(iter(tile_offsets_of(ws, "gdal_dual"))))  # the tile at (0, 0), on the file's own grid
    np.testing.assert_array_equal(first[:, :, 0], vv[:256, :256])
    warped = np.concatenate([ws.read_image(i).ravel() for i in tile_offsets_of(ws, "S1A_dual")])
    assert np.median(warped[warped > 0]) > 0.03  # VV's backscatter, not VH's (~0.01)

    # Predicted as given, the same band is read: the masks are those of the VV band alone (both
    # read by windows, as the dual file is, so that they may be compared pixel for pixel).
    monkeypatch.setattr(seep.data.raster, "WHOLE_PX", 1000)
    (tmp_path / "vv").mkdir()
    tifffile.imwrite(tmp_path / "vv" / "gdal_dual.tif", vv)
    for data, out in ((described, "both"), (tmp_path / "vv", "vv")):
        code, said, err = run(capsys, "predict", "--data", str(data), "--out", str(tmp_path / out))
        assert code == 0 and said.startswith("predicted 1 raster"), err
        assert (f"note: {described}: its VV band VV predicted (VH left out)" in err) == (out == "both"), err
    np.testing.assert_array_equal(
        tifffile.imread(tmp_path / "both" / "train_masks_256" / "gdal_dual.tif"),
        tifffile.imread(tmp_path / "vv" / "train_masks_256" / "gdal_dual.tif"),
    )
    # And scored as given (`evaluate --data`), the same figures as the VV band's alone.
    mask = np.zeros((h, w), np.uint8)
    mask[280:300, 100:400] = 1
    scores = []
    for name, image in (("both", described.read_bytes()), ("vv", (tmp_path / "vv" / "gdal_dual.tif").read_bytes())):
        for folder, data in (("train_images_256", image), ("train_masks_256", None)):
            (tmp_path / f"eval_{name}" / folder).mkdir(parents=True)
            target = tmp_path / f"eval_{name}" / folder / "gdal_dual.tif"
            target.write_bytes(data) if data else tifffile.imwrite(target, mask)
        code, said, err = run(capsys, "evaluate", "--data", str(tmp_path / f"eval_{name}"), "--json")
        assert code == 0, err
        scores.append(json.loads(said)["binary_iou"])
    assert scores[0] == scores[1]

    with rasterio.open(described, "r+") as ds:
        ds.descriptions = ("band a", "band b")
    code, out, err = run(capsys, "import", str(described), "--scene", "unnamed", "--workspace", ws_path)
    assert code == 1 and "has 2 bands but this workspace's dataset has 1" in err


TIE_POINT_GRID = """<Tie_Point_Grid_Info><TIE_POINT_GRID_INDEX>{i}</TIE_POINT_GRID_INDEX>
<TIE_POINT_GRID_NAME>{name}</TIE_POINT_GRID_NAME><DATA_TYPE>float32</DATA_TYPE><NCOLS>{cols}</NCOLS><NROWS>{rows}</NROWS>
<OFFSET_X>0.5</OFFSET_X><OFFSET_Y>0.5</OFFSET_Y><STEP_X>{dx}</STEP_X><STEP_Y>{dy}</STEP_Y><CYCLIC>false</CYCLIC>
</Tie_Point_Grid_Info>"""


def dimap_product(folder, name, bands, crs="EPSG:32631", ties=None):
    """A product as SNAP saves it (BEAM-DIMAP): NAME.dim beside NAME.data/, a band per ENVI raster;
    in the radar's geometry (no `crs`), placed by latitude and longitude tie-point grids from
    `ties`, a function of (col, row), at every 100th pixel."""
    data = folder / f"{name}.data"
    (data / "tie_point_grids").mkdir(parents=True)
    grids = ""
    for band, array in bands.items():
        profile = {"driver": "ENVI", "height": array.shape[0], "width": array.shape[1], "count": 1, "dtype": "float32"}
        place = {"crs": crs, "transform": from_origin(500000, 4600000, 10, 10)} if crs else {}
        with rasterio.open(data / f"{band}.img", "w", **profile, **place) as ds:
            ds.write(array[None])
    if ties:
        h, w = array.shape
        cols, rows = np.meshgrid(0.5 + np.arange(0, w + 1, 100), 0.5 + np.arange(0, h + 1, 100))
        for i, name_ in enumerate(("latitude", "longitude")):
            grid = np.vectorize(lambda c, r, i=i: ties(c, r)[1 - i])(cols, rows).astype(np.float32)
            profile = {"driver": "ENVI", "height": grid.shape[0], "width": grid.shape[1], "count": 1, "dtype": "float32"}
            with rasterio.open(data / "tie_point_grids" / f"{name_}.img", "w", **profile) as ds:
                ds.write(grid[None])
            grids += TIE_POINT_GRID.format(i=i, name=name_, cols=grid.shape[1], rows=grid.shape[0], dx=100.0, dy=100.0)
    (folder / f"{name}.dim").write_text(f"<Dimap_Document><Tie_Point_Grids>{grids}</Tie_Point_Grids></Dimap_Document>")
    return folder / f"{name}.dim"


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_a_product_as_snap_saves_it_imports_its_vv_band(capsys, tmp_path):
    """SNAP saves a product as NAME.dim beside NAME.data/, a band per ENVI raster: it was refused
    as not a GeoTIFF. Given the .dim (alone or in a drop of passes), its VV band is the scene,
    named for the product, its time read from that name, the other bands said to be left out;
    one still in the radar's geometry is placed by its tie-point grids, and one with neither map
    info nor grids is refused with what to do in SNAP."""
    h, w = 600, 500
    name = "S1A_IW_GRDH_1SDV_20231001T054512_Cal_Spk_TC"
    vv, vh = sigma0(h, w, seed=3), sigma0(h, w, seed=4, scale=0.002)
    dim = dimap_product(tmp_path / "drop", name, {"Sigma0_VH": vh, "Sigma0_VV": vv})
    ws_path = str(tmp_path / "ws")
    code, out, err = run(capsys, "import", str(dim), "--workspace", ws_path)
    assert code == 0, err
    assert f"warning: {name}.dim: its VV band Sigma0_VV imported (Sigma0_VH left out)" in err
    ws = Workspace(ws_path)
    sc = scene(ws, name)
    assert "UTM zone 31N" in sc.grid.crs and sc.grid.transform == tuple(from_origin(500000, 4600000, 10, 10))[:6]
    assert sc.acquired == "2023-10-01T05:45:12Z"
    first = ws.read_image(next(iter(tile_offsets_of(ws, name))))
    np.testing.assert_array_equal(first[:, :, 0], vv[:256, :256])

    # In the radar's geometry, placed by its tie-point grids: warped by them, a slick where they put it.
    mask = np.zeros((h, w), np.uint8)
    mask[280:300, 100:400] = 1
    tifffile.imwrite(tmp_path / "slick.tif", mask)
    radar = dimap_product(tmp_path / "drop", "S1A_radar_geometry", {"Sigma0_VV": sigma0(h, w, seed=5)}, crs=None, ties=lonlat)
    code, out, err = run(capsys, "import", str(radar), "--mask", str(tmp_path / "slick.tif"), "--workspace", ws_path)
    assert code == 0 and "placed on the map by 42 ground control points" in err and "UTM zone 31N" in err, err
    assert (
        run(capsys, "export-seeps", str(tmp_path / "s.geojson"), "--scene", "S1A_radar_geometry", "--workspace", ws_path)[0] == 0
    )
    (slick,) = json.loads((tmp_path / "s.geojson").read_text())["features"]
    lon, lat = lonlat(250, 290)
    assert abs(slick["properties"]["centroid_lon"] - lon) < 3e-4 and abs(slick["properties"]["centroid_lat"] - lat) < 3e-4
    # Without those grids it has no place: refused with what to do in SNAP.
    lost = dimap_product(tmp_path / "drop", "S1A_no_grids", {"Sigma0_VV": vv}, crs=None)
    code, out, err = run(capsys, "import", str(lost), "--workspace", ws_path)
    assert code == 1 and "has no map info, nor tie-point grids" in err and "Terrain Correction" in err
    # In a drop of passes: the products in already, the one with no place said with why.
    code, out, err = run(capsys, "import", str(tmp_path / "drop"), "--scenes", "--workspace", ws_path)
    assert code == 3 and f"already in the workspace, or being imported now: {name}.dim, S1A_radar_geometry.dim" in out
    assert "skipped S1A_no_grids.dim: " in out and "has no map info" in out
