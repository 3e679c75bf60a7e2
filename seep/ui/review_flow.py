"""The Review page's flow: which tile, the editor's last event (save, accept, move, a blind
save), what the editor opens, and the choices that wait for the analyst. The page only lays
them out; the state lives in ReviewState."""

from __future__ import annotations

import numpy as np
import streamlit as st

from seep.errors import BadInputError, ConflictError, SeepError
from seep.ui import editor, review_panels, session  # editor.x, not x: tests swap in a fake
from seep.ui.models import prediction
from seep.ui.review_state import ReviewState
from seep.ui.text import plain
from seep.workspace import ImageFilter, ImageRecord, Workspace, agreement
from seep.workspace.review import Opened, accept, save_edit, to_open

EDITOR = "review_editor"


def locate(ws: Workspace, rs: ReviewState, flt: ImageFilter) -> ImageRecord:
    """The tile to show: the session's current one wins, a query parameter (a deep link,
    Browse's Open) seeds it. Sets the list that previous / next walk."""
    rs.ids = st.session_state.get("browse_order") or ws.image_ids(flt)
    if not rs.ids:
        st.info("No images to review with the current Browse filters.")
        st.stop()
    try:
        image = ws.image(rs.image_id or st.query_params.get("image") or rs.ids[0])
    except SeepError as e:
        session.show_error(e)
        st.stop()
    if image.id not in rs.ids:  # deep link outside the filter: walk the whole workspace instead
        rs.ids = ws.image_ids()
    rs.show(image.id)
    return image


def nav(rs: ReviewState, step: int) -> None:
    """Previous / Next buttons (a callback: runs before the page, so one rerun)."""
    rs.navigate(step, dirty=editor.editor_dirty(EDITOR))


def handle_event(ws: Workspace, rs: ReviewState, image: ImageRecord, model, author: str) -> tuple[bool, SeepError | None]:
    """The editor's last event, before anything is drawn: (whether there was one, a refusal to show)."""
    opened = rs.opened.get(image.id)
    event = None
    try:
        event = editor.take_event(EDITOR, shape=(image.height, image.width), classes=ws.classes)
        if event and opened is None:
            raise SeepError("the editor sent an action for a tile that is no longer open; nothing was saved")
        if event and event.type != "navigate" and not author:
            raise BadInputError(
                "say who you are first (the Analyst box in the sidebar): your name goes on every label you save; nothing was saved"
            )
        if event and event.type == "save" and opened.round_id is not None:
            session.require(ws, "save")
            agreement.save_blind(ws, opened.round_id, author, event.mask)
            rs.reopen()
            st.toast(f"Saved your blind label of {plain(image.name)}", icon=":material/visibility_off:")
        elif event and event.type == "save":
            session.require(ws, "save")
            lv = save_edit(ws, opened, event.mask, author=author, dirty=event.dirty)
            review_panels.note_removed(ws, model, image.id, opened, event.mask, lv.version)
            rs.reopen()
            st.toast(f"Saved {plain(image.name)} as v{lv.version}", icon=":material/save:")
        elif event and event.type == "accept":
            session.require(ws, "accept")
            accept(ws, opened, event.mask, author=author, dirty=event.dirty)
            st.toast(f"Accepted {plain(image.name)}", icon=":material/check:")
            rs.go(1)
        elif event and event.type == "navigate":
            rs.navigate(event.step, dirty=event.dirty, mask=event.mask)
    except ConflictError as e:  # before SeepError: a conflict is one, with a choice to offer
        rs.ask_conflict(event.mask, e.current_version, event.type == "accept")
    except SeepError as e:  # shown on the page; the strokes stay in the editor, nothing was written
        return event is not None, e
    return event is not None, None


