"""Look-alikes: the predicted seeps a save removed, kept with the analyst's reason, counted,
exported, and learnt by fine-tuning as weighted sea (hard negatives)."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import torch
from helpers import sar_tile

from seep.data.layout import Tile
from seep.errors import BadInputError
from seep.jobs.finetune import FinetuneParams, plan, tiles_of
from seep.learn.data import HARD_NEGATIVE, HARD_NEGATIVE_WEIGHT, CropDataset, Normalizer
from seep.workspace import Workspace
from seep.workspace import lookalikes as la
from seep.workspace.export import export_labels
from seep.workspace.review import Opened, save_edit

pytestmark = pytest.mark.usefixtures("store")


def _prediction() -> np.ndarray:
    pred = np.zeros((64, 64), np.uint8)
    pred[5:15, 5:15] = 1  # a wake the analyst will delete
    pred[30:40, 30:50] = 2  # a seep she keeps
    pred[50:60, 5:25] = 1  # one she half erases
    pred[60, 60] = 1  # a speck: brush noise, never asked about
    return pred


def test_a_save_removes_the_regions_it_erased_not_those_it_kept_or_never_had():
    pred = _prediction()
    saved = pred.copy()
    saved[5:15, 5:15] = 0
    saved[50:60, 5:15] = 0
    regions = la.removed_regions(pred, pred, saved)
    assert [(r.top, r.left, r.pixels) for r in regions] == [(5, 5, 100)]
    assert r_equal(regions[0].paint(pred.shape), (pred == 1) & (np.arange(64)[:, None] < 20))
    label_without_wake = pred.copy()
    label_without_wake[5:15, 5:15] = 0  # the label never had it: nothing was removed by this save
    assert la.removed_regions(pred, label_without_wake, saved) == []


def r_equal(a, b) -> bool:
    return bool(np.array_equal(a, b))


@pytest.fixture
def ws(tmp_path):
    ws = Workspace(tmp_path / "ws")
    for i in range(3):
        ws.add_image(sar_tile(i), name=f"t{i}", scene=f"s{i}")
    return ws


def test_reasons_are_kept_counted_exported_and_configurable(ws, tmp_path):
    image = ws.image("t0")
    pred = _prediction()
    saved = pred.copy()
    saved[5:15, 5:15] = 0
    lv = save_edit(ws, Opened(image.id, None, "prediction", "m1"), saved, author="ana", dirty=True)
    [wake] = la.removed_regions(pred, pred, saved)
    with pytest.raises(BadInputError, match="unknown look-alike reason 'ufo'"):
        la.record(ws, image.id, lv.version, "m1", [(wake, "ufo")], author="ana")
    assert la.record(ws, image.id, lv.version, "m1", [(wake, "ship wake")], author="ana") == 1
    assert la.counts(ws) == [{"reason": "ship wake", "model": "m1", "regions": 1, "pixels": 100}]
    hard = la.hard_negatives(ws, image.id, (64, 64))
    assert hard.sum() == 100 and hard[5:15, 5:15].all() and la.hard_negatives(ws, ws.image("t1").id, (64, 64)) is None

    export_labels(ws, tmp_path / "out")
    rows = list(csv.DictReader(open(tmp_path / "out" / "lookalikes.csv")))
    assert [(r["image"], r["version"], r["reason"], r["pixels"], r["author"]) for r in rows] == [
        ("t0", "1", "ship wake", "100", "ana")
    ]
    assert export_labels(ws, tmp_path / "s1", scenes=["s1", "s2"]) == (2, 0)  # one scene's export: its tiles, its rows
    assert [r["image"] for r in csv.DictReader(open(tmp_path / "s1" / "manifest.csv"))] == ["t1", "t2"]
    assert list(csv.DictReader(open(tmp_path / "s1" / "lookalikes.csv"))) == []
    with pytest.raises(BadInputError, match=r"no scene s9 in this workspace \(scenes: s0, s1, s2\)"):
        export_labels(ws, tmp_path / "typo", scenes=["s9"])  # it exported every tile, as if no scene were named
    assert not (tmp_path / "typo").exists()

    assert la.set_reasons(ws, [" wake ", "", "rain", "wake"], actor="ada") == ["wake", "rain"]
    assert la.reasons(ws) == ["wake", "rain"]
    for bad, msg in (([" ", ""], "at least one"), (["x" * 41], "under 40 characters")):
        with pytest.raises(BadInputError, match=msg):
            la.set_reasons(ws, bad, actor="ada")


def test_fine_tuning_learns_rejected_regions_as_weighted_sea(ws):
    pred = _prediction()
    for name in ("t0", "t1", "t2"):
        image = ws.image(name)
        saved = pred.copy()
        saved[5:15, 5:15] = 0
        lv = save_edit(ws, Opened(image.id, None, "prediction", "m1"), saved, author="ana", dirty=True)
        if name == "t0":
            la.record(ws, image.id, lv.version, "m1", [(la.removed_regions(pred, pred, saved)[0], "ship wake")], author="ana")
    train = [r for r in plan(ws, FinetuneParams()).train if r.name == "t0"]
    [tile] = tiles_of(ws, train, hard=True)
    assert (tile.mask[5:15, 5:15] == HARD_NEGATIVE).all() and (tile.mask[30:40, 30:50] == 2).all()
    assert (tiles_of(ws, train)[0].mask[5:15, 5:15] == 0).all()  # validation tiles stay as labelled

    crops = CropDataset(
        [Tile("t0", "s0", ws.read_image("t0"), tile.mask)], Normalizer.fit([tile]), size=64, seep_bias=0.0, ops=()
    )
    for binary in (False, True):
        crops.binary = binary
        _, target, weight = crops[0]
        assert weight.dtype == torch.float32
        assert (target[5:15, 5:15] == 0).all() and (weight[5:15, 5:15] == HARD_NEGATIVE_WEIGHT).all()
        assert (weight[20:30, 20:30] == 1).all() and int(target[35, 35]) == (1 if binary else 2)
