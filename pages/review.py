"""Review: one tile in the brush editor, with display controls, reference layers, history."""

import numpy as np
import streamlit as st

from seep.errors import ConflictError, SeepError
from seep.ui import review_panels, session
from seep.ui.editor import editor_dirty, mask_editor, take_event
from seep.ui.models import active_model, prediction, prefetch
from seep.ui.text import plain
from seep.workspace.render import render_surroundings, render_tile
from seep.workspace.review import accept, save_edit, to_open
from seep.workspace.scenes import tile_place

ws = session.workspace()
flt = session.browse_filter()
model = active_model(ws)
author = session.author()
EDITOR = "review_editor"


def locate():
    """(image, ids, position) of the tile to show: the session's current image wins, a
    query parameter (a deep link, Browse's Open) seeds it."""
    ids = st.session_state.get("browse_order") or ws.image_ids(flt)
    if not ids:
        st.info("No images to review with the current Browse filters.")
        st.stop()
    wanted = st.session_state.get("review_image") or st.query_params.get("image") or ids[0]
    try:
        image = ws.image(wanted)
    except SeepError as e:
        session.show_error(e)
        st.stop()
    if image.id not in ids:  # deep link outside the filter: walk the whole workspace instead
        ids = ws.image_ids()
    return image, ids, ids.index(image.id)


image, ids, pos = locate()


def reopen() -> None:
    """Open the newest version next (after a save, a reload, or leaving the tile)."""
    st.session_state.get("review_opened", {}).pop(st.session_state.get("review_image"), None)
    st.session_state.pop("review_pending", None)


def go(step: int) -> None:
    reopen()
    st.session_state["review_image"] = ids[(pos + step) % len(ids)]


def discard() -> None:
    """Throw the unsaved strokes away: a new nonce is a new mask id, so the editor reloads."""
    st.session_state["review_nonce"] = st.session_state.get("review_nonce", 0) + 1
    reopen()


def discard_and_go(step: int) -> None:
    discard()
    go(step)


def nav(step: int) -> None:
    """Previous / Next buttons (a callback: runs before the page, so one rerun)."""
    if editor_dirty(EDITOR):
        st.session_state["review_pending"] = {"kind": "leave", "step": step, "mask": None}
    else:
        go(step)


# ---- the editor's last event, handled before anything is drawn -----------------------------
problem = event = None
opened_before = st.session_state.get("review_opened", {}).get(image.id)
try:
    event = take_event(EDITOR, shape=(image.height, image.width), classes=ws.classes)
    if event and opened_before is None:
        raise SeepError("the editor sent an action for a tile that is no longer open; nothing was saved")
    if event and event.type == "save":
        session.require(ws, "save")
        lv = save_edit(ws, opened_before, event.mask, author=author, dirty=event.dirty)
        review_panels.note_removed(ws, model, image.id, opened_before, event.mask, lv.version)
        reopen()
        st.toast(f"Saved {plain(image.name)} as v{lv.version}", icon=":material/save:")
    elif event and event.type == "accept":
        session.require(ws, "accept")
        accept(ws, opened_before, event.mask, author=author, dirty=event.dirty)
        st.toast(f"Accepted {plain(image.name)}", icon=":material/check:")
        go(1)
    elif event and event.type == "navigate":
        if event.dirty:
            st.session_state["review_pending"] = {"kind": "leave", "step": event.step, "mask": event.mask}
        else:
            go(event.step)
except ConflictError as e:  # checked before SeepError: a conflict is one, with a choice to offer
    st.session_state["review_pending"] = {
        "kind": "conflict",
        "mask": event.mask,
        "current": e.current_version,
        "accept": event.type == "accept",
    }
except SeepError as e:  # shown below; the strokes stay in the editor, nothing was written
    problem = e

if event:  # a save, an accept or a move changed the tile or its versions
    image, ids, pos = locate()
st.session_state["review_image"] = image.id
st.query_params["image"] = image.id
if image.status == "predicted":  # an analyst has it open: colleagues see it is being looked at
    ws.set_status(image.id, "in_review")
    image = ws.image(image.id)
nonce = st.session_state.setdefault("review_nonce", 0)  # bumped to throw away unsaved strokes

# ---- header -----------------------------------------------------------------------------
with st.container(horizontal=True, vertical_alignment="center"):
    st.button("Previous", icon=":material/chevron_left:", key="review_prev", help="P", on_click=nav, args=(-1,))
    st.subheader(plain(image.name), anchor=False)
    review_panels.status_badge(image)
    place = tile_place(ws, image.id)
    where = (
        f" · rows {place[1]:,}-{place[1] + image.height - 1:,}, columns {place[2]:,}-{place[2] + image.width - 1:,}"
        if place
        else ""
    )
    st.caption(f"scene {plain(image.scene)}{where} · {pos + 1} of {len(ids)}")
    review_panels.return_form(ws, image, author, on_returned=lambda: go(1))
    st.button("Next", icon=":material/chevron_right:", key="review_next", help="N", on_click=nav, args=(1,))

