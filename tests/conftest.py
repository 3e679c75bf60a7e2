"""Shared fixtures. No test may touch a real workspace: every test runs in its own
temporary folder with SEEP_WORKSPACE pointing inside it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seep.workspace import Workspace

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cgg-seep"


@pytest.fixture(autouse=True)
def _isolated_workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEEP_WORKSPACE", str(tmp_path / "default-workspace"))
    monkeypatch.setenv("SEEP_AUTHOR", "tester")


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace(tmp_path / "ws")


@pytest.fixture
def real_data() -> Path:
    if not (REAL_DATA / "train_images_256").is_dir():
        pytest.skip(f"real CGG tiles not found at {REAL_DATA} (they are internal; see ../shared/README.md)")
    return REAL_DATA


def sar_tile(seed: int = 0, size: int = 64) -> np.ndarray:
    """A small uint16 speckled tile, different for each seed."""
    rng = np.random.default_rng(seed)
    return (rng.gamma(4, 0.25, (size, size)) * 20000 + 1).clip(1, 65535).astype(np.uint16)
