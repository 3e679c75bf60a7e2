"""The Scene page's panels: finding a place from a report, the scene's seeps as a report lists
them, seeps drawn in a GIS taken back as labels, and a scene renamed or removed."""

from __future__ import annotations

import streamlit as st

from seep.errors import BadInputError, SeepError
from seep.ui import session
from seep.ui.scene import cached_passes_over, cached_slicks, import_uploaded_seeps, slick_rows
from seep.ui.tables import show_table, when
from seep.ui.text import pass_when, plain
from seep.ui.uploads import VECTOR_TYPES, forget_layers, layer_choice, offer_layers
from seep.workspace import Workspace
from seep.workspace.batches import last_import, undo_last_import
from seep.workspace.gis_import import LayerChoice
from seep.workspace.installations import NEAR_KM
from seep.workspace.mask_shapes import RASTER_SUFFIXES
from seep.workspace.places import Found, find_place, position_format
from seep.workspace.records import MAX_COMMENT, counted
from seep.workspace.recurrence import reach_m
from seep.workspace.remarks import remarks, set_remarks
from seep.workspace.scene_edits import removal, remove_scene, rename_scene
from seep.workspace.scenes import Scene, acquired_times, reviewed_stamp, scene_stamp, set_acquired
from seep.workspace.slicks import slicks_csv
from seep.workspace.vessels import TRACK_KM, VESSEL_KM


def acquired_line(ws: Workspace, sc: Scene) -> None:
    """When the radar passed and where that was read; those who import scenes may set it."""
    with st.container(horizontal=True, vertical_alignment="center"):
        if sc.acquired:
            st.caption(f"Acquired {when(sc.acquired)} ({plain(sc.acquired_from)})", width="content")
        else:
            st.caption("When this scene was acquired is unknown: passes over its sea are listed without order", width="content")
        if not session.allowed(ws, "import"):
            return
        # Keyed by the saves made: after one, the popover is drawn anew, closed. Left open, it took
        # the analyst's next click on the page (a link to another pass) to close itself.
        saved = st.session_state.get("scene_acquired_saves", 0)
        popover = st.popover(
            "Set", icon=":material/schedule:", help="When the radar passed (UTC)", key=f"scene_acquired_pop_{saved}"
        )
        with popover, st.form(f"scene_acquired_{saved}"):
            text = st.text_input(
                "Acquired (UTC)",
                value=sc.acquired or "",
                placeholder="2023-01-05T03:15Z",
                key=f"scene_acquired_{sc.name}_{saved}",
                help="A date, or a date and time (UTC unless a zone is given, as +01:00); 'unknown' clears it",
            )
            if st.form_submit_button("Save"):
                try:
                    session.require(ws, "import")
                    set_acquired(ws, sc.name, text, session.author())
                    st.session_state["scene_acquired_saves"] = saved + 1
                    st.rerun()
                except SeepError as e:
                    session.show_error(e)


def remarks_panel(ws: Workspace, name: str) -> None:
    """The analyst's remarks on the pass (the wind and sea state, ship traffic, what she was
    unsure of), which its report carries: read by all, written by analysts."""
    r = remarks(ws, name)
    said = f"{plain(r.by)}, {when(r.at)}" if r.text else "none yet"
    with st.expander(f"Remarks for the report · {said}", icon=":material/edit_note:"):
        if not session.allowed(ws, "write remarks"):
            st.text(r.text or "No remarks yet.")
            return
        # Keyed by when they were written: remarks saved elsewhere meanwhile replace what is shown.
        with st.form("scene_remarks", border=False):
            text = st.text_area(
                "Remarks",
                value=r.text,
                key=f"scene_remarks_{name}_{r.at}",
                max_chars=MAX_COMMENT,
                height=120,
                placeholder="The wind and sea state, ship traffic, what you were unsure of: what the report's reader "
                "should know to weigh the slicks",
            )
            if not st.form_submit_button("Save remarks", icon=":material/save:"):
                return
        try:
            session.require(ws, "write remarks")
            set_remarks(ws, name, text, session.author())
            st.rerun()
        except SeepError as e:
            session.show_error(e)


MAX_PASSES_SHOWN = 12