def open_mask(ws: Workspace, rs: ReviewState, image: ImageRecord, model, author: str, rnd, notes: list):
    """(what the editor opens, its mask, the model's prediction or None, the model).

    Remembered per tile until the analyst saves, reloads or leaves: a colleague's save in
    between must not swap the mask under their strokes (it becomes a conflict instead). An
    analyst with a blind label to draw gets their own blind mask, else what anyone would."""
    try:
        pred = prediction(model, ws, image.id) if model else None
    except SeepError as e:  # a model file that cannot load: review goes on without its prediction
        model, pred = None, None
        notes.append(e)
    kept = rs.opened.get(image.id)
    blind = rnd is not None and author in rnd.saved
    if kept is not None and kept.round_id is not None and not (blind and kept.round_id == rnd.id and kept.source != "blind"):
        kept = None  # the round closed while the tile was open, or it was someone else's blind mask
    mine = agreement.blind_mask(ws, rnd, author) if blind else None
    if mine is not None:
        rs.opened[image.id] = Opened(image.id, None, "blind", round_id=rnd.id, at=rnd.saved[author])
        return rs.opened[image.id], mine, pred, model
    opened, model_note = to_open(
        image.head_version, kept, image.id, model.id if pred is not None else None, dirty=editor.editor_dirty(EDITOR)
    )
    if model_note:
        notes.append(model_note)
    if blind:  # a first blind label starts from what anyone would see
        opened = Opened(image.id, opened.version, opened.source, opened.model_id, round_id=rnd.id)
    rs.opened[image.id] = opened
    if opened.source == "label":
        return opened, ws.label(image.id, opened.version)[1], pred, model
    if opened.source == "prediction" and pred is not None:
        return opened, pred[0], pred, model
    return opened, np.zeros((image.height, image.width), np.uint8), pred, model


def keep_status(ws: Workspace, image: ImageRecord, pred, dirty: bool) -> None:
    """Opening a tile changes nothing but this: a tile the model has now predicted counts as
    predicted. The first stroke makes it "in review", so colleagues see it is being worked on;
    flicking through with N leaves it as it was."""
    if dirty and image.status in ("unlabelled", "predicted"):
        ws.set_status(image.id, "in_review")
    elif pred is not None and image.status == "unlabelled":
        ws.set_status(image.id, "predicted")


def newer_version_note(ws: Workspace, rs: ReviewState, image: ImageRecord, opened: Opened) -> None:
    """A colleague saved since this tile was opened: say so, and offer their version."""
    if opened.round_id is not None:
        return  # a blind label is nobody else's to replace
    if (opened.source == "label" and image.head_version != opened.version) or (
        opened.source != "label" and image.head_version is not None
    ):
        newest = ws.version(image.id)
        st.info(
            f"{plain(newest.author)} saved v{newest.version} since you opened this tile. Saving now will ask what to keep.",
            icon=":material/group:",
        )
        if st.button("Load the newest version", key="review_load_newest"):
            rs.discard()
            st.rerun()


def pending_choice(ws: Workspace, rs: ReviewState, image: ImageRecord, opened: Opened, author: str) -> None:
    """Leave with unsaved strokes, or a colleague saved first: the analyst chooses."""
    pending = rs.pending
    if pending and pending["kind"] == "conflict":
        st.warning(
            f"Someone saved {plain(image.name)} as v{pending['current']} since you opened it. "
            "Your strokes are kept until you choose.",
            icon=":material/warning:",
        )
        c1, c2 = st.columns(2)
        if c1.button("Load their version (drop mine)", key="review_conflict_reload"):
            rs.discard()
            st.rerun()
        if c2.button("Save mine as a newer version", key="review_conflict_keep", type="primary") and _saved(
            ws, opened, pending["mask"], author, parent=pending["current"], accept=pending["accept"]
        ):
            rs.reopen()
            st.rerun()
    elif pending and pending["kind"] == "leave":
        st.warning("This tile has unsaved strokes.", icon=":material/warning:")
        c1, c2, c3 = st.columns(3)
        if (
            pending["mask"] is not None
            and c1.button("Save and go", key="review_leave_save", type="primary")
            and _saved(ws, opened, pending["mask"], author)
        ):
            rs.go(pending["step"])
            st.rerun()
        if c2.button("Discard and go", key="review_leave_discard"):
            rs.discard()
            rs.go(pending["step"])
            st.rerun()
        if c3.button("Stay", key="review_leave_stay"):
            rs.stay()
            st.rerun()


def _saved(ws: Workspace, opened: Opened, mask, author: str, **kw) -> bool:
    """Save the analyst's mask from a pending choice; a refusal is shown and the choice stays open."""
    try:
        session.require(ws, "accept" if kw.get("accept") else "save")
        if opened.round_id is not None:
            agreement.save_blind(ws, opened.round_id, author, mask)
        else:
            save_edit(ws, opened, mask, author=author, dirty=True, **kw)
        return True
    except SeepError as e:
        session.show_error(e)
        return False
