import csv
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tifffile
from helpers import sar_tile

from seep.cli import main
from seep.data.classes import SEEP_CLASSES
from seep.data.synthetic import DemoSpec, make_tile
from seep.workspace import ImageFilter, Workspace


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_demo_status_list_history_export(capsys, tmp_path):
    ws = str(tmp_path / "w")
    code, out, _ = run(capsys, "demo", "--no-geo-scene", "--workspace", ws, "--scenes", "2", "--tiles-per-scene", "4")
    assert code == 0 and "8 images added, 0 already present, 8 masks added" in out
    code, out, _ = run(capsys, "demo", "--no-geo-scene", "--workspace", ws, "--scenes", "2", "--tiles-per-scene", "4")
    assert "0 images added, 8 already present" in out

    code, out, _ = run(capsys, "status", "--workspace", ws)
    lines = dict(line.split() for line in out.strip().splitlines())
    assert lines["total"] == "8" and int(lines["accepted"]) + int(lines["unlabelled"]) == 8
    code, out, _ = run(capsys, "status", "--by-scene", "--workspace", ws)
    header, *scenes = out.strip().splitlines()
    assert header.split()[:3] == ["scene", "tiles", "reviewed"] and len(scenes) == 2
    per_scene = {row.split()[0]: row.split() for row in scenes}
    ws_ = Workspace(ws, create=False)
    for name, row in per_scene.items():
        accepted = ws_.count_images(ImageFilter(scene=(name,), status=("accepted",)))
        assert row[1] == "4" and row[2] == f"{accepted / 4:.0%}" and row[-3] == str(accepted) and row[-2:] == ["-", "-"]
    Workspace(tmp_path / "empty")
    assert run(capsys, "status", "--by-scene", "--workspace", str(tmp_path / "empty"))[1] == "no tiles in this workspace yet\n"

    code, out, _ = run(capsys, "list", "--workspace", ws, "--status", "accepted", "--sort", "largest_seep")
    assert code == 0 and out.strip().endswith(f"{lines['accepted']} images match")

    code, out, _ = run(capsys, "list", "--workspace", ws, "--sort", "teaching_sample", "--limit", "3")
    sample = Workspace(ws).image_ids(ImageFilter(sort="teaching_sample"))
    assert code == 0 and [line.split()[0] for line in out.splitlines()[:3]] == sample[:3]
    assert {Workspace(ws).image(i).scene for i in sample[:2]} == {"900100", "900101"}  # a tile of each scene first

    # The review queue from the command line reads the model Browse reads: the active one, else the shipped one.
    ids = Workspace(ws).image_ids(ImageFilter())
    for image_id, doubt in zip(ids[:3], (0.2, 0.9, 0.5), strict=True):
        flat = np.full((256, 256), 0.5, np.float32)
        Workspace(ws).save_prediction(image_id, "seep-unet-cgg", np.zeros((256, 256), np.uint8), flat, uncertainty=doubt)
    code, out, _ = run(capsys, "list", "--workspace", ws, "--sort", "most_useful", "--limit", "4")
    assert code == 0 and [line.split()[0] for line in out.splitlines()[:4]] == [ids[1], ids[2], ids[0], ids[3]]
    code, _, err = run(capsys, "list", "--workspace", ws, "--sort", "least_confident", "--model", "another", "--limit", "2")
    assert code == 1 and "no model 'another' in this workspace" in err  # was: listed by name, as if all were well
    Workspace(ws).save_prediction(ids[3], "another", np.zeros((256, 256), np.uint8), flat, uncertainty=0.1)
    code, out, _ = run(capsys, "list", "--workspace", ws, "--sort", "least_confident", "--model", "another", "--limit", "2")
    assert [line.split()[0] for line in out.splitlines()[:2]] == [ids[3], ids[0]]  # predict-all --model FILE: unregistered
    code, out, _ = run(capsys, "list", "--workspace", ws, "--predicted", "no")
    assert code == 0 and out.strip().endswith("5 images match") and ids[0] not in out

    code, out, _ = run(capsys, "history", "900100.000000", "--workspace", ws)
    assert "v1" in out and "demo ground truth" in out and "imported" in out
    assert re.search(r"^v1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC  ", out, re.M)  # as the audit prints times

    code, out, _ = run(capsys, "export", str(tmp_path / "out"), "--workspace", ws)
    assert code == 0
    assert run(capsys, "export", str(tmp_path / "out"), "--workspace", ws)[0] == 0  # an earlier export: replaced
    (tmp_path / "cgg" / "train_masks_256").mkdir(parents=True)  # a dataset Seep did not write: its masks are not ours
    code, _, err = run(capsys, "export", str(tmp_path / "cgg"), "--workspace", ws)
    assert code == 1 and "holds a dataset that Seep did not export (no manifest.csv)" in err
    assert list((tmp_path / "cgg").rglob("*")) == [tmp_path / "cgg" / "train_masks_256"]
    other = Workspace(tmp_path / "other")  # a workspace (this one too): its class table is not the export's to replace
    table = (other.root / "dataset.json").read_bytes()
    for target in (ws, str(other.root)):
        code, _, err = run(capsys, "export", target, "--workspace", ws)
        assert code == 1 and f"{target} is a Seep workspace: its dataset.json (what each mask value means)" in err
    assert (other.root / "dataset.json").read_bytes() == table and not (other.root / "train_images_256").exists()
    rows = list(csv.DictReader(open(tmp_path / "out" / "manifest.csv")))
    assert len(rows) == 8
    labelled = [r for r in rows if r["version"]]
    assert len(labelled) == int(lines["accepted"])
    mask = tifffile.imread(tmp_path / "out" / "train_masks_256" / f"{labelled[0]['image']}.tif")
    assert mask.dtype == np.uint8 and mask.shape == (256, 256)
    np.testing.assert_array_equal(mask, Workspace(ws).label(labelled[0]["id"])[1])


