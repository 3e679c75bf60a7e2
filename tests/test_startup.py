"""The server process's one-time set-up (run in a child process: it changes the collector)."""

import subprocess
import sys
from pathlib import Path

CHILD = """
import gc
import seep.ui.models  # what app.py imports: torch, OpenCV, Streamlit
from seep.ui.startup import freeze_imports

before = len(gc.get_objects())
freeze_imports()
after = len(gc.get_objects())
freeze_imports()  # once only: later calls must not freeze what the runs create
garbage = [[] for _ in range(1000)]
for a, b in zip(garbage, garbage[1:]):
    a.append(b), b.append(a)  # cycles: only the collector frees them
del garbage, a, b
print(before, after, gc.get_freeze_count(), gc.collect())
"""


def test_the_imports_are_kept_out_of_every_collection_but_new_garbage_is_collected():
    out = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=Path(__file__).parents[1], capture_output=True, text=True, check=True
    ).stdout
    before, after, frozen, collected = map(int, out.split())
    assert before > 100_000  # torch alone brings this many objects the collector would walk
    assert after < before / 20 and frozen > 0.9 * before
    assert collected >= 1000  # the cycles made after the freeze are still freed
