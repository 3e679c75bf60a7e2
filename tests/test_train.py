import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from seep.data.classes import SEEP_CLASSES
from seep.data.layout import Tile
from seep.data.synthetic import DemoSpec, generate
from seep.errors import BadInputError
from seep.learn.checkpoint import export_weights, load_checkpoint, save_checkpoint
from seep.learn.data import split_by_scene
from seep.learn.infer import Predictor
from seep.learn.model import UNetConfig
from seep.learn.train import TrainConfig, lr_at, train
from seep.ui.launch import free_port

REPO = Path(__file__).parents[1]
NAMES = SEEP_CLASSES.names


def synthetic_tiles(scenes=3, per_scene=3, size=64):
    out = []
    for t in generate(DemoSpec(scenes=scenes, tiles_per_scene=per_scene)):
        out.append(Tile(t.name, t.scene, t.image[:size, :size, None], t.mask[:size, :size]))
    return out


def test_split_is_by_scene_never_by_tile():
    tiles = synthetic_tiles(scenes=5, per_scene=4)
    tr, va, vs = split_by_scene(tiles, val_fraction=0.3, seed=1)
    assert {t.scene for t in tr}.isdisjoint({t.scene for t in va})
    assert set(vs) == {t.scene for t in va} and len(tr) + len(va) == 20
    tr2, va2, vs2 = split_by_scene(tiles, val_scenes=[tiles[0].scene])
    assert vs2 == [tiles[0].scene] and len(va2) == 4
    with pytest.raises(BadInputError, match="not in the data"):
        split_by_scene(tiles, val_scenes=["nope"])
    with pytest.raises(BadInputError, match="needs at least two"):
        split_by_scene(tiles[:4])


def test_lr_schedule_warms_up_then_decays():
    lrs = [lr_at(s, 100, 10, 1.0) for s in range(100)]
    assert lrs[0] == pytest.approx(0.1) and lrs[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(lrs[10:], lrs[11:], strict=False)) and lrs[-1] < 0.05


def test_a_tiny_model_overfits_one_tile(tmp_path):
    """The whole loop works: one tile with a big clear slick is learnt to IoU > 0.9."""
    rng = np.random.default_rng(0)
    img = (rng.gamma(6, 1 / 6, (64, 64)) * 30000).astype(np.uint16)
    mask = np.zeros((64, 64), np.uint8)
    mask[20:40, 10:50] = 1
    mask[45:55, 20:30] = 3
    img[mask > 0] //= 2
    tile = Tile("a.1", "a", img[:, :, None], mask)
    cfg = TrainConfig(epochs=20, lr=1e-2, batch_size=8, crop=64, crops_per_tile=64, amp=False, warmup_epochs=0.5)
    r = train(cfg, UNetConfig(base=8, depth=2), [tile], [tile], tmp_path / "run", class_names=NAMES, val_scenes=["a"])
    assert r.history[-1]["loss"] < r.history[0]["loss"]
    assert r.best_metric > 0.9, r.history[-1]


def test_checkpoint_resume_and_export(tmp_path):
    tiles = synthetic_tiles()
    tr, va, vs = split_by_scene(tiles, val_fraction=0.3)

    def run(epochs: int, **kw):
        cfg = TrainConfig(epochs=epochs, crop=64, batch_size=4)
        return train(cfg, UNetConfig(base=4, depth=2), tr, va, tmp_path / "run", class_names=NAMES, val_scenes=vs, **kw)

    r = run(1)
    assert len(r.history) == 1 and (tmp_path / "run" / "best.pt").exists()
    r2 = run(2, resume=True)
    assert [h["epoch"] for h in r2.history] == [1, 2]  # epoch 1 was not run again
    lines = (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(x)["epoch"] for x in lines] == [1, 2]
    export_weights(tmp_path / "run" / "last.pt", tmp_path / "model.pt")
    state = load_checkpoint(tmp_path / "model.pt")
    assert "optimizer" not in state and state["val_scenes"] == vs
    assert (tmp_path / "model.pt").stat().st_size < (tmp_path / "run" / "last.pt").stat().st_size
    # An exported model where a run's state should be: resuming says so instead of a KeyError.
    export_weights(tmp_path / "run" / "last.pt", tmp_path / "run" / "last.pt")
    with pytest.raises(BadInputError, match="holds weights only"):
        run(3, resume=True)


