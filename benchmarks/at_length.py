"""Run one of the suite's bounded tests at full length: the test reads its size from an
environment variable (a fast slice in CI), the benchmark sets it large."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_test(test_file: str, select: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, float]:
    """(pytest's completed process, seconds) for `pytest -s test_file -k select` under `env`."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", test_file, "-k", select],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    return proc, time.perf_counter() - t0
