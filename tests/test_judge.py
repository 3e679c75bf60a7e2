"""How a fine-tune's candidate is judged against its base before anyone promotes it: the
share of the change it keeps, the area it calls, a verdict that leans toward the base, a
candidate that floods the unreviewed tiles. Model arithmetic, the same on either store: the
job's records are tested on both in test_jobs.py."""

from pathlib import Path

import numpy as np
import pytest
import torch
from finetuning import TINY, fake_evaluate

from seep.data.synthetic import DemoSpec
from seep.errors import BadInputError
from seep.jobs.finetune import FinetuneParams, plan, run_finetune
from seep.workspace import UNREVIEWED, ImageFilter, Workspace
from seep.workspace import registry as reg
from seep.workspace.demo import build_demo


def test_a_base_with_no_figures_keeps_those_its_candidate_was_judged_against(demo, tiny_model):
    """The shipped model has no figures in a new workspace; the first fine-tune scores it on the
    held-out tiles anyway, and now keeps them (the Models page offered Evaluate to redo it)."""
    reg.promote(demo, reg.register_model(demo, tiny_model, model_id="tiny").id)
    r = run_finetune(demo, FinetuneParams(epochs=1, batch_size=4))
    base, cand = reg.get_model(demo, "tiny"), reg.get_model(demo, r["model_id"])
    assert base.metrics["val_tiles"] == cand.metrics["val_tiles"] and base.metrics["binary_iou"] == r["base_binary_iou"]


def test_the_candidate_keeps_the_asked_share_of_what_the_fine_tune_changed(demo):
    import torch

    from seep.learn.checkpoint import load_checkpoint

    first = run_finetune(demo, FinetuneParams(epochs=1, from_scratch=TINY, batch_size=4))
    reg.promote(demo, first["model_id"])

    def weights(**kw):
        path = reg.get_model(demo, run_finetune(demo, FinetuneParams(epochs=1, batch_size=4, **kw))["model_id"]).path(demo)
        return load_checkpoint(path)["model"]

    base, full, half = weights(blend=0.0), weights(blend=1.0), weights(blend=0.5)
    moved = [k for k, v in base.items() if v.is_floating_point() and not torch.equal(v, full[k])]
    assert moved  # BatchNorm statistics among them
    assert any("running_mean" in k for k in moved)
    for k in moved:
        torch.testing.assert_close(half[k], (base[k] + full[k]) / 2, rtol=1e-4, atol=1e-6)
    assert all(torch.equal(half[k], full[k]) for k, v in full.items() if not v.is_floating_point())
    parent = load_checkpoint(reg.get_model(demo, first["model_id"]).path(demo))["model"]
    assert all(torch.equal(base[k], v) for k, v in parent.items() if v.is_floating_point())  # none of it: the base
    with pytest.raises(BadInputError, match="between 0 and 1"):
        FinetuneParams.from_dict({"blend": 1.5})


def test_replay_learns_the_base_models_confident_pixels_only(tmp_path, tiny_model):
    import seep.jobs.finetune as ft
    from seep.learn.data import IGNORE

    demo = Workspace(tmp_path / "w")
    build_demo(demo, DemoSpec(scenes=3, tiles_per_scene=5, geo_scene=False), labelled_per_scene=3)  # 2 unlabelled per scene
    base = reg.register_model(demo, tiny_model, model_id="tiny")
    p = plan(demo, FinetuneParams(replay=0.5))
    assert len(p.replay) == round(0.5 * len(p.train)) and all(r.status == "unlabelled" for r in p.replay)
    tiles = ft._replayed(demo, base, p.replay)
    classes, confidence = demo.prediction(p.replay[0].id, "tiny")  # predicted once, cached
    assert np.array_equal(tiles[0].mask == IGNORE, confidence < ft.REPLAY_CONFIDENCE)
    assert np.array_equal(tiles[0].mask[confidence >= ft.REPLAY_CONFIDENCE], classes[confidence >= ft.REPLAY_CONFIDENCE])


