"""The model behind the overlays: loaded once per process, predictions cached per model and image."""

from __future__ import annotations

import threading
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
        return model_of(ws, rec)
    if not SHIPPED_MODEL.is_file():
        return None
    return ActiveModel(SHIPPED_MODEL.stem, SHIPPED_MODEL, SHIPPED_MODEL.stat().st_mtime)


def model_of(ws: Workspace, rec: registry.ModelRecord) -> ActiveModel:
    """A registered model, active or not, to predict with as the overlays do (a candidate)."""
    path = rec.path(ws)
    return ActiveModel(rec.id, path, path.stat().st_mtime)


@st.cache_resource(show_spinner="Loading the model…")
def _predictor(path: str, mtime: float) -> Predictor:
    return Predictor(Path(path))


def prediction(model: ActiveModel, ws: Workspace, image_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(class map uint8, confidence 0..1) of one image, cached in the workspace."""
    guess = _guesses.get((str(ws.root), model.id, image_id))
    if guess is not None:
        guess.claim()
    return predict_image(ws, _predictor(str(model.path), model.mtime), model.id, image_id)


# The tile the analyst will most likely open next is predicted in the background while
# they look at this one, so Next shows it from the cache. One worker thread: guesses must
# never compete with each other for the CPU.
_prefetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seep-prefetch")
_guesses: dict[tuple[str, str, str], _Guess] = {}
_guesses_lock = threading.Lock()
PREFETCH_DELAY_S = 0.3  # let the browser paint the tile on screen first


class _Guess:
    """One background prediction. Opening the tile claims it: a guess still waiting out its
    delay is dropped (the page predicts at once), one already predicting is waited for
    (never the same prediction twice)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.claimed = self.running = False
        self.woken = threading.Event()
        self.future: Future | None = None

    def claim(self) -> None:
        with self.lock:
            self.claimed = True
            running = self.running
        self.woken.set()
        if running:
            wait([self.future])

    def run(self, ws: Workspace, predictor: Predictor, model_id: str, image_id: str) -> None:
        self.woken.wait(PREFETCH_DELAY_S)
        with self.lock:
            if self.claimed:
                return
            self.running = True
        try:
            if not ws.predicted([image_id], model_id):
                predict_image(ws, predictor, model_id, image_id)
        except Exception:  # noqa: BLE001 - only a guess: opening the tile predicts again and shows the error
            pass


def prefetch(model: ActiveModel, ws: Workspace, image_id: str) -> None:
    """Predict `image_id` into the workspace's cache in the background (nothing when cached)."""
    key = (str(ws.root), model.id, image_id)
    predictor = _predictor(str(model.path), model.mtime)
    with _guesses_lock:
        if key in _guesses:
            return
        _guesses[key] = guess = _Guess()
        guess.future = _prefetcher.submit(guess.run, ws, predictor, model.id, image_id)
    guess.future.add_done_callback(lambda _: _guesses.pop(key, None))
