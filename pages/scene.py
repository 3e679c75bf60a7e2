"""Scene: a whole georeferenced scene with its seeps outlined and every tile's review status; a click opens the tile."""

from pathlib import Path

import streamlit as st

from seep.data.products import product_kind
from seep.errors import BadInputError, SeepError
from seep.jobs import queue
from seep.jobs.worker import ensure_worker
from seep.ui import assign_panels, scene_panels, session, vessel_panels
from seep.ui.jobs import job_card, newest_job
from seep.ui.models import active_model
from seep.ui.scene import cached_installations, export_bytes, pasted_path, scene_picture, tile_map
from seep.ui.sticky import sticky
from seep.ui.tables import show_table, when
from seep.ui.text import plain
from seep.workspace.assignments import holder
from seep.workspace.gis import crs_label, pixel_size, tiles_left_out
from seep.workspace.installations import loaded
from seep.workspace.places import position_format
from seep.workspace.report import downloaded, last_reported, scene_report
from seep.workspace.scene_view import scene_tiles
from seep.workspace.scenes import check_scene, scene, scene_names, scene_stamp, scenes_in_folder, unsearched
from seep.workspace.tile_places import tile_centres_lonlat
from seep.workspace.vessels import loaded as ais_loaded

ws = session.workspace()
model = active_model(ws)
st.title("Scene")

names = scene_names(ws)


def import_form() -> None:
    """A GeoTIFF already on the server (scenes are gigabytes: no browser upload), imported as a job."""
    with st.form("scene_import", border=False):
        path = st.text_input(
            "GeoTIFF, SAR product or folder on this server",
            placeholder="/data/S1A_IW_GRDH_1SDV_20260101T031512_20260101T031537_061234_07A1B2_3C4D.SAFE",
            key="scene_import_path",
            help="A GeoTIFF or Cloud-Optimized GeoTIFF of any size, or a Sentinel-1 GRD product as it arrives (its "
            ".SAFE folder, or the .zip as the hub hands it out, read without unzipping: its VV measurement file, else HH, "
            "named for the product), a RADARSAT-2 or RCM product folder or zip (its product.xml places it and says when), a TerraSAR-X or PAZ product folder, or a product as "
            "SNAP saves it (its .dim file: its VV band). A file placed by ground "
            "control points (Sentinel-1's), tie points (a SNAP GeoTIFF) or RPCs is warped onto the UTM zone of its middle "
            "as it is imported. Or a folder (the morning's passes): each GeoTIFF, .SAFE, RADARSAT-2 or RCM folder, product zip "
            "and .dim "
            "in it becomes a scene named for it, with NAME_mask.tif "
            "beside a GeoTIFF as its mask, imported one after another; those already imported are left out.",
        )
        with st.container(horizontal=True):
            mask = st.text_input("Its mask, on the same grid (optional)", key="scene_import_mask")
            given = st.text_input("Scene name (default: the file's name)", key="scene_import_name")
            acquired = st.text_input(
                "Acquired, UTC (default: from the file)",
                placeholder="2023-01-05T03:15Z",
                key="scene_import_acquired",
                help="When the radar passed. Read from the file's ACQUISITION_START_TIME tag, or the date and time in its "
                "name as Sentinel-1, RADARSAT-2, Capella and Umbra names carry them, when left empty.",
            )
        predict = st.checkbox(
            "Predict it with the active model",
            value=model is not None,
            key="scene_import_predict",
            help="The active model predicts each scene's tiles as soon as it is in (as Predict this scene does), so the "
            "morning's passes come in ready to review",
        )
        if not st.form_submit_button("Import", icon=":material/upload_file:"):
            return
    path, mask = pasted_path(path), pasted_path(mask)
    try:
        if not path:
            raise BadInputError("give the path of a GeoTIFF, SAR product or folder on this server")
        where = Path(path)
        if where.is_dir() and not product_kind(where):  # the morning's passes, dropped in a folder
            import_folder(where, bool(mask or given.strip() or acquired.strip()), predict)
            return
        params = {"path": path, "mask": mask or None, "scene": given.strip() or None, "author": session.author()}
        params |= {"acquired": acquired.strip() or None, "predict": predict}
        params["scene"] = check_scene(
            ws,
            Path(params["path"]),
            mask=params["mask"] and Path(params["mask"]),
            scene=params["scene"],
            acquired=params["acquired"],
            author=params["author"],
        )
        session.require(ws, "import")
        job = queue.submit(ws, "import_scene", params)
        ensure_worker(ws)
        st.session_state["scene_job"] = job.id
        st.session_state.pop("scene_batch", None)
        st.toast(f"Importing {plain(params['scene'])} as job {job.id}")
    except SeepError as e:
        session.show_error(e)


