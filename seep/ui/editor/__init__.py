"""The brush editor: a Streamlit components-v2 element (inline HTML/JS/CSS, no build step).

Declared once at import; `mask_editor` is the typed way in. Strokes stay in the browser
(no rerun per stroke); Python hears about the dirty flag when it flips, and about save,
accept and navigate events, each carrying the mask and the id of the mask it was made on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from seep.data.classes import ClassTable
from seep.errors import BadInputError
from seep.ui.editor.payload import decode_mask, encode_db, encode_mask, encode_png

_HERE = Path(__file__).parent
_component = st.components.v2.component(
    "seep.mask_editor",
    js=(_HERE / "editor.js").read_text(),
    css=(_HERE / "editor.css").read_text(),
)


@dataclass(frozen=True)
class EditEvent:
    type: str  # save | accept | navigate
    mask: np.ndarray | None  # None for a navigate without unsaved strokes
    dirty: bool  # the mask differs from the one loaded
    step: int  # navigate: -1 previous, +1 next


def mask_editor(
    image_rgb: np.ndarray,
    mask: np.ndarray,
    *,
    mask_id: str,
    classes: ClassTable,
    key: str,
    opacity: float = 0.5,
    zoom: int = 2,
    locked: np.ndarray | None = None,
    context: np.ndarray | None = None,
    can_accept: bool = True,
    values: np.ndarray | None = None,
    corners: list[list[float]] | None = None,
    metres: list[list[float]] | None = None,
    pin: tuple[int, int] | None = None,
) -> bool:
    """Show `mask` over `image_rgb` for editing; returns whether it has unsaved strokes.

    `mask_id` names this mask: the editor reloads only when it changes, and an event made
    on another mask id is refused. Events are not returned here: `take_event` hands them
    over at the top of the next run, before anything is drawn, so an action costs one
    rerun, not two. `locked` (H, W) bool marks no-data pixels: no brush, lasso or fill
    puts seep there (the eraser still works). `values` (H, W[, C]): the tile's pixel values,
    read out in dB under the cursor. `corners`: [lon, lat] of the tile's outer corners (top-left,
    top-right, bottom-left, bottom-right), for the place under the cursor. `metres`: a column's and
    a row's step on the ground (tile_places.pixel_steps_m), for the ruler's distances. `context` (H + 2m, W + 2m, 3): the picture
    around the tile (its neighbours' edges), shown read-only as a frame of m pixels. `pin`:
    (row, col) of a place to mark, and to open the view on."""
    st.session_state[f"{key}__mask_id"] = mask_id
    data = {
        "mask_id": mask_id,
        "width": int(mask.shape[1]),
        "height": int(mask.shape[0]),
        "image": encode_png(image_rgb),
        "mask": encode_mask(mask),
        "locked": encode_mask(locked.astype(np.uint8)) if locked is not None and locked.any() else None,
        "db": encode_db(values) if values is not None else None,
        "palette": classes.palette().tolist(),
        "names": classes.names,
        "descriptions": [c.description for c in classes.classes],
        "opacity": float(opacity),
        "zoom": int(zoom),
        "context": encode_png(context) if context is not None else None,
        "margin": (context.shape[0] - mask.shape[0]) // 2 if context is not None else 0,
        "can_accept": bool(can_accept),
        "corners": corners,
        "metres": metres,
        "pin": [int(pin[0]), int(pin[1])] if pin else None,
    }
    _component(
        key=key,
        data=data,
        default={"dirty": None},
        on_dirty_change=lambda: None,
        on_event_change=lambda: _stash_event(key),
    )
    return editor_dirty(key)


def _stash_event(key: str) -> None:
    """Runs before the script (a widget callback): keep the event for `take_event`."""
    state = st.session_state.get(key) or {}
    raw = state.get("event") if hasattr(state, "get") else None
    if raw:
        st.session_state[f"{key}__event"] = dict(raw)


def editor_dirty(key: str) -> bool:
    """Whether the mask shown last has unsaved strokes. The editor reports the flag with
    its mask id and only when it changes, so a flag about another mask means clean."""
    state = st.session_state.get(key) or {}
    flag = state.get("dirty") if hasattr(state, "get") else None
    if not hasattr(flag, "get"):
        return False
    return flag.get("mask_id") == st.session_state.get(f"{key}__mask_id") and bool(flag.get("dirty"))


def take_event(key: str, *, shape: tuple[int, int], classes: ClassTable) -> EditEvent | None:
    """The editor's last event (save, accept, navigate), once; None if there is none.
    Refuses an event made on another mask than the one last shown."""
    raw = st.session_state.pop(f"{key}__event", None)
    if not raw:
        return None
    if raw.get("mask_id") != st.session_state.get(f"{key}__mask_id"):
        # Strokes made on one tile must never be saved under another.
        raise BadInputError("the editor's strokes belong to another tile than the one open now; nothing was saved")
    m = decode_mask(raw["mask"], shape, len(classes)) if raw.get("mask") else None
    step = raw.get("step") or 0
    if not isinstance(step, int) or step not in (-1, 0, 1):  # the browser's word, like the mask
        raise BadInputError(f"the editor sent a step of {step!r}; reload the page")
    return EditEvent(str(raw.get("type")), m, bool(raw.get("dirty")), step)
