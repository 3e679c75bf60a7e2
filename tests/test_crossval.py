"""Scene cross-validation, SAR-aware input, weight averaging and decoding, on synthetic scenes."""

import json
import re
import shutil

import numpy as np
import pytest
import torch

from seep.cli import main
from seep.data.classes import SEEP_CLASSES
from seep.data.layout import Tile
from seep.data.raster import write_tiff
from seep.data.synthetic import DemoSpec, generate
from seep.errors import BadInputError
from seep.learn.augment import photometric
from seep.learn.checkpoint import export_weights, load_checkpoint
from seep.learn.crossval import chosen_elsewhere, scene_folds
from seep.learn.data import CropDataset, Normalizer
from seep.learn.decode import DECODES, Decode, area_shift, background_shift
from seep.learn.infer import Predictor
from seep.learn.model import UNet, UNetConfig
from seep.learn.shipped import SHIPPED_MODEL, expected_scores, sha256, write_expected_scores
from seep.learn.train import TrainConfig, averaged, train
from seep.workspace import Workspace
from seep.workspace.registry import get_model

NAMES = SEEP_CLASSES.names


def tiles_of(scenes: dict[str, int], size=32) -> list[Tile]:
    rng = np.random.default_rng(0)
    return [
        Tile(f"{s}.{i:06d}", s, rng.integers(1, 60000, (size, size, 1)).astype(np.uint16), np.zeros((size, size), np.uint8))
        for s, n in scenes.items()
        for i in range(n)
    ]


def test_folds_are_whole_scenes_balanced_by_tiles_and_reproducible():
    tiles = tiles_of({"a": 9, "b": 7, "c": 5, "d": 4, "e": 3, "f": 2, "g": 1})
    folds = scene_folds(tiles, 3)
    assert sorted(s for f in folds for s in f) == list("abcdefg")  # every scene in exactly one fold
    sizes = [sum(t.scene in f for t in tiles) for f in folds]
    assert max(sizes) - min(sizes) <= 2, sizes  # 31 tiles: 11/10/10 at best
    assert scene_folds(list(reversed(tiles)), 3) == folds
    with pytest.raises(BadInputError, match="at least 4 scenes"):
        scene_folds(tiles_of({"a": 1, "b": 1, "c": 1}), 4)
    with pytest.raises(BadInputError, match="at least 2 folds"):
        scene_folds(tiles, 1)


def test_log_and_image_centre_remove_a_calibration_gain_and_keep_no_data():
    rng = np.random.default_rng(1)
    img = rng.integers(1000, 30000, (32, 32, 1)).astype(np.uint16)
    img[:4] = 0  # outside the swath
    tiles = [Tile("a.1", "a", img, np.zeros((32, 32), np.uint8))]
    norm = Normalizer.fit(tiles, 0, log=True, center="image")
    brighter = np.where(img > 0, np.minimum(img.astype(np.float64) * 2, 65535), 0).astype(np.uint16)
    assert np.allclose(norm(img), norm(brighter), atol=1e-3)  # x2 is +3 dB, and the median takes it away
    assert np.all(norm(img)[0, :4] == 0)
    plain = Normalizer.fit(tiles, 0)
    assert not np.allclose(plain(img), plain(brighter), atol=0.1)  # the old input moves with the gain
    assert Normalizer.from_dict(norm.to_dict()) == norm
    assert Normalizer.from_dict({"mean": [1.0], "std": [2.0]}) == Normalizer((1.0,), (2.0,), 0)  # older model files
    with pytest.raises(BadInputError, match="centre"):
        Normalizer.from_dict({**norm.to_dict(), "center": "scene?"})


def test_a_raster_in_decibels_gives_the_model_the_same_input_as_in_power():
    """Sentinel-1 scenes often come in dB (SNAP's export): the model that reads decibels must not
    take the log of a log, which floors a sea of -20 dB flat and finds no slick."""
    rng = np.random.default_rng(3)
    img = rng.integers(1000, 30000, (32, 32, 1)).astype(np.uint16)
    img[:4] = 0  # outside the swath
    norm = Normalizer.fit([Tile("a.1", "a", img, np.zeros((32, 32), np.uint8))], 0, log=True, center="image")
    power = np.where(img > 0, img * np.float32(1e-5), 0).astype(np.float32)  # calibrated sigma0: a gain of 1e-5
    db = np.where(img > 0, 10 * np.log10(np.maximum(power, 1e-12)), 0).astype(np.float32)
    assert np.median(db[img > 0]) < -5  # a sea in dB: mostly below 0
    assert np.allclose(norm(img), norm(power), atol=1e-4) and np.allclose(norm(img), norm(db), atol=1e-4)
    assert np.all(norm(db)[0, :4] == 0)