def import_folder(folder: Path, more: bool, predict: bool) -> None:
    """Every GeoTIFF scene of a folder, each its own import job, one after another; the files that
    are not (already imported, unreadable, a mask of nothing) said with why."""
    if more:
        raise BadInputError(
            "a folder's scenes are named for their files, each with NAME_mask.tif beside it as its mask and its time read "
            "from it: leave the mask, name and time empty (set a time later on the scene's page)"
        )
    session.require(ws, "import")
    found, skipped = scenes_in_folder(ws, folder, session.author())
    if not found:
        why = (
            f": {skipped[0][0]}: {skipped[0][1]}" + (f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else "")
            if skipped
            else ""
        )
        raise BadInputError(f"{folder} holds no GeoTIFF scene to import{why}{unsearched(folder)}")
    jobs = [
        queue.submit(
            ws,
            "import_scene",
            {
                "path": str(f.path),
                "mask": f.mask and str(f.mask),
                "scene": f.name,
                "author": session.author(),
                "predict": predict,
            },
        )
        for f in found
    ]
    ensure_worker(ws)
    skipped += [(name, f"a layer of {f.path.name}'s product, which is the scene") for f in found for name in f.beside]
    st.session_state["scene_batch"] = ([j.id for j in jobs], skipped)  # session_job reads the batch, not scene_job
    st.toast(f"Importing {len(jobs)} scenes, one after another")


def session_job() -> queue.Job | None:
    """The import or prediction this session started, if it is still the newest; of a folder's
    imports, the one running, else the last."""
    job = newest_job(ws, ("import_scene", "predict_all"))  # reaps a dead worker's jobs first, a batch's too
    if "scene_batch" in st.session_state:
        batch = [queue.get(ws, i) for i in st.session_state["scene_batch"][0]]
        return next((j for j in batch if j.active), batch[-1])
    return job if job is not None and job.id == st.session_state.get("scene_job") else None


def batch_progress() -> None:
    """A folder's imports, a line each, and the files left out with why."""
    if "scene_batch" not in st.session_state:
        return
    ids, skipped = st.session_state["scene_batch"]
    batch = [queue.get(ws, i) for i in ids]
    show_table(
        [{"scene": j.params["scene"], "job": j.id, "state": j.status.lower(), "progress": j.progress} for j in batch],
        column_config={"progress": st.column_config.ProgressColumn(min_value=0, max_value=1, format="percent")},
        key="scene_batch_table",
    )
    for j in batch:
        if j.status == "ERROR":
            st.error(plain(f"{j.params['scene']}: {j.message}"))
    if skipped:
        with st.expander(f"Not imported · {len(skipped)}", icon=":material/block:"):
            for name, why in skipped:
                st.caption(plain(f"{name}: {why}"))


def first_seen_ended(job: queue.Job) -> bool:
    """Whether this run is the first to see the job ended; an import that ended shows its scene next."""
    if job.active or st.session_state.get("scene_job_shown") == job.id:
        return False
    st.session_state["scene_job_shown"] = job.id
    if job.status == "DONE" and job.kind == "import_scene" and job.result["scene"] in scene_names(ws):
        st.session_state["scene_pick"] = job.result["scene"]  # no scene is made when every tile was present
    return True


@st.fragment(run_every="2s")
def job_progress() -> None:
    """The session's job while it runs, redrawn every 2 s; once it ends the whole page redraws with its result."""
    job = session_job()
    if job is None:
        return
    job_card(ws, job, "scene_job")
    batch_progress()
    if first_seen_ended(job):
        st.rerun()


