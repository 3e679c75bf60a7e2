"""A scene's seeps as a report for whoever asked for them: one HTML file holding everything (the
map with each slick numbered, the slicks as the seeps list gives them, when the radar passed and
how far the scene is reviewed), which any browser opens offline and prints to PDF.

A report leaves the team, so everything someone typed (scene, class and analyst names, notes) is
escaped: it shows what was typed and never runs as markup.
"""

from __future__ import annotations

import base64
import html
import math
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np

from seep.data.acquired import shown
from seep.data.display import outline
from seep.data.geo import lonlat, replace_atomically
from seep.errors import BadInputError
from seep.workspace.gis import check_predicted, crs_label, north_angle, pixel_metres, pixel_size, prediction_model, tiles_left_out
from seep.workspace.installations import on_scene
from seep.workspace.places import position_format, written
from seep.workspace.records import REVIEWED, STATUS_LABELS, STATUSES, counted, timestamp
from seep.workspace.recurrence import reach_m
from seep.workspace.remarks import Remarks, remarks
from seep.workspace.scene_view import Box, around, factor_for, overview, overview_classes, overview_size, scene_tiles, whole
from seep.workspace.scenes import Scene, acquired_times, scene, tile_offsets_of, with_day
from seep.workspace.slicks import Slick, scene_slicks
from seep.workspace.vessels import ON_TRACK, TRACK_KM, VESSEL_KM, VesselMark, vessels_on_scene
from seep.workspace.workspace import Workspace

GENERATOR = "Seep scene report"  # in every report's head: only such a file is ever replaced
MAP_PX = 1400  # the map's longer side: sharp on an A4 page, a few hundred KB
CLOSEUPS = 12  # the largest slicks, each in a square around it
CHIP_PX = 320  # a close-up's side on the page
NUMBERED = 60  # slicks numbered on the map; a model's raw predictions can hold hundreds of specks
SCALES_KM = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)
SUFFIXES = (".html", ".htm")


@dataclass(frozen=True)
class SceneReport:
    html: str
    slicks: int
    missing: int  # tiles with no label (or no prediction): the report is silent where they lie
    tiles: int
    reviewed: int  # tiles an analyst corrected or accepted
    area_km2: float | None  # of every slick; None with no CRS (sizes in pixels)


def scene_report(
    ws: Workspace,
    name: str,
    source: str = "labels",
    model_id: str | None = None,
    *,
    author: str = "",
    now: datetime | None = None,
) -> SceneReport:
    """The report of scene `name`: its current labels, or the predictions of `model_id` (default:
    the active model) with source 'predictions'."""
    sc = scene(ws, name)
    model_id = prediction_model(ws, model_id) if source == "predictions" else None
    part = scene_part(ws, sc, model_id, author=author, now=now or datetime.now(UTC))
    return replace(part, html=page(f"Seeps in {sc.name}", [part.html]))


def scene_part(ws: Workspace, sc: Scene, model_id: str | None, *, author: str, now: datetime) -> SceneReport:
    """A scene's report without the page around it (its html a fragment): one pass of many too."""
    slicks = scene_slicks(ws, sc.name, "predictions" if model_id else "labels", model_id)
    missing, tiles = tiles_left_out(ws, sc.name, model_id)
    near = (on_scene(ws, sc), vessels_on_scene(ws, sc))  # drawn on the map and every close-up
    body = [
        _heading(sc, slicks, model_id),
        _facts(ws, sc, model_id, author, now),
        _remarks(remarks(ws, sc.name)),
        _map(ws, sc, slicks, model_id, near),
        _slick_table(slicks, model_id is not None, acquired_times(ws), position_format(ws)),
        _closeups(ws, sc, slicks, model_id, near),
        _by_class(ws, slicks),
        _caveats(sc, slicks, model_id, missing, tiles, reach_m(ws)),
    ]
    area = sum(s.area_km2 for s in slicks) if sc.grid.crs is not None else None
    reviewed = sum(t.status in REVIEWED for t in scene_tiles(ws, sc.name))
    return SceneReport("".join(body), len(slicks), missing, tiles, reviewed, area)