def test_gain_and_speckle_change_the_input_but_never_no_data():
    x = np.ones((1, 16, 16), np.float32)
    valid = np.ones((16, 16), bool)
    valid[:, :3] = False
    seen = [photometric(x, valid, np.random.default_rng(s), ("gain", "speckle")) for s in range(8)]
    assert all(np.all(y[0, :, :3] == 0) for y in seen)
    assert any(not np.allclose(y[0, :, 3:], 1) for y in seen)
    t = tiles_of({"a": 2}, size=32)
    ds = CropDataset(t, Normalizer.fit(t), size=16, seep_bias=0, ops=("hflip",))
    assert ds[0][0].dtype == torch.float32  # geometric ops only: nothing photometric applied


def test_seep_centred_crops_show_a_small_slick_and_are_reproducible():
    t = tiles_of({"a": 4}, size=64)
    t[0].mask[50:53, 50:53] = 7  # a small slick in one tile of four
    norm = Normalizer.fit(t)
    ds = CropDataset(t, norm, size=16, seep_bias=1.0, ops=(), crops_per_tile=20, seed=3)
    shown = [(ds[i][1] == 7).any().item() for i in range(0, len(ds), 4)]  # tile 0's crops
    assert all(shown)  # centred on seep (jittered by at most a quarter crop) whenever the tile has any
    assert all(torch.equal(ds[i][0], ds[i][0]) for i in range(5))  # (seed, epoch, index) decide a crop
    blind = CropDataset(t, norm, size=16, seep_bias=0.0, ops=(), crops_per_tile=20, seed=3)
    assert sum((blind[i][1] == 7).any().item() for i in range(0, len(blind), 4)) < len(shown)


def test_decode_threshold_and_one_class_per_slick():
    probs = np.zeros((8, 8, 12), np.float32)
    probs[0] = 0.9
    probs[0, 2:5, 1:11] = 0.35  # one slick: P(seep) 0.65, mostly class 1, one end class 5
    probs[1, 2:5, 1:8] = 0.45
    probs[5, 2:5, 1:8] = 0.2
    probs[1, 2:5, 8:11] = 0.2
    probs[5, 2:5, 8:11] = 0.45
    probs[3, 2:5, 6] = 0.65
    probs[0, 2:5, 6] = 0.35 - 0.3  # a column where class 3 wins the pixel
    probs /= probs.sum(0, keepdims=True)
    classes, conf = Decode()(probs)
    assert set(np.unique(classes[2:5, 1:11])) == {1, 3, 5}  # per pixel: a patchwork
    voted, conf = Decode(slick="vote")(probs)
    assert np.all(voted[2:5, 1:11] == 1) and np.all(voted[voted == 0] == 0)
    assert np.allclose(conf[2:5, 1:11], probs[1, 2:5, 1:11])  # confidence of the class given
    by_threshold, by_threshold_conf = Decode(0.5, "vote")(probs)  # the shipped decoding: no per-pixel argmax first
    assert np.array_equal(by_threshold, voted) and np.array_equal(by_threshold_conf, conf)
    strict, _ = Decode(threshold=0.7)(probs)
    assert strict[2:5, 6].all() and not np.delete(strict, 6, axis=1).any()  # P(seep) 0.65 < 0.7 < 0.96
    valid = np.ones((8, 12), bool)
    valid[:, :4] = False
    assert not Decode(0.5, "close")(probs, valid)[0][:, :4].any()  # no-data stays background
    gap = probs.copy()
    gap[:, 2:5, 5] = 0
    gap[0, 2:5, 5] = 1  # a one-pixel gap splits the slick
    assert set(np.unique(Decode(slick="vote")(gap)[0][2:5, 1:11])) == {0, 1, 5}  # two fragments, two classes...
    closed = Decode(slick="close")(gap)[0][2:5, 1:11]
    assert closed[1].all() and set(np.unique(closed[closed > 0])) == {1}  # ...closed: bridged, one slick, one class
    for bad in ({"threshold": 1.5}, {"threshold": "0.5"}, {"slick": "blob"}, {"size": 3}, [0.5]):
        with pytest.raises(BadInputError):
            Decode.from_dict(bad)


