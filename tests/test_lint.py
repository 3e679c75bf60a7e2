"""The code style is a test like any other: the README's one test command checks it, so CI
fails on an unused import or a forgotten format run (settings in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[1]


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True)


def test_ruff_finds_nothing_to_fix():
    r = ruff("check", "--no-cache", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_code_is_formatted():
    r = ruff("format", "--check", "--no-cache", ".")
    assert r.returncode == 0, "run `python -m ruff format .`\n" + r.stdout + r.stderr


def test_every_package_of_seep_is_checked():
    """`extend-exclude = ["workspace"]` meant the data folder at the top, but it also matched the
    package seep/workspace/, which went unlinted and unformatted for weeks."""
    listed = ruff("check", "--no-cache", "--show-files", ".").stdout
    missing = [str(f.relative_to(REPO)) for f in (REPO / "seep").rglob("*.py") if str(f) not in listed]
    assert not missing, missing
