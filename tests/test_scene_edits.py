"""A scene renamed (`seep rename-scene`), or removed when it was imported by mistake (`seep
remove-scene`; both on the Scene page's panel), on SQLite and on a real PostgreSQL server; one
anyone has worked on, or a job may be reading, is kept with what holds it. Real GeoTIFFs with a
real CRS, imported as an analyst imports them."""

from __future__ import annotations

import re

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from seep.cli import main
from seep.errors import BadInputError, NotFoundError
from seep.jobs import queue
from seep.workspace import ImageFilter, Workspace
from seep.workspace import registry as reg
from seep.workspace.accounts import User, add_user, audit_rows, require
from seep.workspace.agreement import send
from seep.workspace.lookalikes import Region, reasons
from seep.workspace.lookalikes import record as record_lookalikes
from seep.workspace.review import Opened, accept, restore, return_tile, save_edit
from seep.workspace.scene_edits import removal, remove_scene, rename_scene
from seep.workspace.scenes import scene, scene_names
from seep.workspace.slicks import scene_slicks

pytestmark = pytest.mark.usefixtures("store")


def write_scene(folder, name, seed, x0=500000):
    """A 300 x 520 scene (2 x 3 tiles of 256) and its mask, with a slick across a tile border."""
    img = np.random.default_rng(seed).integers(100, 3000, (300, 520)).astype(np.uint16)
    mask = np.zeros((300, 520), np.uint8)
    mask[100:140, 200:330] = 1
    paths = folder / f"{name}.tif", folder / f"{name}_mask.tif"
    for path, array in zip(paths, (img, mask), strict=True):
        profile = dict(driver="GTiff", height=300, width=520, count=1, dtype=array.dtype, crs="EPSG:32631")
        with rasterio.open(path, "w", transform=from_origin(x0, 4600000, 20, 20), **profile) as ds:
            ds.write(array[None])
    return paths


def imported(capsys, tmp_path, scene="wrong_name", seed=0) -> tuple[Workspace, object]:
    img, mask = write_scene(tmp_path, f"S1A_{seed}", seed)
    code = main(["import", str(img), "--mask", str(mask), "--scene", scene, "--workspace", str(tmp_path / "ws")])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    return Workspace(tmp_path / "ws", create=False), img


def files_under(ws: Workspace) -> set[str]:
    return {
        str(p.relative_to(ws.root)) for d in ("images", "labels", "predictions") for p in (ws.root / d).rglob("*") if p.is_file()
    }


