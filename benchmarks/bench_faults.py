"""kill -9 during saves at full length (CI runs 50 kills): every acknowledged version must
read back with its checksum, the database must pass SQLite's integrity check, and
`seep check --repair` must leave the workspace clean.

    python benchmarks/bench_faults.py [--kills 500]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=500)
    args = ap.parse_args()
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "tests/test_faults.py", "-k", "kill_9"],
        cwd=REPO,
        env={**os.environ, "SEEP_FAULT_KILLS": str(args.kills)},
        capture_output=True,
        text=True,
    )
    summary = [line for line in proc.stdout.splitlines() if " kills: " in line]
    print(summary[0].lstrip(". ") if summary else proc.stdout[-4000:])
    print(f"{'no failure' if proc.returncode == 0 else 'FAILED'} in {time.perf_counter() - t0:.0f} s")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
