"""kill -9 during saves at full length (CI runs 50 kills): every acknowledged version must
read back with its checksum, the database must pass SQLite's integrity check, and
`seep check --repair` must leave the workspace clean.

    python benchmarks/bench_faults.py [--kills 500]
"""

from __future__ import annotations

import argparse
import sys

from at_length import run_test


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=500)
    args = ap.parse_args()
    proc, seconds = run_test("tests/test_faults.py", "kill_9", {"SEEP_FAULT_KILLS": str(args.kills)})
    summary = [line for line in proc.stdout.splitlines() if " kills: " in line]
    print(summary[0].lstrip(". ") if summary else proc.stdout[-4000:])
    print(f"{'no failure' if proc.returncode == 0 else 'FAILED'} in {seconds:.0f} s")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
