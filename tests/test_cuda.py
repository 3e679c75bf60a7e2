"""The CUDA path, where a GPU is visible (skipped on CI's CPU machine): train a tiny model
with mixed precision, predict with it, and get the same masks as the CPU within rounding."""

import numpy as np
import pytest
import torch

from seep.data.classes import SEEP_CLASSES
from seep.data.layout import Tile
from seep.data.synthetic import DemoSpec, generate
from seep.learn.infer import Predictor
from seep.learn.model import UNetConfig
from seep.learn.train import TrainConfig, train

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU visible")


def test_train_and_predict_on_cuda_match_the_cpu(tmp_path):
    tiles = [Tile(t.name, t.scene, t.image[:, :, None], t.mask) for t in generate(DemoSpec(scenes=2, tiles_per_scene=3))]
    cfg = TrainConfig(epochs=2, crop=128, batch_size=4, device="cuda", ema=0.9)
    r = train(
        cfg,
        UNetConfig(base=8, depth=3),
        tiles[:3],
        tiles[3:],
        tmp_path / "r",
        class_names=SEEP_CLASSES.names,
        val_scenes=[tiles[3].scene],
    )
    assert len(r.history) == 2 and all(np.isfinite(h["loss"]) for h in r.history)
    gpu = Predictor(tmp_path / "r" / "last.pt", device="cuda", amp=False).predict([t.image for t in tiles], keep_probs=True)
    cpu = Predictor(tmp_path / "r" / "last.pt", device="cpu", amp=False).predict([t.image for t in tiles], keep_probs=True)
    for g, c in zip(gpu, cpu, strict=True):
        assert np.abs(g.probs - c.probs).max() < 1e-3
