"""The Review page's flow: which tile, the editor's last event (save, accept, move, a blind
save), what the editor opens, and the choices that wait for the analyst. The page only lays
them out; the state lives in ReviewState."""

from __future__ import annotations

import numpy as np
import streamlit as st

from seep.data.display import DIFF_LEGEND, difference, difference_overlay, overlay
from seep.errors import BadInputError, ConflictError, NotFoundError, SeepError
from seep.jobs.predict import label_to_write, write_prediction_label
from seep.ui import editor, review_panels, session  # editor.x, not x: tests swap in a fake
from seep.ui.models import model_of, prediction
from seep.ui.review_state import ReviewState
from seep.ui.text import plain, saved_by
from seep.workspace import ImageFilter, ImageRecord, Workspace, agreement, registry
from seep.workspace.review import Opened, accept, opened_mask, resolve_conflict, save_edit, to_open
from seep.workspace.tile_places import neighbour_ids

EDITOR = "review_editor"


def locate(ws: Workspace, rs: ReviewState, flt: ImageFilter) -> ImageRecord:
    """The tile to show: the session's current one wins, a query parameter (a deep link,
    Browse's Open) seeds it. Sets the list that previous / next walk."""
    rs.ids = ws.image_ids(flt)
    if not rs.ids:
        st.info("No images to review with the current Browse filters.")
        st.stop()
    wanted = rs.image_id or st.query_params.get("image") or rs.ids[0]
    try:
        image = ws.image(wanted)
    except NotFoundError:
        no_such_image(rs, wanted)
    except SeepError as e:  # a name two images share
        session.show_error(e)
        st.stop()
    if image.id not in rs.ids:  # deep link outside the filter: walk the whole workspace instead
        rs.ids = ws.image_ids()
    rs.show(image.id)
    return image


def pinned(image: ImageRecord) -> tuple[int, int] | None:
    """(row, col) of the place the link marks on this tile (`at=ROW,COL`, from the Scene page's
    Find a place, or a link shared from there); a mark off the tile, or one that is not two
    whole numbers, marks nothing."""
    parts = (st.query_params.get("at") or "").split(",")
    if len(parts) != 2 or not all(p.strip().isascii() and p.strip().isdigit() for p in parts):
        return None
    row, col = (int(p) for p in parts)
    return (row, col) if row < image.height and col < image.width else None


def compared(ws: Workspace, image: ImageRecord, active) -> tuple[str, np.ndarray] | None:
    """(model id, class map) of the model the link names (`model=ID`, from a candidate's "where
    it changes most" on the Train or Models page), when that is not the one predicting here:
    what promoting it would put on this tile, a reference layer beside the active model's. A
    model this workspace lacks, or whose file no longer loads, is said and shown nothing."""
    wanted = st.query_params.get("model")
    if not wanted or (active is not None and wanted == active.id):
        return None
    try:
        other = model_of(ws, registry.get_model(ws, wanted))
        return other.id, prediction(other, ws, image.id)[0]
    except (SeepError, OSError) as e:  # a removed model, its weights gone: the tile is still reviewed
        st.caption(f"The link compares with model {plain(wanted)}, which cannot be shown here: {plain(str(e))}")
        return None


def no_such_image(rs: ReviewState, wanted: str) -> None:
    """A link (or a session) naming an image this workspace does not have: say so, and offer
    the way back to Browse or on to the first image of the list."""
    st.error(
        f"This workspace has no image {plain(wanted)}: the link may come from another workspace, or the image was removed.",
        icon=":material/link_off:",
    )
    with st.container(horizontal=True):
        st.page_link("pages/browse.py", label="Back to Browse", icon=":material/grid_view:")
        if st.button("Review the first image", key="review_first", icon=":material/chevron_right:"):
            rs.show(rs.ids[0])
            st.query_params["image"] = rs.ids[0]
            st.rerun()
    st.stop()


NOTES = "review_notes"  # image id -> a note typed there and not saved yet


def note_key(image_id: str) -> str:
    """The note box under the editor, one per tile: a note typed on one tile never goes with
    another's save."""
    return f"review_note_{image_id}"


def restore_note(image_id: str) -> str:
    """Before the box is drawn: what was typed on this tile and not saved is there again, as
    strokes are (Streamlit forgets a box once the analyst is on another tile). Its key."""
    key = note_key(image_id)
    kept = st.session_state.get(NOTES, {}).get(image_id)
    if key not in st.session_state and kept:
        st.session_state[key] = kept
    return key


def remember_note(image_id: str) -> None:
    """The box's on_change: keep the note beyond the box."""
    st.session_state.setdefault(NOTES, {})[image_id] = st.session_state.get(note_key(image_id), "")


def typed_note(image_id: str) -> str:
    return st.session_state.get(note_key(image_id)) or st.session_state.get(NOTES, {}).get(image_id, "")


