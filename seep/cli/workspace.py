"""Commands on a workspace's images and labels: demo, import, export, check, status,
where, list, history, restore."""

from __future__ import annotations

import sys
from pathlib import Path

from seep.cli.common import NEEDS_ATTENTION, check_out, open_workspace, progress, stamp
from seep.errors import BadInputError, SeepError
from seep.workspace import STATUSES, ImageFilter
from seep.workspace.db import open_store
from seep.workspace.records import clean_author, counted


def cmd_demo(args) -> int:
    from seep.data.synthetic import DemoSpec
    from seep.workspace.demo import build_demo

    spec = DemoSpec(
        seed=args.seed,
        scenes=args.scenes,
        tiles_per_scene=args.tiles_per_scene,
        geo_scene=not args.no_geo_scene,
        installations=not args.no_geo_scene,  # as the app's first start makes it
    )
    ws = open_workspace(args, create=True)  # after the spec is checked: a refused demo leaves no empty workspace
    report = build_demo(ws, spec, on_progress=progress("demo"))
    print(f"demo workspace {ws.root}: {report.summary()}")
    return 0


def cmd_import(args) -> int:
    from seep.data.products import product_kind
    from seep.errors import BadInputError
    from seep.workspace.demo import mixing_warning
    from seep.workspace.importer import check_import, import_folder

    if not args.path.exists():  # said before any guess at what it was meant to be
        raise BadInputError(f"no file or folder at {args.path}")
    if args.path.is_file() or product_kind(args.path):  # a .SAFE folder is one scene: its VV (or HH) file
        return _import_scene(args)
    if args.scenes:
        return _import_scenes(args)
    if args.mask or args.scene or args.predict:
        raise BadInputError("--mask, --scene and --predict go with scenes (SCENE.tif, or a folder of them with --scenes)")
    check_import(args.path, args.author)  # an empty folder or a blank --author: no half import, no empty workspace
    table, unread = _folder_config(args.path)
    if unread and not open_store(Path(args.workspace)).exists():  # a new workspace's table is fixed for good
        raise BadInputError(f"{unread}; a new workspace would read the masks with another table: fix it, or remove it")
    ws = open_workspace(args, create=True, config=table)
    if unread:  # another tool's dataset.json beside the tiles must not stop an import into a workspace
        print(f"warning: {unread}; ignored: this workspace's own class table reads the masks", file=sys.stderr)
    if table is not None and _layout(table) != _layout(ws.config):
        print(
            f"warning: {args.path}'s dataset.json describes other data ({_layout(table)}) than this workspace's "
            f"({_layout(ws.config)}); its masks are read with the workspace's class table",
            file=sys.stderr,
        )
    if mixed := mixing_warning(ws):
        print(f"warning: {mixed}", file=sys.stderr)
    report = import_folder(ws, args.path, author=args.author, on_progress=progress("import"))
    for name, reason in report.skipped:
        print(f"skipped {name}: {reason}")
    if report.georeferenced:
        geo = report.georeferenced
        print(
            f"warning: {len(geo)} image(s) are georeferenced ({', '.join(geo[:3])}{', ...' if len(geo) > 3 else ''}): "
            "a folder import keeps their pixels, not their place on the map; "
            "`python -m seep import SCENE.tif` imports a georeferenced file as a scene, with its CRS",
            file=sys.stderr,
        )
    print(report.summary())
    return NEEDS_ATTENTION if report.skipped else 0


def _folder_config(path):
    """The dataset.json an export writes beside its tiles: a new workspace takes its class table
    (names and descriptions included), so an export imported elsewhere means the same. Returns
    (the config or None, why it could not be read or None)."""
    from seep.data.classes import DatasetConfig
    from seep.data.layout import IMAGES_DIR

    found = (path.parent if path.name == IMAGES_DIR else path) / "dataset.json"
    if not found.is_file():
        return None, None
    try:
        return DatasetConfig.load(found), None
    except (BadInputError, OSError, UnicodeDecodeError) as e:
        return None, str(e)


