"""A model trained elsewhere (a `train --data` run on a GPU node, another workspace's candidate)
added to a workspace's registry with `seep add-model` (the Models page's Add, admins), on SQLite
and on a real PostgreSQL server: kept without its optimizer state, scored and made active here as
a fine-tune's candidate is; anything that could not predict this workspace's tiles is refused,
writing nothing."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from seep.cli import main
from seep.data.synthetic import DemoSpec
from seep.learn.checkpoint import load_checkpoint, save_checkpoint
from seep.learn.model import UNet, UNetConfig
from seep.learn.shipped import SHIPPED_MODEL, SHIPPED_SCORES, figures_of, sha256
from seep.workspace import Workspace
from seep.workspace import registry as reg
from seep.workspace.accounts import audit_rows
from seep.workspace.demo import build_demo

pytestmark = pytest.mark.usefixtures("store")


@pytest.fixture
def ws(tmp_path) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    build_demo(ws, DemoSpec(scenes=2, tiles_per_scene=3, geo_scene=False), labelled_per_scene=3)
    return ws


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def a_run(tmp_path, tiny_model, name: str = "b50"):
    """The folder of a `train --data` run: its last.pt keeps the optimizer's state for --resume."""
    state = load_checkpoint(tiny_model)
    state["optimizer"] = {"state": {0: {"exp_avg": torch.ones(4096)}}, "param_groups": []}
    save_checkpoint(tmp_path / "runs" / name / "last.pt", state)
    return tmp_path / "runs" / name / "last.pt"


def test_a_run_trained_elsewhere_is_added_scored_and_made_active(capsys, tmp_path, tiny_model, ws, store, request, monkeypatch):
    last = a_run(tmp_path, tiny_model)
    note = "recipe B, 40 epochs on the 2024 archive <b>"
    code, out, err = run(capsys, "add-model", str(last), "--note", note, "--author", "ada", "--workspace", str(ws.root))
    assert code == 0, err
    added = reg.get_model(ws, "b50-last")
    assert added.note == note  # what it is, where the registry has no parent, job or tiles to say it
    assert out.startswith("added model b50-last (") and "`evaluate --model b50-last`" in out
    assert not added.active and added.parent is None and added.metrics == {}
    kept = load_checkpoint(added.path(ws))
    assert "optimizer" not in kept and added.path(ws).stat().st_size < last.stat().st_size
    for k, v in load_checkpoint(last)["model"].items():
        assert torch.equal(kept["model"][k], v)
    entry = audit_rows(ws, actor="ada")[0]
    assert (entry["action"], entry["target"]) == ("add model", "b50-last") and str(last) in entry["detail"]

    code, out, err = run(capsys, "evaluate", "--model", "b50-last", "--workspace", str(ws.root))
    assert code == 0, err
    assert reg.get_model(ws, "b50-last").metrics["binary_iou"] is not None  # scored here, as a fine-tune is
    assert run(capsys, "promote", "b50-last", "--workspace", str(ws.root))[0] == 0
    assert reg.active_model(ws).id == "b50-last"
    listing = run(capsys, "models", "--workspace", str(ws.root))[1]
    assert listing.startswith("* b50-last ") and f"({note})\n" in listing

    code, out, err = run(capsys, "add-model", str(tiny_model), "--id", "lead.v2", "--promote", "--workspace", str(ws.root))
    assert code == 0, err
    assert out.endswith("lead.v2 is now the active model\n") and reg.active_model(ws).id == "lead.v2"

    # Taken on to another workspace as it lies in this one's models/ folder: the id it had here.
    if store == "postgres":  # another workspace, another database
        monkeypatch.setenv("SEEP_DATABASE_URL", request.getfixturevalue("postgres_server").new_database())
    other = Workspace(tmp_path / "other")
    code, out, err = run(capsys, "add-model", str(added.path(ws)), "--workspace", str(other.root))
    assert code == 0 and [m.id for m in reg.list_models(other)] == ["b50-last"], err