edit_col, side = st.columns([3, 2], gap="large")

with side:
    display, opacity, surround = review_panels.display_controls(ws, image, place is not None)
base = render_tile(ws, image.id, display=display)
context = render_surroundings(ws, image.id, display=display, opacity=opacity) if surround else None

# ---- what the editor opens with: the label, else the prediction, else nothing ------------
# Remembered per image until the analyst saves, reloads or leaves: a colleague's save in
# between must not swap the mask under their strokes (it becomes a conflict instead).
try:
    pred = prediction(model, ws, image.id) if model else None
except SeepError as e:  # a model file that cannot load: review goes on without its prediction
    model, pred = None, None
    with edit_col:
        session.show_error(e)
opened_by_image = st.session_state.setdefault("review_opened", {})
opened, model_note = to_open(
    image.head_version,
    opened_by_image.get(image.id),
    image.id,
    model.id if pred is not None else None,
    dirty=editor_dirty(EDITOR),
)
opened_by_image[image.id] = opened
if opened.source == "label":
    mask = ws.label(image.id, opened.version)[1]
elif opened.source == "prediction" and pred is not None:
    mask = pred[0]
else:
    mask = np.zeros((image.height, image.width), np.uint8)
mask_id = f"{image.id}:{opened.source}:{opened.version or opened.model_id or 0}:{nonce}"

with edit_col:
    if (
        opened.source == "label"
        and image.head_version != opened.version
        or (opened.source != "label" and image.head_version is not None)
    ):
        newest = ws.version(image.id)
        st.info(
            f"{plain(newest.author)} saved v{newest.version} since you opened this tile. Saving now will ask what to keep.",
            icon=":material/group:",
        )
        if st.button("Load the newest version", key="review_load_newest"):
            discard()
            st.rerun()
    st.caption(
        {
            "label": f"Editing label v{opened.version}",
            "prediction": f"Editing the prediction of model {plain(opened.model_id)}",
            "empty": "No label and no model: paint from scratch",
        }[opened.source]
        + " · 1-7 class, E eraser, [ ] size, Ctrl+Z/Y, S save, "
        + ("A accept, " if session.allowed(ws, "accept") else "")
        + "N/P next/previous"
    )
    review_panels.lookalike_form(ws, image, base, author)
    if model_note:
        st.info(plain(model_note), icon=":material/model_training:")
    review_panels.returned_note(ws, image)
    if problem:
        session.show_error(problem)
    mask_editor(
        base,
        mask,
        mask_id=mask_id,
        classes=ws.classes,
        key=EDITOR,
        opacity=opacity,
        locked=ws.no_data(image.id),
        context=context,
        can_accept=session.allowed(ws, "accept"),
    )


def saved(mask, **kw) -> bool:
    """Save the analyst's mask; a refusal is shown and the pending choice stays open."""
    try:
        session.require(ws, "accept" if kw.get("accept") else "save")
        save_edit(ws, opened, mask, author=author, dirty=True, **kw)
        return True
    except SeepError as e:
        session.show_error(e)
        return False


pending = st.session_state.get("review_pending")
if pending and pending["kind"] == "conflict":
    with edit_col:
        st.warning(
            f"Someone saved {plain(image.name)} as v{pending['current']} since you opened it. "
            "Your strokes are kept until you choose.",
            icon=":material/warning:",
        )
        c1, c2 = st.columns(2)
        if c1.button("Load their version (drop mine)", key="review_conflict_reload"):
            discard()
            st.rerun()
        if c2.button("Save mine as a newer version", key="review_conflict_keep", type="primary") and saved(
            pending["mask"], parent=pending["current"], accept=pending["accept"]
        ):
            reopen()
            st.rerun()
elif pending and pending["kind"] == "leave":
    with edit_col:
        st.warning("This tile has unsaved strokes.", icon=":material/warning:")
        c1, c2, c3 = st.columns(3)
        if (
            pending["mask"] is not None
            and c1.button("Save and go", key="review_leave_save", type="primary")
            and saved(pending["mask"])
        ):
            go(pending["step"])
            st.rerun()
        if c2.button("Discard and go", key="review_leave_discard"):
            discard_and_go(pending["step"])
            st.rerun()
        if c3.button("Stay", key="review_leave_stay"):
            st.session_state.pop("review_pending")
            st.rerun()


# ---- reference layers, class counts, second review, history ------------------------------
with side:
    if opened.source == "label" and opened.version == image.head_version:
        label_mask = mask  # the editor's mask is the newest label: no second read
    else:
        label_mask = ws.label(image.id)[1] if image.head_version is not None else None
    review_panels.reference(ws, image, label_mask, pred, base, display, opacity)
    review_panels.history(ws, image, author, on_restored=reopen)

if model:  # Next is the likeliest move: have its prediction ready by then
    prefetch(model, ws, ids[(pos + 1) % len(ids)])