def test_a_scene_imported_under_the_wrong_name_is_removed_and_imported_again(capsys, tmp_path):
    ws, img = imported(capsys, tmp_path)
    first = ws.image_ids(ImageFilter(scene=("wrong_name",)))[0]
    ws.save_prediction(first, "m1", np.zeros((256, 256), np.uint8), np.ones((256, 256), np.float32), 0.1)
    before = img.read_bytes()
    assert files_under(ws)

    code = main(["remove-scene", "wrong_name", "--author", "ana", "--workspace", str(ws.root)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip() == (
        f"removed scene wrong_name: 6 tiles, 6 label versions (imported or predicted, none drawn) and "
        f"1 cached prediction; {img} itself is not touched"
    )
    assert scene_names(ws) == [] and ws.count_images(ImageFilter()) == 0 and files_under(ws) == set()
    assert img.read_bytes() == before
    entry = audit_rows(ws, actor="ana")[0]
    assert (entry["action"], entry["target"]) == ("remove scene", "wrong_name") and "6 tiles" in entry["detail"]
    assert main(["check", "--workspace", str(ws.root)]) == 0, capsys.readouterr()  # no orphan, no dangling record

    # The same pixels under the right name: a new scene, not "every tile is already here".
    code = main(["import", str(img), "--mask", str(img.with_name("S1A_0_mask.tif")), "--workspace", str(ws.root)])
    out, err = capsys.readouterr()
    assert code == 0 and "scene S1A_0: 6 tiles added" in out, err
    assert scene_names(ws) == ["S1A_0"] and ws.count_images(ImageFilter(scene=("S1A_0",), status=("accepted",))) == 6


def test_a_mistyped_or_unknown_scene_is_said_and_nothing_goes(capsys, tmp_path):
    ws, _ = imported(capsys, tmp_path)
    with pytest.raises(NotFoundError, match="no georeferenced scene 'wrong'"):
        remove_scene(ws, "wrong", "ana")
    with pytest.raises(BadInputError, match="say who"):
        remove_scene(ws, "wrong_name", "  ")
    code = main(["remove-scene", "wrong", "--workspace", str(ws.root)])
    assert code != 0 and "no georeferenced scene 'wrong'" in capsys.readouterr().err
    assert scene_names(ws) == ["wrong_name"] and ws.count_images(ImageFilter()) == 6


def _drawn(ws, ids, **_):
    lv, mask = ws.label(ids[0])
    save_edit(ws, Opened(ids[0], lv.version, "label"), mask * 0, author="ana", dirty=True)
    save_edit(ws, Opened(ids[1], 1, "label"), mask, author="bo", dirty=True)


def _restored(ws, ids, **_):
    lv, mask = ws.label(ids[0])
    ws.save_label(ids[0], mask, parent=lv.version, author="ana", source="predicted", model_id="m1")
    restore(ws, ids[0], 1, author="cai")


def _reviewed(ws, ids, **_):
    lv, mask = ws.label(ids[0])
    accept(ws, Opened(ids[0], lv.version, "label"), mask, author="ben", dirty=False)
    return_tile(ws, ids[1], 1, reviewer="ben", comment="the tail is a wake")


def _painting(ws, ids, **_):
    ws.set_status(ids[0], "in_review")  # an analyst's first stroke, not saved yet


def _lookalike(ws, ids, **_):
    region = Region(0, 0, 4, np.ones((2, 2), bool))
    record_lookalikes(ws, ids[0], 1, "m1", [(region, reasons(ws)[0])], author="ana")


def _blind(ws, ids, **_):
    send(ws, ids[:1], ("ana", "bo"), by="ben")


def _trained(ws, ids, tiny_model, **_):
    reg.register_model(ws, tiny_model, data_snapshot=[[ids[0], 1]], model_id="m-ft")


def _scored(ws, ids, tiny_model, **_):
    reg.register_model(ws, tiny_model, val_scenes=["wrong_name"], model_id="m-ft")


def _validation(ws, ids, **_):
    reg.set_setting(ws, "val_scenes", ["wrong_name"])


def _predicting(ws, ids, **_):
    queue.submit(ws, "predict_all", {"only_unreviewed": True, "scene": "wrong_name"})


def _training(ws, ids, **_):
    queue.submit(ws, "finetune", {})


@pytest.mark.parametrize(
    "work, why",
    [
        (_drawn, "labels drawn by ana, bo on 2 tiles"),
        (_restored, "labels drawn by cai on 1 tile"),
        (_reviewed, "2 tiles accepted or returned by a reviewer"),
        (_painting, "1 tile painted on in Review, not saved yet"),
        (_lookalike, "1 tile marked with look-alikes"),
        (_blind, "1 tile sent to blind labelling"),
        (_trained, "model m-ft was trained or scored on it"),
        (_scored, "model m-ft was trained or scored on it"),
        (_validation, "it is one of the scenes every fine-tune is scored on"),
        (_predicting, "(predict all) may be reading it: wait for it to end or cancel it"),
        (_training, "(finetune) may be reading it"),
    ],
    ids=lambda v: getattr(v, "__name__", "")[1:] or None,
)
def test_a_scene_someone_worked_on_or_a_job_reads_is_kept_with_why(capsys, tmp_path, tiny_model, work, why):
    ws, _ = imported(capsys, tmp_path)
    ids = ws.image_ids(ImageFilter(scene=("wrong_name",)))
    work(ws, ids, tiny_model=tiny_model)
    kept = files_under(ws)
    _, blockers = removal(ws, "wrong_name")
    assert any(why in b for b in blockers), blockers
    with pytest.raises(BadInputError, match="scene wrong_name cannot be removed: ") as e:
        remove_scene(ws, "wrong_name", "ana")
    assert why in str(e.value)
    assert scene_names(ws) == ["wrong_name"] and ws.count_images(ImageFilter()) == 6 and files_under(ws) == kept
    assert not [r for r in audit_rows(ws) if r["action"] == "remove scene"]


def test_a_job_of_another_scene_does_not_hold_this_one(capsys, tmp_path):
    ws, _ = imported(capsys, tmp_path)
    queue.submit(ws, "predict_all", {"only_unreviewed": True, "scene": "elsewhere"})
    queue.submit(ws, "import_scene", {"path": "/data/other.tif", "scene": "other", "author": "ana"})
    gone, blockers = removal(ws, "wrong_name")
    assert blockers == [] and (gone.tiles, gone.labels, gone.predictions) == (6, 6, 0)
    remove_scene(ws, "wrong_name", "ana")
    assert scene_names(ws) == []


def test_only_an_admin_removes_a_scene(tmp_path):
    ws = Workspace(tmp_path / "team")
    add_user(ws, "root", "admin", "a long enough password", actor="setup")
    add_user(ws, "rev", "reviewer", "a long enough password", actor="root")
    require(ws, User("root", "admin"), "remove a scene")
    with pytest.raises(Exception, match="rev may not remove a scene: that needs the admin role"):
        require(ws, User("rev", "reviewer"), "remove a scene")


def test_a_scene_someone_worked_on_is_renamed_with_its_tiles_and_their_history(capsys, tmp_path):
    ws, img = imported(capsys, tmp_path)
    before = scene(ws, "wrong_name")
    _drawn(ws, ws.image_ids(ImageFilter(scene=("wrong_name",))))  # ana and bo drew on it: kept from removal, not from a rename
    _validation(ws, [])
    weights = tmp_path / "m.pt"
    weights.write_bytes(b"weights")
    figures = {"iou": 0.4, "val_scenes": ["wrong_name", "other"]}
    reg.register_model(ws, weights, model_id="m1", val_scenes=["wrong_name", "other"], metrics=figures)
    slicks = [(s.class_id, s.pixels, s.area_km2) for s in scene_slicks(ws, "wrong_name")]
    histories = {ws.image(i).name.split(".")[-1]: [v.version for v in ws.history(i)] for i in ws.image_ids(ImageFilter())}

    code = main(["rename-scene", "wrong_name", "gulf-2025-06-01", "--author", "ana", "--workspace", str(ws.root)])
    out, err = capsys.readouterr()
    assert code == 0 and out == "renamed scene wrong_name to gulf-2025-06-01\n", err
    assert scene_names(ws) == ["gulf-2025-06-01"] and ws.count_images(ImageFilter(scene=("gulf-2025-06-01",))) == 6
    moved = scene(ws, "gulf-2025-06-01")
    assert (moved.grid, moved.origin, moved.tiles, moved.acquired) == (before.grid, before.origin, before.tiles, before.acquired)
    names = sorted(r.name for r in ws.list_images(ImageFilter()))
    assert names[0] == "gulf-2025-06-01.r000000c000000" and all(n.startswith("gulf-2025-06-01.r") for n in names)
    assert {ws.image(i).name.split(".")[-1]: [v.version for v in ws.history(i)] for i in ws.image_ids(ImageFilter())} == histories
    assert [(s.class_id, s.pixels, s.area_km2) for s in scene_slicks(ws, "gulf-2025-06-01")] == slicks
    assert reg.get_setting(ws, "val_scenes") == ["gulf-2025-06-01"]  # fine-tunes are scored on the same scene
    m1 = reg.get_model(ws, "m1")  # the Models page names the scene a model was scored on as it is called now
    assert m1.val_scenes == m1.metrics["val_scenes"] == ["gulf-2025-06-01", "other"] and m1.metrics["iou"] == 0.4
    entry = audit_rows(ws, actor="ana")[0]
    assert (entry["action"], entry["target"], entry["detail"]) == ("rename scene", "wrong_name", "-> gulf-2025-06-01")
    assert main(["check", "--workspace", str(ws.root)]) == 0, capsys.readouterr()


def test_a_rename_to_a_taken_or_bad_name_or_under_a_job_changes_nothing(capsys, tmp_path):
    ws, _ = imported(capsys, tmp_path)
    img, mask = write_scene(tmp_path, "other", 7, x0=600000)
    assert main(["import", str(img), "--workspace", str(ws.root)]) == 0
    capsys.readouterr()
    for new, said in (
        ("other", "already has a scene named other"),
        ("wrong_name", "scene wrong_name already has that name"),
        ("a b", "scene name 'a b' must be 1-100 letters, digits, '-', '_' or '.'"),
        ("", "scene name '' must be"),
    ):
        with pytest.raises(BadInputError, match=re.escape(said)):
            rename_scene(ws, "wrong_name", new, "ana")
    with pytest.raises(NotFoundError, match="no georeferenced scene 'nope'"):
        rename_scene(ws, "nope", "fine", "ana")
    job = queue.submit(ws, "predict_all", {"only_unreviewed": True, "scene": "wrong_name"})
    with pytest.raises(BadInputError, match=f"scene wrong_name cannot be renamed now: job {job.id} \\(predict all\\)"):
        rename_scene(ws, "wrong_name", "fine", "ana")
    code = main(["rename-scene", "wrong_name", "x y", "--workspace", str(ws.root)])
    assert code != 0 and "scene name 'x y' must be" in capsys.readouterr().err
    assert scene_names(ws) == ["other", "wrong_name"] and ws.count_images(ImageFilter(scene=("wrong_name",))) == 6
    assert not [r for r in audit_rows(ws) if r["action"] == "rename scene"]
