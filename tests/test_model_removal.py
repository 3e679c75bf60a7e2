"""A model no one relied on removed from the registry (`seep remove-model`; the Models page's
Remove, admins), on SQLite and on a real PostgreSQL server: its record, weights and cached
predictions go; a model that served, taught another, labelled a tile or that a job reads is
kept with the reason."""

from __future__ import annotations

import numpy as np
import pytest

from seep.cli import main
from seep.data.synthetic import DemoSpec
from seep.errors import BadInputError, NotFoundError
from seep.jobs import queue
from seep.workspace import ImageFilter, Workspace
from seep.workspace import registry as reg
from seep.workspace.accounts import audit_rows
from seep.workspace.demo import build_demo
from seep.workspace.records import PREDICT_ALL

pytestmark = pytest.mark.usefixtures("store")


def registry(tmp_path) -> tuple[Workspace, list[str]]:
    """A served base, four candidates fine-tuned from it (one of them the base of a fifth), each
    with predictions cached on two tiles."""
    ws = Workspace(tmp_path / "ws")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=4, geo_scene=False), labelled_per_scene=0)
    tiles = ws.image_ids(ImageFilter())
    weights = tmp_path / "w.pt"
    weights.write_bytes(b"\0" * 2_000_000)
    for model_id, parent in (("base", None), ("c1", "base"), ("c2", "c1"), ("c3", "base"), ("c4", "base")):
        reg.register_model(ws, weights, model_id=model_id, parent=parent)
        for tile in tiles[:2]:
            ws.save_prediction(tile, model_id, np.zeros((256, 256), np.uint8), np.ones((256, 256), np.float32), 0.1)
    reg.promote(ws, "base")
    stroke = np.zeros((256, 256), np.uint8)
    stroke[5:9, 5:9] = 1
    ws.save_label(tiles[3], stroke, parent=None, author=PREDICT_ALL, source="predicted", model_id="c3")  # Predict all with c3
    return ws, tiles


def files(ws: Workspace) -> set[str]:
    return {str(p.relative_to(ws.root)) for d in ("models", "predictions") for p in (ws.root / d).rglob("*") if p.is_file()}


def test_a_candidate_no_one_relied_on_is_removed_with_its_weights_and_predictions(capsys, tmp_path):
    ws, tiles = registry(tmp_path)
    before = files(ws)
    c2 = reg.get_model(ws, "c2")
    code = main(["remove-model", "c2", "--author", "ada", "--workspace", str(ws.root)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out == "removed model c2: 2.0 MB of weights and 2 cached predictions\n"
    assert [m.id for m in reg.list_models(ws)] == ["base", "c1", "c3", "c4"] and ws.prediction(tiles[0], "c2") is None
    assert ws.prediction(tiles[0], "c1") is not None  # another model's predictions of the same tiles stay
    assert before - files(ws) == {c2.file} | {f for f in before if "c2" in f and f.startswith("predictions")}
    assert len(before - files(ws)) == 3
    entry = audit_rows(ws, actor="ada")[0]
    assert (entry["action"], entry["target"]) == ("remove model", "c2") and "2 cached predictions" in entry["detail"]
    assert main(["check", "--workspace", str(ws.root)]) == 0, capsys.readouterr()

    capsys.readouterr()
    gone, kept = reg.model_removal(ws, "c1")  # c2 was fine-tuned from it: now nobody's base
    assert kept == [] and gone.predictions == 2
    code = main(["remove-model", "c1", "base", "c4", "--author", "ada", "--workspace", str(ws.root)])  # each on its own
    out, err = capsys.readouterr()
    assert code == 1 and out.splitlines() == [
        "removed model c1: 2.0 MB of weights and 2 cached predictions",
        "removed model c4: 2.0 MB of weights and 2 cached predictions",
    ]
    assert (
        err
        == "error: model base cannot be removed: it has been the active model (what people judged came from it; roll back may return to it); c3, c4 were fine-tuned from it\n"
    )
    assert [m.id for m in reg.list_models(ws)] == ["base", "c3"]


def test_a_model_someone_relied_on_is_kept_with_the_reason(capsys, tmp_path):
    ws, _ = registry(tmp_path)
    queue.submit(ws, "finetune", {"base_model": "c4"})
    expected = {
        "base": "it has been the active model",
        "c1": "c2 was fine-tuned from it",
        "c3": "the labels of 1 tile are its predictions",
        "c4": "job 1 (finetune) reads it: wait for it to end or cancel it",
    }
    for model_id, why in expected.items():
        assert why in "; ".join(reg.model_removal(ws, model_id)[1]), model_id
        code = main(["remove-model", model_id, "--author", "ada", "--workspace", str(ws.root)])
        _, err = capsys.readouterr()
        assert code == 1 and f"model {model_id} cannot be removed: " in err and why in err
    assert [m.id for m in reg.list_models(ws)] == ["base", "c1", "c2", "c3", "c4"]
    assert not [e for e in audit_rows(ws) if e["action"] == "remove model"]

    reg.promote(ws, "c2")
    reg.rollback(ws)  # c2 served for a while: kept, as roll back may return to it
    assert "it has been the active model" in reg.model_removal(ws, "c2")[1][0]
    with pytest.raises(NotFoundError, match="no model 'nope'"):
        reg.remove_model(ws, "nope", "ada")
    with pytest.raises(BadInputError, match="say who you are"):
        reg.remove_model(ws, "c1", "")
