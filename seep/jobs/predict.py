"""Predicting into the workspace: one image when Review opens it, or every image at once."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seep.errors import ConflictError, NotFoundError
from seep.kept import Kept
from seep.learn.data import valid_pixels
from seep.learn.infer import CONTEXT_PX, Prediction, Predictor, uncertainty, without_context
from seep.workspace import ImageFilter, Workspace
from seep.workspace.records import PREDICT_ALL, STATUSES, UNREVIEWED, counted
from seep.workspace.scenes import tile_offsets_of
from seep.workspace.tile_places import neighbour_ids, tile_place, widen


def predict_image(ws: Workspace, predictor: Predictor, model_id: str, image_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(class ids, confidence) from the workspace's cache, predicted and cached when missing."""
    cached = ws.prediction(image_id, model_id)
    if cached is not None:
        return cached
    _predict_and_cache(ws, predictor, model_id, image_id, SceneContext(ws))
    return ws.prediction(image_id, model_id)


def predict_fresh(predictor: Predictor, image_id: str, image: np.ndarray, context: SceneContext) -> tuple[np.ndarray, np.ndarray]:
    """(class ids, confidence) of one image, a scene's tile with its neighbours' edges around
    it, as Review would show them; nothing is cached."""
    p = fresh_prediction(predictor, image_id, image, context)
    return p.classes, p.confidence


def fresh_prediction(
    predictor: Predictor, image_id: str, image: np.ndarray, context: SceneContext, *, keep_probs: bool = False
) -> Prediction:
    """predict_fresh's Prediction, with the class probabilities when `keep_probs`."""
    wide = context.around(image_id, image)
    if wide is None:
        return predictor.predict([image], keep_probs=keep_probs)[0]
    # one pass over the widened tile, not four windows
    return without_context(predictor.predict([wide], whole=True, keep_probs=keep_probs)[0])


def _predict_and_cache(ws: Workspace, predictor: Predictor, model_id: str, image_id: str, context: SceneContext) -> np.ndarray:
    """Predict one image, cache classes, confidence and uncertainty; returns the classes."""
    image = ws.read_image(image_id)
    classes, confidence = predict_fresh(predictor, image_id, image, context)
    doubt = uncertainty(confidence, valid_pixels(image, ws.config.nodata))
    ws.save_prediction(image_id, model_id, classes, confidence, doubt)
    return classes


def predict_all(
    ws: Workspace,
    predictor: Predictor,
    model_id: str,
    *,
    only_unreviewed: bool = False,
    scene: str | None = None,
    author: str = PREDICT_ALL,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, int]:
    """Predict every image (or every one not yet corrected or accepted, or of one scene). Images without a
    label also get the prediction as their first label version (status 'predicted'), so
    the analyst opens it and edits rather than starts blank; an image whose label is still an
    earlier model's prediction, untouched, gets this model's as a new version, so the analyst
    corrects what the newest model says. The counts say what was skipped and why (`summary`:
    one line for the job's message and the command line)."""
    if scene and scene not in ws.scenes():  # a mistyped scene predicted nothing and said all was done
        raise NotFoundError(f"no scene {scene!r} in this workspace (scenes: {', '.join(ws.scenes()) or 'none yet'})")
    scenes = (scene,) if scene else None
    ids = ws.image_ids(ImageFilter(status=UNREVIEWED if only_unreviewed else None, scene=scenes))
    reviewed = [s for s in STATUSES if s not in UNREVIEWED] if only_unreviewed else []
    skipped = {s: n for s in reviewed if (n := ws.count_images(ImageFilter(status=(s,), scene=scenes)))}
    counts = {"predicted": 0, "labelled": 0, "refreshed": 0, "skipped": skipped}
    context = SceneContext(ws)
    for i, image_id in enumerate(ids):
        if should_stop and should_stop():
            break
        classes = _predict_and_cache(ws, predictor, model_id, image_id, context)
        counts["predicted"] += 1
        kind = write_prediction_label(ws, image_id, classes, model_id, author=author)
        if kind:
            counts[kind] += 1
        if on_progress:
            on_progress(i + 1, len(ids))
    counts["summary"] = summary(counts, model_id)
    return counts