def test_import_prints_every_skipped_file(capsys, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    tifffile.imwrite(src / "good.tif", sar_tile())
    (src / "bad.tif").write_bytes(b"nope")
    code, out, _ = run(capsys, "import", str(src), "--workspace", str(tmp_path / "w"))
    assert code == 3  # finished, but not everything came in
    assert "skipped in/bad.tif: image" in out and "not a readable TIFF" in out
    assert "1 image added" in out and "1 file skipped" in out


def test_an_export_imported_into_a_new_workspace_keeps_its_class_table(capsys, tmp_path):
    """The dataset.json an export carries was ignored: a colleague's new workspace read the
    masks with the default table, and the classes' names were lost on the way."""
    import json

    from seep.workspace.class_names import name_classes

    run(capsys, "demo", "--no-geo-scene", "--workspace", str(tmp_path / "a"), "--scenes", "1", "--tiles-per-scene", "2")
    name_classes(Workspace(tmp_path / "a"), {1: ("fresh seep", "bright, dark-edged")}, actor="ana")
    run(capsys, "export", str(tmp_path / "out"), "--workspace", str(tmp_path / "a"))
    code, _, err = run(capsys, "import", str(tmp_path / "out" / "train_images_256"), "--workspace", str(tmp_path / "b"))
    assert code == 0 and "warning" not in err, err
    b = Workspace(tmp_path / "b")
    assert b.classes[1].name == "fresh seep" and b.classes[1].description == "bright, dark-edged"
    assert b.status_counts()["accepted"] == 2

    table = json.loads((tmp_path / "out" / "dataset.json").read_text())
    (tmp_path / "out" / "dataset.json").write_text(json.dumps({**table, "classes": table["classes"][:3]}))
    code, _, err = run(capsys, "import", str(tmp_path / "out"), "--workspace", str(tmp_path / "b"))
    assert code == 0 and "dataset.json describes other data (3 classes, 1 band(s), 256-px tiles, no-data 0)" in err
    assert len(Workspace(tmp_path / "b").classes) == 8  # an existing workspace keeps its own table
    (tmp_path / "out" / "dataset.json").write_text("{broken")  # or another tool's file of that name
    code, _, err = run(capsys, "import", str(tmp_path / "out"), "--workspace", str(tmp_path / "c"))
    assert code == 1 and "dataset.json is not a valid dataset config" in err and not (tmp_path / "c").exists()
    code, _, err = run(capsys, "import", str(tmp_path / "out"), "--workspace", str(tmp_path / "b"))  # it has a table
    assert code == 0 and "is not a valid dataset config" in err and "ignored: this workspace's own class table" in err


def test_restore_from_the_command_line(capsys, tmp_path):
    ws = Workspace(tmp_path / "w")
    rec, _ = ws.add_image(sar_tile(), name="t", scene="s")
    ws.save_label(rec.id, np.ones((64, 64), np.uint8), parent=None, author="a")
    ws.save_label(rec.id, np.zeros((64, 64), np.uint8), parent=1, author="a")
    code, out, _ = run(capsys, "restore", "t", "v1", "--workspace", str(ws.root), "--author", "bo")  # as history prints it
    assert code == 0 and "restored v1 of t as v3" in out
    for bad in ("0", "v", "99999999999999999999"):  # the last was an OverflowError traceback from SQLite
        with pytest.raises(SystemExit):
            main(["restore", "t", bad, "--workspace", str(ws.root), "--author", "bo"])
        assert f"'{bad}' is not a label version; `history IMAGE` lists them" in capsys.readouterr().err
    assert ws.version("t").author == "bo"
    ws.set_status("t", "accepted")
    code, _, err = run(capsys, "restore", "t", "3", "--workspace", str(ws.root))  # made v4 and undid the accept
    assert code == 1 and err == "error: v3 is already the newest version of t; there is nothing to restore\n"
    assert ws.image("t").head_version == 3 and ws.image("t").status == "accepted"
    code, _, err = run(capsys, "restore", "t", "2", "--workspace", str(ws.root), "--author", "bo\nv9 2026 mallory")
    assert code == 1 and "holds a control character" in err and ws.image("t").head_version == 3  # would forge history


def test_user_errors_exit_1_with_one_line(capsys, tmp_path):
    code, out, err = run(capsys, "status", "--workspace", str(tmp_path / "none"))
    assert code == 1 and err.startswith("error: no workspace at") and "Traceback" not in err
    Workspace(tmp_path / "w")
    code, _, err = run(capsys, "history", "ghost", "--workspace", str(tmp_path / "w"))
    assert code == 1 and "no image 'ghost'" in err


def test_bad_training_settings_are_refused_in_one_line_before_any_work(capsys, tmp_path):
    """0 epochs trained nothing and said so only at the end; a negative or NaN rate was torch's traceback."""
    from seep.workspace import registry as reg

    ws = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws, "--scenes", "2", "--tiles-per-scene", "2")
    before = reg.list_models(Workspace(ws, create=False))
    for flag, value, said in [
        ("--epochs", "0", "training setting epochs = 0: it must be a whole number, at least 1"),
        ("--epochs", "-3", "epochs = -3"),
        ("--lr", "-1", "training setting lr = -1.0: it must be a number above 0, e.g. 5e-4"),
        ("--lr", "nan", "lr = nan"),
        ("--crop", "7", "crop = 7: it must be a whole number of pixels, at least 16"),
        ("--loss", "bogus", "unknown loss ['bogus']"),
        ("--seed", "-1", "seed = -1: it must be a whole number from 0 to 4294967295"),  # was numpy's traceback
    ]:
        code, out, err = run(capsys, "train", "--workspace", ws, flag, value)
        assert code == 1 and err == f"error: {err[7:]}" and said in err and "Traceback" not in err, (flag, err)
        assert "training on" not in err and out == ""  # refused before the plan was read
    code, _, err = run(capsys, "train", "--data", str(tmp_path / "none"), "--base-model", "seep-unet-cgg", "--workspace", ws)
    assert code == 1 and "with --data, start from a file with --from-model" in err  # it trained from scratch instead
    for command in ("train", "crossval"):  # from scratch too, before reading a tile (616 of them take a while)
        code, _, err = run(capsys, command, "--data", str(tmp_path / "none"), "--epochs", "0", "--workspace", ws)
        assert code == 1 and "epochs = 0" in err
    run(capsys, "export", str(tmp_path / "data"), "--workspace", ws)
    code, _, err = run(capsys, "train", "--data", str(tmp_path / "data"), "--depth", "9", "--out", str(tmp_path / "r"))
    assert code == 1 and err == "error: model config depth=9 is outside 1..7\n" and not (tmp_path / "r").exists()
    for share in ("2", "-1", "nan"):  # were taken as "all scenes but one" and "no validation"
        code, _, err = run(
            capsys, "train", "--data", str(tmp_path / "data"), "--val-fraction", share, "--out", str(tmp_path / "r")
        )
        assert code == 1 and err.startswith(f"error: validation share {float(share)}: it is 0") and not (tmp_path / "r").exists()
    assert reg.list_models(Workspace(ws, create=False)) == before  # nothing registered, nothing lost