def mark_reported(ws: Workspace, names: list[str], author: str) -> None:
    """Stamp scenes `names` as reported now, by `author` ("" where no name was given): the Scenes
    view and the Scene page say which passes' reports went out. The audit trail keeps each."""
    from seep.workspace.accounts import record_in

    now = timestamp()
    with ws.connect(write=True) as con:
        for name in names:
            if not con.execute("SELECT 1 FROM scenes WHERE name = ?", (name,)).fetchone():
                continue  # renamed or removed since its report was made: nothing to stamp
            con.execute("UPDATE scenes SET reported_at = ?, reported_by = ? WHERE name = ?", (now, author, name))
            record_in(
                con,
                author or "(no name given)",
                "write report",
                name,
                f"with {counted(len(names) - 1, 'other pass', 'other passes')}" if len(names) > 1 else "",
            )


def last_reported(ws: Workspace) -> dict[str, tuple[str, str]]:
    """Scene name -> (when, by whom) its report was last written, of the scenes reported at all."""
    with ws.connect() as con:
        rows = con.execute("SELECT name, reported_at, reported_by FROM scenes WHERE reported_at IS NOT NULL").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def write_report(ws: Workspace, name: str, out: Path, source: str = "labels", model_id: str | None = None, **kw) -> SceneReport:
    """The report written to OUT.html whole or not at all; a file of the analyst's own under that
    name is never replaced (only a report Seep wrote is)."""
    report = write_html(ws, out, source, model_id, lambda: scene_report(ws, name, source, model_id, **kw))
    mark_reported(ws, [name], kw.get("author", ""))
    return report


def downloaded(ws: Workspace, names: list[str], author: str, report) -> bytes:
    """A report's file as a browser downloads it, its scenes stamped as reported."""
    mark_reported(ws, names, author)
    return report.html.encode()


def write_html(ws: Workspace, out: Path, source: str, model_id: str | None, build):
    """A report `build()` makes (anything with .html), checked first and written whole or not at all."""
    out = Path(out)
    if out.suffix.lower() not in SUFFIXES:
        raise BadInputError(f"{out}: write the report to an .html file (a browser opens it and prints it to PDF)")
    if out.exists() and not _ours(out):
        raise BadInputError(f"{out} exists and is not a report Seep wrote; give another name")
    if source == "predictions":  # a mistyped model's report would say the sea is clean
        check_predicted(ws, prediction_model(ws, model_id))
    report = build()
    replace_atomically(out, lambda tmp: tmp.write_text(report.html, encoding="utf-8"))
    return report


def _ours(out: Path) -> bool:
    try:
        with open(out, encoding="utf-8", errors="replace") as f:
            return f'<meta name="generator" content="{GENERATOR}">' in f.read(4096)
    except OSError:  # a folder under that name, an unreadable file: not ours to replace
        return False


def _heading(sc: Scene, slicks: list[Slick], model_id: str | None) -> str:
    whose = f"the predictions of model {model_id}" if model_id else "the labels"
    when = f", acquired {shown(sc.acquired)}" if sc.acquired else ""
    return f"<h1>Seeps in {_e(sc.name)}</h1><p class='sub'>{counted(len(slicks), 'slick')} in {_e(whose)}{_e(when)}</p>"


def _facts(ws: Workspace, sc: Scene, model_id: str | None, author: str, now: datetime) -> str:
    statuses = Counter(t.status for t in scene_tiles(ws, sc.name))
    reviewed = sum(statuses[s] for s in REVIEWED)
    facts = {
        "Acquired": f"{shown(sc.acquired)} ({sc.acquired_from})" if sc.acquired else "unknown",
        "Centre": _centre(sc, position_format(ws)) or "no coordinate system",
        "Grid": f"{sc.grid.width:,} x {sc.grid.height:,} pixels of {pixel_size(sc)} · {crs_label(sc.grid.crs)}",
        "Tiles": "; ".join(
            [f"{sum(statuses.values())}: {reviewed} reviewed by an analyst (corrected or accepted)"]
            + [f"{statuses[s]} {STATUS_LABELS[s].lower()}" for s in STATUSES if s not in REVIEWED and statuses[s]]
        ),
        "Outlines": f"the predictions of model {model_id}, checked by no one" if model_id else "the current labels",
        "Written": f"{now.astimezone(UTC):%Y-%m-%d %H:%M} UTC" + (f" by {author}" if author else "") + " with Seep",
    }
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts.items())
    return f"<dl class='facts'>{rows}</dl>"