def network(tiny_model, path, **change):
    """A model file as Seep writes it, of another network than the tiny one."""
    state = load_checkpoint(tiny_model)
    config = UNetConfig.from_dict({**state["model_config"], **change})
    save_checkpoint(path, {**state, "model_config": config.to_dict(), "model": UNet(config).state_dict()})
    return path


def test_what_could_not_predict_here_is_refused_writing_nothing(capsys, tmp_path, tiny_model, ws):
    reg.register_model(ws, tiny_model, model_id="taken")
    (tmp_path / "notes.pt").write_text("not a model")
    odd = {
        "notes.pt is not a readable Seep model": [str(tmp_path / "notes.pt")],
        "reads 3-band images, but this workspace's images have 1 band": [
            str(network(tiny_model, tmp_path / "rgb.pt", in_channels=3))
        ],
        "gives 12 classes (background and 11 seep classes), more than this workspace's class table holds (8)": [
            str(network(tiny_model, tmp_path / "wide.pt", classes=12))
        ],
        "a model taken is already registered here": [str(tiny_model), "--id", "taken"],
        "model id '../up' cannot name a model": [str(tiny_model), "--id", "../up"],
        "is the shipped model's id, and": [str(tiny_model), "--id", SHIPPED_MODEL.stem],
        "model file": [str(tmp_path / "gone.pt")],
        "the note holds a control character": [str(tiny_model), "--note", "two\nlines"],
    }
    before = (sorted(p.name for p in (ws.root / "models").iterdir()), len(audit_rows(ws)))
    for said, argv in odd.items():
        code, out, err = run(capsys, "add-model", *argv, "--author", "ada", "--workspace", str(ws.root))
        assert code == 1 and said in err and "Traceback" not in err, (said, err)
    assert [m.id for m in reg.list_models(ws)] == ["taken"]
    assert (sorted(p.name for p in (ws.root / "models").iterdir()), len(audit_rows(ws))) == before

    binary = network(tiny_model, tmp_path / "seep-or-not.pt", classes=2)  # fits any class table
    assert run(capsys, "add-model", str(binary), "--workspace", str(ws.root))[0] == 0
    if SHIPPED_MODEL.is_file():  # the shipped weights themselves may take their own id
        shutil.copy(SHIPPED_MODEL, tmp_path / f"{SHIPPED_MODEL.stem}.pt")
        assert run(capsys, "add-model", str(tmp_path / f"{SHIPPED_MODEL.stem}.pt"), "--workspace", str(ws.root))[0] == 0