def test_a_worse_candidate_says_so_and_is_not_promoted(demo, tiny_model, monkeypatch, capsys):
    import seep.jobs.judge as judge
    from seep.cli import main

    reg.promote(demo, reg.register_model(demo, tiny_model, model_id="tiny").id)
    monkeypatch.setattr(judge, "evaluate", fake_evaluate(candidate_iou=0.30, base_iou=0.45))
    r = run_finetune(demo, FinetuneParams(epochs=1, batch_size=4, auto_promote=True))
    cand = reg.get_model(demo, r["model_id"])
    assert r["worse"] and not r["promoted"] and reg.active_model(demo).id == "tiny"
    assert cand.metrics["worse_than_base"] and cand.metrics["base_binary_iou"] == 0.45
    assert main(["train", "--workspace", str(demo.root), "--epochs", "1"]) == 0
    err = capsys.readouterr().err
    assert (
        "WORSE than its base" in err and "training on 7 tiles (0 corrected awaiting review, 7 accepted), validating" in err
    )  # as the page says
    assert main(["models", "--workspace", str(demo.root)]) == 0
    assert "worse than its base" in capsys.readouterr().out

    monkeypatch.setattr(judge, "evaluate", fake_evaluate(candidate_iou=0.50, base_iou=0.45))
    r = run_finetune(demo, FinetuneParams(epochs=1, batch_size=4, auto_promote=True))
    assert not r["worse"] and r["promoted"] and reg.active_model(demo).id == r["model_id"]


def test_a_verdict_on_the_bases_own_accepted_predictions_says_the_check_leans_its_way(tmp_path, tiny_model, monkeypatch):
    """Tiles accepted as the base predicted them hold the base's own answer: held out, the base
    scores perfectly there by construction, and the 'worse' verdict must say so."""
    import seep.jobs.finetune as ft
    import seep.jobs.judge as judge
    from seep.jobs.predict import predict_all
    from seep.learn.infer import Predictor

    monkeypatch.setattr(ft, "SHIPPED_MODEL", tmp_path / "no-shipped-model.pt")
    ws = Workspace(tmp_path / "w")
    build_demo(ws, DemoSpec(scenes=2, tiles_per_scene=5, geo_scene=False), labelled_per_scene=0)
    reg.promote(ws, reg.register_model(ws, tiny_model, model_id="tiny").id)  # fake_evaluate knows it by name
    predict_all(ws, Predictor(tiny_model), "tiny")
    for r in ws.list_images():
        ws.set_status(r.id, "accepted")  # A on every tile: the prediction, as it was
    monkeypatch.setattr(judge, "evaluate", fake_evaluate(candidate_iou=0.90, base_iou=1.0))
    r = run_finetune(ws, FinetuneParams(epochs=1, batch_size=4))
    held = r["val_tiles"]
    assert (
        r["worse"]
        and f", but {held} of those {held} tiles are the base's own predictions accepted as they were" in r["why_worse"]
    )


def _head_biased(src: Path, dst: Path, cls: int) -> Path:
    """The model at src with its head pushed to class `cls` everywhere (sure of it)."""
    from seep.learn.checkpoint import load_checkpoint, save_checkpoint

    state = load_checkpoint(src)
    bias = state["model"]["head.bias"]
    bias.zero_()
    bias[cls] = 50.0
    save_checkpoint(dst, state)
    return dst


def test_a_candidate_that_floods_the_unreviewed_tiles_is_flagged(tmp_path, tiny_model, monkeypatch):
    """The held-out reviewed tiles are the queue's doubtful, seep-rich ones: a candidate that
    learnt 'more seep' wins there. The tiles nobody reviewed catch it."""
    import seep.jobs.finetune as ft
    import seep.jobs.judge as judge

    ws = Workspace(tmp_path / "w")
    build_demo(ws, DemoSpec(scenes=3, tiles_per_scene=5, geo_scene=False), labelled_per_scene=3)
    sure_sea = _head_biased(tiny_model, tmp_path / "sea.pt", 0)
    reg.promote(ws, reg.register_model(ws, sure_sea, model_id="base").id)
    monkeypatch.setattr(judge, "evaluate", fake_evaluate(candidate_iou=0.50, base_iou=0.45))  # wins on held-out tiles
    real_export = ft.export_weights

    def flooding(src, dst):
        real_export(src, dst)
        _head_biased(dst, dst, 1)

    monkeypatch.setattr(ft, "export_weights", flooding)
    flood = FinetuneParams(epochs=1, batch_size=4, auto_promote=True, blend=1.0)  # the candidate as exported
    said = []
    r = run_finetune(ws, flood, on_log=said.append)
    assert r["worse"] and not r["promoted"] and reg.active_model(ws).id == "base"
    assert r["rest_agreement"] == 0.0 and "6 tiles of the same scenes nobody reviewed" in r["why_worse"]
    assert reg.get_model(ws, r["model_id"]).metrics["rest_tiles"] == 6
    # The tiles it changes most, kept to look at before promoting it: all seep added, none taken away.
    changes = reg.get_model(ws, r["model_id"]).metrics["rest_changes"]
    assert len(changes) == judge.REST_SHOWN and all(ch["added"] > 0 and ch["removed"] == 0 for ch in changes)
    assert [ch["added"] for ch in changes] == sorted((ch["added"] for ch in changes), reverse=True)
    most = ws.image(changes[0]["image"]).name
    assert any(line.startswith(f"of the tiles nobody reviewed, it changes most {most} (+") for line in said)

    monkeypatch.setattr(ft, "export_weights", lambda src, dst: real_export(sure_sea, dst))  # the base, unchanged
    r = run_finetune(ws, flood)
    assert r["rest_agreement"] == 1.0 and not r["worse"] and r["promoted"]
    assert reg.get_model(ws, r["model_id"]).metrics["rest_changes"] == []  # nothing changed, nothing to show


