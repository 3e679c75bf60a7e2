"""How long a team's move to PostgreSQL keeps the workspace closed: `seep copy-to-postgres`
on a workspace the size of years of review; and how long `seep backup` of it from the server
holds the write lock (saves wait) while it reads every record into a new seep.db.

    python benchmarks/bench_copy.py [--images 100000] [--versions 3]

Fills a new SQLite workspace with --images image rows, --versions label versions each (two
class counts per version) and an audit entry per version, written straight into seep.db (the
copy reads rows, not rasters, so no raster is written), then copies it into an empty database
on a throwaway PostgreSQL server (tests/pg_cluster.py, fsync off: a real server with fsync
on is slower by its disk). Prints the rows copied, the seconds, and rows per second, each
way. No target: the figures tell an admin how long to stop the app for, and how long saves
wait on a backup (its files are copied after the lock, and are not part of this figure).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from pg_cluster import Cluster  # noqa: E402

from seep.workspace import Workspace  # noqa: E402
from seep.workspace.backup import _snapshot_postgres  # noqa: E402
from seep.workspace.to_postgres import copy_to_postgres  # noqa: E402

AT = "2026-11-29T00:00:00+00:00"


def fill(db: Path, images: int, versions: int) -> None:
    ids = [f"{i:016x}" for i in range(images)]
    with sqlite3.connect(db) as s:
        s.executemany(
            "INSERT INTO images (id, name, scene, checksum, height, width, channels, dtype, file, origin, status, "
            "head_version, imported_at) VALUES (?, ?, ?, ?, 256, 256, 1, 'float32', ?, 'bench', 'accepted', ?, ?)",
            [(i, f"t{n}", f"s{n % 50}", i, f"images/{i}.tif", versions, AT) for n, i in enumerate(ids)],
        )
        s.executemany(
            "INSERT INTO label_versions (image_id, version, parent, author, source, created_at, checksum, file, note) "
            "VALUES (?, ?, ?, 'ana', 'edited', ?, 'c', ?, 'low wind?')",
            [(i, v, v - 1 or None, AT, f"labels/{i}/v{v:04d}.tif") for i in ids for v in range(1, versions + 1)],
        )
        s.executemany(
            "INSERT INTO label_classes VALUES (?, ?, ?, 100)",
            [(i, v, c) for i in ids for v in range(1, versions + 1) for c in (0, 1)],
        )
        s.executemany(
            "INSERT INTO audit (at, actor, action, target) VALUES (?, 'ana', 'save', ?)",
            [(AT, i) for i in ids for _ in range(versions)],
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=100_000)
    ap.add_argument("--versions", type=int, default=3)
    args = ap.parse_args()
    if args.images < 1 or args.versions < 1:
        ap.error("--images and --versions must be at least 1")
    os.environ.pop("SEEP_DATABASE_URL", None)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "ws")
        fill(ws.db_path, args.images, args.versions)
        cluster = Cluster().start()
        try:
            url = cluster.new_database()
            t = time.perf_counter()
            counts = copy_to_postgres(ws.root, url)
            seconds = time.perf_counter() - t
            os.environ["SEEP_DATABASE_URL"] = url
            t = time.perf_counter()
            _snapshot_postgres(Workspace(ws.root, create=False), Path(tmp) / "back.db")
            back = time.perf_counter() - t
        finally:
            cluster.stop()
    rows = sum(counts.values())
    print(f"copied {rows:,} rows ({args.images:,} images, {counts['label_versions']:,} label versions) in {seconds:.1f} s")
    print(f"{rows / seconds:,.0f} rows/s")
    print(f"backup from the server: the same rows into a new seep.db in {back:.1f} s ({rows / back:,.0f} rows/s), saves waiting")


if __name__ == "__main__":
    main()