def _remarks(r: Remarks) -> str:
    """The analyst's remarks on the pass, as she wrote them (her lines kept), and whose they are."""
    if not r.text:
        return ""
    return f"<h2>Remarks</h2><p class='remarks'>{_e(r.text)}</p><p class='sub'>{_e(r.by)}, {_e(shown(r.at))}</p>"


def _centre(sc: Scene, how: str) -> str | None:
    if sc.grid.crs is None:
        return None
    x, y = sc.grid.affine() @ (sc.grid.width / 2, sc.grid.height / 2)
    return written(*lonlat(sc.grid.crs, x, y), how)


def _map(ws: Workspace, sc: Scene, slicks: list[Slick], model_id: str | None, near: tuple[list, list]) -> str:
    """The scene shrunk onto the page with the outlines, the first NUMBERED slicks numbered as the
    table lists them, a scale bar where the CRS has one scale, and an arrow to true north."""
    factor = factor_for(sc.grid.height, sc.grid.width, MAP_PX)
    box = whole(sc)
    points = _points(ws, sc, slicks[:NUMBERED])
    h, w = overview_size(box, factor)
    north = north_angle(sc)
    svg = _picture(ws, sc, box, factor, model_id, points, near, _scale_bar(sc, factor, w, h) + _north_arrow(north, w))
    more = f" Numbered: the {NUMBERED} largest of {len(slicks)}." if len(slicks) > NUMBERED else ""
    caption = f"The scene at 1:{factor} with its outlines; each number is a row of the table below.{more}"
    if near[0]:
        caption += " In magenta: the team's installations (a pointer resting on one names it)."
    if near[1]:
        caption += (
            " In cyan: the vessels AIS placed at the pass, each pointing its course, on its track of the hour around it "
            "(a pointer resting on one names it)."
        )
    if north is not None and abs(north) >= 0.5:  # a UTM scene far off its zone's meridian, or a rotated raster
        caption += f" True north is {abs(north):.1f}° {'right' if north > 0 else 'left'} of up at the scene's middle."
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"


def _closeups(ws: Workspace, sc: Scene, slicks: list[Slick], model_id: str | None, near: tuple[list, list]) -> str:
    """The CLOSEUPS largest slicks each in a square around it, at full resolution where it fits
    (the map shrinks a large scene so far that a slick is a few pixels): what a reader looks at."""
    if not slicks:
        return ""
    figures = []
    points, spans = _points(ws, sc, slicks[:CLOSEUPS]), pixel_metres(sc)
    for n, s in enumerate(slicks[:CLOSEUPS], 1):
        r0, c0, r1, c1 = s.box
        need = max(CHIP_PX, 1.4 * max(r1 - r0, c1 - c0))
        factor = min(256, 1 << max(0, math.ceil(math.log2(need / CHIP_PX))))  # divides the tiles: each shrinks alone
        box = around(r0, c0, r1, c1, CHIP_PX * factor, factor)
        mine = {k: p for k, p in points.items() if k == n}
        svg = _picture(ws, sc, box, factor, model_id, mine, near, "")
        wide = f"{box.width * spans[0] / 1000:.1f} km across" if spans else f"{box.width} pixels across"
        area = f"{s.area_km2:.3f} km²" if s.area_km2 is not None else f"{s.pixels} px"
        figures.append(f"<figure>{svg}<figcaption>{_e(f'{n} · {s.class_name} · {area} · {wide}')}</figcaption></figure>")
    return f"<h2>Close-ups of the {min(CLOSEUPS, len(slicks))} largest</h2><div class='chips'>{''.join(figures)}</div>"


def _points(ws: Workspace, sc: Scene, slicks: list[Slick]) -> dict[int, tuple[int, int]]:
    """Row number -> the (row, col) on the scene's grid of a point inside that slick."""
    offsets = tile_offsets_of(ws, sc.name)
    # its inner point lies on a stored tile (always, bar a slick cut to nothing)
    return {
        n: (offsets[s.image_id][0] + s.tile_row, offsets[s.image_id][1] + s.tile_col)
        for n, s in enumerate(slicks, 1)
        if s.image_id in offsets
    }


