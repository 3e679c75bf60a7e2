"""Workspace speed: importing the 616 shared CGG tiles, paging a filtered list of 10,000
images, and accepting a page of predictions from Browse's grid.

    python benchmarks/bench_workspace.py

Targets (2-core machine): import under 20 s; a filtered page of 10,000 images under 200 ms;
a page of 96 predictions accepted from the grid under 3 s (the reviewer waits on the click).
The 10,000 rows are synthetic (no pixels are needed to measure the query path), and so are
the 96 tiles accepted.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seep.workspace import ImageFilter, Workspace  # noqa: E402
from seep.workspace.importer import import_folder  # noqa: E402

REAL = Path(__file__).resolve().parents[2] / "shared/data/cgg-seep"


def bench_import(tmp: Path) -> None:
    if not (REAL / "train_images_256").is_dir():
        print(f"import: skipped, no real tiles at {REAL}")
        return
    ws = Workspace(tmp / "import")
    t = time.perf_counter()
    r = import_folder(ws, REAL, author="bench")
    dt = time.perf_counter() - t
    print(f"import of {r.added} tiles + {r.masks_added} masks: {dt:.2f} s (target 20 s, ratio {dt / 20:.2f})")
    t = time.perf_counter()
    import_folder(ws, REAL, author="bench")
    print(f"re-import (all already present): {time.perf_counter() - t:.2f} s")


def fill(ws: Workspace, n: int) -> None:
    """10,000 image rows with labels of random classes and most with a prediction, inserted directly (no pixels)."""
    rng = np.random.default_rng(0)
    statuses = ["unlabelled", "predicted", "in_review", "corrected", "accepted"]
    with ws.connect(write=True) as con:
        for i in range(n):
            iid = f"{i:016x}"
            status = statuses[rng.integers(0, 5)]
            labelled = status != "unlabelled"
            con.execute(
                "INSERT INTO images (id, name, scene, checksum, height, width, channels, dtype, file, origin, status, "
                "head_version, seep_pixels, imported_at) VALUES (?,?,?,?,256,256,1,'uint16','x','bench',?,?,?,'t')",
                (
                    iid,
                    f"{i // 50:06d}.{i:06d}",
                    f"{i // 50:06d}",
                    iid,
                    status,
                    1 if labelled else None,
                    int(rng.integers(0, 3000)) if labelled else 0,
                ),
            )
            if rng.random() < 0.8:  # most predicted by the active model: the review queue reads its doubt
                con.execute(
                    "INSERT INTO predictions VALUES (?, 'm', 'x', ?, ?, 't')",
                    (iid, int(rng.integers(0, 3000)), float(rng.random())),
                )
            if labelled:
                saved = f"2026-11-{1 + i % 28:02d}T{rng.integers(0, 24):02d}:{rng.integers(0, 60):02d}:00.000+00:00"
                con.execute(
                    "INSERT INTO label_versions (image_id, version, author, source, created_at, checksum, file, note) "
                    "VALUES (?, 1, 'bench', 'edited', ?, 'x', 'x', ?)",
                    (iid, saved, "unsure of the tail" if rng.random() < 0.05 else ""),  # a few saved with a note
                )
                for c in {0, *rng.integers(1, 8, rng.integers(0, 3)).tolist()}:
                    con.execute("INSERT INTO label_classes VALUES (?,1,?,100)", (iid, c))


def bench_listing(tmp: Path, n: int = 10_000) -> None:
    ws = Workspace(tmp / "list")
    fill(ws, n)
    cases = {
        "first page, no filter": (ImageFilter(), 0),
        "status=accepted, page 20": (ImageFilter(status=("accepted",)), 20 * 50),
        "class 7 present, largest seep first": (ImageFilter(class_present=7, sort="largest_seep"), 0),
        "3 scenes + corrected/accepted": (
            ImageFilter(scene=("000010", "000100", "000150"), status=("corrected", "accepted")),
            0,
        ),
        "name contains '0123', last page": (ImageFilter(name_contains="0123"), 0),
        "most useful next (review queue), page 20": (ImageFilter(sort="most_useful", model="m"), 20 * 50),
        "newest label first, page 20": (ImageFilter(sort="recently_saved"), 20 * 50),
        "unlabelled, least confident first": (ImageFilter(status=("unlabelled",), sort="least_confident", model="m"), 0),
        "open sea first (least predicted), page 20": (ImageFilter(sort="smallest_predicted", model="m"), 20 * 50),
        "with a note": (ImageFilter(noted=True), 0),
    }
    print(f"filtered page of 50 from {ws.count_images()} images (median of 20, count + page, target 200 ms):")
    for label, (flt, offset) in cases.items():
        times = []
        for _ in range(20):
            t = time.perf_counter()
            total = ws.count_images(flt)
            ws.list_images(flt, offset=offset, limit=50)
            times.append(time.perf_counter() - t)
        med = statistics.median(times) * 1000
        print(f"  {label:<40} {med:7.2f} ms  ({total} match; ratio to target {med / 200:.3f})")


def bench_grid_accept(tmp: Path, n: int = 96) -> None:
    """A reviewer's Accept on a page of 96 ticked tiles: each gets the model's prediction as an
    accepted version (a TIFF written, a transaction, an audit entry), as in Browse."""
    from seep.workspace.review import accept_predictions

    ws = Workspace(tmp / "accept")
    rng = np.random.default_rng(1)
    ids = []
    for i in range(n):
        rec, _ = ws.add_image(rng.integers(100, 60000, (256, 256), dtype=np.uint16), name=f"sea.{i:04d}", scene="sea")
        ws.save_prediction(rec.id, "m", np.zeros((256, 256), np.uint8), np.ones((256, 256), np.float32), 0.05)
        ids.append(rec.id)
    t = time.perf_counter()
    done, left = accept_predictions(ws, ids, "m", author="bench")
    dt = time.perf_counter() - t
    assert done == n and not left, left
    print(f"accept {n} predictions from the grid: {dt:.2f} s, {dt / n * 1000:.1f} ms a tile (target 3 s, ratio {dt / 3:.2f})")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as d:
        bench_import(Path(d))
        bench_listing(Path(d))
        bench_grid_accept(Path(d))
