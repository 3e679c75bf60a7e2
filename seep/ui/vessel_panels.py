"""Vessels at the pass on the pages: the Scene page's AIS panel and its map's marks, and Review's
note of a vessel near the seep shown (seep.workspace.vessels)."""

from __future__ import annotations

import cv2
import numpy as np
import streamlit as st

from seep.errors import SeepError
from seep.ui import session
from seep.ui.text import plain
from seep.ui.uploads import uploaded
from seep.workspace import ImageRecord, Workspace
from seep.workspace.records import counted
from seep.workspace.scenes import Scene, scene
from seep.workspace.vessels import (
    CLOSE_KM,
    TRACK_KM,
    VESSEL_KM,
    VesselMark,
    VesselNote,
    at_pass,
    clear_vessels,
    load_vessels,
    loaded,
    missed,
    vessel_note,
    vessels_geojson,
    vessels_on_scene,
    vessels_on_tile,
)

CYAN = (0, 229, 255)  # the vessels, as the Scene page's map draws them (#00e5ff)


def ais_panel(ws: Workspace, sc: Scene, me: str) -> None:
    """Load the day's AIS (reviewers and admins); how many vessels it placed at this pass."""
    placed = at_pass(ws, sc)
    # One title whatever is loaded: a new one would be a new panel, closed over what the load said.
    with st.expander("Vessels at the pass (AIS)", icon=":material/directions_boat:"):
        last = loaded(ws)
        when = "" if sc.acquired else " This pass's time is unknown: set it above to place vessels at it."
        if missed(ws, sc):  # its positions were left out of the file as far from every pass then
            when = (
                " This pass was not here with its time when AIS was last loaded: load the day's AIS again to place vessels at it."
            )
        st.caption(
            f"{counted(len(placed), 'vessel')} placed at this pass. "
            f"Each vessel is placed where AIS puts it when the radar passed, and each slick's nearest within {VESSEL_KM} km "
            f"is named in the seeps list: a slick trailing a ship is more often its discharge than a seep.{when} "
            + (f"Last loaded: {plain(last.summary())}, by {plain(last.by)}." if last else "No AIS loaded yet.")
        )
        done = st.session_state.pop("scene_ais_done", None)
        if done:
            st.success(plain(done), icon=":material/check:")
        if placed:
            st.download_button(
                "Vessels at the pass as GeoJSON",
                data=lambda: vessels_geojson(ws, sc, placed),  # written when asked for, not on every run
                file_name=f"{sc.name}-vessels.geojson",
                mime="application/geo+json",
                icon=":material/download:",
                help="Each vessel where AIS placed it, with its course and speed, and its track of the hour around the pass",
            )
        if not session.allowed(ws, "load AIS"):
            return
        with st.form("scene_ais", border=False):
            upload = st.file_uploader(
                "A CSV of AIS positions as MarineCadastre, the Danish Maritime Authority or Global Fishing Watch export it "
                "(MMSI, a time, latitude, longitude; the positions near this workspace's passes are kept)",
                type=["csv"],
                key=f"scene_ais_file_{st.session_state.get('scene_ais_loads', 0)}",
            )
            if st.form_submit_button("Load AIS", icon=":material/upload:"):
                _load(ws, upload, me)
        if last and st.button("Remove AIS", icon=":material/delete:", key="scene_ais_clear"):
            try:
                session.require(ws, "load AIS")
                session.rerun_saying(f"{counted(clear_vessels(ws, me), 'AIS position')} removed")
            except SeepError as e:
                session.show_error(e)


def _load(ws: Workspace, upload, me: str) -> None:
    try:
        session.require(ws, "load AIS")
        with uploaded([upload] if upload else [], "a CSV of AIS positions") as path:
            done = load_vessels(ws, path, me)
    except SeepError as e:
        session.show_error(e)
        return
    st.session_state["scene_ais_done"] = done.summary()
    st.session_state["scene_ais_loads"] = st.session_state.get("scene_ais_loads", 0) + 1  # an empty uploader next
    st.rerun()


