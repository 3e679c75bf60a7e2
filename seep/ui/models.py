"""The model behind the overlays: loaded once per process, predictions cached per model and image."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from seep.learn.infer import Predictor
from seep.learn.shipped import SHIPPED_MODEL
from seep.workspace import Workspace


@dataclass(frozen=True)
class ActiveModel:
    id: str
    path: Path
    mtime: float  # part of every cache key: a replaced file is reloaded


def active_model(ws: Workspace) -> ActiveModel | None:
    """The workspace's model when it has one, else the shipped model, else none."""
    path = SHIPPED_MODEL
    if not path.is_file():
        return None
    return ActiveModel(path.stem, path, path.stat().st_mtime)


@st.cache_resource(show_spinner="Loading the model…")
def _predictor(path: str, mtime: float) -> Predictor:
    return Predictor(Path(path))


@st.cache_data(max_entries=512, show_spinner="Predicting…")
def prediction(model: ActiveModel, ws_root: str, image_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(class map uint8, confidence float16) of one image."""
    image = Workspace(ws_root, create=False).read_image(image_id)
    p = _predictor(str(model.path), model.mtime).predict([image])[0]
    return p.classes, p.confidence.astype(np.float16)
