"""The command line's flags, one subcommand per library entry point."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from seep.cli.common import NEEDS_ATTENTION
from seep.cli.models import (
    cmd_add_model,
    cmd_evaluate,
    cmd_export_model,
    cmd_model_note,
    cmd_models,
    cmd_predict,
    cmd_predict_all,
    cmd_promote,
    cmd_remove_model,
    cmd_rollback,
)
from seep.cli.team import cmd_activity, cmd_assign, cmd_audit, cmd_copy_to_postgres, cmd_jobs, cmd_user, cmd_worker
from seep.cli.training import cmd_crossval, cmd_expected_scores, cmd_train
from seep.cli.workspace import (
    cmd_acquired,
    cmd_backup,
    cmd_check,
    cmd_demo,
    cmd_export,
    cmd_export_seeps,
    cmd_history,
    cmd_import,
    cmd_import_seeps,
    cmd_installations,
    cmd_list,
    cmd_positions,
    cmd_reach,
    cmd_remarks,
    cmd_remove_scene,
    cmd_rename_scene,
    cmd_report,
    cmd_report_passes,
    cmd_restore,
    cmd_seeps,
    cmd_sites,
    cmd_status,
    cmd_undo_import_seeps,
    cmd_vessels,
    cmd_where,
)
from seep.workspace import STATUSES, default_author, default_path
from seep.workspace.filters import SORTS

# add(name, command function, help) -> the subcommand's parser, for its own flags
Add = Callable[[str, Callable, str], argparse.ArgumentParser]


def _seconds(text: str) -> float:
    """A duration: 0 or more seconds, a finite number."""
    try:
        s = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= s < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not 0 or more seconds")
    return s


ROWS_MAX = 2**63 - 1  # both databases' integers: a larger one was an OverflowError traceback


def _at_least_0(text: str) -> int:
    """A count of rows: SQLite reads LIMIT -1 as "no limit" and PostgreSQL refuses it, so neither sees one."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= n <= ROWS_MAX:
        raise argparse.ArgumentTypeError(f"{n} is below 0" if n < 0 else f"{n} is more than any database holds")
    return n


def _version(text: str) -> int:
    """A label version as `history` prints it (v3) or bare (3)."""
    n = text.strip().removeprefix("v")
    if not (n.isascii() and n.isdigit()) or not 1 <= int(n) <= ROWS_MAX:
        raise argparse.ArgumentTypeError(f"{text!r} is not a label version; `history IMAGE` lists them (v1, v2, ...)")
    return int(n)


def _job_id(text: str) -> int:
    """A job's number, as `jobs` lists it."""
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= ROWS_MAX:
        raise argparse.ArgumentTypeError(f"{text!r} is not a job number; `python -m seep jobs` lists them")
    return int(text)


