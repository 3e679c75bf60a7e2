"""Shared fixtures. No test may touch a real workspace: every test runs in its own
temporary folder with SEEP_WORKSPACE pointing inside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from seep.workspace import Workspace

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cgg-seep"


@pytest.fixture(autouse=True)
def _isolated_workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEEP_WORKSPACE", str(tmp_path / "default-workspace"))
    monkeypatch.setenv("SEEP_AUTHOR", "tester")


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace(tmp_path / "ws")


@pytest.fixture
def real_data() -> Path:
    if not (REAL_DATA / "train_images_256").is_dir():
        pytest.skip(f"real CGG tiles not found at {REAL_DATA} (they are internal; see ../shared/README.md)")
    return REAL_DATA


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A 1-epoch, base-4 U-Net trained on synthetic tiles: real weights, seconds to make."""
    from seep.data.classes import SEEP_CLASSES
    from seep.data.layout import Tile
    from seep.data.synthetic import DemoSpec, generate
    from seep.learn.data import split_by_scene
    from seep.learn.model import UNetConfig
    from seep.learn.train import TrainConfig, train

    tiles = [Tile(t.name, t.scene, t.image[:, :, None], t.mask) for t in generate(DemoSpec(scenes=2, tiles_per_scene=2))]
    tr, va, vs = split_by_scene(tiles, val_fraction=0.5)
    out = tmp_path_factory.mktemp("tiny-model")
    train(
        TrainConfig(epochs=1, batch_size=4),
        UNetConfig(base=4, depth=2),
        tr,
        va,
        out,
        class_names=SEEP_CLASSES.names,
        val_scenes=vs,
    )
    return out / "best.pt"
