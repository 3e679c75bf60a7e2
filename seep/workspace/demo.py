"""The demo workspace: synthetic SAR tiles, so the app runs on a fresh machine with no data."""

from __future__ import annotations

from collections.abc import Callable

from seep.data.synthetic import DemoSpec, generate
from seep.workspace.importer import ImportReport
from seep.workspace.workspace import Workspace

DEMO_AUTHOR = "demo ground truth"


def build_demo(
    ws: Workspace,
    spec: DemoSpec = DemoSpec(),
    *,
    labelled_per_scene: int = 5,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Add the demo tiles; the first `labelled_per_scene` of each scene come with their
    masks as imported ground truth, the rest are left for the model and the analyst.
    Idempotent: tiles already there (same pixels) are left as they are."""
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
    if on_progress:
        on_progress(total, total)
    return report