def _training_flags(p: argparse.ArgumentParser) -> None:
    """The settings of a training run, shared by train and crossval. No defaults here: a
    setting not given takes the defaults of the run, from scratch (TrainConfig) with --data,
    or the Train page's fine-tune (FinetuneParams) on a workspace."""
    p.add_argument("--epochs", type=int, help="from scratch 40; fine-tune as the Train page")
    p.add_argument("--lr", type=float, help="peak learning rate; from scratch 2e-3; fine-tune as the Train page")
    p.add_argument("--batch", type=int)
    p.add_argument("--loss", help="a sum of ce, dice, iou, focal, focal_tversky (default ce+dice)")
    p.add_argument(
        "--class-weight-power",
        type=float,
        help="cross-entropy class weights (1/frequency)^POWER, capped at 50; 0 for none",
    )
    p.add_argument("--mode", choices=["multiclass", "binary"])
    p.add_argument("--seed", type=int)
    p.add_argument("--crop", type=int)
    p.add_argument("--crops-per-tile", type=int)
    p.add_argument("--augment", help="some of hflip, vflip, rot180, rot90, gain, speckle (default hflip,rot180)")
    p.add_argument("--log-input", action="store_true", help="with --data: SAR intensity in dB")
    p.add_argument("--center", choices=["global", "image"], help="with --data: 'image' removes each raster's median")
    p.add_argument("--ema", type=float, help="with --data: keep a moving average of the weights with this decay (0.995)")
    p.add_argument("--threshold", type=float, help="with --data: seep where P(seep) >= this (default: argmax)")
    p.add_argument("--slick", choices=["pixel", "vote", "close"], help="with --data: one class per slick (default pixel)")
    p.add_argument("--base", type=int, help="from scratch: channels of the first level (default 16)")
    p.add_argument("--depth", type=int, help="from scratch: number of 2x downsamplings (default 4)")
    p.add_argument("--residual", action="store_true", help="ResU-Net blocks")
    p.add_argument("--downsample", type=int, help="from scratch: the network reads images at 1/N resolution (default 1)")
    p.add_argument("--val-every", type=int, help="validate every N epochs and at the last (default 1)")
    p.add_argument("--device", help="auto (default), cpu, cuda, cuda:1, mps")
    p.add_argument("--no-amp", action="store_true", help="plain float32")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--workspace",
        type=Path,
        default=default_path(),
        help="workspace folder (default ./workspace or $SEEP_WORKSPACE)",
    )
    common.add_argument(
        "--database-url",
        help="keep the workspace's records in this PostgreSQL database, e.g. postgresql://seep@db/seep "
        "(default $SEEP_DATABASE_URL; unset: seep.db in the workspace folder)",
    )
    ap = argparse.ArgumentParser(prog="python -m seep", description="Review and learn oil-seep segmentations of SAR tiles.")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(func=func)
        return p

    _workspace_commands(add)
    _listing_commands(add)
    _training_commands(add)
    _model_commands(add)
    _team_commands(add)
    return ap