def job_outcome() -> None:
    """Poll only while the session's job runs: a page that reruns every 2 s for nothing costs every open
    browser a script run and can race the analyst's own clicks."""
    job = session_job()
    if job is not None and job.active:
        job_progress()
    elif job is not None:
        if first_seen_ended(job):  # it may have ended after this run listed the scenes: list them again
            st.rerun()
        job_card(ws, job, "scene_job")
        batch_progress()


if not names:
    st.info(
        "No georeferenced scene in this workspace yet. Import one below (a GeoTIFF of any size, with its mask if it has one), "
        "or from a shell: `python -m seep import SCENE.tif --mask MASK.tif`",
        icon=":material/public:",
    )
if session.allowed(ws, "import"):
    with st.expander("Import a scene", expanded=not names, icon=":material/upload_file:"):
        import_form()
job_outcome()
if changed := st.session_state.pop("scene_changed", None):  # renamed or removed; a toast too, for one scrolled down to the panel
    st.success(plain(changed), icon=":material/check:")
    st.toast(plain(changed.split(":")[0]), icon=":material/check:")
if not names:
    st.stop()

if "scene_pick" in st.session_state:  # a scene just imported: show it
    st.query_params["name"] = st.session_state.pop("scene_pick")
if "scene_layer_pick" in st.session_state:
    st.session_state["scene_layer"] = st.session_state.pop("scene_layer_pick")
wanted = st.query_params.get("name")
if wanted in names:  # the URL names the scene shown (links from Browse, shared links)
    st.session_state["scene_name"] = wanted
elif wanted:  # a stale or foreign link (an empty name is no name): say so rather than show another scene as if it were this one
    st.warning(
        f"This workspace has no scene {plain(wanted)}: the link may come from another workspace, or the scene was "
        "removed. Pick one below.",
        icon=":material/link_off:",
    )
# Else the scene (and outlines) this session last looked at: back from Review through the
# sidebar, whose link names no scene, it was the first scene again.
sticky("scene_name", names[0], names)
sticky("scene_layer", "labels", ["labels", "predictions"])
with st.container(horizontal=True, vertical_alignment="bottom"):
    # The address names what is shown (a reload, a shared link); a pick changes it before the
    # run, which would otherwise put the address's scene back.
    name = st.selectbox(
        "Scene", names, key="scene_name", on_change=lambda: st.query_params.update(name=st.session_state["scene_name"])
    )
    st.query_params["name"] = name
    layer = st.segmented_control(
        "Outlines",
        ["labels", "predictions"],
        key="scene_layer",
        help="Current labels, or the active model's predictions",
    )
    if st.button(
        "Predict this scene",
        icon=":material/auto_awesome:",
        key="scene_predict",
        disabled=model is None or not session.allowed(ws, "predict"),
        help="The active model predicts every tile of the scene not yet corrected or accepted, in the background",
    ):
        try:
            session.require(ws, "predict")
            job = queue.submit(ws, "predict_all", {"only_unreviewed": True, "scene": name})
            ensure_worker(ws)
            st.session_state["scene_job"] = job.id
            st.session_state.pop("scene_batch", None)
            st.session_state["scene_layer_pick"] = "predictions"  # the widget is drawn: set it on the next run
            st.rerun()
        except SeepError as e:
            session.show_error(e)
scene_panels.place_form(ws, name)
found = st.session_state.get("scene_found")
if found is not None:
    scene_panels.place_found(found)
mark = next((p for p in found.places if p.scene == name), None) if found is not None else None
with st.container(horizontal=True, vertical_alignment="center"):
    # Where a scene's review goes on: Browse, kept to this scene, in the two orders that pay.
    st.caption("Its tiles in Browse:", width="content")
    st.page_link(
        "pages/browse.py",
        label="Open sea first, to accept from the grid",
        icon=":material/done_all:",
        query_params={
            "scene": name,
            "status": ["unlabelled", "predicted"],
            "sort": "smallest_predicted",
            "overlay": "prediction",
        },
        disabled=model is None,
    )
    st.page_link(
        "pages/browse.py",
        label="Most useful next",
        icon=":material/priority_high:",
        query_params={"scene": name, "sort": "most_useful"},
        disabled=model is None,
    )