def _picture(
    ws: Workspace, sc: Scene, box: Box, factor: int, model_id: str | None, points: dict, near: tuple[list, list], extra: str
) -> str:
    """An SVG of `box` shrunk by `factor`: the radar, the outlines, and the team's installations and
    the vessels at the pass over it (`near`: installations.on_scene's, vessels.vessels_on_scene's),
    a number at each point."""
    rgb = overview(ws, sc.name, factor, box)
    h, w = rgb.shape[:2]
    layers = [_data_url(".jpg", rgb), _data_url(".png", _outlines(ws, overview_classes(ws, sc.name, factor, model_id, box)))]
    size = max(16, round(w / 70))
    marks = "".join(
        f"<text x='{(c - box.col + 0.5) / factor:.1f}' y='{(r - box.row + 0.5) / factor:.1f}' font-size='{size}'>{n}</text>"
        for n, (r, c) in points.items()
    )
    picture = "".join(f"<image href='{url}' width='{w}' height='{h}'/>" for url in layers)
    drawn = _installation_marks(near[0], box, factor, size / 2) + _vessel_marks(near[1], box, factor, size / 2)
    return f"<svg viewBox='0 0 {w} {h}' role='img'>{picture}{drawn}<g class='n'>{marks}</g>{extra}</svg>"


def _installation_marks(installations: list, box: Box, factor: int, half: float) -> str:
    """The team's installations over `box` shrunk by `factor`: a diamond `half` wide each way per
    platform or well, a line per pipeline, each named where the pointer rests (its SVG title)."""
    marks = []
    for name, parts in installations:
        title = f"<title>{_e(name)}</title>"
        for part in parts:
            xy = (np.asarray(part) - (box.col, box.row)) / factor
            if len(xy) == 1:
                x, y = xy[0]
                marks.append(
                    f"<path d='M{x:.1f} {y - half:.1f}l{half:.1f} {half:.1f}l{-half:.1f} {half:.1f}l{-half:.1f} {-half:.1f}z'>{title}</path>"
                )
            else:
                marks.append(f"<polyline points='{' '.join(f'{x:.1f},{y:.1f}' for x, y in xy)}'>{title}</polyline>")
    return f"<g class='inst'>{''.join(marks)}</g>" if marks else ""


def _vessel_marks(vessels: list[VesselMark], box: Box, factor: int, half: float) -> str:
    """The vessels at the pass over `box` shrunk by `factor`: a triangle `half` each way turned to
    its course (a disc where it has none) on a dotted line through its reports of the hour around,
    each named where the pointer rests."""
    marks = []
    for v in vessels:
        title = f"<title>{_e(v.label)}</title>"
        if len(v.track) > 1:
            xy = (np.asarray(v.track) - (box.col, box.row)) / factor
            marks.append(f"<polyline points='{' '.join(f'{x:.1f},{y:.1f}' for x, y in xy)}'>{title}</polyline>")
        x, y = (v.col - box.col) / factor, (v.row - box.row) / factor
        if v.angle is None:
            marks.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{half * 0.6:.1f}'>{title}</circle>")
        else:
            marks.append(
                f"<path d='M0 {-half:.1f}L{half * 0.7:.1f} {half:.1f}L{-half * 0.7:.1f} {half:.1f}z' "
                f"transform='translate({x:.1f} {y:.1f}) rotate({v.angle:.1f})'>{title}</path>"
            )
    return f"<g class='ves'>{''.join(marks)}</g>" if marks else ""


def _outlines(ws: Workspace, classes: np.ndarray) -> np.ndarray:
    """(h, w, 4) the classes' outlines, solid, on nothing: drawn over the radar picture apart, so
    the picture can go as a JPEG (speckle does not compress losslessly) and the lines stay sharp."""
    rgba = np.zeros((*classes.shape, 4), np.uint8)
    m = np.minimum(classes, len(ws.classes) - 1)
    where = outline(m)
    rgba[where, :3] = ws.classes.palette()[m[where]]
    rgba[where, 3] = 255
    return rgba


def _data_url(suffix: str, pixels: np.ndarray) -> str:
    """An RGB(A) picture inline in the page: the report is one file that opens offline."""
    bgr = pixels[:, :, [2, 1, 0, 3][: pixels.shape[2]]]
    ok, data = cv2.imencode(suffix, np.ascontiguousarray(bgr), [cv2.IMWRITE_JPEG_QUALITY, 88] if suffix == ".jpg" else [])
    if not ok:
        raise RuntimeError(f"OpenCV could not encode the map as {suffix}")
    mime = "image/jpeg" if suffix == ".jpg" else "image/png"
    return f"data:{mime};base64,{base64.b64encode(data.tobytes()).decode()}"


