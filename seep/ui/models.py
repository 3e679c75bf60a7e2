"""The model behind the overlays: loaded once per process, predictions cached per model and image."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from seep.jobs.predict import predict_image
from seep.learn.infer import Predictor
from seep.learn.shipped import SHIPPED_MODEL
from seep.workspace import Workspace, registry


@dataclass(frozen=True)
class ActiveModel:
    id: str
    path: Path
    mtime: float  # part of every cache key: a replaced file is reloaded


def active_model(ws: Workspace) -> ActiveModel | None:
    """The workspace's active model when it has one, else the shipped model, else none."""
    rec = registry.active_model(ws)
    if rec is not None:
        path = rec.path(ws)
        return ActiveModel(rec.id, path, path.stat().st_mtime)
    if not SHIPPED_MODEL.is_file():
        return None
    return ActiveModel(SHIPPED_MODEL.stem, SHIPPED_MODEL, SHIPPED_MODEL.stat().st_mtime)


@st.cache_resource(show_spinner="Loading the model…")
def _predictor(path: str, mtime: float) -> Predictor:
    return Predictor(Path(path))


def prediction(model: ActiveModel, ws: Workspace, image_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(class map uint8, confidence 0..1) of one image, cached in the workspace."""
    return predict_image(ws, _predictor(str(model.path), model.mtime), model.id, image_id)