def passes_over_links(ws: Workspace, name: str) -> None:
    """The other scenes over this scene's sea, earliest first, each a link to its Scene page: the
    passes to look through for a slick that comes back."""
    times = acquired_times(ws)
    passes = cached_passes_over(str(ws.root), name, tuple(sorted(times.items())))
    if not passes:
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(f"Other passes over this sea · {len(passes)}:", width="content")
        for p in passes[:MAX_PASSES_SHOWN]:
            when = pass_when(p.acquired, p.days_after)
            st.page_link(
                "pages/scene.py",
                label=plain(p.scene) + (f" · {when}" if when else ""),
                query_params={"name": p.scene},
                icon=":material/layers:",
            )
        if len(passes) > MAX_PASSES_SHOWN:
            st.caption(f"and {len(passes) - MAX_PASSES_SHOWN} more (the Scene picker lists them)", width="content")


def place_form(ws: Workspace, name: str) -> None:
    """A latitude and longitude from a report: the scenes and tiles holding it, ringed on the map."""
    with st.form("scene_find", border=False), st.container(horizontal=True, vertical_alignment="bottom"):
        text = st.text_input(
            "Find a place",
            placeholder="27.2, 50.5 or 27°12'N 50°30'E",
            key="scene_find_text",
            width=320,
            help="A latitude and longitude as a report gives them: decimal degrees (latitude first), or degrees, "
            "minutes and seconds with N/S and E/W, or run together as a POLREP gives them (5130N 00245E). Or metres: UTM with its zone (31N 500000 4600000; the letter "
            "the hemisphere or the latitude band), MGRS (31TEF 04005 96995; fewer digits: the centre of a larger square), "
            "or an easting and northing in the scene's own coordinate system, "
            "as QGIS shows them (500000, 4600000). The scenes holding it are listed and it is ringed on the map.",
        )
        if not st.form_submit_button("Find", icon=":material/my_location:"):
            return
    try:
        found = find_place(ws, text)
    except SeepError as e:
        st.session_state.pop("scene_found", None)
        session.show_error(e)
        return
    st.session_state["scene_found"] = found
    if found.places and name not in [p.scene for p in found.places]:
        st.session_state["scene_pick"] = found.places[0].scene  # the picker is drawn: show that scene on the next run
        st.rerun()


def place_found(found: Found) -> None:
    """What Find a place found, with a button per tile holding it that opens it in Review, marked."""
    with st.container(horizontal=True, vertical_alignment="center"):
        (st.success if found.places else st.info)(plain(found.summary()), icon=":material/my_location:")
        if st.button("Clear", key="scene_found_clear", type="tertiary", icon=":material/close:"):
            st.session_state.pop("scene_found", None)
            st.rerun()
    for p in found.places:
        if p.image_id and st.button(
            f"Open the tile of {plain(p.scene)} with the place marked",
            key=f"scene_found_open_{p.image_id}",
            icon=":material/edit:",
        ):
            open_marked(p.image_id, p.tile_row, p.tile_col)


def open_marked(image_id: str, row: int, col: int) -> None:
    """Review, on that tile, with its pixel (row, col) ringed."""
    st.session_state["review_image"] = image_id
    st.switch_page("pages/review.py", query_params={"image": image_id, "at": f"{row},{col}"})