def test_without_validation_tiles_the_lowest_loss_is_best(tmp_path):
    """The score is then minus the training loss, which starts well above 1 (CE + Dice): the
    first epoch must still count as best, and best.pt must exist for whoever reads it."""
    cfg = TrainConfig(epochs=3, crop=64, batch_size=4, amp=False)
    r = train(cfg, UNetConfig(base=4, depth=2), synthetic_tiles(), [], tmp_path / "run", class_names=NAMES, val_scenes=[])
    losses = [h["loss"] for h in r.history]
    assert losses[0] > 1 and r.best_metric == pytest.approx(-min(losses))
    assert r.best_epoch == 1 + losses.index(min(losses))
    assert load_checkpoint(r.best_checkpoint)["epoch"] == r.best_epoch


def test_fine_tune_starts_from_the_parent_and_must_match_it(tmp_path):
    tiles = synthetic_tiles()
    tr, va, vs = split_by_scene(tiles, val_fraction=0.3)

    def run(base: int, out: str, **kw):
        cfg = TrainConfig(epochs=1, crop=64, batch_size=4)
        return train(cfg, UNetConfig(base=base, depth=2), tr, va, tmp_path / out, class_names=NAMES, val_scenes=vs, **kw)

    run(4, "parent")
    assert run(4, "child", init_from=tmp_path / "parent" / "best.pt").history
    with pytest.raises(BadInputError, match="architecture"):
        run(8, "bad", init_from=tmp_path / "parent" / "best.pt")


def test_stop_request_ends_the_run_early(tmp_path):
    tiles = synthetic_tiles()
    tr, va, vs = split_by_scene(tiles, val_fraction=0.3)
    r = train(
        TrainConfig(epochs=5, crop=64, batch_size=2),
        UNetConfig(base=4, depth=2),
        tr,
        va,
        tmp_path / "r",
        class_names=NAMES,
        val_scenes=vs,
        should_stop=lambda: True,
    )
    assert r.stopped and r.history == []


def tiny_run(tiles, out):
    """One epoch of a base-4 U-Net: a real checkpoint in out/best.pt, in seconds."""
    tr, va, vs = split_by_scene(tiles, val_fraction=0.3)
    return train(
        TrainConfig(epochs=1, crop=64, batch_size=4),
        UNetConfig(base=4, depth=2),
        tr,
        va,
        out,
        class_names=NAMES,
        val_scenes=vs,
    )


class Evil:
    def __reduce__(self):
        return (print, ("this would have run",))


def test_a_tampered_checkpoint_is_refused(tmp_path):
    tiles = synthetic_tiles()
    tiny_run(tiles, tmp_path / "r")
    state = load_checkpoint(tmp_path / "r" / "best.pt")
    torch.save({**state, "extra": Evil()}, tmp_path / "evil.pt")
    with pytest.raises(BadInputError, match="refusing to load .*evil.pt: it holds more than weights"):
        Predictor(tmp_path / "evil.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a model")
    with pytest.raises(BadInputError, match="is not a readable Seep model"):
        Predictor(tmp_path / "junk.pt")
    save_checkpoint(tmp_path / "partial.pt", {"model": state["model"]})
    with pytest.raises(BadInputError, match="is not a Seep model: it lacks model_config"):
        Predictor(tmp_path / "partial.pt")


def test_predictor_batches_tta_and_sliding_window(tmp_path):
    tiles = synthetic_tiles(size=64)
    tiny_run(tiles, tmp_path / "r")
    p = Predictor(tmp_path / "r" / "best.pt", window=64, overlap=16)
    big = np.tile(tiles[0].image, (3, 2, 1))[:170, :120]  # larger than the window: sliding
    big[:10] = 0  # no-data rows are never a seep
    images = [t.image for t in tiles[:3]] + [big, tiles[3].image[:50, :40]]
    out = p.predict(images, batch_size=2, keep_probs=True)
    assert [o.classes.shape for o in out] == [(64, 64)] * 3 + [(170, 120), (50, 40)]
    assert all(o.classes.dtype == np.uint8 and o.confidence.max() <= 1.0 for o in out)
    np.testing.assert_allclose(out[3].probs.sum(0), 1.0, atol=1e-4)
    assert not out[3].classes[:10].any()
    # batching does not change the answer
    single = p.predict([tiles[1].image])[0]
    np.testing.assert_allclose(single.confidence, out[1].confidence, atol=2e-2)
    tta = p.predict([tiles[1].image], tta=True, keep_probs=True)[0]
    np.testing.assert_allclose(tta.probs.sum(0), 1.0, atol=1e-4)
    assert p.timings.tiles == 7 and p.timings.predict > 0


