"""Review's background prediction of the next tile: used when ready, never done twice."""

import threading
import time

import numpy as np
import pytest

import seep.jobs.predict
import seep.ui.models as models
from seep.data.synthetic import DemoSpec
from seep.workspace import Workspace
from seep.workspace.demo import build_demo


@pytest.fixture
def setup(tmp_path, tiny_model, monkeypatch):
    settle()  # an earlier test's guess (Review pages opened with a model) must not run into this one's count
    ws = Workspace(tmp_path / "w")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=3, geo_scene=False), labelled_per_scene=0)
    model = models.ActiveModel(tiny_model.stem, tiny_model, tiny_model.stat().st_mtime)
    calls = []
    real = seep.jobs.predict._predict_and_cache

    def counted(*args):
        calls.append(threading.current_thread().name)
        time.sleep(0.3)  # a slow model, so the page can catch a guess mid-prediction
        return real(*args)

    monkeypatch.setattr(seep.jobs.predict, "_predict_and_cache", counted)
    return ws, model, calls


def settle():
    for g in list(models._guesses.values()):
        g.future.result(timeout=60)


def test_a_finished_guess_is_read_from_the_cache(setup):
    ws, model, calls = setup
    image_id = ws.image_ids()[0]
    models.prefetch(model, ws, image_id)
    settle()
    assert ws.predicted([image_id], model.id) == {image_id}
    classes, confidence = models.prediction(model, ws, image_id)
    assert len(calls) == 1 and calls[0].startswith("seep-prefetch")
    assert classes.shape == (256, 256) and np.all((confidence >= 0) & (confidence <= 1))


def test_opening_the_tile_during_the_delay_drops_the_guess(setup, monkeypatch):
    ws, model, calls = setup
    monkeypatch.setattr(models, "PREFETCH_DELAY_S", 30.0)  # the claim wakes it, not the clock
    image_id = ws.image_ids()[1]
    models.prefetch(model, ws, image_id)
    models.prediction(model, ws, image_id)  # at once: the guess is still waiting out its delay
    settle()
    assert calls == [threading.main_thread().name]


def test_opening_the_tile_while_it_is_predicted_waits_for_it(setup, monkeypatch):
    ws, model, calls = setup
    monkeypatch.setattr(models, "PREFETCH_DELAY_S", 0.0)
    image_id = ws.image_ids()[2]
    models.prefetch(model, ws, image_id)
    deadline = time.monotonic() + 30
    while not calls and time.monotonic() < deadline:  # the guess has started predicting
        time.sleep(0.01)
    models.prediction(model, ws, image_id)
    assert len(calls) == 1 and calls[0].startswith("seep-prefetch")
    assert ws.predicted([image_id], model.id) == {image_id}