def _scale_bar(sc: Scene, factor: int, w: int, h: int) -> str:
    """A bar of a round length about a fifth of the map wide, true on the ground at the scene's
    middle; none where the CRS is in degrees (no single scale) or absent."""
    spans = pixel_metres(sc)
    if spans is None:
        return ""
    km_per_px = spans[0] * factor / 1000
    fits = [km for km in SCALES_KM if km / km_per_px <= w / 4]
    if not fits:
        return ""
    km, pad = fits[-1], max(8, w / 60)
    length, y = km / km_per_px, h - pad
    return (
        f"<g class='scale'><rect x='{pad:.1f}' y='{y - pad * 0.6:.1f}' width='{length:.1f}' height='{pad * 0.35:.1f}'/>"
        f"<text x='{pad:.1f}' y='{y - pad * 0.9:.1f}' font-size='{pad * 1.3:.0f}'>{km:g} km</text></g>"
    )


def _north_arrow(angle: float | None, w: int) -> str:
    """An arrow in the top right corner pointing to true north; none with no CRS."""
    if angle is None:
        return ""
    size = max(10, w / 45)
    x, y = w - size * 2, size * 2.6
    return (
        f"<g class='north' transform='translate({x:.1f} {y:.1f}) rotate({angle:.2f})'>"
        f"<path d='M0 {-size:.1f} L{size * 0.5:.1f} {size * 0.7:.1f} L0 {size * 0.35:.1f} L{-size * 0.5:.1f} {size * 0.7:.1f} Z'/>"
        f"<text y='{-size * 1.2:.1f}' font-size='{size * 1.1:.0f}'>N</text></g>"
    )


def _slick_table(slicks: list[Slick], predicted: bool, times: dict[str, str | None], how: str) -> str:
    if not slicks:
        return "<h2>Slicks</h2><p>None.</p>"
    last = "confidence" if predicted else "note"
    near = any(s.installation for s in slicks)  # a column only where the team loaded installations near
    ship = any(s.vessel for s in slicks)  # ... and where AIS placed a vessel near one at the pass
    wake = any(s.on_track for s in slicks)  # ... and where one lies on the track a vessel sailed the hour before
    head = ["#", "class", "area km²", "length km", "a place inside it", "status", "also seen in", "first seen"]
    head += ["nearest installation"] * near + ["nearest vessel at the pass"] * ship + ["on the track of"] * wake + ["tile", last]
    rows = []
    for n, s in enumerate(slicks, 1):
        cells = [
            n,
            s.class_name,
            f"{s.area_km2:.3f}" if s.area_km2 is not None else f"{s.pixels} px",
            f"{s.length_km:.2f}" if s.length_km is not None else "",
            written(s.lon, s.lat, how) if s.lon is not None else "",
            STATUS_LABELS[s.status],
            ", ".join(with_day(x, times) for x in s.seen_in),
            s.first_seen[:10] if s.first_seen else "",
            *[s.nearest_installation() or ""] * near,
            *[s.nearest_vessel() or ""] * ship,
            *[s.on_track or ""] * wake,
            f"{s.image_id} at {s.tile_row},{s.tile_col}" if s.image_id else "",
            f"{s.mean_confidence:.2f}" if predicted and s.mean_confidence is not None else (s.note or ""),
        ]
        rows.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th>{_e(h)}</th>" for h in head)
    return f"<h2>Slicks</h2><table class='slicks'><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _by_class(ws: Workspace, slicks: list[Slick]) -> str:
    if not slicks:
        return ""
    rows = []
    for class_id in sorted({s.class_id for s in slicks}):
        mine = [s for s in slicks if s.class_id == class_id]
        areas = [s.area_km2 for s in mine if s.area_km2 is not None]
        reviewed = sum(s.status in REVIEWED for s in mine)
        swatch = f"<span class='sw' style='background:{ws.classes[class_id].colour}'></span>"
        area = f"{sum(areas):.3f}" if areas else ""
        cells = [_e(len(mine)), _e(area), _e(reviewed)]
        rows.append(f"<tr><td>{swatch}{_e(ws.classes.names[class_id])}</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "<tr><th>class</th><th>slicks</th><th>area km²</th><th>reviewed</th></tr>"
    return f"<h2>By class</h2><table class='classes'><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _caveats(sc: Scene, slicks: list[Slick], model_id: str | None, missing: int, tiles: int, reach: float) -> str:
    """What a reader must know before quoting a figure: where the report is silent, what nobody checked."""
    notes = []
    if missing:
        lack = f"no prediction by model {model_id}" if model_id else "no label"
        notes.append(f"{missing} of {counted(tiles, 'tile')} have {lack} yet: the report says nothing of the sea they cover.")
    unchecked = sum(s.status not in REVIEWED for s in slicks)
    if model_id:
        notes.append("Every outline is the model's prediction: no analyst has checked them.")
    elif unchecked:
        notes.append(
            f"{counted(unchecked, 'slick')} lie on tiles no analyst has reviewed yet (their status says so): "
            "the model's finding, unchecked."
        )
    if sc.grid.crs is None:
        notes.append("The scene has no coordinate system: sizes are in pixels and no place is given.")
    else:
        notes.append(
            "Area: of the outline on the scene's grid; length: the long side of the smallest rectangle around the slick; "
            "a place: a point inside the slick (the middle of a curved one may lie outside it)."
        )
    if any(s.vessel or s.on_track for s in slicks):
        notes.append(
            f"Vessels: as the AIS loaded placed them at the pass; nearest vessel: within {VESSEL_KM} km of the outline; on "
            f"the track of: {ON_TRACK:.0%} or more of the slick within {TRACK_KM} km of the track a vessel sailed in the hour "
            "before the pass. AIS shows only the vessels that transmitted: a slick with none named may still be a discharge."
        )
    notes.append(
        f"Also seen in: the other scenes whose reviewed labels hold a slick within {reach / 1000:g} km of it, earliest "
        "first (a natural seep comes back pass after pass; a ship's discharge does not). First seen: the earliest known "
        "pass of this scene and those."
    )
    return "<h2>Reading this report</h2><ul class='notes'>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>"


def page(title: str, body: list[str]) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f'<meta name="generator" content="{GENERATOR}">'
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{_e(title)}</title>"
        f"<style>{_STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )


def _e(value: object) -> str:
    return html.escape(str(value))


_STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; max-width: 1100px;
  margin: 24px auto; padding: 0 16px; }
