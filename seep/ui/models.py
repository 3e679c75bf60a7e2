"""The model behind the overlays: loaded once per process, predictions cached per model and image."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
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
    pending = _inflight.get((str(ws.root), model.id, image_id))
    if pending is not None:
        wait([pending])  # a prefetch is predicting it: wait for its cache entry, never predict twice
    return predict_image(ws, _predictor(str(model.path), model.mtime), model.id, image_id)


# The tile the analyst will most likely open next is predicted in the background while
# they look at this one, so Next shows it from the cache. One worker: a queue of guesses
# must never compete with itself for the CPU.
_prefetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seep-prefetch")
_inflight: dict[tuple[str, str, str], Future] = {}
_inflight_lock = threading.Lock()
PREFETCH_DELAY_S = 0.3  # let the browser paint the tile on screen first


def prefetch(model: ActiveModel, ws: Workspace, image_id: str) -> None:
    """Predict `image_id` into the workspace's cache in the background (nothing when cached)."""
    key = (str(ws.root), model.id, image_id)
    predictor = _predictor(str(model.path), model.mtime)
    with _inflight_lock:
        if key in _inflight:
            return
        _inflight[key] = future = _prefetcher.submit(_prefetch, ws.root, predictor, model.id, image_id)
    future.add_done_callback(lambda _: _inflight.pop(key, None))


def _prefetch(root: Path, predictor: Predictor, model_id: str, image_id: str) -> None:
    time.sleep(PREFETCH_DELAY_S)
    try:
        predict_image(Workspace(root, create=False), predictor, model_id, image_id)
    except Exception:  # noqa: BLE001 - only a guess: opening the tile predicts again and shows the error
        pass
