"""Scenes handed out (seep/workspace/assignments.py): who holds a scene, the form a lead hands
the morning's passes out with, and a free scene taken by an analyst for themselves."""

from __future__ import annotations

import streamlit as st

from seep.errors import BadInputError, SeepError
from seep.ui import session
from seep.ui.tables import when
from seep.ui.text import plain
from seep.workspace import ImageFilter, Workspace
from seep.workspace.assignments import HAND_OUT, TAKE, Assignment, assign, people
from seep.workspace.records import UNREVIEWED, counted

NO_ONE = "no one"


def my_scenes_notice(ws: Workspace, me: str) -> int:
    """Say what is left of the scenes handed to `me`; return their tiles (Browse's toggle)."""
    if not me:
        return 0
    tiles = ws.count_images(ImageFilter(assigned_to=me))
    left = ws.count_images(ImageFilter(assigned_to=me, status=(*UNREVIEWED, "returned")))
    if left:
        st.info(
            f"{counted(left, 'tile')} of the scenes handed to you {'is' if left == 1 else 'are'} not reviewed yet "
            "(My scenes, below).",
            icon=":material/assignment_ind:",
        )
    return tiles


def workload_line(rows, held: dict[str, Assignment]) -> None:
    """Per person, the scenes listed that are handed to them and their tiles left to review: a
    lead evens out the morning's work from it."""
    load: dict[str, list[int]] = {}
    for x in rows:
        if x.name in held:
            mine = load.setdefault(held[x.name].person, [0, 0])
            mine[0] += 1
            mine[1] += x.tiles - x.reviewed
    if load:
        parts = [f"{plain(who)} {counted(n, 'scene')}, {left:,} left to review" for who, (n, left) in sorted(load.items())]
        st.caption("Handed out: " + " · ".join(parts))


def hand_out_form(ws: Workspace, names: list[str], me: str, *, key: str, pick: bool = True) -> None:
    """Hand scenes to someone, or take them back: a lead's. An analyst may take free scenes for
    themselves with the same form (only their own name is offered). `pick`: which of `names`
    is picked in the form (Browse's Scenes view); else all of them (the Scene page's one)."""
    said = st.session_state.pop(f"{key}_said", None)
    if said:
        st.success(plain(said), icon=":material/assignment_ind:")
    lead = session.allowed(ws, HAND_OUT)
    if not lead and not session.allowed(ws, TAKE):
        return
    names_known, open_to_any = people(ws)
    offered = list(dict.fromkeys([me, *names_known] if lead else [me])) if me else names_known
    # A new form after each hand-out, empty for the next (a form's widgets keep their values
    # in the browser: popping their keys does not clear them).
    done = st.session_state.get(f"{key}_done", 0)
    with st.form(f"{key}_{done}", border=False), st.container(horizontal=True, vertical_alignment="bottom"):
        if pick:
            picked = st.multiselect("Scenes", names, key=f"{key}_scenes_{done}", placeholder="the scenes to hand out")
        else:
            picked = names
        person = st.selectbox(
            "To",
            offered,
            index=None,
            key=f"{key}_person_{done}",
            placeholder="a person" if lead else "yourself",
            accept_new_options=lead and open_to_any,
            help="One person a scene: who corrects its tiles. Advice, not a lock: anyone may still save any tile",
        )
        give = st.form_submit_button("Hand out", icon=":material/assignment_ind:")
        back = st.form_submit_button("Take back", help="Handed to no one: anyone may take them")
    if give or back:
        _hand_out(ws, picked, None if back else person, me, key, give)


def _hand_out(ws: Workspace, picked: list[str], person: str | None, me: str, key: str, give: bool) -> None:
    try:
        if not picked:
            raise BadInputError("pick the scenes to hand out")
        if give and not person:
            raise BadInputError("pick whom to hand them to")
        lead = session.allowed(ws, HAND_OUT)  # the role as it is now
        session.require(ws, HAND_OUT if lead else TAKE)
        changed = assign(ws, picked, person, me, lead=lead)
    except SeepError as e:
        session.show_error(e)
        return
    whom = person or NO_ONE
    st.session_state[f"{key}_done"] = st.session_state.get(f"{key}_done", 0) + 1
    st.session_state[f"{key}_said"] = (
        f"Handed {', '.join(changed)} to {whom}." if changed else f"{', '.join(picked)}: already handed to {whom}."
    )
    st.rerun()


def holder_line(ws: Workspace, name: str, held: Assignment | None, me: str) -> None:
    """Who holds this scene; a button to take it (when free) or give it back (when mine), and a
    lead's form to hand it to someone."""
    with st.container(horizontal=True, vertical_alignment="center"):
        if held:
            how = f"Taken by {held.person}" if held.by == held.person else f"Handed to {held.person} by {held.by}"
            st.caption(plain(f"{how}, {when(held.at)}"), width="content")
        else:
            st.caption("Handed to no one yet", width="content")
        mine = held is not None and held.person == me
        if me and (held is None or mine) and session.allowed(ws, TAKE):
            if st.button(
                "Give it back" if mine else "Take it", key="scene_take", type="tertiary", icon=":material/assignment_ind:"
            ):
                try:
                    session.require(ws, TAKE)
                    assign(ws, [name], None if mine else me, me, lead=False)
                    st.rerun()
                except SeepError as e:
                    session.show_error(e)
        if session.allowed(ws, HAND_OUT):
            # Keyed by the hand-outs made: after one, the popover is drawn anew, closed (left open,
            # it took the lead's next click on the page to close itself), and what it did is said here.
            done = st.session_state.get("scene_hand_out_done", 0)
            with st.popover(
                "Hand out",
                icon=":material/group:",
                help="Hand this scene to someone on the team",
                key=f"scene_hand_out_pop_{done}",
            ):
                said = st.session_state.pop("scene_hand_out_said", None)  # said beside it, not in it
                hand_out_form(ws, [name], me, key="scene_hand_out", pick=False)
            if said:
                st.caption(plain(said), width="content")
