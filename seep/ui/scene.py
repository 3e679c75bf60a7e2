"""The Scene page's pictures and lists: cached overviews, the clickable map of tiles, the seeps table."""

from __future__ import annotations

import tempfile
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from seep.data.acquired import Window
from seep.data.display import overlay
from seep.ui.text import chart_text
from seep.ui.uploads import uploaded
from seep.workspace import STATUS_LABELS, Workspace
from seep.workspace.installations import on_scene
from seep.workspace.places import Place, written
from seep.workspace.recurrence import Pass, passes_over
from seep.workspace.scene_view import SceneTile, factor_for, overview, overview_classes
from seep.workspace.scenes import scene, with_day
from seep.workspace.slicks import Slick, scene_slicks
from seep.workspace.vessels import VesselMark

# The tile markers' colours: unreviewed tiles stand out, finished ones recede.
STATUS_COLOURS = {
    "unlabelled": "#9e9e9e",
    "predicted": "#ff9800",
    "in_review": "#fdd835",
    "corrected": "#42a5f5",
    "returned": "#ef5350",
    "accepted": "#66bb6a",
}


@st.cache_data(max_entries=8, show_spinner="Building the scene overview…")
def cached_overview(ws_root: str, name: str, factor: int):
    """The scene's pixels never change after import: built once per scene and size."""
    return overview(Workspace(ws_root, create=False), name, factor)


@st.cache_data(max_entries=16, show_spinner="Drawing the labels…")
def cached_classes(ws_root: str, name: str, factor: int, model_id: str | None, stamp: tuple):
    """`stamp` changes with every save or prediction in the scene, so the outlines follow them."""
    return overview_classes(Workspace(ws_root, create=False), name, factor, model_id)


@st.cache_data(max_entries=16, show_spinner="Listing the seeps…")
def cached_slicks(ws_root: str, name: str, source: str, model_id: str | None, stamp: tuple) -> list[Slick]:
    """`stamp` changes with every save or prediction in the scene and every reviewed scene label
    elsewhere (where else each slick was seen), so the list follows them."""
    return scene_slicks(Workspace(ws_root, create=False), name, source, model_id)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_passes_over(ws_root: str, name: str, times: tuple) -> list[Pass]:
    """`times`: every scene's (name, acquired): a scene imported, or a time set, since."""
    return passes_over(Workspace(ws_root, create=False), name)


def slick_rows(
    slicks: list[Slick], predicted: bool, times: dict[str, str | None] | None = None, how: str = "degrees"
) -> list[dict]:
    """The seeps list's table: what a report gives of each slick; `times`: when each scene was
    acquired, the day shown beside each other scene it was seen in; `how`: how places are written."""
    times = times or {}
    rows = []
    for s in slicks:
        row = {
            "class": s.class_name,
            "area km²": s.area_km2,
            "length km": s.length_km,
            "place": written(s.lon, s.lat, how) if s.lon is not None else None,
            "status": STATUS_LABELS[s.status],
            "tiles": s.tiles,
            "also seen in": ", ".join(with_day(n, times) for n in s.seen_in) or None,
            "first seen": s.first_seen[:10] if s.first_seen else None,
        }
        if any(x.installation for x in slicks):  # a column only where the team loaded installations near
            row["nearest installation"] = s.nearest_installation()
        if any(x.vessel for x in slicks):  # ... and where AIS placed a vessel near one at the pass
            row["nearest vessel at the pass"] = s.nearest_vessel()
        if any(x.on_track for x in slicks):  # ... and where one lies on the track a vessel sailed the hour before
            row["on the track of"] = s.on_track
        row.update({"confidence": s.mean_confidence} if predicted else {"note": s.note})
        rows.append(row)
    return rows


