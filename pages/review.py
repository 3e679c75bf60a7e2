"""Review: one tile in the brush editor, with display controls, reference layers, history."""

import streamlit as st

from seep.ui import blind, review_flow, review_panels, session, vessel_panels
from seep.ui.editor import mask_editor
from seep.ui.legend import legend
from seep.ui.models import active_model, prefetch
from seep.ui.review_flow import EDITOR
from seep.ui.review_state import ReviewState
from seep.ui.tables import when
from seep.ui.text import plain
from seep.workspace import agreement
from seep.workspace.assignments import holder
from seep.workspace.places import position_format, written
from seep.workspace.render import render_surroundings, render_tile
from seep.workspace.scenes import reviewed_stamp, scene
from seep.workspace.tile_places import centre_of, footprint_m2, pixel_lonlat, pixel_steps_m, tile_corners_lonlat, tile_place

ws = session.workspace()
model = active_model(ws)
author = session.author()
rs = ReviewState(st.session_state)
image = review_flow.locate(ws, rs, session.browse_filter())
moved, problem = review_flow.handle_event(ws, rs, image, model, author)
if moved:  # a save, an accept or a move changed the tile or its versions
    image = review_flow.locate(ws, rs, session.browse_filter())
if st.query_params.get("image") != image.id:  # each write is a history entry: Back must reach Browse
    st.query_params["image"] = image.id
    for tied in ("at", "model"):  # the place marked and the model compared belong to the tile the link opened
        st.query_params.pop(tied, None)
pin = review_flow.pinned(image)
rnd = agreement.open_round(ws, image.id)

# ---- header -----------------------------------------------------------------------------
with st.container(horizontal=True, vertical_alignment="center"):
    # Previous and Next side by side: on a laptop's narrower page the header wraps, and the
    # two buttons an analyst clicks most must not end up on different rows.
    st.button("Previous", icon=":material/chevron_left:", key="review_prev", help="P", on_click=review_flow.nav, args=(rs, -1))
    st.button("Next", icon=":material/chevron_right:", key="review_next", help="N", on_click=review_flow.nav, args=(rs, 1))
    st.subheader(plain(image.name), anchor=False)
    review_panels.status_badge(image)
    place = tile_place(ws, image.id)
    corners = tile_corners_lonlat(ws, image.id) if place else None  # where it lies on the Earth: header, cursor, area
    where = (
        f" · rows {place[1]:,}-{place[1] + image.height - 1:,}, columns {place[2]:,}-{place[2] + image.width - 1:,}"
        if place
        else ""
    )
    if place and (acquired := scene(ws, place[0]).acquired):  # the pass: the day's wind and sea state
        where = f", acquired {when(acquired)}{where}"
    how = position_format(ws)  # as the team's reports write a place
    if corners:
        where += f" · centre {written(*centre_of(corners), how)}"
    if pin and (marked := pixel_lonlat(ws, image.id, *pin)):
        where += f" · the red ring marks {written(*marked, how)}"
    if held := holder(ws, image.scene):  # advice, not a lock: whose scene this tile is part of
        where = f" ({'yours' if held.person == author else 'handed to ' + plain(held.person)}){where}"
    st.caption(f"scene {plain(image.scene)}{where} · {rs.position + 1} of {len(rs.ids)}")
    review_flow.scene_steps(ws, rs, image)
    review_panels.return_form(ws, image, author, on_returned=lambda: rs.go(1))
if place:
    review_panels.remarks_line(ws, place[0])

# A small gap: on a 1024-px page the side column needs those pixels for the class table.
edit_col, side = st.columns([3, 2], gap="small")
with side:
    display, opacity, surround = review_panels.display_controls(ws, image, place is not None)
base = render_tile(ws, image.id, display=display)
context = render_surroundings(ws, image.id, display=display, opacity=opacity) if surround else None
notes = []
opened, mask, pred, model = review_flow.open_mask(ws, rs, image, model, author, rnd, notes)
blind_mode = opened.round_id is not None

with edit_col:
    review_flow.newer_version_note(ws, rs, image, opened)
    review_flow.older_prediction_note(ws, rs, image, opened, model, pred)
    review_flow.pending_choice(ws, rs, image, opened, author, base, opacity)
    can_accept = session.allowed(ws, "accept") and not blind_mode
    st.caption(
        ("Blind label · " if blind_mode else "")
        + {
            "label": f"Editing label v{opened.version}",
            "prediction": f"Editing the prediction of model {plain(opened.model_id)}",
            "empty": "No label and no model: paint from scratch",
            "blind": "Editing your blind label",
        }[opened.source]
        + " · 1-7 class, E eraser, [ ] size, M measure, Ctrl+Z/Y, S save, "
        + ("A accept and next, " if can_accept else "")
        + "N/P next/previous"
    )
    review_panels.lookalike_form(ws, image, base, author)
    for note in notes:
        if isinstance(note, Exception):
            session.show_error(note)
        else:
            st.info(plain(note), icon=":material/model_training:")
    review_panels.returned_note(ws, image)
    review_panels.version_note(ws, image)
    review_panels.conflict_notice(ws, image, author)
    if problem:
        session.show_error(problem)
    dirty = mask_editor(
        base,
        mask,
        mask_id=f"{opened.mask_id}:{rs.nonce}",
        classes=ws.classes,
        key=EDITOR,
        opacity=opacity,
        locked=ws.no_data(image.id),
        context=context,
        can_accept=can_accept,
        values=ws.read_image(image.id),
        corners=corners,
        metres=pixel_steps_m(corners, image.height) if corners else None,
        pin=pin,
    )
    if not blind_mode:  # a blind label is nobody else's to read, note or not
        review_panels.note_box(review_flow.restore_note(image.id), on_change=review_flow.remember_note, args=(image.id,))
    legend(ws)
    review_flow.keep_status(ws, image, pred, dirty)

# ---- blind round, reference layers, class counts, history ----------------------------------
with side:
    blind.panel(ws, image, rnd, author, display, on_closed=rs.reopen)
    reviewed = reviewed_stamp(ws) if place else None  # other passes' slicks: asked once a run, on scene tiles only
    if reviewed is not None and not blind_mode:  # where else slicks were labelled would lean on a blind label
        review_panels.seen_before(ws, image, mask, reviewed)
    if reviewed is not None:
        review_panels.near_installation(ws, image, mask, reviewed)
        vessel_panels.near_vessel(ws, image, mask, (reviewed, scene(ws, place[0]).acquired))
    if opened.source == "label" and opened.version == image.head_version:
        label_mask = mask  # the editor's mask is the newest label: no second read
    else:
        label_mask = ws.label(image.id)[1] if image.head_version is not None else None
    pixel_m2 = footprint_m2(corners) / (image.height * image.width) if corners else None
    other = review_flow.compared(ws, image, model)
    review_panels.reference(ws, image, label_mask, pred, base, opacity, pixel_m2, reviewed, other)
    review_panels.history(ws, image, author, base, opacity, on_restored=rs.reopen)

if model:  # Next is the likeliest move: have its prediction ready by then
    prefetch(model, ws, rs.ids[(rs.position + 1) % len(rs.ids)])