def _layout(config) -> str:
    """What decides how pixels and masks read: not the classes' names or colours."""
    return f"{len(config.classes)} classes, {config.channels} band(s), {config.tile_size}-px tiles, no-data {config.nodata}"


def _import_scene(args) -> int:
    from seep.data.acquired import parse_when
    from seep.data.geo import open_scene
    from seep.data.products import check_zipped, zipped_measurement, zipped_product
    from seep.workspace.scenes import import_scene

    for path, what in ((args.path, "scene"), (args.mask, "mask")):  # a file mistyped makes no empty workspace
        if path is not None:
            with open_scene(path, what):
                pass
    if zipped_product(args.path):  # nor a damaged download (found whole, it is not inflated again by the import)
        check_zipped(args.path, zipped_measurement(args.path)[0])
    if args.mask is not None:  # nor a blank --author for its labels
        clean_author(args.author)
    if args.acquired is not None:  # nor a mistyped time
        parse_when(args.acquired)
    ws = open_workspace(args, create=True)
    report = import_scene(
        ws,
        args.path,
        mask=args.mask,
        scene=args.scene,
        author=args.author,
        acquired=args.acquired,
        on_progress=progress(f"import {args.path.name}"),
    )
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(report.summary())
    _predict_imported(ws, args, report.scene)
    return 0


def _predict_imported(ws, args, name: str) -> None:
    """--predict: the scene just imported predicted (none is made when all its tiles were here)."""
    from seep.jobs.predict import predict_imported
    from seep.workspace.scenes import scene_names

    if args.predict and name in scene_names(ws):
        print(f"{name}: {predict_imported(ws, name, on_progress=progress(f'predict {name}'))}")


def _import_scenes(args) -> int:
    """Every scene of a folder, one after another; the files left out said with why (exit 3), those
    already in the workspace named on one line (no failure: the folder is read again each morning)."""
    from seep.workspace.scenes import already_in, import_scene, scenes_in_folder, unsearched

    if args.mask or args.scene or args.acquired:
        raise BadInputError(
            "a folder's scenes are named for their files, their masks beside them and their times read from them: leave out --mask, --scene and --acquired"
        )
    ws = open_workspace(args, create=True)
    found, skipped = scenes_in_folder(ws, args.path, args.author)
    present = [name for name, _ in skipped if already_in(ws, args.path / name)]
    skipped = [(name, why) for name, why in skipped if name not in present]
    for f in found:
        try:  # one scene that fails (undone whole, as any import is) does not stop the others
            report = import_scene(
                ws, f.path, mask=f.mask, scene=f.name, author=args.author, on_progress=progress(f"import {f.path.name}")
            )
        except SeepError as e:
            skipped.append((f.path.name, str(e)))
            continue
        for w in [*report.warnings, *filter(None, [f.left_out])]:
            print(f"warning: {w}", file=sys.stderr)
        print(report.summary())
        _predict_imported(ws, args, report.scene)
    for name, why in skipped:
        print(f"skipped {name}: {why}")
    if present:
        print(f"already in the workspace, or being imported now: {', '.join(present)}")
    if not found and not present:
        print(f"no scene imported: {args.path} holds no GeoTIFF scene to import{unsearched(args.path)}")
    return NEEDS_ATTENTION if skipped or not (found or present) else 0


def cmd_export_seeps(args) -> int:
    from seep.workspace.gis import export_seeps, prediction_model

    ws = open_workspace(args)
    args.source = _source(args)
    counts = export_seeps(ws, args.out, source=args.source, scenes=args.scene, model_id=args.model)
    per = ", ".join(f"{n} in {s}" for s, n in counts.items())
    print(f"exported {sum(counts.values())} seep polygons ({per}) from {args.source} to {args.out}")
    model = prediction_model(ws, args.model) if args.source == "predictions" else None
    for name in counts:
        _note_holes(ws, name, model, ", so the file says nothing about them")
    return 0


