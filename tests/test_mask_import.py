"""A GeoTIFF mask brought back as labels with import-seeps: one exported from here and edited as
a raster comes back pixel for pixel, another tool's detections on another grid and CRS are
warped onto the scene, and a file that is no mask is refused, writing nothing. Real GeoTIFFs
with real CRSs (rasterio), through the command line as an analyst runs it."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from rasterio.warp import calculate_default_transform, reproject
from test_scenes import SLICK, H, W, labels_of, run, write_tif

from seep.workspace import Workspace
from seep.workspace import mask_shapes as shapes_module
from seep.workspace.gis import export_masks_geotiff


@pytest.fixture
def labelled(capsys, tmp_path):
    """Scene S1A_scene with its mask imported ('done'), its labels exported as a GeoTIFF mask,
    and the same scene with no labels ('fresh')."""
    img = np.random.default_rng(0).integers(100, 3000, (H, W)).astype(np.uint16)
    img[:, :40] = 0  # west of the swath
    mask = np.zeros((H, W), np.uint8)
    mask[SLICK] = 1
    mask[500:510, 300:310] = 5
    write_tif(tmp_path / "S1A_scene.tif", img, nodata=0)
    write_tif(tmp_path / "mask.tif", mask)
    done, fresh = tmp_path / "done", tmp_path / "fresh"
    assert (
        run(capsys, "import", str(tmp_path / "S1A_scene.tif"), "--mask", str(tmp_path / "mask.tif"), "--workspace", str(done))[0]
        == 0
    )
    assert run(capsys, "import", str(tmp_path / "S1A_scene.tif"), "--workspace", str(fresh))[0] == 0
    (exported,) = export_masks_geotiff(Workspace(done, create=False), tmp_path / "out")
    return Workspace(done, create=False), Workspace(fresh, create=False), exported


def import_mask(capsys, ws: Workspace, path, *extra) -> tuple[int, str, str]:
    return run(capsys, "import-seeps", str(path), "--scene", "S1A_scene", "--author", "ana", "--workspace", str(ws.root), *extra)


@pytest.mark.parametrize("step", [4096, 100])  # one window, and windows that cut the slicks in pieces
def test_a_mask_on_the_scenes_grid_comes_back_pixel_for_pixel(capsys, labelled, step, monkeypatch, tmp_path):
    """Another tool's mask on the scene's very grid (the export's pixels, without its tags): its
    seep regions as polygons burn the same pixels, however the windows cut them."""
    done, fresh, exported = labelled
    monkeypatch.setattr(shapes_module, "STEP", step)
    with rasterio.open(exported) as ds:
        write_tif(tmp_path / "theirs.tif", ds.read(1), nodata=255)
    code, out, err = import_mask(capsys, fresh, tmp_path / "theirs.tif")
    assert code == 0, err
    assert "6 tiles given a new label version" in out and "seep regions of the mask read" in out
    assert "carries no mark of an export of its labels (the SEEP_EXPORT tag)" in out  # perhaps one that lost it
    assert np.array_equal(labels_of(fresh, "S1A_scene", (H, W)), labels_of(done, "S1A_scene", (H, W)))


def test_labels_exported_and_edited_as_a_raster_come_back_as_edited(capsys, labelled, tmp_path):
    """The analyst exports the scene's labels, paints out a false slick and draws a new one in a
    raster editor, and imports the file: the slick painted out is erased (polygons laid on top
    could not), the new one added, a tile left no-data stays as it is, and a tile a colleague
    saved after the export keeps her label, named."""
    from seep.workspace.review import Opened, save_edit

    ws, fresh, exported = labelled
    edited = tmp_path / "edited.tif"

    def save(pixels):
        with rasterio.open(exported) as src, rasterio.open(edited, "w", **src.profile) as ds:
            ds.write(pixels[None])
            ds.update_tags(**src.tags())

    with rasterio.open(exported) as ds:
        pixels = ds.read(1)
    pixels[500:510, 300:310] = 0  # the class-5 blob was a rain cell
    pixels[40:60, 300:340] = 3  # a slick the mask missed
    pixels[512:, 512:] = 255  # the last tile left out
    save(pixels)
    before = labels_of(ws, "S1A_scene", (H, W))
    code, out, err = import_mask(capsys, ws, edited)
    assert code == 0, err
    assert "labels as exported here read back pixel for pixel, 2 tiles given a new label version" in out
    after = labels_of(ws, "S1A_scene", (H, W))
    assert (after[500:510, 300:310] == 0).all() and (after[40:60, 300:340] == 3).all()
    assert (after != before).sum() == 100 + 800

    tile = ws.image("S1A_scene.r000000c000256")
    theirs = ws.label(tile.id)[1].copy()
    theirs[0:10, 0:10] = 2  # a colleague's save after the export
    save_edit(ws, Opened(tile.id, tile.head_version, "label"), theirs, author="bo", dirty=True)
    pixels[40:60, 300:340] = 4  # the analyst changes her mind on the new slick's class, in the old file
    save(pixels)
    code, out, err = import_mask(capsys, ws, edited)
    assert code == 0, err
    assert (
        "0 tiles given a new label version, 1 tile changed since the export kept as they are (S1A_scene.r000000c000256): export it again"
        in out
    )
    assert np.array_equal(ws.label(tile.id)[1], theirs)

    # The same scene in another workspace, no tile saved there; no --scene: the mask's grid and tag say which.
    code, out, err = run(capsys, "import-seeps", str(exported), "--author", "ana", "--workspace", str(fresh.root))
    assert code == 0 and "read back pixel for pixel, 6 tiles given a new label version" in out, err
    pixels[100, 100] = 9
    save(pixels)
    code, _, err = import_mask(capsys, ws, edited)
    assert code != 0 and "holds 9 at row 100, column 100: no class of this workspace (0 to 7, and 255 for no label)" in err
    code, _, err = import_mask(capsys, ws, exported, "--class", "2")
    assert code != 0 and "it holds this scene's labels as Seep exported them, read back as they are" in err
    assert np.array_equal(ws.label(tile.id)[1], theirs)


def test_another_tools_detections_on_another_grid_are_warped_onto_the_scene(capsys, labelled, tmp_path):
    """A detector's output: 0 and 255, in longitude and latitude at another pixel size."""
    done, fresh, _ = labelled
    binary = np.where(labels_of(done, "S1A_scene", (H, W)) > 0, 255, 0).astype(np.uint8)
    src_transform = from_origin(500000, 4600000, 10, 10)  # the scene's grid (test_scenes.write_tif)
    bounds = rasterio.transform.array_bounds(H, W, src_transform)  # west, south, east, north
    transform, width, height = calculate_default_transform("EPSG:32631", "EPSG:4326", W, H, *bounds)
    warped = np.zeros((height, width), np.uint8)
    reproject(binary, warped, src_transform=src_transform, src_crs="EPSG:32631", dst_transform=transform, dst_crs="EPSG:4326")
    path = tmp_path / "detections.tif"
    profile = dict(driver="GTiff", height=height, width=width, count=1, dtype="uint8", crs="EPSG:4326", transform=transform)
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(warped[None])

    code, _, err = import_mask(capsys, fresh, path)
    assert (
        code != 0
        and "holds pixel values 255: the seep classes here are 1 to 7 (0: no seep); give every seep pixel one class" in err
    )
    assert all(fresh.image(i).head_version is None for i in (r.id for r in fresh.list_images()))  # nothing written
    code, out, err = import_mask(capsys, fresh, path, "--class", "3")
    assert code == 0 and "no mark of an export" not in out, err  # on another grid: no export's
    got, want = labels_of(fresh, "S1A_scene", (H, W)), binary > 0
    assert set(np.unique(got)) == {0, 3}
    assert ((got > 0) & want).sum() / (want | (got > 0)).sum() > 0.9  # warped twice: only edge pixels may differ


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")  # the bare file written here
def test_what_is_no_mask_is_refused_saying_why_and_writes_nothing(capsys, labelled, tmp_path):
    _, fresh, exported = labelled
    rgb = tmp_path / "rgb.tif"
    write_tif(rgb, np.zeros((50, 50, 3), np.uint8))
    percent = tmp_path / "percent.tif"
    write_tif(percent, np.arange(2500).reshape(50, 50) % 101, dtype="uint8")  # a detector's probability, in percent
    floats = tmp_path / "probability.tif"
    write_tif(floats, np.full((50, 50), 0.7, np.float32))
    bare = tmp_path / "bare.tif"
    with rasterio.open(bare, "w", driver="GTiff", height=50, width=50, count=1, dtype="uint8") as ds:
        ds.write(np.ones((1, 50, 50), np.uint8))
    (tmp_path / "cut.tif").write_bytes(exported.read_bytes()[: exported.stat().st_size * 2 // 3])
    for path, extra, said in (
        (rgb, (), "has 3 bands; a mask has one, of class ids (0: no seep)"),
        (floats, (), "holds float32 values; a mask holds whole class ids"),
        (bare, (), "has no coordinate system, so its pixels cannot be placed on a map"),
        (tmp_path / "cut.tif", (), "cannot read"),
        (exported, ("--class-field", "kind"), "is a raster mask, of no fields or layers: its pixel values are the classes"),
        (percent, ("--class", "9"), "--class 9: the seep classes are 1 to 7"),
        (percent, (), "holds pixel values 8, 9, 10, 11, 12 ...: the seep classes here are 1 to 7"),
        (
            percent,
            ("--class", "2"),
            "holds pixel values 8, 9, 10, 11, 12 ...: a mask's seep pixels are class ids (1 to 7) or 255",
        ),
    ):
        code, _, err = import_mask(capsys, fresh, path, *extra)
        assert code != 0 and said in err and "Traceback" not in err and "Warning" not in err, (path, err)
    assert all(fresh.image(r.id).head_version is None for r in fresh.list_images())


def test_a_scene_imported_again_with_its_mask_points_to_import_seeps_which_labels_it(capsys, labelled, tmp_path):
    """The analyst imported the scene bare, then runs the import again with its mask: the scene is
    not imported twice, and the way to its labels is named; followed, it labels the scene."""
    done, fresh, _ = labelled
    code, _, err = run(
        capsys, "import", str(tmp_path / "S1A_scene.tif"), "--mask", str(tmp_path / "mask.tif"), "--workspace", str(fresh.root)
    )
    assert (
        code != 0
        and "scene S1A_scene is already in this workspace: to bring the seeps of mask.tif onto it, import that mask" in err
    )
    command = err.split("`")[1].split()
    assert command[:4] == ["python", "-m", "seep", "import-seeps"]
    code, out, err = run(capsys, *command[3:], "--author", "ana", "--workspace", str(fresh.root))
    assert code == 0, err
    assert np.array_equal(labels_of(fresh, "S1A_scene", (H, W)), labels_of(done, "S1A_scene", (H, W)))