def test_the_average_follows_the_warmed_up_decay_exactly_for_weights_and_batchnorm_buffers():
    """Every tensor of the average, BatchNorm's statistics and batch counter included, is
    mean + (new - mean) * (1 - d) with d = min(decay, (1 + n) / (10 + n)) after n updates."""
    torch.manual_seed(0)
    model = UNet(UNetConfig(base=4, depth=2))
    ema = averaged(model, 0.9, None)
    expect: dict[str, torch.Tensor] = {}
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for n in range(1, 30):
        model.train()
        opt.zero_grad()
        model(torch.randn(2, 1, 32, 32)).square().mean().backward()
        opt.step()
        ema.update_parameters(model)
        d = min(0.9, n / (9 + n))  # update n averages with n_averaged = n - 1 before it; the first copies
        new = model.state_dict()
        expect = {k: v.clone() if n == 1 else (expect[k] + (v - expect[k]) * (1 - d)).to(v.dtype) for k, v in new.items()}
    got = ema.module.state_dict()
    assert all(torch.equal(got[k], expect[k]) for k in expect), [k for k in expect if not torch.equal(got[k], expect[k])]
    counters = [k for k in got if k.endswith("num_batches_tracked")]
    assert counters and all(got[k] > 0 for k in counters)


def test_ema_weights_are_what_is_saved_and_a_resume_continues_them(tmp_path):
    tiles = [
        Tile(t.name, t.scene, t.image[:64, :64, None], t.mask[:64, :64]) for t in generate(DemoSpec(scenes=2, tiles_per_scene=2))
    ]
    cfg = TrainConfig(epochs=2, crop=64, batch_size=4, ema=0.9, log_input=True, center="image", amp=False)
    small = UNetConfig(base=4, depth=2)
    train(cfg, small, tiles[:2], tiles[2:], tmp_path / "r", class_names=NAMES, val_scenes=[tiles[2].scene])
    ck = load_checkpoint(tmp_path / "r" / "last.pt")
    assert ck["ema_steps"] > 1 and ck["normalizer"]["log"] and ck["normalizer"]["center"] == "image"
    differs = [k for k in ck["model"] if k.endswith("weight") and not torch.equal(ck["model"][k], ck["raw_model"][k])]
    assert differs  # the saved model is the average, not the last step
    more = TrainConfig(**{**cfg.__dict__, "epochs": 3})
    r = train(more, small, tiles[:2], tiles[2:], tmp_path / "r", class_names=NAMES, val_scenes=[tiles[2].scene], resume=True)
    assert [h["epoch"] for h in r.history] == [1, 2, 3]
    assert load_checkpoint(tmp_path / "r" / "last.pt")["ema_steps"] > ck["ema_steps"]
    export_weights(tmp_path / "r" / "last.pt", tmp_path / "m.pt")
    assert "raw_model" not in load_checkpoint(tmp_path / "m.pt")
    assert Predictor(tmp_path / "m.pt").normalizer.log
    # A fine-tune keeps its parent's decoding; the export can set the one it ships with.
    export_weights(tmp_path / "r" / "last.pt", tmp_path / "h.pt", decode={"threshold": 0.5, "slick": "vote", "low": 0.3})
    assert Predictor(tmp_path / "h.pt").decode == Decode(0.5, "vote", low=0.3)
    with pytest.raises(BadInputError, match="hysteresis low threshold"):
        export_weights(tmp_path / "r" / "last.pt", tmp_path / "bad.pt", decode={"threshold": 0.5, "low": 0.7})
    assert not (tmp_path / "bad.pt").exists()


