"""The fuzz tests at full length: 1,000 Hypothesis examples each of damaged TIFF bytes,
truncations, undecodable names and links, of damaged GeoPackages, GeoJSON, KMZs and masks, of boxes
anywhere in five coordinate systems, of paint on an exported labels mask and edits of its
polygons for import-seeps, and of damaged or cut Sentinel-1,
RADARSAT-2 and RCM zips for a scene's import, 5,000 each of text typed into Find a place and
as a scene's acquisition time, and 1,000 notes and class names typed, then shown in a scene's
report (CI runs a slice of 60 and 300).

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
    failed = 0
    for test_file, select, what in (
        ("tests/test_import_fuzz.py", "fuzzed", f"{args.examples} fuzzed imports per test"),
        (
            "tests/test_import_fuzz.py",
            "damaged_zipped",
            f"{args.examples} damaged Sentinel-1, RADARSAT-2 and RCM zips each imported",
        ),
        ("tests/test_import_fuzz.py", "anywhere", f"{args.examples} polygons anywhere (five coordinate systems) imported"),
        ("tests/test_import_fuzz.py", "any_paint", f"{args.examples} paintings on an exported labels mask imported back"),
        (
            "tests/test_import_fuzz.py",
            "any_edit",
            f"{args.examples} edits (slicks deleted, rectangles drawn) of labels exported as GeoJSON imported back",
        ),
        ("tests/test_places.py", "any_text", f"{5 * args.examples} texts read as places"),
        (
            "tests/test_acquired.py",
            "any_text",
            f"{5 * args.examples} texts read as acquisition times, as many names read for one",
        ),
        ("tests/test_report.py", "any_typed", f"{args.examples} typed notes and class names shown in a scene's report"),
    ):
        proc, seconds = run_test(test_file, select, {"SEEP_FUZZ_EXAMPLES": str(args.examples)})
        print(proc.stdout.strip().splitlines()[-1])
        if proc.returncode:
            print(proc.stdout[-4000:])
        verdict = "no failure" if proc.returncode == 0 else "FAILED (pytest output above)"
        print(f"{what} in {seconds:.0f} s: {verdict}")
        failed |= proc.returncode
    return failed


if __name__ == "__main__":
    sys.exit(main())