def _draw_installations(fig: go.Figure, installations: list[tuple[str, list]], factor: int) -> None:
    """Platforms and wells as diamonds, pipelines and areas as lines, each hover naming it."""
    points = [(name, part[0]) for name, parts in installations for part in parts if len(part) == 1]
    xs, ys, names = [], [], []
    for name, parts in installations:
        for part in (p for p in parts if len(p) > 1):
            xs += [*(part[:, 0] / factor - 0.5), None]  # None: the line lifts between parts
            ys += [*(part[:, 1] / factor - 0.5), None]
            names += [chart_text(name)] * len(part) + [None]
    style = dict(hovertemplate="%{text}<extra>installation</extra>", legendgroup="installations", name="installations")
    if points:
        fig.add_scatter(
            x=[p[0] / factor - 0.5 for _, p in points],
            y=[p[1] / factor - 0.5 for _, p in points],
            text=[chart_text(n) for n, _ in points],
            mode="markers",
            marker=dict(symbol="diamond", size=11, color="#e040fb", line=dict(width=1, color="#212121")),
            **style,
        )
    if xs:
        fig.add_scatter(x=xs, y=ys, text=names, mode="lines", line=dict(color="#e040fb", width=2), showlegend=not points, **style)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_installations(ws_root: str, name: str, stamp) -> list[tuple[str, list]]:
    """`stamp`: which installations are loaded (installations.loaded)."""
    ws = Workspace(ws_root, create=False)
    return on_scene(ws, scene(ws, name))


def scene_picture(ws: Workspace, name: str, model_id: str | None, stamp: tuple, max_px: int = 1600):
    sc = scene(ws, name)
    factor = factor_for(sc.grid.height, sc.grid.width, max_px)
    rgb = cached_overview(str(ws.root), name, factor)
    classes = cached_classes(str(ws.root), name, factor, model_id, stamp)
    return overlay(rgb, classes, ws.classes, style="outline"), factor


def tile_map(
    rgb,
    factor: int,
    tile: int,
    tiles: list[SceneTile],
    centres: dict[str, tuple[float, float]],
    mark: Place | None = None,
    how: str = "degrees",
    installations: list[tuple[str, list]] = (),
    vessels: list[VesselMark] = (),
) -> go.Figure:
    """The overview with one square marker per tile, coloured by review status, its hover
    naming the tile and, where the scene has a CRS, the place of its middle (`centres`: image
    id -> lon, lat; written `how`); a click on a marker selects that tile (its image id is the customdata).
    `mark`: a place looked for, ringed; a click on the ring opens its tile too. `installations`: the
    team's over the scene, as installations.on_scene gives them, drawn in magenta. `vessels`: where
    AIS placed each at the pass (vessels.vessels_on_scene), cyan triangles pointing its course on
    their tracks of the hour around."""
    fig = go.Figure(go.Image(z=rgb, hoverinfo="skip"))
    h, w = rgb.shape[:2]

    def middle(off: int, length: int) -> float:  # of the tile's part inside the scene: edge tiles are padded past it
        return (off + min(off + tile, length * factor)) / 2 / factor

    for status, colour in STATUS_COLOURS.items():
        mine = [t for t in tiles if t.status == status]
        if not mine:
            continue
        fig.add_scatter(
            x=[middle(t.col_off, w) for t in mine],
            y=[middle(t.row_off, h) for t in mine],
            customdata=[t.image_id for t in mine],
            text=[
                chart_text(t.name) + (f"<br>{written(*centres[t.image_id], how)}" if t.image_id in centres else "") for t in mine
            ],
            hovertemplate="%{text}<extra>" + STATUS_LABELS[status] + "</extra>",
            mode="markers",
            marker=dict(symbol="square", size=14, color=colour, opacity=0.75, line=dict(width=1, color="#212121")),
            name=STATUS_LABELS[status],
            showlegend=True,
        )
    if mark is not None:
        fig.add_scatter(
            x=[(mark.col + 0.5) / factor - 0.5],
            y=[(mark.row + 0.5) / factor - 0.5],
            customdata=[mark.image_id] if mark.image_id else None,
            hovertemplate="the place looked for<extra></extra>",
            mode="markers",
            marker=dict(symbol="circle-cross-open", size=26, color="#ff1744", line=dict(width=3)),
            name="the place looked for",
        )
    _draw_installations(fig, installations, factor)
    _draw_vessels(fig, vessels, factor)
    step = tile / factor
    for k in range(1, int(w / step) + 1):  # the tile grid, faint
        fig.add_vline(x=k * step - 0.5, line=dict(width=1, color="rgba(255,255,255,0.35)"))
    for k in range(1, int(h / step) + 1):
        fig.add_hline(y=k * step - 0.5, line=dict(width=1, color="rgba(255,255,255,0.35)"))
    fig.update_layout(
        height=min(900, max(360, rgb.shape[0] + 60)),
        margin=dict(l=0, r=0, t=10, b=0),
        legend=dict(orientation="h", y=-0.02, yanchor="top"),
        xaxis=dict(visible=False, range=[-0.5, w - 0.5]),
        yaxis=dict(visible=False, scaleanchor="x", range=[h - 0.5, -0.5]),
        dragmode="pan",
        clickmode="event+select",
    )
    return fig