def test_a_workspace_fine_tune_refuses_what_it_used_to_drop_silently(capsys, tmp_path):
    """A network for a model trained from scratch, and data-only flags given as 0, were dropped
    without a word: the analyst got a fine-tune of another network, or validated every epoch."""
    from seep.workspace import registry as reg

    ws = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws, "--scenes", "2", "--tiles-per-scene", "2")
    for given, said in [
        (["--base", "8"], "base=8: a fine-tune keeps the network of the model it starts from (seep-unet-cgg)"),
        (["--residual", "--depth", "3"], "depth=3, residual=True: a fine-tune keeps the network"),
        (["--val-every", "0"], "--val-every only applies to training from a folder"),
        (["--threshold", "0"], "--threshold only applies to training from a folder"),
        (["--device", "tpu"], "--device 'tpu': use auto, cpu, cuda, cuda:N (a GPU's number) or mps"),
    ]:
        code, out, err = run(capsys, "train", "--workspace", ws, *given)
        assert code == 1 and said in err and "Traceback" not in err and out == "", (given, err)
    assert reg.list_models(Workspace(ws, create=False)) == []  # not even the shipped model registered


def test_list_names_a_class_or_model_the_workspace_lacks(capsys, tmp_path):
    """`--has-class 99`, a mistyped --scene or --model printed an empty or unsorted list as if all were well."""
    ws = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws, "--scenes", "1", "--tiles-per-scene", "2")
    code, _, err = run(capsys, "list", "--workspace", ws, "--has-class", "99")
    assert code == 1 and err.startswith("error: --has-class 99: no such class; this workspace's classes are 0 background, 1 ")
    code, _, err = run(capsys, "list", "--workspace", ws, "--scene", "900100", "--scene", "9OO1OO")
    assert code == 1 and err == "error: --scene 9OO1OO: no such scene; this workspace's scenes are 900100\n"
    code, _, err = run(capsys, "list", "--workspace", ws, "--model", "m-typo", "--sort", "least_confident")
    assert code == 1 and "no model 'm-typo' in this workspace" in err
    code, out, _ = run(
        capsys, "list", "--workspace", ws, "--has-class", "1", "--model", "seep-unet-cgg", "--sort", "least_confident"
    )
    assert code == 0 and out.endswith("1 image matches\n")  # the shipped model's predictions come before it is registered
    code, out, err = run(capsys, "list", "--workspace", ws, "--model", "seep-unet-cgg")  # it listed all, as if filtered
    assert (
        (code, out) == (1, "") and "add one of them" in err and "(largest_predicted, smallest_predicted, least_confident" in err
    )


def test_a_mistyped_device_is_one_line_on_every_command(capsys, tmp_path, tiny_model):
    (tmp_path / "in").mkdir()
    tifffile.imwrite(tmp_path / "in" / "a.tif", sar_tile())
    for argv in (
        ["predict", "--data", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "--model", str(tiny_model)],
        ["evaluate", "--data", str(tmp_path / "in"), "--model", str(tiny_model)],
    ):
        code, _, err = run(capsys, *argv, "--device", "gpu")
        assert code == 1 and err == "error: --device 'gpu': use auto, cpu, cuda, cuda:N (a GPU's number) or mps\n", err
    assert not (tmp_path / "o").exists()


def test_a_demo_of_no_tiles_is_refused_and_makes_no_workspace(capsys, tmp_path):
    for flags, said in [
        (("--scenes", "0"), "error: a demo needs 1 to 99 scenes, not 0"),
        (("--tiles-per-scene", "-2"), "error: a demo needs 1 to 999,999 tiles per scene, not -2"),
        (("--seed", "-1"), "error: a demo's seed is a whole number from 0 to 4294967295, not -1"),  # numpy's traceback
    ]:
        code, out, err = run(capsys, "demo", "--workspace", str(tmp_path / "w"), *flags)
        assert (code, out, err) == (1, "", said + "\n") and not (tmp_path / "w").exists()


def test_demo_tiles_and_real_ones_are_not_mixed_without_a_word(capsys, tmp_path):
    """The app's first start fills ./workspace with the demo and `import` writes there by default:
    fine-tunes would train on synthetic tiles accepted as ground truth beside the real ones."""
    (tmp_path / "real").mkdir()
    tifffile.imwrite(tmp_path / "real" / "777.000000.tif", sar_tile())
    real, demo = str(tmp_path / "real_ws"), str(tmp_path / "demo_ws")
    assert run(capsys, "import", str(tmp_path / "real"), "--workspace", real)[0] == 0
    code, out, err = run(capsys, "demo", "--no-geo-scene", "--scenes", "1", "--tiles-per-scene", "2", "--workspace", real)
    assert code == 1 and err.startswith(f"error: {real} holds 1 image that no demo made") and "new folder" in err
    assert Workspace(real, create=False).count_images() == 1
    run(capsys, "demo", "--no-geo-scene", "--scenes", "1", "--tiles-per-scene", "2", "--workspace", demo)
    code, out, err = run(capsys, "import", str(tmp_path / "real"), "--workspace", demo)
    assert code == 0 and f"warning: {demo} is the demo workspace: fine-tunes here train on its synthetic tiles" in err
    code, _, err = run(capsys, "import", str(tmp_path / "real"), "--workspace", real)
    assert code == 0 and "demo" not in err