def predict_imported(
    ws: Workspace,
    scene: str,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> str:
    """A scene just imported predicted by the active model (the shipped one where none is), as
    Predict this scene does it: the morning's passes come in ready to review. Returns its summary."""
    from seep.jobs.finetune import base_model

    model = base_model(ws, None)
    if model is None:
        return "not predicted: there is no model yet"
    counts = predict_all(
        ws,
        Predictor(model.path(ws)),
        model.id,
        only_unreviewed=True,
        scene=scene,
        on_progress=on_progress,
        should_stop=should_stop,
    )
    return counts["summary"]


def write_prediction_label(
    ws: Workspace, image_id: str, classes: np.ndarray, model_id: str, *, author: str = PREDICT_ALL
) -> str | None:
    """Make `model_id`'s prediction the tile's label where no person's label stands in the way
    (label_to_write); what was written ('labelled', 'refreshed') or None."""
    write = label_to_write(ws, image_id, model_id)
    if not write:
        return None
    kind, parent = write
    try:
        ws.save_label(image_id, classes, parent=parent, author=author, source="predicted", model_id=model_id)
    except ConflictError:  # an analyst saved the tile meanwhile: their label stays
        return None
    return kind


def label_to_write(ws: Workspace, image_id: str, model_id: str) -> tuple[str, int | None] | None:
    """('labelled', None) for an image with no label, ('refreshed', head) for one whose label is
    another model's prediction nobody has touched (still 'predicted'), else None: a label a
    person made stays."""
    image = ws.image(image_id)
    if image.head_version is None:
        return "labelled", None
    if image.status != "predicted":
        return None
    head = ws.version(image_id)
    return ("refreshed", head.version) if head.source == "predicted" and head.model_id != model_id else None


def summary(counts: dict, model_id: str) -> str:
    """What Predict all did, and what it left out and why: a run that predicts nothing says so."""
    text = f"predicted {counted(counts['predicted'], 'image')} with model {model_id}"
    if counts["labelled"]:
        text += f"; {counts['labelled']:,} unlabelled images got the prediction as their first label version"
    if counts.get("refreshed"):
        text += f"; {counts['refreshed']:,} still labelled with an earlier model's untouched prediction got this one's"
    skipped = counts["skipped"]
    if skipped:
        by = ", ".join(f"{n:,} {s.replace('_', ' ')}" for s, n in sorted(skipped.items()))
        text += (
            f"; skipped {sum(skipped.values()):,} already reviewed ({by}): turn off 'Only unreviewed images'"
            " (command line: leave out --unreviewed) to predict those too"
        )
    return text


class SceneContext:
    """A scene tile widened by CONTEXT_PX of its neighbours' pixels (no-data where there is
    no neighbour: the scene's edge, or a no-data tile never stored). Neighbours come from a
    small cache: predict-all visits a scene's tiles row by row, so each is read about once."""

    def __init__(self, ws: Workspace, keep: int = 512):
        self.ws = ws
        self.grids: dict[str, dict[tuple[int, int], str]] = {}
        self.pixels: Kept[np.ndarray] = Kept(keep)

    def around(self, image_id: str, image: np.ndarray) -> np.ndarray | None:
        place = tile_place(self.ws, image_id)
        if place is None:
            return None
        grid = self.grids.get(place[0])
        if grid is None:
            grid = self.grids[place[0]] = {rc: i for i, rc in tile_offsets_of(self.ws, place[0]).items()}
        near = {k: self._tile(i) for k, i in neighbour_ids(self.ws, image_id, grid).items()}
        fill = 0 if self.ws.config.nodata is None else self.ws.config.nodata
        return widen(image, near, CONTEXT_PX, fill)

    def _tile(self, image_id: str) -> np.ndarray:
        return self.pixels.get(image_id, lambda: self.ws.read_image(image_id))
