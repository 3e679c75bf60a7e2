"""`python -m seep` serves large tensors from glibc's heap and keeps them when freed (what made
`seep predict` a quarter faster on the 2-core CPU), checked in fresh processes: the setting
lasts for a process's life, so it is never made in the test process itself."""

import platform
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or platform.libc_ver()[0] != "glibc",
    reason="a glibc setting; other C libraries are left as they are",
)
REPO = Path(__file__).resolve().parents[1]

# Whether a 48 MB array comes from the heap: glibc maps a block that large by itself
# unless told to take it from the heap.
PROBE = """
import contextlib, io, runpy, sys
import numpy as np
from seep.learn.allocator import keep_freed_memory

told = None
if sys.argv[1] == "told":
    told = keep_freed_memory()
elif sys.argv[1] == "cli":  # what `python -m seep --help` leaves behind
    sys.argv = ["seep", "--help"]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        runpy.run_module("seep", run_name="__main__")

def heap():
    with open("/proc/self/maps") as f:
        spans = [line.split()[0].split("-") for line in f if line.rstrip().endswith("[heap]")]
    return sum(int(b, 16) - int(a, 16) for a, b in spans)

before = heap()
a = np.ones(6_000_000)
print(told, heap() - before >= 40 * 2**20)
"""


def probe(mode: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, mode], cwd=REPO, capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_large_blocks_come_from_the_heap_once_told():
    assert probe("as-is") == ["None", "False"]  # a mapping of its own, unmapped again when freed
    assert probe("told") == ["True", "True"]  # the heap grows instead, and keeps it when freed


def test_the_command_line_tells_it_before_any_command_runs():
    assert probe("cli") == ["None", "True"]