def note_sent(image_id: str) -> None:
    """The note went with a save (or an accept): the box starts empty again. Set, not popped,
    and before the box is drawn: a dropped key leaves the browser showing (and sending back
    with the next save) the old text."""
    st.session_state.setdefault(NOTES, {}).pop(image_id, None)
    st.session_state[note_key(image_id)] = ""


def nav(rs: ReviewState, step: int) -> None:
    """Previous / Next buttons (a callback: runs before the page, so one rerun)."""
    rs.navigate(step, dirty=editor.editor_dirty(EDITOR))


def nav_to(rs: ReviewState, image_id: str) -> None:
    """The buttons to the tiles beside this one in its scene (a callback, as Previous / Next)."""
    rs.navigate_to(image_id, dirty=editor.editor_dirty(EDITOR))


STEPS = (((-1, 0), "↑", "north"), ((0, -1), "←", "west"), ((0, 1), "→", "east"), ((1, 0), "↓", "south"))


def scene_steps(ws: Workspace, rs: ReviewState, image: ImageRecord) -> None:
    """On a scene tile: a button to each tile beside it (a slick that runs over the border is
    followed onto the next tile); none past the scene's edge or onto a no-data tile never stored."""
    around = neighbour_ids(ws, image.id)
    if not around:
        return
    with st.container(horizontal=True, gap="small", width="content"):
        for step, arrow, way in STEPS:
            st.button(
                arrow,
                key=f"review_step_{way}",
                type="tertiary",
                disabled=step not in around,
                help=f"The tile {way} of this one in its scene",
                on_click=nav_to,
                args=(rs, around.get(step)),
            )


def handle_event(ws: Workspace, rs: ReviewState, image: ImageRecord, model, author: str) -> tuple[bool, SeepError | None]:
    """The editor's last event, before anything is drawn: (whether there was one, a refusal to show,
    this event's or one still unanswered on this tile)."""
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
            lv = save_edit(ws, opened, event.mask, author=author, dirty=event.dirty, note=typed_note(image.id))
            note_sent(image.id)
            review_panels.note_removed(ws, model, image.id, opened, event.mask, lv.version)
            rs.reopen()
            st.toast(f"Saved {plain(image.name)} as v{lv.version}", icon=":material/save:")
        elif event and event.type == "accept":
            session.require(ws, "accept")
            accept(ws, opened, event.mask, author=author, dirty=event.dirty, note=typed_note(image.id))
            note_sent(image.id)
            st.toast(f"Accepted {plain(image.name)}", icon=":material/check:")
            rs.go(1)
        elif event and event.type == "navigate":
            rs.navigate(event.step, dirty=event.dirty, mask=event.mask)
    except ConflictError as e:  # before SeepError: a conflict is one, with a choice to offer
        rs.ask_conflict(event.mask, e.current_version, event.type == "accept")
    except SeepError as e:  # shown on the page; the strokes stay in the editor, nothing was written
        rs.refuse(image.id, author, e)
        return event is not None, e
    if event is not None:
        rs.refuse(image.id, author, None)
    return event is not None, rs.refusal(image.id, author)


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
    if opened.round_id is not None or (rs.pending or {}).get("kind") == "conflict":
        return  # a blind label is nobody else's to replace; a conflict already shows theirs
    if (opened.source == "label" and image.head_version != opened.version) or (
        opened.source != "label" and image.head_version is not None
    ):
        newest = ws.version(image.id)
        st.info(
            f"{plain(saved_by(newest))} saved v{newest.version} since you opened this tile. Saving now will ask what to keep.",
            icon=":material/group:",
        )
        if st.button("Load the newest version", key="review_load_newest"):
            rs.discard()
            st.rerun()


def older_prediction_note(ws: Workspace, rs: ReviewState, image: ImageRecord, opened: Opened, model, pred) -> None:
    """The label open is an earlier model's prediction nobody has touched (no Predict all since a
    promote): say so, and put the active model's there in one click."""
    if model is None or pred is None or opened.source != "label" or opened.round_id is not None:
        return
    write = label_to_write(ws, image.id, model.id)
    if not write or write[0] != "refreshed" or opened.version != write[1]:
        return
    st.info(
        f"This label is model {plain(ws.version(image.id).model_id)}'s prediction, untouched; the active model is "
        f"{plain(model.id)}.",
        icon=":material/model_training:",
    )
    dirty = editor.editor_dirty(EDITOR)
    help_ = "Save or reset your strokes first" if dirty else "Saved as a new version; this one stays in the history"
    may = session.allowed(ws, "save")
    if st.button(f"Use {plain(model.id)}'s prediction", key="review_use_active", disabled=dirty or not may, help=help_):
        try:
            session.require(ws, "save")  # the role as it is now, on the server
            write_prediction_label(ws, image.id, pred[0], model.id)
            rs.reopen()
            st.rerun()
        except SeepError as e:
            session.show_error(e)