def test_a_negative_row_count_is_refused_on_every_store(capsys, tmp_path):
    """SQLite read --limit -1 as "no limit" and --offset -5 as 0; PostgreSQL refuses both."""
    Workspace(tmp_path / "w")
    for argv, said in [
        (("list", "--limit", "-1"), "argument --limit: -1 is below 0"),
        (("list", "--offset", "-5"), "argument --offset: -5 is below 0"),
        (("jobs", "--limit", "-2"), "argument --limit: -2 is below 0"),
        (("audit", "--limit", "x"), "argument --limit: 'x' is not a whole number"),
        (("list", "--offset", "9" * 20), f"argument --offset: {'9' * 20} is more than any database holds"),  # a traceback
        (("worker", "--idle-exit", "-1"), "argument --idle-exit: -1 is not 0 or more seconds"),  # exited at once, 0
        (("worker", "--idle-exit", "nan"), "argument --idle-exit: nan is not 0 or more seconds"),
    ]:
        with pytest.raises(SystemExit) as e:
            main([*argv, "--workspace", str(tmp_path / "w")])
        assert e.value.code == 2 and capsys.readouterr().err.rstrip().endswith(said)


def test_no_run_or_prediction_is_written_into_a_workspace_folder(capsys, tmp_path, tiny_model):
    """crossval --out WORKSPACE wrote fold0/, fold1/ and summary.json among the workspace's records."""
    ws = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws, "--scenes", "2", "--tiles-per-scene", "2")
    run(capsys, "export", str(tmp_path / "data"), "--workspace", ws)
    before = sorted(p.name for p in Path(ws).iterdir())
    data = str(tmp_path / "data")
    for argv in (
        ["crossval", "--data", data, "--folds", "2", "--epochs", "1"],
        ["train", "--data", data, "--epochs", "1"],
        ["train", "--epochs", "1"],  # a workspace fine-tune's run folder
        ["predict", "--data", data + "/train_images_256", "--model", str(tiny_model)],
    ):
        code, out, err = run(capsys, *argv, "--out", ws, "--workspace", ws)
        assert code == 1 and out == "" and err.startswith(f"error: --out {ws} is a Seep workspace; give a new or empty")
    code, out, err = run(capsys, "export", ws, "--geotiff", "--workspace", ws)  # wrote <scene>.tif there
    assert code == 1 and out == "" and err.startswith(f"error: OUT {ws} is a Seep workspace")
    assert sorted(p.name for p in Path(ws).iterdir()) == before


def test_an_output_under_a_file_is_one_line_not_a_traceback(capsys, tmp_path, tiny_model):
    ws = str(tmp_path / "w")
    run(capsys, "demo", "--workspace", ws, "--scenes", "2", "--tiles-per-scene", "2")
    run(capsys, "export", str(tmp_path / "data"), "--workspace", ws)
    blocker = tmp_path / "afile"
    blocker.write_text("mine")
    data = str(tmp_path / "data")
    for argv, out in (
        (["export-seeps", str(blocker / "x.geojson")], blocker / "x.geojson"),
        (["train", "--data", data, "--epochs", "1", "--out", str(blocker)], blocker),
        (["crossval", "--data", data, "--folds", "2", "--epochs", "1", "--out", str(blocker)], blocker / "fold0"),
        (["predict", "--data", data + "/train_images_256", "--model", str(tiny_model), "--out", str(blocker)], None),
    ):
        code, _, err = run(capsys, *argv, "--workspace", ws)
        assert code == 1 and err.endswith(f"{blocker} is a file, not a folder\n") and "Traceback" not in err, err
        assert out is None or f"error: cannot write {out}: " in err
    assert blocker.read_text() == "mine"


def test_python_dash_m_seep_uses_the_environment_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("SEEP_WORKSPACE", str(tmp_path / "envws"))
    r = subprocess.run(
        [sys.executable, "-m", "seep", "demo", "--no-geo-scene", "--scenes", "1", "--tiles-per-scene", "2"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "envws" / "seep.db").exists()


def test_train_evaluate_predict_end_to_end(capsys, tmp_path):
    """A user's path on synthetic tiles: demo -> export -> train -> evaluate -> predict."""
    ws = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws, "--scenes", "3", "--tiles-per-scene", "3")
    run(capsys, "export", str(tmp_path / "data"), "--workspace", ws)
    code, out, err = run(
        capsys,
        "train",
        "--data",
        str(tmp_path / "data"),
        "--epochs",
        "1",
        "--base",
        "4",
        "--depth",
        "2",
        "--batch",
        "4",
        "--out",
        str(tmp_path / "run"),
        "--workspace",
        ws,
    )
    assert code == 0, err
    assert '"epoch": 1' in out and "best epoch 1" in err
    model = str(tmp_path / "run" / "best.pt")
    from seep.learn.checkpoint import load_checkpoint

    assert load_checkpoint(model)["model_config"]["base"] == 4

    code, out, err = run(capsys, "evaluate", "--data", str(tmp_path / "data"), "--model", model, "--json", "--scenes", "val")
    assert code == 0, err
    import json

    report = json.loads(out)
    assert report["tiles"] == 3 and len(report["iou"]) == 7 and len(report["confusion_matrix"]) == 8
    code, out, _ = run(capsys, "evaluate", "--data", str(tmp_path / "data"), "--model", model, "--tta")
    assert "binary seep IoU" in out and "normalised confusion matrix" in out

    code, out, err = run(capsys, "predict", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "pred"), "--model", model)
    assert code == 0 and "predicted 9 rasters" in out
    mask = tifffile.imread(tmp_path / "pred" / "train_masks_256" / "900100.000000.tif")
    conf = tifffile.imread(tmp_path / "pred" / "confidence" / "900100.000000.tif")
    assert mask.shape == conf.shape == (256, 256) and mask.dtype == np.uint8 and 0 < conf.min() <= conf.max() <= 1


def test_train_on_every_scene_for_the_shipped_model(capsys, tmp_path):
    """--val-fraction 0 trains on all scenes (the shipped model's last step); 0 used to mean 0.2."""
    ws = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws, "--scenes", "2", "--tiles-per-scene", "2")
    run(capsys, "export", str(tmp_path / "data"), "--workspace", ws)
    args = ["--epochs", "1", "--base", "4", "--depth", "2", "--batch", "4", "--workspace", ws]
    code, _, err = run(
        capsys, "train", "--data", str(tmp_path / "data"), "--val-fraction", "0", "--out", str(tmp_path / "r"), *args
    )
    assert code == 0, err
    assert "training on 4 tiles, no validation scenes" in err
    assert f"no validation scenes: the model is {tmp_path / 'r' / 'last.pt'} (epoch 1)" in err
    assert "validation binary IoU" not in err  # there is none: no training loss passed off as one
    from seep.learn.checkpoint import load_checkpoint

    assert load_checkpoint(tmp_path / "r" / "last.pt")["val_scenes"] == []


