import os

import numpy as np
import pytest
import tifffile
from helpers import sar_tile

from seep.errors import BadInputError
from seep.workspace import Workspace
from seep.workspace.importer import import_folder


def _exercise(root, n=4, size=64):
    (root / "train_images_256").mkdir(parents=True)
    (root / "train_masks_256").mkdir()
    for i in range(n):
        name = f"1234{i % 2}.{i:06d}.tif"
        tifffile.imwrite(root / "train_images_256" / name, sar_tile(i, size))
        m = np.zeros((size, size), np.uint8)
        m[i : i + 5, 3:9] = 1 + i
        tifffile.imwrite(root / "train_masks_256" / name, m)
    return root


def test_exercise_layout_imports_images_and_masks(ws, tmp_path):
    src = _exercise(tmp_path / "ex")
    r = import_folder(ws, src, author="imp")
    assert (r.added, r.already_present, r.masks_added, r.skipped) == (4, 0, 4, [])
    assert ws.scenes() == ["12340", "12341"]
    rec = ws.image("12341.000003")
    assert rec.status == "accepted" and ws.version(rec.id).source == "imported"
    assert ws.label(rec.id)[1].max() == 4
    again = import_folder(ws, src, author="imp")
    assert (again.added, again.already_present, again.masks_added) == (0, 4, 0)


def test_plain_folder_and_scene_from_folder_name(ws, tmp_path):
    src = tmp_path / "harbour"
    src.mkdir()
    tifffile.imwrite(src / "tile_a.tiff", sar_tile(1))
    tifffile.imwrite(src / "tile_b.TIF", sar_tile(2))
    r = import_folder(ws, src, author="imp")
    assert r.added == 2 and r.masks_added == 0
    assert {x.scene for x in ws.list_images()} == {"harbour"}


def test_every_bad_file_is_skipped_with_its_reason_and_the_rest_imported(ws, tmp_path):
    src = _exercise(tmp_path / "ex", n=2)
    img, msk = src / "train_images_256", src / "train_masks_256"
    (img / "notes.txt").write_text("hello")
    (img / "9.000001.tif").write_bytes(b"")
    (img / "9.000002.tif").write_bytes(b"GIF89a" + b"\x00" * 50)
    nan = np.ones((16, 16), np.float32)
    nan[0, 0] = np.nan
    tifffile.imwrite(img / "9.000003.tif", nan)
    tifffile.imwrite(img / "9.000004.tif", sar_tile(7))
    tifffile.imwrite(msk / "9.000004.tif", np.zeros((32, 32), np.uint8))  # wrong shape
    tifffile.imwrite(img / "9.000005.tif", sar_tile(8))
    tifffile.imwrite(msk / "9.000005.tif", np.full((64, 64), 12, np.uint8))  # no class 12
    outside = tmp_path / "outside.tif"
    tifffile.imwrite(outside, sar_tile(9))
    os.symlink(outside, img / "9.000006.tif")
    tifffile.imwrite(msk / "9.000007.tiff", np.zeros((64, 64), np.uint8))  # its image was renamed, or is a.tif
    (msk / "subfolder").mkdir()

    r = import_folder(ws, src, author="imp")
    reasons = dict(r.skipped)
    assert reasons["train_images_256/notes.txt"] == "not a .tif/.tiff file"
    assert "empty (0 bytes)" in reasons["train_images_256/9.000001.tif"]
    assert "not a readable TIFF" in reasons["train_images_256/9.000002.tif"]
    assert "train_images_256/9.000003.tif" not in reasons  # NaN is no data, as GDAL writes it and a scene import reads it
    nan_tile = ws.read_image(ws.image("9.000003").id)
    assert nan_tile[0, 0, 0] == 0 and (nan_tile.ravel()[1:] == 1).all()
    assert "is 32x32 but its image is 64x64" in reasons["train_masks_256/9.000004.tif"]
    assert "values [12] outside the class table" in reasons["train_masks_256/9.000005.tif"]
    assert "leads outside" in reasons["train_images_256/9.000006.tif"]
    assert reasons["train_masks_256/9.000007.tiff"] == (
        "no image of the same file name in train_images_256/, so this label was not imported"
    )  # was passed over without a word
    assert not any("subfolder" in f for f in reasons)
    # Images whose masks were bad are still imported, unlabelled: nothing usable is lost.
    assert r.added == 5 and r.masks_added == 2
    assert ws.image("9.000004").status == "unlabelled"