def cmd_seeps(args) -> int:
    """The Scene page's seeps list as text: a line per slick, largest first."""
    from seep.workspace.gis import prediction_model
    from seep.workspace.importer import printable
    from seep.workspace.scenes import acquired_times
    from seep.workspace.slicks import scene_slicks, slicks_csv

    ws = open_workspace(args)
    source = _source(args)
    model = prediction_model(ws, args.model) if source == "predictions" else None
    slicks = scene_slicks(ws, args.scene, source, model)
    if args.csv:
        sys.stdout.write(slicks_csv(slicks))
        return 0
    print(
        f"{counted(len(slicks), 'slick')} in {f'the predictions of {model}' if model else 'the labels'} of {printable(args.scene)}"
    )
    times = acquired_times(ws)
    for s in slicks:
        print(_slick_line(s, times))
    _note_holes(ws, args.scene, model, ", so this list says nothing about them")
    return 0


def cmd_report(args) -> int:
    """The Scene page's report, written where the analyst says."""
    from seep.workspace.importer import printable
    from seep.workspace.report import write_report

    ws = open_workspace(args)
    source = _source(args)
    report = write_report(ws, args.scene, args.out, source=source, model_id=args.model, author=args.author)
    print(f"wrote the report of {printable(args.scene)} ({counted(report.slicks, 'slick')} in the {source}) to {args.out}")
    _say_missing(report.missing, f"{report.missing} of {counted(report.tiles, 'tile')}", source)
    return 0


def _say_missing(missing: int, which: str, source: str) -> None:
    """A report's tiles with no label (or prediction): a hole in it, not sea free of seeps."""
    if missing:
        lack = "no prediction" if source == "predictions" else "no label"
        print(f"note: {which} {'has' if missing == 1 else 'have'} {lack} yet, as the report says")


def cmd_report_passes(args) -> int:
    """The passes of a window in one report: the morning's, to send."""
    from seep.workspace.importer import printable
    from seep.workspace.passes_report import passes_in, write_passes_report

    ws = open_workspace(args)
    window = _window(args)
    names = passes_in(ws, window, args.scene)
    source = _source(args)
    report = write_passes_report(ws, args.out, names, source, args.model, window=window, author=args.author)
    print(
        f"wrote the report of {counted(report.passes, 'pass', 'passes')} ({printable(', '.join(names))}; "
        f"{counted(report.slicks, 'slick')} in the {source}) to {args.out}"
    )
    _say_missing(report.missing, f"{counted(report.missing, 'tile')} of them", source)
    return 0


def cmd_sites(args) -> int:
    from seep.workspace.sites import export_sites

    ws = open_workspace(args)
    window = _window(args)
    sites = export_sites(ws, args.out, window)
    again = sum(1 for x in sites if len(x.scenes) > 1)
    slicks = sum(x.slicks for x in sites)
    passes = f" of the scenes {window}" if str(window) else ""
    print(
        f"wrote {counted(len(sites), 'seep site')} ({again} seen in more than one scene) from "
        f"{counted(slicks, 'reviewed slick')}{passes} to {args.out}"
    )
    return 0


def _window(args):
    """--acquired-since and --acquired-before as the passes they hold."""
    from seep.data.acquired import Window, iso, parse_when

    return Window(
        *(
            iso(parse_when(text, flag)) if text else None
            for text, flag in ((args.acquired_since, "--acquired-since"), (args.acquired_before, "--acquired-before"))
        )
    )