def export_bytes(ws: Workspace, name: str, source: str, suffix: str, model_id: str | None) -> bytes:
    """One scene's seeps as polygons (.geojson, .gpkg, .gdb.zip ...) or as a mask on its grid
    (.tif), as the command line writes them."""
    from seep.workspace.gis import export_masks_geotiff, export_seeps

    with tempfile.TemporaryDirectory() as d:
        if suffix == ".tif":
            (out,) = export_masks_geotiff(ws, Path(d), source=source, scenes=[name], model_id=model_id)
        else:
            out = Path(d) / f"{name}-{source}{suffix}"  # as the page names the download: a shapefile's parts inside take it
            export_seeps(ws, out, source=source, scenes=[name], model_id=model_id)
        return out.read_bytes()


def sites_bytes(ws: Workspace, suffix: str, window: Window) -> bytes:
    """The seep sites of the passes in `window` as `seep sites OUT` writes them."""
    from seep.workspace.sites import export_sites

    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / f"seep-sites{suffix}"
        export_sites(ws, out, window)
        return out.read_bytes()


def import_uploaded_seeps(
    ws: Workspace,
    name: str,
    uploads: list,
    class_field: str | None,
    author: str,
    class_id: int | None = None,
    layer: str | None = None,
):
    """A GIS file from the browser (GeoPackage, GeoJSON, KML, a shapefile's parts or their zip, a
    GeoTIFF mask: small, unlike scenes) burnt into the scene's tiles, each polygon's class from `class_field` or
    `class_id` for all, from `layer` in a file of several."""
    from seep.workspace.gis_import import import_seeps

    with uploaded(uploads, "a GeoPackage, GeoJSON, KML, shapefile or GeoTIFF mask") as path:
        field = (class_field or "").strip() or None
        return import_seeps(ws, path, scene_name=name, author=author, layer=layer, class_field=field, class_id=class_id)


def pasted_path(text: str) -> str:
    """A path on the server as an analyst pastes it: copied from a file manager (a file:// address,
    spaces as %20) or a shell (quoted), with spaces around it; ~ is the server's home. '' for none."""
    from urllib.parse import unquote, urlparse

    path = text.strip()
    if len(path) >= 2 and path[0] == path[-1] and path[0] in "'\"":
        path = path[1:-1].strip()
    if path.lower().startswith("file://"):
        address = urlparse(path)
        if address.netloc not in ("", "localhost"):
            return path  # another computer's file, not on this server: said not found as typed
        path = unquote(address.path)
    return str(Path(path).expanduser()) if path else ""


def _draw_vessels(fig: go.Figure, vessels: list[VesselMark], factor: int) -> None:
    """Each vessel at the pass: a triangle turned to its course (a circle where AIS gives none), on a
    dotted line through its reports of the hour around the pass, the way its wake would lie."""
    if not vessels:
        return
    xs, ys, texts = [], [], []
    for v in vessels:
        if len(v.track) > 1:
            xs += [col / factor - 0.5 for col, _ in v.track] + [None]
            ys += [row / factor - 0.5 for _, row in v.track] + [None]
            texts += [chart_text(v.label)] * len(v.track) + [None]
    if xs:
        fig.add_scatter(
            x=xs,
            y=ys,
            text=texts,
            hovertemplate="%{text}<extra>its track, the hour around the pass</extra>",
            mode="lines",
            line=dict(color="#00e5ff", width=1.5, dash="dot"),
            name="vessel tracks",
        )
    fig.add_scatter(
        x=[v.col / factor - 0.5 for v in vessels],
        y=[v.row / factor - 0.5 for v in vessels],
        text=[chart_text(v.label) for v in vessels],
        hovertemplate="%{text}<extra>vessel at the pass</extra>",
        mode="markers",
        marker=dict(
            symbol=["triangle-up" if v.angle is not None else "circle" for v in vessels],
            angle=[v.angle or 0 for v in vessels],
            size=11,
            color="#00e5ff",
            line=dict(width=1, color="#212121"),
        ),
        name="vessels at the pass",
    )