def test_a_model_is_taken_to_another_workspace_with_its_figures(capsys, tmp_path, tiny_model, ws, store, request, monkeypatch):
    """export-model writes the pair add-model takes: the weights as registered here and the
    figures it came with, bound to those weights (a run's last.pt lost its optimizer state here,
    so the figures' hash of the file it came from no longer names it)."""
    last = a_run(tmp_path, tiny_model)
    figures = {**json.loads(SHIPPED_SCORES.read_text()), "model_sha256": sha256(last)}
    figures_of(last).write_text(json.dumps(figures))
    assert run(capsys, "add-model", str(last), "--workspace", str(ws.root))[0] == 0
    out_dir = tmp_path / "to-take"
    code, out, err = run(capsys, "export-model", "b50-last", "--out", str(out_dir), "--workspace", str(ws.root))
    assert code == 0, err
    pt, cv = out_dir / "b50-last.pt", out_dir / "b50-last.cv.json"
    assert out == f"wrote {pt}\nwrote {cv}\n"
    assert pt.read_bytes() == reg.get_model(ws, "b50-last").path(ws).read_bytes()
    assert json.loads(cv.read_text()) == {**figures, "model_sha256": sha256(pt)}

    code, out, err = run(capsys, "export-model", "b50-last", "--out", str(out_dir), "--workspace", str(ws.root))
    assert code == 1 and "already there; nothing was written" in err  # a second export overwrites nothing
    code, out, err = run(capsys, "export-model", "b50", "--out", str(tmp_path / "x"), "--workspace", str(ws.root))
    assert code == 1 and "b50-last" in err and not (tmp_path / "x").exists()  # the ids there are, named
    code, out, err = run(capsys, "export-model", "b50-last", "--out", str(ws.root), "--workspace", str(ws.root))
    assert code == 1 and "is a Seep workspace" in err
    (tmp_path / "a-file").write_text("")
    code, out, err = run(capsys, "export-model", "b50-last", "--out", str(tmp_path / "a-file"), "--workspace", str(ws.root))
    assert code == 1 and f"{tmp_path / 'a-file'} is a file, not a folder" in err

    if store == "postgres":  # another workspace, another database
        monkeypatch.setenv("SEEP_DATABASE_URL", request.getfixturevalue("postgres_server").new_database())
    other = Workspace(tmp_path / "other")
    code, out, err = run(capsys, "add-model", str(pt), "--workspace", str(other.root))
    assert code == 0 and "with what to expect of it on new scenes (b50-last.cv.json)" in out, err
    assert reg.get_model(other, "b50-last").expected["binary_iou"] == figures["binary_iou"]
    b = figures["binary_iou"]
    listing = run(capsys, "models", "--workspace", str(other.root))[1]
    assert f"  on new scenes: seep IoU {b['mean']:.2f} +- {b['std']:.2f} (cross-validated)\n" in listing  # as the page says


def test_a_models_note_is_said_again_and_audited(capsys, tiny_model, ws):
    reg.register_model(ws, tiny_model, model_id="m1", note="first try")
    code, out, err = run(
        capsys, "model-note", "m1", "kept: best on the Nov passes", "--author", "ada", "--workspace", str(ws.root)
    )
    assert code == 0 and out == "m1: kept: best on the Nov passes\n", err
    assert reg.get_model(ws, "m1").note == "kept: best on the Nov passes"
    entry = audit_rows(ws, actor="ada")[0]
    assert (entry["action"], entry["target"], entry["detail"]) == ("note model", "m1", "was: first try")
    for argv, said in {
        ("m1", "two\nlines"): "the note holds a control character",
        ("m2", "x"): "no model 'm2'",
        ("m1", "x", "--author", " "): "needs an author",
    }.items():
        code, out, err = run(capsys, "model-note", *argv, "--workspace", str(ws.root))
        assert code == 1 and said in err, (said, err)
    assert reg.get_model(ws, "m1").note == "kept: best on the Nov passes" and len(audit_rows(ws, actor="ada")) == 1
    assert run(capsys, "model-note", "m1", "", "--workspace", str(ws.root))[1] == "m1 has no note now\n"


def test_a_model_added_and_made_active_rolls_back_to_the_shipped_one(capsys, tiny_model, ws):
    """The shipped model predicted before the first model made active: roll back returns to it."""
    said = run(capsys, "models", "--workspace", str(ws.root))[1]
    assert said == f"no models yet: the shipped model ({SHIPPED_MODEL.stem}) predicts\n"
    assert run(capsys, "add-model", str(tiny_model), "--id", "other", "--workspace", str(ws.root))[0] == 0
    said = run(capsys, "models", "--workspace", str(ws.root))[1]
    assert said.endswith(f"none active: the shipped model ({SHIPPED_MODEL.stem}) predicts\n")
    assert run(capsys, "add-model", str(tiny_model), "--id", "lead", "--promote", "--workspace", str(ws.root))[0] == 0
    code, out, err = run(capsys, "rollback", "--workspace", str(ws.root))
    assert code == 0 and out == f"rolled back: {SHIPPED_MODEL.stem} is the active model again\n", err
    assert {m.id for m in reg.list_models(ws)} == {"other", "lead", SHIPPED_MODEL.stem}
