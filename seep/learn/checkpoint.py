"""Checkpoints: plain dicts of tensors and built-in types, loaded with weights_only=True.

A checkpoint that needs anything else to load (a pickled object, which could run code)
is refused, as is a file that is not a checkpoint at all.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import torch

from seep.data.raster import atomic_write_bytes
from seep.errors import BadInputError
from seep.learn.decode import Decode
from seep.learn.model import UNet, UNetConfig

REQUIRED = ("model", "model_config", "normalizer", "class_names")


def save_checkpoint(path: Path, state: dict) -> None:
    buf = io.BytesIO()
    torch.save(state, buf)
    atomic_write_bytes(Path(path), buf.getvalue())


def load_checkpoint(path: Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise BadInputError(f"model file {path} does not exist")
    if not zipfile.is_zipfile(path):  # torch.save's format is a zip archive
        raise BadInputError(f"{path} is not a readable Seep model (not a PyTorch checkpoint file)")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        raise BadInputError(
            f"refusing to load {path}: it holds more than weights (objects that could run code when loaded); "
            "only load models made by Seep"
        ) from e
    except Exception as e:  # zip, EOF and format errors from a damaged file
        raise BadInputError(f"{path} is not a readable Seep model ({type(e).__name__}: {e})") from e
    missing = [k for k in REQUIRED if not isinstance(state, dict) or k not in state]
    if missing:
        raise BadInputError(f"{path} is not a Seep model: it lacks {', '.join(missing)}")
    try:
        check_weights(UNetConfig.from_dict(state["model_config"]), state["model"])
    except BadInputError as e:
        raise BadInputError(f"{path} is not a usable Seep model: {e}") from e
    return state


def check_weights(config: UNetConfig, weights: object) -> None:
    """The weights are the ones `config` builds, name for name and shape for shape."""
    with torch.device("meta"):
        expected = {k: tuple(v.shape) for k, v in UNet(config).state_dict().items()}
    if not isinstance(weights, dict) or not all(isinstance(v, torch.Tensor) for v in weights.values()):
        raise BadInputError("its weights are not a table of tensors")
    got = {k: tuple(v.shape) for k, v in weights.items()}
    if got.keys() != expected.keys():
        odd = sorted(got.keys() ^ expected.keys())
        raise BadInputError(f"its weights do not match its config {config.to_dict()} (e.g. {odd[0]})")
    wrong = [k for k in expected if got[k] != expected[k]]
    if wrong:
        k = wrong[0]
        raise BadInputError(f"its weight {k} is {got[k]}, but its config {config.to_dict()} builds {expected[k]}")


def blend_weights(path: Path, base_path: Path, keep: float) -> None:
    """Move a fine-tuned model back towards the model it started from, keeping `keep` of
    each weight's change (BatchNorm statistics included): a few tiles' worth of change,
    halved, forgets less of the base (weight-space ensembling, as WiSE-FT)."""
    state, base = load_checkpoint(path), load_checkpoint(base_path)["model"]
    state["model"] = {k: base[k] + keep * (v - base[k]) if v.is_floating_point() else v for k, v in state["model"].items()}
    save_checkpoint(path, state)


def shift_background(path: Path, shift: float) -> None:
    """Add `shift` to the background logit of a model's last layer: the same model, calling
    seep a little more (shift < 0) or less (shift > 0) everywhere."""
    state = load_checkpoint(path)
    bias = state["model"]["head.bias"].clone()
    bias[0] += shift
    state["model"]["head.bias"] = bias
    save_checkpoint(path, state)


def export_weights(src: Path, dst: Path, decode: dict | None = None) -> dict:
    """A shippable model: the checkpoint without optimizer state (a third of the size), with
    `decode` (Decode settings) in place of its own if given: a fine-tune keeps its parent's.
    Returns what it wrote."""
    state = load_checkpoint(src)
    if decode is not None:
        state["decode"] = Decode.from_dict(decode).to_dict()
    state.pop("optimizer", None)
    state.pop("raw_model", None)  # training weights behind an average: only a resume needs them
    save_checkpoint(dst, state)
    return state