def _slick_line(s, times: dict[str, str | None]) -> str:
    """One slick of `seeps`: what a report gives of it, where to open it, where else it was seen
    (earliest pass first, with its day)."""
    from seep.workspace.importer import printable
    from seep.workspace.scenes import with_day

    parts = [printable(s.class_name), f"{s.area_km2:.3f} km2" if s.area_km2 is not None else f"{s.pixels} px"]
    if s.length_km is not None:
        parts += [f"{s.length_km:.2f} km long", f"{s.lat:.5f}, {s.lon:.5f}"]
    parts += [s.status, f"tile {s.image_id} at {s.tile_row},{s.tile_col}"]
    if s.mean_confidence is not None:
        parts.append(f"confidence {s.mean_confidence:.2f}")
    elif s.note:
        parts.append(f"note: {printable(s.note)}")
    if s.installation is not None:
        parts.append(f"nearest installation {printable(s.nearest_installation())}")
    if s.vessel is not None:
        parts.append(f"nearest vessel at the pass {printable(s.nearest_vessel())}")
    if s.seen_in:
        seen = (printable(with_day(n, times)) for n in s.seen_in)
        parts.append(f"also seen in {', '.join(seen)}" + (f"  first seen {s.first_seen[:10]}" if s.first_seen else ""))
    return "  ".join(parts)


def _source(args) -> str:
    """What a map export draws. --model names whose predictions, so it implies them (it was
    ignored, and the labels went out under the name of a model's export)."""
    if args.model and args.source == "labels":
        raise BadInputError(f"--model {args.model} names whose predictions to read; leave out --source labels")
    return args.source or ("predictions" if args.model else "labels")


def _note_holes(ws, name: str, model: str | None, meaning: str) -> None:
    """An unlabelled or unpredicted tile is a hole in an exported map, not sea free of seeps: say
    how many there are."""
    from seep.workspace.gis import tiles_left_out

    missing, tiles = tiles_left_out(ws, name, model)
    if missing:
        lack = f"no prediction by {model}" if model else "no label"
        print(f"note: {missing} of {counted(tiles, 'tile')} of {name} {'has' if missing == 1 else 'have'} {lack} yet{meaning}")


def cmd_import_seeps(args) -> int:
    """Into the scene named, or each scene the file names (an export of several comes back whole),
    one import each: a scene that refuses its polygons is said and the others go on."""
    from seep.workspace.gis_import import import_seeps, scenes_in

    ws = open_workspace(args)
    names = [args.scene] if args.scene else scenes_in(ws, Path(args.path), args.layer)
    if not names:
        raise BadInputError(
            f"{args.path} does not say which scene its polygons are of (no scene field naming a scene of this workspace): "
            "name it with --scene S (`status --by-scene` lists them)"
        )
    refused, options = 0, {"layer": args.layer, "class_field": args.class_field, "class_id": args.class_id}
    for name in names:
        try:
            report = import_seeps(ws, args.path, scene_name=name, author=args.author, **options)
        except BadInputError as e:
            if len(names) == 1:
                raise
            print(f"error: scene {name}: {e}", file=sys.stderr)
            refused += 1
            continue
        print(report.summary())
        if args.scene and (elsewhere := report.elsewhere()):
            print(elsewhere)
        if report.tiles:
            print(f"a wrong file? `python -m seep undo-import-seeps --scene {report.scene}` puts those tiles back as they were")
    return 1 if refused else 0


def cmd_undo_import_seeps(args) -> int:
    from seep.workspace.batches import undo_last_import

    print(undo_last_import(open_workspace(args), args.scene, args.author).summary())
    return 0


def cmd_export(args) -> int:
    from seep.workspace.export import export_labels

    ws = open_workspace(args)
    if args.geotiff:
        return _export_geotiff(ws, args)
    if args.source == "predictions" or args.model:
        raise BadInputError("--source and --model go with --geotiff: a dataset export holds the labels")
    n_images, n_masks = export_labels(ws, args.out, scenes=args.scene, on_progress=progress("export"))
    print(f"exported {counted(n_images, 'image')} and {counted(n_masks, 'mask')} to {args.out} (manifest.csv lists them)")
    return 0


def _export_geotiff(ws, args) -> int:
    from seep.workspace.gis import export_masks_geotiff, prediction_model

    check_out(args.out, "OUT")  # <scene>.tif among the workspace's records
    args.source = _source(args)
    model = prediction_model(ws, args.model) if args.source == "predictions" else None
    for path in export_masks_geotiff(ws, args.out, source=args.source, scenes=args.scene, model_id=model):
        print(f"wrote {path}")
        _note_holes(ws, path.stem, model, f"; they are no-data (255) in {path.name}")
    return 0