def test_a_changed_mask_does_not_overwrite_an_existing_label(ws, tmp_path):
    src = _exercise(tmp_path / "ex", n=1)
    import_folder(ws, src, author="imp")
    tifffile.imwrite(src / "train_masks_256" / "12340.000000.tif", np.full((64, 64), 2, np.uint8))
    r = import_folder(ws, src, author="imp")
    assert "differs; kept it" in dict(r.skipped)["train_masks_256/12340.000000.tif"]
    assert len(ws.history("12340.000000")) == 1


def test_missing_folder(ws, tmp_path):
    with pytest.raises(BadInputError, match="is not a folder"):
        import_folder(ws, tmp_path / "nope", author="a")


def test_an_empty_folder_or_a_blank_author_imports_nothing_and_makes_no_workspace(tmp_path, capsys):
    """Both used to create the workspace; a blank --author then imported the images and skipped every mask."""
    from seep.cli import main

    (tmp_path / "empty").mkdir()
    src = _exercise(tmp_path / "ex", n=2)
    for argv, said in (
        ([str(tmp_path / "empty")], f"error: {tmp_path / 'empty'} holds no files to import; nothing was done\n"),
        ([str(src), "--author", " "], "error: a label needs an author; set your name in the sidebar or pass --author\n"),
    ):
        assert main(["import", *argv, "--workspace", str(tmp_path / "w")]) == 1
        assert capsys.readouterr().err == said and not (tmp_path / "w").exists()
    (src / "train_masks_256").rename(tmp_path / "masks")  # images alone carry no author: none is needed
    assert main(["import", str(src), "--author", "", "--workspace", str(tmp_path / "w")]) == 0
    assert Workspace(tmp_path / "w", create=False).count_images() == 2


def test_real_cgg_tiles_import(real_data, tmp_path):
    ws = Workspace(tmp_path / "real")
    r = import_folder(ws, real_data, author="cgg")
    assert (r.added, r.masks_added, r.skipped) == (616, 616, [])
    assert len(ws.scenes()) == 13
    assert ws.status_counts()["accepted"] == 616


def test_a_folder_of_scene_folders_imports_each_as_its_scene(ws, tmp_path, capsys):
    """A drop of one folder per scene (plain tiles, or the exercise layout with its masks) was
    passed over whole: "0 images added". Each folder's tiles now take its name as their scene;
    what is not tiles is skipped and named, and nothing outside the drop is read."""
    from seep.cli import main

    drop = tmp_path / "drop"
    for scene, seed in (("harbour", 1), ("harbour/north", 2)):
        (drop / scene).mkdir(parents=True)
        tifffile.imwrite(drop / scene / f"tile_{seed}.tif", sar_tile(seed))
    layout = _exercise(drop / "gulf", n=1)
    tifffile.imwrite(layout / "train_images_256" / "plain.tif", sar_tile(5))
    tifffile.imwrite(layout / "train_masks_256" / "plain.tif", np.ones((64, 64), np.uint8))
    (drop / ".cache").mkdir()
    tifffile.imwrite(drop / ".cache" / "thumb.tif", sar_tile(6))  # hidden: no tiles
    (drop / "S1A_IW_GRDH.SAFE").mkdir()
    (drop / "S1A_IW_GRDH.SAFE" / "manifest.safe").write_text("<xml/>")
    Workspace(drop / "old_ws")  # a workspace kept among the tiles
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    tifffile.imwrite(outside / "secret.tif", sar_tile(7))
    os.symlink(outside, drop / "link_out")
    os.symlink(".", drop / "harbour" / "again")  # a loop: walked once

    r = import_folder(ws, drop, author="imp")
    assert (r.added, r.masks_added) == (4, 2)
    assert {(x.name, x.scene) for x in ws.list_images()} == {
        ("tile_1", "harbour"),
        ("tile_2", "north"),
        ("12340.000000", "12340"),
        ("plain", "gulf"),  # the layout's folder, not "train_images_256"
    }
    reasons = dict(r.skipped)
    assert set(reasons) == {"S1A_IW_GRDH.SAFE/", "old_ws/", "link_out/"}
    assert (
        reasons["S1A_IW_GRDH.SAFE/"]
        == f"a Sentinel-1 product, a scene: `python -m seep import {drop / 'S1A_IW_GRDH.SAFE'}` imports it"
    )
    assert "a Seep workspace" in reasons["old_ws/"] and "leads outside" in reasons["link_out/"]
    assert import_folder(ws, drop, author="imp").already_present == 4

    # The workspace itself, given as the folder: told what to do, nothing made.
    assert main(["import", str(drop / "old_ws"), "--workspace", str(tmp_path / "w2")]) == 1
    assert "is a Seep workspace, not tiles: `python -m seep export" in capsys.readouterr().err
    assert not (tmp_path / "w2").exists()