def slicks_table(ws: Workspace, name: str, model_id: str | None) -> None:
    """The scene's slicks as a report lists them, largest first; a click on a row opens its tile
    in Review with a point of the slick ringed. `model_id`: whose predictions; None: the labels."""
    source = "predictions" if model_id else "labels"
    times = acquired_times(ws)  # a time set since orders the other scenes anew
    stamp = (scene_stamp(ws, name), reviewed_stamp(ws), tuple(sorted(times.items())))
    slicks = cached_slicks(str(ws.root), name, source, model_id, stamp)
    whose = "the active model's predictions" if model_id else "the labels"
    st.subheader(f"Seeps in this scene · {len(slicks)}", anchor=False)
    if not slicks:
        st.caption(f"None in {whose} yet.")
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(
            f"In {whose}, largest first, each merged across the tiles it crosses; "
            "length: the long side of the smallest rectangle around it; also seen in: the other scenes whose reviewed labels hold "
            f"a slick within {reach_m(ws) / 1000:g} km of it (a seep comes back, a ship's discharge does not), earliest first; "
            "first seen: the earliest known pass of this scene and those"
            + (f"; nearest installation: the team's, within {NEAR_KM} km" if any(s.installation for s in slicks) else "")
            + (
                f"; nearest vessel at the pass: where the AIS loaded placed one within {VESSEL_KM} km when the radar passed "
                "(a slick trailing a ship is more often its discharge)"
                if any(s.vessel for s in slicks)
                else ""
            )
            + (
                f"; on the track of: the vessel that sailed within {TRACK_KM} km of half of it or more in the hour before the pass"
                if any(s.on_track for s in slicks)
                else ""
            )
            + " · click a row to "
            "open it in Review"
        )
        st.download_button(
            "Seeps list as CSV",
            data=lambda: slicks_csv(slicks),
            file_name=f"{name}-{source}-seeps.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )
    event = show_table(
        slick_rows(slicks, predicted=model_id is not None, times=times, how=position_format(ws)),
        key=f"scene_slicks_{source}",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "area km²": st.column_config.NumberColumn(format="%.3f"),
            "length km": st.column_config.NumberColumn(format="%.2f"),
            "confidence": st.column_config.NumberColumn(format="%.2f"),
        },
    )
    rows = event.selection.rows if event else []
    if rows and (s := slicks[rows[0]]).image_id:
        open_marked(s.image_id, s.tile_row, s.tile_col)


def gis_import(ws: Workspace, name: str) -> None:
    """Seeps outlined or edited in a GIS, burnt into this scene's tiles as accepted labels."""
    with st.expander("Import seeps from a GIS", icon=":material/upload:"):
        st.caption(
            "Each polygon is reprojected onto this scene and burnt into the tiles it covers, on top of their labels, as "
            "new accepted versions (History keeps the old ones); a polygon of class 0 erases what it covers; a wrong file "
            "is undone whole. The labels this page exported come back as edited: a slick deleted in the GIS is erased, "
            "one drawn added (polygons or the GeoTIFF mask); a tile changed here since the export keeps its label."
        )
        done = st.session_state.get("scene_seeps_done")
        if done and done[0] == name:
            st.success(plain(done[1]), icon=":material/check:")
        _seeps_form(ws, name)
        _undo_import(ws, name)


def _seeps_form(ws: Workspace, name: str) -> None:
    with st.form("scene_seeps", border=False):
        uploads = st.file_uploader(
            "GeoPackage, GeoJSON, KML/KMZ, a shapefile (its .shp, .shx, .dbf and .prj together, or their zip), an Esri "
            "File Geodatabase zipped (NAME.gdb.zip) or a GeoTIFF mask of class ids, any coordinate system",
            type=[*VECTOR_TYPES, *(s[1:] for s in RASTER_SUFFIXES)],
            accept_multiple_files=True,
            # Emptied after each import (a new key): files dropped next must not join those imported.
            key=f"scene_seeps_file_{st.session_state.get('scene_seeps_imports', 0)}",
        )
        with st.container(horizontal=True):
            one = st.selectbox(
                "Class",
                [None, *(c.id for c in ws.classes.classes[1:])],
                format_func=lambda c: "each polygon's own, from a field" if c is None else f"all polygons: {ws.classes.names[c]}",
                key="scene_seeps_class",
                help="Outlines drawn without a class (a KML from Google Earth, say) all get the one chosen here",
            )
            field = st.text_input("Field holding each polygon's class (id or name)", value="class_id", key="scene_seeps_field")
        layer = layer_choice("scene_seeps")
        if not st.form_submit_button("Import seeps", icon=":material/upload:"):
            return
    st.session_state.pop("scene_seeps_done", None)  # said of the last file, not this one
    try:
        session.require(ws, "accept")
        report = _imported(ws, name, uploads, None if one else field, one, layer)
        # Kept, not popped once shown: a rerun that follows (a click, the map) must not wipe it unread.
        st.session_state["scene_seeps_done"] = (name, ". ".join(filter(None, (report.summary(), report.elsewhere()))))
        st.session_state["scene_seeps_imports"] = st.session_state.get("scene_seeps_imports", 0) + 1
        forget_layers("scene_seeps")
        st.rerun()  # the picture above was drawn before: draw it with the new labels
    except LayerChoice as e:  # a Google Earth KML's folders, a GeoPackage's tables: the analyst picks one
        offer_layers("scene_seeps", e.layers, "Import seeps")
        st.rerun()
    except SeepError as e:
        session.show_error(e)