def cmd_check(args) -> int:
    from dataclasses import replace

    from seep.workspace import doctor

    ws = open_workspace(args)
    up = doctor.repair(ws) if args.repair else replace(doctor.check(ws), raw=doctor.raw_masks(ws))
    for line in up.lines(ws.root) + up.raw_lines():
        print(line)
    removable = len(up.orphans) + len(up.leftovers)
    damaged = bool(up.missing) or up.integrity != "ok"
    if up.raw and not args.repair:  # not wrong, only bigger than it need be: the exit status stays
        print(f"{counted(len(up.raw), 'mask')} can be deflated with `python -m seep check --repair` (the same pixels)")
    if up.clean:
        print("workspace is consistent: every file has its record and every record its file")
    elif args.repair:
        print(f"removed {counted(removable, 'file')}" + ("; what is MISSING or DAMAGED above needs a backup" if damaged else ""))
    else:
        print(f"{counted(removable, 'file')} can be removed with `python -m seep check --repair`")
    return NEEDS_ATTENTION if damaged or (removable and not args.repair) else 0


def cmd_backup(args) -> int:
    from seep.workspace.backup import backup

    ws = open_workspace(args)
    done = backup(ws, args.dest)
    alone = " and no --database-url (its records are in its own seep.db)" if ws.store.dialect == "postgres" else ""
    print(
        f"backed up the records and {counted(done.files, 'file')} ({done.bytes / 2**20:.1f} MiB) to {done.dest}; "
        f"open it with --workspace {done.dest}{alone}"
    )
    return 0


def cmd_status(args) -> int:
    ws = open_workspace(args)
    if args.by_scene:
        return _status_by_scene(ws)
    counts = ws.status_counts()
    width = max(map(len, STATUSES))
    for status, n in counts.items():
        print(f"{status:<{width}}  {n}")
    print(f"{'total':<{width}}  {sum(counts.values())}")
    return 0


def _status_by_scene(ws) -> int:
    """Browse's Scenes view as text: where the review stands in each scene, when it was acquired
    and who it is handed to (last: a name may hold spaces)."""
    from seep.workspace.assignments import assignments
    from seep.workspace.importer import printable
    from seep.workspace.scene_view import scene_summaries

    rows = scene_summaries(ws)
    if not rows:
        print("no tiles in this workspace yet")
        return 0
    held = assignments(ws)
    width = max([len("scene"), *(len(printable(x.name)) for x in rows)])
    statuses = "  ".join(f"{s:>10}" for s in STATUSES)
    print(f"{'scene':<{width}}  {'tiles':>6}  {'reviewed':>8}  {statuses}  {'acquired':<20}  handed to")
    for x in rows:
        counts = "  ".join(f"{x.statuses[s]:>10}" for s in STATUSES)
        when = x.acquired or ("unknown" if x.georeferenced else "-")  # ISO: one word, sorts as time
        who = printable(held[x.name].person) if x.name in held else "-"
        print(f"{printable(x.name):<{width}}  {x.tiles:>6}  {x.reviewed / x.tiles:>8.0%}  {counts}  {when:<20}  {who}")
    return 0


def cmd_acquired(args) -> int:
    """When a scene was acquired, and where that was read; with WHEN, set it."""
    from seep.data.acquired import shown
    from seep.workspace.importer import printable
    from seep.workspace.scenes import scene, set_acquired

    ws = open_workspace(args)
    if args.when is not None:
        set_acquired(ws, args.scene, args.when, clean_author(args.author))
    sc = scene(ws, args.scene)
    if sc.acquired:
        print(f"{printable(sc.name)} acquired {shown(sc.acquired)} ({printable(sc.acquired_from)})")
    else:
        print(
            f"{printable(sc.name)}: when it was acquired is unknown; set it with `acquired {printable(sc.name)} 2023-01-05T03:15Z`"
        )
    return 0