@pytest.mark.skipif(
    not hasattr(torch.distributed, "is_gloo_available") or not torch.distributed.is_gloo_available(),
    reason="this torch build has no gloo backend",
)
def test_ddp_with_two_cpu_processes(tmp_path):
    """torchrun with the gloo backend: two processes train one tiny model in step."""
    data = tmp_path / "data"
    for d in ("train_images_256", "train_masks_256"):
        (data / d).mkdir(parents=True)
    import tifffile

    for t in synthetic_tiles(scenes=2, per_scene=3):
        tifffile.imwrite(data / "train_images_256" / f"{t.name}.tif", t.image[:, :, 0])
        tifffile.imwrite(data / "train_masks_256" / f"{t.name}.tif", t.mask)
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        f"--master_port={free_port()}",  # a fixed port fails when two test runs share the machine
        "-m",
        "seep",
        "train",
        "--data",
        str(data),
        "--epochs",
        "2",
        "--base",
        "4",
        "--depth",
        "2",
        "--crop",
        "64",
        "--batch",
        "2",
        "--out",
        str(tmp_path / "ddp"),
        "--workspace",
        str(tmp_path / "ws"),
        "--device",
        "cpu",  # CPU processes also on a machine with a GPU (found on a one-GPU machine)
    ]
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    epochs = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    assert [e["epoch"] for e in epochs] == [1, 2]  # rank 0 alone reports
    assert (tmp_path / "ddp" / "best.pt").exists()


def test_uncertainty_ranks_the_most_expected_errors_first():
    from seep.learn.infer import uncertainty

    sure = np.full((32, 32), 0.99, np.float32)
    speck, slick = sure.copy(), sure.copy()
    speck[10:12, 10:12] = 0.55  # a doubtful speck
    slick[4:28, 10:14] = 0.55  # a doubtful slick, 24 times the area
    assert uncertainty(slick) > uncertainty(speck) > uncertainty(sure)
    assert uncertainty(sure) == pytest.approx(0.01, abs=1e-6)  # confident empty sea ranks last
    nodata = np.zeros((32, 32), bool)
    nodata[4:28, 10:14] = True
    assert uncertainty(slick, ~nodata) == pytest.approx(0.01, abs=1e-6)  # outside the swath counts for nothing
    assert uncertainty(sure, np.zeros((32, 32), bool)) == 0.0


def test_each_torchrun_process_gets_its_own_gpu_or_a_clear_error(monkeypatch):
    """torchrun --nproc_per_node=2 on a one-GPU machine: the second process says why it stops
    instead of failing inside CUDA with an invalid device ordinal; with two GPUs, `--device
    cuda` puts each process on its own."""
    from seep.errors import BadInputError
    from seep.learn.train import pick_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setenv("LOCAL_RANK", "0")
    assert pick_device("auto") == torch.device("cuda", 0)
    monkeypatch.setenv("LOCAL_RANK", "1")
    for name in ("auto", "cuda"):
        with pytest.raises(BadInputError, match="no GPU of its own"):
            pick_device(name)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert pick_device("cuda") == torch.device("cuda", 1)  # not every process on GPU 0
    assert pick_device("cuda:0") == torch.device("cuda", 0)  # an index given is kept
    assert pick_device("cpu") == torch.device("cpu")
    with pytest.raises(BadInputError, match=r"--device cuda:2: this machine has 2 GPU\(s\), numbered from 0"):
        pick_device("cuda:2")  # was CUDA's "invalid device ordinal" at the first tensor
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(BadInputError, match="no CUDA GPU is visible"):
        pick_device("cuda:1")
    for typo in ("tpu", "gpu", "cuda:x", "meta", ""):  # torch's own error was a traceback naming 20 device types
        with pytest.raises(BadInputError, match=r"use auto, cpu, cuda, cuda:N \(a GPU's number\) or mps"):
            pick_device(typo)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(BadInputError, match="no Apple GPU"):
        pick_device("mps")