def test_resume_says_whether_there_was_a_run_to_resume(capsys, tmp_path):
    """--resume with a mistyped --out started over without a word."""
    ws = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws, "--scenes", "2", "--tiles-per-scene", "2")
    run(capsys, "export", str(tmp_path / "data"), "--workspace", ws)
    args = ["train", "--data", str(tmp_path / "data"), "--base", "4", "--depth", "2", "--batch", "4", "--resume"]
    code, out, err = run(capsys, *args, "--epochs", "1", "--out", str(tmp_path / "r"))
    assert code == 0 and f"nothing to resume in {tmp_path / 'r'}: starting at epoch 1" in err and '"epoch": 1' in out
    code, out, err = run(capsys, *args, "--epochs", "2", "--out", str(tmp_path / "r"))
    assert code == 0 and f"resuming from {tmp_path / 'r' / 'last.pt'}" in err
    assert '"epoch": 1' not in out and '"epoch": 2' in out
    code, out, err = run(capsys, *args, "--epochs", "3", "--out", str(tmp_path / "r"), "--base", "8")  # was torch's traceback
    assert code == 1 and "its network {'in_channels': 1, 'classes': 8, 'base': 4," in err and "Traceback" not in err


def test_model_errors_are_one_line(capsys, tmp_path):
    (tmp_path / "data" / "train_images_256").mkdir(parents=True)
    code, _, err = run(capsys, "evaluate", "--data", str(tmp_path / "data"), "--model", str(tmp_path / "none.pt"))
    assert code == 1 and err.startswith("error: no model at") and "none.pt" in err
    (tmp_path / "bad.pt").write_bytes(b"xx")
    code, _, err = run(
        capsys,
        "predict",
        "--data",
        str(tmp_path / "data"),
        "--out",
        str(tmp_path / "o"),
        "--model",
        str(tmp_path / "bad.pt"),
    )
    assert code == 1 and "not a readable Seep model" in err
    code, _, err = run(capsys, "train", "--data", str(tmp_path / "data"), "--workspace", str(tmp_path / "w"))
    assert code == 1 and "no train_masks_256/ folder" in err


def test_a_model_that_asks_for_gigabytes_is_refused_in_one_line(capsys, tmp_path, tiny_model):
    from seep.learn.checkpoint import load_checkpoint, save_checkpoint

    state = load_checkpoint(tiny_model)
    save_checkpoint(tmp_path / "huge.pt", {**state, "model_config": {**state["model_config"], "base": 1024, "depth": 5}})
    ws_path = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws_path, "--scenes", "1", "--tiles-per-scene", "2")
    code, out, err = run(capsys, "predict-all", "--workspace", ws_path, "--model", str(tmp_path / "huge.pt"))
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("error: ") and "huge.pt is not a usable Seep model: model config base=1024 is outside 1..256" in err


def test_predict_never_writes_over_the_labels_of_a_dataset(capsys, tmp_path, tiny_model):
    """`predict --data D --out D` replaced D's true masks with predictions, without a word."""
    ws = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws, "--scenes", "1", "--tiles-per-scene", "2")
    data = tmp_path / "data"
    run(capsys, "export", str(data), "--workspace", ws)
    labels = {f.name: f.read_bytes() for f in (data / "train_masks_256").iterdir()}
    for source, out in ((data, data), (data / "train_images_256", data)):
        code, _, err = run(capsys, "predict", "--data", str(source), "--out", str(out), "--model", str(tiny_model))
        assert code == 1 and "holds images (train_images_256/): the predicted masks would take the place of its labels" in err
    assert {f.name: f.read_bytes() for f in (data / "train_masks_256").iterdir()} == labels
    assert not (data / "confidence").exists()
    code, _, err = run(capsys, "predict", "--data", str(data), "--out", str(tmp_path / "p"), "--model", str(tiny_model))
    assert code == 0 and sorted(f.name for f in (tmp_path / "p" / "train_masks_256").iterdir()) == sorted(labels), err


def test_evaluate_says_when_scenes_name_no_tile(capsys, tmp_path, tiny_model):
    """`--scenes val` of a model trained on every scene read "no tiles of scenes  in D"."""
    from seep.learn.checkpoint import load_checkpoint, save_checkpoint

    ws = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws, "--scenes", "2", "--tiles-per-scene", "2")
    run(capsys, "export", str(tmp_path / "data"), "--workspace", ws)
    save_checkpoint(tmp_path / "all.pt", {**load_checkpoint(tiny_model), "val_scenes": []})
    for model, scenes, said in [
        (tmp_path / "all.pt", "val", "--scenes val: this model was validated on no scene (it trained on all)"),
        (tiny_model, " , ", "--scenes ' , ' names no scene"),
        (tiny_model, "nowhere", "no tiles of scene nowhere in"),
        (tiny_model, "900100,nowhere", "no tiles of scene nowhere in"),  # left out: figures of fewer scenes than asked
    ]:
        code, _, err = run(capsys, "evaluate", "--data", str(tmp_path / "data"), "--model", str(model), "--scenes", scenes)
        assert code == 1 and err.startswith(f"error: {said}") and err.count("\n") == 1, err
        assert "nowhere" not in scenes or err.endswith("(its scenes: 900100, 900101)\n")
    code, out, err = run(
        capsys, "evaluate", "--data", str(tmp_path / "data"), "--model", str(tiny_model), "--scenes", "900100, 900101"
    )
    assert code == 0 and out.startswith("4 tiles;"), err  # spaces after the commas are not part of a name


def test_a_mask_value_with_no_class_is_named_before_training_or_scoring(capsys, tmp_path, tiny_model):
    """A 9 in a --data mask failed scoring deep inside ("cannot reshape array of size 78"), after training."""
    ws = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws, "--scenes", "2", "--tiles-per-scene", "2")
    data = tmp_path / "data"
    run(capsys, "export", str(data), "--workspace", ws)
    bad = sorted((data / "train_masks_256").iterdir())[1]
    mask = tifffile.imread(bad)
    mask[:3, :3] = 9
    tifffile.imwrite(bad, mask)
    for argv in (["evaluate", "--model", str(tiny_model)], ["train", "--epochs", "1", "--out", str(tmp_path / "run")]):
        code, _, err = run(capsys, *argv, "--data", str(data))
        assert code == 1 and err == f"error: mask {bad} has values [9] outside the class table (0..7); fix the mask\n"
    assert not (tmp_path / "run").exists()