def _workspace_commands(add: Add) -> None:
    """Images and labels in and out: seep/cli/workspace.py."""
    p = add("demo", cmd_demo, "create (or top up) a workspace of synthetic SAR demo tiles")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--scenes", type=int, default=6)
    p.add_argument("--tiles-per-scene", type=int, default=8)
    p.add_argument("--no-geo-scene", action="store_true", help="leave out the small georeferenced scene")

    p = add(
        "import",
        cmd_import,
        "import TIFFs: the exercise layout (train_images_256/ + train_masks_256/) or a folder; "
        f"exits {NEEDS_ATTENTION} when any file was skipped",
    )
    p.add_argument(
        "path",
        type=Path,
        help="a folder of tiles, or one georeferenced scene (GeoTIFF of any size, a Sentinel-1 product: its .SAFE folder or "
        "zip, a RADARSAT-2 or RCM product folder or zip, or a TerraSAR-X or PAZ product folder)",
    )
    p.add_argument("--author", default=default_author(), help="author recorded on imported masks")
    p.add_argument("--mask", type=Path, help="with a scene: its label mask (GeoTIFF on the same grid)")
    p.add_argument("--scene", help="with a scene: its name (default: the file name)")
    p.add_argument(
        "--acquired",
        help="with a scene: when the radar passed, e.g. 2023-01-05T03:15Z (UTC; default: its ACQUISITION_START_TIME tag or the "
        "date and time in its name)",
    )
    p.add_argument(
        "--scenes",
        action="store_true",
        help="PATH is a folder of georeferenced scenes (the morning's passes): each GeoTIFF in it a scene named for its "
        "file, NAME_mask.tif beside it its mask, as the Scene page imports a folder",
    )
    p.add_argument(
        "--predict",
        action="store_true",
        help="with scenes: the active model predicts each one's tiles once it is in (the shipped model where none is)",
    )

    p = add("export", cmd_export, "write current labels as uint8 TIFFs in the exercise layout plus manifest.csv")
    p.add_argument("out", type=Path)
    p.add_argument(
        "--geotiff", action="store_true", help="instead: each georeferenced scene's labels as one GeoTIFF, OUT/<scene>.tif"
    )
    p.add_argument("--scene", action="append", help="only this scene's tiles (repeatable)")
    _source_args(p, "with --geotiff: ")

    p = add(
        "export-seeps",
        cmd_export_seeps,
        "write seep polygons of georeferenced scenes to GeoJSON, KML or a zipped shapefile (EPSG:4326), or GeoPackage "
        "or a zipped Esri File Geodatabase (each scene's CRS)",
    )
    p.add_argument(
        "out",
        type=Path,
        help="OUT.geojson, OUT.kml, OUT.gpkg, OUT.zip (a shapefile, as ArcGIS opens it), OUT.gdb (an Esri File "
        "Geodatabase, the folder ArcGIS opens) or OUT.gdb.zip (that folder zipped); replaces only an earlier seep export",
    )
    p.add_argument("--scene", action="append", help="only this scene (repeatable; default every georeferenced scene)")
    _source_args(p, "")

    p = add(
        "seeps",
        cmd_seeps,
        "list a scene's slicks as a report gives them, largest first: class, area, length, a place inside it, status",
    )
    p.add_argument("scene", help="a georeferenced scene (`status --by-scene` lists them)")
    _source_args(p, "")
    p.add_argument("--csv", action="store_true", help="as CSV on stdout, a column per field (for a spreadsheet)")

    p = add(
        "report",
        cmd_report,
        "write a scene's seeps as a report to send: one HTML file (the map with each slick numbered, the slicks, when the "
        "scene was acquired and how far it is reviewed) that a browser opens offline and prints to PDF",
    )
    p.add_argument("scene", help="a georeferenced scene (`status --by-scene` lists them)")
    _report_args(p)

    p = add(
        "report-passes",
        cmd_report_passes,
        "write the passes of a window of time (the morning's, a week's) as one report to send: a table of the passes, "
        "earliest first, with their slicks and how far each is reviewed, then each one's report (map, slicks, close-ups)",
    )
    _report_args(p)
    _window_args(p)
    p.add_argument(
        "--scene", action="append", help="only this scene (repeatable; default every georeferenced scene in the window)"
    )

    p = add(
        "sites",
        cmd_sites,
        "gather the reviewed slicks (corrected or accepted) of every georeferenced scene into seep sites (slicks within 2 km of each other, in one "
        "scene or across passes) and write them as points, those seen in most scenes first",
    )
    p.add_argument(
        "out",
        type=Path,
        help="OUT.geojson, OUT.gpkg, OUT.kml, a shapefile zipped for ArcGIS OUT.zip (EPSG:4326; scenes_seen is n_scenes there), "
        "a File Geodatabase OUT.gdb (or zipped: OUT.gdb.zip) or OUT.csv; replaces only a sites file",
    )
    _window_args(p)

    p = add(
        "import-seeps",
        cmd_import_seeps,
        "burn seep polygons from a GIS file (GeoPackage, GeoJSON, KML/KMZ, shapefile, Esri File Geodatabase) or a GeoTIFF "
        "mask into a scene's tiles "
        "as new label versions",
    )
    p.add_argument(
        "path",
        type=Path,
        help="the GIS file (a polygon of class 0 erases what it covers; the scene's labels as `export-seeps` wrote them, "
        "labels_at on each slick, come back as edited: a slick deleted there is erased), or a GeoTIFF mask of class ids "
        "(0: no seep; --class N for a mask of 0 and 1 or 255; the scene's labels as `export --geotiff` wrote them come "
        "back pixel for pixel); any coordinate system, reprojected onto the scene",
    )
    p.add_argument(
        "--scene",
        help="the georeferenced scene whose tiles the polygons label (default: each scene the file's scene field names, "
        "as export-seeps writes it, one import each; for a labels mask exported here, its scene)",
    )
    p.add_argument(
        "--layer", help="the file's layer (default: the one named for the scene or whose slicks name it, or its only one)"
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--class-field", help="the field holding each polygon's class id or name (default: class_id)")
    which.add_argument("--class", dest="class_id", type=int, help="give every polygon this class id")
    p.add_argument("--author", default=default_author(), help="author recorded on the new label versions")

    p = add(
        "undo-import-seeps",
        cmd_undo_import_seeps,
        "undo a scene's newest import of seeps from a GIS file: each tile it labelled back as it was, but those "
        "someone has built on since (saved again, judged, trained on), which are named",
    )
    p.add_argument("--scene", required=True, help="the georeferenced scene the polygons were imported into")
    p.add_argument("--author", default=default_author(), help="who undoes it, for the audit trail")


def _window_args(p: argparse.ArgumentParser) -> None:
    """Which passes: scenes acquired in a window of time (a scene of unknown time is in none)."""
    p.add_argument(
        "--acquired-since", metavar="WHEN", help="only scenes acquired then or later, e.g. 2025-03-10 (UTC): the new passes"
    )
    p.add_argument(
        "--acquired-before",
        metavar="WHEN",
        help="only scenes acquired before then, e.g. 2025-04-01 (UTC); with --acquired-since, the passes of a week or a month",
    )


def _report_args(p: argparse.ArgumentParser) -> None:
    """Where a report goes, what it draws, and who writes it."""
    p.add_argument("out", type=Path, help="OUT.html; replaces only a report Seep wrote")
    _source_args(p, "")
    p.add_argument("--author", default=default_author(), help="who writes it, named in the report")


def _source_args(p: argparse.ArgumentParser, only: str) -> None:
    """What a map export draws: the labels, or one model's predictions."""
    p.add_argument(
        "--source",
        choices=["labels", "predictions"],
        help=f"{only}current labels (the default), or the active model's predictions",
    )
    p.add_argument("--model", help=f"{only}whose predictions (implies --source predictions; default: the active model)")


def _listing_commands(add: Add) -> None:
    """What a workspace holds, and putting an old label back: seep/cli/workspace.py."""
    p = add("status", cmd_status, "count images per review status")
    p.add_argument("--by-scene", action="store_true", help="a line per scene: its tiles per status and the share reviewed")

    p = add(
        "check",
        cmd_check,
        "find files a crash left behind (orphans, .tmp), records whose file is missing, and masks kept raw; "
        f"exits {NEEDS_ATTENTION} when anything is wrong",
    )
    p.add_argument(
        "--repair",
        action="store_true",
        help="remove the orphans and leftovers (older than 2 minutes), and deflate masks kept raw by older versions",
    )

    p = add(
        "backup",
        cmd_backup,
        "copy the workspace (its records at one moment and the files they name) into a new folder, while the app "
        "and its workers go on; the copy opens with --workspace DEST",
    )
    p.add_argument("dest", type=Path, help="a new folder, outside the workspace")

    p = add(
        "acquired",
        cmd_acquired,
        "say when a georeferenced scene was acquired, or set it (it orders the passes over one sea: seen before, first seen)",
    )
    p.add_argument("scene", help="a georeferenced scene (`status --by-scene` lists them)")
    p.add_argument("when", nargs="?", help="e.g. 2023-01-05 or 2023-01-05T03:15:12Z (UTC when no zone); 'unknown' clears it")
    p.add_argument("--author", default=default_author(), help="who sets it, for the audit trail")

    p = add(
        "remarks",
        cmd_remarks,
        "say a georeferenced scene's remarks (the wind and sea state, ship traffic, what the analyst was unsure of: its "
        "report carries them), or replace them",
    )
    p.add_argument("scene", help="a georeferenced scene (`status --by-scene` lists them)")
    p.add_argument("text", nargs="?", help="the new remarks, quoted (a newline starts a line in the report)")
    p.add_argument("--clear", action="store_true", help="remove the remarks")
    p.add_argument("--author", default=default_author(), help="who writes them, for the report and the audit trail")

    p = add(
        "rename-scene",
        cmd_rename_scene,
        "give a scene another name; its tiles' names follow (NAME.r000000c000256), their labels, history and reviews stay",
    )
    p.add_argument("scene", help="a georeferenced scene (`status --by-scene` lists them)")
    p.add_argument("new", help="its new name: letters, digits, '-', '_' or '.'")
    p.add_argument("--author", default=default_author(), help="who renames it, for the audit trail")

    p = add(
        "remove-scene",
        cmd_remove_scene,
        "remove a scene imported by mistake (the wrong file or name) with its tiles, their imported and predicted "
        "labels and cached predictions; refused once anyone has worked on it (drawn, reviewed, trained on) or a job "
        "may be reading it. The file it came from is not touched",
    )
    p.add_argument("scene", help="a georeferenced scene (`status --by-scene` lists them)")
    p.add_argument("--author", default=default_author(), help="who removes it, for the audit trail")

    p = add(
        "reach",
        cmd_reach,
        "say how near another pass's slick must lie to be the same seep (also seen in, seen before, seep sites), or set it",
    )
    p.add_argument("km", nargs="?", type=float, help="the new reach in km (0.1 to 50; 2 unless set)")
    p.add_argument("--author", default=default_author(), help="who sets it, for the audit trail")

    p = add(
        "positions",
        cmd_positions,
        "say how places are written in the seeps list, reports and Review (decimal degrees, degrees and minutes, or "
        "MGRS), or set it",
    )
    p.add_argument("how", nargs="?", help="degrees, minutes or mgrs: the new way (degrees unless set)")
    p.add_argument("--author", default=default_author(), help="who sets it, for the audit trail")

    p = add(
        "installations",
        cmd_installations,
        "load the team's offshore installations (platforms, wells, pipelines) from a GIS file, replacing those loaded "
        "before, so that each slick's nearest is named in the seeps list, reports and Review; "
        "with no file, say which are loaded",
    )
    p.add_argument("file", nargs="?", type=Path, help="GeoPackage, GeoJSON, KML/KMZ, a zipped shapefile or a File Geodatabase")
    p.add_argument("--name-field", help="the field naming each installation (default: the file's name field)")
    p.add_argument("--layer", help="the layer of installations, in a file of several")
    p.add_argument("--clear", action="store_true", help="remove every installation")
    p.add_argument("--author", default=default_author(), help="who loads them, for the audit trail")

    p = add(
        "vessels",
        cmd_vessels,
        "load AIS positions (a CSV as MarineCadastre, the Danish Maritime Authority or Global Fishing Watch export it): "
        "each slick's nearest vessel when the radar passed is named beside it; without FILE, say what was loaded",
    )
    p.add_argument("file", nargs="?", type=Path, help="CSV of AIS positions: MMSI, a time, latitude, longitude (and a name)")
    p.add_argument("--clear", action="store_true", help="remove every AIS position")
    p.add_argument(
        "--scene", help="list the vessels placed at this scene's pass: where, how placed, course and speed, a line each"
    )
    p.add_argument(
        "--geojson", type=Path, help="with --scene: write them, and their tracks of the hour around, to this new GeoJSON file"
    )
    p.add_argument("--author", default=default_author(), help="who loads them, for the audit trail")

    p = add(
        "where",
        cmd_where,
        f"the georeferenced scenes and tiles holding a latitude and longitude (or UTM, MGRS, or an easting and northing in a "
        f"scene's own coordinate system); exits {NEEDS_ATTENTION} when none does",
    )
    p.add_argument(
        "place",
        nargs="+",
        help="e.g. 27.2 50.5 (latitude first), \"27°12'N 50°30'E\", 5130N 00245E (a POLREP's), 31N 500000 4600000 (UTM), 31TEF 04005 96995 (MGRS) "
        "or 500000 4600000 (a "
        "scene's own easting and northing); one starting with a minus sign goes after --: where -- -33.9 151.2",
    )

    p = add("list", cmd_list, "list images, filtered and sorted")
    p.add_argument("--status", action="append", choices=STATUSES)
    p.add_argument("--scene", action="append")
    p.add_argument("--has-class", type=int, metavar="ID", help="head label contains this class")
    p.add_argument("--name", help="name contains")
    p.add_argument("--predicted", choices=["yes", "no"], help="only images --model has (yes) or has not (no) predicted")
    p.add_argument("--noted", action="store_true", help="only images whose newest label was saved with a note")
    p.add_argument("--saved-by", metavar="NAME", help="only images whose newest label NAME saved (Predict all: model)")
    p.add_argument("--assigned-to", metavar="NAME", help="only the tiles of the scenes handed out to NAME (`assign` lists them)")
    p.add_argument(
        "--installation-within",
        type=float,
        metavar="KM",
        help="only scene tiles within KM (0 to 50) on the ground of one of the team's installations (`installations` loads them)",
    )
    _window_args(p)
    p.add_argument(
        "--sort",
        default="name",
        choices=list(SORTS),
        help="most_useful: the review queue, each scene's 5 least confident tiles first (correcting them "
        "fixes the most pixels); teaching_sample: a tile of each scene in turn, drawn blind to what is on "
        "them (labels that teach a model about the rest of their scenes); both put corrected and accepted tiles "
        "last; the prediction sorts read --model's",
    )
    p.add_argument("--model", help="registry id whose predictions the sorts read (default: the active model)")
    p.add_argument("--offset", type=_at_least_0, default=0)
    p.add_argument("--limit", type=_at_least_0, default=50)

    p = add("history", cmd_history, "list the label versions of an image")
    p.add_argument("image", help="image id or name")

    p = add("restore", cmd_restore, "make an old label version the newest again (as a new version)")
    p.add_argument("image", help="image id or name")
    p.add_argument("version", type=_version, help="as `history` lists it: v2 or 2")
    p.add_argument("--author", default=default_author())


def _training_commands(add: Add) -> None:
    """Training: seep/cli/training.py."""
    p = add("train", cmd_train, "train or fine-tune a U-Net; progress on stderr, metrics as JSON lines on stdout")
    p.add_argument("--data", type=Path, help="folder in the exercise layout (default: the workspace's reviewed labels)")
    p.add_argument("--val-scenes", help="comma-separated validation scenes (default: drawn by --seed)")
    p.add_argument(
        "--val-fraction", type=float, help="with --data: share of tiles in validation scenes (0.2; 0 trains on every scene)"
    )
    # No defaults here: a setting not given takes the defaults of the run, from scratch
    # (TrainConfig) with --data, or the Train page's fine-tune (FinetuneParams) on a workspace.
    _training_flags(p)
    p.add_argument("--from-model", type=Path, help="with --data: fine-tune from this model (a file, or a model id)")
    p.add_argument(
        "--teacher",
        type=Path,
        action="append",
        help="with --data: also learn this model's probabilities (repeat for an ensemble; same input settings)",
    )
    p.add_argument("--base-model", help="on a workspace: the registry model to start from (default: the active one)")
    p.add_argument(
        "--accepted-only",
        action="store_true",
        help="on a workspace: only tiles a reviewer accepted (default: also corrected tiles awaiting review)",
    )
    p.add_argument("--train-scenes", help="on a workspace: train only on these comma-separated scenes (the page's Chosen scenes)")
    p.add_argument("--since-model", help="on a workspace: only labels saved or accepted after this registry model")
    p.add_argument(
        "--promote", action="store_true", help="on a workspace: make the candidate active if it is not worse than its base"
    )
    p.add_argument("--out", type=Path, help="run folder (default WORKSPACE/runs/<time>)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its last.pt")

    p = add(
        "crossval",
        cmd_crossval,
        "scene cross-validation: train one model per fold of whole scenes, score each on its own scenes "
        "with its last weights; per fold and mean +- spread over folds",
    )
    p.add_argument("--data", type=Path, required=True, help="folder in the exercise layout (with masks)")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument(
        "--fold",
        type=int,
        help="train only fold N (0-based), e.g. one process per fold on a GPU machine, all with the same --out; "
        "the run that finds every fold finished prints the summary",
    )
    p.add_argument(
        "--out", type=Path, help="run folder; a finished fold in it is not run again (default WORKSPACE/runs/cv-<time>)"
    )
    p.add_argument("--json", action="store_true", help="JSON lines: one per fold, then the summary")
    p.add_argument(
        "--from-run",
        type=Path,
        help="an earlier crossval run on the same data and folds: each fold fine-tunes that run's fold model",
    )
    p.add_argument(
        "--teacher-run",
        type=Path,
        action="append",
        help="an earlier crossval run on the same data and folds: each fold also learns the averaged probabilities "
        "of its fold models (repeat for an ensemble)",
    )
    _training_flags(p)

    p = add(
        "expected-scores",
        cmd_expected_scores,
        "keep beside a model file (MODEL.cv.json) what to expect of it on new scenes: its recipe's crossval fold "
        "models each scored on its own held-out scenes of --data, mean +- spread; add-model takes it with the model",
    )
    p.add_argument("model", type=Path, help="the model file the figures are for (trained with the runs' recipe)")
    p.add_argument("--runs", type=Path, nargs="+", required=True, help="crossval run folders of its recipe, one per seed")
    p.add_argument("--data", type=Path, required=True, help="the folder the runs were cross-validated on")


def _model_commands(add: Add) -> None:
    """Using models, and the registry: seep/cli/models.py."""
    p = add(
        "evaluate",
        cmd_evaluate,
        "score a model on labelled tiles: IoU, Dice, confusion matrix, PR, AP/mAP; without --data, a model of the "
        "workspace on the reviewed tiles a fine-tune is checked on (its figures are kept if it had none)",
    )
    p.add_argument("--data", type=Path, help="folder in the exercise layout (with masks)")
    p.add_argument(
        "--model",
        type=Path,
        help="with --data a model file or a model id (default: the shipped model); else a workspace model id (default: the active one)",
    )
    p.add_argument("--scenes", help="only these comma-separated scenes, or 'val' for the model's validation scenes")
    p.add_argument("--tta", action="store_true", help="average the four flips")
    p.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    p.add_argument("--device", default="auto", help="auto (CUDA where there is one), cpu, cuda, cuda:1, mps")

    p = add(
        "predict-all",
        cmd_predict_all,
        "predict every workspace image (cached per model; unlabelled ones get the prediction as label v1)",
    )
    p.add_argument("--model", type=Path, help="a model file, or a model id (default: the workspace's active model)")
    p.add_argument("--unreviewed", action="store_true", help="only images not yet corrected or accepted")
    p.add_argument("--scene", help="only the tiles of this scene")
    p.add_argument("--device", default="auto", help="auto (CUDA where there is one), cpu, cuda, cuda:1, mps")

    p = add(
        "predict",
        cmd_predict,
        f"predict masks and confidence maps for a TIFF or a folder of them; exits {NEEDS_ATTENTION} when any file was skipped",
    )
    p.add_argument(
        "--data",
        type=Path,
        required=True,
        help="a TIFF or a folder of them, tiles or whole scenes (one over 8 million pixels is read and written by windows), "
        "or a SAR product as it arrives (a .SAFE, RADARSAT-2 or RCM folder or zip, a .dim), alone or in the folder",
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="where to write class ids (train_masks_256/) and confidence, 0..1 (confidence/), a file per input, by name",
    )
    p.add_argument("--model", type=Path, help="a model file, or a model id of --workspace (default: the shipped model)")
    p.add_argument("--tta", action="store_true", help="average the four flips")
    p.add_argument("--device", default="auto", help="auto (CUDA where there is one), cpu, cuda, cuda:1, mps")

    add("models", cmd_models, "list the model registry (id, parent, metrics, active)")
    p = add("promote", cmd_promote, "make a registered model the active one")
    p.add_argument("model")
    add("rollback", cmd_rollback, "make the previously active model active again")
    p = add(
        "add-model",
        cmd_add_model,
        "register a model trained elsewhere (a `train --data` run's last.pt, a crossval fold model, another "
        "workspace's) beside the others, to be scored (evaluate --model ID) and made active (promote ID) here",
    )
    p.add_argument("file", type=Path, help="the model file")
    p.add_argument("--id", dest="model_id", help="its id (default: the file's name; for a run's last.pt, RUN-last)")
    p.add_argument("--note", default="", help="what it is, for the registry: its recipe, what it was trained on")
    p.add_argument("--promote", action="store_true", help="make it the active model too")
    p.add_argument("--author", default=default_author(), help="who adds it, for the audit trail")
    p = add(
        "export-model",
        cmd_export_model,
        "write a registered model's file as OUT/MODEL.pt, with what to expect of it (OUT/MODEL.cv.json) where it came "
        "with that: for add-model in another workspace, or predict --model on a GPU node",
    )
    p.add_argument("model", help="its id (`models` lists them)")
    p.add_argument("--out", type=Path, required=True, help="the folder to write into (made if missing)")
    p = add("model-note", cmd_model_note, "say what a registered model is, in the registry (replacing its note)")
    p.add_argument("model", help="its id (`models` lists them)")
    p.add_argument("note", help="one line: its recipe, what it was trained on, why it is kept; '' clears it")
    p.add_argument("--author", default=default_author(), help="who says it, for the audit trail")
    p = add(
        "remove-model",
        cmd_remove_model,
        "remove a model no one relied on (never active, nobody's base, no label its prediction) with its weights and "
        "cached predictions; one that was is kept, saying why",
    )
    p.add_argument(
        "models", nargs="+", metavar="MODEL", help="their ids (`models` lists them); each is removed or kept on its own"
    )
    p.add_argument("--author", default=default_author(), help="who removes them, for the audit trail")


def _team_commands(add: Add) -> None:
    """The worker, jobs, accounts and audit: seep/cli/team.py."""
    p = add(
        "worker",
        cmd_worker,
        "run the workspace's background jobs until stopped; on another machine (a GPU node) give the same "
        "--workspace folder and --database-url as the app (the app starts a worker itself when none runs)",
    )
    p.add_argument("--idle-exit", type=_seconds, help="exit after this many idle seconds (default: serve until stopped)")

    p = add("jobs", cmd_jobs, "list background jobs with their state, or cancel one")
    p.add_argument("--limit", type=_at_least_0, default=30)
    p.add_argument("--cancel", type=_job_id, metavar="ID", help="stop this job: at once if it waits, at its next step if it runs")

    p = add(
        "user",
        cmd_user,
        "accounts and roles: add, list, role, email, password, sign-out (every session of it), disable, enable "
        "(with none, the app is single-user)",
    )
    p.add_argument("action", choices=["add", "list", "role", "email", "password", "sign-out", "disable", "enable"])
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=["analyst", "reviewer", "admin"], help="add: default analyst; role: the new one")
    p.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin (scripts)")
    p.add_argument("--email", help="the address the identity provider (secrets.toml [auth]) signs this person in with")
    p = add("audit", cmd_audit, "who did what and when: saves, accepts, promotions, account changes")
    p.add_argument("--csv", type=Path, help="write the whole trail to this CSV file")
    p.add_argument("--limit", type=_at_least_0, default=50)
    p.add_argument("--actor", help="only this person's actions")

    p = add(
        "activity",
        cmd_activity,
        "who did what lately: per person, the tiles they corrected, the predictions they took as they were, and others' "
        "labels they accepted or returned as a reviewer",
    )
    p.add_argument("--days", type=float, default=7, help="over the last DAYS days (default 7; 1: the last 24 hours)")

    p = add(
        "assign",
        cmd_assign,
        "hand scenes out to the team, one person a scene (advice, not a lock: anyone may still save any tile); "
        "with no scene, list who has which",
    )
    p.add_argument("scenes", nargs="*", metavar="SCENE", help="the scenes to hand out (`status --by-scene` lists them)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--to", metavar="NAME", help="the person to hand them to (an account's name where there are accounts)")
    who.add_argument("--nobody", action="store_true", help="take them back: handed out to no one")
    p.add_argument("--author", default=default_author(), help="who hands them out, for the audit trail")

    p = add(
        "copy-to-postgres",
        cmd_copy_to_postgres,
        "move a workspace to a team's PostgreSQL server: copy every record from its seep.db into an empty "
        "database (all or nothing); seep.db is kept as it was and refuses saves from then on",
    )
    p.add_argument(
        "url", nargs="?", help="the database, postgresql://USER@HOST/DB (default: --database-url or $SEEP_DATABASE_URL)"
    )
