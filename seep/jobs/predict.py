"""Predicting into the workspace: one image when Review opens it, or every image at once."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seep.learn.data import valid_pixels
from seep.learn.infer import Predictor, uncertainty
from seep.workspace import ImageFilter, Workspace


def predict_image(ws: Workspace, predictor: Predictor, model_id: str, image_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(class ids, confidence) from the workspace's cache, predicted and cached when missing."""
    cached = ws.prediction(image_id, model_id)
    if cached is not None:
        return cached
    _predict_and_cache(ws, predictor, model_id, image_id)
    return ws.prediction(image_id, model_id)


def _predict_and_cache(ws: Workspace, predictor: Predictor, model_id: str, image_id: str) -> np.ndarray:
    """Predict one image, cache classes, confidence and uncertainty; returns the classes."""
    image = ws.read_image(image_id)
    p = predictor.predict([image])[0]
    doubt = uncertainty(p.confidence, valid_pixels(image, ws.config.nodata))
    ws.save_prediction(image_id, model_id, p.classes, p.confidence, doubt)
    return p.classes


def predict_all(
    ws: Workspace,
    predictor: Predictor,
    model_id: str,
    *,
    only_unreviewed: bool = False,
    author: str = "model",
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, int]:
    """Predict every image (or every one not yet corrected or accepted). Images without a
    label also get the prediction as their first label version (status 'predicted'), so
    the analyst opens it and edits rather than starts blank."""
    flt = ImageFilter(status=("unlabelled", "predicted", "in_review") if only_unreviewed else None)
    ids = ws.image_ids(flt)
    counts = {"predicted": 0, "labelled": 0}
    for i, image_id in enumerate(ids):
        if should_stop and should_stop():
            break
        classes = _predict_and_cache(ws, predictor, model_id, image_id)
        counts["predicted"] += 1
        if ws.image(image_id).head_version is None:
            ws.save_label(image_id, classes, parent=None, author=author, source="predicted", model_id=model_id)
            counts["labelled"] += 1
        if on_progress:
            on_progress(i + 1, len(ids))
    return counts