def pending_choice(ws: Workspace, rs: ReviewState, image: ImageRecord, opened: Opened, author: str, base, opacity) -> None:
    """Leave with unsaved strokes, or a colleague saved first: the analyst chooses, above the editor."""
    pending = rs.pending
    if pending and pending["kind"] == "conflict":
        conflict_view(ws, rs, image, opened, author, base, opacity)
    elif pending and pending["kind"] == "leave":
        st.warning("This tile has unsaved strokes.", icon=":material/warning:")
        c1, c2, c3 = st.columns(3)
        if (
            pending["mask"] is not None
            and c1.button("Save and go", key="review_leave_save", type="primary")
            and _saved(ws, opened, pending["mask"], author)
        ):
            rs.go_to(pending["to"])
            st.rerun()
        if c2.button("Discard and go", key="review_leave_discard"):
            rs.discard()
            rs.go_to(pending["to"])
            st.rerun()
        if c3.button("Stay", key="review_leave_stay"):
            rs.stay()
            st.rerun()


def conflict_view(ws: Workspace, rs: ReviewState, image: ImageRecord, opened: Opened, author: str, base, opacity) -> None:
    """Theirs and mine side by side with the pixels that differ, over `base` (the tile as the
    page shows it); keep theirs, put my strokes on top of theirs, or save mine as is. Each
    saves a new version naming both parents."""
    pending = rs.pending
    theirs_lv, theirs = ws.label(image.id, pending["current"])
    mine = pending["mask"]
    try:
        start = opened_mask(ws, opened)
    except SeepError as e:
        start = None
        session.show_error(e)
    since = f"v{opened.version}" if opened.source == "label" else "it"
    st.warning(
        f"{plain(saved_by(theirs_lv))} saved {plain(image.name)} as v{theirs_lv.version} since you opened {since}. "
        "Your strokes are kept until you choose.",
        icon=":material/warning:",
    )
    cols = st.columns(3)
    cols[0].image(overlay(base, theirs, ws.classes, opacity=opacity), width="stretch")
    cols[0].caption(f"Theirs: v{theirs_lv.version} by {plain(saved_by(theirs_lv))}")
    cols[1].image(overlay(base, mine, ws.classes, opacity=opacity), width="stretch")
    cols[1].caption("Mine (not saved)")
    diff = difference(mine, theirs)
    cols[2].image(difference_overlay(base, diff), width="stretch")
    cols[2].caption(
        f"{int((mine != theirs).sum()):,} pixels differ ({DIFF_LEGEND.replace('missed', 'only theirs').replace('false alarm', 'only mine')})"
    )
    if start is not None:
        both = (mine != start) & (theirs != start)
        st.caption(
            f"Your strokes changed {int((mine != start).sum()):,} pixels of what you opened; they changed "
            f"{int((theirs != start).sum()):,}; {int(both.sum()):,} pixels were changed by both "
            "(mine on top of theirs gives yours there)."
        )
    how = None
    with st.container(horizontal=True):
        if st.button(
            "Mine on top of theirs",
            key="review_conflict_patch",
            type="primary",
            disabled=start is None,
            help="Apply only the pixels you changed onto their version",
        ):
            how = "patch"
        if st.button("Mine as is", key="review_conflict_mine", help="Save your whole mask: their changes are replaced"):
            how = "mine"
        if st.button(
            "Keep theirs", key="review_conflict_theirs", help="Drop your strokes; their version is saved again naming both"
        ):
            how = "theirs"
        if st.button("Back to my strokes", key="review_conflict_stay", help="Nothing is saved; saving again asks again"):
            rs.stay()
            st.rerun()
    if how and _resolved(ws, rs, opened, mine, author, how):
        rs.discard()  # saved or deliberately dropped: the editor opens the new version afresh
        st.rerun()


def _resolved(ws: Workspace, rs: ReviewState, opened: Opened, mine, author: str, how: str) -> bool:
    """Save the chosen resolution; another colleague's save in between asks again, on theirs."""
    pending = rs.pending
    try:
        session.require(ws, "accept" if pending["accept"] else "save")
        resolve_conflict(
            ws,
            opened,
            mine,
            theirs=pending["current"],
            how=how,
            author=author,
            accept=pending["accept"],
            note=typed_note(opened.image_id),
        )
        note_sent(opened.image_id)
        return True
    except ConflictError as e:
        rs.ask_conflict(mine, e.current_version, pending["accept"])
        st.rerun()
    except SeepError as e:
        session.show_error(e)
    return False


def _saved(ws: Workspace, opened: Opened, mask, author: str) -> bool:
    """Save the analyst's mask from "save and go"; a refusal is shown and the choice stays open."""
    try:
        session.require(ws, "save")
        if opened.round_id is not None:
            agreement.save_blind(ws, opened.round_id, author, mask)
        else:
            save_edit(ws, opened, mask, author=author, dirty=True, note=typed_note(opened.image_id))
            note_sent(opened.image_id)
        return True
    except SeepError as e:
        session.show_error(e)
        return False
