"""`python -m seep`: the same library calls the app makes, from a terminal.

An expected error (SeepError) prints one line and exits 1; anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from seep.errors import SeepError
from seep.workspace import STATUSES, ImageFilter, Workspace, default_author, default_path


def progress(label: str) -> Callable[[int, int], None]:
    """A tqdm-like line on stderr, redrawn at most 10 times a second; only the last line
    when stderr is not a terminal (logs, CI)."""
    last = [0.0]
    tty = sys.stderr.isatty()
    start = time.monotonic()

    def update(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and (not tty or now - last[0] < 0.1):
            return
        last[0] = now
        rate = done / max(now - start, 1e-9)
        end = "\n" if done >= total else ""
        print(f"{chr(13) if tty else ''}{label}: {done}/{total} ({rate:.0f}/s)", end=end, file=sys.stderr, flush=True)

    return update


def _workspace(args, *, create: bool = False) -> Workspace:
    return Workspace(args.workspace, create=create)


def cmd_demo(args) -> int:
    from seep.data.synthetic import DemoSpec
    from seep.workspace.demo import build_demo

    ws = _workspace(args, create=True)
    spec = DemoSpec(seed=args.seed, scenes=args.scenes, tiles_per_scene=args.tiles_per_scene)
    report = build_demo(ws, spec, on_progress=progress("demo"))
    print(f"demo workspace {ws.root}: {report.summary()}")
    return 0


def cmd_import(args) -> int:
    from seep.workspace.importer import import_folder

    ws = _workspace(args, create=True)
    report = import_folder(ws, args.path, author=args.author, on_progress=progress("import"))
    for name, reason in report.skipped:
        print(f"skipped {name}: {reason}")
    print(report.summary())
    return 0


def cmd_export(args) -> int:
    from seep.workspace.export import export_labels

    ws = _workspace(args)
    n_images, n_masks = export_labels(ws, args.out, on_progress=progress("export"))
    print(f"exported {n_images} images and {n_masks} masks to {args.out} (manifest.csv lists them)")
    return 0


def cmd_status(args) -> int:
    ws = _workspace(args)
    counts = ws.status_counts()
    width = max(map(len, STATUSES))
    for status, n in counts.items():
        print(f"{status:<{width}}  {n}")
    print(f"{'total':<{width}}  {sum(counts.values())}")
    return 0


def cmd_list(args) -> int:
    ws = _workspace(args)
    flt = ImageFilter(
        status=tuple(args.status) if args.status else None,
        scene=tuple(args.scene) if args.scene else None,
        class_present=args.has_class,
        name_contains=args.name,
        sort=args.sort,
    )
    total = ws.count_images(flt)
    for rec in ws.list_images(flt, offset=args.offset, limit=args.limit):
        head = f"v{rec.head_version}" if rec.head_version else "-"
        print(f"{rec.id}  {rec.name:<24} {rec.scene:<10} {rec.status:<11} {head:>5}  seep px {rec.seep_pixels}")
    print(f"{total} images match")
    return 0


def cmd_history(args) -> int:
    ws = _workspace(args)
    image = ws.image(args.image)
    versions = ws.history(image.id)
    print(f"{image.name} ({image.id}), scene {image.scene}, status {image.status}")
    if not versions:
        print("no label versions yet")
    for lv in versions:
        parent = f"from v{lv.parent}" if lv.parent else "first"
        print(f"v{lv.version:<3} {lv.created_at}  {lv.author:<20} {lv.describe:<24} {parent}")
    return 0


def cmd_restore(args) -> int:
    ws = _workspace(args)
    lv = ws.restore(args.image, args.version, author=args.author)
    print(f"restored v{args.version} of {args.image} as v{lv.version}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--workspace", type=Path, default=default_path(), help="workspace folder (default ./workspace or $SEEP_WORKSPACE)"
    )
    ap = argparse.ArgumentParser(prog="python -m seep", description="Review and learn oil-seep segmentations of SAR tiles.")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(func=func)
        return p

    p = add("demo", cmd_demo, "create (or top up) a workspace of synthetic SAR demo tiles")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--scenes", type=int, default=6)
    p.add_argument("--tiles-per-scene", type=int, default=8)

    p = add("import", cmd_import, "import TIFFs: the exercise layout (train_images_256/ + train_masks_256/) or a folder")
    p.add_argument("path", type=Path)
    p.add_argument("--author", default=default_author(), help="author recorded on imported masks")

    p = add("export", cmd_export, "write current labels as uint8 TIFFs in the exercise layout plus manifest.csv")
    p.add_argument("out", type=Path)

    add("status", cmd_status, "count images per review status")

    p = add("list", cmd_list, "list images, filtered and sorted")
    p.add_argument("--status", action="append", choices=STATUSES)
    p.add_argument("--scene", action="append")
    p.add_argument("--has-class", type=int, metavar="ID", help="head label contains this class")
    p.add_argument("--name", help="name contains")
    p.add_argument("--sort", default="name", choices=["name", "scene", "largest_seep", "smallest_seep"])
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--limit", type=int, default=50)

    p = add("history", cmd_history, "list the label versions of an image")
    p.add_argument("image", help="image id or name")

    p = add("restore", cmd_restore, "make an old label version the newest again (as a new version)")
    p.add_argument("image", help="image id or name")
    p.add_argument("version", type=int)
    p.add_argument("--author", default=default_author())
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SeepError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `python -m seep list | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted; nothing half-written is left behind", file=sys.stderr)
        return 130