def test_crossval_command_on_synthetic_scenes(tmp_path, capsys):
    """The whole command as a user runs it: folds of whole scenes, each scored with its last
    weights on its own scenes, JSON lines, a summary of every decoding; a second run finds the
    finished folds and trains nothing."""
    data = tmp_path / "data"
    for t in generate(DemoSpec(scenes=4, tiles_per_scene=2)):
        write_tiff(data / "train_images_256" / f"{t.name}.tif", t.image[:128, :128])
        write_tiff(data / "train_masks_256" / f"{t.name}.tif", t.mask[:128, :128])
    args = ["crossval", "--data", str(data), "--folds", "2", "--epochs", "2", "--val-every", "2", "--crop", "64"]
    args += ["--batch", "4", "--base", "4", "--depth", "2", "--threshold", "0.4", "--out", str(tmp_path / "cv"), "--json"]
    assert main(args) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    folds, summary = lines[:2], lines[2]
    scenes = {p.name.split(".")[0] for p in (data / "train_images_256").iterdir()}
    assert sorted(s for f in folds for s in f["val_scenes"]) == sorted(scenes)
    assert all(f["tiles"] == 4 and list(f["curve"]) == ["2"] for f in folds)
    assert {"argmax/pixel", "p0.4/vote", "p0.6/close"} <= set(summary["decodes"])
    fig = summary["decodes"]["argmax/pixel"]["mean_iou"]
    per_fold = [f["decodes"]["argmax/pixel"]["mean_iou"] for f in folds]
    assert None not in per_fold and fig["n"] == 2 and fig["mean"] == pytest.approx(np.mean(per_fold), abs=1e-4)
    ck = load_checkpoint(tmp_path / "cv" / "fold0" / "last.pt")
    assert ck["decode"] == {"threshold": 0.4, "slick": "pixel"} and ck["val_scenes"] == folds[0]["val_scenes"]
    mtime = (tmp_path / "cv" / "fold0" / "last.pt").stat().st_mtime_ns
    assert main(args[:-1]) == 0  # the table this time
    out = capsys.readouterr().out
    assert "fold 0" in out and "mean +- spread" in out and "binary IoU" in out
    assert len(summary["chosen_elsewhere"]["per_fold"]) == 2 and "each fold decoded as the other folds chose" in out
    assert (tmp_path / "cv" / "fold0" / "last.pt").stat().st_mtime_ns == mtime

    # The figures kept beside a model: its recipe's fold models, each scored on its own scenes
    # as that model decodes, as the cross-validation scored them.
    model, kept_at = tmp_path / "cv" / "fold0" / "last.pt", tmp_path / "model.cv.json"
    kept = write_expected_scores([tmp_path / "cv"], data, model=model, out=kept_at)
    assert kept["decode"] == "p0.4/pixel" and (kept["runs"], kept["folds"], kept["scenes"], kept["tiles"]) == (1, 2, 4, 8)
    per_fold = [f["decodes"]["p0.4/pixel"]["binary_iou"] for f in folds]
    assert kept["binary_iou"]["mean"] == pytest.approx(np.mean(per_fold), abs=1e-3)
    # Several seeds of the recipe: every fold model of each counts, each scene and tile once.
    shutil.copytree(tmp_path / "cv", tmp_path / "seed2")
    two = write_expected_scores([tmp_path / "cv", tmp_path / "seed2"], data, model=model, out=tmp_path / "two.json")
    assert (two["runs"], two["folds"], two["scenes"], two["tiles"]) == (2, 2, 4, 8) and two["binary_iou"]["n"] == 4
    assert two["binary_iou"]["mean"] == pytest.approx(kept["binary_iou"]["mean"], abs=1e-4)  # the same models twice
    (tmp_path / "seed2" / "fold1" / "last.pt").unlink()
    with pytest.raises(FileNotFoundError, match="the same number of fold"):
        write_expected_scores([tmp_path / "cv", tmp_path / "seed2"], data, model=model, out=tmp_path / "two.json")
    rows = np.asarray(kept["confusion_matrix"]).sum(axis=1)
    assert rows.shape == (8,) and np.all((np.abs(rows - 1) < 1e-3) | (rows == 0))  # shares of each true class
    assert expected_scores(model, kept_at) == kept
    assert expected_scores(tmp_path / "cv" / "fold1" / "last.pt", kept_at) is None  # not these weights' figures
    for cut in ("iou", "folds", "confusion_matrix"):  # a file cut short, or edited by hand: no figures
        kept_at.write_text(json.dumps({k: v for k, v in kept.items() if k != cut}))
        assert expected_scores(model, kept_at) is None, cut
    kept_at.write_text(json.dumps({**kept, "iou": kept["iou"][1:]}))
    assert expected_scores(model, kept_at) is None
    kept_at.write_text(json.dumps({**kept, "binary_iou": "0.9"}))
    assert expected_scores(model, kept_at) is None
    kept_at.write_text("{not json")
    assert expected_scores(model, kept_at) is None
    # The same from the command line, beside the model, and taken with it into a workspace's registry.
    assert main(["expected-scores", str(model), "--runs", str(tmp_path / "cv"), "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert (
        out.startswith(f"wrote {tmp_path / 'cv' / 'fold0' / 'last.cv.json'}: binary IoU ")
        and "(2 folds over 4 scenes, 8 tiles)" in out
    )
    ws = str(tmp_path / "ws")
    Workspace(ws)
    assert main(["add-model", str(model), "--workspace", ws]) == 0
    assert "with what to expect of it on new scenes (last.cv.json): binary IoU" in capsys.readouterr().out
    assert get_model(Workspace(ws), "fold0-last").expected == expected_scores(model, model.with_suffix(".cv.json"))
    shutil.copy(model.with_suffix(".cv.json"), tmp_path / "cv" / "fold1" / "last.cv.json")  # fold 0's figures
    assert main(["add-model", str(tmp_path / "cv" / "fold1" / "last.pt"), "--workspace", ws]) == 0
    assert "last.cv.json are not " in capsys.readouterr().err
    assert get_model(Workspace(ws), "fold1-last").expected is None
    assert (
        main(["expected-scores", str(model), "--runs", str(tmp_path / "cv"), str(tmp_path / "seed2"), "--data", str(data)]) == 1
    )
    assert "the same number of fold" in capsys.readouterr().err
    # Other settings in the same folder would resume the old weights: refused instead.
    assert main([*args[:-1], "--ema", "0.99"]) == 1
    assert "holds a run with other settings" in capsys.readouterr().err
    assert main([*args[:-1], "--base", "8"]) == 1  # another network: its finished folds were reported as this one's
    assert "holds a run with other settings, network" in capsys.readouterr().err

    # A second stage: each fold fine-tunes the first run's model of the same fold.
    stage2 = [*args[:-3], "--out", str(tmp_path / "cv2"), "--epochs", "1", "--crop", "128", "--from-run", str(tmp_path / "cv")]
    assert main([*stage2, "--json"]) == 0
    second = [json.loads(x) for x in capsys.readouterr().out.splitlines()][:2]
    for k, f in enumerate(second):
        assert f["from"] == str(tmp_path / "cv" / f"fold{k}" / "last.pt") and f["val_scenes"] == folds[k]["val_scenes"]
        assert load_checkpoint(tmp_path / "cv2" / f"fold{k}" / "last.pt")["init_from"] == f["from"]
    # Folds that hold out other scenes than the parent's would score scenes it trained on.
    assert main([*stage2[:-2], "--from-run", str(tmp_path / "cv"), "--folds", "3", "--out", str(tmp_path / "cv3")]) == 1
    assert "held out scenes" in capsys.readouterr().err
    assert main([*stage2[:-1], str(tmp_path / "nowhere")]) == 1
    assert "has no fold 0 model" in capsys.readouterr().err
    assert main([*stage2[:-2]]) == 1  # the same folder without its parent: another run
    assert "holds a run with other settings" in capsys.readouterr().err

    # Distillation: each fold also learns the averaged probabilities of both runs' fold models.
    taught = [*args[:-3], "--out", str(tmp_path / "cv4"), "--epochs", "1", "--teacher-run", str(tmp_path / "cv")]
    assert main([*taught, "--teacher-run", str(tmp_path / "cv2"), "--json"]) == 0
    fold1 = [json.loads(x) for x in capsys.readouterr().out.splitlines()][1]
    assert fold1["teachers"] == [str(tmp_path / run / "fold1" / "last.pt") for run in ("cv", "cv2")]
    assert load_checkpoint(tmp_path / "cv4" / "fold1" / "last.pt")["teachers"] == fold1["teachers"]
    assert main([*taught[:-4], "--folds", "3", "--out", str(tmp_path / "cv5"), *taught[-2:]]) == 1
    assert "--teacher-run" in (err := capsys.readouterr().err) and "held out scenes" in err


def test_folds_run_one_per_process_and_the_last_to_finish_prints_the_summary(tmp_path, capsys):
    """--fold N, as on a GPU machine with one process per fold: each trains its own fold only,
    and the run that finds every fold finished prints the same summary a single run would."""
    data = tmp_path / "data"
    for t in generate(DemoSpec(scenes=3, tiles_per_scene=2)):
        write_tiff(data / "train_images_256" / f"{t.name}.tif", t.image[:128, :128])
        write_tiff(data / "train_masks_256" / f"{t.name}.tif", t.mask[:128, :128])
    args = ["crossval", "--data", str(data), "--folds", "2", "--epochs", "1", "--crop", "64", "--batch", "4"]
    args += ["--base", "4", "--depth", "2", "--out", str(tmp_path / "cv"), "--json"]
    assert main([*args, "--fold", "1"]) == 0
    out = capsys.readouterr()
    assert [json.loads(x)["fold"] for x in out.out.splitlines()] == [1]  # its fold, and no summary yet
    assert "folds still to finish before the summary: 0" in out.err
    assert not (tmp_path / "cv" / "fold0").exists() and not (tmp_path / "cv" / "summary.json").exists()
    assert main([*args, "--fold", "0"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x.get("fold") for x in lines[:2]] == [0, 1] and lines[2]["folds"] == 2  # both folds, then the summary
    assert json.loads((tmp_path / "cv" / "summary.json").read_text()) == lines[2]
    assert main([*args, "--fold", "2"]) == 1
    assert "--fold 2: the folds are numbered 0 to 1" in capsys.readouterr().err


def test_a_decoding_chosen_in_cross_validation_is_scored_on_folds_that_did_not_choose_it():
    """The best decoding by mean over all folds is picked on the folds it is reported on;
    chosen_elsewhere scores each fold with the one the other folds chose: here 'b' wins the
    mean (0.267) but fold 0 alone made it win, and chosen elsewhere the folds read 0.133."""

    def report(a, b):
        return {
            "decodes": {n: {"binary_iou": v, "mean_iou": 0.1, "mean_ap50": 0.0, "mean_map": 0.0} for n, v in (("a", a), ("b", b))}
        }

    reports = [report(0.5, 0.2), report(0.1, 0.3), report(0.1, 0.3)]
    got = chosen_elsewhere(reports, ["a", "b"])
    assert got["per_fold"] == ["b", "a", "a"] and got["binary_iou"]["folds"] == [0.2, 0.1, 0.1]
    assert got["binary_iou"]["mean"] == pytest.approx(0.1333, abs=1e-4)  # below either mean over all folds
    assert chosen_elsewhere(reports[:1], ["a", "b"]) == {}


@pytest.mark.parametrize("decode", [Decode(), Decode(threshold=0.4)], ids=["argmax", "threshold"])
def test_a_background_shift_leaves_exactly_the_asked_seep_area(decode):
    logits = np.random.default_rng(0).normal(0, 2, (8, 32, 32))
    probs = np.exp(logits) / np.exp(logits).sum(0)
    until = decode.seep_until(probs)
    assert ((until > 0) == (decode(probs)[0] > 0)).all()  # seep now is where the shift still has room
    for area in (0, 1, 300, 1023, 1024):
        shifted = logits.copy()
        shifted[0] += background_shift(until, area)
        assert (decode(np.exp(shifted) / np.exp(shifted).sum(0))[0] > 0).sum() == area


def test_hysteresis_keeps_a_faint_slick_whole_where_part_of_it_is_sure():
    seep_p = np.full((16, 16), 0.1)
    seep_p[2, 1:12] = 0.4  # a faint slick ...
    seep_p[2, 5:7] = 0.8  # ... sure in the middle
    seep_p[6, 1:6] = 0.4  # faint clutter, nowhere sure
    seep_p[10, 1:12] = 0.4  # a faint slick whose sure part lies beyond a gap in the swath
    seep_p[10, 9:11] = 0.8
    probs = np.zeros((8, 16, 16))
    probs[0], probs[1] = 1 - seep_p, seep_p
    valid = np.ones((16, 16), bool)
    valid[8:, 7] = False  # a gap in the swath across the lower slick
    hyst = Decode(0.5, "vote", low=0.3)
    seep = hyst(probs, valid)[0] > 0
    assert seep[2, 1:12].all() and seep.sum() == 11 + 4  # the whole slick; below, see next
    assert not seep[6].any()  # clutter with nothing sure in it stays sea
    assert seep[10, 8:12].all() and not seep[10, :7].any()  # the part cut off from the sure pixels goes
    assert (Decode(0.5, "vote")(probs, valid)[0] > 0).sum() == 4  # the sure pixels alone
    assert hyst.name == "p0.5h0.3/vote" and Decode.from_dict(hyst.to_dict()) == hyst and hyst in DECODES
    for bad in ({"threshold": None, "low": 0.3}, {"threshold": 0.5, "low": 0.6}, {"threshold": 0.5, "low": "0.3"}):
        with pytest.raises(BadInputError, match="hysteresis low threshold"):
            Decode.from_dict(bad)


@pytest.mark.parametrize("decode", [Decode(threshold=0.4), Decode(0.5, "vote", low=0.3)], ids=["threshold", "hysteresis"])
def test_the_area_shift_leaves_the_nearest_seep_area_any_shift_can(decode):
    """What the learning loop's kept area relies on: after the shift the decoding calls as much
    seep as asked, or as near as any shift of the background can (with hysteresis a region
    goes at once)."""
    rng = np.random.default_rng(1)
    logits = [cv2_blur(rng.normal(0, 2, (8, 48, 48))) for _ in range(2)]
    valid = np.ones((48, 48), bool)
    valid[:, :5] = False

    def seep_area(shift: float) -> int:
        total = 0
        for z in logits:
            z = z.copy()
            z[0] += shift
            total += int((decode(np.exp(z) / np.exp(z).sum(0), valid)[0] > 0).sum())
        return total

    untils = [np.where(valid, decode.seep_until(np.exp(z) / np.exp(z).sum(0)), -np.inf) for z in logits]
    reachable = [seep_area(d) for d in np.linspace(-12, 12, 241)]
    for area in (0, 40, 500, 1500, 2 * 43 * 48):
        got = seep_area(area_shift(decode, untils, area))
        assert abs(got - area) <= min(abs(r - area) for r in reachable), (area, got)


def cv2_blur(x: np.ndarray) -> np.ndarray:
    """Smooth noise per channel, so that regions are larger than a pixel."""
    import cv2

    return np.stack([cv2.GaussianBlur(c, (0, 0), 2) * 4 for c in x])


def test_a_workspace_fine_tune_refuses_the_flags_of_training_from_a_folder(tmp_path, capsys):
    args = ["train", "--workspace", str(tmp_path / "ws"), "--log-input", "--ema", "0.99", "--teacher", "m.pt"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "--teacher, --log-input, --ema only apply to training from a folder" in err, err
    assert not (tmp_path / "ws").exists()  # nothing created


def test_the_shipped_model_carries_the_figures_of_its_cross_validation():
    """The Models page tells analysts what to expect of the shipped model from the file beside
    it; new weights without new figures would show nothing, so they must come together."""
    if not SHIPPED_MODEL.is_file():
        pytest.skip("no shipped model in models/")
    kept = expected_scores()
    assert kept is not None, "models/seep-unet-cgg.cv.json describes other weights: rerun write_expected_scores"
    assert kept["decode"] == Decode.from_dict(load_checkpoint(SHIPPED_MODEL)["decode"]).name
    # seeds 7, 8 and 9 of the recipe (models/README.md), five folds each, over every tile
    assert (kept["runs"], kept["folds"], kept["scenes"], kept["tiles"]) == (3, 5, 13, 616)
    # The card names the weights it describes: one checksum, this file's.
    card = (SHIPPED_MODEL.parent / "README.md").read_text()
    assert re.findall(r"sha256 `([0-9a-f]{64})`", card) == [sha256(SHIPPED_MODEL)]