@st.cache_data(max_entries=16, show_spinner=False)
def cached_vessels(ws_root: str, name: str, stamp) -> list[VesselMark]:
    """`stamp`: the AIS loaded and the pass's time."""
    ws = Workspace(ws_root, create=False)
    return vessels_on_scene(ws, scene(ws, name))


@st.cache_data(max_entries=64, show_spinner=False)
def _vessel_note(ws_root: str, image_id: str, mask: np.ndarray, stamp: tuple) -> VesselNote | None:
    """`stamp` changes with the AIS loaded."""
    return vessel_note(Workspace(ws_root, create=False), image_id, mask)


def near_vessel(ws: Workspace, image: ImageRecord, mask: np.ndarray, reviewed: tuple) -> None:
    """On a scene tile: the vessel AIS placed nearest the seep shown when the radar passed, and the one
    whose track of the hour before it lies on; one within CLOSE_KM or on a track said aloud,
    one further (within VESSEL_KM) as a caption."""
    note = _vessel_note(str(ws.root), image.id, mask, reviewed)
    if note is None:
        return
    said, near = [], note.near
    if near is not None:
        where = "on the seep shown here" if near.km < 0.05 else f"{near.km:.1f} km from the seep shown here"
        moving = f", {note.motion}" if note.motion else ""
        if near.km > CLOSE_KM and note.on_track is None:
            st.caption(f"Nearest vessel at the pass: {plain(near.name)}, {where}{moving}.")
            return
        if near.km <= CLOSE_KM:
            said.append(f"At the pass, AIS placed {plain(near.name)} {where}{moving}.")
    if note.on_track is not None:
        said.append(
            f"The seep lies on the track {plain(note.on_track.name)} sailed in the hour before the pass "
            f"({note.on_track.share:.0%} of it within {TRACK_KM} km of the track)."
        )
    st.info(
        " ".join(said) + " A slick trailing a ship is more often its discharge than a natural seep.",
        icon=":material/directions_boat:",
    )


@st.cache_data(max_entries=64, show_spinner=False)
def on_tile(ws_root: str, image_id: str, size: int, stamp: tuple) -> list[VesselMark]:
    """`stamp` changes with the AIS loaded."""
    return vessels_on_tile(Workspace(ws_root, create=False), image_id, size)


def vessels_over(big: np.ndarray, marks: list[VesselMark], scale: int) -> np.ndarray:
    """Each vessel drawn over a tile shown `scale` times its size: its track of the hour around the
    pass as a cyan line, and its place as a triangle pointing its course (a disc where it has none)."""
    for m in marks:
        if len(m.track) > 1:
            points = np.round(np.asarray(m.track) * scale).astype(np.int32)
            cv2.polylines(big, [points], False, CYAN, thickness=2, lineType=cv2.LINE_AA)
        x, y, r = m.col * scale, m.row * scale, 28
        if m.angle is None:
            cv2.circle(big, (round(x), round(y)), r // 2, CYAN, -1, lineType=cv2.LINE_AA)
            cv2.circle(big, (round(x), round(y)), r // 2, (33, 33, 33), 3, lineType=cv2.LINE_AA)
            continue
        turns = np.radians([m.angle, m.angle + 140, m.angle - 140])  # its tip ahead, the two corners astern
        corners = np.round(np.column_stack([x + r * np.sin(turns), y - r * np.cos(turns)])).astype(np.int32)
        cv2.fillPoly(big, [corners], CYAN, lineType=cv2.LINE_AA)
        cv2.polylines(big, [corners], True, (33, 33, 33), thickness=3, lineType=cv2.LINE_AA)
    return big


def vessels_caption(marks: list[VesselMark]) -> str:
    return (
        "In cyan: the vessels AIS placed at the pass, each pointing its course, on its track of the hour around it ("
        + "; ".join(plain(m.label) for m in marks)
        + ")."
    )
