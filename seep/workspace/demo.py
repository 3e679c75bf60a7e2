"""The demo workspace: synthetic SAR tiles, so the app runs on a fresh machine with no data."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from seep.data.synthetic import DemoSpec, generate
from seep.errors import BadInputError
from seep.workspace import registry as reg
from seep.workspace.importer import ImportReport
from seep.workspace.records import counted
from seep.workspace.workspace import Workspace

DEMO_AUTHOR = "demo ground truth"
DEMO_STATE = "demo"  # workspace setting: "building" until a demo build has ended


def build_demo(
    ws: Workspace,
    spec: DemoSpec = DemoSpec(),
    *,
    labelled_per_scene: int = 5,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Add the demo tiles; the first `labelled_per_scene` of each scene come with their
    masks as imported ground truth, the rest are left for the model and the analyst.
    Then one small georeferenced scene with its mask, imported from a GeoTIFF as a real
    one is. Idempotent: tiles already there (same pixels) are left as they are, so a build
    that was killed half-way is finished by the next (`unfinished` says one was). A workspace
    of other images is refused: synthetic tiles accepted as ground truth would train its models."""
    if reg.get_setting(ws, DEMO_STATE) is None and (n := ws.count_images()):
        raise BadInputError(
            f"{ws.root} holds {counted(n, 'image')} that no demo made; the demo's synthetic tiles, labelled as accepted "
            "ground truth, would be trained on with them: give the demo a new folder"
        )
    reg.set_setting(ws, DEMO_STATE, "building")
    report = ImportReport()
    total = spec.scenes * spec.tiles_per_scene
    for i, tile in enumerate(generate(spec)):
        if on_progress:
            on_progress(i, total)
        record, added = ws.add_image(tile.image, name=tile.name, scene=tile.scene, origin="synthetic demo")
        report.added += added
        report.already_present += not added
        if int(tile.name.split(".")[1]) < labelled_per_scene and record.head_version is None:
            ws.save_label(record.id, tile.mask, parent=None, author=DEMO_AUTHOR, source="imported")
            report.masks_added += 1
    if spec.geo_scene:
        _add_scene(ws, report)
        if spec.installations:
            _add_installations(ws)
    reg.set_setting(ws, DEMO_STATE, "complete")
    if on_progress:
        on_progress(total, total)
    return report


def mixing_warning(ws: Workspace) -> str | None:
    """Said by an import into the demo workspace (the app's first start fills ./workspace with
    it, and `import` writes there by default): its accepted synthetic labels would be trained on
    with the real tiles. None for any other workspace, and while the demo builds itself."""
    if reg.get_setting(ws, DEMO_STATE) != "complete":
        return None
    return (
        f"{ws.root} is the demo workspace: fine-tunes here train on its synthetic tiles, accepted as "
        f"'{DEMO_AUTHOR}', with these; for real work import into a new folder (--workspace DIR, or "
        "SEEP_WORKSPACE for the app)"
    )


def unfinished(ws: Workspace) -> bool:
    """A demo build started here and never ended (the server was stopped during the first start)."""
    return reg.get_setting(ws, DEMO_STATE) == "building"


def _add_scene(ws: Workspace, report: ImportReport) -> None:
    """The demo's georeferenced scene, and a second pass over part of its sea: a 256 px scene on
    the same grid 2.3 km east and 1.2 km south, whose slicks lie within reach of the first's (so
    the seeps list, Review's Seen before and the seep sites have a seep seen twice to show)."""
    from dataclasses import replace

    from seep.data.synthetic import SCENE_ORIGIN, make_scene

    x, y = SCENE_ORIGIN
    _import_scene(ws, report, make_scene(), (x, y), "2025-03-02T03:14:07")
    later = replace(make_scene(seed=29, height=256, width=256), name="demo_scene_2", scene="demo_scene_2")
    _import_scene(ws, report, later, (x + 2300, y - 1200), "2025-03-14T03:14:09")  # the next pass, 12 days on


# A made-up register around the demo scene, in its UTM metres: a platform 0.7 km east of its largest
# slick (Review names it aloud), a pipeline under its southern edge, and a platform 13 km away (a
# caption only): the installations' column, map marks, Browse filter and notes have something to show.
DEMO_INSTALLATIONS = {
    "Demo platform Alpha": [(603600, 4758400)],
    "Demo pipeline 7": [(599000, 4756300), (607000, 4756600)],
    "Demo platform Bravo": [(610000, 4770000)],
}


def _add_installations(ws: Workspace) -> None:
    import json

    from seep.data.geo import transformer
    from seep.data.synthetic import SCENE_CRS
    from seep.workspace.installations import load_installations, loaded

    if loaded(ws) is not None:
        return
    to = transformer(SCENE_CRS, "EPSG:4326")
    features = []
    for name, points in DEMO_INSTALLATIONS.items():
        where = [list(to.transform(*xy)) for xy in points]
        geometry = {"type": "Point", "coordinates": where[0]} if len(where) == 1 else {"type": "LineString", "coordinates": where}
        features.append({"type": "Feature", "properties": {"name": name}, "geometry": geometry})
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "demo_installations.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        load_installations(ws, path, DEMO_AUTHOR)


def _import_scene(ws: Workspace, report: ImportReport, made, origin: tuple[float, float], acquired: str) -> None:
    from rasterio.transform import from_origin

    from seep.data.acquired import TAG
    from seep.data.geo import write_geotiff
    from seep.data.synthetic import SCENE_CRS, SCENE_PIXEL_M
    from seep.workspace.scenes import import_scene, scene, scene_names

    if made.scene in scene_names(ws):
        report.already_present += scene(ws, made.scene).tiles
        return
    transform = from_origin(*origin, SCENE_PIXEL_M, SCENE_PIXEL_M)
    with tempfile.TemporaryDirectory() as d:
        image, mask = Path(d) / f"{made.scene}.tif", Path(d) / f"{made.scene}_mask.tif"
        write_geotiff(image, made.image, SCENE_CRS, transform, nodata=0, tags={TAG: acquired})
        write_geotiff(mask, made.mask, SCENE_CRS, transform)
        done = import_scene(ws, image, mask=mask, author=DEMO_AUTHOR)
    report.added += done.tiles
    report.already_present += done.already_present
    report.masks_added += done.masks