def test_predict_all_caches_and_labels_the_unlabelled(capsys, tmp_path, tiny_model):
    ws_path = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws_path, "--scenes", "1", "--tiles-per-scene", "7")  # 5 labelled, 2 not
    code, out, err = run(capsys, "predict-all", "--workspace", ws_path, "--model", str(tiny_model))
    assert code == 0, err
    assert "predicted 7 images" in out and "2 unlabelled images got the prediction" in out
    ws = Workspace(ws_path)
    assert ws.status_counts()["predicted"] == 2
    un = ws.image("900100.000006")
    assert ws.version(un.id).describe == f"predicted by model {tiny_model.stem}"
    assert ws.predicted(ws.image_ids(), tiny_model.stem) == set(ws.image_ids())
    code, out, _ = run(capsys, "predict-all", "--workspace", ws_path, "--model", str(tiny_model), "--unreviewed")
    # The other 5 are accepted demo labels: the run says it left them out, why, and how to include them.
    assert out.startswith("predicted 2 images") and "first label" not in out
    assert "skipped 5 already reviewed (5 accepted): turn off 'Only unreviewed images'" in out


def test_predict_all_with_a_newer_model_replaces_only_untouched_predictions(capsys, tmp_path, tiny_model):
    """After a fine-tune is promoted, Predict all must put the new model's prediction where the
    analyst will correct: a label that is still an earlier model's untouched prediction gets
    the new one as a new version (it used to keep the old model's, so corrections started from
    it); a label a person saved stays as it is."""
    import shutil

    ws_path = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws_path, "--scenes", "1", "--tiles-per-scene", "7")  # 5 labelled, 2 not
    run(capsys, "predict-all", "--workspace", ws_path, "--model", str(tiny_model))
    ws = Workspace(ws_path)
    untouched, edited = ws.list_images(ImageFilter(status=("predicted",)))
    ws.save_label(edited.id, ws.label(edited.id)[1], parent=1, author="ana")  # the analyst saved it
    newer = shutil.copy(tiny_model, tmp_path / "newer.pt")
    code, out, err = run(capsys, "predict-all", "--workspace", ws_path, "--model", str(newer))
    assert code == 0, err
    assert "1 still labelled with an earlier model's untouched prediction got this one's" in out
    assert (ws.version(untouched.id).version, ws.version(untouched.id).describe) == (2, "predicted by model newer")
    assert ws.image(untouched.id).status == "predicted" and ws.version(untouched.id).parent == 1  # v1 kept in history
    assert (ws.version(edited.id).version, ws.version(edited.id).source) == (2, "edited")
    code, out, _ = run(capsys, "predict-all", "--workspace", ws_path, "--model", str(newer))
    assert "earlier model" not in out and ws.version(untouched.id).version == 2  # the same model: nothing new


def test_predict_all_uses_the_active_model_like_the_app(capsys, tmp_path, tiny_model):
    from seep.workspace import registry

    ws_path = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws_path, "--scenes", "1", "--tiles-per-scene", "3")
    ws = Workspace(ws_path)
    rec = registry.register_model(ws, tiny_model, model_id="analyst-tuned")
    registry.promote(ws, rec.id)
    code, out, err = run(capsys, "predict-all", "--workspace", ws_path, "--scene", "9001OO")  # was "predicted 0 images"
    assert code == 1 and err == "error: no scene '9001OO' in this workspace (scenes: 900100)\n" and out == ""
    code, out, err = run(capsys, "predict-all", "--workspace", ws_path)
    assert code == 0, err
    assert "with model analyst-tuned" in out
    assert ws.predicted(ws.image_ids(), "analyst-tuned") == set(ws.image_ids())


def test_promote_and_rollback_from_the_command_line(capsys, tmp_path, tiny_model):
    from seep.workspace import registry as reg
    from seep.workspace.accounts import audit_rows

    ws = Workspace(tmp_path / "w")
    root = str(ws.root)
    reg.register_model(ws, tiny_model, model_id="tiny")
    worse = {"binary_iou": 0.2, "base_binary_iou": 0.3, "worse_than_base": True}
    reg.register_model(ws, tiny_model, model_id="tuned", parent="tiny", metrics=worse)
    assert run(capsys, "promote", "tiny", "--workspace", root)[1] == "tiny is now the active model\n"
    code, out, err = run(capsys, "promote", "tiny", "--workspace", root)  # it added a step that rollback had to undo
    assert (code, out, err) == (0, "tiny is already the active model; nothing changed\n", "")
    code, out, err = run(capsys, "promote", "tuned", "--workspace", root)
    assert code == 0 and out == "tuned is now the active model\n"
    assert err.startswith("warning: tuned is worse than its base: binary seep IoU 0.200") and "`rollback` undoes" in err
    code, out, _ = run(capsys, "models", "--workspace", root)
    assert "* tuned" in out and "worse than its base" in out
    assert run(capsys, "rollback", "--workspace", root)[1] == "rolled back: tiny is the active model again\n"
    assert [r["action"] for r in reversed(audit_rows(ws))] == ["promote", "promote", "rollback"]  # none for the no-op


