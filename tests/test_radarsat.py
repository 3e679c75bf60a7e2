"""RADARSAT-2 products as MDA delivers them: a folder named for the product holding product.xml
(read by GDAL's RS2 driver: where the image lies, when it was acquired) beside one GeoTIFF per
polarisation (imagery_HH.tif, imagery_HV.tif, ...) and the calibration tables. The GeoTIFFs
here carry no place of their own: product.xml places them."""

import json
import zipfile

import numpy as np
import pytest
import tifffile

from seep.cli import main
from seep.workspace import Workspace
from seep.workspace.scenes import scene, tile_offsets_of

H, W = 600, 500
NAME = "RS2_OK12345_PK678901_DK606752_SCWA_20120314_142336_HH_HV_SGF"

PRODUCT = """<?xml version="1.0" encoding="UTF-8"?>
<product xmlns="http://www.rsi.ca/rs2/prod/xml/schemas" copyright="RADARSAT-2 Data and Products (c) MDA">
  <productId>PDS_01234567</productId>
  <sourceAttributes>
    <satellite>RADARSAT-2</satellite><sensor>SAR</sensor><beamModeMnemonic>SCWA</beamModeMnemonic>
    <rawDataStartTime>2012-03-14T14:23:36.123456Z</rawDataStartTime>
  </sourceAttributes>
  <imageGenerationParameters>
    <generalProcessingInformation><productType>{kind}</productType></generalProcessingInformation>
  </imageGenerationParameters>
  <imageAttributes>
    <productFormat>GeoTIFF</productFormat>
    <rasterAttributes>
      <dataType>Magnitude Detected</dataType><bitsPerSample dataStream="Magnitude">16</bitsPerSample>
      <numberOfSamplesPerLine>{w}</numberOfSamplesPerLine><numberOfLines>{h}</numberOfLines>
      <sampledPixelSpacing units="m">10.0</sampledPixelSpacing><sampledLineSpacing units="m">10.0</sampledLineSpacing>
    </rasterAttributes>
    <geographicInformation>
      <geolocationGrid>{ties}</geolocationGrid>
      {projection}
      <referenceEllipsoidParameters><ellipsoidName>WGS 1984</ellipsoidName><semiMajorAxis units="m">6378137.0</semiMajorAxis>
      <semiMinorAxis units="m">6356752.314245</semiMinorAxis><geodeticTerrainHeight units="m">0.0</geodeticTerrainHeight>
      </referenceEllipsoidParameters>
    </geographicInformation>
    {files}
    <lookupTable incidenceAngleCorrection="Sigma Nought">lutSigma.xml</lookupTable>
  </imageAttributes>
</product>
"""
TIE = (
    "<imageTiePoint><imageCoordinate><line>{r}</line><pixel>{c}</pixel></imageCoordinate><geodeticCoordinate>"
    '<latitude units="deg">{lat}</latitude><longitude units="deg">{lon}</longitude><height units="m">0.0</height>'
    "</geodeticCoordinate></imageTiePoint>"
)
# An SSG product is map-projected: its corners' pixel centres on UTM zone 31N, 10 m pixels.
UTM = """<mapProjection><mapProjectionDescriptor>UTM</mapProjectionDescriptor><positioningInformation>
  <upperLeftCorner><mapCoordinate><easting>500005</easting><northing>4599995</northing></mapCoordinate></upperLeftCorner>
  <upperRightCorner><mapCoordinate><easting>{e}</easting><northing>4599995</northing></mapCoordinate></upperRightCorner>
  <lowerLeftCorner><mapCoordinate><easting>500005</easting><northing>{n}</northing></mapCoordinate></lowerLeftCorner>
  <lowerRightCorner><mapCoordinate><easting>{e}</easting><northing>{n}</northing></mapCoordinate></lowerRightCorner>
  </positioningInformation><utmProjectionParameters><utmZone>31</utmZone><hemisphere>Northern</hemisphere>
  </utmProjectionParameters></mapProjection>"""