def _imported(ws: Workspace, name: str, uploads: list, field: str | None, one: int | None, layer: str | None):
    """The import; a layer chosen for an earlier file of several, which this one lacks, is not
    asked of it: its only layer, or the scene's, is read, or its own layers are offered."""
    try:
        return import_uploaded_seeps(ws, name, uploads, field, session.author(), class_id=one, layer=layer)
    except LayerChoice as e:
        if layer is None or layer in e.layers:
            raise
    return import_uploaded_seeps(ws, name, uploads, field, session.author(), class_id=one)


def _undo_import(ws: Workspace, name: str) -> None:
    """The newest import taken back whole: the wrong file, layer or class chosen."""
    last = last_import(ws, name)
    if last is None:
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        said = f"{plain(last.what)} by {plain(last.author)}, {when(last.at)}, {counted(last.tiles, 'tile')} labelled"
        st.caption(f"Last import: {said}", width="content")
        undo = st.button(
            "Undo this import",
            icon=":material/undo:",
            key=f"scene_seeps_undo_{last.id}",  # each import its own button: a double click undoes one
            disabled=not session.allowed(ws, "accept"),
            help="Each tile it labelled goes back as it was, but those someone has built on since (saved again, "
            "judged, trained on), which are named",
        )
    if not undo:
        return
    try:
        session.require(ws, "accept")
        st.session_state["scene_seeps_done"] = (name, undo_last_import(ws, name, session.author()).summary())
        st.rerun()
    except SeepError as e:
        session.show_error(e)


def edits_panel(ws: Workspace, name: str) -> None:
    """A scene renamed, or taken away again when it was imported by mistake (admins)."""
    with st.expander("Rename or remove this scene", icon=":material/edit:"):
        _rename_form(ws, name)
        _removal_form(ws, name)


def _rename_form(ws: Workspace, name: str) -> None:
    with st.form("scene_rename", border=False), st.container(horizontal=True, vertical_alignment="bottom"):
        new = st.text_input(
            "New name",
            key="scene_new_name",
            help="Letters, digits, '-', '_' or '.'. Its tiles' names follow (NAME.r000000c000256); their labels, "
            "history and reviews stay as they are",
        )
        if not st.form_submit_button("Rename", icon=":material/edit:"):
            return
    try:
        session.require(ws, "rename a scene")
        done = rename_scene(ws, name, new, session.author())
        st.session_state["scene_changed"] = f"Renamed scene {name} to {done}"
        st.query_params["name"] = done  # the address names the scene shown: the new name
        st.rerun()
    except SeepError as e:
        session.show_error(e)


def _removal_form(ws: Workspace, name: str) -> None:
    """A scene imported by mistake taken away again, while no one has worked on it; its name
    typed to confirm, as a repository is deleted: there is no undo but importing it again."""
    gone, blockers = removal(ws, name)
    if blockers:
        st.caption(
            "Only a scene no one has worked on can be removed (label history is never deleted), and none a "
            "background job may be reading. This one is kept: " + plain("; ".join(blockers)) + "."
        )
        return
    st.caption(f"Remove it if it was imported by mistake: its {plain(gone)}.")
    with st.form("scene_remove", border=False), st.container(horizontal=True, vertical_alignment="bottom"):
        typed = st.text_input("Type the scene's name to confirm", key="scene_remove_name")
        if not st.form_submit_button("Remove scene", icon=":material/delete:", type="primary"):
            return
    try:
        if typed.strip() != name:
            raise BadInputError(f"type the scene's name, {name}, to remove it")
        session.require(ws, "remove a scene")
        done = remove_scene(ws, name, session.author())
        st.session_state["scene_changed"] = f"Removed scene {done.scene}: {done}"
        st.query_params.pop("name", None)
        st.rerun()
    except SeepError as e:
        session.show_error(e)
