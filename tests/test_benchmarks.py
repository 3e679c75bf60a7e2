"""The benchmarks refuse bad arguments with one clear line, before reading any data."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def bench_loop(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_loop.py"), *args], capture_output=True, text=True, timeout=120
    )


def test_bench_loop_names_a_missing_model(tmp_path):
    r = bench_loop("--base", str(tmp_path / "fold0.pt"))
    assert r.returncode == 2
    assert f"no model file at {tmp_path / 'fold0.pt'}" in r.stderr
    assert "Traceback" not in r.stderr


def test_bench_loop_refuses_a_bad_setting():
    r = bench_loop("--set", "blend=3", "--set", "nope=1")
    assert r.returncode == 2
    assert "unknown fine-tune settings ['nope']" in r.stderr
    assert "Traceback" not in r.stderr
    r = bench_loop("--set", "blend=3")
    assert r.returncode == 2 and "between 0 and 1" in r.stderr