def cmd_remarks(args) -> int:
    """A scene's remarks for its report; with TEXT (or --clear), replace them."""
    from seep.data.acquired import shown
    from seep.workspace.importer import printable
    from seep.workspace.remarks import remarks, set_remarks

    ws = open_workspace(args)
    if args.text is not None and args.clear:
        raise BadInputError("give the remarks or --clear, not both")
    if args.text is not None or args.clear:
        set_remarks(ws, args.scene, "" if args.clear else args.text, args.author)
    r = remarks(ws, args.scene)
    if not r.text:
        print(f'{printable(args.scene)} has no remarks; write them with `remarks {printable(args.scene)} "TEXT"`')
        return 0
    print(f"{printable(args.scene)}, remarks by {printable(r.by)}, {shown(r.at)}:")
    for line in r.text.split("\n"):
        print(f"  {printable(line)}")
    return 0


def cmd_rename_scene(args) -> int:
    from seep.workspace.importer import printable
    from seep.workspace.scene_edits import rename_scene

    new = rename_scene(open_workspace(args), args.scene, args.new, args.author)
    print(printable(f"renamed scene {args.scene} to {new}"))
    return 0


def cmd_remove_scene(args) -> int:
    """Take away a scene imported by mistake; what it held is said, or why it is kept."""
    from seep.workspace.importer import printable
    from seep.workspace.scene_edits import remove_scene

    gone = remove_scene(open_workspace(args), args.scene, args.author)
    print(printable(f"removed scene {gone.scene}: {gone}"))
    return 0


def cmd_reach(args) -> int:
    from seep.workspace.recurrence import reach_m, set_reach

    ws = open_workspace(args)
    if args.km is not None:
        set_reach(ws, args.km, args.author)
    print(f"another pass's slick within {reach_m(ws) / 1000:g} km of a scene's is the same seep seen again")
    return 0


def cmd_positions(args) -> int:
    from seep.workspace.places import POSITION_FORMATS, position_format, set_position_format

    ws = open_workspace(args)
    if args.how is not None:
        set_position_format(ws, args.how, args.author)
    print(f"places are written in {POSITION_FORMATS[position_format(ws)]}")
    return 0


def cmd_installations(args) -> int:
    """The team's installations: which file they came from, or load a new one, or remove them."""
    from seep.workspace.importer import printable
    from seep.workspace.installations import NEAR_KM, clear_installations, load_installations, loaded

    ws = open_workspace(args)
    if args.clear:
        print(f"removed {counted(clear_installations(ws, args.author), 'installation')}")
        return 0
    if args.file is not None:
        load_installations(ws, args.file, args.author, name_field=args.name_field, layer=args.layer)
    now = loaded(ws)
    if now is None:
        print("no installations loaded: the seeps list names none beside its slicks")
        return 0
    print(
        printable(
            f"{now.described()} from {now.file}, loaded by {now.by} at {now.at}; each slick's "
            f"nearest within {NEAR_KM} km is named beside it"
        )
    )
    return 0


def cmd_vessels(args) -> int:
    """AIS positions near the passes: load a CSV of them, say what was last loaded, or remove them."""
    from seep.workspace.importer import printable
    from seep.workspace.vessels import VESSEL_KM, clear_vessels, load_vessels, loaded

    ws = open_workspace(args)
    if args.clear:
        print(f"removed {counted(clear_vessels(ws, args.author), 'AIS position')}")
        return 0
    if args.file is not None:
        print(printable(load_vessels(ws, args.file, args.author).summary()))
        return 0
    if args.scene is not None:
        return _vessels_at(ws, args.scene, args.geojson)
    if args.geojson is not None:
        raise BadInputError("--geojson writes the vessels of one pass: name its scene with --scene")
    last = loaded(ws)
    print(
        printable(
            f"last AIS: {last.summary()}, by {last.by} at {last.at}; each slick's nearest vessel within {VESSEL_KM} km is named"
        )
        if last
        else "no AIS loaded: the seeps list names no vessel beside its slicks"
    )
    return 0