def test_a_model_made_in_the_app_is_used_by_its_id(capsys, tmp_path, tiny_model):
    """A fine-tune registered in the workspace was usable from the command line only by a path
    inside the workspace's models/ folder; `models` lists ids, and --model takes them."""
    from seep.workspace import registry

    ws_path = str(tmp_path / "w")
    run(capsys, "demo", "--no-geo-scene", "--workspace", ws_path, "--scenes", "2", "--tiles-per-scene", "3")
    ws = Workspace(ws_path)
    registry.register_model(ws, tiny_model, model_id="analyst-tuned")  # a candidate, not active
    code, out, err = run(capsys, "predict-all", "--workspace", ws_path, "--model", "analyst-tuned")
    assert code == 0 and "with model analyst-tuned" in out, err
    assert ws.predicted(ws.image_ids(), "analyst-tuned") == set(ws.image_ids())  # kept under its id
    export = tmp_path / "data"
    run(capsys, "export", str(export), "--workspace", ws_path)
    code, out, err = run(
        capsys, "predict", "--data", str(export / "train_images_256"), "--out", str(tmp_path / "o"),
        "--model", "analyst-tuned", "--workspace", ws_path,
    )  # fmt: skip
    assert code == 0 and "predicted 6 rasters" in out, err
    code, out, err = run(capsys, "evaluate", "--data", str(export), "--model", "analyst-tuned", "--workspace", ws_path)
    assert code == 0 and "binary seep IoU" in out, err
    tuned = ["--from-model", "analyst-tuned", "--teacher", "analyst-tuned", "--epochs", "1", "--base", "4", "--depth", "2"]
    tuned += ["--out", str(tmp_path / "r")]
    code, _, err = run(capsys, "train", "--data", str(export), *tuned, "--workspace", ws_path)
    assert code == 0 and (tmp_path / "r" / "last.pt").is_file(), err
    for given, said in (
        ("anlyst-tuned", "no model 'anlyst-tuned' in this workspace (models: analyst-tuned)"),
        ("best.pt", "no model at best.pt; pass a model file or a model id of --workspace"),  # a file mistyped
    ):
        code, _, err = run(capsys, "predict-all", "--workspace", ws_path, "--model", given)
        assert code == 1 and said in err, err
    code, _, err = run(capsys, "predict", "--data", str(export), "--out", str(tmp_path / "p"), "--model", "analyst-tuned",
                       "--workspace", str(tmp_path / "none"))  # fmt: skip
    assert code == 1 and "no model at analyst-tuned" in err


def test_predict_skips_and_names_the_files_it_cannot_read(capsys, tmp_path, tiny_model):
    """One bad file in a folder used to stop `predict` before anything was written."""
    data = tmp_path / "in"
    data.mkdir()
    for name in ("a", "c"):
        tifffile.imwrite(data / f"{name}.tif", sar_tile(seed=ord(name)))
    (data / "b.tif").write_text("not a tiff")
    tifffile.imwrite(data / "rgb.tif", np.zeros((64, 64, 3), np.uint8), photometric="rgb")
    code, out, _ = run(capsys, "predict", "--data", str(data), "--out", str(tmp_path / "o"), "--model", str(tiny_model))
    assert code == 3
    assert "skipped b.tif: image" in out and "is not a readable TIFF" in out
    assert "skipped rgb.tif: image" in out and "has 3 bands but the model reads 1" in out
    assert "predicted 2 rasters" in out and "2 files skipped" in out
    assert sorted(p.name for p in (tmp_path / "o" / "train_masks_256").iterdir()) == ["a.tif", "c.tif"]
    assert sorted(p.name for p in (tmp_path / "o" / "confidence").iterdir()) == ["a.tif", "c.tif"]

    # evaluate checks each tile before any is predicted
    labelled = tmp_path / "labelled"
    for folder, array in (
        ("train_images_256", np.zeros((64, 64, 3), np.uint8)),
        ("train_masks_256", np.zeros((64, 64), np.uint8)),
    ):
        (labelled / folder).mkdir(parents=True)
        tifffile.imwrite(labelled / folder / "s.1.tif", array, photometric="rgb" if array.ndim == 3 else None)
    code, _, err = run(capsys, "evaluate", "--data", str(labelled), "--model", str(tiny_model))
    assert code == 1 and err == "error: image s.1 has 3 bands but the model reads 1\n", err  # was the batch's shape


def test_predict_finds_the_same_seeps_in_a_tile_in_decibels(capsys, tmp_path):
    """SNAP writes Sentinel-1 sigma0 in dB, with NaN off the swath: the shipped model reads it as
    it reads power, where it used to take the log of the log and see a flat sea (and refused
    the NaN)."""
    from seep.learn.shipped import SHIPPED_MODEL

    if not SHIPPED_MODEL.is_file():
        pytest.skip("no shipped model in models/")
    data = tmp_path / "in"
    data.mkdir()
    power = make_tile(DemoSpec(), 0, 2).image.astype(np.float32) * np.float32(2e-6)  # a slick on calibrated sigma0
    power[:, :10] = 0  # off the swath
    tifffile.imwrite(data / "power.tif", power)
    db = np.where(power > 0, 10 * np.log10(np.maximum(power, 1e-9)), np.nan).astype(
        np.float32
    )  # no data as NaN, as SNAP writes it
    tifffile.imwrite(data / "db.tif", db)
    code, out, _ = run(capsys, "predict", "--data", str(data), "--out", str(tmp_path / "o"), "--model", str(SHIPPED_MODEL))
    assert code == 0 and "predicted 2 rasters" in out
    masks = {n: tifffile.imread(tmp_path / "o" / "train_masks_256" / f"{n}.tif") for n in ("power", "db")}
    assert (masks["power"] > 0).sum() > 100 and np.mean(masks["power"] == masks["db"]) > 0.999


UTM31_10M = (10, 0, 500_000, 0, -10, 6_000_000)  # 10 m pixels in UTM zone 31N


def geotiff_and_plain_tile(data: Path) -> None:
    """data/geo.tif on a real CRS (EPSG:32631), data/plain.tif without one."""
    import rasterio
    from rasterio.transform import Affine

    data.mkdir()
    profile = {"driver": "GTiff", "height": 64, "width": 64, "count": 1, "dtype": "uint16", "crs": "EPSG:32631"}
    with rasterio.open(data / "geo.tif", "w", transform=Affine(*UTM31_10M), **profile) as ds:
        ds.write(sar_tile(seed=1)[None])
    tifffile.imwrite(data / "plain.tif", sar_tile(seed=2))


