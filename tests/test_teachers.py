"""Distillation: a student learns its teachers' averaged probabilities beside the labels."""

import numpy as np
import pytest

from seep.data.classes import SEEP_CLASSES
from seep.data.layout import Tile
from seep.data.synthetic import DemoSpec, generate
from seep.errors import BadInputError
from seep.learn.checkpoint import load_checkpoint, save_checkpoint
from seep.learn.infer import Predictor
from seep.learn.model import UNetConfig
from seep.learn.train import TrainConfig, train

NAMES = SEEP_CLASSES.names
SMALL = UNetConfig(base=4, depth=2)
CFG = TrainConfig(
    epochs=5, crop=64, crops_per_tile=4, batch_size=4, lr=5e-2, loss="ce", log_input=True, center="image", amp=False
)


def unlabelled_tiles() -> list[Tile]:
    """Demo tiles whose masks say 'no seep anywhere'."""
    return [
        Tile(t.name, t.scene, t.image[:64, :64, None], np.zeros((64, 64), np.uint8))
        for t in generate(DemoSpec(scenes=2, tiles_per_scene=3))
    ]


def seep_share(model_path, tiles) -> float:
    preds = Predictor(model_path, amp=False).predict([t.image for t in tiles], keep_probs=True)
    return float(np.mean([1 - p.probs[0] for p in preds]))


@pytest.fixture(scope="module")
def teacher(tmp_path_factory):
    """A model that calls everything class-1 seep: its head's class-1 bias raised far."""
    out = tmp_path_factory.mktemp("teacher")
    train(TrainConfig(**{**CFG.__dict__, "epochs": 1}), SMALL, unlabelled_tiles(), [], out, class_names=NAMES, val_scenes=[])
    ck = load_checkpoint(out / "last.pt")
    ck["model"]["head.bias"][1] += 12.0
    save_checkpoint(out / "seepy.pt", ck)
    return out / "seepy.pt"


def test_a_student_learns_what_its_teacher_says_beyond_the_labels(tmp_path, teacher):
    tiles = unlabelled_tiles()
    train(CFG, SMALL, tiles, [], tmp_path / "alone", class_names=NAMES, val_scenes=[])
    train(CFG, SMALL, tiles, [], tmp_path / "taught", class_names=NAMES, val_scenes=[], teachers=[teacher, teacher])
    alone, taught = seep_share(tmp_path / "alone" / "last.pt", tiles), seep_share(tmp_path / "taught" / "last.pt", tiles)
    # The labels alone push seep towards 0, the teacher towards 1: taught, the student settles between.
    print(alone, taught)
    assert taught > alone + 0.15
    assert load_checkpoint(tmp_path / "taught" / "last.pt")["teachers"] == [str(teacher)] * 2


def test_a_teacher_that_reads_its_input_otherwise_is_refused_and_nothing_is_written(tmp_path, teacher):
    tiles = unlabelled_tiles()
    linear = TrainConfig(**{**CFG.__dict__, "log_input": False})
    with pytest.raises(BadInputError, match="reads its input otherwise"):
        train(linear, SMALL, tiles, [], tmp_path / "a", class_names=NAMES, val_scenes=[], teachers=[teacher])
    with pytest.raises(BadInputError, match="predicts 8 classes, the student 2"):
        binary = TrainConfig(**{**CFG.__dict__, "binary": True})
        train(binary, SMALL, tiles, [], tmp_path / "b", class_names=NAMES, val_scenes=[], teachers=[teacher])
    with pytest.raises(BadInputError, match="does not exist"):
        train(CFG, SMALL, tiles, [], tmp_path / "c", class_names=NAMES, val_scenes=[], teachers=[tmp_path / "none.pt"])
    assert not any((tmp_path / d).exists() for d in "abc")