def _vessels_at(ws, name: str, geojson: Path | None) -> int:
    """`vessels --scene`: a line per vessel placed at the pass, in MMSI order."""
    from seep.workspace.importer import printable
    from seep.workspace.places import position_format, written
    from seep.workspace.scenes import scene
    from seep.workspace.vessels import at_pass, missed, vessels_geojson

    sc = scene(ws, name)
    if sc.acquired is None:
        raise BadInputError(f"when scene {name} was acquired is unknown: set it (`acquired {name} WHEN`) to place vessels at it")
    if missed(ws, sc):
        print(f"scene {name} was not here with its time when AIS was last loaded: load the day's AIS again (`vessels FILE`)")
        return NEEDS_ATTENTION
    how = position_format(ws)
    placed = at_pass(ws, sc)
    for v in placed:
        said = ", ".join(part for part in (written(v.lon, v.lat, how), v.how, v.motion) if part)
        print(printable(f"{v.label}: {said}"))
    if not placed:
        print(f"no vessel placed at the pass of {name} ({sc.acquired})")
    elif geojson is not None:
        _write_new(geojson, vessels_geojson(ws, sc))
        print(printable(f"wrote {counted(len(placed), 'vessel')} and their tracks to {geojson}"))
    return 0


def _write_new(out: Path, data: bytes) -> None:
    """OUT written whole, where nothing is: a file there already is the analyst's, and stays."""
    from seep.data.geo import replace_atomically

    if out.exists():
        raise BadInputError(f"{out} exists: give another name")
    replace_atomically(out, lambda tmp: tmp.write_bytes(data))


def cmd_where(args) -> int:
    """Which scenes and tiles hold a place from a report: a line per scene, the tile's id first
    (what `history` and the app's /review?image= take)."""
    from seep.workspace.importer import printable
    from seep.workspace.places import find_place

    ws = open_workspace(args)
    found = find_place(ws, " ".join(args.place))
    print(found.summary() if not found.places else f"{found.point}{found.point.how()}")
    for p in found.places:
        tile = (
            f"{p.image_id}  {printable(p.tile_name)}  row {p.tile_row}, column {p.tile_col}"
            if p.image_id
            else "no tile (only no-data there)"
        )
        print(f"{printable(p.scene)}  {tile}  (scene row {p.row:,}, column {p.col:,})")
    return 0 if found.places else NEEDS_ATTENTION


def cmd_list(args) -> int:
    from seep.learn.shipped import SHIPPED_MODEL
    from seep.workspace.installations import nearest_to_tiles
    from seep.workspace.registry import active_model_id

    ws = open_workspace(args)
    _check_list_args(ws, args, SHIPPED_MODEL.stem)
    flt = ImageFilter(
        status=tuple(args.status) if args.status else None,
        scene=tuple(args.scene) if args.scene else None,
        class_present=args.has_class,
        name_contains=args.name,
        has_prediction=None if args.predicted is None else args.predicted == "yes",
        noted=args.noted,
        saved_by=args.saved_by,
        assigned_to=args.assigned_to,
        acquired_since=(window := _window(args)).since,
        acquired_before=window.before,
        installation_km=args.installation_within,
        sort=args.sort,
        model=args.model or active_model_id(ws) or SHIPPED_MODEL.stem,  # the model Browse reads
    )
    total = ws.count_images(flt)
    records = ws.list_images(flt, offset=args.offset, limit=args.limit)
    notes = {i: lv.note for i, lv in ws.head_versions([r.id for r in records]).items()} if args.noted else {}
    near = nearest_to_tiles(ws, [r.id for r in records]) if args.installation_within is not None else {}
    for rec in records:
        head = f"v{rec.head_version}" if rec.head_version else "-"
        note = f"  note: {notes[rec.id]}" if rec.id in notes else ""
        place = f"  installation {near[rec.id]}" if rec.id in near else ""
        print(f"{rec.id}  {rec.name:<24} {rec.scene:<10} {rec.status:<11} {head:>5}  seep px {rec.seep_pixels}{place}{note}")
    print(f"{total} {'image matches' if total == 1 else 'images match'}")
    return 0