def test_predict_keeps_a_geotiffs_place_on_the_map(capsys, tmp_path, tiny_model):
    """A GIS user predicting a folder of GeoTIFF tiles gets masks that overlay them in QGIS."""
    import rasterio
    from rasterio.transform import Affine

    data = tmp_path / "in"
    geotiff_and_plain_tile(data)
    transform = Affine(*UTM31_10M)
    code, out, _ = run(capsys, "predict", "--data", str(data), "--out", str(tmp_path / "o"), "--model", str(tiny_model))
    assert code == 0 and "predicted 2 rasters" in out
    for folder, dtype in (("train_masks_256", "uint8"), ("confidence", "float32")):
        with rasterio.open(tmp_path / "o" / folder / "geo.tif") as ds:
            assert ds.crs.to_epsg() == 32631 and ds.transform == transform
            assert (ds.height, ds.width, ds.count, ds.dtypes[0]) == (64, 64, 1, dtype)
    with rasterio.open(tmp_path / "o" / "train_masks_256" / "geo.tif") as ds:
        # QGIS draws the mask in the app's class colours (a paletted layer), not a grey ramp.
        assert ds.colormap(1)[4][:3] == SEEP_CLASSES[4].rgb
        plain = tifffile.TiffFile(tmp_path / "o" / folder / "plain.tif")
        assert not {33550, 33922, 34264, 34735} & set(plain.pages[0].tags.keys())  # no map for a tile without one
        plain.close()
    mask = tifffile.imread(tmp_path / "o" / "train_masks_256" / "geo.tif")
    assert mask.shape == (64, 64) and mask.max() < 8


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_predict_keeps_the_ground_control_points_of_a_radar_tile(capsys, tmp_path, tiny_model):
    """A tile in the radar's own geometry (a Sentinel-1 GRD cut) is placed by ground control
    points, not a grid: its masks carry the same points, so a GIS warps them as it warps it."""
    import rasterio
    from rasterio.control import GroundControlPoint

    points = [GroundControlPoint(row=r, col=c, x=3.2 + c * 1e-4 - r * 2e-5, y=42.9 - r * 9e-5) for r in (0, 64) for c in (0, 64)]
    (tmp_path / "in").mkdir()
    profile = {"driver": "GTiff", "height": 64, "width": 64, "count": 1, "dtype": "uint16"}
    with rasterio.open(tmp_path / "in" / "grd.tif", "w", gcps=points, crs="EPSG:4326", **profile) as ds:
        ds.write(sar_tile(seed=3)[None])
    code, out, err = run(
        capsys, "predict", "--data", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "--model", str(tiny_model)
    )
    assert code == 0, err
    for folder in ("train_masks_256", "confidence"):
        with rasterio.open(tmp_path / "o" / folder / "grd.tif") as ds:
            got, crs = ds.gcps
            assert crs.to_epsg() == 4326 and [(p.row, p.col, p.x, p.y) for p in got] == [(p.row, p.col, p.x, p.y) for p in points]


def test_a_folder_import_says_which_images_lose_their_place_on_the_map(capsys, tmp_path):
    geotiff_and_plain_tile(tmp_path / "in")
    code, out, err = run(capsys, "import", str(tmp_path / "in"), "--workspace", str(tmp_path / "w"))
    assert code == 0 and "2 images added" in out
    assert "warning: 1 image(s) are georeferenced (in/geo.tif)" in err and "plain.tif" not in err
    assert "`python -m seep import SCENE.tif` imports a georeferenced file as a scene" in err


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600)])
def test_files_seep_writes_follow_the_umask(tmp_path, umask, mode):
    """A colleague's account (or a worker on another machine under another user) can read a
    workspace and its exports under the usual umask; a stricter one is kept."""
    ws, out = tmp_path / "w", tmp_path / "export"
    script = f"umask {umask:03o} && {sys.executable} -m seep demo --no-geo-scene --scenes 1 --tiles-per-scene 2 --workspace {ws}"
    script += f" && {sys.executable} -m seep export {out} --workspace {ws}"
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert r.returncode == 0, r.stderr
    written = [p for p in [*ws.rglob("*"), *out.rglob("*")] if p.is_file()]
    assert len(written) > 10 and {p.stat().st_mode & 0o777 for p in written} == {mode}


def test_evaluate_without_data_scores_a_workspace_model_where_the_page_would(capsys, tmp_path, tiny_model):
    """`seep evaluate` on a workspace runs what the Models page's Evaluate runs: a registry model
    on the tiles a fine-tune is checked on, its figures kept when it had none."""
    import json

    from seep.jobs.finetune import FinetuneParams, plan
    from seep.workspace import registry as reg
    from seep.workspace.demo import build_demo

    ws = Workspace(tmp_path / "w")
    build_demo(ws, DemoSpec(scenes=2, tiles_per_scene=4, geo_scene=False), labelled_per_scene=3)
    reg.promote(ws, reg.register_model(ws, tiny_model, model_id="tiny").id)
    held = sorted(r.id for r in plan(ws, FinetuneParams()).val)
    code, out, err = run(capsys, "evaluate", "--workspace", str(ws.root))
    assert code == 0, err
    assert out.startswith(f"tiny on {len(held)} held-out reviewed tile") and "binary seep IoU" in out
    assert reg.get_model(ws, "tiny").metrics["val_tiles"] == held  # what the page then shows and compares
    (counts,) = [line for line in out.splitlines() if line.startswith("tile by tile, it left ")]
    (clear_empty, clear_called), (seep_empty, seep_called) = reg.get_model(ws, "tiny").metrics["tile_counts"]
    assert f"left {seep_empty} of the {seep_empty + seep_called} tiles holding seep empty" in counts
    code, out, _ = run(capsys, "evaluate", "--workspace", str(ws.root), "--model", "tiny", "--json")
    assert code == 0 and json.loads(out)["tiles"] == len(held)

    code, _, err = run(capsys, "evaluate", "--workspace", str(ws.root), "--tta")
    assert code == 1 and "--tta: only with --data" in err
    code, _, err = run(capsys, "evaluate", "--workspace", str(ws.root), "--model", str(tiny_model))
    assert code == 1 and "a model file is scored on a folder of tiles, given with --data" in err
    code, _, err = run(capsys, "evaluate", "--workspace", str(ws.root), "--model", "nosuch")
    assert code != 0 and "no model 'nosuch' in this workspace (models: tiny)" in err
    empty = Workspace(tmp_path / "empty")
    build_demo(empty, DemoSpec(scenes=1, tiles_per_scene=2, geo_scene=False), labelled_per_scene=0)
    reg.promote(empty, reg.register_model(empty, tiny_model, model_id="tiny").id)
    code, _, err = run(capsys, "evaluate", "--workspace", str(empty.root))
    assert code == 1 and "this workspace has no reviewed tiles to score tiny on yet" in err
