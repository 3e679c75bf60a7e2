"""The import fuzz tests at full length: 1,000 Hypothesis examples each of damaged TIFF bytes,
truncations, undecodable names and links, and of damaged GeoPackages and GeoJSON for
import-seeps (CI runs a slice of 60).

    python benchmarks/bench_fuzz.py [--examples 1000]

Prints the number of examples run, failures (0 expected) and the time taken."""

from __future__ import annotations

import argparse
import sys

from at_length import run_test


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=1000)
    args = ap.parse_args()
    proc, seconds = run_test("tests/test_import_fuzz.py", "fuzzed", {"SEEP_FUZZ_EXAMPLES": str(args.examples)})
    print(proc.stdout.strip().splitlines()[-1])
    if proc.returncode:
        print(proc.stdout[-4000:])
    verdict = "no failure" if proc.returncode == 0 else "FAILED (pytest output above)"
    print(f"{args.examples} fuzzed imports per test in {seconds:.0f} s: {verdict}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