sc = scene(ws, name)
scene_panels.acquired_line(ws, sc)
assign_panels.holder_line(ws, name, holder(ws, name), session.author())
scene_panels.remarks_panel(ws, name)
scene_panels.passes_over_links(ws, name)
tiles = scene_tiles(ws, name)
model_id = model.id if layer == "predictions" and model else None
if layer == "predictions" and model is None:
    st.caption("No active model yet: showing no predictions.")

rgb, factor = scene_picture(ws, name, model_id, scene_stamp(ws, name))
event = st.plotly_chart(
    tile_map(
        rgb,
        factor,
        sc.tile,
        tiles,
        tile_centres_lonlat(ws, name),
        mark,
        position_format(ws),
        cached_installations(str(ws.root), name, loaded(ws)),
        vessel_panels.cached_vessels(str(ws.root), name, (ais_loaded(ws), sc.acquired)),
    ),
    on_select="rerun",
    selection_mode="points",
    key="scene_map",
)
picked = [p.get("customdata") for p in event.selection.points if p.get("customdata")] if event else []
if picked and mark is not None and picked[0] == mark.image_id:  # the ring, or the tile holding it
    scene_panels.open_marked(mark.image_id, mark.tile_row, mark.tile_col)
elif picked:
    st.session_state["review_image"] = picked[0]
    st.switch_page("pages/review.py", query_params={"image": picked[0]})

st.caption(
    f"{sc.grid.width:,} x {sc.grid.height:,} pixels, {sc.grid.bands} band{'' if sc.grid.bands == 1 else 's'} {sc.grid.dtype} · "
    f"{plain(crs_label(sc.grid.crs))} · pixel {pixel_size(sc)} · "
    f"{len(tiles)} tiles of {sc.tile} px (shown 1:{factor}), {sc.skipped_no_data} no-data-only tiles not stored · "
    "click a tile to review it"
)

source = "predictions" if model_id else "labels"
missing, _ = tiles_left_out(ws, name, model_id)
if missing:  # a hole in the download, not sea free of seeps
    lack = "no prediction by the active model" if model_id else "no label"
    st.caption(f"{missing} of {len(tiles)} tiles have {lack} yet: the files below say nothing about them (the mask: no-data).")
with st.container(horizontal=True):
    for suffix, label, mime in (
        (".geojson", "GeoJSON (EPSG:4326)", "application/geo+json"),
        (".kml", "KML (Google Earth)", "application/vnd.google-earth.kml+xml"),
        (".gpkg", "GeoPackage", "application/geopackage+sqlite3"),
        (".zip", "a shapefile (ArcGIS)", "application/zip"),
        (".gdb.zip", "a File Geodatabase (ArcGIS)", "application/zip"),
        (".tif", "a GeoTIFF mask", "image/tiff"),
    ):
        if suffix in (".geojson", ".kml", ".zip") and sc.grid.crs is None:
            continue
        st.download_button(
            f"Seeps as {label}",
            data=lambda suffix=suffix: export_bytes(ws, name, source, suffix, model_id),
            file_name=f"{name}-{source}{suffix}",
            mime=mime,
            icon=":material/download:",
            on_click="ignore",
        )
    st.download_button(
        "Report (HTML, to send or print)",
        # Run later in the click's own thread, where this session's state is not to be read: its author is read now.
        data=lambda author=session.author(): downloaded(
            ws, [name], author, scene_report(ws, name, source, model_id, author=author)
        ),
        file_name=f"{name}-{source}-report.html",
        mime="text/html",
        icon=":material/description:",
        on_click="ignore",
        help="One file holding the map with each slick numbered, the slicks as listed below, when the scene was acquired "
        "and how far it is reviewed: it opens in any browser offline, and the browser's Print saves it as a PDF",
    )
    if name in (sent := last_reported(ws)):
        at, by = sent[name]
        st.caption(plain(f"Its report was last written {when(at)}" + (f" by {by}" if by else "")), width="content")


scene_panels.slicks_table(ws, name, model_id)
vessel_panels.ais_panel(ws, sc, session.author())


if session.allowed(ws, "accept"):
    scene_panels.gis_import(ws, name)
if session.allowed(ws, "remove a scene"):
    scene_panels.edits_panel(ws, name)