h1 { margin: 0 0 4px; font-size: 26px; } h2 { font-size: 18px; margin: 28px 0 8px; }
.sub { color: #57606a; margin: 0 0 16px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { color: #57606a; } dd { margin: 0; }
figure { margin: 20px 0; } svg { width: 100%; height: auto; display: block; } svg image { image-rendering: pixelated; }
svg .n text { fill: #fff; stroke: #000; stroke-width: 3px; paint-order: stroke; font-weight: 700;
  text-anchor: middle; dominant-baseline: central; }
svg .scale rect { fill: #fff; stroke: #000; } svg .scale text, svg .north text { fill: #fff; stroke: #000;
  stroke-width: 3px; paint-order: stroke; }
svg .inst path { fill: #e040fb; stroke: #212121; } svg .inst polyline { fill: none; stroke: #e040fb; stroke-width: 2px; }
svg .ves path, svg .ves circle { fill: #00e5ff; stroke: #212121; }
svg .ves polyline { fill: none; stroke: #00e5ff; stroke-width: 1.5px; stroke-dasharray: 3 3; }
svg .north path { fill: #fff; stroke: #000; stroke-width: 1.5px; } svg .north text { text-anchor: middle; font-weight: 700; }
figcaption { color: #57606a; font-size: 12px; margin-top: 4px; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border-bottom: 1px solid #d0d7de; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
figure svg + figcaption { margin-top: 2px; }
h3 { font-size: 15px; margin: 22px 0 6px; } section.pass { border-top: 2px solid #d0d7de; margin-top: 36px; }
.chips { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; } .chips figure { margin: 0; }
.sw { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border: 1px solid #0003; }
ul.notes { color: #57606a; padding-left: 18px; }
p.remarks { white-space: pre-wrap; margin: 0 0 4px; }
@page { size: A4; margin: 14mm; }
@media print { body { margin: 0; max-width: none; } tr, figure { break-inside: avoid; } thead { display: table-header-group; }
  section.pass { break-before: page; border: 0; margin: 0; } }
"""
