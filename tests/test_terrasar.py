"""TerraSAR-X, TanDEM-X and PAZ products as they are delivered: a folder named for the product
holding its main XML of that name and IMAGEDATA/ of one GeoTIFF per polarisation (a geocoded
GEC or EEC product's on its map grid)."""

import numpy as np
from rasterio.transform import from_origin
from test_scenes import run, write_tif

from seep.workspace import Workspace
from seep.workspace.scenes import scene, tile_offsets_of

NAME = "PAZ1_SAR__EEC_RE___SC_S_SRA_20230714T061512_20230714T061537"


def tsx_product(folder, bands):
    """A product folder: its main XML (a stub: Seep reads the folder, not the XML) and IMAGEDATA/."""
    (folder / "IMAGEDATA").mkdir(parents=True)
    (folder / "ANNOTATION").mkdir()
    (folder / f"{folder.name}.xml").write_text('<?xml version="1.0" encoding="UTF-8"?><level1Product/>')
    for pol, image in bands.items():
        write_tif(
            folder / "IMAGEDATA" / f"IMAGE_{pol}_SRA_scan_008.tif", image, transform=from_origin(500000, 4600000, 18.5, 18.5)
        )
    return folder


def test_a_terrasar_x_or_paz_product_imports_its_co_polarised_image_named_for_it(capsys, tmp_path):
    """Given whole, the folder was "a folder, not a GeoTIFF"; its IMAGEDATA file alone became a
    scene named IMAGE_VV_SRA_scan_008 (every product's is). Its VV image is the scene, named for
    the product, its time read from that name; in a drop, a scene of its own."""
    rng = np.random.default_rng(0)
    vv, vh = (rng.integers(100, 3000, (400, 300)).astype(np.uint16) for _ in range(2))
    drop = tmp_path / "drop"
    product = tsx_product(drop / NAME, {"VH": vh, "VV": vv})
    ws_path = str(tmp_path / "ws")
    code, out, err = run(capsys, "import", str(product), "--workspace", ws_path)
    assert code == 0, err
    assert f"warning: {NAME}: its VV file IMAGE_VV_SRA_scan_008.tif imported (IMAGE_VH_SRA_scan_008.tif left out)" in err
    ws = Workspace(ws_path)
    sc = scene(ws, NAME)
    assert sc.acquired == "2023-07-14T06:15:12Z" and sc.grid.transform == tuple(from_origin(500000, 4600000, 18.5, 18.5))[:6]
    first = ws.read_image(next(iter(tile_offsets_of(ws, NAME))))
    np.testing.assert_array_equal(first[:, :, 0], vv[:256, :256])

    # Its image given by itself is the same product's: named for it (so here, already in).
    code, out, err = run(capsys, "import", str(product / "IMAGEDATA" / "IMAGE_VH_SRA_scan_008.tif"), "--workspace", ws_path)
    assert code == 1 and f"scene {NAME} is already in this workspace" in err
    # In a drop of passes, beside a TerraSAR-X one: each product a scene.
    other = NAME.replace("PAZ1", "TSX1").replace("20230714T0615", "20230715T0615")
    tsx_product(drop / other, {"HH": vh})
    code, out, err = run(capsys, "import", str(drop), "--scenes", "--workspace", ws_path)
    assert code == 0 and f"already in the workspace, or being imported now: {NAME}" in out, out + err
    assert scene(Workspace(ws_path), other).acquired == "2023-07-15T06:15:12Z"
    # A folder of tiles holding one says how to import it.
    code, out, err = run(capsys, "import", str(drop), "--workspace", str(tmp_path / "tiles"))
    assert f"skipped {NAME}/: a PAZ product, a scene: `python -m seep import {product}` imports it" in out
