"""What a save or an accept on the Review page writes: one place for the rules, used by
the app and testable without it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seep.workspace.accounts import record
from seep.workspace.workspace import LabelVersion, Workspace


@dataclass(frozen=True)
class Opened:
    """The mask an analyst opened in the editor."""

    image_id: str
    version: int | None  # label version loaded (None: the image had no label)
    source: str  # label | prediction | empty
    model_id: str | None = None  # for source = prediction


def to_open(
    head_version: int | None, opened: Opened | None, image_id: str, model_id: str | None, *, dirty: bool = False
) -> tuple[Opened, str | None]:
    """What the editor shows for an image, and a note for the analyst when it changed.

    What is open stays open until the analyst saves, reloads or leaves: a colleague's save
    must not swap the mask under their strokes. One exception: an untouched prediction (or
    an empty mask) follows the active model, so a promote or rollback shows the new model's
    prediction at the next rerun. With strokes on it, the old one stays, and the note says so."""
    if opened is None:
        if head_version is not None:
            return Opened(image_id, head_version, "label"), None
        if model_id is not None:
            return Opened(image_id, None, "prediction", model_id), None
        return Opened(image_id, None, "empty"), None
    stale = opened.source in ("prediction", "empty") and opened.model_id != model_id and model_id is not None
    if not stale:
        return opened, None
    if dirty:
        return opened, (
            f"The active model is now {model_id}; your strokes are on "
            + (f"model {opened.model_id}'s prediction" if opened.model_id else "an empty mask")
            + ". Save them, or discard them to see the new prediction."
        )
    return Opened(image_id, None, "prediction", model_id), f"The active model is now {model_id}: showing its prediction."


def save_edit(
    ws: Workspace,
    opened: Opened,
    mask: np.ndarray,
    *,
    author: str,
    dirty: bool,
    parent: int | None = None,
    accept: bool = False,
) -> LabelVersion:
    """A new version from the editor. An untouched prediction is recorded as the model's;
    anything the analyst changed (or chose to keep) is theirs. `parent` overrides the
    opened version: "save mine as a newer version" after a conflict."""
    from_prediction = opened.source == "prediction" and not dirty
    lv = ws.save_label(
        opened.image_id,
        mask,
        parent=opened.version if parent is None else parent,
        author=author,
        source="predicted" if from_prediction else "edited",
        model_id=opened.model_id if from_prediction else None,
        status="accepted" if accept else None,
    )
    record(ws, author, "accept" if accept else "save", lv.image_id, f"v{lv.version}")
    return lv


def accept(ws: Workspace, opened: Opened, mask: np.ndarray, *, author: str, dirty: bool) -> LabelVersion | None:
    """Accept what the editor shows. An untouched label only changes status; a prediction
    or an edited mask is saved as a version and accepted in the same step."""
    if opened.source == "label" and not dirty:
        ws.set_status(opened.image_id, "accepted")
        record(ws, author, "accept", opened.image_id, f"v{opened.version}")
        return None
    return save_edit(ws, opened, mask, author=author, dirty=dirty, accept=True)


def restore(ws: Workspace, image_id: str, version: int, *, author: str) -> LabelVersion:
    """An old version made the newest again (as a new version), in the audit trail."""
    lv = ws.restore(image_id, version, author=author)
    record(ws, author, "restore", image_id, f"v{version} as v{lv.version}")
    return lv