def lonlat(col, row):  # a tilted, descending swath of ~10 m pixels
    return 3.0 + col * 1.2e-4 - row * 2e-5, 42.9 - row * 9e-5 - col * 1.5e-5


def rs2_product(folder, bands, kind="SGF"):
    """A product folder as MDA delivers it: `bands` {polarisation: image}, each its GeoTIFF."""
    folder.mkdir(parents=True)
    rows, cols = np.linspace(0, H - 1, 6), np.linspace(0, W - 1, 5)
    ties = "".join(TIE.format(r=r, c=c, lon=lonlat(c, r)[0], lat=lonlat(c, r)[1]) for r in rows for c in cols)
    projection = UTM.format(e=500005 + 10 * (W - 1), n=4599995 - 10 * (H - 1)) if kind == "SSG" else ""
    files = "".join(f'<fullResolutionImageData pole="{p}">imagery_{p}.tif</fullResolutionImageData>' for p in bands)
    (folder / "product.xml").write_text(PRODUCT.format(kind=kind, w=W, h=H, ties=ties, projection=projection, files=files))
    (folder / "lutSigma.xml").write_text('<?xml version="1.0"?><lut><offset>0.0</offset><gains>1 1</gains></lut>')
    for pol, image in bands.items():
        tifffile.imwrite(folder / f"imagery_{pol}.tif", image)
    tifffile.imwrite(folder / "BrowseImage.tif", (bands[next(iter(bands))][::8, ::8] // 16).astype(np.uint8))
    return folder


def zip_folder(folder, out, nested=False):
    with zipfile.ZipFile(out, "w") as z:
        for f in sorted(folder.rglob("*") if nested else folder.iterdir()):
            z.write(f, f"{folder.name}/{f.relative_to(folder).as_posix()}")
    return out


def amplitude(seed=0):
    """Detected amplitude (uint16), no radar (0) west of the swath, a dark slick."""
    a = np.random.default_rng(seed).integers(800, 3000, (H, W)).astype(np.uint16)
    a[:, :40] = 0
    a[280:300, 100:400] //= 20
    return a


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def slick_mask(path):
    mask = np.zeros((H, W), np.uint8)
    mask[280:300, 100:400] = 1  # on the radar's own pixels
    tifffile.imwrite(path, mask)
    return path


def assert_slick_where_the_tie_points_put_it(capsys, tmp_path, ws_path):
    """The slick of slick_mask, exported, lies where lonlat puts its middle (within ~30 m)."""
    assert run(capsys, "export-seeps", str(tmp_path / "s.geojson"), "--workspace", ws_path)[0] == 0
    (slick,) = json.loads((tmp_path / "s.geojson").read_text())["features"]
    lon, lat = lonlat(250, 290)
    assert abs(slick["properties"]["centroid_lon"] - lon) < 3e-4 and abs(slick["properties"]["centroid_lat"] - lat) < 3e-4


def test_a_radarsat2_product_imports_its_co_polarised_image_where_product_xml_places_it(capsys, tmp_path):
    """Given whole, the folder was "a folder, not a GeoTIFF"; its imagery_HH.tif alone imported
    with no coordinate system as a scene named "imagery_HH" (each product's is), and its
    time unknown. Placed by product.xml's tie points (GDAL's RS2 driver), warped as a Sentinel-1
    GRD file is, named for the product, acquired when product.xml says."""
    product = rs2_product(tmp_path / "drop" / NAME, {"HH": amplitude(), "HV": amplitude(1) // 4})
    ws_path = str(tmp_path / "ws")
    code, out, err = run(
        capsys, "import", str(product), "--mask", str(slick_mask(tmp_path / "slick.tif")), "--workspace", ws_path
    )
    assert code == 0, err
    assert f"warning: {NAME}: its HH file imagery_HH.tif imported (imagery_HV.tif left out)" in err
    assert "placed on the map by 30 ground control points" in err and "UTM zone 31N" in err
    assert "acquired 2012-03-14 14:23 UTC (read from its ACQUISITION_START_TIME tag)" in out
    ws = Workspace(ws_path)
    sc = scene(ws, NAME)
    assert sc.acquired == "2012-03-14T14:23:36Z" and "UTM zone 31N" in sc.grid.crs
    pixels = np.concatenate([ws.read_image(i).ravel() for i in tile_offsets_of(ws, NAME)])
    assert pixels.max() > 2000  # the HH image, not HV's quarter of it

    assert_slick_where_the_tie_points_put_it(capsys, tmp_path, ws_path)

    # Its product.xml, or one of its image files given by itself, is the same product: named for
    # it (here, so already imported) and placed by it, not by nothing.
    for given in (product / "product.xml", product / "imagery_HV.tif"):
        code, out, err = run(capsys, "import", str(given), "--workspace", ws_path)
        assert code == 1 and f"scene {NAME} is already in this workspace" in err
    code, out, err = run(capsys, "import", str(product / "imagery_HV.tif"), "--scene", "hv", "--workspace", ws_path)
    assert code == 0 and "placed on the map by 30 ground control points" in err, err
    assert scene(Workspace(ws_path), "hv").grid == sc.grid
    # The browse image is not the product's image: product.xml does not place it.
    code, out, err = run(capsys, "import", str(product / "BrowseImage.tif"), "--scene", "browse", "--workspace", ws_path)
    assert code == 0 and "has no coordinate system" in err

    # Zipped as EODMS delivers it: read in place (nothing unzipped), the same scene. It was taken
    # for an ASF product (imagery_HH.tif beside imagery_HV.tif) and imported with no place.
    zipped = zip_folder(product, tmp_path / "download.zip")
    other = str(tmp_path / "ws_zip")
    code, out, err = run(capsys, "import", str(zipped), "--workspace", other)
    assert code == 0 and "download.zip: its HH file imagery_HH.tif imported (imagery_HV.tif left out)" in err, err
    again = Workspace(other)
    assert scene(again, NAME).grid == sc.grid and scene(again, NAME).acquired == sc.acquired
    assert set(tile_offsets_of(again, NAME)) == set(tile_offsets_of(ws, NAME))  # the same pixels, tile for tile
    # Its list of files damaged on the way (the zip's end): said, not zipfile's traceback.
    data = bytearray(zipped.read_bytes())
    data[-4] ^= 0xFF  # where its list of files begins
    (tmp_path / "damaged.zip").write_bytes(bytes(data))
    code, out, err = run(capsys, "import", str(tmp_path / "damaged.zip"), "--workspace", other)
    assert code == 1 and "damaged.zip is " in err and "download it again" in err and "Traceback" not in err, err
    # The image file product.xml names missing from the list (left out, or its name garbled there,
    # as bench_fuzz.py found): said, not zipfile's KeyError.
    with zipfile.ZipFile(tmp_path / "partial.zip", "w") as z:
        for f in sorted(product.iterdir()):
            if f.name != "imagery_HH.tif":
                z.write(f, f"{NAME}/{f.name}")
    code, out, err = run(capsys, "import", str(tmp_path / "partial.zip"), "--workspace", other)
    assert code == 1 and f"its product names {NAME}/imagery_HH.tif, which is not in it" in err and "Traceback" not in err, err
    # A product.xml of 80 MB (zipped in 80 KB: what a Scene page upload could hold) is not read.
    with zipfile.ZipFile(tmp_path / "huge.zip", "w", zipfile.ZIP_DEFLATED) as z, z.open(f"{NAME}/product.xml", "w") as f:
        f.write((product / "product.xml").read_bytes()[:2048])
        for _ in range(80):
            f.write(b" " * (1 << 20))
    code, out, err = run(capsys, "import", str(tmp_path / "huge.zip"), "--workspace", other)
    assert code == 1 and "product.xml in it holds 84 MB, far more than a product's XML" in err, err


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_radarsat2_products_in_a_drop_and_what_is_refused(capsys, tmp_path):
    """Beside Sentinel-1 products, a drop's RADARSAT-2 product folders are each a scene (a quad-pol
    one gives its VV image); one copied in part, or with a damaged product.xml, is said with why
    and the others go in; a map-projected (SSG) one lies on its own grid, not warped."""
    drop = tmp_path / "drop"
    quad = NAME.replace("HH_HV_SGF", "HH_VV_HV_VH_SGF").replace("142336", "142400")
    rs2_product(drop / quad, {p: amplitude(i) for i, p in enumerate(("HH", "VV", "HV", "VH"))})
    ssg = NAME.replace("SGF", "SSG").replace("142336", "142500")
    rs2_product(drop / ssg, {"HH": amplitude()}, kind="SSG")
    part = rs2_product(drop / NAME.replace("142336", "142600"), {"HH": amplitude(), "HV": amplitude(1)})
    (part / "imagery_HH.tif").unlink()
    damaged = rs2_product(drop / NAME.replace("142336", "142700"), {"HH": amplitude()})
    (damaged / "product.xml").write_text((damaged / "product.xml").read_text()[:1500])
    zip_folder(drop / quad, drop / f"{quad}.zip")  # downloaded, then unzipped beside it

    ws_path = str(tmp_path / "ws")
    code, out, err = run(capsys, "import", str(drop), "--scenes", "--workspace", ws_path)
    assert code == 3, err
    assert f"{quad}: its VV file imagery_VV.tif imported (imagery_HH.tif, imagery_HV.tif, imagery_VH.tif left out)" in err
    assert f"skipped {part.name}: {part} is a RADARSAT-2 product without imagery_HH.tif, which its product.xml names" in out
    assert f"skipped {damaged.name}: {damaged / 'product.xml'} cannot be read" in out
    assert f"skipped {quad}.zip: {drop / quad}.zip would be scene {quad}, as {quad} beside it is: imported from there" in out
    ws = Workspace(ws_path)
    assert scene(ws, quad).acquired == "2012-03-14T14:23:36Z"
    grid = scene(ws, ssg).grid
    assert "UTM zone 31N" in grid.crs and grid.transform == (10.0, 0.0, 500000.0, 0.0, -10.0, 4600000.0)
    first = ws.read_image(next(iter(tile_offsets_of(ws, ssg))))
    np.testing.assert_array_equal(first[:, :, 0], amplitude()[:256, :256])  # on its grid: its pixels as they are

    # A folder of tiles holding a product is told to import the product as a scene.
    tiles = tmp_path / "tiles"
    rs2_product(tiles / NAME, {"HH": amplitude()})
    zip_folder(tiles / NAME, tiles / "pass.zip")
    tifffile.imwrite(tiles / "a.tif", amplitude()[:256, :256])
    code, out, err = run(capsys, "import", str(tiles), "--workspace", str(tmp_path / "ws2"))
    assert code == 3 and "1 image added" in out
    assert f"skipped {NAME}/: a RADARSAT-2 product, a scene: `python -m seep import {tiles / NAME}` imports it" in out
    assert (
        f"skipped {tiles.name}/pass.zip: a SAR product, a scene: `python -m seep import {tiles / 'pass.zip'}` imports it" in out
    )


RCM = "RCM2_OK2116806_PK2116811_1_16M5_20220605_070317_HH_HV_GRD"
RCM_PRODUCT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<product xmlns="rcmGsProductSchema" copyright="RCM Data and Products (c) CSA">
  <productId>2116811_1</productId>
  <productApplication>OilPollutn</productApplication>
  <sourceAttributes><satellite>RCM-2</satellite><sensor>SAR</sensor><beamModeMnemonic>16M5</beamModeMnemonic>
    <rawDataStartTime>2022-06-05T07:03:17.441000Z</rawDataStartTime></sourceAttributes>
  <imageReferenceAttributes>
    <rasterAttributes><dataType>Magnitude Detected</dataType><bitsPerSample>16</bitsPerSample></rasterAttributes>
    <geographicInformation>
      <ellipsoidParameters><ellipsoidName>WGS 1984</ellipsoidName></ellipsoidParameters>
      <geolocationGrid>{ties}</geolocationGrid>
    </geographicInformation>
  </imageReferenceAttributes>
  <sceneAttributes><numberOfEntries>1</numberOfEntries>
    <imageAttributes sampleType="Magnitude Detected">{files}
      <pixelOffset>0</pixelOffset><lineOffset>0</lineOffset><numLines>{h}</numLines><samplesPerLine>{w}</samplesPerLine>
    </imageAttributes>
  </sceneAttributes>
</product>
"""


def rcm_product(folder, bands):
    """An RCM product as the CSA delivers it: manifest.safe, metadata/product.xml placing the
    images by a grid of tie points (as dense as RCM's: every 20th pixel), imagery/ of GeoTIFFs."""
    (folder / "metadata").mkdir(parents=True)
    (folder / "imagery").mkdir()
    (folder / "manifest.safe").write_text('<?xml version="1.0"?><xfdu:XFDU xmlns:xfdu="urn:ccsds:schema:xfdu:1"/>')
    rows, cols = np.arange(0, H + 1, 20, dtype=float), np.arange(0, W + 1, 20, dtype=float)
    ties = "".join(TIE.format(r=r, c=c, lon=lonlat(c, r)[0], lat=lonlat(c, r)[1]) for r in rows for c in cols)
    files = "".join(f'<ipdf pole="{p}">../imagery/2116811_1_{p}.tif</ipdf>' for p in bands)
    (folder / "metadata" / "product.xml").write_text(RCM_PRODUCT.format(ties=ties, files=files, h=H, w=W))
    for pol, image in bands.items():
        tifffile.imwrite(folder / "imagery" / f"2116811_1_{pol}.tif", image)
    return folder


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_an_rcm_product_imports_its_co_polarised_image_placed_by_its_tie_points(capsys, tmp_path):
    """An RCM product (the CSA's: manifest.safe beside metadata/product.xml and imagery/) was taken
    for a Sentinel-1 product by its manifest.safe and refused as one "with no measurement GeoTIFF".
    Its HH image is the scene, named for the product, placed by product.xml's tie points (no GDAL
    driver for RCM here) and timed by it; of a compact-polarisation one (CH and CV, no VV or HH)
    its CV image is the scene (the sea's return there is mostly VV's), and its CH given by itself
    is placed as its product is; one of neither is refused naming its files."""
    drop = tmp_path / "drop"
    product = rcm_product(drop / RCM, {"HH": amplitude(), "HV": amplitude(1) // 4})
    ws_path = str(tmp_path / "ws")
    code, out, err = run(
        capsys, "import", str(product), "--mask", str(slick_mask(tmp_path / "slick.tif")), "--workspace", ws_path
    )
    assert code == 0, err
    assert f"warning: {RCM}: its HH file 2116811_1_HH.tif imported (2116811_1_HV.tif left out)" in err
    assert "placed on the map by 270 ground control points" in err and "UTM zone 31N" in err
    sc = scene(Workspace(ws_path), RCM)
    assert sc.acquired == "2022-06-05T07:03:17Z"
    assert_slick_where_the_tie_points_put_it(capsys, tmp_path, ws_path)

    compact = RCM.replace("HH_HV", "CH_CV").replace("070317", "070400")
    rcm_product(drop / compact, {"CH": amplitude(2), "CV": amplitude(3)})
    cross = RCM.replace("HH_HV", "HV").replace("070317", "070500")  # cross-polarised alone: no slick to see
    rcm_product(drop / cross, {"HV": amplitude(4), "VH": amplitude(5)})
    code, out, err = run(capsys, "import", str(drop), "--scenes", "--workspace", ws_path)
    assert code == 3 and f"already in the workspace, or being imported now: {RCM}" in out
    assert f"{compact}: its CV file 2116811_1_CV.tif imported (2116811_1_CH.tif left out)" in err, err
    assert scene(Workspace(ws_path), compact).acquired == "2022-06-05T07:03:17Z"
    assert f"skipped {cross}: {drop / cross} is an RCM product with no one VV, HH, CV or CH image file" in out
    assert "(it holds 2116811_1_HV.tif, 2116811_1_VH.tif): import one of them itself" in out
    alone = str(tmp_path / "ws_ch")
    code, out, err = run(capsys, "import", str(drop / compact / "imagery" / "2116811_1_CH.tif"), "--workspace", alone)
    assert code == 0 and "placed on the map by 270 ground control points" in err, err
    assert scene(Workspace(alone), compact).acquired == "2022-06-05T07:03:17Z"

    # Zipped as EODMS hands it out: read in place, the same scene tile for tile.
    other = str(tmp_path / "ws_zip")
    code, out, err = run(capsys, "import", str(zip_folder(product, tmp_path / "rcm.zip", nested=True)), "--workspace", other)
    assert code == 0 and "rcm.zip: its HH file 2116811_1_HH.tif imported (2116811_1_HV.tif left out)" in err, err
    zipped = Workspace(other)
    assert scene(zipped, RCM).grid == sc.grid and scene(zipped, RCM).acquired == sc.acquired
    assert set(tile_offsets_of(zipped, RCM)) == set(tile_offsets_of(Workspace(ws_path), RCM))


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_products_are_predicted_as_they_arrive_each_mask_placed_as_its_product(capsys, tmp_path):
    """`predict --data` took a product's folder for a folder of tiles: its images (the browse
    image and the cross-polarised one among them) each predicted whole, the masks with no place,
    named imagery_HH. A product, or a drop of them, gives one mask per product, named for it,
    on its co-polarised image's pixels and placed by its tie points, as the import places it."""
    import rasterio

    drop = tmp_path / "drop"
    rs2 = rs2_product(drop / NAME, {"HH": amplitude(), "HV": amplitude(1)})
    rcm = rcm_product(tmp_path / RCM, {"HH": amplitude(2), "HV": amplitude(3)})
    zip_folder(rcm, drop / "rcm download.zip", nested=True)
    code, out, err = run(capsys, "predict", "--data", str(drop), "--out", str(tmp_path / "p"))
    assert code == 0 and "predicted 2 rasters" in out, err
    assert f"note: {NAME}: its HH file imagery_HH.tif predicted (imagery_HV.tif left out)" in err
    assert "note: rcm download.zip: its HH file 2116811_1_HH.tif predicted (2116811_1_HV.tif left out)" in err
    masks = tmp_path / "p" / "train_masks_256"
    assert sorted(p.name for p in masks.iterdir()) == sorted([f"{NAME}.tif", f"{RCM}.tif"])
    with rasterio.open(masks / f"{NAME}.tif") as ds, rasterio.open(rs2 / "product.xml") as product:
        assert (ds.width, ds.height) == (W, H) and ds.crs is None
        assert [(p.col, p.row, p.x, p.y) for p in ds.gcps[0]] == [(p.col, p.row, p.x, p.y) for p in product.gcps[0]]
    with rasterio.open(masks / f"{RCM}.tif") as ds:
        (first, *_), crs = ds.gcps
        assert (ds.width, ds.height) == (W, H) and crs.to_epsg() == 4326 and (first.col, first.row) == (0.5, 0.5)
    # A product given by itself: the same mask.
    code, out, err = run(capsys, "predict", "--data", str(rs2), "--out", str(tmp_path / "one"))
    assert code == 0 and "predicted 1 raster" in out, err
    with rasterio.open(masks / f"{NAME}.tif") as a, rasterio.open(tmp_path / "one" / "train_masks_256" / f"{NAME}.tif") as b:
        np.testing.assert_array_equal(a.read(), b.read())
    # A download damaged on the way is skipped saying so, never predicted as garbled radar.
    with zipfile.ZipFile(drop / "rcm download.zip") as z:
        hh = next(i for i in z.infolist() if i.filename.endswith("_HH.tif"))
    data = bytearray((drop / "rcm download.zip").read_bytes())
    data[hh.header_offset + 200 + hh.compress_size // 2] ^= 0xFF  # inside the HH image
    (drop / "rcm download.zip").write_bytes(bytes(data))
    code, out, err = run(capsys, "predict", "--data", str(drop), "--out", str(tmp_path / "again"))
    assert code == 3 and "skipped rcm download.zip: " in out and "download it again" in out, out
    assert "predicted 1 raster" in out