def _check_list_args(ws, args, shipped: str) -> None:
    """A scene, class or model the workspace lacks is a typo to name, not a list to print as if all were well."""
    from seep.workspace.assignments import assignments
    from seep.workspace.filters import SORTS, reads_predictions
    from seep.workspace.installations import loaded
    from seep.workspace.registry import get_model

    unknown = sorted(set(args.scene or ()) - set(ws.scenes()))
    if unknown:
        raise BadInputError(f"--scene {', '.join(unknown)}: no such scene; this workspace's scenes are {', '.join(ws.scenes())}")
    if args.saved_by is not None and args.saved_by not in (authors := ws.head_authors()):
        raise BadInputError(
            f"--saved-by {args.saved_by}: no tile's newest label is theirs; those saved by "
            + (", ".join(authors) if authors else "nobody yet")
        )
    if args.assigned_to is not None and args.assigned_to not in (held := {a.person for a in assignments(ws).values()}):
        raise BadInputError(
            f"--assigned-to {args.assigned_to}: no scene is handed out to them; scenes are handed out to "
            + (", ".join(sorted(held)) if held else "nobody yet")
        )
    if args.installation_within is not None and loaded(ws) is None:  # else every tile is "too far": an empty list
        raise BadInputError("--installation-within: no installations are loaded; `python -m seep installations FILE` loads them")
    if args.has_class is not None and not 0 <= args.has_class < len(ws.classes):
        named = ", ".join(f"{c.id} {c.name}" for c in ws.classes)
        raise BadInputError(f"--has-class {args.has_class}: no such class; this workspace's classes are {named}")
    # A model is known by its record or by predictions (`predict-all --model FILE` keeps them
    # under the file's name, unregistered); the shipped one predicts before it is registered.
    if args.model and args.model != shipped and not ws.predicted(ws.image_ids(), args.model):
        get_model(ws, args.model)
    if args.model and args.predicted is None and not reads_predictions(args.sort):  # it listed every image, as if filtered
        raise BadInputError(
            f"--model {args.model} names whose predictions --predicted and the prediction sorts read "
            f"({', '.join(s for s in SORTS if reads_predictions(s))}); add one of them"
        )


def cmd_history(args) -> int:
    from seep.workspace.batches import batched_versions
    from seep.workspace.importer import printable
    from seep.workspace.review import reviews

    ws = open_workspace(args)
    image = ws.image(args.image)
    versions, imported = ws.history(image.id), batched_versions(ws, image.id)
    verdicts = reviews(ws, image.id)
    print(f"{image.name} ({image.id}), scene {image.scene}, status {image.status}")
    if not versions:
        print("no label versions yet")
    for lv in versions:
        parent = f"from v{lv.parent}" if lv.parent else "first"
        print(f"v{lv.version:<3} {stamp(lv.created_at)}  {lv.author:<20} {lv.describe:<24} {parent}")
        if lv.version in imported:
            how = imported[lv.version]
            print(f"     {how}" + (": not the current label (`restore` brings it back)" if how.undone else ""))
        if lv.note:
            print(f"     note: {lv.note}")
        for r in (r for r in verdicts if r["version"] == lv.version):  # the reviewer's word on it, newest first
            said = f": {printable(r['comment'])}" if r["comment"] else ""  # a return comment may hold line breaks
            print(f"     {r['verdict']} by {printable(r['reviewer'])} {stamp(r['at'])}{said}")
    return 0


def cmd_restore(args) -> int:
    ws = open_workspace(args)
    lv = ws.restore(args.image, args.version, author=args.author)
    print(f"restored v{args.version} of {args.image} as v{lv.version}")
    return 0
