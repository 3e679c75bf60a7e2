"""Processes saving to the same few tiles at once, and the check that nothing was lost.

`python tests/savers.py ROOT SECONDS NAME` saves, until SECONDS are up, a new label on a
random tile of the workspace at ROOT on top of the version it just read (an analyst saving
what they opened), and prints one JSON line: the saves acknowledged and the conflicts
refused. The store comes from SEEP_DATABASE_URL, as for Seep itself. Used by
tests/test_team.py (a few seconds) and benchmarks/bench_load.py (30 s).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def make_tiles(ws, n: int = 5) -> None:
    """`n` speckled tiles (no no-data), each with an imported empty label v1."""
    from helpers import sar_tile

    for i in range(n):
        rec, _ = ws.add_image(sar_tile(i), name=f"t{i}", scene="s")
        ws.save_label(rec.id, np.zeros((64, 64), np.uint8), parent=None, author="importer")


def save_for(root: str, seconds: float, name: str) -> dict:
    from seep.errors import ConflictError
    from seep.workspace import Workspace

    ws = Workspace(root, create=False)
    ids = ws.image_ids()
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    acks, conflicts = [], 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        image_id = str(rng.choice(ids))
        head = ws.image(image_id).head_version
        mask = np.zeros((64, 64), np.uint8)
        r, c = rng.integers(0, 56, 2)
        mask[r : r + 8, c : c + 8] = rng.integers(1, 8)
        try:
            v = ws.save_label(image_id, mask, parent=head, author=name)
            acks.append([image_id, v.version, v.checksum])
        except ConflictError:
            conflicts += 1
    return {"name": name, "acks": acks, "conflicts": conflicts}


def run_savers(root: Path, processes: int, seconds: float) -> list[dict]:
    """Start the savers together, wait for all; their reports."""
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, str(root), str(seconds), f"saver{i}"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=seconds + 120)
        if p.returncode != 0:
            raise AssertionError(f"a saver failed: {err[-2000:]}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def lost_versions(ws, reports: list[dict]) -> list[str]:
    """Every acknowledged save must be in the history as it was acknowledged, each tile's
    versions 1..n with no gap, and no version nobody was told about."""
    problems, stored = [], set()
    acked = {(image_id, version): (r["name"], checksum) for r in reports for image_id, version, checksum in r["acks"]}
    for image_id in ws.image_ids():
        history = {v.version: v for v in ws.history(image_id)}
        stored |= {(image_id, number) for number in history}
        if sorted(history) != list(range(1, len(history) + 1)):
            problems.append(f"{image_id}: versions {sorted(history)} have a gap")
        for number, v in history.items():
            who = acked.get((image_id, number))
            if who is None and v.author.startswith("saver"):
                problems.append(f"{image_id} v{number} by {v.author} was never acknowledged")
            elif who is not None and who != (v.author, v.checksum):
                problems.append(f"{image_id} v{number}: acknowledged to {who[0]}, stored as {v.author}'s")
    problems += [f"acknowledged save {image_id} v{version} is missing" for image_id, version in acked.keys() - stored]
    return problems


if __name__ == "__main__":
    sys.path[:1] = [str(REPO)]  # seep, not this folder's modules
    print(json.dumps(save_for(sys.argv[1], float(sys.argv[2]), sys.argv[3])))