def _keep_area_case(tmp_path, tiny_model, monkeypatch):
    """A workspace whose base calls a third of its unreviewed tiles seep, and a fine-tune that calls more seep everywhere (its background
    logit 3 lower), as one on the queue's seep-rich tiles does. Returns the workspace, the base
    and a function giving a model's `seep_until` values over the unreviewed tiles."""
    import seep.jobs.finetune as ft
    from seep.jobs.predict import SceneContext, fresh_prediction
    from seep.learn.checkpoint import load_checkpoint, save_checkpoint, shift_background
    from seep.learn.data import valid_pixels
    from seep.learn.decode import background_shift
    from seep.learn.infer import Predictor

    ws = Workspace(tmp_path / "w")
    build_demo(ws, DemoSpec(scenes=3, tiles_per_scene=5, geo_scene=False), labelled_per_scene=3)
    rest = ws.list_images(ImageFilter(status=UNREVIEWED))

    def seep_until(path):  # each tile seen with its neighbours' edges, as Review and the job see it
        predictor, context, out = Predictor(path), SceneContext(ws), []
        for r in rest:
            image = ws.read_image(r.id)
            probs = fresh_prediction(predictor, r.id, image, context, keep_probs=True).probs
            off_swath = ~valid_pixels(image, ws.config.nodata)  # never seep there
            out.append(np.where(off_swath, -np.inf, predictor.decode.seep_until(probs)))
        return out

    base = tmp_path / "base.pt"
    state = load_checkpoint(tiny_model)
    state["model"]["head.weight"] *= 100  # a one-epoch model's logits barely vary: make its pixels far apart
    save_checkpoint(base, state)
    until = np.concatenate([u.ravel() for u in seep_until(base)])
    shift_background(base, background_shift(until[np.isfinite(until)], until.size // 3))  # calls a third of the rest seep
    reg.promote(ws, reg.register_model(ws, base, model_id="base").id)
    real_export = ft.export_weights

    def calls_more(src, dst):  # what a fine-tune on seep-rich tiles does
        real_export(base, dst)
        shift_background(dst, -3.0)

    monkeypatch.setattr(ft, "export_weights", calls_more)
    return ws, base, seep_until


def test_keep_area_makes_the_candidate_call_as_much_seep_as_its_base_on_the_rest(tmp_path, tiny_model, monkeypatch):
    """Corrections from the queue's doubtful tiles teach a fine-tune to call less (or more)
    seep everywhere; keep_area shifts the candidate back to its base's seep area on the
    tiles nobody reviewed, and changes nothing else."""
    from seep.learn.checkpoint import load_checkpoint

    ws, base, seep_until = _keep_area_case(tmp_path, tiny_model, monkeypatch)
    r = run_finetune(ws, FinetuneParams(epochs=1, batch_size=4, blend=1.0, keep_area=True))
    assert r["area_shift"] == pytest.approx(3.0, abs=0.05)
    cand = reg.get_model(ws, r["model_id"]).path(ws)
    base_seep, cand_seep = (sum((u > 0).sum() for u in seep_until(m)) for m in (base, cand))
    assert abs(int(cand_seep) - int(base_seep)) <= 0.01 * base_seep
    base_w, cand_w = load_checkpoint(base)["model"], load_checkpoint(cand)["model"]
    assert all(torch.equal(base_w[k], cand_w[k]) for k in base_w if k != "head.bias")
